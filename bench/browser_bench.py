"""What a board's first load costs in a real browser: bytes transferred, requests and the time
until every Dash callback has settled, cold (a fresh browser context: empty HTTP cache) and warm
(a new tab of the primed context), per board, served by gunicorn as in production and by
``python app.py``.

    python -m bench.browser_bench --out bench/results/browser-2026-12-03/after.json

The app runs on a seeded demo warehouse (SQLite, built once under ``--workdir``; gunicorn with a
private Redis when ``redis-server`` is installed, as in production). The browser is Debian's
Chromium (``/usr/bin/chromium``, never a downloaded one) driven by Playwright, signed in with a
real session of a leader (``bench/sessions.py``); the wall opens with a display token.

Bytes are Chromium's own count of what came over the wire (CDP ``Network.loadingFinished``
``encodedDataLength``: headers plus the body as sent, compressed or not); a response served from
the browser's cache counts 0 bytes and is listed under ``cached``. "Settled" is the time from
the navigation's start until Dash's page router has rendered the page, no request is in flight,
no element carries Dash's loading state and the main thread has finished drawing (its last long
task, 50 ms or more, has ended), once the page has stayed so for ``--quiet-ms``. The moment is
read from the page's own clock (the last response's end, the loading state's end, the last long
task's end). ``callbacks_s`` leaves out the drawing (Dash's charts draw after their callback has
answered: a page whose charts come with its layout has no loading state while they draw); it was
the settled time of the results before 2026-12-04's ``strict`` run. The moment the protocol's
events gave is kept as ``settled_cdp_s``.

A part of a board below its first screen is drawn when the reader comes near it
(``components.fast.deferred``): the settled time does not include it. What it costs is measured
beside it: after each settled warm load the page is scrolled to its end, and ``revealed_s`` is the
time until every such part is drawn and the main thread is quiet again.

Beside the boards, the same measures of the floor (``bench/dash_floor.py``): a page of the same
Dash and delivery with nothing of the product on it, and the same with one chart. No board can
settle sooner than that page; the difference is what the board itself costs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.measure import free_port

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
DEMO_UNTIL = date(2026, 11, 26)  # the tests' fixed demo date: the same warehouse on every run
BOARDS = ("/", "/daily", "/sectors", "/provinces", "/provinces/01", "/indicators", "/indicator/CPI_YOY",
          "/compliance", "/wall", "/briefing")
TARGETS = {"cold_bytes": 1_500_000, "cold_settled_s": 1.5, "warm_settled_s": 0.8}
# Still loading: Dash's page router has not rendered the page yet (on a busy machine the renderer's
# scripts may take longer to start than the quiet time), or a component carries its loading state.
LOADING = """() => { const page = document.getElementById('_pages_content');
    return !page || page.children.length === 0 || !!document.querySelector('[data-dash-is-loading="true"]'); }"""


# The page's own clock of the same moment: every response's end (Resource Timing) and the moment
# the loading state last ended (a MutationObserver), in ms from the page's time origin. The events
# of the DevTools protocol that the loop above waits on can reach this process late on a busy
# machine (up to a second was seen: bench/results/browser-2026-12-05/README.md), so the settled
# time is read from the page; the protocol's moment is kept beside it (``settled_cdp_s``).
WATCH = """(() => {
  const loading = () => { const page = document.getElementById('_pages_content');
    return !page || page.children.length === 0 || !!document.querySelector('[data-dash-is-loading="true"]'); };
  const state = window.__occSettle = {loading: true, doneAt: null, taskEnd: 0};
  // the main thread's long tasks (50 ms or more: drawing a chart, a grid): the page is drawn when the last ends
  new PerformanceObserver(l => l.getEntries().forEach(e => { state.taskEnd = Math.max(state.taskEnd, e.startTime + e.duration); }))
    .observe({type: 'longtask', buffered: true});
  const check = () => { const now = loading();
    if (now) { state.loading = true; } else if (state.loading) { state.loading = false; state.doneAt = performance.now(); } };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true,
                                                 attributeFilter: ['data-dash-is-loading']});
})();"""
PAGE_SETTLED = """() => { const s = window.__occSettle || {};
  const ends = performance.getEntriesByType('resource').map(e => e.responseEnd);
  const nav = performance.getEntriesByType('navigation')[0];
  return {done: s.loading ? null : s.doneAt, lastResponse: Math.max(nav ? nav.responseEnd : 0, ...ends),
          lastTask: s.taskEnd || 0, origin: performance.timeOrigin}; }"""


# After a settled warm load: scroll to the page's end and time (page clock) until every part drawn
# when the reader comes near it (components.fast.deferred) is drawn, nothing is loading and the
# main thread is quiet: the later of that moment, the last long task's end and the last response's
# end, read 2.5 s after the scroll. None on a page without such parts (a part `within` a piece,
# such as a wall's board, is drawn at that piece's turn, not by a scroll).
REVEAL = """() => new Promise(resolve => {
  // a part waiting for its piece's turn (a wall's board) waits for no scroll
  const pending = () => !!document.querySelector('.deferred-pending:not([data-within])');
  if (!pending()) { resolve(null); return; }
  const busy = () => pending() || !!document.querySelector('[data-dash-is-loading="true"]');
  const t0 = performance.now();
  let last = t0, doneAt = null;
  const seen = (l) => l.getEntries().forEach(e => {
    if (e.startTime >= t0) { last = Math.max(last, e.entryType === 'resource' ? e.responseEnd : e.startTime + e.duration); } });
  const tasks = new PerformanceObserver(seen), loads = new PerformanceObserver(seen);
  tasks.observe({type: 'longtask'}); loads.observe({type: 'resource'});
  window.scrollTo(0, document.body.scrollHeight);
  const tick = () => { if (!busy()) { doneAt = performance.now(); } else { requestAnimationFrame(tick); } };
  requestAnimationFrame(tick);
  setTimeout(() => { tasks.disconnect(); loads.disconnect();
    resolve(doneAt === null ? -1 : Math.max(last, doneAt) - t0); }, 2500);
})"""


def log(msg: str) -> None:
    print(f"{datetime.now():%H:%M:%S} {msg}", flush=True)


# -- the served app ------------------------------------------------------------------------------


def build_warehouse(workdir: Path) -> str:
    """The seeded demo warehouse (SQLite) under ``workdir``, built once; its URL."""
    from ingest.bootstrap import bootstrap
    from settings import Settings

    db = workdir / "warehouse.sqlite"
    url = f"sqlite:///{db}"
    if not db.exists():
        log("building the demo warehouse (once)")
        os.environ.update({"DATABASE_URL": url, "INSTANCE_DIR": str(workdir / "instance"),
                           "DEMO_UNTIL": DEMO_UNTIL.isoformat(), "SEED_DEMO": "1"})
        bootstrap(Settings.from_env(), echo=log)
    return url


class Server:
    """The app in a process of its own on 127.0.0.1: ``gunicorn`` (gunicorn.conf.py) or ``app``."""

    def __init__(self, kind: str, database_url: str, workdir: Path, redis_url: str | None):
        self.kind, self.port = kind, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        folder = workdir / kind
        folder.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k not in ("CACHE_REDIS_URL", "CACHE_TYPE", "CACHE_DIR")}
        env.update({"DATABASE_URL": database_url, "INSTANCE_DIR": str(folder / "instance"), "SEED_DEMO": "0",
                    "DEMO_UNTIL": DEMO_UNTIL.isoformat(), "PORT": str(self.port), "LOG_LEVEL": "warning",
                    "BIND": f"127.0.0.1:{self.port}", "ACCESS_LOG": str(folder / "access.log")})
        if kind == "floor":
            cmd = [sys.executable, "-m", "bench.dash_floor", "--port", str(self.port)]
        elif kind == "gunicorn":
            env["WEB_CONCURRENCY"] = env.get("WEB_CONCURRENCY", "2")
            if redis_url:
                env["CACHE_REDIS_URL"] = redis_url
            cmd = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "app:create_app()"]
        else:
            cmd = [sys.executable, "app.py"]
        self.log_path = folder / "server.log"
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and self.proc.poll() is None:
            if _healthy(self.url, "/" if kind == "floor" else "/api/v1/health"):
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{kind} did not start:\n" + self.log_path.read_text()[-3000:])

    def stop(self) -> None:
        for signal_it, grace_s in ((self.proc.terminate, 40), (self.proc.kill, 10)):
            if self.proc.poll() is not None:
                return
            signal_it()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=grace_s)


def _healthy(url: str, path: str = "/api/v1/health") -> bool:
    try:
        with urllib.request.urlopen(url + path, timeout=2) as res:
            body = res.read()
            return res.status == 200 if path == "/" else json.loads(body).get("status") == "ok"
    except OSError:
        return False


# -- one page load -------------------------------------------------------------------------------


def _output(body: str | None) -> str | None:
    """The outputs a Dash callback request asks for (its body's ``output``)."""
    if not body:
        return None
    try:
        return str(json.loads(body).get("output", ""))[:90]
    except (ValueError, AttributeError):
        return None


class Load:
    """One navigation of one page, watched through the Chrome DevTools Protocol."""

    def __init__(self, context: Any, page: Any):
        self.page = page
        self.cdp = context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.pending: dict[str, str] = {}  # request id -> url
        self.requests: list[dict] = []
        self.by_id: dict[str, dict] = {}
        self.last_event = time.perf_counter()
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.loadingFailed", self._failed)

    def _sent(self, ev: dict) -> None:
        rid, url = ev["requestId"], ev["request"]["url"]
        if rid in self.by_id:  # a redirect keeps its id: the hop before it is done
            self.by_id[rid]["bytes"] += ev.get("redirectResponse", {}).get("encodedDataLength", 0)
        else:
            entry = {"url": url, "type": ev.get("type", "Other"), "bytes": 0, "cached": False, "status": None,
                     "t0": time.perf_counter(), "ms": None, "output": _output(ev["request"].get("postData"))}
            self.by_id[rid] = entry
            self.requests.append(entry)
        self.pending[rid] = url
        self.last_event = time.perf_counter()

    def _response(self, ev: dict) -> None:
        res, entry = ev["response"], self.by_id.get(ev["requestId"])
        if entry is not None:
            entry["status"] = res.get("status")
            entry["cached"] = bool(res.get("fromDiskCache") or res.get("fromMemoryCache"))
            entry["encoding"] = {k.lower(): v for k, v in res.get("headers", {}).items()}.get("content-encoding")

    def _finished(self, ev: dict) -> None:
        entry = self.by_id.get(ev["requestId"])
        if entry is not None:
            entry["bytes"] += int(ev.get("encodedDataLength", 0))
            entry["ms"] = round((time.perf_counter() - entry["t0"]) * 1000)
        self.pending.pop(ev["requestId"], None)
        self.last_event = time.perf_counter()

    def _failed(self, ev: dict) -> None:
        entry = self.by_id.get(ev["requestId"])
        if entry is not None:
            entry["failed"] = ev.get("errorText", "failed")
        self.pending.pop(ev["requestId"], None)
        self.last_event = time.perf_counter()

    def run(self, url: str, quiet_ms: int, timeout_s: float) -> dict:
        """Navigate and wait until settled: nothing in flight, nothing loading, for ``quiet_ms``."""
        start = time.perf_counter()
        self.wall_start = time.time()  # the page's time origin is on the wall clock
        self.page.goto(url, wait_until="commit", timeout=int(timeout_s * 1000))
        settled_at: float | None = None
        last_loading = start
        while time.perf_counter() < start + timeout_s:
            try:
                loading = bool(self.page.evaluate(LOADING))
            except Exception:  # noqa: BLE001 - the document is being replaced: still loading
                loading = True
            now = time.perf_counter()
            if loading:
                last_loading = now
            if self.pending or loading:
                settled_at = None
            else:
                settled_at = max(self.last_event, last_loading)
                if now - settled_at >= quiet_ms / 1000:
                    break
            self.page.wait_for_timeout(20)
        else:
            settled_at = None
        page_settled = callbacks_settled = None
        if settled_at is not None:
            try:
                mark = self.page.evaluate(PAGE_SETTLED)
            except Exception:  # noqa: BLE001 - no page clock: the protocol's moment only
                mark = None
            if mark and mark.get("done") is not None:
                origin_s = mark["origin"] / 1000 - self.wall_start + start  # the page's origin on our clock
                callbacks_settled = origin_s + max(mark["done"], mark["lastResponse"]) / 1000
                page_settled = origin_s + max(mark["done"], mark["lastResponse"], mark["lastTask"]) / 1000
        self.cdp.detach()
        sent = [r for r in self.requests if not r["url"].startswith("data:")]
        callbacks = [r for r in sent if "/_dash-update-component" in r["url"]]
        by_type: dict[str, int] = {}
        for r in sent:
            by_type[r["type"]] = by_type.get(r["type"], 0) + r["bytes"]
        urls = [r["url"] for r in sent if r["type"] != "Fetch" and r["type"] != "XHR"]
        return {
            "settled_s": round(page_settled - start, 3) if page_settled is not None else None,
            "callbacks_s": round(callbacks_settled - start, 3) if callbacks_settled is not None else None,
            "settled_cdp_s": round(settled_at - start, 3) if settled_at is not None else None,
            "bytes": sum(r["bytes"] for r in sent),
            "requests": len(sent),
            "callbacks": len(callbacks),
            "callback_bytes": sum(r["bytes"] for r in callbacks),
            "cached": sum(1 for r in sent if r["cached"]),
            "bytes_by_type": by_type,
            "duplicate_urls": sorted({u for u in urls if urls.count(u) > 1}),
            "failed": [r["url"] for r in sent if r.get("failed") or (r["status"] or 0) >= 400],
            "uncompressed_over_10k": sorted(r["url"].split("?")[0] for r in sent
                                            if r["bytes"] > 10_000 and not r.get("encoding")),
            "largest_callbacks": [f"{r['bytes']} B {r['ms']} ms {r['output']}"
                                  for r in sorted(callbacks, key=lambda r: -r["bytes"])[:3]],
            "slowest": [f"{r['ms']} ms {r['bytes']} B {r['url'].split('/', 3)[-1][:80]}"
                        for r in sorted(sent, key=lambda r: -(r["ms"] or 0))[:4]],
        }


def measure_board(browser: Any, base: str, board: str, cookie: tuple[str, str] | None, wall_token: str,
                  args: argparse.Namespace) -> dict:
    """Cold: a fresh context (empty cache) loads the board. Warm: a new tab of that context."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    context.add_init_script(WATCH)
    try:
        if cookie and board != "/wall":
            context.add_cookies([{"name": cookie[0], "value": cookie[1], "url": base}])
        path = f"/wall?token={wall_token}" if board == "/wall" else board
        page = context.new_page()
        cold = Load(context, page).run(base + path, args.quiet_ms, args.timeout)
        page.close()
        page = context.new_page()
        warm = Load(context, page).run(base + board, args.quiet_ms, args.timeout)
        if warm["settled_s"] is not None:  # what the parts below the first screen cost once scrolled to
            revealed = page.evaluate(REVEAL)
            warm["revealed_s"] = None if revealed is None else round(revealed / 1000, 3) if revealed >= 0 else "timeout"
        page.close()
        return {"cold": cold, "warm": warm}
    finally:
        context.close()


def summarize(runs: list[dict]) -> dict:
    """The median of each figure over the runs, and every run's settled time."""
    out: dict[str, Any] = {}
    for phase in ("cold", "warm"):
        rows = [r[phase] for r in runs]
        settled = [r["settled_s"] for r in rows if r["settled_s"] is not None]
        out[phase] = {
            "settled_s": round(statistics.median(settled), 3) if settled else None,
            "settled_runs_s": [r["settled_s"] for r in rows],
            "callbacks_s": round(statistics.median(c), 3) if (c := [r["callbacks_s"] for r in rows
                                                                    if r.get("callbacks_s") is not None]) else None,
            "settled_cdp_s": round(statistics.median(c), 3) if (c := [r["settled_cdp_s"] for r in rows
                                                                      if r.get("settled_cdp_s") is not None]) else None,
            "bytes": int(statistics.median(r["bytes"] for r in rows)),
            "requests": int(statistics.median(r["requests"] for r in rows)),
            "callbacks": int(statistics.median(r["callbacks"] for r in rows)),
            "callback_bytes": int(statistics.median(r["callback_bytes"] for r in rows)),
            "cached": int(statistics.median(r["cached"] for r in rows)),
            "bytes_by_type": rows[-1]["bytes_by_type"],
            "duplicate_urls": rows[-1]["duplicate_urls"],
            "failed": rows[-1]["failed"],
            "uncompressed_over_10k": rows[-1]["uncompressed_over_10k"],
            "slowest": rows[-1]["slowest"],
            "largest_callbacks": rows[-1]["largest_callbacks"],
        }
    revealed = [r["warm"].get("revealed_s") for r in runs]
    if any(r is not None for r in revealed):
        out["warm"]["revealed_runs_s"] = revealed
        done = [r for r in revealed if isinstance(r, float)]
        out["warm"]["revealed_s"] = round(statistics.median(done), 3) if done else None
    cold, warm = out["cold"], out["warm"]
    out["met"] = {
        "cold_bytes": cold["bytes"] <= TARGETS["cold_bytes"],
        "cold_settled": cold["settled_s"] is not None and cold["settled_s"] <= TARGETS["cold_settled_s"],
        "warm_settled": warm["settled_s"] is not None and warm["settled_s"] <= TARGETS["warm_settled_s"],
    }
    return out


def run_server(kind: str, url: str, workdir: Path, redis_url: str | None, cookie: tuple[str, str] | None,
               wall_token: str, args: argparse.Namespace, boards_of_run: list[str] | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    log(f"starting {kind}")
    server = Server(kind, url, workdir, redis_url)
    boards: dict[str, Any] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                measured = boards_of_run or args.boards
                for board in measured:  # one unmeasured pass: the server's own caches filled, as in use
                    measure_board(browser, server.url, board, cookie, wall_token, args)
                for board in measured:
                    runs = [measure_board(browser, server.url, board, cookie, wall_token, args)
                            for _ in range(args.runs)]
                    boards[board] = summarize(runs)
                    b = boards[board]
                    log(f"{kind} {board}: cold {b['cold']['bytes'] / 1e6:.2f} MB {b['cold']['settled_s']} s, "
                        f"warm {b['warm']['bytes'] / 1e6:.2f} MB {b['warm']['settled_s']} s"
                        + (f", below the first screen drawn {b['warm']['revealed_s']} s after scrolling"
                           if "revealed_s" in b["warm"] else ""))
            finally:
                browser.close()
    finally:
        server.stop()
    return boards


def prepare(workdir: Path) -> tuple[str, tuple[str, str], str, Any]:
    """The demo warehouse's URL, a leader's session cookie, a wall's display token and a private
    Redis (None without ``redis-server``): what every run of the browser benchmarks starts from."""
    from sqlalchemy import create_engine

    from auth.displays import create_display_token
    from bench.sessions import bench_session_at

    url = build_warehouse(workdir)
    cookie = bench_session_at(url, "bench.browser", "leader")
    engine = create_engine(url)
    _, wall_token = create_display_token(engine, "bench.browser wall", days=1)
    engine.dispose()
    redis = None
    if shutil.which("redis-server"):
        from bench.load import Redis

        redis = Redis(workdir)
    return url, cookie, wall_token, redis


def git_commit() -> str:
    if os.environ.get("BENCH_COMMIT"):  # a run from an exported tree (``git archive``)
        return os.environ["BENCH_COMMIT"]
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        return out.stdout.strip() + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--servers", default="gunicorn,app", help="gunicorn and/or app (python app.py)")
    parser.add_argument("--boards", default=",".join(BOARDS))
    parser.add_argument("--runs", type=int, default=3, help="measured loads per board and phase (median)")
    parser.add_argument("--quiet-ms", type=int, default=1000, help="quiet time that makes a page settled")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a page may take to settle")
    parser.add_argument("--no-floor", dest="floor", action="store_false",
                        help="leave out the floor: the same Dash page with nothing of the product (bench/dash_floor.py)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "occ-browser-bench")
    args = parser.parse_args(argv)
    args.boards = [b for b in args.boards.split(",") if b]
    args.workdir.mkdir(parents=True, exist_ok=True)

    url, cookie, wall_token, redis = prepare(args.workdir)
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    result: dict[str, Any] = {
        "benchmark": "browser first load", "commit": git_commit(), "started": started.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "loadavg_before": [round(x, 2) for x in load_before]},
        "chromium": CHROMIUM, "runs": args.runs, "quiet_ms": args.quiet_ms, "targets": TARGETS, "servers": {},
    }
    try:
        for kind in [s for s in args.servers.split(",") if s]:
            result["servers"][kind] = run_server(kind, url, args.workdir, redis.url if redis else None, cookie,
                                                 wall_token, args)
        if args.floor:
            from bench.dash_floor import PATHS

            result["floor"] = run_server("floor", url, args.workdir, None, None, wall_token, args, list(PATHS))
    finally:
        if redis is not None:
            redis.stop()
    result["machine"]["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    result["seconds"] = round((datetime.now(UTC) - started).total_seconds(), 1)
    result["all_met"] = all(all(b["met"].values()) for boards in result["servers"].values() for b in boards.values())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    log(f"written {args.out} (all targets met: {result['all_met']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
