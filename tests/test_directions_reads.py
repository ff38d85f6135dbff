"""Directions: the contract's reads (list with filters, detail, the wall's board and ticker, the daily
section, an indicator's markers, the compliance rows' counts, the measures) per viewer, checked
against a small world written through the service; confidentiality (a confidential direction is
not listed, not counted and its text never returned to a viewer without the clearance, a display
or another unit); the cache invalidated by a write; and the API for units' tokens (own unit only,
another unit's direction is 404). On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import math
from datetime import date, datetime

import pytest
from sqlalchemy import create_engine, text

from auth.tokens import create_token
from data_access import directions as reads
from directions import service
from domain import directions as rules
from tests.auth_helpers import ORIGIN
from tests.auth_sessions import session_cookies
from tests.conftest import BACKENDS, app_on, build_warehouse, module_warehouse

TODAY = date(2026, 12, 16)  # a Wednesday: the week ends on Sunday the 20th
LEADER = service.Actor("lanh.dao", "leader")
ANALYST = service.Actor("chuyen.vien", "analyst")
BCT = service.Actor("bc.bct", "reporter", unit="BCT")
BYT = service.Actor("bc.byt", "reporter", unit="BYT")
TK = service.Actor("bc.tk", "reporter", unit="TK")
V = {
    "leader": rules.Viewer("leader"), "admin": rules.Viewer("admin"), "analyst": rules.Viewer("analyst"),
    "analyst_c": rules.Viewer("analyst", cleared=True), "display": rules.Viewer("display"),
    "bct": rules.Viewer("reporter", "BCT"), "tk": rules.Viewer("reporter", "TK"), "byt": rules.Viewer("reporter", "BYT"),
    "token_bct": rules.Viewer("unit-token", "BCT"),
}
SECRET_TITLE = "Ước tính nhanh tăng trưởng quý IV — số liệu nội bộ"


def at(day: str, hour: int = 2) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour)


def make(conn, actor, *, title, lead, deadline, created, coop=(), indicators=(), steps=()):
    ref = service.create(conn, actor, {"title": title, "lead_unit": lead, "cooperating_units": list(coop),
                                       "deadline": deadline, "issued_on": created, "indicators": list(indicators),
                                       "leader": "Phó Thủ tướng"}, at=at(created))
    for who, action, day in steps:
        service.act(conn, who, ref, action, text="Báo cáo", at=at(day))
    return ref


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, databases, tmp_path_factory):
    url, tmp, engine = module_warehouse(request, databases, tmp_path_factory)
    with engine.begin() as conn:
        refs = {
            "D1": make(conn, LEADER, title="Báo cáo nguyên nhân chỉ số sản xuất công nghiệp giảm", lead="BCT",
                       coop=("TK",), deadline="2026-12-15", created="2026-12-01", indicators=("IIP_YOY",),
                       steps=[(BCT, rules.PROGRESS, "2026-12-05")]),
            "D2": make(conn, LEADER, title="Tăng cường phòng, chống dịch bệnh mùa đông", lead="BYT",
                       deadline="2026-12-18", created="2026-12-02"),
            "D3": make(conn, LEADER, title=SECRET_TITLE, lead="TK", deadline="2026-12-10", created="2026-12-01",
                       indicators=("GDP_FLASH",), steps=[(TK, rules.PROGRESS, "2026-12-03")]),
            "D4": make(conn, LEADER, title="Thúc đẩy sản xuất công nghiệp chế biến", lead="BCT",
                       deadline="2026-12-08", created="2026-12-01", indicators=("IIP_YOY",),
                       steps=[(BCT, rules.DONE, "2026-12-05"), (LEADER, rules.CLOSE, "2026-12-09")]),
            "D5": make(conn, ANALYST, title="Dự thảo: rà soát giá điện", lead="BCT", deadline="2026-12-16",
                       created="2026-12-10"),
            "D6": make(conn, LEADER, title="Báo cáo tình hình bệnh viện quá tải", lead="BYT", deadline="2026-11-10",
                       created="2026-11-01", steps=[(BYT, rules.DONE, "2026-11-15"), (LEADER, rules.CLOSE, "2026-11-20")]),
            "D7": make(conn, LEADER, title="Bảo đảm cung ứng xăng dầu cuối năm", lead="BCT", deadline="2026-12-16",
                       created="2026-12-11"),
        }
    cookies = session_cookies(engine, "dir", (("leader", "leader", None, False), ("analyst", "analyst", None, False),
                                              ("bct", "reporter", "BCT", False)))
    tokens = {unit: create_token(engine, unit)[0] for unit in ("BCT", "BYT")}
    engine.dispose()
    with app_on(url, tmp) as server:
        yield {"server": server, "refs": refs, "url": url, "tmp": tmp, "cookies": cookies, "tokens": tokens}


def refs_of(world, *names):
    return {world["refs"][n] for n in names}


def read(world, fn, *args, **kwargs):
    with world["server"].test_request_context("/"):
        return fn(*args, **kwargs)


def listed(world, viewer, **filters):
    page = read(world, reads.list_directions, reads.DirectionFilters(**filters), page=1, page_size=100,
                viewer=V[viewer], today=TODAY)
    assert page.total == len(page.rows)
    return {r.ref for r in page.rows}


def test_drd001_who_sees_which_directions(world):
    assert listed(world, "leader") == refs_of(world, "D1", "D2", "D3", "D4", "D5", "D6", "D7")
    assert listed(world, "analyst_c") == listed(world, "leader")
    assert listed(world, "analyst") == refs_of(world, "D1", "D2", "D4", "D5", "D6", "D7")  # not D3
    assert listed(world, "display") == refs_of(world, "D1", "D2", "D4", "D6", "D7")  # no draft, not D3
    assert listed(world, "bct") == refs_of(world, "D1", "D4", "D7") == listed(world, "token_bct")  # not its draft
    assert listed(world, "tk") == refs_of(world, "D1", "D3")  # cooperating, and its own confidential one
    assert listed(world, "byt") == refs_of(world, "D2", "D6")



def test_drd001b_the_total_is_counted_up_to_the_cap(world, monkeypatch):
    whole = read(world, reads._list_directions.uncached, reads.DirectionFilters(), 1, 10, V["leader"], TODAY)
    assert (whole.total, whole.total_exact) == (7, True)
    monkeypatch.setattr(reads, "TOTAL_CAP", 7)
    at_cap = read(world, reads._list_directions.uncached, reads.DirectionFilters(), 1, 10, V["leader"], TODAY)
    assert (at_cap.total, at_cap.total_exact, len(at_cap.rows)) == (7, True, 7)
    monkeypatch.setattr(reads, "TOTAL_CAP", 3)
    capped = read(world, reads._list_directions.uncached, reads.DirectionFilters(), 1, 10, V["leader"], TODAY)
    assert (capped.total, capped.total_exact) == (3, False)  # "more than 3"
    assert capped.rows == whole.rows  # the page itself is not capped

def test_drd002_filters(world):
    assert listed(world, "leader", state="overdue") == refs_of(world, "D1", "D3")
    assert listed(world, "analyst", state="overdue") == refs_of(world, "D1")
    assert listed(world, "leader", state="closed") == refs_of(world, "D4", "D6")
    assert listed(world, "leader", unit="BYT") == refs_of(world, "D2", "D6")
    assert listed(world, "leader", text="SAN XUAT cong nghiep") == refs_of(world, "D1", "D4")
    assert listed(world, "leader", text="sản xuất giảm") == refs_of(world, "D1")
    assert listed(world, "leader", indicator="IIP_YOY") == refs_of(world, "D1", "D4")
    assert listed(world, "leader", deadline_from=date(2026, 12, 15), deadline_to=date(2026, 12, 16)) == refs_of(
        world, "D1", "D5", "D7")
    assert listed(world, "leader", leader="pho thu tuong") == listed(world, "leader")
    assert listed(world, "leader", leader="Phó  THỦ") == listed(world, "leader")
    assert listed(world, "leader", leader="san xuat") == set()  # the leader's name, not the title
    assert listed(world, "analyst", text="uoc tinh nhanh") == set()  # D3's words find nothing without the grant
    page = read(world, reads.list_directions, reads.DirectionFilters(sort="deadline"), page=2, page_size=3,
                viewer=V["leader"], today=TODAY)
    assert (page.total, page.page_size, len(page.rows)) == (7, 10, 0)  # 3 -> the nearest allowed size, 10
    first = read(world, reads.list_directions, reads.DirectionFilters(sort="deadline"), page=1, page_size=10,
                 viewer=V["leader"], today=TODAY)
    assert [r.deadline for r in first.rows] == sorted(r.deadline for r in first.rows)
    d1 = next(r for r in first.rows if r.ref == world["refs"]["D1"])
    assert (d1.overdue, d1.days_overdue, d1.unit) == (True, 1, "BCT")


def test_drd003_detail_and_its_history(world):
    ref = world["refs"]["D4"]
    detail = read(world, reads.direction_detail, ref, V["bct"], today=TODAY)
    assert [e.kind for e in detail.events] == ["create", "done", "close"]
    assert [u.code for u in detail.units] == ["BCT"] and [i.key for i in detail.indicators] == ["IIP_YOY"]
    assert detail.row.closed_on == date(2026, 12, 9) and detail.deadlines[0].deadline == date(2026, 12, 8)
    secret = world["refs"]["D3"]
    for who in ("analyst", "display", "bct", "byt", "token_bct"):
        assert read(world, reads.direction_detail, secret, V[who], today=TODAY) is None, who
    assert read(world, reads.direction_detail, secret, V["tk"], today=TODAY).row.title == SECRET_TITLE


def test_drd004_the_walls_board_and_ticker(world):
    board = read(world, reads.directions_board, TODAY, V["display"])
    assert [(u.unit, u.overdue) for u in board.overdue_by_unit] == [("BCT", 1)]  # TK's confidential one not counted
    assert [r.ref for r in board.due_this_week] == [world["refs"]["D7"], world["refs"]["D2"]]
    assert [r.ref for r in board.recently_closed] == [world["refs"]["D4"]]
    assert (board.open_total, board.overdue_total) == (3, 1)
    full = read(world, reads.directions_board, TODAY, V["leader"])
    assert [(u.unit, u.overdue) for u in full.overdue_by_unit] == [("BCT", 1), ("TK", 1)]
    assert (full.open_total, full.overdue_total) == (4, 2)
    ticker = read(world, reads.ticker_directions, TODAY, V["display"])
    assert [(t.ref, t.unit, t.days_overdue) for t in ticker] == [(world["refs"]["D1"], "BCT", 1)]
    assert SECRET_TITLE not in repr(board) + repr(ticker)
    assert [t.days_overdue for t in read(world, reads.ticker_directions, TODAY, V["leader"])] == [6, 1]


def test_drd004b_the_pages_counts_in_one_read(world):
    counts = {name: read(world, reads.direction_counts, TODAY, viewer) for name, viewer in V.items()}
    assert counts["display"] == (3, 1, 2, 1)  # D1 D2 D7 open (D1 overdue), D7 D2 due this week, D4 closed
    assert counts["leader"] == counts["analyst_c"] == (4, 2, 2, 1)  # and D3, confidential and overdue
    assert counts["bct"] == (2, 1, 1, 1)  # its own: D1 (overdue) and D7 (due today) open, D4 closed
    for name, viewer in V.items():  # the board's totals and lists (none reaches its limit here)
        board = read(world, reads.directions_board, TODAY, viewer)
        assert counts[name] == (board.open_total, board.overdue_total, len(board.due_this_week),
                                len(board.recently_closed)), name


def test_drd004c_the_cards_count_past_the_boards_lists(databases, tmp_path, monkeypatch):
    """The wall's board lists at most 20 directions due this week and 10 recently closed; the
    page's cards count every one."""
    from views import directions as view

    url = databases.new("sqlite")
    engine = build_warehouse(url, tmp_path)
    with engine.begin() as conn:
        for i in range(21):
            make(conn, LEADER, title=f"Báo cáo tiến độ {i}", lead="BYT", deadline="2026-12-18", created="2026-12-01")
        for i in range(11):
            make(conn, LEADER, title=f"Báo cáo kết quả {i}", lead="BCT", deadline="2026-12-10", created="2026-12-01",
                 steps=[(BCT, rules.DONE, "2026-12-05"), (LEADER, rules.CLOSE, "2026-12-09")])
    engine.dispose()
    monkeypatch.setattr(view, "center_today", lambda: TODAY)
    with app_on(url, tmp_path) as server, server.test_request_context("/"):
        board = reads.directions_board(TODAY, V["leader"])
        assert (len(board.due_this_week), len(board.recently_closed)) == (20, 10)
        assert view.counts() == {"open": 21, "overdue": 0, "week": 21, "closed": 11}


