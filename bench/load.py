# size: the load and fault harness in one runnable file: simulated walls, analysts and units, capture, metrics, report
"""Load and fault runs of the served product: gunicorn (gunicorn.conf.py, >= 2 workers) on a
PostgreSQL warehouse with the Redis cache, driven by simulated wall screens, analysts and reporting
units on 127.0.0.1.

    DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:55440/bench10m \\
        python -m bench.load --minutes 10 --out bench/results/load
    python -m bench.load --minutes 3 --fault pg-stop --pg-data /tmp/relpg/data --out bench/results/pg-stop

Actors (threads of this process; every loop is bounded in count and time, the run stops by itself):

* ``--walls`` wall screens (default 100), each with its own display token
  (``auth.displays.create_display_token``): every ``--wall-seconds`` (30) a GET of
  ``/api/v1/version``; when the version changed, the wall's board callbacks, replayed from one
  capture in headless Chromium with the new version and the wall's own token in its cookie (one after
  another; a browser would send them together).
* ``--analysts`` analysts (20) clicking through the desk pages: a view is the callback sequence one
  page load made in headless Chromium (overview, indicators with different areas and ranges,
  provinces with different indicators, periods and regions, province profiles, sectors by group
  and by ministry, daily brief, compliance, catalogue searches); each analyst replays a random
  view, thinks 2 to 8 s, and goes on.
* ``--units`` reporting units (10) with API tokens (``auth.tokens.create_token``), each POSTing
  a small valid JSON submission every ``--unit-seconds`` (10): ministries send their daily
  national indicators for yesterday, People's Committees the last month's values of provincial
  indicators for their own province; values change on every submission. A 503 is retried with
  the same bytes after ``Retry-After``, a lost connection after 2 s (the intake recognises an
  accepted copy by its sha256), for up to ``--retry-grace`` seconds after the run.

Report (``--out DIR``: ``report.json`` and ``report.md``): requests, errors and p50/p95/p99 per
endpoint class (version poll, wall callbacks, analyst callbacks, submissions), per callback, per
10 s; RSS of every gunicorn worker (``/proc``) every 10 s; submissions sent, acknowledged (201/200)
and stored (counted in the database at the end; every acknowledged submission and its written
values must be there). Acceptance of the plain run: zero errors, zero lost submissions, callback
p95 <= 300 ms and p99 <= 1 s, worker memory growth < 10 % between minute 2 and the end.

Faults (``--fault``; see ``bench/faults.py``), at ``--fault-at`` seconds (default: a third of the
run) for ``--fault-seconds`` (60): ``pg-stop`` stops the PostgreSQL server of ``--pg-data`` (it
must be the server of DATABASE_URL, started by you: never a server others use) and starts it
again; ``redis-stop`` stops the cache; ``kill-worker`` SIGKILLs one gunicorn worker;
``kill-intake`` SIGKILLs the worker that is inside the write transaction of a large submission.
Each prints PASS/FAIL against its stated outcome.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import cpu_seconds, free_port, percentile  # noqa: E402

CALLBACK_PATH = "/_dash-update-component"
CLASSES = ("version", "wall", "analyst", "submission")
THINK_S = (2.0, 8.0)
SAMPLE_EVERY_S = 10.0
MAX_LOOPS = 100_000  # every actor loop is also bounded in count


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def pct(values: list[float], q: float) -> float | None:
    """The ``q`` quantile to 0.1, None without values (null in the summary)."""
    return round(percentile(values, q), 1) if values else None


# --- the stack -------------------------------------------------------------------------------------


class Redis:
    """A private redis-server on 127.0.0.1 that can be stopped and started again on its port."""

    def __init__(self, folder: Path):
        exe = shutil.which("redis-server")
        if not exe:
            raise SystemExit("redis-server is not installed")
        self.exe, self.folder, self.port = exe, folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen([self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(self.folder)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


class Gunicorn:
    """``gunicorn 'app:create_app()'`` with the project's gunicorn.conf.py on 127.0.0.1."""

    def __init__(self, database_url: str, redis_url: str, workers: int, folder: Path, extra_args: list[str]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.log_path = folder / "gunicorn.log"
        env = {k: v for k, v in os.environ.items() if k not in ("CACHE_TYPE", "CACHE_DIR")}
        env.update({"DATABASE_URL": database_url, "CACHE_REDIS_URL": redis_url, "INSTANCE_DIR": str(folder / "instance"),
                    "SEED_DEMO": "0", "WEB_CONCURRENCY": str(workers), "BIND": f"127.0.0.1:{self.port}",
                    "LOG_LEVEL": "warning", "ACCESS_LOG": str(folder / "access.log")})
        cmd = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), *extra_args, "app:create_app()"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/api/v1/version")
                if conn.getresponse().status == 200 and len(self.worker_pids()) >= workers:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not start:\n" + self.log_path.read_text()[-3000:])

    def worker_pids(self) -> list[int]:
        """The master's children, from /proc."""
        try:
            text = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
            return sorted(int(p) for p in text.split())
        except OSError:
            return []

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def postgres_cpu_seconds(database_url: str) -> float | None:
    """CPU time of the local PostgreSQL server of ``database_url`` so far: the postmaster with its
    exited children (cutime, cstime) and its live backends. None when it cannot be read (not
    local, or another user's /proc entries hidden)."""
    port = urllib.parse.urlsplit(database_url.replace("postgresql+psycopg2", "postgresql")).port or 5432
    try:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmd = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if not cmd or not cmd[0].endswith(b"postgres") or str(port).encode() not in cmd:
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            total = sum(int(fields[i]) for i in (11, 12, 13, 14))
            children = Path(f"/proc/{entry.name}/task/{entry.name}/children").read_text().split()
            total += sum(int(f[11]) + int(f[12]) for f in
                         (Path(f"/proc/{c}/stat").read_text().rsplit(")", 1)[1].split() for c in children
                          if Path(f"/proc/{c}/stat").exists()))
            return total / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None
    return None


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


# --- HTTP -------------------------------------------------------------------------------------------


