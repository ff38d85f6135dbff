"""The uncached path of the board callbacks, before and after a change, on the same bodies.

    DATABASE_URL=postgresql+psycopg2://user@127.0.0.1:5432/bench CACHE_REDIS_URL=redis://127.0.0.1:6379/0 \\
        python -m bench.uncached capture --bodies /tmp/bodies.json [--url /provinces ...]
    DATABASE_URL=... CACHE_REDIS_URL=... \\
        python -m bench.uncached replay --bodies /tmp/bodies.json --repeats 30 [--http] [--dump DIR] [--json PATH]
    DATABASE_URL=... CACHE_REDIS_URL=redis://127.0.0.1:6379/0 \
        python -m bench.uncached ab --bodies /tmp/bodies.json --base /tmp/before --repeats 30 [--json PATH]

``capture`` loads the boards (default: those of issue 22's whole-board callbacks) in headless
Chromium from this very app, signed in as a leader, and keeps one request per distinct callback
(board, output), so that every later ``replay`` posts the very same bodies. ``replay`` posts each
``--repeats`` times uncached (before each post a new data version in which every indicator, the
daily items and the submission register changed, as ``bench/http_replay.py`` does) through Flask's
test client in this process, or with ``--http`` through gunicorn (2 workers) on 127.0.0.1, as the
side-by-side run does; ``--rounds`` repeats the whole pass (a shared, noisy machine: the per-callback
p50/p95 are taken over every round). ``--dump DIR`` writes each callback's last uncached response,
so that two runs (before and after a change) can be compared byte for byte (``compare``).

``ab`` compares two trees of the product (``--base``, a checkout of the code before a change, and
this one) on a shared, noisy machine: each serves through its own gunicorn (2 workers, Redis
databases 1 and 2 of ``CACHE_REDIS_URL``), and every uncached post goes to both in turn (the order
alternating), so that both meet the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import percentile, write_result  # noqa: E402

#: The boards of issue 22's 16 whole-board callbacks that missed the bound (2026-12-04).
BOARDS = ["/provinces?indicator=RETAIL_SALES&period=202406", "/provinces", "/sectors", "/", "/?lang=en",
          "/indicator/RETAIL_SALES?areas=VN,R1,R2", "/indicator/GDP_GROWTH", "/daily", "/provinces/01",
          "/compliance"]
#: Issue 22's bound: 1/5 of Superset's cold p95 for the shape (series pages, cross-section boards).
SERIES_BOUND_MS, CROSS_SECTION_BOUND_MS = 22.3, 16.4


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def bound_ms(board: str) -> float:
    series = board.startswith("/indicator/") or (board.startswith("/provinces/") and len(board) > len("/provinces/"))
    return SERIES_BOUND_MS if series else CROSS_SECTION_BOUND_MS


def name_of(call: dict) -> str:
    return f"{call['board']} -> {call['output'][:60]}"


def _app():
    os.environ.setdefault("SEED_DEMO", "0")
    from app import create_app
    from settings import Settings

    return create_app(Settings.from_env())


def capture_main(args: argparse.Namespace, url: str) -> int:
    import threading

    from werkzeug.serving import make_server

    from bench.load import capture
    from bench.measure import free_port
    from bench.sessions import bench_session_at

    server = _app()
    cookie = bench_session_at(url, "bench.leader", "leader")
    port = free_port()
    httpd = make_server("127.0.0.1", port, server, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    seen: dict[tuple[str, str], dict] = {}
    try:
        for c in capture(f"http://127.0.0.1:{port}", args.url or BOARDS, cookie, timeout_s=600):
            seen.setdefault((c["board"], c["output"]), c)
    finally:
        httpd.shutdown()
    calls = list(seen.values())
    Path(args.bodies).write_text(json.dumps(calls, indent=1, ensure_ascii=False))
    log(f"{len(calls)} distinct callbacks written to {args.bodies}")
    return 0


def replay_main(args: argparse.Namespace, url: str) -> int:
    from sqlalchemy import create_engine

    from bench.http_replay import _bumper
    from bench.sessions import bench_session_at

    calls = json.loads(Path(args.bodies).read_text())
    if args.only:
        calls = [c for c in calls if any(o in name_of(c) for o in args.only)]
    cookie = bench_session_at(url, "bench.leader", "leader")
    raw = create_engine(url, pool_size=1)
    bump = _bumper(raw)
    stack, trips = None, None
    cpu: dict[str, list[float]] = {name_of(c): [] for c in calls}
    if args.http:
        from bench.http_replay import Client, Stack

        stack = Stack(url, log=log)
        client = Client(stack.port, cookie)

        def post(call: dict) -> tuple[int, float, bytes]:
            status, ms, _size = client.post(call["body"], call["path"])
            return status, ms, b""
    else:
        server = _app()
        test = server.test_client()
        test.set_cookie(cookie[0], cookie[1], domain="localhost")
        headers = {"Content-Type": "application/json", "Origin": "http://localhost"}

        trips = _count_round_trips()

        def post(call: dict) -> tuple[int, float, bytes]:
            t0, c0 = time.perf_counter(), time.process_time()
            res = test.post(call["path"], data=call["body"], headers=headers)
            data = res.get_data()
            cpu[name_of(call)].append((time.process_time() - c0) * 1000)
            return res.status_code, (time.perf_counter() - t0) * 1000, data

    times: dict[str, list[float]] = {name_of(c): [] for c in calls}
    last: dict[str, bytes] = {}
    round_trips: dict[str, dict[str, int]] = {}
    errors = 0
    try:
        for c in calls:  # warm: reference data, imports, the first figure of each kind
            post(c)
            post(c)
        if not args.http:  # the garbage collector as in a gunicorn worker (gunicorn.conf.py)
            from runtime import settle_gc

            settle_gc()
        for r in range(args.rounds):
            for c in calls:
                for _ in range(args.repeats):
                    bump()
                    if trips is not None:
                        trips.clear()
                    status, ms, data = post(c)
                    if trips is not None:
                        round_trips[name_of(c)] = dict(trips)
                    errors += not 200 <= status < 300
                    times[name_of(c)].append(ms)
                    last[name_of(c)] = data
            log(f"round {r + 1}/{args.rounds} done")
        if args.profile:
            _profile(calls, post, bump, args.repeats, args.profile)
    finally:
        raw.dispose()
        if stack is not None:
            stack.stop()
    result = {"mode": "http (gunicorn, 2 workers)" if args.http else "in process (test client)",
              "repeats": args.repeats, "rounds": args.rounds, "errors": errors, "load_after": os.getloadavg(),
              "callbacks": {}}
    for c in calls:
        name = name_of(c)
        ms = times[name]
        entry = result["callbacks"][name] = {"uncached_p50_ms": round(percentile(ms, .5), 2),
                                             "uncached_p95_ms": round(percentile(ms, .95), 2),
                                             "bound_ms": bound_ms(c["board"])}
        if cpu[name]:
            entry["cpu_p50_ms"] = round(percentile(cpu[name], .5), 2)
            entry["round_trips"] = round_trips.get(name, {})
        log(f"  {name[:90]:90s} {percentile(ms, .5):6.1f} / {percentile(ms, .95):6.1f} ms"
            f"  (bound {bound_ms(c['board'])})  cpu p50 {entry.get('cpu_p50_ms', float('nan')):5.1f} ms"
            f"  {entry.get('round_trips', '')}")
    if args.dump and not args.http:
        out = Path(args.dump)
        out.mkdir(parents=True, exist_ok=True)
        (out / "index.json").write_text(json.dumps({name_of(c): f"{i:03d}.json" for i, c in enumerate(calls)},
                                                   indent=1, ensure_ascii=False))
        for i, c in enumerate(calls):
            (out / f"{i:03d}.json").write_bytes(last[name_of(c)])
    write_result(result, args.json_path, log)
    return 1 if errors else 0


def _count_round_trips() -> dict[str, int]:
    """Counts, from now on in this process, the SQL statements and the Redis round trips (a
    pipeline is one); the caller clears the dict before each request."""
    import redis.client
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    counts: dict[str, int] = {}

    def count(kind: str) -> None:
        counts[kind] = counts.get(kind, 0) + 1

    event.listen(Engine, "before_cursor_execute", lambda *_a, **_k: count("sql"))
    command, pipeline = redis.client.Redis.execute_command, redis.client.Pipeline.execute

    def execute_command(self, *args, **kwargs):
        count("redis")
        return command(self, *args, **kwargs)

    def execute(self, *args, **kwargs):
        count("redis")
        return pipeline(self, *args, **kwargs)

    redis.client.Redis.execute_command = execute_command
    redis.client.Pipeline.execute = execute
    return counts


def _profile(calls: list[dict], post, bump, repeats: int, top: int) -> None:
    """``repeats`` more uncached posts of each callback under cProfile: the ``top`` functions by
    cumulative and by own time, per call (cProfile slows every Python call: read them as shares)."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    for c in calls:
        for _ in range(repeats):
            bump()
            profile.enable()
            post(c)
            profile.disable()
    stats = pstats.Stats(profile, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def _gunicorn(tree: Path, url: str, redis_url: str, log_dir: Path):
    """gunicorn (2 workers) serving the product in ``tree`` (its own ``.venv``) on a free port."""
    import subprocess
    import tempfile

    from bench.measure import free_port

    port, instance = free_port(), tempfile.mkdtemp(prefix="occ-ab-")
    env = {k: v for k, v in os.environ.items() if k != "CACHE_TYPE"}
    env.update(DATABASE_URL=url, CACHE_REDIS_URL=redis_url, INSTANCE_DIR=instance, SEED_DEMO="0")
    proc = subprocess.Popen([str(tree / ".venv/bin/python"), "-m", "gunicorn", "app:create_app()", "--workers", "2",
                             "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--log-level", "warning"], cwd=tree,
                            env=env, stdout=open(log_dir / f"gunicorn-{port}.log", "w"), stderr=subprocess.STDOUT)
    return proc, port


def ab_main(args: argparse.Namespace, url: str) -> int:
    import signal
    import tempfile
    import urllib.request

    from sqlalchemy import create_engine

    from bench.http_replay import Client, _bumper
    from bench.sessions import bench_session_at

    redis = os.environ.get("CACHE_REDIS_URL", "")
    if not redis.startswith("redis://"):
        raise SystemExit("ab needs CACHE_REDIS_URL (its databases 1 and 2 are used)")
    calls = json.loads(Path(args.bodies).read_text())
    if args.only:
        calls = [c for c in calls if any(o in name_of(c) for o in args.only)]
    base = redis.rsplit("/", 1)[0] if redis.count("/") > 2 else redis
    logs = Path(tempfile.mkdtemp(prefix="occ-ab-logs-"))
    sides = {"before": Path(args.base).resolve(), "after": ROOT}
    servers = {side: _gunicorn(tree, url, f"{base}/{i + 1}", logs) for i, (side, tree) in enumerate(sides.items())}
    try:
        for side, (_proc, port) in servers.items():
            for _ in range(300):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as res:
                        if json.loads(res.read()).get("status") == "ok":
                            break
                except OSError:
                    time.sleep(0.2)
            else:
                raise SystemExit(f"{side}: gunicorn did not start (logs in {logs})")
        cookie = bench_session_at(url, "bench.leader", "leader")
        clients = {side: Client(port, cookie) for side, (_proc, port) in servers.items()}
        raw = create_engine(url, pool_size=1)
        bump = _bumper(raw)
        for c in calls:  # warm both workers of both
            for client in clients.values():
                for _ in range(4):
                    client.post(c["body"], c["path"])
        times: dict[str, dict[str, list[float]]] = {side: {name_of(c): [] for c in calls} for side in sides}
        for r in range(args.repeats):
            for c in calls:
                for side in (("before", "after") if r % 2 == 0 else ("after", "before")):
                    if not args.cached:
                        bump()
                    status, ms, _ = clients[side].post(c["body"], c["path"])
                    if not 200 <= status < 300:
                        raise SystemExit(f"{side}: {name_of(c)} answered {status}")
                    times[side][name_of(c)].append(ms)
        raw.dispose()
    finally:
        for proc, _port in servers.values():
            proc.send_signal(signal.SIGTERM)
        for proc, _port in servers.values():
            proc.wait(timeout=20)
    result: dict = {"mode": "ab: two gunicorns (2 workers each), posts alternating", "cached": args.cached,
                    "repeats": args.repeats,
                    "load_after": os.getloadavg(), "callbacks": {}}
    print(f"{'callback':72s} {'p50 before':>10s} {'after':>6s} {'p95 before':>10s} {'after':>6s} "
          f"{'min before':>10s} {'after':>6s}")
    for c in calls:
        name, b, a = name_of(c), times["before"][name_of(c)], times["after"][name_of(c)]
        row = result["callbacks"][name] = {
            "bound_ms": bound_ms(c["board"]),
            **{f"{q}_{side}_ms": round(f(ms), 2) for side, ms in (("before", b), ("after", a))
               for q, f in (("p50", lambda v: percentile(v, .5)), ("p95", lambda v: percentile(v, .95)),
                            ("min", min))}}
        print(f"{name[:72]:72s} {row['p50_before_ms']:10.1f} {row['p50_after_ms']:6.1f} {row['p95_before_ms']:10.1f} "
              f"{row['p95_after_ms']:6.1f} {row['min_before_ms']:10.1f} {row['min_after_ms']:6.1f}")
    write_result(result, args.json_path, log)
    return 0


def compare_main(args: argparse.Namespace) -> int:
    """Each callback's response in ``a`` and ``b`` (two ``--dump`` folders): equal as JSON?"""
    a, b = Path(args.a), Path(args.b)
    index = json.loads((a / "index.json").read_text())
    other = json.loads((b / "index.json").read_text())
    differ = 0
    for name, file in index.items():
        if name not in other:
            log(f"only in {a}: {name}")
            continue
        left, right = json.loads((a / file).read_bytes()), json.loads((b / other[name]).read_bytes())
        same = left == right
        differ += not same
        print(f"{'same ' if same else 'DIFF '} {name}")
    print(f"{len(index) - differ} same, {differ} differ")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    cap = sub.add_parser("capture", help="record the callback bodies of the boards")
    cap.add_argument("--bodies", required=True, help="write the bodies here (JSON)")
    cap.add_argument("--url", action="append", default=[], help="a board (repeatable; default: issue 22's)")
    rep = sub.add_parser("replay", help="post the recorded bodies uncached")
    rep.add_argument("--bodies", required=True)
    rep.add_argument("--repeats", type=int, default=30, help="uncached posts per callback and round")
    rep.add_argument("--rounds", type=int, default=1, help="passes over every callback")
    rep.add_argument("--only", action="append", default=[], help="callbacks whose name contains this (repeatable)")
    rep.add_argument("--http", action="store_true", help="through gunicorn (2 workers) instead of the test client")
    rep.add_argument("--profile", type=int, default=0, metavar="N",
                     help="then profile the same posts (cProfile): the N first functions")
    rep.add_argument("--dump", default=None, help="write each callback's last uncached response here")
    rep.add_argument("--json", dest="json_path", default=None, help="write the results as JSON here")
    ab = sub.add_parser("ab", help="the same posts uncached to a tree before a change and this one, in turn")
    ab.add_argument("--bodies", required=True)
    ab.add_argument("--base", required=True, help="the product's tree before the change (with its .venv)")
    ab.add_argument("--repeats", type=int, default=30, help="uncached posts per callback and side")
    ab.add_argument("--only", action="append", default=[], help="callbacks whose name contains this (repeatable)")
    ab.add_argument("--cached", action="store_true", help="no new data version between posts: the cached path")
    ab.add_argument("--json", dest="json_path", default=None, help="write the results as JSON here")
    cmp_ = sub.add_parser("compare", help="compare two --dump folders")
    cmp_.add_argument("a")
    cmp_.add_argument("b")
    args = parser.parse_args(argv)
    if args.command == "compare":
        return compare_main(args)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        parser.error("DATABASE_URL must name a PostgreSQL warehouse built by bench/run.py")
    if args.command == "ab":
        return ab_main(args, url)
    return capture_main(args, url) if args.command == "capture" else replay_main(args, url)


if __name__ == "__main__":
    sys.exit(main())
