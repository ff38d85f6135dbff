"""HTTP part of the benchmark: gunicorn (2 workers) serving the boards on 127.0.0.1, real Dash
callback requests captured from the pages in headless Chromium, then replayed.

1. One client at a time: every captured board callback, ``repeats`` times uncached (before each
   request a new data version in which every indicator, the daily items and the submission
   register changed, so no data entry or response is valid; the reference data stay cached, as
   they do whatever is submitted; the warehouse's rollups that were current are carried over to
   the new version, as a submission that changed no value would have refreshed them in its
   transaction: ``engine.bump_all_data``) and cached, in rounds over every callback (a slow moment of
   the machine falls on many callbacks once rather than on one callback's whole sample).
2. ``clients`` concurrent clients for ``seconds`` seconds replaying random captured callbacks,
   with such a bump every 15 s: requests/s, p50/p95/p99, errors.
3. The same clients for as long again, each loading random boards: every callback a board's
   opening made, in the order the browser made them (a board's requests). Boards loaded per
   second is the throughput a reader sees; requests/s alone would favour a product that answers
   a board in many small requests rather than a few larger ones.

As a command, it measures 2 and 3 of another checkout of the product (``--tree``, served with
that checkout's own ``.venv``), so that two versions meet the same warehouse and the same harness:

    DATABASE_URL=postgresql+psycopg2://user@127.0.0.1:5432/bench \
        python -m bench.http_replay --tree /tmp/before --seconds 60 --clients 50 --json before.json

Traffic goes only to 127.0.0.1; every loop is bounded in count and time.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.load import capture
from bench.measure import free_port, percentile
from bench.sessions import bench_session_at

ROOT = Path(__file__).resolve().parent.parent
BOARD_URLS = [
    "/", "/?lang=en", "/sectors", "/sectors?group=G03", "/indicator/GDP_GROWTH", "/indicator/EXPORTS",
    "/indicator/RETAIL_SALES?areas=VN,R1,R2", "/provinces", "/provinces?indicator=RETAIL_SALES&period=202406",
    "/provinces/01", "/daily", "/compliance", "/wall",
]


def _pct(values: list[float], q: float) -> float:
    return round(percentile(values, q), 2)


class Stack:
    """gunicorn (+ Redis when available) for the benchmark, stopped on exit."""

    def __init__(self, database_url: str, workers: int = 2, log: Callable[[str], None] = print,
                 tree: Path | None = None):
        """``tree``: another checkout of the product to serve (with its own ``.venv``); default this one."""
        self.tmp = Path(tempfile.mkdtemp(prefix="occ-http-"))
        self.port = free_port()
        self.procs: list[subprocess.Popen] = []
        env = {k: v for k, v in os.environ.items() if k not in ("CACHE_REDIS_URL", "CACHE_TYPE")}
        env.update({"DATABASE_URL": database_url, "INSTANCE_DIR": str(self.tmp), "SEED_DEMO": "0"})
        redis = shutil.which("redis-server")
        if redis:
            rport = free_port()
            self.procs.append(subprocess.Popen([redis, "--port", str(rport), "--bind", "127.0.0.1", "--save", "",
                                                "--appendonly", "no"], stdout=subprocess.DEVNULL))
            env["CACHE_REDIS_URL"] = f"redis://127.0.0.1:{rport}/0"
            self.cache = "RedisCache"
        else:
            self.cache = "FileSystemCache"
        python = str(tree / ".venv/bin/python") if tree else sys.executable
        gunicorn = [python, "-m", "gunicorn", "app:create_app()", "--workers", str(workers),
                    "--bind", f"127.0.0.1:{self.port}", "--timeout", "60", "--log-level", "warning"]
        self.procs.append(subprocess.Popen(gunicorn, cwd=tree or ROOT, env=env, stdout=open(self.tmp / "gunicorn.log", "w"),
                                           stderr=subprocess.STDOUT))
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(300):
            try:
                with urllib.request.urlopen(self.url + "/api/v1/health", timeout=2) as res:
                    if json.loads(res.read()).get("status") == "ok":
                        break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError("gunicorn did not start: " + (self.tmp / "gunicorn.log").read_text()[-2000:])
        log(f"gunicorn ({workers} workers, {self.cache}) on {self.url}")

    def stop(self) -> None:
        for p in reversed(self.procs):
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


class Client:
    def __init__(self, port: int, cookie: tuple[str, str] | None = None):
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        # signed in, and with the Origin a browser sends (the request guard checks both)
        self.headers = {"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{port}"}
        if cookie:
            self.headers["Cookie"] = f"{cookie[0]}={cookie[1]}"

    def post(self, body: str, path: str = "/_dash-update-component") -> tuple[int, float, int]:
        t0 = time.perf_counter()
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.conn.request("POST", path, body=body, headers=self.headers)
                res = self.conn.getresponse()
                data = res.read()
                if res.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return res.status, (time.perf_counter() - t0) * 1000, len(data)
            except (http.client.HTTPException, OSError):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 2:
                    return 0, (time.perf_counter() - t0) * 1000, 0
        return 0, 0.0, 0


def run_http(database_url: str, *, seconds: int = 60, clients: int = 50, repeats: int = 30,
             log: Callable[[str], None] = print, urls: list[str] | None = None,
             extra_scopes: tuple[str, ...] = ()) -> dict:
    """``urls``: the pages whose callbacks are captured (default :data:`BOARD_URLS`);
    ``extra_scopes``: stamps bumped besides every indicator's before each uncached request (e.g.
    ``directions``)."""
    from sqlalchemy import create_engine

    stack = Stack(database_url, log=log)
    raw = create_engine(database_url, pool_size=1)
    bump = _bumper(raw, extra_scopes)
    cookie = bench_session_at(database_url, "bench.leader", "leader")  # sees every board
    try:
        captured = capture(stack.url, urls or BOARD_URLS, cookie)
        calls = _distinct(captured)
        log(f"captured {len(captured)} callback requests, {len(calls)} distinct")
        client = Client(stack.port, cookie)
        single: dict[str, dict] = {}
        samples = {i: ([], [], [], [0]) for i in range(len(calls))}  # uncached, cached, sizes, errors
        for _ in range(repeats):  # round after round over every callback: a slow second of the
            for i, c in enumerate(calls):  # machine falls on many callbacks once, not on one many times
                unc, cac, sizes, errors = samples[i]
                bump()
                status, ms, size = client.post(c["body"], c["path"])
                errors[0] += not 200 <= status < 300
                unc.append(ms)
                sizes.append(size)
                client.post(c["body"], c["path"])  # the other worker may answer next: warm both
                status, ms, _ = client.post(c["body"], c["path"])
                errors[0] += not 200 <= status < 300
                cac.append(ms)
        for i, c in enumerate(calls):
            unc, cac, sizes, errors = samples[i]
            name = f"{c['board']} -> {c['output'][:60]}"
            single[name] = {"uncached_p50_ms": _pct(unc, .5), "uncached_p95_ms": _pct(unc, .95),
                            "cached_p50_ms": _pct(cac, .5), "cached_p95_ms": _pct(cac, .95),
                            "response_bytes": int(sum(sizes) / len(sizes)), "errors": errors[0]}
            s = single[name]
            log(f"  {name[:80]:80s} uncached {s['uncached_p50_ms']:6.1f}/{s['uncached_p95_ms']:6.1f} ms  "
                f"cached {s['cached_p50_ms']:5.1f}/{s['cached_p95_ms']:5.1f} ms  {s['response_bytes']:,} B")
        concurrent = _concurrent(stack.port, cookie, calls, seconds, clients, bump, log)
        pages = _concurrent(stack.port, cookie, calls, seconds, clients, bump, log, boards=_boards(captured))
    finally:
        raw.dispose()
        stack.stop()
    return {"cache": stack.cache, "workers": 2, "single_client": single, "concurrent": concurrent,
            "concurrent_boards": pages}


def _bumper(raw: Any, extra_scopes: tuple[str, ...] = ()) -> Callable[[], None]:
    """What makes every request uncached: every indicator's stamp and the register move on (and
    ``extra_scopes``'), so no data entry or response is valid."""
    from data_access.engine import bump_all_data, bump_data_version

    def bump() -> None:
        with raw.begin() as conn:
            bump_all_data(conn)
            if extra_scopes:
                bump_data_version(conn, extra_scopes)

    return bump


