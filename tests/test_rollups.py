"""Issue 22: the provinces' scorecards kept in the warehouse (``data_access.rollups``): refreshed by
the transaction that changes them, read while current, computed where they are not; never
another clearance's figures, never another release's."""

from __future__ import annotations

import math
from contextlib import contextmanager
from datetime import datetime

import pytest
from flask import g
from sqlalchemy import select, text, update

from data_access import schema
from tests.conftest import build_warehouse, csv_bytes, make_settings, send

PROVINCES = ("01", "22", "24", "31", "33", "37", "30-63", "79")


def _same(a, b) -> bool:
    return len(a) == len(b) and all(x == y or (isinstance(x, float) and isinstance(y, float) and math.isnan(x)
                                               and math.isnan(y)) for x, y in zip(a, b, strict=True))


def _app(url, tmp_path):
    from app import create_app

    return create_app(make_settings(url, tmp_path))


@contextmanager
def viewing(server, clearance: str = "all"):
    """One request (its own version and stamps, as the next view has) of a viewer of ``clearance``."""
    with server.test_request_context("/"):
        g.occ_clearance = clearance
        yield


def _provincial():
    from data_access.catalogue import all_indicators

    return [i for i in all_indicators() if i.provincial]


def _live_calls(monkeypatch) -> list[list[str]]:
    """The indicators each computation of scorecard rows is asked for, from now on."""
    from data_access import provinces

    calls: list[list[str]] = []
    real = provinces.scorecard_live
    monkeypatch.setattr(provinces, "scorecard_live",
                        lambda key, inds, *a: calls.append([i.code for i in inds]) or real(key, inds, *a))
    return calls


def _refresh(engine, written=None) -> dict:
    from data_access import rollups

    with engine.begin() as conn:
        return rollups.refresh(conn, written)["scorecard"]


def _bump(engine, scopes) -> int:
    from data_access.engine import bump_data_version

    with engine.begin() as conn:
        return bump_data_version(conn, scopes)


def _scorecard(key: str):
    from data_access.provinces import province_scorecard_rows

    return province_scorecard_rows.uncached(key)


def test_rol001_kept_rows_are_the_computed_rows_of_every_province(rollup_world, monkeypatch):
    """What a refresh keeps is, field for field, what the scorecard computes (NaN where nothing was
    reported; ranks, regions of either era, the nation, last year); on PostgreSQL the scorecard
    then reads every row and computes none; on SQLite nothing is kept and every row is computed."""
    server, engine = rollup_world
    pg = engine.dialect.name == "postgresql"
    done = _refresh(engine)
    with engine.connect() as conn:
        n_provinces = conn.execute(select(schema.area.c.id).where(schema.area.c.level == "province")).all()
    with viewing(server):
        provincial = _provincial()
        assert done["rows"] == (len(n_provinces) * len(provincial) if pg else 0)
        from data_access.provinces import scorecard_live
        expected = {key: scorecard_live(key, provincial) for key in PROVINCES}
    calls = _live_calls(monkeypatch)
    with viewing(server):
        for key in PROVINCES:
            got = _scorecard(key)
            assert [r.code for r in got] == [i.code for i in provincial]
            assert all(_same(a, b) for a, b in zip(got, expected[key], strict=True)), key
    assert calls == ([] if pg else [[i.code for i in provincial]] * len(PROVINCES))
    ranked = [r for rows in expected.values() for r in rows if r.rank is not None]
    assert ranked and any(r.region_value == r.region_value for r in ranked)  # figures, not only NaN


