"""Issue 9: the product under faults (long: the served stack it starts and its load are its own harness).

In-process (both backends, Flask test client): with the warehouse unreachable, view callbacks are
served from the cache or their last good response (marked ``X-OCC-Stale``), never a 5xx; pages
never rendered get a "data unavailable" notice or Dash's 204; page shells (Dash's index) are still
served; health and the version poll answer 503; submissions answer 503 with ``Retry-After`` and
the same bytes are accepted once the warehouse is back.

Served (own servers on 127.0.0.1, stopped at the end): a throwaway PostgreSQL cluster holding a
copy of the seeded demo warehouse, Redis, and gunicorn with 2 workers (gunicorn.conf.py); a small
load runs while Redis is stopped, while PostgreSQL is stopped, while a worker is SIGKILLed, and
while the worker inside a large submission's transaction is SIGKILLed. The long runs are
``python -m bench.load`` (README, "Load and fault runs"). The tests wait for what they need (the
load under way, requests answered during the fault, an acknowledgement after it), never for a
fixed time.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import pwd
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from data_access import schema
from tests.conftest import FIXED_UNTIL, free_port, make_settings, pg_admin_url, seeded_url_for
from tests.utils import until

ROOT = Path(__file__).resolve().parent.parent

ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."


def router_body(pathname: str, search: str = "") -> dict:
    """What Dash's page router sends when the browser opens ``pathname``."""
    return {"output": ROUTER_OUTPUT,
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}


def wall_board_body(token: str | None = None, version: int = 1) -> dict:
    """A wall's overview board refresh after a new data version (the wall's display token travels
    in its cookie; ``token`` is only put in its config store to show that it counts for nothing)."""
    ident = {"name": "overview", "type": "wall-board"}
    return {"output": json.dumps(ident, separators=(",", ":")) + ".children",
            "outputs": {"id": ident, "property": "children"},
            "inputs": [{"id": "wall-version", "property": "data",
                        "value": {"data_version": version, "updated_at": None, "min_interval_s": 15}}],
            "changedPropIds": ["wall-version.data"],
            "state": [{"id": "wall-config", "property": "data",
                       "value": {"boards": ["overview"], "seconds": 30, "lang": "vi", "sector": "G03", **({"token": token} if token else {}),
                                 "reload_ms": 21600000, "lost": "x {time}"}}]}


SUBMISSION = {"observations": [{"indicator_code": "RETAIL_SALES", "area_code": "01", "period": "202510",
                                "value": 31.7}]}


# --- in-process ----------------------------------------------------------------------------------------


def _break(server) -> None:
    """Point the app's warehouse at a port nobody listens on: every read fails like a stopped server."""
    wh = server.extensions["warehouse"]
    if wh._engine is not None:
        wh._engine.dispose()
    wh._engine = create_engine(f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/gone",
                               pool_pre_ping=True, connect_args={"connect_timeout": 2})


def _restore(server) -> None:
    wh = server.extensions["warehouse"]
    wh._engine.dispose()
    wh._engine = None  # created again from the settings


@pytest.fixture
def app_and_url(seeded_url, tmp_path):
    from app import create_app

    cache = {"cache_type": "FileSystemCache", "cache_dir": tmp_path / "cache"}  # shared, like Redis
    server = create_app(make_settings(seeded_url, tmp_path, **cache))
    yield server, seeded_url, cache
    server.extensions["warehouse"].dispose()


