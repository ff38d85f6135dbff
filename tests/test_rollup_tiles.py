"""Issue 22: the KPI tiles kept in the warehouse (``data_access.rollups``, kind ``kpi``): the
computed tiles field for field, read while current, a daily indicator's for the day it was computed
on (the scheduler's ``rollups.daily`` computes them again), never a row its refresh did not write."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select, text

from data_access import schema
from tests.test_rollups import _bump, _kpi_calls, _same, viewing


def _same_kpi(a, b) -> bool:
    import dataclasses

    return _same([getattr(a, f.name) for f in dataclasses.fields(a)], [getattr(b, f.name) for f in dataclasses.fields(b)])


def test_rol009_kept_kpi_tiles_are_the_computed_tiles(rollup_world, monkeypatch):
    """The KPI tiles a refresh keeps (every indicator, the daily one too, at every area of a level
    it is reported at) are, field for field, the computed ones (changes, last year, year-to-date,
    the target and its status, the sparkline, the time of the last value); on PostgreSQL the
    tiles read them and compute none; on SQLite every tile is computed."""
    from data_access.queries import kpi_snapshot, kpis_live

    server, engine = rollup_world
    pg = engine.dialect.name == "postgresql"
    _refresh_all(engine)
    codes = ("T_SUM", "T_RATE", "T_RATIO", "T_DAY")
    with viewing(server):
        from data_access.catalogue import get_indicator
        expected = {key: kpis_live([get_indicator(c) for c in codes if key == "VN" or c != "T_DAY"], key)
                    for key in ("VN", "01", "22")}
    calls = _kpi_calls(monkeypatch)
    with viewing(server):
        for key, tiles in expected.items():
            got = kpi_snapshot.uncached(tuple(t.code for t in tiles), key)
            assert all(_same_kpi(a, b) for a, b in zip(got, tiles, strict=True)), key
    assert calls == ([] if pg else [[t.code for t in tiles] for tiles in expected.values()])
    vn = {t.code: t for t in expected["VN"]}
    assert vn["T_SUM"].target is not None and vn["T_SUM"].spark and vn["T_DAY"].value is not None


def _refresh_all(engine) -> dict:
    from data_access import rollups

    with engine.begin() as conn:
        return rollups.refresh(conn)


def test_rol010_a_tile_is_computed_once_its_stamp_moved_and_carried_over_by_a_data_less_version(pg_rollup_world,
                                                                                                  monkeypatch):
    """A tile is read while no stamp it depends on (``*``, ``i:<code>``) is newer than its rows; a
    change of targets stamps its indicator and refreshes it in the same transaction; the
    benchmark's data-less version carries the current tiles over."""
    from data_access.engine import bump_all_data
    from data_access.queries import kpi_snapshot

    server, engine = pg_rollup_world
    _refresh_all(engine)
    calls = _kpi_calls(monkeypatch)
    with viewing(server):
        kpi_snapshot.uncached(("T_SUM", "T_RATE"), "VN")
    assert calls == []
    _bump(engine, ["i:T_RATE"])
    with viewing(server):
        kpi_snapshot.uncached(("T_SUM", "T_RATE"), "VN")
    assert calls == [["T_RATE"]]
    with engine.begin() as conn:
        bump_all_data(conn)
    with viewing(server):
        kpi_snapshot.uncached(("T_SUM", "T_RATE"), "VN")
    assert calls[-1] == ["T_RATE"] and len(calls) == 2  # T_SUM carried over, T_RATE still stale
    _refresh_all(engine)
    calls.clear()
    with engine.begin() as conn:
        bump_all_data(conn)
    with viewing(server):
        kpi_snapshot.uncached(("T_SUM", "T_RATE"), "VN")
    assert calls == []

    from metadata import service
    with viewing(server):
        before = kpi_snapshot.uncached(("T_SUM",), "VN")[0]
    made = service.update(engine, "targets", "T_SUM|VN|2024", {"value": 250.0},
                          actor=service.Actor("t.admin", "admin", None, "cli"))
    assert made.applied, made.problems
    calls.clear()  # (the refresh in the change's transaction computed the tiles)
    with viewing(server):
        tile = kpi_snapshot.uncached(("T_SUM",), "VN")[0]
    assert calls == [] and tile.target == pytest.approx(before.target * 250.0 / 200.0)  # refreshed with it


def _basis_day(engine, code: str, day) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE rollup_basis SET day = :d WHERE kind = 'kpi' AND indicator_id = "
                          "(SELECT id FROM indicator WHERE code = :c)"), {"d": day, "c": code})


