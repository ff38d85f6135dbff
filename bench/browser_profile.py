"""Where a board's first load spends the browser's main thread: a CPU profile (Chrome DevTools
Protocol ``Profiler``, sampled every 200 µs) of one warm load, per script and per function, and
how many Dash components the settled page holds.

    python -m bench.browser_profile --board /sectors [--board /wall] [--cold] [--json PATH]

The app is served by gunicorn on the seeded demo warehouse of ``bench/browser_bench.py`` (built
once under ``--workdir``), signed in as a leader (the wall with a display token), as that
benchmark does. The board is loaded once unmeasured (the server's caches and the browser's
filled), then again in a new tab under the profiler; ``--cold`` profiles the first load of a
fresh context instead. Printed: the settled time, the self time of each script, the functions
with the most self time (name, script, line:column: the bundles are minified, so read the column
in the file), and which callers spend Plotly's ``Drawing.bBox`` (each call forces a layout).
Self times include the profiler's own overhead: read them as shares.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path
from typing import Any

from bench.browser_bench import CHROMIUM, CHROMIUM_ARGS, WATCH, Load, Server, log, prepare

BBOX = ("er.bBox", "Cn.bBox")  # plotly.js 4.1.1 basic, minified: Drawing.bBox

#: How many of Dash's components the page's layout holds once settled (each has its own store
#: subscriber: the renderer's cost grows as components x store updates), and how many DOM elements.
COMPONENTS = """() => { let n = 0;
  const visit = (node) => {
    if (Array.isArray(node)) { node.forEach(visit); return; }
    if (node && typeof node === 'object' && node.namespace && node.props) { n += 1; visit(node.props.children); }
  };
  const layout = window.store && window.store.getState().layout;
  visit(layout && (layout.components || layout));
  return {dash_components: n, dom_elements: document.getElementsByTagName('*').length}; }"""


def summarize(profile: dict, top: int = 25) -> dict[str, Any]:
    """Self time (ms) per script and per function of a CDP profile; bBox's callers."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    parent = {c: n["id"] for n in profile["nodes"] for c in n.get("children", [])}
    self_us: collections.Counter[int] = collections.Counter()
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=False):
        self_us[sample] += delta
    by_script: collections.Counter[str] = collections.Counter()
    by_function: collections.Counter[str] = collections.Counter()
    bbox: collections.Counter[str] = collections.Counter()
    for node_id, us in self_us.items():
        frame = nodes[node_id]["callFrame"]
        script = frame["url"].rsplit("/", 1)[-1].split("?")[0] or frame["functionName"] or "(native)"
        name = frame["functionName"] or "(anonymous)"
        by_script[script] += us
        by_function[f"{name} {script}:{frame.get('lineNumber', -1) + 1}:{frame.get('columnNumber', -1) + 1}"] += us
        if name in BBOX:
            chain, at = [], parent.get(node_id)
            while at is not None and len(chain) < 6:
                caller = nodes[at]["callFrame"]
                chain.append(caller["functionName"] or f"col {caller.get('columnNumber', -1) + 1}")
                at = parent.get(at)
            bbox[" < ".join(chain)] += us
    ms = lambda c: [(k, round(v / 1000, 1)) for k, v in c.most_common(top)]  # noqa: E731
    return {"sampled_ms": round(sum(self_us.values()) / 1000), "scripts": ms(by_script),
            "functions": ms(by_function), "bbox_callers": ms(bbox)}


def profile_board(browser: Any, base: str, board: str, cookie: tuple[str, str], wall_token: str,
                  cold: bool) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    context.add_init_script(WATCH)
    try:
        if board != "/wall":
            context.add_cookies([{"name": cookie[0], "value": cookie[1], "url": base}])
        url = base + (f"/wall?token={wall_token}" if board == "/wall" else board)
        if not cold:
            page = context.new_page()
            Load(context, page).run(url, 1000, 60)
            page.close()
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 200})
        cdp.send("Profiler.start")
        load = Load(context, page).run(url, 1000, 60)
        out = summarize(cdp.send("Profiler.stop")["profile"])
        out.update(board=board, phase="cold" if cold else "warm", settled_s=load["settled_s"], **page.evaluate(COMPONENTS))
        page.close()
        return out
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--board", action="append", required=True, help="a board's path (repeatable)")
    parser.add_argument("--cold", action="store_true", help="profile a fresh context's first load")
    parser.add_argument("--json", dest="json_path", type=Path, default=None)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "occ-browser-bench")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    url, cookie, wall_token, redis = prepare(args.workdir)
    server = Server("gunicorn", url, args.workdir, redis.url if redis else None)
    results = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for board in args.board:
                r = profile_board(browser, server.url, board, cookie, wall_token, args.cold)
                results.append(r)
                print(f"== {board} ({r['phase']}): settled {r['settled_s']} s, {r['sampled_ms']} ms sampled, "
                      f"{r['dash_components']} Dash components, {r['dom_elements']} DOM elements")
                print("   self time by script (ms):", ", ".join(f"{k} {v}" for k, v in r["scripts"][:12]))
                for name, v in r["functions"][:15]:
                    print(f"   {v:8.1f}  {name}")
                if r["bbox_callers"]:
                    print("   Plotly's bBox by caller (ms):", "; ".join(f"{k}: {v}" for k, v in r["bbox_callers"][:5]))
            browser.close()
    finally:
        server.stop()
        if redis is not None:
            redis.stop()
    if args.json_path:
        args.json_path.parent.mkdir(parents=True, exist_ok=True)
        args.json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        log(f"written {args.json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
