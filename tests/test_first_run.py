"""Issue 2: the first run on the embedded default, a second start, and bad configuration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import free_port

PY = sys.executable


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_REDIS_URL", "INSTANCE_DIR", "PORT")}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as res:
            return json.loads(res.read())
    except OSError:
        return None


def _serve_until_healthy(root, env, port, limit_s):
    proc = subprocess.Popen([PY, "app.py"], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    started = time.monotonic()
    body = None
    try:
        while time.monotonic() - started < limit_s:
            body = _health(port)
            if body and body.get("observations", 0) > 0:
                break
            if proc.poll() is not None:
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - started
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    return body, elapsed, out


@pytest.mark.slow
def test_run001_first_run_then_reuse(root, tmp_path):
    port = free_port()
    env = _env(INSTANCE_DIR=tmp_path / "instance", PORT=port)
    body, elapsed, out = _serve_until_healthy(root, env, port, 120)
    assert body is not None, out
    assert body["observations"] > 0 and body["database"] == "sqlite", out
    assert elapsed < 120
    assert "demo data" in out
    assert (tmp_path / "instance" / "warehouse.sqlite").exists()
    # a second start reuses the warehouse: no second seeding, same data version
    body2, _, out2 = _serve_until_healthy(root, env, port, 60)
    assert body2 is not None, out2
    assert "Empty warehouse" not in out2
    assert body2["observations"] == body["observations"] and body2["data_version"] == body["data_version"]


@pytest.mark.parametrize(
    "env_extra, needle",
    [
        ({"DATABASE_URL": "postgresql+psycopg2://nobody@127.0.0.1:1/none"}, "cannot connect to the database"),
        ({"DATABASE_URL": "notadb://x"}, "DATABASE_URL"),
    ],
)
def test_run002_bad_database_url_is_one_line(root, env_extra, needle):
    res = subprocess.run([PY, "app.py"], cwd=root, env=_env(**env_extra), capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    lines = [line for line in res.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: ") and needle in lines[0]
    assert "Traceback" not in res.stderr + res.stdout


def test_run003_unwritable_instance_is_one_line(root, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    res = subprocess.run([PY, "app.py"], cwd=root, env=_env(INSTANCE_DIR=blocker / "instance"),
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    lines = [line for line in res.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and "data folder" in lines[0] and "INSTANCE_DIR" in lines[0], res.stderr
    assert "Traceback" not in res.stderr


@pytest.mark.slow
def test_run004_cli_help_and_errors(root):
    flask = [PY, "-m", "flask", "--app", "app"]
    for command, words in (("init-db", "Alembic"), ("seed-demo", "--until")):
        res = subprocess.run([*flask, command, "--help"], cwd=root, env=_env(), capture_output=True, text=True, timeout=60)
        assert res.returncode == 0 and words in res.stdout, res.stderr
    res = subprocess.run([*flask, "init-db"], cwd=root, env=_env(DATABASE_URL="postgresql+psycopg2://nobody@127.0.0.1:1/x"),
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 1
    assert "cannot connect to the database" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.slow
def test_run005_seed_demo_command(root, tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    flask = [PY, "-m", "flask", "--app", "app", "seed-demo", "--seed", "7", "--until", "2024-02-26"]
    res = subprocess.run(flask, cwd=root, env=_env(DATABASE_URL=url), capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "Loaded" in res.stdout
    again = subprocess.run(flask, cwd=root, env=_env(DATABASE_URL=url), capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and "already holds data" in again.stderr