def test_drd005_daily_markers_and_compliance_counts(world):
    daily = read(world, reads.daily_directions, TODAY, V["analyst"])
    assert [r.ref for r in daily.due_today] == [world["refs"]["D7"]]  # the draft due today is not listed
    assert [r.ref for r in daily.overdue] == [world["refs"]["D1"]]
    assert [r.ref for r in read(world, reads.daily_directions, TODAY, V["leader"]).overdue] == [
        world["refs"]["D3"], world["refs"]["D1"]]
    markers = read(world, reads.indicator_direction_markers, "IIP_YOY", V["analyst"])
    assert [(m.ref, m.issued_on, m.closed_on) for m in markers] == [
        (world["refs"]["D1"], date(2026, 12, 1), None), (world["refs"]["D4"], date(2026, 12, 1), date(2026, 12, 9))]
    assert read(world, reads.indicator_direction_markers, "GDP_FLASH", V["analyst"]) == ()
    assert len(read(world, reads.indicator_direction_markers, "GDP_FLASH", V["leader"])) == 1
    assert read(world, reads.unit_open_directions, TODAY, V["leader"]) == {"BCT": (2, 1), "BYT": (1, 0), "TK": (1, 1)}
    assert read(world, reads.unit_open_directions, TODAY, V["analyst"]) == {"BCT": (2, 1), "BYT": (1, 0)}


