"""``observation`` partitioned by year on PostgreSQL (migration 0018, ``ingest.partitions``): the
migration's partitions ahead, a year's first values making its partition (rows the default
partition held moved into it), the way down and up again with every row kept."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select, text

from data_access import schema
from data_access.engine import downgrade, migrate
from ingest.partitions import DEFAULT, existing_years, is_partitioned, planned_years
from tests.conftest import build_warehouse, counts, csv_bytes, current_value, send

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_warehouse(databases, tmp_path):
    engine = build_warehouse(databases.new("postgresql"), tmp_path)
    yield engine
    engine.dispose()


def _where(engine, period: str) -> set[str]:
    """The partitions holding the rows of ``period``."""
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT DISTINCT tableoid::regclass::text FROM observation WHERE period = :p"),
                                {"p": period}).scalars())


def test_par001_migration_partitions_by_year_ahead(pg_warehouse):
    with pg_warehouse.connect() as conn:
        assert is_partitioned(conn)
        years = existing_years(conn)
    assert years == set(planned_years(2023, 2025)) and max(years) == date.today().year + 2 and min(years) == 2010
    assert _where(pg_warehouse, "202412") == {"observation_y2024"}
    assert _where(pg_warehouse, "202501") == {"observation_y2025"}


def test_par002_a_new_year_gets_its_partition_at_intake(pg_warehouse, tmp_path):
    """Values of 2009 (before the migration's first year): the intake makes observation_y2009 and
    moves into it the row of 2009 the default partition held."""
    iid, area = (pg_warehouse.connect().execute(select(t.c.id).where(t.c[k] == v)).scalar()
                 for t, k, v in ((schema.indicator, "code", "RETAIL_SALES"), (schema.area, "key", "01")))
    with pg_warehouse.begin() as conn:
        conn.execute(schema.observation.insert().values(indicator_id=iid, area_id=area, period="200902",
                                                        period_start=date(2009, 2, 1), value=11.0, status="O",
                                                        revision=0, recorded_at=datetime(2025, 1, 1)))
    assert _where(pg_warehouse, "200902") == {DEFAULT}
    before = counts(pg_warehouse)
    report = send(pg_warehouse, tmp_path, "UB01", csv_bytes("RETAIL_SALES,01,200901,12.5"))
    assert report.status == "accepted", report.as_dict()
    assert _where(pg_warehouse, "200901") == {"observation_y2009"}
    assert _where(pg_warehouse, "200902") == {"observation_y2009"}
    assert counts(pg_warehouse)["observation"] == before["observation"] + 1
    assert current_value(pg_warehouse, "RETAIL_SALES", "01", "200901")[0] == 12.5
    with pg_warehouse.connect() as conn:
        assert conn.execute(select(func.count()).select_from(text(DEFAULT))).scalar() == 0
    again = send(pg_warehouse, tmp_path, "UB01", csv_bytes("RETAIL_SALES,01,200901,13.5"))
    assert again.status == "accepted" and _where(pg_warehouse, "200901") == {"observation_y2009"}


def test_par003_down_and_up_again_keep_every_row(pg_warehouse):
    with pg_warehouse.connect() as conn:
        rows = conn.execute(select(func.count(), func.sum(schema.observation.c.value))
                            .select_from(schema.observation)).one()
    downgrade(pg_warehouse, "0015")
    with pg_warehouse.connect() as conn:
        assert not is_partitioned(conn)
        assert conn.execute(select(func.count(), func.sum(schema.observation.c.value))
                            .select_from(schema.observation)).one() == rows
    migrate(pg_warehouse)
    with pg_warehouse.begin() as conn:
        assert is_partitioned(conn)
        assert conn.execute(select(func.count(), func.sum(schema.observation.c.value))
                            .select_from(schema.observation)).one() == rows
        # the sequence still numbers new rows after the copied ones
        top = conn.execute(select(func.max(schema.observation.c.id))).scalar()
        new_id = conn.execute(schema.observation.insert().values(
            indicator_id=1, area_id=1, period="202511", period_start=date(2025, 11, 1), value=1.0, status="O",
            revision=0, recorded_at=datetime(2025, 12, 1)).returning(schema.observation.c.id)).scalar()
        assert new_id > top
