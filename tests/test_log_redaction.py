"""Secrets stay out of every log line (security finding 7): a wall's display token sent in an
address, a referrer or a sign-in ``next=``, and a unit's bearer token, never appear in gunicorn's
access or error log, the development server's request log, or the audit log."""

from __future__ import annotations

import http.client
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from auth import audit
from auth.redact import RedactingFilter, install, redact
from settings import ROOT
from tests.conftest import free_port

SECRET = "Zq9SECRETvalue_-x7"


@pytest.mark.parametrize("text, kept", [
    (f"GET /wall?token={SECRET}&boards=overview HTTP/1.1", "boards=overview"),
    (f"GET /wall?boards=overview&token={SECRET} HTTP/1.1", "boards=overview"),
    (f"/signin?next=/wall%3Ftoken%3D{SECRET}%26boards%3Doverview", "%26boards%3Doverview"),
    (f"/signin?next=%2Fwall%3Fboards%3Do%26token%3D{SECRET}", "boards%3Do"),
    (f"x=%252Fwall%253Ftoken%253D{SECRET}%2526b%253D1", "%2526b%253D1"),
    (f"Authorization: Bearer {SECRET}", "Authorization: Bearer"),
    (f'"http://127.0.0.1/wall?TOKEN={SECRET}"', "http://127.0.0.1/wall?"),
    (f"password={SECRET}&user=a", "user=a"),
])
def test_red001_redact(text, kept):
    out = redact(text)
    assert SECRET not in out and "[redacted]" in out and kept in out


@pytest.mark.parametrize("text", ["GET /indicator/CPI_YOY?areas=VN,01 HTTP/1.1", "tokens=3 issued", "no secret",
                                  "/admin/tokens?lang=en", "bearer of bad news"])
def test_red002_innocent_text_untouched(text):
    assert redact(text) == text


def test_red003_application_and_development_server_logs(caplog):
    root = logging.getLogger()
    handler = logging.StreamHandler(stream=open(os.devnull, "w"))
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    keep = Keep()
    root.addHandler(handler)
    root.addHandler(keep)
    try:
        install()
        assert any(isinstance(f, RedactingFilter) for f in keep.filters)
        logging.getLogger("werkzeug").warning('127.0.0.1 - - "GET /wall?token=%s HTTP/1.1" 302 -', SECRET)
        logging.getLogger("app.something").warning("call with Authorization: Bearer %s failed", SECRET)
    finally:
        root.removeHandler(handler)
        root.removeHandler(keep)
    assert len(records) == 2 and not any(SECRET in r for r in records), records
    assert "token=[redacted]" in records[0]


def test_red004_audit_entries_redacted(tmp_path):
    from data_access.engine import Warehouse  # noqa: F401 - the schema's tables
    from ingest.bootstrap import bootstrap
    from tests.conftest import make_settings

    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    bootstrap(make_settings(url, tmp_path).with_(seed_demo=False), echo=lambda *a: None)
    engine = create_engine(url)
    audit.write(engine, "access.denied", actor="t.x", target=f"GET /wall?token={SECRET}",
                detail={"next": f"/wall%3Ftoken%3D{SECRET}", "list": [f"Bearer {SECRET}"]})
    with engine.connect() as conn:
        (entry,), _ = audit.search(conn, audit.AuditQuery(actor="t.x"))
    assert SECRET not in (entry.target or "") + (entry.detail or "")
    assert "token=[redacted]" in entry.target


def _get(port: int, path: str, headers: dict | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("GET", path, headers=headers or {})
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.mark.slow
@pytest.mark.heavy
def test_red005_gunicorn_access_and_error_logs(tmp_path):
    """The production server: a wall's first visit, a referrer and a bearer token, then the logs."""
    port = free_port()
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite'}", "INSTANCE_DIR": str(tmp_path),
           "SEED_DEMO": "0", "WEB_CONCURRENCY": "1", "BIND": f"127.0.0.1:{port}", "LOG_LEVEL": "debug",
           "ACCESS_LOG": str(access), "GUNICORN_CMD_ARGS": f"--error-logfile {errors} "
           "--access-logformat '%(h)s \"%(r)s\" %(s)s \"%(f)s\" \"%(a)s\" %(U)s %(q)s'"}
    env.pop("CACHE_REDIS_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(Path(ROOT) / "gunicorn.conf.py"),
                             "app:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _get(port, "/api/v1/health") == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        assert _get(port, f"/wall?boards=overview&token={SECRET}") == 302  # exchanged for the cookie
        _get(port, "/api/v1/version", {"Referer": f"http://127.0.0.1:{port}/wall?token={SECRET}"})
        _get(port, "/api/v1/indicators", {"Authorization": f"Bearer {SECRET}"})
        _get(port, f"/signin?next=/wall%3Ftoken%3D{SECRET}")
        _get(port, f"/x?password={SECRET}", {"User-Agent": f"probe token={SECRET}"})
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    logged = access.read_text() + errors.read_text()
    assert "/wall?boards=overview&token=[redacted]" in logged  # the line is there, its secret is not
    assert SECRET not in logged, [line for line in logged.splitlines() if SECRET in line]
