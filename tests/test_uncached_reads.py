"""Issue 22, the uncached path of the board callbacks: reads that cost fewer statements or less
planning, with the same answers (the revision history in one pass, a view's cross-section rows
read once)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import select

from data_access import schema
from domain.periods import parse
from tests.test_queries import qapp  # noqa: F401 - the fixture (a small warehouse built for the queries)


def test_unc001_revisions_keep_the_periods_ever_revised_newest_first_up_to_the_limit(qapp):  # noqa: F811
    """Issue 22: the revision history is read in one pass (a window over each period's revisions)
    and holds what "every stored row of a period with a revision > 0" holds: periods revised
    twice, or once, with all their rows; never a period stored once; newest period and revision
    first; cut at ``limit`` rows."""
    from data_access.engine import current_connection
    from data_access.queries import revision_rows

    conn = current_connection()
    ids = dict(conn.execute(select(schema.indicator.c.code, schema.indicator.c.id)).all())
    vn = conn.execute(select(schema.area.c.id).where(schema.area.c.key == "VN")).scalar_one()
    for period, revision, value in (("202301", 1, 1.5), ("202301", 2, 1.7), ("202405", 1, 17.5)):
        p = parse(period)
        conn.execute(schema.observation.insert().values(
            indicator_id=ids["T_SUM"], area_id=vn, period=period, period_start=p.start, value=value, status="O",
            revision=revision, recorded_at=datetime(2025, 1, 1)))
    if conn.in_transaction():  # SQLite; PostgreSQL's request connection is in autocommit
        conn.commit()
    rows = revision_rows.uncached("T_SUM", "VN")
    assert [(r.period, r.revision) for r in rows] == [
        ("202409", 1), ("202409", 0), ("202405", 1), ("202405", 0), ("202301", 2), ("202301", 1), ("202301", 0)]
    assert [r.value for r in rows[:3]] == [21.5, 21.0, 17.5]
    cut = revision_rows.uncached("T_SUM", "VN", limit=3)
    assert [(r.period, r.revision) for r in cut] == [("202409", 1), ("202409", 0), ("202405", 1)]
    assert revision_rows.uncached("T_RATE", "01") == ()  # stored once: no history


def test_unc002_a_view_reads_a_cross_sections_rows_once(qapp, monkeypatch):  # noqa: F811
    """Issue 22: while a view renders, the provinces' cross-section, the nation's and the regional
    aggregates of one indicator and period read their rows with one statement, not three; the
    answers are those of three reads (outside a view, a request reads each time)."""
    from data_access import queries
    from data_access.cache.memo import recording_view
    from data_access.queries import cross_section_rows, regional_aggregate_rows

    statements = []
    real_read = queries._read
    monkeypatch.setattr(queries, "_read", lambda stmt, params=None: statements.append(stmt) or real_read(stmt, params))

    def board():
        return (cross_section_rows.uncached("T_SUM", "202509", "province"),
                cross_section_rows.uncached("T_SUM", "202509", "nation"), regional_aggregate_rows.uncached("T_SUM", "202509"))

    apart = board()
    assert statements.count(queries._XS_SQL) == 3
    statements.clear()
    with recording_view():
        together = board()
    assert statements.count(queries._XS_SQL) == 1
    for a, b in zip(apart, together, strict=True):
        pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b))  # NaN where nothing was reported
    assert {r.region_key: r.value for r in together[2]}["R2"] == 25.0  # 10 + 4 + 3 + 6 + 2, 37 missing


def test_unc003_headline_codes_are_the_headline_frames_codes(seeded_url, tmp_path):
    """Issue 22: the overview and the wall take the headline indicators' codes without building
    the catalogue's frame; the same codes in the same order, for a cleared viewer and an
    uncleared one (a confidential headline indicator is not the uncleared viewer's)."""
    from flask import g

    from app import create_app
    from data_access.catalogue import headline_codes, indicators_frame
    from tests.conftest import make_settings

    server = create_app(make_settings(seeded_url, tmp_path))
    try:
        for clearance in ("public", "all"):
            with server.test_request_context("/"):
                g.occ_clearance = clearance
                codes = headline_codes()
                assert codes and codes == tuple(indicators_frame(headline=True)["code"])
    finally:
        server.extensions["warehouse"].dispose()


def test_unc004_kpi_windows_of_every_periodicity_in_one_statement(qapp, monkeypatch):  # noqa: F811
    """Issue 22: on PostgreSQL, the KPI tiles of daily, monthly, quarterly and yearly indicators
    read their rows in one statement (the daily ones' last weeks and latest days; the others'
    windows, each ending at its own latest period, however old), with no probe of the latest
    periods and no statement per indicator afterwards (SQLite: one per periodicity, then the
    indicators with nothing recent); the tiles are those of reading each periodicity apart."""
    from data_access import queries
    from data_access.catalogue import all_indicators
    from data_access.engine import current_connection

    by = {}
    for ind in all_indicators():
        by.setdefault(ind.periodicity, []).append(ind.code)
    assert {"D", "M", "Q", "Y"} <= set(by)
    codes = tuple(c for p in ("D", "M", "Q", "Y") for c in by[p])
    statements = []
    real_read = queries._read
    monkeypatch.setattr(queries, "_read", lambda stmt, params=None: statements.append(stmt) or real_read(stmt, params))
    together = queries.kpi_snapshot.uncached(codes, "VN")
    # the windows' reads come first; then, for indicators with nothing recent, their latest periods
    windows = statements[:next((n for n, s in enumerate(statements) if s is queries._LATEST_SQL), len(statements))]
    if current_connection().dialect.name == "postgresql":
        assert statements[0] is queries._KPI_ALL_PG_SQL and statements.count(queries._KPI_ALL_PG_SQL) == 1
        names = {id(getattr(queries, n)): n for n in ("_KPI_SQL", "_KPI_DAILY_SQL", "_LATEST_SQL")}
        # a statement of its own only for a daily indicator whose latest value is weeks old
        old = [k.code for k in together if k.code in by["D"] and k.period
               and parse(k.period).start < date.today() - timedelta(days=queries._LAG_DAYS["D"])]
        assert [names[id(s)] for s in statements if id(s) in names] == ["_KPI_SQL"] * len(old)
    else:
        assert windows == [queries._KPI_DAILY_SQL] + [queries._KPI_SQL] * 3
    apart = {k.code: k for p in ("D", "M", "Q", "Y") for k in queries.kpi_snapshot.uncached(tuple(by[p]), "VN")}
    assert [apart[k.code] for k in together] == list(together)
    assert {p for p in ("D", "M", "Q", "Y") if any(k.period is not None for k in together if k.code in by[p])} \
        >= {"D", "M"}  # tiles with values among them, daily ones too


def test_unc005_array_parameters_go_as_their_text_and_come_back_as_the_values(qapp):  # noqa: F811
    """The KPI, scorecard and latest-period statements send their arrays of ids and dates as text
    (:func:`data_access.engine.array_text`; psycopg2 adapts a list an element at a time): the
    server reads the same values back, the earliest date and an empty array included."""
    from sqlalchemy import Date, Integer, func

    from data_access.engine import array_param, array_text, current_connection

    conn = current_connection()
    days = [date(2025, 7, 1), date.min, date(2024, 2, 29)]
    assert array_text([3, -1, 40]) == "{3,-1,40}" and array_text(days) == "{2025-07-01,0001-01-01,2024-02-29}"
    if conn.dialect.name != "postgresql":
        return
    ints = conn.execute(select(func.unnest(array_param("ids", Integer))), {"ids": array_text([3, -1, 40])})
    assert [r[0] for r in ints] == [3, -1, 40]
    dates = conn.execute(select(func.unnest(array_param("days", Date))), {"days": array_text(days)})
    assert [r[0] for r in dates] == days
    assert conn.execute(select(func.unnest(array_param("ids", Integer))), {"ids": array_text([])}).all() == []