def test_rol002_a_row_is_read_while_current_and_computed_once_a_stamp_it_reads_moved(pg_rollup_world, monkeypatch):
    """A kept row is what the scorecard shows (a row altered in the table shows through), until a
    stamp it depends on is newer than the row: then that indicator, and those whose rule reads it,
    are computed (the weight T_W: T_W and the rate weighted by it); ``*`` (reference data, the
    catalogue): every row; rows of another release's code: every row."""
    from data_access import rollups

    server, engine = pg_rollup_world
    _refresh(engine)
    with engine.begin() as conn:
        ids = dict(conn.execute(select(schema.indicator.c.code, schema.indicator.c.id)).all())
        area = conn.execute(select(schema.area.c.id).where(schema.area.c.key == "01")).scalar_one()
        conn.execute(text("UPDATE scorecard_rollup SET payload = :p WHERE area_id = :a AND indicator_id = :i"),
                     {"p": rollups.encode(("T_SUM", "202509", 999.0, "O", "R2", math.nan, False, math.nan, 1, 34, 5,
                                           "202409", math.nan, math.nan, math.nan, False)),
                      "a": area, "i": ids["T_SUM"]})
    calls = _live_calls(monkeypatch)
    with viewing(server):
        assert {r.code: r.value for r in _scorecard("01")}["T_SUM"] == 999.0
    assert calls == []

    _bump(engine, ["i:T_W"])
    with viewing(server):
        rows = {r.code: r for r in _scorecard("01")}
    assert [set(c) for c in calls] == [{"T_W", "T_RATE"}] and rows["T_SUM"].value == 999.0
    _bump(engine, ["i:T_SUM"])
    with viewing(server):
        assert {r.code: r.value for r in _scorecard("01")}["T_SUM"] == 10.0  # the stored value again
    assert set(calls[-1]) == {"T_SUM", "T_W", "T_RATE"}

    _refresh(engine)
    calls.clear()
    _bump(engine, None)  # "*": everything
    with viewing(server):
        _scorecard("01")
    assert len(calls) == 1 and len(calls[0]) == len(_provincial_codes(engine))

    _refresh(engine)
    calls.clear()
    monkeypatch.setattr(rollups, "_build", lambda: "another release")
    with viewing(server):
        _scorecard("01")
    assert len(calls) == 1 and len(calls[0]) == len(_provincial_codes(engine))


def _provincial_codes(engine) -> list[str]:
    with engine.connect() as conn:
        return [c for c, levels in conn.execute(select(schema.indicator.c.code, schema.indicator.c.levels))
                if "province" in levels.split(";")]


def test_rol003_a_viewer_gets_the_rows_of_what_it_may_see_computed_as_it_sees_them(pg_rollup_world, monkeypatch):
    """Rows are kept for every indicator (computed as an administrator sees them). A viewer not
    cleared for a confidential indicator reads none of its rows, and an indicator whose rule reads
    one (the rate weighted by a confidential weight) is computed as that viewer sees it, not read
    (its region figure would come from the weights); the cleared viewer reads both."""
    server, engine = pg_rollup_world
    with engine.begin() as conn:
        conn.execute(update(schema.indicator).where(schema.indicator.c.code == "T_W").values(confidential=True))
    _bump(engine, None)
    _refresh(engine)
    calls = _live_calls(monkeypatch)
    with viewing(server, "public"):
        public = {r.code: r for r in _scorecard("01")}
        from data_access.provinces import scorecard_live
        rate = [i for i in _provincial() if i.code == "T_RATE"]
    assert "T_W" not in public and calls == [["T_RATE"]]
    with viewing(server, "all"):
        cleared = {r.code: r for r in _scorecard("01")}
    assert calls == [["T_RATE"]]  # the cleared viewer computed nothing
    assert "T_W" in cleared
    with viewing(server, "public"):
        assert _same(public["T_RATE"], scorecard_live("01", rate)[0])
    with viewing(server, "all"):
        assert _same(cleared["T_RATE"], scorecard_live("01", rate)[0])
    assert cleared["T_RATE"].region_value == cleared["T_RATE"].region_value  # weighted by T_W
    assert not _same(public["T_RATE"], cleared["T_RATE"])