def _distinct(captured: list[dict]) -> list[dict]:
    """One request per distinct callback (board, output), the first captured."""
    seen: dict[tuple[str, str], dict] = {}
    for c in captured:
        seen.setdefault((c["board"], c["output"]), c)
    return list(seen.values())


def _boards(captured: list[dict]) -> list[list[dict]]:
    """Each board's requests as the browser made them on opening it (capture order, one per
    callback: a callback that answered twice while the board opened counts once)."""
    boards: dict[str, list[dict]] = {}
    seen: set[tuple[str, str]] = set()
    for c in captured:
        if (c["board"], c["output"]) not in seen:
            seen.add((c["board"], c["output"]))
            boards.setdefault(c["board"], []).append(c)
    return list(boards.values())


def _concurrent(port: int, cookie: tuple[str, str], calls: list[dict], seconds: int, clients: int,
                bump: Callable[[], None], log: Callable[[str], None],
                boards: list[list[dict]] | None = None) -> dict:
    """Random captured callbacks, one request at a time per client; with ``boards``, random
    boards instead, each loaded whole (its requests in order), and boards loaded per second."""
    stop_at = time.monotonic() + seconds
    latencies: list[float] = []
    loads: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        client = Client(port, cookie)
        local: list[float] = []
        local_loads: list[float] = []
        seen: Counter = Counter()
        for _ in range(100_000):  # bounded
            if time.monotonic() >= stop_at:
                break
            board = rng.choice(boards) if boards else [rng.choice(calls)]
            took = 0.0
            for call in board:
                status, ms, _ = client.post(call["body"], call["path"])
                local.append(ms)
                took += ms
                seen[status] += 1
            if time.monotonic() < stop_at:  # a load cut by the end does not count
                local_loads.append(took)
        with lock:
            latencies.extend(local)
            loads.extend(local_loads)
            statuses.update(seen)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    while time.monotonic() < stop_at:
        time.sleep(min(15, max(0.0, stop_at - time.monotonic())))
        if time.monotonic() < stop_at:
            bump()
    for t in threads:
        t.join(timeout=60)
    elapsed = time.monotonic() - started
    result = {"clients": clients, "seconds": round(elapsed, 1), "requests": len(latencies),
              "requests_per_s": round(len(latencies) / elapsed, 1),
              "errors": sum(n for code, n in statuses.items() if not 200 <= code < 300),  # 204: Dash's "no update"
              "statuses": {str(code): n for code, n in sorted(statuses.items())},
              "p50_ms": _pct(latencies, .5), "p95_ms": _pct(latencies, .95), "p99_ms": _pct(latencies, .99)}
    if boards:
        result.update(boards=len(boards), boards_loaded=len(loads), boards_per_s=round(len(loads) / elapsed, 1),
                      board_p50_ms=_pct(loads, .5), board_p95_ms=_pct(loads, .95))
    log(f"concurrent{' boards' if boards else ''}: {result}")
    return result


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--tree", type=Path, default=None, help="the checkout to serve (default: this one)")
    parser.add_argument("--seconds", type=int, default=60, help="duration of each concurrent run")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--json", dest="json_path", default=None, help="write the results as JSON here")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL")
    if not url:
        parser.error("DATABASE_URL names the warehouse (PostgreSQL) to serve")
    from sqlalchemy import create_engine

    stack = Stack(url, tree=args.tree)
    raw = create_engine(url, pool_size=1)
    bump = _bumper(raw)
    try:
        cookie = bench_session_at(url, "bench.leader", "leader")
        captured = capture(stack.url, BOARD_URLS, cookie)
        calls = _distinct(captured)
        boards = _boards(captured)
        print(f"captured {len(captured)} callback requests: {len(calls)} distinct, {len(boards)} boards", flush=True)
        result = {"tree": str(args.tree or ROOT), "callbacks": len(calls),
                  "requests_per_board": round(sum(map(len, boards)) / len(boards), 2),
                  "concurrent": _concurrent(stack.port, cookie, calls, args.seconds, args.clients, bump, print),
                  "concurrent_boards": _concurrent(stack.port, cookie, calls, args.seconds, args.clients, bump, print,
                                                   boards=boards)}
    finally:
        raw.dispose()
        stack.stop()
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(result, indent=1))
    errors = result["concurrent"]["errors"] + result["concurrent_boards"]["errors"]
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
