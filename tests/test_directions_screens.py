"""Issue 19, the screens: each pre-fill of "Giao nhiệm vụ" (tile, chart, province profile,
compliance row, daily item), what each role sees (a reporter its unit's only; a wall the
summaries of non-confidential directions; confidential directions only for cleared viewers), the
actions each role is offered, and the boards' sections, with the page callbacks called directly
on a seeded warehouse and checked against the directions written through the service."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict
from flask import g
from sqlalchemy import text

from auth.policy import Principal
from components.fast import texts
from tests.conftest import app_on, seeded_sqlite_world

LEADER = Principal(kind="user", role="leader", name="lanhdao", display_name="Phó Thủ tướng")
ANALYST = Principal(kind="user", role="analyst", name="chuyenvien")
CLEARED = Principal(kind="user", role="analyst", name="chuyenvien.mat", confidential=True)
REPORTER_TK = Principal(kind="user", role="reporter", name="tk.bao.cao", unit_code="TK")
REPORTER_BCT = Principal(kind="user", role="reporter", name="bct.bao.cao", unit_code="BCT")
DISPLAY = Principal(kind="display", role="display", name="display:1")


@pytest.fixture(scope="module")
def world(databases, tmp_path_factory):
    """A seeded warehouse with four directions: BCT's on IIP_YOY (open, due in 5 days), TK's on
    CPI_YOY (overdue by 3 days), TK's confidential one on FX_RESERVES (overdue), BCT's closed one."""
    url, tmp, engine = seeded_sqlite_world(databases, tmp_path_factory, "dirscreens")
    with engine.begin() as conn:  # only this test's directions (the demo's are left out)
        for table in ("direction_month", "direction_attachment", "direction_event", "direction_area", "direction_indicator",
                      "direction_unit", "direction"):
            conn.execute(text(f"DELETE FROM {table}"))
    engine.dispose()
    with app_on(url, tmp) as server:
        with as_viewer(server, LEADER) as (today, view, service):
            refs = {}
            with view.write_engine().begin() as conn:
                refs["open"] = service.create(conn, view.actor(), {
                    "title": "Bộ Công Thương báo cáo nguyên nhân IIP giảm", "lead_unit": "BCT",
                    "cooperating_units": ["TK"], "deadline": (today + timedelta(days=5)).isoformat(),
                    "indicators": ["IIP_YOY"], "areas": ["VN"], "origin": "tile"})
                refs["overdue"] = service.create(conn, view.actor(), {
                    "title": "Tổng cục Thống kê làm rõ số liệu CPI", "lead_unit": "TK",
                    "issued_on": (today - timedelta(days=20)).isoformat(),
                    "deadline": (today - timedelta(days=3)).isoformat(), "indicators": ["CPI_YOY"]})
                refs["secret"] = service.create(conn, view.actor(), {
                    "title": "Báo cáo mật về dự trữ ngoại hối", "lead_unit": "TK",
                    "issued_on": (today - timedelta(days=20)).isoformat(),
                    "deadline": (today - timedelta(days=2)).isoformat(), "indicators": ["FX_RESERVES"]})
                refs["closed"] = service.create(conn, view.actor(), {
                    "title": "Bộ Công Thương đánh giá xuất khẩu", "lead_unit": "BCT",
                    "issued_on": (today - timedelta(days=30)).isoformat(),
                    "deadline": (today - timedelta(days=10)).isoformat(), "indicators": ["IIP_YOY"]})
                tk = service.Actor("bct.bao.cao", "reporter", "BCT")
                service.act(conn, tk, refs["closed"], "done", text="Đã hoàn thành")
                service.act(conn, view.actor(), refs["closed"], "close", text="Đồng ý")
        yield server, refs


@contextmanager
def as_viewer(server, principal):
    """A request of ``principal`` (callbacks called directly, as Dash's docs test them)."""
    from data_access.directions import center_today
    from directions import service
    from views import directions as view

    with server.test_request_context("/"):
        g.occ_principal, g.occ_clearance = principal, principal.clearance  # what the guard sets
        g.occ_cache_scope = principal.cache_scope
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": "x.value", "value": None}]))
        yield center_today(), view, service


def _listed(server, principal, **filters) -> list[str]:
    with as_viewer(server, principal) as (_, view, _s):
        return [r["ref"] for r in view.listing(view.filters_from(**filters), page=1, page_size=50, lang="vi").rows]


# --- pre-fills --------------------------------------------------------------------------------------


def test_dsc001_prefill_from_a_national_tile(world):
    """A tile of the nation: the indicator's own agency leads; the title names it and the period."""
    server, _ = world
    with as_viewer(server, LEADER) as (_, view, _s):
        pre = view.prefill("tile", "vi", indicator="IIP_YOY", area="VN", period="202611")
        assert (pre.origin, pre.indicator, pre.area, pre.period) == ("tile", "IIP_YOY", "VN", "202611")
        assert pre.lead_unit == "TK" and pre.cooperating == ()  # IIP_YOY is the statistics office's
        assert pre.title.startswith("Cục Thống kê"), pre.title
        assert "Chỉ số sản xuất" in pre.title and "Tháng 11/2026" in pre.title and " tại " not in pre.title
        assert pre.context == {"indicator": "IIP_YOY", "area": "VN", "period": "202611"}
        en = view.prefill("tile", "en", indicator="IIP_YOY", area="VN", period="202611")
        assert "report the causes" in en.title and "Nov" in en.title


def test_dsc002_prefill_from_a_chart_of_a_province(world):
    """A chart's province: its people's committee leads, the indicator's agency co-operates."""
    server, _ = world
    with as_viewer(server, LEADER) as (_, view, _s):
        pre = view.prefill("chart", "vi", indicator="RETAIL_SALES", area="01", period="202611")
        assert pre.origin == "chart" and pre.lead_unit == "UB01" and pre.cooperating == ("TK",)
        assert "tại Hà Nội" in pre.title


def test_dsc003_prefill_from_a_profile_a_compliance_row_and_a_daily_item(world):
    server, _ = world
    with as_viewer(server, LEADER) as (_, view, _s):
        profile = view.prefill("profile", "vi", area="79")
        assert profile.lead_unit == "UB79" and "Hồ Chí Minh" in profile.title and profile.indicator is None
        row = view.prefill("compliance", "vi", unit="BCT")
        assert row.lead_unit == "BCT" and row.title.startswith("Bộ Công Thương") and "báo cáo" in row.title
        item = view.prefill("daily", "vi", unit="BYT", item="Dịch sốt xuất huyết tăng tại Hà Nội")
        assert item.lead_unit == "BYT" and item.title.endswith("Dịch sốt xuất huyết tăng tại Hà Nội")
        # hostile or unknown values are dropped, never echoed into the form
        junk = view.prefill("<script>", "vi", indicator="NOPE", area="ZZ", period="2026-13", unit="XX")
        assert (junk.origin, junk.indicator, junk.area, junk.period, junk.lead_unit) == ("page", None, None, None, None)


def test_dsc004_the_form_page_carries_the_prefill_and_an_analyst_drafts(world):
    server, _ = world
    from dashboards import direction_new

    with as_viewer(server, LEADER):
        page = direction_new.layout(origin="tile", indicator="IIP_YOY", area="VN", period="202611")
        words = texts(page)
        assert "Giao nhiệm vụ" in words and any(w.startswith("Từ ô chỉ tiêu · Chỉ số sản xuất") for w in words)
    with as_viewer(server, ANALYST):
        assert "Gửi lãnh đạo duyệt" in texts(direction_new.layout(origin="page"))


def test_dsc005_the_tiles_the_chart_the_profile_the_rows_and_the_items_link_to_the_form(world):
    """Every place a leader looks has its "Giao nhiệm vụ", pre-filled with what it shows; a reporter's
    compliance rows have none."""
    server, _ = world
    from dashboards import compliance, daily, indicator, overview, province, sectors

    def hrefs(node) -> list[str]:
        out = []

        def walk(n):
            if isinstance(n, dict) and "props" in n:
                if "assign-link" in str(n["props"].get("className", "")):
                    out.append(n["props"]["href"])
                walk(n["props"].get("children"))
                walk(n["props"].get("tree"))  # fast.static
            elif isinstance(n, (list, tuple)):
                for c in n:
                    walk(c)
            elif hasattr(n, "to_plotly_json"):
                walk(n.to_plotly_json())
        walk(node)
        return out

    with as_viewer(server, LEADER):
        tiles = hrefs(overview.layout())
        assert tiles and all(h.startswith("/directions/new?origin=tile&indicator=") and "area=VN" in h for h in tiles)
        assert any("period=" in h for h in tiles)
        prof = hrefs(province.layout(key="01"))
        assert "/directions/new?origin=profile&area=01" in prof and any("origin=tile" in h and "area=01" in h for h in prof)
        trend = hrefs(indicator.trend_assign(["VN", "01"], "202611", "01", "RETAIL_SALES", "vi"))
        assert trend == ["/directions/new?origin=chart&indicator=RETAIL_SALES&area=01&period=202611"]
        rows = hrefs(compliance.render("UBND-M", "all", "vi")[1])
        assert "/directions/new?origin=compliance&unit=UB01" in rows
        items = hrefs(daily.render("2026-11-25", None, None, "vi")[1])
        assert items and all(h.startswith("/directions/new?origin=daily&unit=") and "item=" in h for h in items)
        cards = hrefs(sectors.update_board(None, "BCT", "vi")[0])  # the sectors board's small multiples
        assert cards and all(h.startswith("/directions/new?origin=tile&indicator=") and "area=VN" in h for h in cards)
    with as_viewer(server, REPORTER_TK):
        assert hrefs(compliance.render("UBND-M", "all", "vi")[1]) == []
        assert hrefs(sectors.update_board(None, "BCT", "vi")[0]) == []  # a reporter does not assign


# --- what each role sees ----------------------------------------------------------------------------


def test_dsc010_a_reporter_sees_only_its_units_directions(world):
    server, refs = world
    assert set(_listed(server, REPORTER_TK)) == {refs["overdue"], refs["secret"], refs["open"]}  # lead or co-operating
    assert set(_listed(server, REPORTER_BCT)) == {refs["open"], refs["closed"]}
    from dashboards import direction

    with as_viewer(server, REPORTER_BCT):
        assert "Không tìm thấy nhiệm vụ" in texts(direction.layout(ref=refs["overdue"]))  # TK's: not told apart
        assert "Bộ Công Thương báo cáo nguyên nhân IIP giảm" in texts(direction.layout(ref=refs["open"]))


def test_dsc011_confidential_stays_confidential(world):
    """A direction on a confidential indicator: not listed, counted, marked or opened for an
    uncleared analyst or a wall; listed for a leader and a cleared analyst."""
    server, refs = world
    assert refs["secret"] in _listed(server, LEADER) and refs["secret"] in _listed(server, CLEARED)
    assert refs["secret"] not in _listed(server, ANALYST)
    from dashboards import direction, indicator

    with as_viewer(server, ANALYST) as (_, view, _s):
        assert view.counts()["overdue"] == 1 and view.markers("FX_RESERVES") == []
        assert "Không tìm thấy nhiệm vụ" in texts(direction.layout(ref=refs["secret"]))
    with as_viewer(server, LEADER) as (_, view, _s):
        assert view.counts()["overdue"] == 2 and [m["ref"] for m in view.markers("FX_RESERVES")] == [refs["secret"]]
        fig = indicator.update_series(["VN"], "202401", "202611", "value", [], "FX_RESERVES", "vi")[0]
        assert any(refs["secret"] in a["text"] for a in fig["layout"]["annotations"])


def test_dsc012_a_wall_shows_the_summaries_of_non_confidential_directions(world):
    server, refs = world
    from dashboards import wall
    from views import wall as wall_view

    for who in (DISPLAY, LEADER):  # a wall reads as a display whoever opened it
        with as_viewer(server, who):
            board = texts(wall._directions({"lang": "vi"}))
            ticker = " ".join(text for _, text in wall_view.alerts("vi"))
            assert "Đang mở 2" in " ".join(board) and "Quá hạn 1" in " ".join(board), board
            assert "Tổng cục Thống kê làm rõ số liệu CPI" in ticker and "3 ngày" in ticker
            assert "dự trữ ngoại hối" not in ticker and "dự trữ ngoại hối" not in " ".join(board)
            assert "Bộ Công Thương đánh giá xuất khẩu" in " ".join(board)  # recently closed


def test_dsc013_actions_by_role(world):
    """What the page offers is the transition table's answer for the viewer's acting role."""
    server, refs = world
    cases = [(LEADER, "open", ("extend", "cancel")), (REPORTER_BCT, "open", ("progress", "done", "request_extension")),
             (REPORTER_TK, "open", ("progress",)), (ANALYST, "open", ()), (LEADER, "closed", ()),
             (REPORTER_BCT, "closed", ())]
    for who, which, offered in cases:
        with as_viewer(server, who) as (_, view, _s):
            assert view.detail(refs[which], "vi")["actions"] == offered, (who.name, which)


def test_dsc014_a_leader_edits_a_directions_text_on_its_page(world):
    """A leader's page has "Sửa nội dung" (folded), pre-filled with the direction's fields; saving
    changes only what differs (audited with the changed fields), nothing changed is said so; a unit
    has no such form and its edit is refused."""
    from dashboards import direction as page

    server, refs = world
    ref = refs["overdue"]

    def folds(node) -> list[str]:
        return [c for c in _classes(node) if c == "dir-edit"]

    with as_viewer(server, LEADER) as (_, view, _s):
        shown = view.detail(ref, "vi")
        assert shown["editable"] and shown["edit_values"]["title"] == "Tổng cục Thống kê làm rõ số liệu CPI"
        assert folds(page.body(ref, "vi")) == ["dir-edit"]
        edits = {**shown["edit_values"], "doc_number": "15/TB-VPCP", "priority": "urgent"}
        done = view.act_on(ref, "edit", text=None, deadline=None, contents=None, names=None, lang="vi", edits=edits)
        assert done.ok, done.message
    with as_viewer(server, LEADER) as (_, view, _s):
        shown = view.detail(ref, "vi")
        assert (shown["edit_values"]["doc_number"], shown["row"]["priority"]) == ("15/TB-VPCP", "urgent")
        again = view.act_on(ref, "edit", text=None, deadline=None, contents=None, names=None, lang="vi", edits=edits)
        assert not again.ok and again.message == "Chưa có thay đổi nào để lưu."
    with as_viewer(server, REPORTER_TK) as (_, view, _s):  # the lead unit
        assert not view.detail(ref, "vi")["editable"] and folds(page.body(ref, "vi")) == []
        refused = view.act_on(ref, "edit", text=None, deadline=None, contents=None, names=None, lang="vi",
                              edits={**edits, "title": "Sửa bởi đơn vị"})
        assert not refused.ok
    with server.app_context():
        from data_access.engine import current_warehouse

        with current_warehouse().engine.connect() as conn:
            logged = conn.execute(text("SELECT actor, detail FROM audit_log WHERE action = 'direction.edit' "
                                       "AND target = :ref"), {"ref": ref}).all()
    assert len(logged) == 1 and logged[0][0] == LEADER.name and '"changes": ["doc_number", "priority"]' in logged[0][1]


def _classes(node) -> list[str]:
    out: list[str] = []

    def walk(n):
        if hasattr(n, "to_plotly_json"):
            n = n.to_plotly_json()
        if isinstance(n, dict) and "props" in n:
            out.extend(str(n["props"].get("className") or "").split())
            walk(n["props"].get("children"))
        elif isinstance(n, (list, tuple)):
            for c in n:
                walk(c)
    walk(node)
    return out


# --- the boards' sections -----------------------------------------------------------------------------


def test_dsc020_list_filters_and_paging(world):
    server, refs = world
    assert _listed(server, LEADER, state="overdue") == [refs["overdue"], refs["secret"]][::1] or \
        set(_listed(server, LEADER, state="overdue")) == {refs["overdue"], refs["secret"]}
    assert _listed(server, LEADER, q="cong thuong bao cao nguyen nhan") == [refs["open"]]  # no diacritics
    assert set(_listed(server, LEADER, unit="BCT")) == {refs["open"], refs["closed"]}
    assert set(_listed(server, LEADER, indicator="IIP_YOY")) == {refs["open"], refs["closed"]}
    assert _listed(server, LEADER, state="<script>") == _listed(server, LEADER)  # a hostile state filters nothing
    from dashboards import directions

    with as_viewer(server, LEADER):
        rows, title, page, prev_off, next_off = directions.render(None, "BCT", None, None, None, None, None, None,
                                                                  0, 0, 1, "vi")
        assert title == "2 nhiệm vụ · Trang 1/1" and page == 1 and prev_off and next_off
        assert {r["ref"] for r in rows} == {refs["open"], refs["closed"]}
        assert all(r["ref_md"] == f"[{r['ref']}](/direction/{r['ref']})" for r in rows)


def test_dsc021_daily_brief_and_measures(world):
    server, refs = world
    from dashboards import daily, directions

    with as_viewer(server, LEADER):
        section = " ".join(texts(daily.render("2026-11-25", None, None, "vi")[1]))
        assert refs["overdue"] in section and refs["secret"] in section and refs["open"] not in section
        cards, charts = directions.overview("vi")
        assert texts(cards)[:2] == ["Đang mở", "3"]
        on_time = charts[0]["props"]["children"][1]["props"]["figure"]
        assert "Công Thương" in on_time["data"][0]["y"]  # closed 10 days late: 0 % on time
    with as_viewer(server, ANALYST):
        section = " ".join(texts(daily.render("2026-11-25", None, None, "vi")[1]))
        assert refs["overdue"] in section and refs["secret"] not in section


def test_dsc022_measures_export_as_a_file(world):
    server, _ = world
    from exports.specs import build

    with as_viewer(server, LEADER):
        chart = build({"kind": "direction_measures", "measure": "days_overdue"}, "vi")
        assert chart.meta.title == "Nhiệm vụ: Số ngày quá hạn bình quân"
        assert chart.table.rows == (("Công Thương", "10,0"),)  # closed 10 days late; none other closed


def test_dsc030_the_walls_board_keeps_to_the_screen():
    """Seven units with a bar, the others in one line with their count; an empty list says so in
    the board's own type."""
    from datetime import date

    from components.directions import WALL_UNITS, wall_board

    units = [(f"Đơn vị {i}", 10 - i) for i in range(WALL_UNITS + 2)]
    board = wall_board({"overdue_by_unit": units, "due_week": [], "closed": [], "counts": {"open": 60, "overdue": 57}},
                       "vi", date(2026, 12, 3))
    classes = _classes(board)
    assert classes.count("wall-rate") == WALL_UNITS and classes.count("wdir-more") == 1
    assert "và 2 đơn vị khác: 5 nhiệm vụ" in str(board)  # 2 + 3 of the last two units
    assert classes.count("wo-more") == 2  # "Không có" due this week, none closed lately
    one_more = _classes(wall_board({"overdue_by_unit": units[:WALL_UNITS + 1]}, "vi", date(2026, 12, 3)))
    assert one_more.count("wall-rate") == WALL_UNITS + 1 and "wdir-more" not in one_more  # never "and 1 more"


def test_dsc023_the_measures_drawn_from_the_units_sums():
    """Each measure per unit from the units' sums (largest first, ties in the units' order), its
    chart (fifteen bars at most, lengths rounded) and its table's rows sent as texts for the browser
    to draw (the store beside the empty body, both with the measure's ids)."""
    from components.directions import measure_block, measure_ids, measures_by_unit_of
    from components.fast import el
    from data_access.directions import UnitMeasures

    nan = float("nan")
    units = [UnitMeasures("BCT", "Công Thương", "Industry and Trade", 3, 2, 1, 4.256, 5),
             UnitMeasures("BYT", "Y tế", "Health", 0, 0, 0, nan, 2),
             UnitMeasures("TK", "Cục Thống kê", "Statistics", 6, 3, 0, nan, 0),
             UnitMeasures("UB37", "UBND Ninh Bình", "Ninh Binh PC", 2, 2, 1, 6.0, 1),  # after 1 July 2025
             UnitMeasures("UB37-63", "UBND Ninh Bình", "Ninh Binh PC", 4, 2, 2, 3.0, 3),  # before: one bar
             UnitMeasures("XD", "Xây dựng", "Construction", 6, 4, 3, 1.0, 0)]
    by_unit = measures_by_unit_of(units, "vi")
    two_thirds = pytest.approx(200 / 3)
    assert by_unit["on_time"] == [("Công Thương", two_thirds), ("UBND Ninh Bình", two_thirds),
                                  ("Xây dựng", two_thirds), ("Cục Thống kê", 50.0)]
    assert by_unit["days_overdue"] == [("Công Thương", 4.256), ("UBND Ninh Bình", 4.0), ("Xây dựng", 1.0)]
    assert by_unit["open"] == [("Công Thương", 5.0), ("UBND Ninh Bình", 4.0), ("Y tế", 2.0)]
    assert [u for u, _ in measures_by_unit_of(units, "en")["open"]] == ["Industry and Trade", "Ninh Binh PC", "Health"]

    late = [("Công Thương", 4.256), ("Xây dựng", 1.0)]
    block = measure_block(late, "days_overdue", "vi", title="Quá hạn", menu=el("Div", id="menu"))
    assert block["props"]["data-measure"] == "days_overdue" and block["props"]["className"] == "dir-measure"
    head, chart, details = block["props"]["children"]
    assert texts(head) == ["Quá hạn"] and head["props"]["children"][1]["props"]["id"] == "menu"
    assert (chart["type"], chart["namespace"]) == ("Graph", "dash_core_components")
    bar = chart["props"]["figure"]["data"][0]
    assert (bar["y"], bar["x"], bar["text"]) == (["Xây dựng", "Công Thương"], [1.0, 4.26], ["1,0", "4,3"])
    assert chart["props"]["config"] == {"displayModeBar": False}
    summary, table, rows = details["props"]["children"]
    assert texts(summary) == ["Xem bảng số liệu"]
    body = table["props"]["children"][2]
    assert (body["type"], body["props"]["id"], body["props"]["children"]) == ("Tbody", measure_ids.body("days_overdue"), [])
    assert (rows["type"], rows["props"]["id"]) == ("Store", measure_ids.rows("days_overdue"))
    assert rows["props"]["data"] == [["Công Thương", "4,3"], ["Xây dựng", "1,0"]]
    many = [(f"Đơn vị {i}", float(i)) for i in range(20, 0, -1)]
    drawn = measure_block(many, "open", "vi", title="", menu=el("Div"))["props"]["children"]
    assert len(drawn[1]["props"]["figure"]["data"][0]["y"]) == 15 and len(drawn[2]["props"]["children"][2]["props"]["data"]) == 20