def test_rol004_a_bump_that_changed_no_value_carries_current_rows_over_and_only_those(pg_rollup_world, monkeypatch):
    """``bump_all_data`` (the benchmark's new version in which every indicator "changed", no value
    did) stamps the rows that were current with the new version, as a refresh in its transaction
    would have rewritten them; a row already stale stays stale."""
    from data_access.engine import bump_all_data

    server, engine = pg_rollup_world
    _refresh(engine)
    calls = _live_calls(monkeypatch)
    with engine.begin() as conn:
        bump_all_data(conn)
    with viewing(server):
        _scorecard("01")
    assert calls == []
    _bump(engine, ["i:T_SUM"])
    with engine.begin() as conn:
        bump_all_data(conn)
    with viewing(server):
        _scorecard("01")
    assert calls == [["T_SUM"]]


def test_rol005_a_refresh_waits_for_the_writer_before_it_and_computes_from_what_it_committed(pg_rollup_world, monkeypatch):
    """Refreshes are serialised on the ``data_version`` row: one started while a submission's
    transaction holds it (its bump) waits for that commit, then computes with what it wrote."""
    import threading

    from data_access.engine import bump_data_version
    from domain.periods import parse

    server, engine = pg_rollup_world
    _refresh(engine)
    with engine.connect() as writer:
        tx = writer.begin()
        ids = dict(writer.execute(select(schema.indicator.c.code, schema.indicator.c.id)).all())
        area = writer.execute(select(schema.area.c.id).where(schema.area.c.key == "01")).scalar_one()
        row = {"indicator_id": ids["T_SUM"], "area_id": area, "period": "202510", "period_start": parse("202510").start,
               "value": 50.0, "status": "O", "revision": 0, "recorded_at": datetime(2025, 11, 1)}
        writer.execute(schema.observation.insert(), [row])
        writer.execute(schema.current_observation.insert(), [row])
        bump_data_version(writer, ["i:T_SUM"])
        done: list[dict] = []
        refresher = threading.Thread(target=lambda: done.append(_refresh(engine, [ids["T_SUM"]])), daemon=True)
        refresher.start()
        refresher.join(0.5)
        assert refresher.is_alive() and not done  # waiting for the writer's commit
        tx.commit()
    refresher.join(30)
    assert done and done[0]["indicators"] == 1
    calls = _live_calls(monkeypatch)
    with viewing(server):
        row_01 = {r.code: r for r in _scorecard("01")}["T_SUM"]
    assert calls == [] and (row_01.period, row_01.value, row_01.n_reported) == ("202510", 50.0, 1)


@pytest.fixture
def intake(backend, databases, tmp_path):
    url = databases.new(backend)
    engine = build_warehouse(url, tmp_path)
    server = _app(url, tmp_path)
    yield server, engine, tmp_path
    engine.dispose()
    server.extensions["warehouse"].dispose()


def test_rol006_an_accepted_submission_refreshes_the_rows_it_changes_in_its_transaction(intake, monkeypatch):
    """A province's report of a provincial indicator: its transaction computes again every
    province's rows of that indicator (the new value, rank and count), at the version it made,
    and the next view reads them; a report touching no provincial indicator refreshes nothing. On
    SQLite the submission keeps nothing and the scorecard computes."""
    from data_access import rollups

    server, engine, tmp = intake
    pg = engine.dialect.name == "postgresql"
    _refresh(engine)
    report = send(engine, tmp, "UB01", csv_bytes("RETAIL_SALES,01,202510,31.5"))
    assert report.status == "accepted" and "rollups_s" in report.timings
    with engine.connect() as conn:
        ids = dict(conn.execute(select(schema.indicator.c.code, schema.indicator.c.id)).all())
        versions = set(conn.execute(text("SELECT version FROM rollup_basis WHERE indicator_id = :i"),
                                    {"i": ids["RETAIL_SALES"]}).scalars())
    assert versions == ({report.data_version} if pg else set())
    calls = _live_calls(monkeypatch)
    with viewing(server):
        row = {r.code: r for r in _scorecard("01")}["RETAIL_SALES"]
    assert (row.period, row.value, row.rank, row.n_reported) == ("202510", 31.5, 1, 1)
    assert calls == ([] if pg else [[i for i in _provincial_codes_of(server)]])
    kpi_calls = _kpi_calls(monkeypatch)
    with viewing(server):
        from data_access.queries import kpi_snapshot
        tile = kpi_snapshot.uncached(("RETAIL_SALES",), "01")[0]
    assert (tile.period, tile.value) == ("202510", 31.5) and kpi_calls == ([] if pg else [["RETAIL_SALES"]])
    with engine.begin() as conn:
        national = [i for code, i in ids.items() if code not in _provincial_codes(engine)
                    and not _reads(conn, i)]
        assert national and rollups.refresh(conn, national[:1])["scorecard"]["indicators"] == 0