def test_res001_views_keep_serving_last_known_data(app_and_url, tmp_path):
    from web.responses import STALE_HEADER

    server, _, _ = app_and_url
    client = server.test_client()
    shown = {}
    for path in ("/", "/daily"):
        res = client.post("/_dash-update-component", json=router_body(path))
        assert res.status_code == 200 and STALE_HEADER not in res.headers
        shown[path] = res.data
    _break(server)
    try:
        for path in ("/", "/daily"):
            res = client.post("/_dash-update-component", json=router_body(path))
            assert res.status_code == 200, res.data[:300]
            assert res.data == shown[path] and res.headers[STALE_HEADER] == "1"
        never = client.post("/_dash-update-component", json=router_body("/sectors", "?lang=en"))
        assert never.status_code == 200 and never.headers[STALE_HEADER] == "1"
        notice = json.loads(never.data)["response"]["_pages_content"]["children"]
        assert "Data temporarily unavailable" in json.dumps(notice)
        wall = client.post("/_dash-update-component", json=wall_board_body("no-such-token"))
        assert wall.status_code == 204  # Dash: no update; the wall keeps its board
        chrome = client.post("/_dash-update-component", json={
            "output": "..shell-header.children...shell-footer.children..",
            "outputs": [{"id": "shell-header", "property": "children"}, {"id": "shell-footer", "property": "children"}],
            "inputs": [{"id": "shell-location", "property": "pathname", "value": "/daily"},
                       {"id": "shell-location", "property": "search", "value": ""}],
            "changedPropIds": ["shell-location.pathname"]})
        assert chrome.status_code == 200  # no data needed: rendered
        for path in ("/", "/indicator/EXPORTS", "/provinces/01", "/daily?lang=en"):
            assert client.get(path).status_code == 200, path
        version = client.get("/api/v1/version")
        assert version.status_code == 503 and version.headers["Retry-After"] and version.is_json
        health = client.get("/api/v1/health")
        assert health.status_code == 503 and health.json["status"] == "unavailable"
    finally:
        _restore(server)
    res = client.post("/_dash-update-component", json=router_body("/sectors"))
    assert res.status_code == 200 and STALE_HEADER not in res.headers
    assert client.get("/api/v1/version").status_code == 200


def test_res005_other_callbacks_in_an_outage(app_and_url):
    """A form's callback (the upload page) that cannot reach the warehouse did nothing: 204 with
    the stale header (the page shows its mark), not a callback error."""
    import base64

    from web.responses import STALE_HEADER

    server, _, _ = app_and_url
    csv = base64.b64encode(b"indicator_code,area_code,period,value\nRETAIL_SALES,01,202510,31.5\n").decode()
    body = {"output": "sub-result.children", "outputs": {"id": "sub-result", "property": "children"},
            "inputs": [{"id": "sub-upload", "property": "contents", "value": "data:text/csv;base64," + csv}],
            "changedPropIds": ["sub-upload.contents"],
            "state": [{"id": "sub-upload", "property": "filename", "value": "a.csv"},
                      {"id": "sub-unit", "property": "value", "value": "UB01"},
                      {"id": "sub-lang", "property": "data", "value": "vi"}]}
    client = server.test_client()
    _break(server)
    try:
        res = client.post("/_dash-update-component", json=body)
        assert res.status_code == 204 and res.headers[STALE_HEADER] == "1"
    finally:
        _restore(server)


def test_res002_a_fresh_worker_in_an_outage(app_and_url, tmp_path):
    """A worker started while the warehouse is away has no version of its own: it takes the last
    one any worker left in the shared cache, and serves what they cached; with nothing cached its
    page shells and the unavailable notice still answer, never a 5xx."""
    from app import create_app
    from web.responses import STALE_HEADER

    server, url, cache = app_and_url
    client = server.test_client()
    first = client.post("/_dash-update-component", json=router_body("/"))
    assert first.status_code == 200
    fresh = create_app(make_settings(url, tmp_path, **cache))
    _break(fresh)
    res = fresh.test_client().post("/_dash-update-component", json=router_body("/"))
    assert res.status_code == 200 and res.data == first.data and res.headers[STALE_HEADER] == "1"
    lonely = create_app(make_settings(url, tmp_path / "other", cache_type="SimpleCache"))
    _break(lonely)
    c = lonely.test_client()
    assert c.get("/indicator/EXPORTS").status_code == 200
    res = c.post("/_dash-update-component", json=router_body("/"))
    assert res.status_code == 200 and "_pages_content" in json.loads(res.data)["response"]
    assert c.get("/api/v1/health").status_code == 503
    for app in (fresh, lonely):
        app.extensions["warehouse"].dispose()


@pytest.fixture
def intake_app(backend, databases, tmp_path):
    from app import create_app
    from tests.conftest import build_warehouse

    url = databases.new(backend)
    build_warehouse(url, tmp_path).dispose()
    server = create_app(make_settings(url, tmp_path))
    yield server
    server.extensions["warehouse"].dispose()