def test_drd006_measures_per_unit_and_month(world):
    frame = read(world, reads.direction_measures, V["leader"], months=2, today=TODAY)
    assert list(frame.columns) == list(reads.MEASURE_COLUMNS)
    rows = {(r.unit, r.month): r for r in frame.itertuples()}
    dec, nov = date(2026, 12, 1), date(2026, 11, 1)
    bct = rows[("BCT", dec)]
    assert (bct.closed, bct.closed_on_time, bct.on_time_rate, bct.open_load) == (1, 1, 1.0, 2)  # D1, D7 open
    byt = rows[("BYT", nov)]
    assert (byt.closed, byt.closed_on_time, byt.on_time_rate, byt.avg_days_overdue) == (1, 0, 0.0, 5.0)
    assert rows[("BYT", dec)].open_load == 1 and math.isnan(rows[("BYT", dec)].on_time_rate)
    assert rows[("TK", dec)].open_load == 1
    assert "TK" not in set(read(world, reads.direction_measures, V["analyst"], months=2, today=TODAY)["unit"])


def test_drd007_a_write_invalidates_every_cached_read(world):
    from sqlalchemy import create_engine

    before = listed(world, "leader", state="in_progress")
    engine = create_engine(world["url"])
    try:
        with engine.begin() as conn:
            service.act(conn, BYT, world["refs"]["D2"], rules.PROGRESS, text="Đang triển khai", at=at("2026-12-12"))
    finally:
        engine.dispose()
    assert listed(world, "leader", state="in_progress") == before | refs_of(world, "D2")


