"""``observation`` partitioned by year on PostgreSQL (migration 0018, ``ingest.partitions``): the
migration's partitions ahead, a year's first values making its partition (rows the default
partition held moved into it), the way down and up again with every row kept; a first load COPYed
straight into each year's partition (years without one made first), rolled back whole when the
server fails midway."""

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


@pytest.fixture
def chunked_copy(monkeypatch):
    """The chunked path of large loads on small files (chunks of 4 rows), and every COPY stream of
    the first-load path recorded: (the COPY statement, its bytes)."""
    from ingest import load, pipeline

    monkeypatch.setattr(pipeline, "PIPELINE_MIN_ROWS", 5)
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 4)
    copies: list[str] = []
    original = load._copy_stream

    def recorded(cursor, sql, stream):
        copies.append(sql)
        return original(cursor, sql, stream)

    monkeypatch.setattr(load, "_copy_stream", recorded)
    return copies


# Monthly values of one province from November 2007 to February 2011: five years, three of them
# (2007-2009) before the test warehouse's first partition (2010).
_SPAN = [f"RETAIL_SALES,01,{y}{m:02d},{y - 2000 + m / 100}" for y in range(2007, 2012) for m in range(1, 13)
         if (y, m) >= (2007, 11) and (y, m) <= (2011, 2)]


def _partition_rows(engine, submission_id: int) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT tableoid::regclass::text, count(*) FROM observation "
                                      "WHERE submission_id = :s AND NOT computed GROUP BY 1"),
                                 {"s": submission_id}).all())


def test_par004_a_first_load_is_copied_into_each_years_partition(pg_warehouse, tmp_path, chunked_copy):
    """A chunked first load over five years, three without a partition yet: the partitions are
    made, each chunk's rows of each year go by one COPY straight into that year's partition
    (never through the parent), and every value lands where it belongs, revision 0."""
    with pg_warehouse.connect() as conn:
        assert not {2007, 2008, 2009} & existing_years(conn)
    before = counts(pg_warehouse)
    report = send(pg_warehouse, tmp_path, "UB01", csv_bytes(*_SPAN))
    assert report.status == "accepted", report.as_dict()
    assert report.timings["chunks"] == 10 and report.counts["written"] == len(_SPAN) == 40
    with pg_warehouse.connect() as conn:
        assert {2007, 2008, 2009, 2010, 2011} <= existing_years(conn)
    assert _partition_rows(pg_warehouse, report.submission_id) == {
        "observation_y2007": 2, "observation_y2008": 12, "observation_y2009": 12, "observation_y2010": 12,
        "observation_y2011": 2}
    targets = [sql.split()[1] for sql in chunked_copy]
    assert "observation" not in targets
    assert targets.count("current_observation") == 10  # one stream of each chunk
    # chunks of four months from 2007-11: one over each new year (2007-11 to 2008-02, ...) is two
    # streams, one per year; the others one
    assert sorted(t for t in targets if t != "current_observation") == sorted(
        [f'"observation_y{y}"' for y in (2007, 2008, 2008, 2008, 2008, 2009, 2009, 2009, 2009, 2010, 2010, 2010,
                                           2010, 2011)])
    after = counts(pg_warehouse)
    assert after["observation"] == before["observation"] + 40 and after["current"] == before["current"] + 40
    for row in ("RETAIL_SALES,01,200711,7.11", "RETAIL_SALES,01,200906,9.06", "RETAIL_SALES,01,201102,11.02"):
        period, value = row.split(",")[2], float(row.split(",")[3])
        assert tuple(current_value(pg_warehouse, "RETAIL_SALES", "01", period))[:3] == (value, 0, "O")
    with pg_warehouse.connect() as conn:
        assert conn.execute(select(func.count()).select_from(text(DEFAULT))).scalar() == 0


def test_par005_a_failure_in_the_middle_leaves_nothing(pg_warehouse, tmp_path, chunked_copy, monkeypatch):
    """The server fails on the third chunk (a duplicate key in observation_y2008, which the second
    chunk made and filled): the whole submission is rolled back, the partitions made for it included."""
    from ingest import load

    with pg_warehouse.connect() as conn:
        years = existing_years(conn)
    before = counts(pg_warehouse)
    calls = {"n": 0}
    original = load._fresh_streams

    def third_repeats_the_second(prepared, submission_id, now):
        calls["n"] += 1
        if calls["n"] == 2:
            calls["second"] = prepared
        return original(calls["second"] if calls["n"] == 3 else prepared, submission_id, now)

    monkeypatch.setattr(load, "_fresh_streams", third_repeats_the_second)
    with pytest.raises(Exception, match="uq_observation_key_rev|duplicate key"):
        send(pg_warehouse, tmp_path, "UB01", csv_bytes(*_SPAN))
    assert calls["n"] >= 3
    assert counts(pg_warehouse) == before
    with pg_warehouse.connect() as conn:
        assert existing_years(conn) == years
        assert conn.execute(select(func.count()).select_from(schema.submission)
                            .where(schema.submission.c.filename == "test.csv")).scalar() == 0
    fixed = send(pg_warehouse, tmp_path, "UB01", csv_bytes(*_SPAN))  # nothing left in the way
    assert fixed.status == "accepted" and fixed.counts["written"] == 40


def test_par006_an_unpartitioned_observation_takes_the_copy_itself(pg_warehouse, tmp_path, chunked_copy,
                                                                   monkeypatch):
    """Where ``observation`` is one table (below migration 0018; here: the load told so), a first
    load's streams go into ``observation`` itself, a stream per year, with the same outcome."""
    from ingest import partitions

    monkeypatch.setattr(partitions, "is_partitioned", lambda conn: False)
    report = send(pg_warehouse, tmp_path, "UB01", csv_bytes(*_SPAN))
    assert report.status == "accepted" and report.counts["written"] == 40
    targets = [sql.split()[1] for sql in chunked_copy]
    assert set(targets) == {"observation", "current_observation"} and targets.count("observation") == 14
    with pg_warehouse.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM observation WHERE submission_id = :s AND NOT computed"),
                            {"s": report.submission_id}).scalar() == 40
    assert tuple(current_value(pg_warehouse, "RETAIL_SALES", "01", "200906"))[:2] == (9.06, 0)