def test_res003_submissions_while_the_warehouse_is_away(intake_app):
    from auth.tokens import create_token

    server = intake_app
    engine = server.extensions["warehouse"].engine
    token, _ = create_token(engine, "UB01")
    client = server.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    body = {"observations": [{**SUBMISSION["observations"][0], "value": 31.0 + random.random()}]}
    warm = client.get("/api/v1/indicators?group=G01")
    assert warm.status_code == 200
    _break(server)
    try:
        res = client.post("/api/v1/submissions", json=body, headers=auth)
        assert res.status_code == 503 and res.headers["Retry-After"] == "10"
        assert res.json["error"]["code"] == "warehouse_unavailable"
        assert res.json["error"]["message_vi"] and res.json["error"]["message_en"]
        read = client.get("/api/v1/indicators?group=G01")
        assert read.status_code == 200 and read.headers["X-OCC-Stale"] == "1" and read.json == warm.json
        assert client.get("/api/v1/observations?indicator=EXPORTS").status_code in (200, 503)
        assert client.get("/api/v1/submissions/1").status_code == 503
    finally:
        _restore(server)
    again = client.post("/api/v1/submissions", json=body, headers=auth)
    assert again.status_code == 201
    assert client.post("/api/v1/submissions", json=body, headers=auth).json["status"] == "duplicate"


def test_res004_openapi_documents_the_503s():
    from api.intake import openapi_document

    paths = openapi_document()["paths"]
    for path, ops in paths.items():
        for op in ops.values():
            assert "503" in op["responses"], path  # the token of a caller is checked in the warehouse too


# --- served: PostgreSQL, Redis and gunicorn of our own -------------------------------------------------


def _pg_bin() -> Path:
    env = os.environ.get("TEST_PG_BIN")
    if env:
        return Path(env)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL is not installed (scripts/test.sh installs it)")
    return found[-1].parent


