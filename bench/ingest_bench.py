"""Benchmark of the intake: one large, valid CSV submission through ``ingest.pipeline.submit``.

    DATABASE_URL=postgresql+psycopg2://user@host/db python bench/ingest_bench.py --rows 1000000 --json out.json

What it does:
1. migrates the warehouse in ``DATABASE_URL`` (or ``--database-url``) and, when empty, loads the
   reference catalogue;
2. adds bench-only daily indicators ``BENCH_D_0001``... (national, owned by the statistics office
   ``TK``) to the catalogue, enough for ``--rows`` values over ``--days`` days, and deletes what
   earlier bench runs wrote for them;
3. builds a CSV of ``--rows`` rows (``indicator_code, area_code, period, value``) that passes every
   check honestly (known codes, the right periodicity, no future day, a responsible unit);
4. submits it as unit ``TK`` and reports rows/s for validation (parse + checks + plausibility
   reads) and load (the write transaction) separately, and in total; with ``--revise``, submits
   it a second time with every value changed (a revision of each row).

From 100,000 rows on PostgreSQL the intake validates in chunks while a second thread loads them
(:mod:`ingest.pipeline`): validation and load then overlap, and their times add up to more than
the total. Wall-clock figures depend on what else the machine runs; the bench also reports the CPU seconds
spent by this process and by a local PostgreSQL server (its processes, from ``/proc``), i.e. the
work the load needs whatever the contention (the steps run one after the other, so on an idle
machine the wall time approaches that CPU time).

The floor, measured in the same run after the first pass (:func:`copy_floor`): a plain ``COPY``
of the rows that pass wrote, in the same order, into empty scratch tables with the columns,
defaults, constraints, indexes and yearly partitions of ``observation`` and ``current_observation``
(binary and text into the partitioned table, and binary with each year's rows straight into its
partition); reported as ``floor_s`` (the fastest) and ``ratio_to_floor`` (the pass's total over it).
Each measured step starts after a ``CHECKPOINT``.

Targets on a 2-core machine: at least 100,000 rows/s in total, and a total within 1.3x the floor.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.measure import cpu_seconds  # noqa: E402
from data_access import schema  # noqa: E402
from data_access.engine import make_engine, migrate  # noqa: E402
from ingest.pipeline import IntakeLimits, submit  # noqa: E402
from ingest.reference import load_reference  # noqa: E402
from settings import Settings  # noqa: E402

PREFIX = "BENCH_D_"
UNIT = "TK"


def ensure_catalogue(engine, n_indicators: int, prefix: str = PREFIX, levels: str = "nation") -> list[str]:
    """Reference data when the warehouse is empty, and the bench indicators (daily, owned by ``TK``,
    at ``levels``); returns their codes."""
    codes = [f"{prefix}{i:04d}" for i in range(1, n_indicators + 1)]
    with engine.begin() as conn:
        if not conn.execute(select(func.count()).select_from(schema.area)).scalar():
            load_reference(conn)
        agency_id = conn.execute(select(schema.agency.c.id).where(schema.agency.c.code == UNIT)).scalar()
        group = conn.execute(select(schema.indicator_group.c.code).order_by(schema.indicator_group.c.sort)).scalar()
        have = set(conn.execute(select(schema.indicator.c.code).where(schema.indicator.c.code.like(prefix + "%")))
                   .scalars())
        missing = [c for c in codes if c not in have]
        if missing:
            conn.execute(schema.indicator.insert(), [
                {"code": c, "name_vi": f"Chỉ tiêu thử tải {c}", "name_en": f"Benchmark indicator {c}",
                 "group_code": group, "unit_vi": "đơn vị", "unit_en": "unit", "periodicity": "D",
                 "agency_id": agency_id, "aggregation": "sum", "direction": "neutral", "levels": levels,
                 "decimals": 2, "confidential": False, "cumulative": False, "definition_vi": "", "definition_en": "",
                 "search_text": c.lower()}
                for c in missing
            ])
    return codes


def clean(engine, prefix: str = PREFIX) -> None:
    """Delete what earlier runs wrote for the bench indicators (then VACUUM on PostgreSQL, so that
    every run starts from the same physical state)."""
    ind = select(schema.indicator.c.id).where(schema.indicator.c.code.like(prefix + "%"))
    with engine.begin() as conn:
        conn.execute(delete(schema.current_observation).where(schema.current_observation.c.indicator_id.in_(ind)))
        conn.execute(delete(schema.observation).where(schema.observation.c.indicator_id.in_(ind)))
        bench_subs = select(schema.submission.c.id).where(schema.submission.c.filename.like("bench-%"))
        conn.execute(delete(schema.submission_period).where(schema.submission_period.c.submission_id.in_(bench_subs)))
        conn.execute(delete(schema.submission).where(schema.submission.c.filename.like("bench-%")))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE observation, current_observation, submission")


def _server_cpu(backend_pid: int | None) -> float | None:
    """CPU seconds of the PostgreSQL server processes (the backend and the postmaster's other
    children: WAL writer, checkpointer, autovacuum), when the server runs on this machine."""
    if backend_pid is None:
        return None
    try:
        postmaster = int(Path(f"/proc/{backend_pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == postmaster:
            total += cpu_seconds(int(entry.name)) or 0.0
    return total


# The columns a load writes (the rest take their defaults: the id from its sequence, computed false).
_OBSERVATION_COLUMNS = ("indicator_id, area_id, period, period_start, value, status, revision, submission_id, "
                        "recorded_at, flag, note")
_CURRENT_COLUMNS = ("indicator_id, area_id, period_start, period, value, status, revision, submission_id, "
                    "recorded_at, flag")
_FLOOR_TABLES = {"observation": "bench_floor_observation", "current_observation": "bench_floor_current"}


def _copy_out(cursor, sql: str) -> io.BytesIO:
    buf = io.BytesIO()
    cursor.copy_expert(sql, buf)
    buf.seek(0)
    return buf


def _floor_tables(cursor, cache: int, years: list[int]) -> None:
    """The scratch tables of the floor, shaped like the warehouse's: ``bench_floor_observation`` with
    the columns, defaults, constraints, keys and indexes of ``observation`` and, when ``years`` are
    given (``observation`` is partitioned), partitioned by year like it (a partition for each of
    ``years`` and a default one); ``bench_floor_current`` like ``current_observation``. The id
    from a sequence of their own with the same cache; no foreign keys (the load checks them once
    per key)."""
    cursor.execute("DROP TABLE IF EXISTS bench_floor_observation, bench_floor_current CASCADE; "
                   "DROP SEQUENCE IF EXISTS bench_floor_observation_id_seq; "
                   f"CREATE SEQUENCE bench_floor_observation_id_seq CACHE {int(cache)}; "
                   "CREATE TABLE bench_floor_current (LIKE current_observation INCLUDING DEFAULTS "
                   "INCLUDING CONSTRAINTS INCLUDING INDEXES)")
    if not years:
        cursor.execute("CREATE TABLE bench_floor_observation (LIKE observation INCLUDING DEFAULTS "
                       "INCLUDING CONSTRAINTS INCLUDING INDEXES)")
    else:
        cursor.execute("CREATE TABLE bench_floor_observation (LIKE observation INCLUDING DEFAULTS "
                       "INCLUDING CONSTRAINTS) PARTITION BY RANGE (period_start)")
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'observation'::regclass "
                       "AND contype IN ('p', 'u') ORDER BY conname")
        for (definition,) in cursor.fetchall():
            cursor.execute(f"ALTER TABLE bench_floor_observation ADD {definition}")
        cursor.execute("SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = 'observation'::regclass "
                       "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)")
        for n, (definition,) in enumerate(cursor.fetchall()):
            cursor.execute(definition[:definition.index("INDEX ") + 6] + f"bench_floor_ix{n}"
                           + " ON bench_floor_observation" + definition[definition.index(" USING "):])
        cursor.execute("CREATE TABLE bench_floor_observation_default PARTITION OF bench_floor_observation DEFAULT")
        for year in years:
            cursor.execute(f"CREATE TABLE bench_floor_observation_y{year} PARTITION OF bench_floor_observation "
                           f"FOR VALUES FROM ('{year}-01-01') TO ('{year + 1}-01-01')")
    cursor.execute("ALTER TABLE bench_floor_observation ALTER COLUMN id "
                   "SET DEFAULT nextval('bench_floor_observation_id_seq')")


# The floor's variants: (name, COPY format, whether each year's rows go straight into its partition).
FLOOR_VARIANTS = (("binary", "binary", False), ("binary_direct", "binary", True), ("text", "text", False))


def copy_floor(engine, submission_id: int, variants: tuple[tuple[str, str, bool], ...] = FLOOR_VARIANTS) -> dict[str, Any]:
    """The floor of a load, measured on this server in this run: a plain ``COPY`` of the rows the
    submission ``submission_id`` wrote (in the order of their ids) into scratch tables shaped like
    ``observation`` and ``current_observation`` (:func:`_floor_tables`: same columns, defaults,
    constraints and indexes, and the same yearly partitions when ``observation`` has them; the
    current values in the order the intake writes them, its covering index's), in one
    transaction; the tables are dropped afterwards. Variants (:data:`FLOOR_VARIANTS`): binary and
    text COPY into the partitioned table (the server routes each row), and binary COPY of each
    year's rows straight into its partition (what the intake does; only when partitioned). Per
    variant: wall seconds and the server's CPU seconds of the COPYs alone (the rows are read
    beforehand). ``floor_s`` is the fastest variant's wall time."""
    out: dict[str, Any] = {}
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
        cursor.execute("SELECT cache_size FROM pg_sequences WHERE sequencename = 'observation_id_seq'")
        cache = cursor.fetchone()[0]
        cursor.execute("SELECT relkind = 'p' FROM pg_class WHERE oid = 'observation'::regclass")
        partitioned = bool(cursor.fetchone()[0])
        cursor.execute("SELECT DISTINCT EXTRACT(YEAR FROM period_start)::int FROM observation "
                       f"WHERE submission_id = {int(submission_id)} ORDER BY 1")
        written_years = [int(y) for (y,) in cursor.fetchall()]
        years = []
        if partitioned:
            cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                           "WHERE i.inhparent = 'observation'::regclass")
            years = sorted(int(n[len("observation_y"):]) for (n,) in cursor.fetchall()
                           if n.startswith("observation_y") and n[len("observation_y"):].isdigit())
        out["floor_partitions"] = len(years)
        select_rows = f"SELECT {{columns}} FROM observation WHERE submission_id = {int(submission_id)}{{where}} ORDER BY id"
        for name, fmt, direct in variants:
            if direct and not partitioned:
                continue
            if direct:  # each year's rows, for its partition
                obs = [(f"bench_floor_observation_y{y}", _copy_out(cursor, "COPY ({}) TO STDOUT (FORMAT {})".format(
                        select_rows.format(columns=_OBSERVATION_COLUMNS,
                                           where=f" AND period_start >= '{y}-01-01' AND period_start < '{y + 1}-01-01'"),
                        fmt))) for y in written_years]
            else:
                obs = [("bench_floor_observation", _copy_out(cursor, "COPY ({}) TO STDOUT (FORMAT {})".format(
                        select_rows.format(columns=_OBSERVATION_COLUMNS, where=""), fmt)))]
            cur_rows = _copy_out(cursor, "COPY ({}) TO STDOUT (FORMAT {})".format(  # in the load's order
                select_rows.format(columns=_CURRENT_COLUMNS, where="").replace(
                    "ORDER BY id", "ORDER BY indicator_id, period_start, area_id, period"), fmt))
            _floor_tables(cursor, cache, years)
            raw.commit()
            cursor.execute("CHECKPOINT")
            raw.commit()
            server_before, backend_before, t = _server_cpu(backend), cpu_seconds(backend), time.perf_counter()
            for table, source in obs:
                cursor.copy_expert(f"COPY {table} ({_OBSERVATION_COLUMNS}) FROM STDIN (FORMAT {fmt})", source)
            cursor.copy_expert(f"COPY bench_floor_current ({_CURRENT_COLUMNS}) FROM STDIN (FORMAT {fmt})", cur_rows)
            raw.commit()
            wall, server_after, backend_after = time.perf_counter() - t, _server_cpu(backend), cpu_seconds(backend)
            out[f"floor_{name}_s"] = round(wall, 3)
            if server_before is not None and server_after is not None:
                out[f"floor_{name}_server_cpu_s"] = round(server_after - server_before, 3)
            if backend_before is not None and backend_after is not None:  # the COPYs' own work, without
                # the background processes (checkpointer, autovacuum of what the load wrote)
                out[f"floor_{name}_backend_cpu_s"] = round(backend_after - backend_before, 3)
            cursor.execute("DROP TABLE bench_floor_observation, bench_floor_current CASCADE; "
                           "DROP SEQUENCE bench_floor_observation_id_seq")
            raw.commit()
        out["floor_s"] = min(out[f"floor_{name}_s"] for name, _, _ in variants if f"floor_{name}_s" in out)
    finally:
        raw.rollback()
        raw.close()
    return out


