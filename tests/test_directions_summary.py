"""The measures' summary (``direction_month``, kept by ``directions.summary`` in every write's
transaction): ``direction_measures`` read from it equals the reference computed from the
directions themselves (``direction_measures_scan``) for every viewer, after every kind of write
(create, approve, edit, progress, done, extension asked, granted and refused, close, return,
cancel), on days either side of month ends; and on the demo. The units' sums the page draws
(``direction_unit_measures``) equal the frame summed per unit. And a unit's list (its selective plan)
ordered as the centre's. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from sqlalchemy import create_engine, select

from data_access import directions as reads
from data_access import schema
from directions import service
from domain import directions as rules
from tests.conftest import BACKENDS, FIXED_UNTIL, _require_pg, app_on, module_warehouse, seeded_url_for

LEADER = service.Actor("lanh.dao", "leader")
ANALYST = service.Actor("chuyen.vien", "analyst")
BCT = service.Actor("bc.bct", "reporter", unit="BCT")
TK = service.Actor("bc.tk", "reporter", unit="TK")
VIEWERS = (rules.Viewer("leader"), rules.Viewer("analyst"), rules.Viewer("analyst", cleared=True),
           rules.Viewer("display"), rules.Viewer("reporter", "BCT"), rules.Viewer("reporter", "TK"),
           rules.Viewer("unit-token", "BYT"), rules.Viewer("reporter", "NOPE"), rules.Viewer("guest"))
DAYS = (date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 16), date(2027, 1, 1))


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=2)  # 09:00 in Hà Nội: the same centre day


def create(conn, actor, day, **fields):
    base = {"title": "Báo cáo nguyên nhân", "leader": "Phó Thủ tướng", "issued_on": day}
    return service.create(conn, actor, {**base, **fields}, at=at(day))


def summed_per_unit(frame: pd.DataFrame) -> pd.DataFrame:
    """The reference of ``direction_unit_measures``: the frame summed per unit with pandas (the days
    late of the months' late closings summed over their number: the mean over every late closing,
    not the mean of the months' means; the load of the frame's last month), units with a closing or
    an open load."""
    last = frame[frame["month"] == frame["month"].max()].set_index("unit")["open_load"]
    frame = frame.assign(closed_late=frame["closed"] - frame["closed_on_time"])
    frame = frame.assign(days_late=(frame["avg_days_overdue"] * frame["closed_late"]).fillna(0.0))
    grouped = frame.groupby("unit", sort=False)
    out = grouped[["unit_vi", "unit_en"]].first().join(grouped[["closed", "closed_on_time"]].sum())
    out["closed_late"] = grouped["closed_late"].sum()
    out["avg_days_overdue"] = (grouped["days_late"].sum() / out["closed_late"].where(out["closed_late"] > 0))
    out["open_load"] = last.reindex(out.index).fillna(0).astype(int)
    return out[(out["closed"] > 0) | (out["open_load"] > 0)].reset_index()


def differences(server, viewers=VIEWERS, days=DAYS, months=(1, 12)) -> int:
    """Assert the summary's measures equal the scan's for every viewer, day and span, and the units'
    sums the frame's; return how many rows the leader's 12 months had on the last day (so that an
    empty pair never passes)."""
    rows = 0
    with server.test_request_context("/"):
        for viewer in viewers:
            for today in days:
                for n in months:
                    got = reads._direction_measures.uncached(viewer, n, today)
                    want = reads.direction_measures_scan(viewer, n, today)
                    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, obj=f"{viewer} {today} {n}")
                    sums = pd.DataFrame(reads._direction_unit_measures.uncached(viewer, n, today),
                                        columns=list(reads.UnitMeasures._fields))
                    pd.testing.assert_frame_equal(sums, summed_per_unit(want), check_exact=False, rtol=1e-12,
                                                  check_dtype=False, check_index_type=False,
                                                  obj=f"sums {viewer} {today} {n}")
                    rows = len(got) if (viewer.role, today, n) == ("leader", days[-1], 12) else rows
    return rows


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, databases, tmp_path_factory):
    url, tmp, engine = module_warehouse(request, databases, tmp_path_factory)
    with app_on(url, tmp) as server:
        yield engine, server
    engine.dispose()


def test_dsm001_the_summary_equals_the_scan_after_every_kind_of_write(world):
    engine, server = world
    refs: dict[str, str] = {}
    steps = [
        ("create A", lambda c: refs.__setitem__("A", create(c, LEADER, "2026-10-20", lead_unit="BCT",
                                                            cooperating_units=["TK"], deadline="2026-11-05"))),
        ("create C (confidential, before the months)", lambda c: refs.__setitem__("C", create(
            c, LEADER, "2026-09-15", lead_unit="TK", deadline="2026-09-30", indicators=["GDP_FLASH"]))),
        ("create B (a draft)", lambda c: refs.__setitem__("B", create(c, ANALYST, "2026-10-31", lead_unit="BYT",
                                                                      deadline="2026-11-30"))),
        ("approve B", lambda c: service.act(c, LEADER, refs["B"], rules.APPROVE, at=at("2026-11-01"))),
        ("edit B", lambda c: service.act(c, LEADER, refs["B"], rules.EDIT, fields={"priority": "urgent"},
                                         at=at("2026-11-01"))),
        ("progress A", lambda c: service.act(c, BCT, refs["A"], rules.PROGRESS, text="Đang làm", at=at("2026-10-31"))),
        ("progress A by the cooperating unit", lambda c: service.act(c, TK, refs["A"], rules.PROGRESS, text="Phối hợp",
                                                                     at=at("2026-11-01"))),
        ("extension asked", lambda c: service.act(c, BCT, refs["A"], rules.REQUEST_EXTENSION, text="Xin gia hạn",
                                                  new_deadline="2026-11-20", at=at("2026-11-01"))),
        ("extension refused", lambda c: service.act(c, LEADER, refs["A"], rules.REFUSE_EXTENSION, text="Không",
                                                    at=at("2026-11-02"))),
        ("extended", lambda c: service.act(c, LEADER, refs["A"], rules.EXTEND, new_deadline="2026-11-20",
                                           at=at("2026-11-02"))),
        ("done A (late)", lambda c: service.act(c, BCT, refs["A"], rules.DONE, text="Xong", at=at("2026-11-25"))),
        ("return A", lambda c: service.act(c, LEADER, refs["A"], rules.RETURN, text="Bổ sung", at=at("2026-11-30"))),
        ("done A again", lambda c: service.act(c, BCT, refs["A"], rules.DONE, text="Xong", at=at("2026-11-30"))),
        ("close A on the first of a month", lambda c: service.act(c, LEADER, refs["A"], rules.CLOSE, at=at("2026-12-01"))),
        ("done C", lambda c: service.act(c, TK, refs["C"], rules.DONE, text="Xong", at=at("2026-09-29"))),
        ("close C on a month's last day", lambda c: service.act(c, LEADER, refs["C"], rules.CLOSE, at=at("2026-11-30"))),
        ("cancel B", lambda c: service.act(c, LEADER, refs["B"], rules.CANCEL, at=at("2026-12-02"))),
        ("create D on a month's last day", lambda c: refs.__setitem__("D", create(c, LEADER, "2026-12-31",
                                                                                  lead_unit="BCT", deadline="2027-01-10"))),
        ("done D, on time", lambda c: service.act(c, BCT, refs["D"], rules.DONE, text="Xong", at=at("2027-01-01"))),
        ("close D in the next year", lambda c: service.act(c, LEADER, refs["D"], rules.CLOSE, at=at("2027-01-01"))),
    ]
    for name, write in steps:
        with engine.begin() as conn:
            write(conn)
        assert differences(server) > 0, name
    with engine.connect() as conn:
        dm = schema.direction_month
        bct = conn.execute(select(dm.c.month, dm.c.closed, dm.c.late, dm.c.late_days).where(
            dm.c.named_agency_id == 0, dm.c.closed > 0).order_by(dm.c.month)).all()
    assert [(str(m), n, late, days) for m, n, late, days in bct] == [
        ("2026-11-01", 1, 0, 0), ("2026-12-01", 1, 1, 10), ("2027-01-01", 1, 0, 0)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_dsm002_the_summary_equals_the_scan_on_the_demo(backend, databases, tmp_path):
    if backend == "postgresql":
        _require_pg()
    url = seeded_url_for(backend, databases)
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(select(schema.direction_month.c.month).limit(1)).first() is not None
    engine.dispose()
    with app_on(url, tmp_path) as server:
        assert differences(server, days=(FIXED_UNTIL, date(FIXED_UNTIL.year, FIXED_UNTIL.month, 1)), months=(1, 12, 60)) > 0


def test_dsm003_a_units_list_is_the_centres_in_the_same_order(world):
    """The list's selective plan (a unit-bound viewer: sorted by ``coalesce(col, col)``, the page's
    ids chosen first) orders as the centre's list does, for every sort, ties broken by id."""
    engine, server = world
    with engine.begin() as conn:
        for day, deadline in (("2026-11-11", "2026-12-20"), ("2026-10-02", "2026-12-24"), ("2026-10-05", "2026-12-24"),
                              ("2026-10-02", "2026-12-01")):
            create(conn, LEADER, day, lead_unit="TK", cooperating_units=["BCT"], deadline=deadline)
    with server.test_request_context("/"):
        for sort in reads.SORTS:
            def refs(viewer, sort=sort, **filters):
                return [r.ref for r in reads.list_directions(reads.DirectionFilters(sort=sort, **filters), page_size=100,
                                                             viewer=viewer, today=DAYS[-1]).rows]
            unit = refs(rules.Viewer("reporter", "BCT"))
            centre = [ref for ref in refs(rules.Viewer("leader")) if ref in set(unit)]
            assert len(unit) >= 4 and unit == centre, sort
            assert refs(rules.Viewer("leader"), unit="TK") == [ref for ref in refs(rules.Viewer("leader"))
                                                                if ref in set(refs(rules.Viewer("leader"), unit="TK"))]