class Client:
    """One keep-alive connection, as a browser tab has. A connection idle longer than the server's
    keep-alive (5 s) is replaced before use, so a closed idle connection is never mistaken for a
    failure; a kept-alive connection the server closes before answering (a recycled or killed
    worker) is retried once on a new one, as browsers do (counted in ``Client.resent``); every
    other connection error is reported (status 0)."""

    IDLE_S = 4.0
    resent = 0  # across all clients of the process
    _lock = threading.Lock()

    def __init__(self, port: int, timeout: float = 120.0):  # Dash's fetch has no timeout: slow is not failed
        self.port, self.timeout = port, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.last_used = 0.0

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, float, bytes, dict]:
        if self.conn is not None and time.monotonic() - self.last_used > self.IDLE_S:
            self.close()
        t0 = time.perf_counter()
        for attempt in (1, 2):
            reused = self.conn is not None
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                self.conn.request(method, path, body=body, headers=headers or {})
                res = self.conn.getresponse()
                data = res.read()
                hdrs = {k.lower(): v for k, v in res.getheaders()}
                if hdrs.get("connection", "").lower() == "close":
                    self.close()
                self.last_used = time.monotonic()
                return res.status, (time.perf_counter() - t0) * 1000, data, hdrs
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                self.close()
                # A kept-alive connection the server closed (a recycled worker) before answering:
                # browsers send the request again on a new connection, once.
                if attempt == 1 and reused and not isinstance(exc, TimeoutError):
                    with Client._lock:
                        Client.resent += 1
                    continue
                return 0, (time.perf_counter() - t0) * 1000, b"", {}
            except (http.client.HTTPException, OSError):
                self.close()
                return 0, (time.perf_counter() - t0) * 1000, b"", {}
        return 0, (time.perf_counter() - t0) * 1000, b"", {}

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None


@dataclass
class Record:
    t: float  # seconds since the start of the run
    cls: str
    label: str
    status: int
    ms: float
    stale: bool = False
    version: int | None = None  # the data_version the response saw (X-OCC-Data-Version)


class Metrics:
    def __init__(self, started: float):
        self.started = started
        self.records: list[Record] = []
        self.lock = threading.Lock()

    def add(self, cls: str, label: str, status: int, ms: float, stale: bool = False,
            hdrs: dict | None = None) -> None:
        seen = (hdrs or {}).get("x-occ-data-version")
        rec = Record(round(time.monotonic() - self.started, 3), cls, label, status, round(ms, 2), stale,
                     int(seen) if seen and seen.isdigit() else None)
        with self.lock:
            self.records.append(rec)

    def snapshot(self) -> list[Record]:
        with self.lock:
            return list(self.records)


# --- capture ------------------------------------------------------------------------------------------


def analyst_urls(engine, rng: random.Random, n: int) -> list[str]:
    """Desk views with varied state: indicators with different areas and ranges, provinces with
    different indicators, periods and regions, profiles, sectors, daily, compliance, search."""
    from sqlalchemy import text

    with engine.connect() as conn:
        inds = conn.execute(text("SELECT code, periodicity, levels FROM indicator WHERE code NOT LIKE 'BENCH%' "
                                 "ORDER BY code")).all()
        provs = [r[0] for r in conn.execute(text("SELECT key FROM area WHERE level = 'province' AND valid_to IS NULL "
                                                 "ORDER BY key")).all()]
        groups = [r[0] for r in conn.execute(text("SELECT code FROM indicator_group ORDER BY code")).all()]
        ministries = [r[0] for r in conn.execute(text(
            "SELECT DISTINCT a.code FROM agency a JOIN indicator i ON i.agency_id = a.id "
            "WHERE a.kind <> 'province' ORDER BY a.code")).all()]
    provincial = [i for i in inds if "province" in (i.levels or "") and i.periodicity in ("M", "Q")]
    today = date.today()
    last_month = (today.replace(day=1) - timedelta(days=1))
    urls = ["/", "/?lang=en", "/daily", "/compliance", "/indicators?q=xuat+khau", "/sectors"]
    for _ in range(max(0, n - len(urls))):
        kind = rng.choice(["indicator", "indicator", "provinces", "provinces", "profile", "sectors"])
        if kind == "indicator":
            ind = rng.choice(inds)
            params: dict[str, str] = {}
            if "province" in (ind.levels or "") and rng.random() < 0.6:
                params["areas"] = ",".join(["VN"] + rng.sample(provs, rng.randint(1, 3)))
            elif rng.random() < 0.4:
                params["areas"] = "VN,R1,R2,R3"
            if ind.periodicity == "M" and rng.random() < 0.5:
                params["start"] = f"{today.year - rng.choice([2, 5, 8])}01"
            urls.append(f"/indicator/{ind.code}" + ("?" + urllib.parse.urlencode(params) if params else ""))
        elif kind == "provinces" and provincial:
            ind = rng.choice(provincial)
            back = rng.randint(1, 30)
            y, m = last_month.year, last_month.month - back
            while m <= 0:
                y, m = y - 1, m + 12
            period = f"{y}{m:02d}" if ind.periodicity == "M" else f"{y}Q{(m - 1) // 3 + 1}"
            params = {"indicator": ind.code, "period": period}
            if rng.random() < 0.3:
                params["region"] = f"R{rng.randint(1, 6)}"
            urls.append("/provinces?" + urllib.parse.urlencode(params))
        elif kind == "profile":
            urls.append(f"/provinces/{rng.choice(provs)}")
        else:
            urls.append("/sectors?" + (f"group={rng.choice(groups)}" if rng.random() < 0.7 or not ministries
                                       else f"agency={rng.choice(ministries)}"))
    return urls


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def capture(base_url: str, urls: list[str], cookie: tuple[str, str] | None = None,
            timeout_s: float = 300) -> list[dict]:
    """Load each URL in headless Chromium (signed in with ``cookie``) and record the Dash callback
    requests it makes: ``{"board": url, "output", "body", "path"}``. Bounded by ``timeout_s``."""
    from playwright.sync_api import sync_playwright

    captured: list[dict] = []
    deadline = time.monotonic() + timeout_s
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                    args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        if cookie:
            context.add_cookies([{"name": cookie[0], "value": cookie[1], "url": base_url}])
        page = context.new_page()

        def on_request(req, board):
            if CALLBACK_PATH in req.url and req.method == "POST":
                body = req.post_data or ""
                try:
                    output = json.loads(body).get("output", "?")
                except ValueError:
                    output = "?"
                captured.append({"board": board, "output": output, "body": body,
                                 "path": CALLBACK_PATH + req.url.split(CALLBACK_PATH, 1)[1]})

        for path in urls:
            if time.monotonic() > deadline:
                break
            handler = lambda req, board=path: on_request(req, board)  # noqa: E731
            page.on("request", handler)
            page.goto(base_url + path)
            try:
                page.wait_for_load_state("networkidle", timeout=20000)
                reveal_deferred(page)
            except Exception:  # noqa: BLE001 - a page that keeps polling (the wall) never idles
                page.wait_for_timeout(3000)
            page.remove_listener("request", handler)
        browser.close()
    return captured