class Cluster:
    """A throwaway PostgreSQL cluster on 127.0.0.1 that tests may stop and start."""

    def __init__(self, folder: Path):
        self.bin = _pg_bin()
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        folder.mkdir(parents=True, exist_ok=True)
        folder.parent.chmod(0o755)  # mkdtemp's 0700 would keep the postgres user out
        if self.as_pg:
            pw = pwd.getpwnam("postgres")
            os.chown(folder, pw.pw_uid, pw.pw_gid)
        subprocess.run([*self.as_pg, str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                        "-E", "UTF8", "--no-locale"], check=True, stdout=subprocess.DEVNULL, timeout=120)
        self.url = f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"
        self.start()

    def _ctl(self, *args: str) -> None:
        subprocess.run([*self.as_pg, str(self.bin / "pg_ctl"), "-D", str(self.data), *args], check=True,
                       stdout=subprocess.DEVNULL, timeout=120)

    def start(self) -> None:
        self._ctl("-w", "-l", str(self.folder / "log"), "-o",
                  f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off -c synchronous_commit=off "
                  "-c full_page_writes=off -c max_connections=100", "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "stop")

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.SubprocessError:
            pass


def _http(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
          timeout: float = 30) -> tuple[int, bytes, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        return res.status, res.read(), {k.lower(): v for k, v in res.getheaders()}
    except (http.client.HTTPException, OSError):
        return 0, b"", {}
    finally:
        conn.close()


class Served:
    def __init__(self, folder: Path, source_url: str):
        self.folder = folder
        self.procs: list[subprocess.Popen] = []
        self.cluster = Cluster(folder / "pg")
        src = source_url.replace("postgresql+psycopg2", "postgresql")
        dst = self.cluster.url.replace("postgresql+psycopg2", "postgresql")
        dump = subprocess.Popen([str(self.cluster.bin / "pg_dump"), "--no-owner", "--no-privileges", src],
                                stdout=subprocess.PIPE)
        subprocess.run([str(self.cluster.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", dst], stdin=dump.stdout,
                       check=True, stdout=subprocess.DEVNULL, timeout=300)
        dump.wait(60)
        self.engine = create_engine(self.cluster.url, pool_pre_ping=True)
        self.cookie: tuple[str, str] | None = None
        self.redis_port = free_port()
        self.redis: subprocess.Popen | None = None
        self.start_redis()
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in ("CACHE_TYPE", "CACHE_DIR")}
        env.update({"DATABASE_URL": self.cluster.url, "CACHE_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
                    "INSTANCE_DIR": str(folder / "instance"), "SEED_DEMO": "0", "WEB_CONCURRENCY": "2",
                    "BIND": f"127.0.0.1:{self.port}", "LOG_LEVEL": "warning", "ACCESS_LOG": str(folder / "access.log"),
                    "DEMO_UNTIL": FIXED_UNTIL.isoformat(), "WALL_MIN_POLL_SECONDS": "0.5"})
        self.log = folder / "gunicorn.log"
        self.gunicorn = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                                          "app:create_app()"], cwd=ROOT, env=env, stdout=open(self.log, "w"),
                                         stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if _http(self.port, "GET", "/api/v1/version", timeout=5)[0] == 200 and len(self.workers()) == 2:
                return
            if self.gunicorn.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start:\n" + self.log.read_text()[-3000:])

    def start_redis(self) -> None:
        self.redis = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(self.redis_port),
                                       "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                       "--dir", str(self.folder)], stdout=subprocess.DEVNULL)
        until(self._redis_up, timeout=10, what="redis-server to listen", interval=0.05)

    def _redis_up(self) -> bool:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.2):
                return True
        except OSError:
            return False

    def session_remembered(self) -> bool:
        """A signed-in session is remembered in the shared cache: what a worker falls back on while
        the warehouse is away (a worker's cache breaker keeps it from Redis for seconds after a restart)."""
        import redis

        try:
            return any(redis.Redis(port=self.redis_port, socket_timeout=1).scan_iter(match="*authsess:*"))
        except redis.RedisError:
            return False

    def stop_redis(self) -> None:
        self.redis.terminate()
        self.redis.wait(10)

    def analyst_headers(self) -> dict:
        """A signed-in analyst's browser: its session cookie (a real session row, as the sign-in
        form creates) and the Origin every browser sends with a POST."""
        if self.cookie is None:
            from tests.auth_sessions import ensure_session

            self.cookie = ensure_session(self.engine, "resilience.analyst", "analyst")
        name, value = self.cookie
        return {"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{self.port}",
                "Cookie": f"{name}={value}"}

    def workers(self) -> list[int]:
        try:
            return sorted(int(p) for p in Path(f"/proc/{self.gunicorn.pid}/task/{self.gunicorn.pid}/children")
                          .read_text().split())
        except OSError:
            return []

    def close(self) -> None:
        self.gunicorn.terminate()
        try:
            self.gunicorn.wait(30)
        except subprocess.TimeoutExpired:
            self.gunicorn.kill()
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(10)
        self.engine.dispose()
        self.cluster.destroy()


@pytest.fixture(scope="module")
def served(databases):
    if not pg_admin_url():
        if os.environ.get("CI"):
            pytest.fail("TEST_DATABASE_URL is not set: run the suite with scripts/test.sh")
        pytest.skip("no test PostgreSQL (run the suite with scripts/test.sh)")
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed (scripts/test.sh installs it)")
    source = seeded_url_for("postgresql", databases)
    folder = Path(tempfile.mkdtemp(prefix="occ-res-"))
    stack = None
    try:
        stack = Served(folder, source)
        yield stack
    finally:
        if stack is not None:
            stack.close()
        shutil.rmtree(folder, ignore_errors=True)


def _token(served: Served, unit: str) -> str:
    from auth.tokens import create_token

    token, _ = create_token(served.engine, unit, days=1)
    return token


class Load:
    """A small mixed load in threads: router callbacks of a few pages, the version poll, and a unit
    submitting every 0.3 s (retrying the same bytes after a 503 or a lost connection)."""

    PAGES = ("/", "/daily", "/sectors", "/indicators", "/provinces")

    def __init__(self, served: Served, token: str, unit_area: str = "01"):
        self.served, self.token, self.area = served, token, unit_area
        self.view_headers = served.analyst_headers()
        self.results: list[tuple[float, str, int, dict]] = []
        self.acked: dict[str, int] = {}
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.t0 = time.monotonic()
        self.threads = [threading.Thread(target=self.views, args=(i,), daemon=True) for i in range(2)]
        self.threads.append(threading.Thread(target=self.unit, daemon=True))

    def record(self, kind: str, status: int, headers: dict) -> None:
        with self.lock:
            self.results.append((time.monotonic() - self.t0, kind, status, headers))

    def views(self, seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(10_000):
            if self.stop.is_set():
                return
            body = json.dumps(router_body(rng.choice(self.PAGES))).encode()
            status, _, headers = _http(self.served.port, "POST", "/_dash-update-component", body, self.view_headers)
            self.record("callback", status, headers)
            status, _, headers = _http(self.served.port, "GET", "/api/v1/version")
            self.record("version", status, headers)
            time.sleep(0.05)

    def unit(self) -> None:
        for seq in range(10_000):
            if self.stop.is_set():
                return
            body = json.dumps({"observations": [{"indicator_code": "RETAIL_SALES", "area_code": self.area,
                                                 "period": "202510", "value": round(30 + seq / 100, 2)}]}).encode()
            sha = hashlib.sha256(body).hexdigest()
            for _ in range(1000):
                status, data, headers = _http(self.served.port, "POST", "/api/v1/submissions", body,
                                              {"Content-Type": "application/json",
                                               "Authorization": f"Bearer {self.token}"})
                self.record("submission", status, headers)
                if status in (200, 201):
                    with self.lock:
                        self.acked[sha] = json.loads(data)["submission_id"]
                    break
                if status in (503, 0):
                    if self.stop.is_set() and status == 0:
                        return
                    time.sleep(0.5 if status == 0 else min(1.0, float(headers.get("retry-after", "1"))))
                    continue
                self.record("refused:" + data[:200].decode("utf-8", "replace"), status, headers)
                break
            time.sleep(0.3)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(60)

    def statuses(self, kind: str, t0: float = 0, t1: float = float("inf")) -> set[int]:
        return {s for t, k, s, _ in self.results if k == kind and t0 <= t <= t1}

    def now(self) -> float:
        """Seconds since the load started, on the clock of ``results``."""
        return time.monotonic() - self.t0

    def seen(self, kind: str, n: int = 1, since: float = 0.0, statuses: frozenset[int] | None = None) -> bool:
        """At least ``n`` answers of ``kind`` recorded after ``since`` (of any status, or of these)."""
        with self.lock:
            return sum(1 for t, k, s, _ in self.results
                       if k == kind and t > since and (statuses is None or s in statuses)) >= n

    def wait_under_way(self, since: float = 0.0, what: str = "the load under way", acked: bool = True) -> None:
        """Until views and a unit have been answered after ``since``: a few callbacks and version
        polls each, and one submission (acknowledged, unless ``acked`` is false)."""
        sent = frozenset({200, 201}) if acked else None
        until(lambda: self.seen("callback", 6, since) and self.seen("version", 4, since)
              and self.seen("submission", 1, since, sent), timeout=60, what=what)


def _wait_serving(served: Served) -> None:
    """Until the version poll answers 200 again (the warehouse is back for the workers)."""
    until(lambda: _http(served.port, "GET", "/api/v1/version")[0] == 200, timeout=30,
          what="the version poll to answer 200 after the restart", interval=0.2)


def _wait_replaced(served: Served, victim: int) -> None:
    """Until gunicorn's master has replaced the SIGKILLed worker ``victim`` (two workers again)."""
    until(lambda: victim not in served.workers() and len(served.workers()) == 2, timeout=30,
          what=f"worker {victim} to be replaced", interval=0.1)


def _assert_stored(served: Served, acked: dict[str, int]) -> None:
    assert acked, "no submission was acknowledged"
    with served.engine.connect() as conn:
        found = conn.execute(select(schema.submission.c.sha256).where(
            schema.submission.c.status == "accepted", schema.submission.c.sha256.in_(list(acked)))).scalars().all()
    assert set(found) == set(acked), "acknowledged submissions missing from the warehouse"


@pytest.mark.postgres
@pytest.mark.fault
@pytest.mark.heavy
def test_res101_redis_stopped(served):
    """Direct queries while the cache is away: no error at all."""
    with Load(served, _token(served, "UB01")) as load:
        load.wait_under_way()
        served.stop_redis()
        load.wait_under_way(load.now(), "requests answered while Redis is down", acked=False)
        served.start_redis()
        load.wait_under_way(load.now(), "requests answered after Redis is back", acked=False)
    kinds = {k for _, k, _, _ in load.results}
    assert not [k for k in kinds if k.startswith("refused")]
    assert load.statuses("callback") == {200}
    assert load.statuses("version") == {200}
    assert load.statuses("submission") <= {200, 201}
    _assert_stored(served, load.acked)


@pytest.mark.postgres
@pytest.mark.fault
@pytest.mark.heavy
def test_res102_postgresql_stopped(served):
    """Boards keep serving with the stale mark (never a 5xx), health and the version poll answer
    503, submissions 503 with Retry-After; after the restart everything acknowledged is stored."""
    for page in Load.PAGES:  # every page rendered once, as viewers would have
        assert _http(served.port, "POST", "/_dash-update-component", json.dumps(router_body(page)).encode(),
                     served.analyst_headers())[0] == 200
    with Load(served, _token(served, "UB79"), unit_area="79") as load:
        load.wait_under_way()
        until(served.session_remembered, timeout=30, what="the analyst's session remembered in the shared cache")
        served.cluster.stop()
        down_at = load.now()
        until(lambda: load.seen("version", 1, down_at + 0.3, frozenset({503})), timeout=30,
              what="the app to notice the warehouse is away (a version poll answered 503)")
        cookie = {"Cookie": served.analyst_headers()["Cookie"]}
        during = {path: _http(served.port, "GET", path, headers=cookie)[0]
                  for path in ("/api/v1/health", "/", "/indicator/EXPORTS")}
        load.wait_under_way(down_at + 0.3, "callbacks, polls and a submission answered while the warehouse is away",
                            acked=False)
        up_at = load.now()
        served.cluster.start()
        _wait_serving(served)
        until(lambda: load.seen("submission", 1, up_at, frozenset({200, 201})), timeout=60,
              what="a submission acknowledged after the restart")
    assert during == {"/api/v1/health": 503, "/": 200, "/indicator/EXPORTS": 200}
    down = [(k, s, h) for t, k, s, h in load.results if down_at + 0.3 < t < up_at]
    callbacks = [(s, h) for k, s, h in down if k == "callback"]
    assert callbacks and {s for s, _ in callbacks} <= {200, 204}
    assert all(h.get("x-occ-stale") == "1" for s, h in callbacks if s == 200)
    assert load.statuses("callback") <= {200, 204}, "a callback failed"
    assert {s for k, s, _ in down if k == "version"} == {503}
    subs = [(s, h) for k, s, h in down if k == "submission"]
    assert subs and {s for s, _ in subs} == {503} and all(h.get("retry-after") for _, h in subs)
    assert {s for t, k, s, _ in load.results if k == "submission" and t > up_at} & {200, 201}, \
        "no submission acknowledged after the restart"
    assert not [k for _, k, _, _ in load.results if k.startswith("refused")]
    _assert_stored(served, load.acked)
    assert _http(served.port, "GET", "/api/v1/health")[0] == 200


@pytest.mark.postgres
@pytest.mark.fault
@pytest.mark.heavy
def test_res103_worker_killed(served):
    """A SIGKILLed worker is replaced by the master; nothing acknowledged is lost; the rest serve on."""
    before = served.workers()
    with Load(served, _token(served, "UB48"), unit_area="48") as load:
        load.wait_under_way()
        victim = before[0]
        os.kill(victim, signal.SIGKILL)
        _wait_replaced(served, victim)
        load.wait_under_way(load.now(), "requests answered after the worker was replaced", acked=False)
    after = served.workers()
    assert victim not in after and len(after) == 2
    assert load.statuses("callback") <= {200, 0} and load.statuses("version") <= {200, 0}  # 0: in flight on it
    assert load.statuses("submission") <= {200, 201, 0}
    assert sum(1 for _, _, s, _ in load.results if s == 0) <= 8  # only what was in flight (2 x 4 threads)
    _assert_stored(served, load.acked)


@pytest.mark.postgres
@pytest.mark.fault
@pytest.mark.heavy
def test_res104_intake_killed_mid_load(served):
    """The worker inside the write transaction of a large submission is SIGKILLed: nothing of it
    is stored; sent again, it is accepted whole."""
    from bench.faults import writer_pid

    token = _token(served, "NHNN")
    first = date(1990, 1, 1)
    days = [(first + timedelta(days=i)).isoformat() for i in range(9000)]
    offset = random.randint(1, 999) / 100
    rows = [f"{code},VN,{d},{100 + i % 50 + offset:.2f}" for code in ("USDVND_CENTRAL", "INTERBANK_ON_RATE")
            for i, d in enumerate(days)]
    payload = ("indicator_code,area_code,period,value\n" + "\n".join(rows) + "\n").encode()
    sha = hashlib.sha256(payload).hexdigest()

    def values() -> int:
        with served.engine.connect() as conn:
            return conn.execute(text(
                "SELECT count(*) FROM observation o JOIN indicator i ON i.id = o.indicator_id "
                "WHERE i.code IN ('USDVND_CENTRAL', 'INTERBANK_ON_RATE') AND o.period_start < '2015-01-01'")).scalar()

    before = values()
    workers = served.workers()
    answer: list = []
    headers = {"Content-Type": "text/csv", "Authorization": f"Bearer {token}"}
    sender = threading.Thread(target=lambda: answer.append(_http(served.port, "POST", "/api/v1/submissions", payload,
                                                                 headers, timeout=120)), daemon=True)
    sender.start()
    victim = None
    deadline = time.monotonic() + 60
    while victim is None and sender.is_alive() and time.monotonic() < deadline:
        victim = writer_pid(served.engine, workers, min_age_ms=100)
        if victim is None:
            time.sleep(0.01)
    assert victim is not None, f"the load finished before it could be killed: {answer}"
    os.kill(victim, signal.SIGKILL)
    sender.join(120)
    assert answer and answer[0][0] == 0  # the client saw the connection drop: nothing acknowledged
    until(lambda: values() == before, timeout=30, what="the killed load's values rolled back", interval=0.2)
    with served.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.submission)
                            .where(schema.submission.c.sha256 == sha)).scalar() == 0
    _wait_replaced(served, victim)
    status, data, _ = _http(served.port, "POST", "/api/v1/submissions", payload, headers, timeout=120)
    assert status == 201, data[:500]
    assert json.loads(data)["counts"]["written"] == len(rows)
    assert values() == before + len(rows)