def mentions_secret(body: str) -> bool:
    """D3's title in a body, as it is or JSON-escaped (the API writes ASCII JSON)."""
    return SECRET_TITLE in body or json.dumps(SECRET_TITLE)[1:-1] in body


def client(world, who=None, token=None):
    c = world["server"].test_client()
    if who:
        c.set_cookie("occ_session", world["cookies"][who])
    return c, ({"Authorization": f"Bearer {world['tokens'][token]}"} if token else {})


def report(c, headers, ref, kind, text="x", payload=None, **form):
    """POST a unit's report on ``ref`` (with one file named bao-cao.pdf holding ``payload``)."""
    files = {"files": [(io.BytesIO(payload), "bao-cao.pdf")]} if payload is not None else {}
    return c.post(f"/api/v1/directions/{ref}/reports", headers=headers, content_type="multipart/form-data",
                  data={"kind": kind, "text": text, **form, **files})


@pytest.fixture
def guarded(world):
    """The same warehouse with access control on (tokens and sessions are checked)."""
    with app_on(world["url"], world["tmp"], auth_required=True) as server:
        yield {**world, "server": server}


def test_dap001_a_units_token_reads_its_own_directions_and_others_are_404(guarded):
    c, bct = client(guarded, token="BCT")
    res = c.get("/api/v1/directions", headers=bct)
    assert res.status_code == 200
    assert {i["ref"] for i in res.get_json()["items"]} == refs_of(guarded, "D1", "D4", "D7")
    assert c.get(f"/api/v1/directions/{guarded['refs']['D4']}", headers=bct).get_json()["state"] == "closed"
    for other in ("D2", "D3", "D5"):  # another unit's, a confidential one of another unit, its own draft
        res = c.get(f"/api/v1/directions/{guarded['refs'][other]}", headers=bct)
        assert res.status_code == 404 and res.get_json()["error"]["code"] == "not_found", other
        assert not mentions_secret(res.get_data(as_text=True))
        assert report(c, bct, guarded["refs"][other], "progress").status_code == 404, other
    assert c.get("/api/v1/directions/NV-1999-00001", headers=bct).status_code == 404