#: True once Dash has no callback waiting, running or being stored (as assets/deferred.js reads it).
DASH_IDLE = """() => {
    const state = window.store && window.store.getState && window.store.getState();
    const queues = (state && state.callbacks) || {};
    return ["requested", "prioritized", "blocked", "executing", "watched", "executed", "stored"]
        .every((q) => !(queues[q] && queues[q].length));
}"""


def reveal_deferred(page: Any, rounds: int = 4) -> None:
    """Open every part of the page below its first screen (components.fast.deferred: its holder
    is a tab stop that opens on focus), as a reader scrolling to the end does, and wait until
    the callbacks they start have answered: a part read only once shown is a callback of its
    board like any other. A wall's boards (waiting for their turn) are left alone."""
    for _ in range(rounds):
        opened = page.evaluate("""() => {
            const held = [...document.querySelectorAll('.deferred-pending:not([data-within])')];
            held.forEach((el) => el.focus());
            return held.length;
        }""")
        if not opened:
            return
        page.wait_for_timeout(100)  # the holders open on the next frame, once Dash is idle
        page.wait_for_function(DASH_IDLE, timeout=20000)


def capture_views(base_url: str, wall_url: str, urls: list[str],
                  cookie: tuple[str, str]) -> tuple[list[dict], list[list[dict]]]:
    """(wall board callbacks, analyst views) from page loads in headless Chromium: the wall with
    its display token, the desk pages signed in as an analyst."""
    wall = [c for c in capture(base_url, [wall_url]) if '"wall-version"' in c["body"]]
    seen: dict[str, dict] = {}
    for c in wall:  # one request per board callback
        seen.setdefault(c["output"], c)
    wall = list(seen.values())
    views: dict[str, list[dict]] = defaultdict(list)
    for c in capture(base_url, urls, cookie):
        views[c["board"]].append(c)
    return wall, [v for v in views.values() if v]


def wall_body(template: dict, version: dict) -> bytes:
    """The board callback as this wall's browser sends it: its own version object (its token
    travels in its cookie)."""
    body = json.loads(json.dumps(template))
    for item in body.get("inputs", []):
        if item.get("id") == "wall-version":
            item["value"] = version
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def short_output(output: str) -> str:
    if output.startswith("{"):
        try:
            return "wall-board:" + json.loads(output[: output.rindex("}") + 1]).get("name", "?")
        except ValueError:
            return output[:60]
    return output.strip(".").split(".")[0][:60]


# --- reporting units ------------------------------------------------------------------------------------


@dataclass
class UnitPlan:
    code: str
    rows: list[tuple[str, str, str, float, int]]  # indicator, area code, period, base value, decimals
    token: str = ""
    token_id: int = 0


def unit_plans(engine, n: int, rng: random.Random) -> list[UnitPlan]:
    """Units and what each may validly send: ministries their daily national indicators for
    yesterday, People's Committees last month's values of provincial indicators for their own
    province (monthly, ``sum`` or ``mean`` rule, not confidential); never a derived indicator (its
    values are computed from its formula and refused at intake) nor one not active."""
    from sqlalchemy import text

    yesterday = (date.today() - timedelta(days=1)).isoformat()
    last_month = date.today().replace(day=1) - timedelta(days=1)
    month = f"{last_month.year}{last_month.month:02d}"
    with engine.connect() as conn:
        daily = conn.execute(text(
            "SELECT a.code AS unit, i.code, i.decimals, i.id FROM indicator i JOIN agency a ON a.id = i.agency_id "
            "WHERE i.periodicity = 'D' AND i.levels LIKE '%nation%' AND NOT i.confidential "
            "AND i.formula IS NULL AND i.status = 'active' "
            "ORDER BY a.code, i.code")).all()
        monthly = conn.execute(text(
            "SELECT code, decimals, id FROM indicator WHERE periodicity = 'M' AND levels LIKE '%province%' "
            "AND aggregation IN ('sum', 'mean') AND NOT confidential AND code NOT LIKE 'BENCH%' "
            "AND formula IS NULL AND status = 'active' ORDER BY code")).all()
        pcs = conn.execute(text(
            "SELECT g.code AS unit, ar.code AS area_code, ar.id AS area_id FROM agency g JOIN area ar ON ar.id = g.area_id "
            "WHERE g.kind = 'province' AND g.valid_to IS NULL AND ar.valid_to IS NULL ORDER BY g.code")).all()
        vn = conn.execute(text("SELECT id FROM area WHERE key = 'VN'")).scalar()

        def base(ind_id: int, area_id: int) -> float:
            v = conn.execute(text("SELECT value FROM current_observation WHERE indicator_id = :i AND area_id = :a "
                                  "ORDER BY period_start DESC LIMIT 1"), {"i": ind_id, "a": area_id}).scalar()
            return float(v) if v is not None else 100.0

        by_unit: dict[str, list] = defaultdict(list)
        for r in daily:
            if len(by_unit[r.unit]) < 3:
                by_unit[r.unit].append((r.code, "VN", yesterday, base(r.id, vn), int(r.decimals or 0)))
        ministries = [UnitPlan(u, rows) for u, rows in by_unit.items()]
        provinces = []
        for pc in rng.sample(list(pcs), min(len(pcs), max(0, n))):
            chosen = rng.sample(list(monthly), min(3, len(monthly)))
            provinces.append(UnitPlan(pc.unit, [(m.code, pc.area_code, month, base(m.id, pc.area_id),
                                                 int(m.decimals or 0)) for m in chosen]))
    plans: list[UnitPlan] = []
    for i in range(n):  # alternate ministries and provinces
        pool = ministries if (i % 2 == 0 and ministries) or not provinces else provinces
        if not pool:
            break
        plans.append(pool.pop(0))
    return plans


RUN_ID = secrets.token_hex(4)  # in every submission's notes: no run resends another run's bytes


def unit_payload(plan: UnitPlan, seq: int, rng: random.Random) -> bytes:
    """The unit's values, changed a little on every submission (``seq``)."""
    rows = []
    for code, area, period, base, decimals in plan.rows:
        value = round(base * (1 + rng.uniform(-0.02, 0.02)) + seq * 10 ** -max(decimals, 0), max(decimals, 0))
        rows.append({"indicator_code": code, "area_code": area, "period": period, "value": value,
                     "note": f"bench.load {RUN_ID} #{seq}"})
    return json.dumps({"observations": rows}, separators=(",", ":")).encode()


