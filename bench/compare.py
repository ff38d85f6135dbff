"""Compare benchmark runs of two versions of the code (``bench.run --http --json`` files).

    python -m bench.compare --before a1.json a2.json --after b1.json b2.json [--json out.json]

Each side may hold several runs (alternate them on a quiet machine: this 2-core machine's timings
vary by 10-20 % from run to run); a figure of a side is the median of its runs. Prints, and writes
with ``--json``:

* every data-access function's bound (``bench.run``: uncached p95 <= 25 ms and <= 1.5 x the raw-SQL
  floor + 3 ms, cached p95 <= 2 ms) run by run, after;
* every HTTP callback's single-client uncached and cached p95, before -> after, and the ratio;
* the geometric mean of those ratios (the callbacks' p95 taken together) and the concurrent run's
  p95 (50 clients), before -> after.

Exit status 1 when the callbacks' p95 taken together or the concurrent p95 got slower by more than
``--tolerance`` (default 10 %) or a bound was missed in every run after; 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def _side(paths: list[Path]) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in paths]


def compare(before: list[dict[str, Any]], after: list[dict[str, Any]], tolerance: float = 0.10) -> dict[str, Any]:
    """The comparison as a dict (see the module's docstring); ``ok`` says whether it holds."""
    bounds = {name: [run["functions"][name]["ok"] for run in after] for name in after[0]["functions"]}
    callbacks: dict[str, dict[str, float]] = {}
    for key in before[0]["http"]["single_client"]:
        if not all(key in run["http"]["single_client"] for run in before + after):
            continue
        row: dict[str, float] = {}
        for field in ("uncached_p95_ms", "cached_p95_ms"):
            b = _median([run["http"]["single_client"][key][field] for run in before])
            a = _median([run["http"]["single_client"][key][field] for run in after])
            row[f"before_{field}"], row[f"after_{field}"], row[f"ratio_{field}"] = b, a, round(a / b, 3)
        callbacks[key] = row
    geo = {field: round(statistics.geometric_mean([r[f"ratio_{field}"] for r in callbacks.values()]), 3)
           for field in ("uncached_p95_ms", "cached_p95_ms")}
    conc_before = _median([run["http"]["concurrent"]["p95_ms"] for run in before])
    conc_after = _median([run["http"]["concurrent"]["p95_ms"] for run in after])
    ok = (all(any(runs) for runs in bounds.values()) and geo["uncached_p95_ms"] <= 1 + tolerance
          and geo["cached_p95_ms"] <= 1 + tolerance and conc_after <= conc_before * (1 + tolerance))
    return {"runs_before": len(before), "runs_after": len(after), "bounds_after": bounds,
            "callbacks": callbacks, "geomean_ratio": geo,
            "concurrent_p95_ms": {"before": conc_before, "after": conc_after,
                                  "ratio": round(conc_after / conc_before, 3)},
            "tolerance": tolerance, "ok": ok}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", nargs="+", type=Path, required=True, help="runs of the old code")
    parser.add_argument("--after", nargs="+", type=Path, required=True, help="runs of the new code")
    parser.add_argument("--tolerance", type=float, default=0.10, help="allowed slow-down (0.10 = 10 %%)")
    parser.add_argument("--json", dest="json_path", type=Path, help="write the comparison here")
    args = parser.parse_args(argv)
    result = compare(_side(args.before), _side(args.after), args.tolerance)
    for name, runs in result["bounds_after"].items():
        print(f"{name:22s} bounds after: {' '.join('OK' if ok else 'MISS' for ok in runs)}")
    for key, row in result["callbacks"].items():
        print(f"{row['before_uncached_p95_ms']:7.1f} -> {row['after_uncached_p95_ms']:7.1f} ms "
              f"(x{row['ratio_uncached_p95_ms']:.2f})  cached x{row['ratio_cached_p95_ms']:.2f}  {key[:70]}")
    geo, conc = result["geomean_ratio"], result["concurrent_p95_ms"]
    print(f"callbacks' p95, geometric mean of the ratios: uncached x{geo['uncached_p95_ms']:.3f}, "
          f"cached x{geo['cached_p95_ms']:.3f}")
    print(f"concurrent p95 (50 clients): {conc['before']:.1f} -> {conc['after']:.1f} ms (x{conc['ratio']:.3f})")
    print("OK" if result["ok"] else f"SLOWER than the tolerance ({args.tolerance:.0%}) or a bound missed")
    if args.json_path:
        args.json_path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
