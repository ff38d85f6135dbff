"""Benchmark of a published wide table: a 1,000,000-cell yearbook-shaped CSV read, mapped, validated
and loaded through ``ingest.pipeline.submit`` (not run by the tests).

    DATABASE_URL=postgresql+psycopg2://user@host/db python bench/wide_bench.py --json bench/results/wide.json

The table is one bench indicator (daily, province level, owned by the statistics office ``TK``):
title rows with the unit, a header of the 63 provinces of the former era **by name** (so every
cell goes through the mapping step), and one row per day before 2025-07-01 (periods as rows: the
reverse orientation), with ``..`` here and there for missing values. The mapping step runs as on the
upload page: the file is read and its mapping proposed (``ingest.mappings.propose``: the 63 names
matched to area keys across the eras of its periods), the proposal is confirmed as it is with the
indicator ``BENCH_W_0001`` (the bench indicator's name is nothing a title would say), and the file
is submitted with that mapping as unit ``TK`` (the names replaced by their keys before the
validation). The figures are cells per second for the whole (read + propose + map + validate +
load), with the proposal's own time apart, and the CPU seconds of this process and of a local
PostgreSQL server as in ``bench/ingest_bench.py``, and the floor measured in the same run as there
(``floor_s``: a plain COPY of the rows written into scratch tables with the same indexes and partitions;
``ratio_to_floor``: the total over it).

Target on a 2-core machine: at least 100,000 cells/s in total.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.ingest_bench import (  # noqa: E402
    _server_cpu,
    bench_parser,
    bench_warehouse,
    checkpoint,
    clean,
    ensure_catalogue,
    with_floor,
)
from bench.measure import cpu_seconds  # noqa: E402
from data_access import schema  # noqa: E402
from domain.eras import OLD_ERA_LAST_DAY  # noqa: E402
from ingest.mappings import propose  # noqa: E402
from ingest.pipeline import IntakeLimits, submit  # noqa: E402

PREFIX = "BENCH_W_"


def province_names(engine) -> list[str]:
    """The names of the 63 provinces of the former era."""
    a = schema.area
    with engine.connect() as conn:
        rows = conn.execute(select(a.c.name_vi, a.c.valid_from, a.c.valid_to).where(a.c.level == "province")
                            .order_by(a.c.sort)).all()
    return [r.name_vi for r in rows if (r.valid_from is None) and (r.valid_to is None or r.valid_to >= OLD_ERA_LAST_DAY)]


def build_table(names: list[str], cells: int, seed: int) -> tuple[bytes, int]:
    """The wide CSV and its number of value cells (days × provinces, at least ``cells``)."""
    days = -(-cells // len(names))
    first = OLD_ERA_LAST_DAY - timedelta(days=days - 1)
    rng = np.random.default_rng(seed)
    values = rng.uniform(100.0, 999.0, (days, len(names))).round(2).astype(str)
    values[rng.random((days, len(names))) < 0.001] = ".."
    lines = ['"Biểu thử tải: chỉ tiêu theo ngày và tỉnh, thành phố"', '"Đơn vị tính: đơn vị"',
             "Ngày," + ",".join(f'"{n}"' for n in names)]
    lines += [f"{(first + timedelta(days=d)).isoformat()}," + ",".join(values[d]) for d in range(days)]
    return ("\n".join(lines) + "\n").encode(), days * len(names)


def run(args: argparse.Namespace) -> dict:
    engine, workdir = bench_warehouse(args, "wide")
    code = ensure_catalogue(engine, 1, prefix=PREFIX, levels="nation;province")[0]
    clean(engine, prefix=PREFIX)
    names = province_names(engine)
    payload, cells = build_table(names, args.cells, args.seed)
    limits = IntakeLimits(max_bytes=max(len(payload) + 1, IntakeLimits().max_bytes), max_rows=max(cells, 2_000_000),
                          parse_seconds=600.0)
    checkpoint(engine)
    with engine.connect() as conn:
        backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() if engine.dialect.name == "postgresql" \
            else None
        conn.commit()
        server_before, cpu_before, t = _server_cpu(backend), time.process_time(), time.perf_counter()
        backend_before = backend and cpu_seconds(backend)
        proposal = propose(conn, "TK", payload, "bench-wide.csv", max_rows=limits.max_rows, budget=limits.read_budget())
        conn.rollback()
        unmatched = [p.text for p in proposal.areas if p.target is None]
        if unmatched or len(proposal.areas) != len(names):
            raise SystemExit(f"bench proposal left names unmatched: {unmatched[:5]}")
        mapping = dataclasses.replace(proposal.mapping(), indicator=code)  # the officer's confirmation
        propose_s = time.perf_counter() - t
        report = submit(conn, unit_code="TK", payload=payload, filename="bench-wide.csv", channel="bench",
                        submitted_by="bench", received_at=datetime.now(), archive_dir=workdir / "archive",
                        limits=limits, mapping=mapping)
        total = time.perf_counter() - t
        python_cpu, server_after = time.process_time() - cpu_before, _server_cpu(backend)
        backend_after = backend and cpu_seconds(backend)
    if report.status != "accepted":
        raise SystemExit(f"bench submission was {report.status}: {[e.as_dict() for e in report.errors[:5]]}")
    server_cpu = None if server_before is None or server_after is None else server_after - server_before
    result = {
        "database": engine.dialect.name, "cells": cells, "provinces": len(names), "bytes": len(payload),
        "format": report.format, "written": report.counts["written"], "not_reported": report.counts["not_reported"],
        "mapped_names": len(report.mappings.get("area", {})), "propose_s": round(propose_s, 3),
        "timings": report.timings, "total_s": round(total, 3),
        "cells_per_s": round(cells / total), "python_cpu_s": round(python_cpu, 3),
        "server_cpu_s": None if server_cpu is None else round(server_cpu, 3),
        "backend_cpu_s": round(backend_after - backend_before, 3) if backend_before and backend_after else None,
        "loadavg_1min": os.getloadavg()[0], "date": date.today().isoformat(), "target_cells_per_s": 100_000,
    }
    print(f"{cells:,} cells ({len(names)} provinces by name) in {total:.2f} s: {result['cells_per_s']:,} cells/s "
          f"(propose {propose_s:.2f} s, validate {report.timings.get('validate_s')} s, load {report.timings.get('load_s')} s; "
          f"python CPU {python_cpu:.2f} s, server CPU {result['server_cpu_s']} s, its backend {result['backend_cpu_s']} s)")
    if engine.dialect.name == "postgresql":
        result.update(with_floor(engine, report.submission_id, total))
    if not args.keep:
        clean(engine, prefix=PREFIX)
    engine.dispose()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__)
    parser.add_argument("--cells", type=int, default=1_000_000, help="value cells in the table (default 1,000,000)")
    args = parser.parse_args(argv)
    result = run(args)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