@dataclass
class SubmissionLog:
    sent: int = 0  # distinct payloads
    attempts: int = 0
    acknowledged: dict[str, int] = field(default_factory=dict)  # sha256 -> submission id
    written: dict[int, int] = field(default_factory=dict)  # submission id (201) -> values written
    retried_503: int = 0
    retry_after_seen: set[str] = field(default_factory=set)
    connection_errors: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)  # 4xx/5xx other than 503
    abandoned: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


# --- the run ---------------------------------------------------------------------------------------------


class Run:
    def __init__(self, args, engine, gunicorn: Gunicorn, redis: Redis, wall_templates: list[dict],
                 views: list[list[dict]], plans: list[UnitPlan], wall_tokens: list[str],
                 sessions: list[tuple[str, str]], fault=None):
        self.args, self.engine, self.gunicorn, self.redis = args, engine, gunicorn, redis
        self.sessions = sessions
        self.origin = gunicorn.url  # browsers send Origin with every POST; the guard checks it
        self.wall_templates, self.views, self.plans, self.wall_tokens = wall_templates, views, plans, wall_tokens
        self.fault = fault
        self.duration = args.minutes * 60
        self.started = time.monotonic()
        self.stop_at = self.started + self.duration
        self.metrics = Metrics(self.started)
        self.subs = SubmissionLog()
        self.memory: list[dict] = []
        self.recycled: set[int] = set()
        self.worker_cpu_s = 0.0  # CPU seconds the gunicorn workers used during the run

    # walls ----------------------------------------------------------------------------------------------
    def wall(self, index: int) -> None:
        rng = random.Random(self.args.seed * 1000 + index)
        client = Client(self.gunicorn.port)
        token = self.wall_tokens[index % len(self.wall_tokens)]
        period = self.args.wall_seconds
        next_at = self.started + rng.uniform(0, period)
        seen = None
        for _ in range(MAX_LOOPS):
            if not self._sleep_until(next_at):
                break
            next_at += period
            status, ms, data, hdrs = client.request("GET", "/api/v1/version", headers={"Cache-Control": "no-store"})
            self.metrics.add("version", "/api/v1/version", status, ms)
            if status != 200:
                continue  # the wall shows "connection lost" and keeps its boards
            try:
                version = json.loads(data)
            except ValueError:
                continue
            if seen is not None and version.get("data_version") == seen:
                continue
            seen = version.get("data_version")
            for tpl in self.wall_templates:
                if time.monotonic() >= self.stop_at:
                    break
                body = wall_body(tpl["json"], version)
                status, ms, _, hdrs = client.request("POST", tpl["path"], body,
                                                     {"Content-Type": "application/json", "Origin": self.origin,
                                                      "Cookie": f"occ_display={token}"})
                self.metrics.add("wall", tpl["label"], status, ms, stale=bool(hdrs.get("x-occ-stale")), hdrs=hdrs)
        client.close()

    # analysts -------------------------------------------------------------------------------------------
    def analyst(self, index: int) -> None:
        rng = random.Random(self.args.seed * 7919 + index)
        client = Client(self.gunicorn.port)
        name, value = self.sessions[index % len(self.sessions)]
        headers = {"Content-Type": "application/json", "Origin": self.origin, "Cookie": f"{name}={value}"}
        if not self._sleep_until(self.started + rng.uniform(0, THINK_S[1])):
            return
        for _ in range(MAX_LOOPS):
            if time.monotonic() >= self.stop_at:
                break
            for call in rng.choice(self.views):
                if time.monotonic() >= self.stop_at:
                    break
                status, ms, _, hdrs = client.request("POST", call["path"], call["bytes"], headers)
                self.metrics.add("analyst", call["label"], status, ms, stale=bool(hdrs.get("x-occ-stale")),
                                 hdrs=hdrs)
            if not self._sleep_until(time.monotonic() + rng.uniform(*THINK_S)):
                break
        client.close()

    # reporting units ------------------------------------------------------------------------------------
    def unit(self, index: int) -> None:
        plan = self.plans[index]
        rng = random.Random(f"{self.args.seed}-{index}-{time.time_ns()}")  # new values on every run
        client = Client(self.gunicorn.port, timeout=60)
        period = self.args.unit_seconds
        next_at = self.started + rng.uniform(0, period)
        hard_stop = self.stop_at + self.args.retry_grace
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {plan.token}"}
        for seq in range(1, MAX_LOOPS):
            if not self._sleep_until(next_at):
                break
            next_at = max(next_at + period, time.monotonic())
            payload = unit_payload(plan, seq, rng)
            sha = hashlib.sha256(payload).hexdigest()
            with self.subs.lock:
                self.subs.sent += 1
            for _attempt in range(1000):  # the same bytes until acknowledged (bounded in time too)
                with self.subs.lock:
                    self.subs.attempts += 1
                status, ms, data, hdrs = client.request("POST", "/api/v1/submissions", payload, headers)
                self.metrics.add("submission", plan.code, status, ms)
                if status in (200, 201):
                    try:
                        report = json.loads(data)
                    except ValueError:
                        report = {}
                    with self.subs.lock:
                        self.subs.acknowledged[sha] = int(report.get("submission_id") or 0)
                        if status == 201:
                            self.subs.written[int(report["submission_id"])] = int(
                                (report.get("counts") or {}).get("written", 0))
                    break
                if status == 503 or status == 0:
                    wait = 2.0
                    with self.subs.lock:
                        if status == 503:
                            self.subs.retried_503 += 1
                            if hdrs.get("retry-after"):
                                self.subs.retry_after_seen.add(hdrs["retry-after"])
                        else:
                            self.subs.connection_errors += 1
                    if status == 503:
                        try:
                            wait = min(30.0, float(hdrs.get("retry-after", "10")))
                        except ValueError:
                            wait = 10.0
                    if time.monotonic() + wait > hard_stop:
                        with self.subs.lock:
                            self.subs.abandoned += 1
                        break
                    time.sleep(wait)
                    continue
                with self.subs.lock:
                    self.subs.refused.append((status, data[:300].decode("utf-8", "replace")))
                break
        client.close()

    # memory ----------------------------------------------------------------------------------------------
    def sampler(self) -> None:
        known: set[int] = set()
        cpu_seen: dict[int, float] = {}
        next_at = self.started
        for pid in self.gunicorn.worker_pids():  # the CPU the workers used before the run is not counted
            cpu_seen[pid] = cpu_seconds(pid) or 0.0
        for _ in range(MAX_LOOPS):
            pids = self.gunicorn.worker_pids()
            sample = {"t": round(time.monotonic() - self.started, 1), "workers": {}}
            for pid in pids:
                value = rss_mb(pid)
                if value is not None:
                    sample["workers"][str(pid)] = value
                cpu = cpu_seconds(pid)
                if cpu is not None:
                    self.worker_cpu_s += cpu - cpu_seen.get(pid, 0.0)
                    cpu_seen[pid] = cpu
            sample["worker_cpu_s"] = round(self.worker_cpu_s, 1)
            sample["total_mb"] = round(sum(sample["workers"].values()), 1)
            if known and set(pids) - known:
                self.recycled |= known - set(pids)
            known = set(pids)
            self.memory.append(sample)
            next_at += SAMPLE_EVERY_S
            if not self._sleep_until(next_at):
                break

    def _sleep_until(self, when: float) -> bool:
        """Sleep until ``when``; False when the run ends first."""
        while True:
            now = time.monotonic()
            if now >= self.stop_at:
                return False
            if now >= when:
                return True
            time.sleep(min(1.0, when - now, self.stop_at - now))

    def go(self) -> None:
        threads = [threading.Thread(target=self.wall, args=(i,), daemon=True, name=f"wall-{i}")
                   for i in range(self.args.walls)]
        threads += [threading.Thread(target=self.analyst, args=(i,), daemon=True, name=f"analyst-{i}")
                    for i in range(self.args.analysts)]
        threads += [threading.Thread(target=self.unit, args=(i,), daemon=True, name=f"unit-{i}")
                    for i in range(len(self.plans))]
        threads.append(threading.Thread(target=self.sampler, daemon=True, name="sampler"))
        if self.fault is not None:
            threads.append(threading.Thread(target=self.fault.run, args=(self,), daemon=True, name="fault"))
        for t in threads:
            t.start()
        last = time.monotonic()
        while time.monotonic() < self.stop_at:
            time.sleep(min(5.0, max(0.0, self.stop_at - time.monotonic())))
            if time.monotonic() - last >= 60:
                last = time.monotonic()
                recs = self.metrics.snapshot()
                cb = [r.ms for r in recs if r.cls in ("wall", "analyst")]
                log(f"t={time.monotonic() - self.started:4.0f}s requests={len(recs)} "
                    f"errors={sum(1 for r in recs if not self.ok(r))} callback p95={pct(cb, .95)} ms "
                    f"submissions acked={len(self.subs.acknowledged)}")
        deadline = self.stop_at + self.args.retry_grace + 60
        for t in threads:
            t.join(timeout=max(0.1, deadline - time.monotonic()))

    # judging ----------------------------------------------------------------------------------------------
    def ok(self, r: Record) -> bool:
        """A request that got its normal answer, or a failure the injected fault explains (each
        fault says which: e.g. 503 from the version poll while PostgreSQL is stopped; never a 5xx
        from a callback)."""
        good = {"version": (200,), "wall": (200, 204), "analyst": (200, 204), "submission": (200, 201)}[r.cls]
        return r.status in good or (self.fault is not None and self.fault.excuses(r))