def build_csv(codes: list[str], rows: int, days: int, today: date, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    first = today - timedelta(days=days)
    day_keys = [(first + timedelta(days=d)).isoformat() for d in range(days)]
    values = rng.uniform(100.0, 10_000.0, rows).round(2).tolist()
    parts = ["indicator_code,area_code,period,value\n"]
    parts += [f"{codes[i // days]},VN,{day_keys[i % days]},{values[i]!r}\n" for i in range(rows)]
    return "".join(parts).encode()


def bench_warehouse(args: argparse.Namespace, name: str) -> tuple[Any, Path]:
    """The migrated warehouse of ``--database-url`` (or DATABASE_URL) and a fresh work folder."""
    url = args.database_url or os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("set DATABASE_URL (or --database-url) to the warehouse to benchmark")
    workdir = Path(tempfile.mkdtemp(prefix=f"{name}-bench-"))
    engine = make_engine(Settings(database_url=url, instance_dir=workdir))
    migrate(engine)
    return engine, workdir


def run(args: argparse.Namespace) -> dict:
    engine, workdir = bench_warehouse(args, "ingest")
    n_ind = math.ceil(args.rows / args.days)
    codes = ensure_catalogue(engine, n_ind)
    clean(engine)
    today = date.today()
    t = time.perf_counter()
    payload = build_csv(codes, args.rows, args.days, today, args.seed)
    build_s = time.perf_counter() - t
    limits = IntakeLimits(max_bytes=max(len(payload) + 1, IntakeLimits().max_bytes), max_rows=max(args.rows, 2_000_000))
    results = {"database": engine.dialect.name, "rows": args.rows, "bytes": len(payload), "indicators": n_ind,
               "days": args.days, "build_s": round(build_s, 3), "runs": []}
    passes = [("initial", payload)]
    if args.revise:
        passes.append(("revise", build_csv(codes, args.rows, args.days, today, args.seed + 1)))
    for name, data in passes:
        checkpoint(engine)
        with engine.connect() as conn:
            backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() if engine.dialect.name == "postgresql" \
                else None
            conn.commit()
            server_before, backend_before = _server_cpu(backend), backend and cpu_seconds(backend)
            cpu_before = time.process_time()
            t = time.perf_counter()
            report = submit(conn, unit_code=UNIT, payload=data, filename=f"bench-{name}.csv", channel="bench",
                            submitted_by="bench", received_at=datetime.now(), archive_dir=workdir / "archive",
                            limits=limits)
            total = time.perf_counter() - t
            python_cpu = time.process_time() - cpu_before
            server_after, backend_after = _server_cpu(backend), backend and cpu_seconds(backend)
        if report.status != "accepted":
            raise SystemExit(f"bench submission {name} was {report.status}: "
                             f"{[e.as_dict() for e in report.errors[:5]]}")
        v, ld = report.timings["validate_s"], report.timings["load_s"]
        server_cpu = None if server_before is None or server_after is None else server_after - server_before
        cpu = python_cpu + (server_cpu or 0.0)
        run_result = {
            "pass": name, "status": report.status, "written": report.counts["written"],
            "revised": report.counts["revised"], "validate_s": v, "load_s": ld, "total_s": round(total, 3),
            "validate_rows_per_s": round(args.rows / v) if v else None,
            "load_rows_per_s": round(args.rows / ld) if ld else None,
            "total_rows_per_s": round(args.rows / total),
            "python_cpu_s": round(python_cpu, 3),
            "server_cpu_s": None if server_cpu is None else round(server_cpu, 3),
            "backend_cpu_s": round(backend_after - backend_before, 3) if backend_before and backend_after else None,
            "cpu_rows_per_s": round(args.rows / cpu) if server_cpu is not None else None,
            "loadavg_1min": os.getloadavg()[0], "timings": report.timings,
        }
        if name == "initial" and engine.dialect.name == "postgresql":
            run_result.update(with_floor(engine, report.submission_id, total))
        results["runs"].append(run_result)
        print(f"{name:8s} {args.rows:>10,} rows  validate {v:6.2f} s ({run_result['validate_rows_per_s']:>9,} rows/s)"
              f"  load {ld:6.2f} s ({run_result['load_rows_per_s']:>9,} rows/s)"
              f"  total {total:6.2f} s ({run_result['total_rows_per_s']:>9,} rows/s)")
        if server_cpu is not None:
            print(f"{'':8s} CPU: python {python_cpu:.2f} s + server {server_cpu:.2f} s = {cpu:.2f} s "
                  f"(the backend {run_result['backend_cpu_s']} s) "
                  f"({run_result['cpu_rows_per_s']:,} rows per CPU-second; load average {os.getloadavg()[0]:.1f} "
                  f"on {os.cpu_count()} cores)")
    if not args.keep:
        clean(engine)
    engine.dispose()
    return results


def checkpoint(engine) -> None:
    """PostgreSQL: write out every dirty buffer now, so that each measured step starts clean."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("CHECKPOINT")


def with_floor(engine, submission_id: int, total_s: float) -> dict[str, Any]:
    """:func:`copy_floor` of what ``submission_id`` wrote and the ratio of ``total_s`` to it, printed."""
    floor = copy_floor(engine, submission_id)
    floor["ratio_to_floor"] = round(total_s / floor["floor_s"], 3)
    print(f"{'':8s} floor (plain COPY of the same rows, same indexes and partitions): "
          + ", ".join(f"{name} {floor[f'floor_{name}_s']:.2f} s (server CPU {floor.get(f'floor_{name}_server_cpu_s')} s, "
                      f"its backend {floor.get(f'floor_{name}_backend_cpu_s')} s)"
                      for name, _, _ in FLOOR_VARIANTS if f"floor_{name}_s" in floor)
          + f"; total / floor = {floor['ratio_to_floor']:.2f} (target <= 1.3)")
    return floor


def bench_parser(doc: str) -> argparse.ArgumentParser:
    """The options every intake bench takes (warehouse, seed, keep, JSON output), its help from ``doc``."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0], epilog=doc.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="warehouse URL (default: DATABASE_URL)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the values")
    parser.add_argument("--keep", action="store_true", help="keep the bench rows in the warehouse afterwards")
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON to this file")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the submission (default 1,000,000)")
    parser.add_argument("--days", type=int, default=3650, help="days per bench indicator (default 3650)")
    parser.add_argument("--revise", action="store_true", help="submit again with changed values (revisions)")
    args = parser.parse_args(argv)
    results = run(args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
