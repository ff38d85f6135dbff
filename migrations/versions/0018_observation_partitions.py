"""observation partitioned by year of period_start (PostgreSQL)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 16:00:00

``observation`` (every revision of every value: the table that grows to 50 million rows and more)
becomes a declaratively partitioned table, RANGE on ``period_start``, one partition a year from
the oldest year it holds (2010 at the latest) to two years ahead, and a default partition for
anything else; the intake creates a new year's partition when its first values arrive
(``ingest.partitions``). Its primary key and unique key gain ``period_start`` (PostgreSQL requires
the partition key in them; ``period`` already determines it, so nothing that was unique stops
being so). The rows are copied under an exclusive lock on ``observation``: the boards read
``current_observation`` and keep serving, submissions wait. SQLite: nothing changes.
"""
from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

from ingest.partitions import DEFAULT, PARENT, create_year, planned_years

revision: str = '0018'
down_revision: str | Sequence[str] | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = "observation_unpartitioned"
_FKS = (("fk_observation_indicator_id_indicator", "indicator_id", "indicator"),
        ("fk_observation_area_id_area", "area_id", "area"),
        ("fk_observation_submission_id_submission", "submission_id", "submission"))


def _swap(conn, partitioned: bool) -> None:
    """Rename the table aside, create the new one (partitioned or plain) with the same columns,
    keys and sequence, copy the rows, drop the old one."""
    conn.execute(text(f"ALTER TABLE {PARENT} RENAME TO {_OLD}"))
    conn.execute(text(f"ALTER TABLE {_OLD} RENAME CONSTRAINT pk_observation TO pk_observation_old"))
    conn.execute(text(f"ALTER TABLE {_OLD} RENAME CONSTRAINT uq_observation_key_rev TO uq_observation_key_rev_old"))
    tail = " PARTITION BY RANGE (period_start)" if partitioned else ""
    conn.execute(text(f"CREATE TABLE {PARENT} (LIKE {_OLD} INCLUDING DEFAULTS){tail}"))
    key = ", period_start" if partitioned else ""
    conn.execute(text(f"ALTER TABLE {PARENT} ADD CONSTRAINT pk_observation PRIMARY KEY (id{key})"))
    conn.execute(text(f"ALTER TABLE {PARENT} ADD CONSTRAINT uq_observation_key_rev "
                      f"UNIQUE (indicator_id, area_id, period, revision{key})"))
    for name, column, table in _FKS:
        conn.execute(text(f"ALTER TABLE {PARENT} ADD CONSTRAINT {name} FOREIGN KEY ({column}) REFERENCES {table} (id)"))
    if partitioned:
        oldest, newest = conn.execute(text(
            f"SELECT EXTRACT(YEAR FROM min(period_start))::int, EXTRACT(YEAR FROM max(period_start))::int "
            f"FROM {_OLD}")).one()
        conn.execute(text(f"CREATE TABLE {DEFAULT} PARTITION OF {PARENT} DEFAULT"))
        for year in planned_years(oldest, newest):
            create_year(conn, year)
    conn.execute(text(f"ALTER SEQUENCE observation_id_seq OWNED BY {PARENT}.id"))
    conn.execute(text(f"INSERT INTO {PARENT} SELECT * FROM {_OLD}"))
    conn.execute(text(f"DROP TABLE {_OLD}"))
    conn.execute(text(f"ANALYZE {PARENT}"))


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        _swap(conn, partitioned=True)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        _swap(conn, partitioned=False)