def test_dap002_a_unit_reports_through_the_api_with_an_attachment(guarded):
    c, byt = client(guarded, token="BYT")
    ref = guarded["refs"]["D2"]
    res = report(c, byt, ref, "done", "Đã hoàn thành", b"%PDF-1.4\nbao cao\n%%EOF\n")
    assert res.status_code == 201 and res.get_json()["state"] == "reported_done"
    body = c.get(f"/api/v1/directions/{ref}", headers=byt).get_json()
    done = [e for e in body["events"] if e["kind"] == "done"]  # (the world's other events are dated later than now)
    assert len(done) == 1 and body["attachments"][0]["content_type"] == "application/pdf"
    # the file, downloaded by who may see the direction (each download audited), not by another unit
    url = f"/direction-files/{ref}/{body['attachments'][0]['id']}"
    leader, _ = client(guarded, "leader")
    got = leader.get(url)
    assert got.status_code == 200 and got.data == b"%PDF-1.4\nbao cao\n%%EOF\n"
    assert "attachment" in got.headers["Content-Disposition"] and got.headers["Content-Type"] == "application/pdf"
    assert client(guarded, "bct")[0].get(url).status_code == 404  # BCT is not on BYT's direction
    with create_engine(guarded["url"]).connect() as conn:
        logged = conn.execute(text("SELECT actor, target, detail FROM audit_log WHERE action = 'direction.file'")).all()
    assert [(a, t) for a, t, _ in logged] == [("dir.leader", url.removeprefix("/direction-files/"))], logged
    assert "bao-cao.pdf" in logged[0][2]
    res = report(c, byt, ref, "progress", payload=b"just text")
    assert res.status_code == 409  # reported done: no progress any more (the state is judged before the files)
    res = report(c, byt, guarded["refs"]["D6"], "extension")
    assert res.status_code == 409 and res.get_json()["key"] == "dir.err.not_allowed"
    res = report(c, byt, ref, "whatever")
    assert res.status_code == 422


def test_dap003_refused_files_and_fields_are_422(guarded):
    c, bct = client(guarded, token="BCT")
    ref = guarded["refs"]["D7"]
    res = report(c, bct, ref, "progress", payload=b"MZ\x90\x00 an executable")
    assert res.status_code == 422 and (res.get_json()["key"], res.get_json()["field"]) == ("dir.err.file_type", "files")
    res = report(c, bct, ref, "extension", "Xin thêm", new_deadline="2026-01-01")
    assert res.status_code == 422 and res.get_json()["field"] == "new_deadline"


def test_dap004_sessions_by_role_and_no_confidential_text(guarded):
    c, _ = client(guarded, "analyst")
    body = c.get("/api/v1/directions?page_size=100").get_data(as_text=True)
    assert json.loads(body)["total"] == 6 and not mentions_secret(body)
    assert c.get(f"/api/v1/directions/{guarded['refs']['D3']}").status_code == 404
    c, _ = client(guarded, "leader")
    assert mentions_secret(c.get(f"/api/v1/directions/{guarded['refs']['D3']}").get_data(as_text=True))
    c, _ = client(guarded, "bct")
    assert {i["ref"] for i in c.get("/api/v1/directions").get_json()["items"]} == refs_of(guarded, "D1", "D4", "D7")
    assert c.get("/api/v1/directions?state=nope").status_code == 400
    url = f"/api/v1/directions/{guarded['refs']['D7']}/reports"
    res = c.post(url, data={"kind": "progress", "text": "x"}, headers={"Origin": "https://elsewhere.example"})
    assert res.status_code == 403  # a signed-in reporter's post from another site: refused by the guard
    res = c.post(url, data={"kind": "progress", "text": "Đang làm"}, headers={"Origin": ORIGIN})
    assert res.status_code == 201 and res.get_json()["state"] == "in_progress"


def test_dap005_the_openapi_document_declares_the_routes(guarded):
    c, bct = client(guarded, token="BCT")
    doc = c.get("/api/v1/openapi.json", headers=bct).get_json()
    for path in ("/api/v1/directions", "/api/v1/directions/{ref}", "/api/v1/directions/{ref}/reports"):
        assert path in doc["paths"], path
    assert doc["paths"]["/api/v1/directions/{ref}/reports"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert "Direction" in doc["components"]["schemas"]