def stored_counts(engine, plans: list[UnitPlan], subs: SubmissionLog, since: datetime) -> dict:
    from sqlalchemy import bindparam, text

    by = [f"token:{p.token_id}" for p in plans]
    acked_ids = sorted({i for i in subs.acknowledged.values() if i})
    written_ids = sorted(subs.written)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM submission WHERE status = 'accepted' AND submitted_by IN :by "
                                   "AND received_at >= :since").bindparams(bindparam("by", expanding=True)),
                              {"by": by, "since": since}).scalar() if by else 0
        found = set()
        if acked_ids:
            found = {r[0] for r in conn.execute(text("SELECT id FROM submission WHERE status = 'accepted' AND id IN :ids")
                                                .bindparams(bindparam("ids", expanding=True)), {"ids": acked_ids})}
        values = 0
        if written_ids:
            values = conn.execute(text("SELECT count(*) FROM observation WHERE submission_id IN :ids AND NOT computed")
                                  .bindparams(bindparam("ids", expanding=True)), {"ids": written_ids}).scalar()
    lost = [i for i in acked_ids if i not in found]
    return {"sent": subs.sent, "attempts": subs.attempts, "acknowledged": len(subs.acknowledged),
            "stored": int(stored), "acknowledged_found": len(found), "lost": lost,
            "values_acknowledged": sum(subs.written.values()), "values_stored": int(values),
            "retried_after_503": subs.retried_503, "retry_after_headers": sorted(subs.retry_after_seen),
            "connection_errors": subs.connection_errors, "refused": subs.refused[:20],
            "abandoned_unacknowledged": subs.abandoned}


def summarize(run: Run, stored: dict) -> dict:
    recs = run.metrics.snapshot()
    classes = {}
    for cls in CLASSES:
        rs = [r for r in recs if r.cls == cls]
        ms = [r.ms for r in rs if r.status != 0]
        classes[cls] = {"requests": len(rs), "errors": sum(1 for r in rs if not run.ok(r)),
                        "status": dict(sorted(Counter(str(r.status) for r in rs).items())),
                        "stale": sum(1 for r in rs if r.stale),
                        "p50_ms": pct(ms, .5), "p95_ms": pct(ms, .95), "p99_ms": pct(ms, .99),
                        "max_ms": round(max(ms), 1) if ms else None}
    by_unit: dict[str, Counter] = defaultdict(Counter)
    for r in recs:
        if r.cls == "submission":
            by_unit[r.label][str(r.status)] += 1
    classes["submission"]["by_unit"] = {u: dict(sorted(c.items())) for u, c in sorted(by_unit.items())}
    cb = [r for r in recs if r.cls in ("wall", "analyst")]
    cb_ms = [r.ms for r in cb if r.status != 0]
    callbacks = {"requests": len(cb), "p50_ms": pct(cb_ms, .5), "p95_ms": pct(cb_ms, .95), "p99_ms": pct(cb_ms, .99)}
    per_label: dict[str, list[float]] = defaultdict(list)
    for r in cb:
        if r.status != 0:
            per_label[f"{r.cls}: {r.label}"].append(r.ms)
    by_callback = {k: {"requests": len(v), "p50_ms": pct(v, .5), "p95_ms": pct(v, .95), "p99_ms": pct(v, .99)}
                   for k, v in sorted(per_label.items(), key=lambda kv: -(pct(kv[1], .95) or 0))}
    timeline = []
    for start in range(0, int(run.duration) + 1, 10):
        rs = [r for r in recs if start <= r.t < start + 10]
        if not rs:
            continue
        cbs = [r.ms for r in rs if r.cls in ("wall", "analyst") and r.status != 0]
        timeline.append({"t": start, "requests": len(rs), "errors": sum(1 for r in rs if not run.ok(r)),
                         "status": dict(sorted(Counter(str(r.status) for r in rs).items())),
                         "stale": sum(1 for r in rs if r.stale), "callback_p95_ms": pct(cbs, .95)})
    memory = memory_summary(run)
    n = len(recs)
    cpu = {"worker_cpu_s": round(run.worker_cpu_s, 1),
           "worker_cpu_share_of_one_core": round(run.worker_cpu_s / run.duration, 2),
           "worker_cpu_ms_per_request": round(1000 * run.worker_cpu_s / n, 1) if n else None,
           "requests_per_s": round(n / run.duration, 1)}
    cpu["requests_resent_on_a_new_connection"] = Client.resent
    return {"classes": classes, "cpu": cpu, "callbacks": callbacks, "by_callback": by_callback, "timeline": timeline,
            "memory": memory, "submissions": stored,
            "errors_total": sum(c["errors"] for c in classes.values()),
            "error_examples": [r.__dict__ for r in recs if not run.ok(r)][:20]}


