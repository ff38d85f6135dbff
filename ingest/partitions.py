"""``observation`` partitioned by year of ``period_start`` on PostgreSQL (declarative partitioning).

Migration 0018 turns the table into ``observation`` PARTITION BY RANGE (period_start) with one
partition a year (``observation_y2025``: 2025-01-01 to 2026-01-01) from the oldest year it holds
(2010 at the latest) to two years ahead, and ``observation_default`` for anything else. The intake
calls :func:`ensure_years` with the years a load writes, in its transaction, before writing: a new
year gets its partition (rows of that year that reached the default partition are moved into it).
SQLite keeps one table. ``current_observation`` stays one table: its reads are probes of its
primary key and covering index per indicator, which partitions would multiply, not narrow.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import text
from sqlalchemy.engine import Connection

PARENT = "observation"
DEFAULT = "observation_default"
AHEAD_YEARS = 2  # partitions created ahead of the current year
_LOCK_KEY = 0x0B5E_2021  # pg_advisory_xact_lock: one creator of partitions at a time


def partition_name(year: int) -> str:
    return f"{PARENT}_y{year:04d}"


def is_partitioned(conn: Connection) -> bool:
    """Whether ``observation`` is a partitioned table here (PostgreSQL after migration 0018)."""
    if conn.dialect.name != "postgresql":
        return False
    kind = conn.execute(text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:t)"), {"t": PARENT}).scalar()
    return kind == "p"


def existing_years(conn: Connection) -> set[int]:
    """The years that have a partition of their own."""
    names = conn.execute(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(:t)"), {"t": PARENT}).scalars()
    prefix = PARENT + "_y"
    return {int(n[len(prefix):]) for n in names if n.startswith(prefix) and n[len(prefix):].isdigit()}


def create_year(conn: Connection, year: int) -> None:
    """The partition of ``year``, moving that year's rows out of the default partition first (a
    partition cannot be attached over rows the default already holds)."""
    name, start, end = partition_name(year), date(year, 1, 1), date(year + 1, 1, 1)
    bounds = {"start": start, "end": end}
    conn.execute(text(f'CREATE TABLE "{name}" (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'))
    moved = conn.execute(text(
        f'WITH gone AS (DELETE FROM {DEFAULT} WHERE period_start >= :start AND period_start < :end RETURNING *) '
        f'INSERT INTO "{name}" SELECT * FROM gone'), bounds).rowcount
    conn.execute(text(f"ALTER TABLE {PARENT} ATTACH PARTITION \"{name}\" "
                      f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"))
    if moved:
        conn.execute(text(f'ANALYZE "{name}"'))


def ensure_years(conn: Connection, years: Iterable[int]) -> list[int]:
    """Create the partitions of ``years`` that are missing (in the caller's transaction); returns
    the years created. Nothing on SQLite or an unpartitioned table; one catalogue read otherwise."""
    wanted = set(years)
    if not wanted or not is_partitioned(conn):
        return []
    missing = wanted - existing_years(conn)
    if not missing:
        return []
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    missing -= existing_years(conn)  # another load may have made them while this one waited
    for year in sorted(missing):
        create_year(conn, year)
    return sorted(missing)


def planned_years(oldest: int | None, newest: int | None, today: date | None = None) -> range:
    """The yearly partitions a migration creates: from the oldest year held (2010 at the latest)
    to two years after this one or the newest year held."""
    this_year = (today or date.today()).year
    first = min(oldest or 2010, 2010)
    last = max(newest or this_year, this_year) + AHEAD_YEARS
    return range(first, last + 1)
