"""Commune-like series for the benchmark warehouse, and the sizes of what a build made.

Since the era switch (``domain.eras.ERA_SWITCH``) the local government has two tiers: 34 provinces and about 3,300 communes. The
benchmark adds ``communes`` areas (level ``commune``, each under one of the 34 provinces, valid
from the era switch) and daily ``BENCH_Cnn`` indicators reported by every commune from that day, in
SQL like the provincial ``BENCH_Dnn`` series of ``bench.run.scale_up``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.engine import Connection, Engine

from data_access import schema
from domain.eras import ERA_SWITCH

TWO_TIERS = ERA_SWITCH  # the two-tier local government's first day


def add_commune_series(engine: Engine, communes: int, rows: int, until: date, log: Callable[[str], None]) -> int:
    """About ``rows`` observations: daily values of every one of ``communes`` communes from
    the era switch to ``until``. Returns the rows written."""
    days = max(1, (until - TWO_TIERS).days + 1)
    n_ind = max(1, round(rows / (communes * days)))
    log(f"communes: {communes:,} communes x {n_ind} daily indicators x {days} days ({TWO_TIERS} to {until})")
    t0 = time.perf_counter()
    with engine.begin() as conn:
        agency = conn.execute(select(schema.agency.c.id).where(schema.agency.c.code == "TK")).scalar()
        conn.execute(text("""
            INSERT INTO area (key, code, name_vi, name_en, level, parent_id, valid_from, valid_to, sort)
            SELECT 'C' || lpad(n::text, 5, '0'), lpad((20000 + n)::text, 5, '0'),
                   'Xã mô phỏng ' || lpad(n::text, 5, '0'), 'Simulated commune ' || lpad(n::text, 5, '0'),
                   'commune', p.id, CAST(:from AS date), NULL, 100000 + n
            FROM generate_series(1, :n) AS n
            JOIN (SELECT id, row_number() OVER (ORDER BY sort, id) - 1 AS k, count(*) OVER () AS m
                  FROM area WHERE level = 'province' AND valid_to IS NULL) p ON p.k = n % p.m
        """), {"n": communes, "from": TWO_TIERS})
        conn.execute(schema.indicator.insert(), [
            {"code": f"BENCH_C{i:02d}", "name_vi": f"Chỉ tiêu ngày cấp xã mô phỏng tải {i:02d}",
             "name_en": f"Load-test daily commune indicator {i:02d}", "group_code": "G01", "unit_vi": "đơn vị",
             "unit_en": "units", "periodicity": "D", "agency_id": agency, "aggregation": "sum", "direction": "up",
             "levels": "commune", "decimals": 1, "confidential": False, "cumulative": False,
             "definition_vi": "Chuỗi tổng hợp cấp xã dùng cho kiểm thử tải.",
             "definition_en": "Synthetic commune series for load tests.",
             "search_text": f"bench_c{i:02d} chi tieu ngay cap xa mo phong tai {i:02d} load-test daily commune"}
            for i in range(1, n_ind + 1)
        ])
        written = insert_daily(conn, "BENCH_C%", "a.level = 'commune'", TWO_TIERS, until,
                               "20 + 8 * sin(extract(doy from d) / 41.0 + a.id) + (i.id * 3 + a.id * 11) % 17", 9)
        make_current(conn, "BENCH_C%")
    log(f"communes: {written:,} observations in {time.perf_counter() - t0:.0f} s")
    return int(written)


def insert_daily(conn: Connection, codes_like: str, areas: str, start: date, until: date, value: str,
                 hour: int) -> int:
    """One ``observation`` a day from ``start`` to ``until`` for each indicator whose code is
    ``LIKE codes_like`` and each area (``a``) meeting ``areas`` on that day (``d``), valued by the SQL
    expression ``value`` (of ``i``, ``a``, ``d``), recorded the next day at ``hour``. ``areas`` and
    ``value`` are this module's constants, never input."""
    return int(conn.execute(text(f"""
        INSERT INTO observation (indicator_id, area_id, period, period_start, value, status, revision, recorded_at)
        SELECT i.id, a.id, to_char(d, 'YYYY-MM-DD'), d::date, round(({value})::numeric, 1), 'O', 0,
               d + interval '1 day' + make_interval(hours => :hour)
        FROM indicator i
        CROSS JOIN generate_series(CAST(:start AS date), CAST(:until AS date), interval '1 day') AS d
        JOIN area a ON {areas}
        WHERE i.code LIKE :codes
    """), {"start": start, "until": until, "hour": hour, "codes": codes_like}).rowcount)


def make_current(conn: Connection, codes_like: str) -> None:
    """``current_observation`` of the generated indicators whose code is ``LIKE codes_like`` (one
    revision each: their observations as they are)."""
    conn.execute(text("""
        INSERT INTO current_observation (indicator_id, area_id, period_start, period, value, status, revision,
                                         submission_id, recorded_at, flag)
        SELECT o.indicator_id, o.area_id, o.period_start, o.period, o.value, o.status, o.revision,
               o.submission_id, o.recorded_at, o.flag
        FROM observation o JOIN indicator i ON i.id = o.indicator_id WHERE i.code LIKE :codes
    """), {"codes": codes_like})


def table_sizes(engine: Engine) -> dict[str, dict[str, int]]:
    """Rows (estimated for the big tables), table and index bytes of ``observation`` (all its
    partitions) and ``current_observation``; and how many partitions ``observation`` has."""
    out: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        for name in ("observation", "current_observation"):
            parts = conn.execute(text(
                "SELECT coalesce(array_agg(inhrelid), ARRAY[]::oid[]) FROM pg_inherits "
                "WHERE inhparent = to_regclass(:t)"), {"t": name}).scalar() or []
            rels = list(parts) or [conn.execute(text("SELECT to_regclass(:t)::oid"), {"t": name}).scalar()]
            row = conn.execute(text(
                "SELECT sum(pg_table_size(r))::bigint, sum(pg_indexes_size(r))::bigint, "
                "sum(greatest(c.reltuples, 0))::bigint FROM unnest(CAST(:rels AS oid[])) AS r "
                "JOIN pg_class c ON c.oid = r"), {"rels": rels}).one()
            out[name] = {"table_bytes": int(row[0] or 0), "index_bytes": int(row[1] or 0),
                         "rows_estimated": int(row[2] or 0), "partitions": len(parts)}
    return out