def memory_summary(run: Run) -> dict:
    samples = run.memory

    def total_near(t: float, width: float = 15) -> float | None:
        vals = [s["total_mb"] for s in samples if abs(s["t"] - t) <= width and s["workers"]]
        return round(sum(vals) / len(vals), 1) if vals else None

    at_2 = total_near(120)
    end_t = samples[-1]["t"] if samples else 0
    at_end = total_near(end_t, 15)
    growth = round(100 * (at_end - at_2) / at_2, 1) if at_2 and at_end and end_t >= 240 else None
    per_pid: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for s in samples:
        for pid, mb in s["workers"].items():
            per_pid[pid].append((s["t"], mb))
    return {"samples": samples, "total_mb_minute_2": at_2, "total_mb_end": at_end, "growth_pct": growth,
            "workers_seen": {pid: {"first_t": v[0][0], "last_t": v[-1][0], "first_mb": v[0][1], "last_mb": v[-1][1],
                                   "max_mb": max(m for _, m in v)} for pid, v in per_pid.items()},
            "workers_replaced": len(run.recycled)}


def acceptance(summary: dict, plain: bool, cluster: bool = False) -> dict:
    """The plain run: zero errors, zero lost submissions, callback p95 <= 300 ms and p99 <= 1 s,
    memory growth < 10 %. A fault run is judged on its stated outcome (zero errors other than the
    ones the fault explains, zero lost submissions, the fault's own checks); latency is reported,
    except on the cluster, whose callback p99 <= 1 s holds through its faults (issue 21; the
    consistency across nodes is added by :func:`main`)."""
    cb = summary["callbacks"]
    sub = summary["submissions"]
    checks = {
        "zero errors": {"value": summary["errors_total"], "limit": 0, "pass": summary["errors_total"] == 0},
        "zero lost submissions": {"value": len(sub["lost"]), "limit": 0,
                                  "pass": not sub["lost"] and sub["values_stored"] == sub["values_acknowledged"]},
    }
    if plain:
        checks["callback p95 <= 300 ms"] = {"value": cb["p95_ms"], "limit": 300, "pass": (cb["p95_ms"] or 0) <= 300}
    if plain or cluster:
        checks["callback p99 <= 1000 ms"] = {"value": cb["p99_ms"], "limit": 1000,
                                             "pass": (cb["p99_ms"] or 0) <= 1000}
    if not plain:
        return checks
    if summary["memory"]["growth_pct"] is not None:  # runs of 4 min and more
        growth = summary["memory"]["growth_pct"]
        checks["worker memory growth < 10 % (minute 2 to end)"] = {
            "value": growth, "limit": 10, "pass": growth is not None and growth < 10}
    return checks


# --- report ---------------------------------------------------------------------------------------------