def _reads(conn, indicator_id: int) -> bool:
    """Whether some indicator's rule reads ``indicator_id``."""
    i = schema.indicator
    return bool(conn.execute(select(i.c.id).where((i.c.agg_weight_id == indicator_id) | (i.c.agg_num_id == indicator_id)
                                                  | (i.c.agg_den_id == indicator_id))).first())


def _provincial_codes_of(server) -> list[str]:
    with viewing(server):
        return [i.code for i in _provincial()]


def test_rol007_the_command_refreshes_every_row_and_says_so(rollup_world):
    """``flask --app app refresh-rollups`` (a deployment's step: rows of other code are not
    read) keeps every province's rows on PostgreSQL and says how many; on SQLite it says that
    nothing is kept there."""
    server, engine = rollup_world
    result = server.test_cli_runner().invoke(args=["refresh-rollups"])
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT count(*) FROM scorecard_rollup")).scalar_one()
    if engine.dialect.name == "postgresql":
        n = len(_provincial_codes(engine))
        assert kept > 0 and f"{kept:,} scorecard rows of {n} indicators" in result.output
    else:
        assert kept == 0 and "PostgreSQL only" in result.output


def test_rol008_a_catalogue_change_refreshes_in_its_transaction(pg_rollup_world, monkeypatch):
    """A change of the configuration (here the direction of T_SUM: its ranks turn around) stamps
    everything and computes every row again in its own transaction: the next view reads the new
    ranks and computes nothing."""
    from metadata import service
    from metadata.package import from_records
    from metadata.store import read_config

    server, engine = pg_rollup_world
    _refresh(engine)
    with viewing(server):
        before = {r.code: r for r in _scorecard("01")}["T_SUM"]
    with engine.connect() as conn:
        record = dict(read_config(conn)["indicators"]["T_SUM"])
    record["direction"] = "down"
    outcome = service.apply(engine, from_records({"indicators": [record]}), actor=service.Actor("t.admin", "admin"))
    assert outcome.applied, outcome.problems
    calls = _live_calls(monkeypatch)
    with viewing(server):
        after = {r.code: r for r in _scorecard("01")}["T_SUM"]
    assert calls == []
    assert (before.rank, after.rank) == (1, after.n_reported) and after.n_reported > 1
    kpi_calls = _kpi_calls(monkeypatch)
    with viewing(server):
        from data_access.queries import kpi_snapshot
        kpi_snapshot.uncached(("T_SUM", "T_RATE"), "VN")
    assert kpi_calls == []  # the tiles too were computed again in the change's transaction


def _kpi_calls(monkeypatch) -> list[list[str]]:
    """The indicators each computation of KPI tiles is asked for, from now on."""
    from data_access import queries

    calls: list[list[str]] = []
    real = queries.kpis_live
    monkeypatch.setattr(queries, "kpis_live", lambda inds, area_key: calls.append([i.code for i in inds])
                        or real(inds, area_key))
    return calls