@pytest.mark.browser
@pytest.mark.postgres
@pytest.mark.fault
def test_res105_stale_marks_in_the_browser(served, chromium):
    """PostgreSQL stopped under a signed-in desk page and a wall: the desk page reloaded during the
    outage still shows its data with "Data may be stale"; the wall keeps its boards and shows its
    lost-connection mark; both marks go when the warehouse is back."""
    from auth.displays import create_display_token

    _, wall_token = create_display_token(served.engine, "resilience wall", days=1)
    base = f"http://127.0.0.1:{served.port}"
    name, value = served.cookie or (None, None)
    if name is None:
        served.analyst_headers()
        name, value = served.cookie
    banner = "#occ-stale-banner"
    context = chromium.new_context(viewport={"width": 1600, "height": 1000})
    wall_context = chromium.new_context(viewport={"width": 1920, "height": 1080})
    try:
        context.add_cookies([{"name": name, "value": value, "url": base}])
        desk = context.new_page()
        desk.goto(base + "/?lang=en")
        desk.wait_for_selector(".kpi-tile", timeout=30000)
        tiles_before = desk.locator("#_pages_content").inner_text()
        assert desk.locator(banner).is_hidden()
        wall = wall_context.new_page()
        wall.goto(base + f"/wall?boards=overview&seconds=600&poll=0.5&token={wall_token}")
        wall.wait_for_function("() => (window.__occWallPolls || 0) >= 2", timeout=30000)
        wall.wait_for_function(
            "() => document.querySelector('.wall-board').innerText.trim().length > 0", timeout=30000)
        board_before = wall.locator(".wall-board").first.inner_text()

        served.cluster.stop()
        try:
            wall.wait_for_function(
                "() => document.querySelector('.wall-status').innerText.includes('Mất kết nối')", timeout=20000)
            assert wall.locator(".wall-board").first.inner_text() == board_before
            desk.reload()  # a desk user reloads while the warehouse is away
            desk.wait_for_selector(".kpi-tile", timeout=30000)
            desk.wait_for_function(f"() => !document.querySelector('{banner}').hidden", timeout=20000)
            assert "Data may be stale" in desk.locator(banner).inner_text()
            assert desk.locator("#_pages_content").inner_text() == tiles_before
            assert wall.locator(banner).is_hidden()  # the wall has its own mark
        finally:
            served.cluster.start()
        _wait_serving(served)
        desk.evaluate("window.occStale.check()")
        desk.wait_for_function(f"() => document.querySelector('{banner}').hidden", timeout=20000)
        wall.wait_for_function("() => document.querySelector('.wall-status').innerText.trim() === ''",
                               timeout=20000)
    finally:
        context.close()
        wall_context.close()
