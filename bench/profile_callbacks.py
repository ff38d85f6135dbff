"""Where the time of one board callback goes, end to end, in one process.

    DATABASE_URL=postgresql+psycopg2://user@127.0.0.1:5432/bench [CACHE_REDIS_URL=redis://...] \\
        python -m bench.profile_callbacks --url /provinces --calls 200 [--json PATH]

The warehouse is one built by ``bench/run.py``. The app (``create_app``) serves the page in a
thread on 127.0.0.1 long enough for headless Chromium to load it, signed in as a leader; the
board callback with the largest answer is kept. It is then posted through Flask's test client
(no network): ``--calls`` times uncached (every indicator's stamp bumped before each call, as
``bench/http_replay.py`` does) and ``--calls`` times cached, first timed with
``time.perf_counter`` alone, then again under cProfile, whose cumulative times of the named
sections (sign-in check, guard, Dash's dispatch, cache read, unpickling, JSON writing, ...) are
reported per call. cProfile slows every Python call down, so read its column as shares.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import free_port, percentile  # noqa: E402

#: (label, file suffix, function name): the sections of a request, outermost first.
SECTIONS = (
    ("whole request (test client)", "werkzeug/test.py", "open"),
    ("Flask request (wsgi_app)", "flask/app.py", "wsgi_app"),
    ("before_request hooks", "flask/app.py", "preprocess_request"),
    ("  guard", "auth/guard.py", "guard"),
    ("    sign-in check (session)", "auth/guard.py", "_session_principal"),
    ("      session cache", "auth/sessions.py", "cached_lookup"),
    ("      session row read", "auth/sessions.py", "lookup"),
    ("    callback attribution, role, unit", "auth/guard.py", "_authorize"),
    ("view dispatch (response cache)", "web/responses.py", "dispatch"),
    ("  data version read", "data_access/cache/scopes.py", "current_data_version"),
    ("  stamps", "data_access/cache/scopes.py", "current_stamps"),
    ("  stored answer read", "data_access/cache/scopes.py", "get_current"),
    ("    cache backend get", "data_access/cache/backend.py", "get"),
    ("    unpickling", "~", "<built-in method _pickle.loads>"),
    ("  Dash dispatch (the callback)", "dash/backends/_flask.py", "_dispatch"),
    ("    JSON writing", "web/wire.py", "to_json"),
    ("  storing answer and entries", "data_access/cache/memo.py", "store_pending"),
    ("after_request hooks (headers, CSP)", "flask/app.py", "process_response"),
    ("SQL executed (all)", "sqlalchemy/engine/base.py", "_execute_context"),
    ("connection checkout (ping)", "sqlalchemy/engine/default.py", "_do_ping_w_event"),
    ("ROLLBACK when the connection is returned", "~", "<method 'rollback' of 'psycopg2.extensions.connection' objects>"),
)

#: (label, function name as cProfile names it): round trips counted per call.
ROUND_TRIPS = (
    ("PostgreSQL statements (ping included)", "<method 'execute' of 'psycopg2.extensions.cursor' objects>"),
    ("Redis commands", "execute_command"),
)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def capture_bodies(server, url: str, cookie: tuple[str, str]) -> list[dict]:
    """The callback requests headless Chromium makes loading ``url`` from this very app."""
    from werkzeug.serving import make_server

    from bench.load import capture

    port = free_port()
    httpd = make_server("127.0.0.1", port, server, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        return capture(f"http://127.0.0.1:{port}", [url], cookie, timeout_s=120)
    finally:
        httpd.shutdown()


def _stats(profile: cProfile.Profile, calls: int) -> dict[str, float]:
    table = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    out: dict[str, float] = {}
    for label, suffix, name in SECTIONS:
        total = sum(row[3] for (file, _line, fn), row in table.items()
                    if fn == name and (suffix == "~" or file.endswith(suffix)))
        out[label] = round(total * 1000 / calls, 3)
    for label, name in ROUND_TRIPS:
        count = sum(row[1] for (file, _line, fn), row in table.items()
                    if fn == name and (name.startswith("<") or file.endswith("redis/client.py")))
        out[label] = round(count / calls, 2)
    return out


def measure(post: Callable[[], int], before: Callable[[], None], calls: int) -> dict:
    """``calls`` timed posts (``before`` untimed ahead of each), then the same under cProfile."""
    wall: list[float] = []
    for _ in range(calls):
        before()
        t0 = time.perf_counter()
        status = post()
        wall.append((time.perf_counter() - t0) * 1000)
        assert 200 <= status < 300, status
    profile = cProfile.Profile()
    for _ in range(calls):
        before()
        profile.enable()
        post()
        profile.disable()
    if os.environ.get("PROFILE_TOP"):
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(int(os.environ["PROFILE_TOP"]))
    return {"p50_ms": round(percentile(wall, .5), 3), "p95_ms": round(percentile(wall, .95), 3),
            "profiled_ms_per_call": _stats(profile, calls)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="/provinces", help="the board whose largest callback is profiled")
    parser.add_argument("--calls", type=int, default=200, help="calls per mode")
    parser.add_argument("--json", dest="json_path", default=None, help="write the results as JSON here")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        parser.error("DATABASE_URL must name a PostgreSQL warehouse built by bench/run.py")
    os.environ.setdefault("SEED_DEMO", "0")

    from sqlalchemy import create_engine

    from app import create_app
    from bench.sessions import bench_session_at
    from data_access.engine import bump_all_data
    from settings import Settings

    settings = Settings.from_env()
    server = create_app(settings)
    cookie = bench_session_at(url, "bench.leader", "leader")
    bodies = [c for c in capture_bodies(server, args.url, cookie) if "_pages_content" not in c["output"]]
    if not bodies:
        raise SystemExit(f"no board callback captured from {args.url} (the page did not load in time?)")
    client = server.test_client()
    client.set_cookie(cookie[0], cookie[1], domain="localhost")
    headers = {"Content-Type": "application/json", "Origin": "http://localhost"}
    sizes = {c["output"]: len(client.post(c["path"], data=c["body"], headers=headers).get_data()) for c in bodies}
    chosen = max(bodies, key=lambda c: sizes[c["output"]])
    log(f"{len(bodies)} board callbacks; profiling {chosen['output'][:80]} ({sizes[chosen['output']]:,} B)")
    raw = create_engine(url, pool_size=1)

    def post() -> int:
        return client.post(chosen["path"], data=chosen["body"], headers=headers).status_code

    def bump() -> None:
        with raw.begin() as conn:
            bump_all_data(conn)

    try:
        result = {"url": args.url, "output": chosen["output"], "response_bytes": sizes[chosen["output"]],
                  "cache": server.extensions["occ_cache"].backend, "calls": args.calls,
                  "uncached": measure(post, bump, args.calls)}
        post()
        result["cached"] = measure(post, lambda: None, args.calls)
    finally:
        raw.dispose()
    print(f"{'section':42s} {'uncached':>10s} {'cached':>10s}")
    print(f"{'wall p50 / p95 (no profiler)':42s} {result['uncached']['p50_ms']:5.2f}/{result['uncached']['p95_ms']:<5.2f}"
          f" {result['cached']['p50_ms']:5.2f}/{result['cached']['p95_ms']:.2f}")
    for label, *_ in SECTIONS + ROUND_TRIPS:
        print(f"{label:42s} {result['uncached']['profiled_ms_per_call'][label]:10.3f}"
              f" {result['cached']['profiled_ms_per_call'][label]:10.3f}")
    if args.json_path:
        Path(args.json_path).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json_path).write_text(json.dumps(result, indent=2))
        log(f"wrote {args.json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
