"""Benchmark of the exports: one chart as PNG with the persistent browser, and 10-chart briefing
packs as PPTX and PDF.

    python bench/export_bench.py                       # the SQLite demo warehouse (instance/)
    DATABASE_URL=postgresql+psycopg2://... python bench/export_bench.py --renders 50 --json out.json

What it measures, in one process with the app's own code (no HTTP; nothing is written to the
warehouse, so the audit log is not touched):

1. the browser's start: the first PNG of the process (Chromium started by kaleido, then kept);
2. one chart as PNG (1920x1080 at scale 2 = 3840x2160 px), ``--renders`` times with the same
   persistent browser: p50, p95 and max of the whole export (the spec's data from the cached
   data-access reads, the figure, the render) and of the render alone;
3. a 10-chart pack (trends, rankings of 34 and 63 provinces, regions, the map, the headline KPI
   set and the daily indicators) as PPTX and as PDF, ``--packs`` times each: charts built and
   rendered (spread over the browser's tabs), the file written.

An empty warehouse is migrated and seeded with the demo data first (about 20 s). Targets on a
2-core machine: at most 1 s per PNG (p95) and 10 s per pack.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PNG_TARGET_S = 1.0
PACK_TARGET_S = 10.0
CHART = {"kind": "trend", "indicator": "EXPORTS", "areas": ["VN"]}
PACK = [
    {"kind": "trend", "indicator": "EXPORTS", "areas": ["VN"]},
    {"kind": "trend", "indicator": "GDP_GROWTH", "areas": ["VN", "R1", "01"]},
    {"kind": "trend", "indicator": "CPI_YOY", "mode": "yoy"},
    {"kind": "ranking", "indicator": "GDP_GROWTH"},
    {"kind": "ranking", "indicator": "EXPORTS", "period": "202406"},
    {"kind": "regional", "indicator": "GDP_GROWTH"},
    {"kind": "map", "indicator": "EXPORTS"},
    {"kind": "map", "indicator": "GDP_GROWTH"},
    {"kind": "kpi_tiles", "area": "VN"},
    {"kind": "daily"},
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(seconds: list[float]) -> dict:
    return {"n": len(seconds), "p50_s": round(statistics.median(seconds), 3), "p95_s": round(percentile(seconds, 0.95), 3),
            "max_s": round(max(seconds), 3), "mean_s": round(statistics.fmean(seconds), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="the warehouse (default: DATABASE_URL, else the SQLite demo warehouse under instance/)")
    parser.add_argument("--renders", type=int, default=20, help="PNG renders of one chart (default 20, at least 20)")
    parser.add_argument("--packs", type=int, default=3, help="10-chart packs of each format (default 3)")
    parser.add_argument("--lang", default="vi", choices=("vi", "en"))
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.renders < 20:
        parser.error("--renders must be at least 20")

    from PIL import Image

    from app import create_app
    from exports import files, packs, specs
    from exports.render import renderer
    from ingest.bootstrap import bootstrap
    from settings import Settings

    settings = Settings.from_env()
    if args.database_url:
        settings = settings.with_(database_url=args.database_url)
    settings = settings.with_(cache_type="SimpleCache")
    bootstrap(settings, echo=print)
    server = create_app(settings)
    r = renderer()
    result: dict = {"database": settings.database_url.split(":", 1)[0], "lang": args.lang, "cpus": os.cpu_count(),
                    "load_average_before": [round(x, 2) for x in os.getloadavg()], "browser_tabs": r.tabs,
                    "chart": CHART, "pack": PACK}
    with server.test_request_context("/"):
        chart = specs.build(CHART, args.lang)
        started = time.perf_counter()
        png = files.image(chart, "png")
        result["first_png_with_browser_start_s"] = round(time.perf_counter() - started, 3)
        result["png_pixels"] = list(Image.open(io.BytesIO(png)).size)

        totals, renders = [], []
        for _ in range(args.renders):
            t0 = time.perf_counter()
            chart = specs.build(CHART, args.lang)
            t1 = time.perf_counter()
            files.image(chart, "png")
            t2 = time.perf_counter()
            totals.append(t2 - t0)
            renders.append(t2 - t1)
        result["png"] = {**summary(totals), "render_only": summary(renders)}

        for fmt in ("pptx", "pdf"):
            times, sizes = [], []
            for _ in range(args.packs):
                t0 = time.perf_counter()
                pack = packs.build_pack("Benchmark · Bộ tài liệu giao ban", PACK, args.lang)
                body = packs.to_pptx(pack) if fmt == "pptx" else packs.to_pdf(pack)
                times.append(time.perf_counter() - t0)
                sizes.append(len(body))
            result[f"pack_{fmt}"] = {**summary(times), "charts": len(PACK), "bytes": sizes[-1]}
    result["browser_starts"] = r.starts
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    result["targets"] = {"png_p95_s": PNG_TARGET_S, "pack_s": PACK_TARGET_S,
                         "png_ok": result["png"]["p95_s"] <= PNG_TARGET_S,
                         "pptx_ok": result["pack_pptx"]["max_s"] <= PACK_TARGET_S,
                         "pdf_ok": result["pack_pdf"]["max_s"] <= PACK_TARGET_S}
    r.close()
    server.extensions["warehouse"].dispose()

    png, pptx, pdf = result["png"], result["pack_pptx"], result["pack_pdf"]
    print(f"{result['cpus']} CPUs, load average {result['load_average_before'][0]} before, "
          f"{result['load_average_after'][0]} after (other work on the machine slows every figure)")
    print(f"browser start + first PNG: {result['first_png_with_browser_start_s']:.2f} s "
          f"({result['png_pixels'][0]}x{result['png_pixels'][1]} px)")
    print(f"PNG of one chart x{png['n']}: p50 {png['p50_s']:.3f} s, p95 {png['p95_s']:.3f} s, max {png['max_s']:.3f} s "
          f"(render alone p50 {png['render_only']['p50_s']:.3f} s)  target <= {PNG_TARGET_S} s: "
          f"{'ok' if result['targets']['png_ok'] else 'MISSED'}")
    for name, fig in (("PPTX", pptx), ("PDF", pdf)):
        ok = result["targets"][f"{name.lower()}_ok"]
        print(f"{fig['charts']}-chart {name} x{fig['n']}: p50 {fig['p50_s']:.2f} s, max {fig['max_s']:.2f} s, "
              f"{fig['bytes'] / 1e6:.1f} MB  target <= {PACK_TARGET_S} s: {'ok' if ok else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2))
        print(f"written {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