def write_report(out: Path, result: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    s = result["summary"]
    lines = [f"# Load run {result['started_at']}", "",
             f"- fault: **{result['config']['fault']}**; {result['config']['minutes']} min; "
             f"{result['config']['walls']} walls every {result['config']['wall_seconds']} s, "
             f"{result['config']['analysts']} analysts, {result['stack']['units']} units every "
             f"{result['config']['unit_seconds']} s",
             f"- stack: gunicorn {result['stack']['workers']} workers x {result['stack']['threads']} threads "
             f"(gunicorn.conf.py), {result['stack']['cache']}, PostgreSQL with {result['stack']['observations']:,} "
             f"observations; commit {result['stack']['commit']}",
             f"- captured: {result['stack']['wall_callbacks']} wall board callbacks, {result['stack']['views']} "
             f"analyst views ({result['stack']['analyst_callbacks']} callbacks)",
             f"- machine: {result['stack']['cpus']} CPUs shared by the load generator, gunicorn, PostgreSQL and "
             f"Redis; load average before/after {result['stack']['loadavg_before'][0]}/"
             f"{result['stack']['loadavg_after'][0]}", "",
             "| class | requests | errors | status | stale | p50 ms | p95 ms | p99 ms | max ms |",
             "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
    for cls, c in s["classes"].items():
        lines.append(f"| {cls} | {c['requests']} | {c['errors']} | {json.dumps(c['status'])} | {c['stale']} | "
                     f"{c['p50_ms']} | {c['p95_ms']} | {c['p99_ms']} | {c['max_ms']} |")
    cb = s["callbacks"]
    c = s["cpu"]
    lines += ["", f"Callbacks (wall + analyst): {cb['requests']} requests, p50 {cb['p50_ms']} ms, p95 {cb['p95_ms']} ms, "
              f"p99 {cb['p99_ms']} ms.", "",
              f"Throughput {c['requests_per_s']} requests/s; the gunicorn workers used {c['worker_cpu_s']} CPU s "
              f"({c['worker_cpu_share_of_one_core']} cores on average), {c['worker_cpu_ms_per_request']} CPU ms per "
              f"request; PostgreSQL {c.get('postgres_cpu_s')} CPU s, this load generator "
              f"{c.get('load_generator_cpu_s')} CPU s over {c.get('wall_clock_s')} s. Requests re-sent once on a new "
              f"connection after the server closed a kept-alive one (as browsers do): "
              f"{c['requests_resent_on_a_new_connection']}.", "", "Slowest callbacks (p95):", "",
              "| callback | requests | p50 ms | p95 ms | p99 ms |", "| --- | ---: | ---: | ---: | ---: |"]
    for name, v in list(s["by_callback"].items())[:12]:
        lines.append(f"| {name} | {v['requests']} | {v['p50_ms']} | {v['p95_ms']} | {v['p99_ms']} |")
    sub = s["submissions"]
    m = s["memory"]
    lines += ["", f"Submissions: sent {sub['sent']} (attempts {sub['attempts']}), acknowledged {sub['acknowledged']}, "
              f"stored {sub['stored']}, acknowledged and found {sub['acknowledged_found']}, lost {len(sub['lost'])}; "
              f"values acknowledged {sub['values_acknowledged']}, stored {sub['values_stored']}; retried after 503: "
              f"{sub['retried_after_503']} (Retry-After {', '.join(sub['retry_after_headers']) or '-'}), "
              f"connection errors {sub['connection_errors']}, refused {len(sub['refused'])}, "
              f"abandoned {sub['abandoned_unacknowledged']}.", "",
              f"Worker memory (sum of RSS): {m['total_mb_minute_2']} MB at minute 2, {m['total_mb_end']} MB at the end "
              f"(growth {m['growth_pct']} %); workers replaced during the run: {m['workers_replaced']}.", ""]
    if result.get("fault"):
        f = result["fault"]
        lines += [f"## Fault {f['name']}: {'PASS' if f['pass'] else 'FAIL'}", "", f"Expected: {f['expected']}", ""]
        lines += [f"- {k}: {v}" for k, v in f["observed"].items()]
        lines.append("")
    lines += ["## Acceptance", "", "| check | value | limit | result |", "| --- | ---: | ---: | --- |"]
    for name, c in result["acceptance"].items():
        lines.append(f"| {name} | {c['value']} | {c['limit']} | {'PASS' if c['pass'] else 'FAIL'} |")
    lines += ["", "Per 10 s: t, requests, errors, stale, callback p95 ms", "", "```"]
    for row in s["timeline"]:
        lines.append(f"{row['t']:5d} {row['requests']:6d} {row['errors']:4d} {row['stale']:5d} {row['callback_p95_ms']}")
    lines.append("```")
    (out / "report.md").write_text("\n".join(lines) + "\n")


# --- main -------------------------------------------------------------------------------------------------


def git_commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return head + ("+uncommitted" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "?"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from bench.faults import FAULTS

    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=10, help="length of the run (default 10)")
    p.add_argument("--walls", type=int, default=100, help="wall screens (default 100)")
    p.add_argument("--wall-seconds", type=float, default=30, help="seconds between a wall's version polls (30)")
    p.add_argument("--wall-tokens", type=int, default=0,
                   help="distinct display tokens (default 0: one per wall, as each screen has its own)")
    p.add_argument("--analysts", type=int, default=20, help="analysts clicking through the desk pages (20)")
    p.add_argument("--views", type=int, default=36, help="desk views captured for the analysts (36)")
    p.add_argument("--units", type=int, default=10, help="reporting units (10)")
    p.add_argument("--unit-seconds", type=float, default=10, help="seconds between a unit's submissions (10)")
    p.add_argument("--retry-grace", type=float, default=90,
                   help="seconds after the run during which units still retry unacknowledged submissions (90)")
    p.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")),
                   help="gunicorn workers (default WEB_CONCURRENCY or 2; at least 2)")
    p.add_argument("--gunicorn-arg", action="append", default=[],
                   help="extra gunicorn flag, repeatable (e.g. --gunicorn-arg=--max-requests=0)")
    p.add_argument("--fault", choices=["none", *FAULTS], default="none", help="fault to inject (default none)")
    p.add_argument("--fault-at", type=float, default=None, help="seconds into the run (default: a third of it)")
    p.add_argument("--fault-seconds", type=float, default=60, help="how long the fault lasts (pg-stop, redis-stop)")
    p.add_argument("--pg-data", default=None,
                   help="data directory of YOUR PostgreSQL server of DATABASE_URL (pg-stop only; it is stopped and "
                        "started again)")
    p.add_argument("--pg-bin", default=None, help="PostgreSQL bin directory (default: the newest under /usr/lib/postgresql)")
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                   help="default: $DATABASE_URL (with --cluster: the cluster's primary)")
    p.add_argument("--cluster", action="store_true",
                   help="drive the balancer of scripts/cluster.sh (up; CLUSTER_DIR, CLUSTER_PORT) instead of a "
                        "gunicorn of its own; checks consistency across nodes (bench/cluster_load.py)")
    p.add_argument("--seed", type=int, default=1, help="random seed")
    p.add_argument("--out", default=str(ROOT / "bench" / "results" / "load"), help="report folder")
    args = p.parse_args(argv)
    if args.cluster and not os.environ.get("DATABASE_URL") and args.database_url == "":
        from bench.cluster_load import primary_url

        args.database_url = primary_url()
    if args.fault == "cluster" and not args.cluster:
        p.error("--fault cluster needs --cluster")
    if not args.database_url.startswith("postgresql"):
        p.error("DATABASE_URL (or --database-url) must name a PostgreSQL database")
    host = urllib.parse.urlsplit(args.database_url.replace("postgresql+psycopg2", "postgresql")).hostname
    if host not in ("127.0.0.1", "localhost"):
        p.error("the load runs only against a PostgreSQL server on 127.0.0.1")
    if args.workers < 2:
        p.error("--workers must be at least 2")
    if not (0 < args.minutes <= 60):
        p.error("--minutes must be in (0, 60]")
    if args.fault == "pg-stop" and not args.pg_data:
        p.error("--fault pg-stop needs --pg-data: the data directory of your own PostgreSQL server")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from sqlalchemy import func, select

    from auth.displays import create_display_token, revoke_display_token
    from auth.sessions import end as end_session
    from auth.tokens import create_token, revoke_token
    from bench.faults import make_fault
    from bench.sessions import bench_session
    from data_access import schema
    from data_access.engine import make_engine, migrate
    from settings import Settings

    fault = make_fault(args)  # checks its preconditions before anything starts
    rng = random.Random(args.seed)
    engine = make_engine(Settings(database_url=args.database_url))
    migrate(engine)  # as gunicorn's master would: the sessions below need the newest schema
    if fault is not None and hasattr(fault, "prepare"):
        fault.prepare(engine)
    with engine.connect() as conn:
        observations = conn.execute(select(func.count()).select_from(schema.observation)).scalar()
    log(f"warehouse: {observations:,} observations")
    folder = Path(tempfile.mkdtemp(prefix="occ-load-"))
    plans = unit_plans(engine, args.units, rng)
    for plan in plans:
        plan.token, info = create_token(engine, plan.code, days=1, label="bench.load")
        plan.token_id = info.id
    # analysts sign in: one user and one server-side session each (bench.sessions: a real session row,
    # exactly what the sign-in form creates; no bypass)
    sessions = [bench_session(engine, f"bench.analyst{i:02d}", "analyst") for i in range(max(1, args.analysts))]
    n_tokens = args.wall_tokens or args.walls
    displays = [create_display_token(engine, f"bench.load wall {i}", days=1) for i in range(max(1, n_tokens))]
    wall_tokens = [tok for _, tok in displays]
    redis = gunicorn = run = None
    result: dict = {}
    try:
        if args.cluster:
            from bench.cluster_load import ClusterRedis, ClusterTarget

            gunicorn = ClusterTarget()
            redis = ClusterRedis(gunicorn.redis_url)
        else:
            redis = Redis(folder)
            gunicorn = Gunicorn(args.database_url, redis.url, args.workers, folder, args.gunicorn_arg)
        threads = int(os.environ.get("GUNICORN_THREADS", "4"))
        log(f"gunicorn {args.workers} workers x {threads} threads on {gunicorn.url}, Redis on {redis.url}")
        t0 = time.perf_counter()
        wall_url = f"/wall?token={wall_tokens[0]}&boards=overview,provinces,sector,daily,compliance"
        captured_wall, views = capture_views(gunicorn.url, wall_url, analyst_urls(engine, rng, args.views),
                                             sessions[0])
        templates = [{"json": json.loads(c["body"]), "path": c["path"], "label": short_output(c["output"])}
                     for c in captured_wall]
        for view in views:
            for c in view:
                c["bytes"] = c["body"].encode()
                c["label"] = f"{c['board'].split('?')[0]} {short_output(c['output'])}"
        log(f"captured {len(templates)} wall callbacks and {len(views)} views "
            f"({sum(len(v) for v in views)} callbacks) in {time.perf_counter() - t0:.0f} s")
        if not templates or not views:
            raise SystemExit("capture failed: no wall callbacks or no views")
        since = datetime.now().replace(microsecond=0) - timedelta(seconds=1)
        run = Run(args, engine, gunicorn, redis, templates, views, plans, wall_tokens, sessions, fault)
        log(f"running {args.minutes:g} min: {args.walls} walls, {args.analysts} analysts, {len(plans)} units"
            + (f", fault {args.fault}" if fault else ""))
        load_before = os.getloadavg()
        pg_before, me_before = postgres_cpu_seconds(args.database_url), os.times()
        run.go()
        pg_after, me_after = postgres_cpu_seconds(args.database_url), os.times()
        load_after = os.getloadavg()
        if fault is not None:
            fault.finish(run, engine)
        stored = stored_counts(engine, plans, run.subs, since)
        summary = summarize(run, stored)
        elapsed = me_after.elapsed - me_before.elapsed
        pg_cpu = pg_after - pg_before if pg_before and pg_after else None
        summary["cpu"]["postgres_cpu_s"] = round(pg_cpu, 1) if pg_cpu is not None and pg_cpu >= 0 else None  # restarted
        summary["cpu"]["load_generator_cpu_s"] = round(
            (me_after.user + me_after.system) - (me_before.user + me_before.system), 1)
        summary["cpu"]["wall_clock_s"] = round(elapsed, 1)
        checks = acceptance(summary, plain=fault is None, cluster=args.cluster)
        if args.cluster:  # no node serves older data than any node served before (bench/cluster_load.py)
            from bench.cluster_load import consistency

            summary["consistency"] = consistency(run.metrics.snapshot())
            bad = summary["consistency"]["violations"]
            checks["consistency across nodes"] = {"value": bad, "limit": 0, "pass": bad == 0}
        result = {
            "started_at": datetime.now().isoformat(timespec="seconds"),
            "config": {k: v for k, v in vars(args).items() if k not in ("database_url",)},
            "stack": {"workers": args.workers, "threads": threads, "cache": "RedisCache", "observations": observations,
                      "units": len(plans), "unit_codes": [p.code for p in plans], "commit": git_commit(),
                      "wall_callbacks": len(templates), "views": len(views),
                      "analyst_callbacks": sum(len(v) for v in views), "cpus": os.cpu_count(),
                      "loadavg_before": [round(x, 2) for x in load_before],
                      "loadavg_after": [round(x, 2) for x in load_after]},
            "summary": summary,
            "acceptance": checks,
        }
        if fault is not None:
            result["fault"] = fault.verdict(run, summary)
            result["acceptance"]["fault outcome"] = {"value": "PASS" if result["fault"]["pass"] else "FAIL",
                                                     "limit": "PASS", "pass": result["fault"]["pass"]}
    finally:
        if fault is not None:
            try:
                fault.finish(run, engine)  # nothing left stopped, whatever happened
            except Exception as exc:  # noqa: BLE001
                log(f"fault cleanup failed: {exc}")
        if gunicorn is not None:
            gunicorn.stop()
            Path(args.out).mkdir(parents=True, exist_ok=True)
            shutil.copy(gunicorn.log_path, Path(args.out) / "gunicorn.log")
        if redis is not None:
            redis.stop()
        for plan in plans:
            if plan.token_id:
                try:
                    revoke_token(engine, plan.token_id)
                except Exception:  # noqa: BLE001 - cleanup only
                    pass
        for token_id, _ in displays:
            try:
                revoke_display_token(engine, token_id)
            except Exception:  # noqa: BLE001
                pass
        for _, value in sessions:
            try:
                end_session(engine, value)
            except Exception:  # noqa: BLE001
                pass
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
    if not result:
        return 2
    out = Path(args.out)
    write_report(out, result)
    print((out / "report.md").read_text())
    verdict = all(c["pass"] for c in result["acceptance"].values())
    if fault is not None:
        print(f"{args.fault}: {'PASS' if result['fault']['pass'] else 'FAIL'} — {result['fault']['expected']}")
    print(f"acceptance: {'PASS' if verdict else 'FAIL'}")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
