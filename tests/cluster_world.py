"""A cluster of ``scripts/cluster.sh`` for tests: HAProxy, two gunicorn nodes, Redis, a PostgreSQL
primary and its streaming replica, in a folder and on ports of its own; HTTP helpers and the
replica's replay paused and resumed (a replica lagging on demand)."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from settings import ROOT
from tests.conftest import FIXED_UNTIL

SCRIPT = ROOT / "scripts" / "cluster.sh"


def free_base() -> int:
    """A base port whose next five ports are free too (HAProxy, 2 nodes, Redis, primary, replica)."""
    for base in range(56100, 57000, 10):
        socks = []
        try:
            for port in range(base, base + 6):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free ports for a cluster")


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll ``condition`` until it holds (every 0.1 s), else fail saying ``what``."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.1)


def http_call(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
              timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        return res.status, res.read()
    except (http.client.HTTPException, OSError):
        return 0, b""
    finally:
        conn.close()


class Cluster:
    """``scripts/cluster.sh`` in its own folder (under /tmp, readable by the postgres user) and ports."""

    def __init__(self, *, seed_demo: bool = True, folder: Path | None = None, base: int | None = None):
        self.dir = folder or Path(tempfile.mkdtemp(prefix="occ-cluster-test-", dir="/tmp"))
        self.base = base or free_base()
        self.env = {**os.environ, "CLUSTER_DIR": str(self.dir), "CLUSTER_PORT": str(self.base),
                    "SEED_DEMO": "1" if seed_demo else "0", "DEMO_UNTIL": FIXED_UNTIL.isoformat(),
                    "WEB_CONCURRENCY": "2"}
        self._engines: dict[int, Engine] = {}

    # ports
    @property
    def lb(self) -> int:
        return self.base

    def node(self, n: int) -> int:
        return self.base + n

    @property
    def primary_port(self) -> int:
        return self.base + 4

    @property
    def replica_port(self) -> int:
        return self.base + 5

    def url(self, port: int) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{port}/occ"

    def engine(self, port: int) -> Engine:
        if port not in self._engines:
            self._engines[port] = create_engine(self.url(port), isolation_level="AUTOCOMMIT", pool_pre_ping=True)
        return self._engines[port]

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", str(SCRIPT), *args], env=self.env, check=check, capture_output=True,
                              text=True, timeout=900)

    def up(self) -> Cluster:
        self.run("up")
        return self

    def destroy(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self.run("destroy", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    # the replica's replay, paused: a replica that lags as long as the test wants
    def pause_replay(self) -> None:
        with self.engine(self.replica_port).connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_pause()"))

    def resume_replay(self) -> None:
        with self.engine(self.replica_port).connect() as conn:
            conn.execute(text("SELECT pg_wal_replay_resume()"))

    def version_on(self, port: int) -> int:
        with self.engine(port).connect() as conn:
            return int(conn.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar() or 0)

    def health(self, port: int) -> dict:
        status, body = http_call(port, "GET", "/api/v1/health")
        assert status == 200, (status, body[:300])
        return json.loads(body)
