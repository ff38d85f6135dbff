"""Benchmark of the metadata service: importing a large configuration package.

    DATABASE_URL=postgresql+psycopg2://user@host/db python bench/metadata_bench.py --json out.json

Builds a package of ``--indicators`` (2,000), ``--regimes`` (1,500), ``--units`` (200) and
``--targets`` (20,000) records that passes every rule honestly (weights and ratio parts of the same
periodicity, formulas over earlier indicators, regimes carrying indicators of their frequency,
provincial units on provinces, one target per indicator, area and year), and times, in a warehouse
without configuration (migrated; the geography is loaded by the import as in an empty centre):

1. the import (read the JSON within the intake's limits, validate all, apply all in one transaction:
   records, links, history, audit entry, stamps) — the target: under 30 s on PostgreSQL;
2. a dry run of the same package (validation and diff only: nothing changes);
3. the same import again (idempotent: nothing is written);
4. the export of the whole configuration as canonical JSON.

Not run by the tests. The database must hold no configuration (point ``DATABASE_URL`` at a new one).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from data_access import schema  # noqa: E402
from data_access.engine import make_engine, migrate  # noqa: E402
from domain.metadata import KINDS, key_of  # noqa: E402
from ingest.metadata_files import import_package  # noqa: E402
from ingest.reference import reference_rows  # noqa: E402
from metadata import store  # noqa: E402
from metadata.package import FORMAT, VERSION, document, json_bytes  # noqa: E402
from metadata.service import Actor  # noqa: E402
from settings import Settings  # noqa: E402

PERIODICITIES = ("M", "Q", "Y")
YEARS = range(2016, 2026)


def build_package(n_indicators: int, n_regimes: int, n_units: int, n_targets: int, seed: int = 17) -> dict:
    rng = random.Random(seed)
    provinces = [r["key"] for r in reference_rows("areas.csv") if r["level"] == "province"]
    groups = [{"code": f"G{i:02d}", "name_vi": f"Nhóm {i}", "name_en": f"Group {i}", "sort": i * 10,
               "status": "active"} for i in range(1, 21)]
    units = []
    for i in range(1, n_units + 1):
        provincial = i <= min(len(provinces), n_units // 2)
        units.append({"code": f"U{i:04d}", "name_vi": f"Đơn vị báo cáo {i}", "name_en": f"Reporting unit {i}",
                      "short_vi": f"Đơn vị {i}", "short_en": f"Unit {i}", "kind": "province" if provincial else "ministry",
                      "area": provinces[i - 1] if provincial else "VN", "valid_from": None, "valid_to": None,
                      "status": "active"})
    ministries = [u["code"] for u in units if u["kind"] == "ministry"]
    indicators, by_periodicity = [], {p: [] for p in PERIODICITIES}
    for i in range(1, n_indicators + 1):
        code, p = f"BI{i:05d}", PERIODICITIES[i % 3]
        earlier = by_periodicity[p]
        rule = rng.choice(["sum", "sum", "mean", "last", "none"] + (["weighted", "ratio"] if len(earlier) > 2 else []))
        weight = rng.choice(earlier) if rule == "weighted" else None
        num, den = (rng.sample(earlier, 2) if rule == "ratio" else (None, None))
        formula = f"{earlier[-1]} + {earlier[-2]}" if len(earlier) > 2 and i % 25 == 0 else None
        indicators.append({
            "code": code, "name_vi": f"Chỉ tiêu thử nghiệm {i}", "name_en": f"Benchmark indicator {i}",
            "definition_vi": "Chỉ tiêu sinh ra cho đo hiệu năng.", "definition_en": "Generated for the benchmark.",
            "group": groups[i % len(groups)]["code"], "unit_vi": "đơn vị", "unit_en": "units", "periodicity": p,
            "levels": ["nation", "region", "province"] if i % 2 else ["nation"], "aggregation": rule,
            "weight": weight, "numerator": num, "denominator": den, "formula": formula,
            "direction": rng.choice(["up", "down", "neutral"]), "decimals": 1, "cumulative": False,
            "confidential": i % 97 == 0, "agency": ministries[i % len(ministries)], "headline": None,
            "valid_from": None, "valid_to": None, "status": "active"})
        earlier.append(code)
    regimes = []
    for i in range(1, n_regimes + 1):
        p = PERIODICITIES[i % 3]
        regimes.append({
            "code": f"R{i:05d}", "name_vi": f"Chế độ báo cáo {i}", "name_en": f"Report regime {i}",
            "content_vi": "Các chỉ tiêu thử nghiệm.", "content_en": "Benchmark indicators.", "frequency": p,
            "receiver": ministries[0], "units": sorted(rng.sample([u["code"] for u in units], rng.randint(1, 30))),
            "indicators": sorted(rng.sample(by_periodicity[p], rng.randint(5, 20))), "channel": "API; upload; CLI",
            "cutoff_day": 14, "cutoff_month_offset": 0, "deadline_day": 25, "deadline_month_offset": 0,
            "legal_basis": "Nghị định 09/2019/NĐ-CP", "valid_from": None, "valid_to": None, "status": "active"})
    targets = []
    for n in range(n_targets):
        ind = indicators[n % n_indicators]
        area = "VN" if n // n_indicators < len(YEARS) else provinces[(n // n_indicators) % len(provinces)]
        if area != "VN" and "province" not in ind["levels"]:
            area = "VN"
        year = YEARS[(n // n_indicators) % len(YEARS)] if area == "VN" else 2025
        targets.append({"indicator": ind["code"], "area": area, "year": year, "comparison": "at_least",
                        "value": round(rng.uniform(1, 1000), 2), "value_max": None, "source": "Kế hoạch thử nghiệm",
                        "status": "active"})
    unique = {(t["indicator"], t["area"], t["year"]): t for t in targets}
    return {"format": FORMAT, "version": VERSION, "groups": groups, "units": units, "indicators": indicators,
            "regimes": regimes, "targets": list(unique.values())}


def timed(label: str, fn):
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    wall, spent = time.perf_counter() - started, time.process_time() - cpu
    print(f"{label:<22} {wall:8.2f} s wall, {spent:8.2f} s CPU here", flush=True)
    return result, round(wall, 3), round(spent, 3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--indicators", type=int, default=2000)
    parser.add_argument("--regimes", type=int, default=1500)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--targets", type=int, default=20000)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("DATABASE_URL or --database-url is required")
    engine = make_engine(Settings(database_url=args.database_url, instance_dir=Path("/tmp")))
    migrate(engine)
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(schema.indicator)).scalar():
            raise SystemExit("the warehouse already holds a configuration: point DATABASE_URL at a new database")
    doc = build_package(args.indicators, args.regimes, args.units, args.targets)
    payload = json_bytes(doc)
    counts = {k: len(doc[k]) for k in ("groups", "units", "indicators", "regimes", "targets")}
    print(f"package: {counts}, {len(payload) / 1e6:.1f} MB", flush=True)
    actor = Actor("bench", "admin", None, "cli")
    out: dict = {"database": engine.dialect.name, "counts": counts, "bytes": len(payload)}
    first, out["import_s"], out["import_cpu_s"] = timed("import", lambda: import_package(engine, payload, actor=actor))
    assert first.applied, first.problems[:5]
    dry, out["dry_run_s"], _ = timed("dry run (no change)", lambda: import_package(engine, payload, actor=actor,
                                                                                  dry_run=True))
    again, out["reimport_s"], _ = timed("import again", lambda: import_package(engine, payload, actor=actor))
    assert dry.ok and again.ok and not again.applied and again.diff.empty

    def export() -> bytes:
        with engine.connect() as conn:
            return json_bytes(document(store.read_config(conn)))

    exported, out["export_s"], _ = timed("export", export)
    expected = document({k: {key_of(k, r): r for r in doc[k]} for k in KINDS})
    out["round_trip_identical"] = exported == json_bytes(expected)
    out["target_s"], out["pass"] = 30.0, out["import_s"] < 30.0
    print(f"import under 30 s: {'PASS' if out['pass'] else 'FAIL'}; export identical: {out['round_trip_identical']}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")
    engine.dispose()
    return 0 if out["pass"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