def test_rol011_a_daily_tile_holds_for_its_day_and_the_job_computes_it_again(pg_rollup_world, monkeypatch):
    """A daily indicator's kept tile (its windows end today) is read on the day it was computed
    only: kept on another day, it is computed. A submission's refresh (its ids) leaves daily tiles
    to the scheduler's ``rollups.daily``, which computes again those a reader would not use today
    (another day, a newer stamp) and does nothing, without a lock, while all are current."""
    from datetime import date, timedelta

    from data_access import rollups
    from data_access.queries import kpi_snapshot
    from ingest import jobs
    from scheduler.core import Occurrence, registered

    server, engine = pg_rollup_world
    _refresh_all(engine)
    calls = _kpi_calls(monkeypatch)
    with viewing(server):
        kept = kpi_snapshot.uncached(("T_DAY", "T_SUM"), "VN")
    assert calls == []
    _basis_day(engine, "T_DAY", date.today() - timedelta(days=1))  # computed yesterday
    with viewing(server):
        again = kpi_snapshot.uncached(("T_DAY", "T_SUM"), "VN")
    assert calls == [["T_DAY"]] and _same_kpi(again[0], kept[0])

    with engine.connect() as conn:
        day_id = conn.execute(text("SELECT id FROM indicator WHERE code = 'T_DAY'")).scalar_one()
    _bump(engine, ["i:T_DAY"])  # a daily submission: its own refresh keeps its other rollups only
    with engine.begin() as conn:
        assert rollups.refresh(conn, [day_id])["kpi"]["indicators"] == 0

    assert "rollups.daily" in registered()
    now = datetime.now()
    with server.app_context():
        done = jobs.daily_tiles_job(Occurrence("rollups.daily", now, False, now))
    assert done["indicators"] == 1 and done["kpi_rows"] == 1  # T_DAY at the nation, its only level
    calls.clear()
    with viewing(server):
        assert _same_kpi(kpi_snapshot.uncached(("T_DAY",), "VN")[0], kept[0])
    assert calls == []
    with server.app_context():  # all current: nothing computed
        assert jobs.daily_tiles_job(Occurrence("rollups.daily", now, False, now))["kpi_rows"] == 0
    with engine.begin() as conn:  # a basis of other code is not current either
        conn.execute(text("UPDATE rollup_basis SET build = 'other' WHERE indicator_id = :i"), {"i": day_id})
        assert rollups.refresh_daily(conn)["kpi"]["indicators"] == 1


def test_rol012_a_refresh_leaves_an_indicator_only_the_rows_it_wrote(pg_rollup_world):
    """A refresh replaces every kept row of the indicators it computes: a row it did not write (an
    area that is no longer one of the indicator's, a daily tile at a province that ended) is gone,
    so its basis never vouches for it."""
    server, engine = pg_rollup_world
    _refresh_all(engine)
    with engine.begin() as conn:
        ids = dict(conn.execute(select(schema.indicator.c.code, schema.indicator.c.id)).all())
        stray = conn.execute(text("SELECT id FROM area WHERE id NOT IN (SELECT area_id FROM kpi_rollup "
                                  "WHERE indicator_id = :i) LIMIT 1"), {"i": ids["T_DAY"]}).scalar_one()
        conn.execute(text("INSERT INTO kpi_rollup VALUES (:a, :i, '[]')"), {"a": stray, "i": ids["T_DAY"]})
    _refresh_all(engine)
    with engine.connect() as conn:
        areas = set(conn.execute(text("SELECT area_id FROM kpi_rollup WHERE indicator_id = :i"),
                                 {"i": ids["T_DAY"]}).scalars())
        vn = conn.execute(text("SELECT id FROM area WHERE key = 'VN'")).scalar_one()
    assert areas == {vn}


def test_rol013_a_refresh_across_midnight_keeps_the_day_it_began_on(pg_rollup_world, monkeypatch):
    """A refresh of the daily tiles that begins before midnight and stores after it records the
    day it began on: the next day its tiles are stale (computed again), never yesterday's windows
    vouched for as today's."""
    from datetime import date, timedelta

    from data_access import rollups

    server, engine = pg_rollup_world
    _refresh_all(engine)
    _basis_day(engine, "T_DAY", date.today() - timedelta(days=1))
    days = iter([date.today(), date.today()])  # the staleness check, the refresh's start

    class Clock(date):
        @classmethod
        def today(cls):  # then midnight has passed, while the tiles are computed and stored
            return next(days, date.today() + timedelta(days=1))

    monkeypatch.setattr(rollups, "date", Clock)
    with engine.begin() as conn:
        assert rollups.refresh_daily(conn)["kpi"]["indicators"] == 1
    monkeypatch.undo()
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT day FROM rollup_basis WHERE kind = 'kpi' AND indicator_id = "
                                   "(SELECT id FROM indicator WHERE code = 'T_DAY')")).scalar_one()
    assert stored == date.today()
