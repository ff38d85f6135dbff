"""The sectors board: layout from the URL, the board callback (small multiples with pattern ids,
the status count), the table's callback (its rows, once shown) checked against the data layer, and
the group/agency switch."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import pytest
from plotly.utils import PlotlyJSONEncoder

from components.sparkline import spark_points, spark_svg
from components.tiles import ids as sm_ids
from components.tiles import target_is_level
from tests.utils import ids_in as _ids_in
from tests.utils import page_fixture
from tests.utils import text_of as _text
from tests.utils import walk as _walk

page = page_fixture("page", "dashboards.sectors")


def _by_id(tree) -> dict:
    return {c.id: c for c in _walk(tree) if isinstance(getattr(c, "id", None), str)}


def test_sec001_layout_reads_group_or_agency_from_the_url(page):
    found = _by_id(page.layout())
    assert found[page.ids.by].value == "group"
    assert found[page.ids.group].value == "G01" and found[page.ids.agency].value is None
    assert found[page.ids.agency_box].hidden is True
    found = _by_id(page.layout(agency="NHNN", lang="en"))
    assert found[page.ids.by].value == "agency"
    assert found[page.ids.agency].value == "NHNN" and found[page.ids.group].value is None
    assert found[page.ids.group_box].hidden is True
    labels = {o["value"]: o["label"] for o in found[page.ids.agency].options}
    assert labels["NHNN"] == "State Bank of Viet Nam (4)"
    assert not any(code.startswith("UB") for code in labels)  # provinces are not ministries
    found = _by_id(page.layout(group="G07"))
    assert found[page.ids.group].value == "G07"
    assert _by_id(page.layout(group="nope"))[page.ids.group].value == "G01"


def as_json(tree) -> str:
    return json.dumps(tree, cls=PlotlyJSONEncoder, sort_keys=True)


def test_sec001b_the_layout_comes_with_its_first_view_drawn(page):
    """The board, the status count and the export menu are in the layout (one round of callbacks
    fewer before the page settles), the same as the callbacks give for that choice; those
    callbacks answer only a change of choice. The table below the tiles comes without its rows
    (issue 22: its own callback reads them once it is near the screen)."""
    from dash._callback import GLOBAL_CALLBACK_LIST

    for args, kwargs in ((("G03", None), {"group": "G03"}), ((None, "NHNN"), {"agency": "NHNN", "lang": "en"})):
        lang = kwargs.get("lang", "vi")
        found = _by_id(page.layout(**kwargs))
        board, summary = page.update_board(*args, lang)
        assert as_json(found[page.ids.board].children) == as_json(board) and _text(board)
        assert found[page.ids.table].rowData == [] and page.update_table(True, *args, lang)
        assert as_json(found[page.ids.summary].children) == as_json(summary) and _text(summary)
        menu = page.export_menu(*args, lang)
        assert menu is not None and as_json(found[page.ids.export].children) == as_json(menu)
    initial = {c["output"]: c.get("prevent_initial_call") for c in GLOBAL_CALLBACK_LIST
               if f"{page.ids.board}.children" in c["output"] or c["output"] == f"{page.ids.export}.children"}
    assert len(initial) == 2 and all(initial.values()), initial


def test_sec002_board_is_one_small_multiple_per_indicator(page):
    from data_access.catalogue import indicator_map, indicators_frame
    from data_access.queries import kpi_snapshot

    board, summary = page.update_board("G03", None, "vi")
    codes = list(indicators_frame(group="G03")["code"])
    # the cards are fast elements (JSON form): {"type": "Link", "props": {"id", "href", ...}}
    found = _ids_in(board)
    cards = [found[k]["props"] for k in found if json.loads(k)["type"] == "sector-card"]
    assert sorted(c["id"]["code"] for c in cards) == sorted(codes)
    kpis = {k.code: k for k in kpi_snapshot(tuple(codes), "VN")}
    imap = indicator_map()
    for card in cards:
        code = card["id"]["code"]
        assert card["href"] == f"/indicator/{code}"
        charts = [node["props"] for k, node in _ids_in(card["children"]).items() if json.loads(k) == sm_ids.chart(code)]
        if kpis[code].value is None:
            assert not charts
            continue
        (chart,) = charts
        svg = unquote(chart["src"].split(",", 1)[1])
        points = re.search(r"<polyline[^>]* points='([^']+)'", svg).group(1).split()
        assert len(points) == len(kpis[code].spark)
        ys = [float(p.split(",")[1]) for p in points]
        spark = list(kpis[code].spark)
        assert ys.index(min(ys)) == spark.index(max(spark))  # the highest value is drawn highest
        assert ys.index(max(ys)) == spark.index(min(spark))
        has_target = "stroke-dasharray" in svg
        assert has_target == (kpis[code].target is not None and target_is_level(imap[code]))
        assert chart["alt"].startswith("Diễn biến từ ")
    # exceptions first
    order = [page.STATUS_ORDER[kpis[c["id"]["code"]].target_status] for c in cards]
    assert order == sorted(order)
    assert f"{len(codes)} chỉ tiêu" in _text(summary)


def test_sec003_table_rows_match_the_snapshot(page):
    from data_access.catalogue import indicator_map, indicators_frame
    from data_access.queries import kpi_snapshot

    rows = page.update_table(True, None, "NHNN", "vi")
    codes = list(indicators_frame(agency="NHNN")["code"])
    assert sorted(r["code"] for r in rows) == sorted(codes)
    kpis = {k.code: k for k in kpi_snapshot(tuple(codes), "VN")}
    imap = indicator_map()
    for r in rows:
        k = kpis[r["code"]]
        assert r["value"] == pytest.approx(k.value)
        assert r["name_md"] == f"[{imap[r['code']].name_vi}](/indicator/{r['code']})"
        assert r["agency"] == "Ngân hàng Nhà nước Việt Nam"
        if k.status == "P":
            assert "Sơ bộ" in r["marks"]
    credit = next(r for r in rows if r["code"] == "CREDIT_OUTSTANDING")
    assert "." in credit["value_fmt"]  # 20.232 (thousands) in Vietnamese
    growth = next(r for r in rows if r["code"] == "CREDIT_GROWTH")
    assert growth["change_fmt"].endswith("điểm %")  # a rate changes in percentage points
    assert growth["change"] == pytest.approx(kpis["CREDIT_GROWTH"].change_last_year)
    rows_en = page.update_table(True, None, "NHNN", "en")
    credit_en = next(r for r in rows_en if r["code"] == "CREDIT_OUTSTANDING")
    assert "," in credit_en["value_fmt"] and credit_en["href"].endswith("?lang=en")


def test_sec004_status_in_words_and_icon_not_colour_alone(page):
    board, _ = page.update_board("G03", None, "en")
    rows = page.update_table(True, "G03", None, "en")
    cards = [json.loads(k)["code"] for k in _ids_in(board) if json.loads(k)["type"] == "sector-card"]
    assert [r["code"] for r in rows] == cards and cards  # the board's order
    statuses = {r["status"] for r in rows}
    assert statuses <= {"✔ On track", "▲ At risk", "✖ Off track", "– No plan target"}
    texts = _text(board)
    for r in rows:
        assert r["status"].split(" ", 1)[1] in texts


def test_sec005_switch_between_group_and_agency(page):
    groups = [{"label": "a", "value": "G01"}, {"label": "b", "value": "G02"}]
    agencies = [{"label": "x", "value": "BTC"}]
    assert page.switch_dimension("agency", groups, agencies) == (None, "BTC", True, False)
    assert page.switch_dimension("group", groups, agencies) == ("G01", None, False, True)


def test_sec006_empty_selection(page):
    board, summary = page.update_board(None, "BQP", "vi")  # a ministry that owns no indicator
    assert page.update_table(True, None, "BQP", "vi") == [] and "Chưa có chỉ tiêu nào" in _text(board)
    assert page.update_board(None, None, "vi") == (page.no_update, page.no_update)
    assert page.update_table(True, None, None, "vi") == []


def test_sec006b_the_table_reads_nothing_until_shown(page, monkeypatch):
    """Issue 22: until its holder is near the screen, the table's callback answers nothing and
    reads nothing (the board's first answer carries no rows)."""
    from dash.exceptions import PreventUpdate

    monkeypatch.setattr(page, "kpi_snapshot", lambda *a, **k: pytest.fail("read before the table was shown"))
    for shown in (None, False, "yes"):
        with pytest.raises(PreventUpdate):
            page.update_table(shown, "G03", None, "vi")


def test_sec007_spark_geometry():
    pts, ty = spark_points([1.0, 3.0, 2.0], target=4.0)
    assert [x for x, _ in pts] == sorted(x for x, _ in pts)
    assert pts[1][1] < pts[2][1] < pts[0][1]  # SVG y grows downwards
    assert ty < pts[1][1]  # the target (4) above every value
    assert spark_svg([1.0], ["202601"], status=None, lang="vi") == ""
    svg = unquote(spark_svg([1.0, 2.0], ["202512", "202601"], status="off_track", lang="en").split(",", 1)[1])
    assert "Dec 2025" in svg and "Jan 2026" in svg and "#b3261e" in svg


def test_sec007b_a_sparkline_drawn_once_is_the_same_text_for_the_same_values():
    """A sparkline's text is remembered per process: the same values, periods and marks give the
    very text drawn before (lists or tuples alike); any other argument draws anew; a zero's sign
    changes nothing drawn; and the kept text is what a fresh drawing gives."""
    from components.sparkline import _drawn

    args = ([1.0, -0.0, 2.5], ["202510", "202511", "202512"])
    first = spark_svg(*args, status="at_risk", lang="vi", target=3.0)
    assert spark_svg(tuple(args[0]), tuple(args[1]), status="at_risk", lang="vi", target=3.0) is first
    assert spark_svg([1.0, 0.0, 2.5], args[1], status="at_risk", lang="vi", target=3.0) == first
    others = [spark_svg(*args, status="on_track", lang="vi", target=3.0),
              spark_svg(*args, status="at_risk", lang="en", target=3.0),
              spark_svg(*args, status="at_risk", lang="vi", target=2.0),
              spark_svg([1.0, 0.5, 2.5], args[1], status="at_risk", lang="vi", target=3.0),
              spark_svg(*args, variant="tile")]
    assert len({first, *others}) == 6
    _drawn.cache_clear()
    assert spark_svg(*args, status="at_risk", lang="vi", target=3.0) == first
    assert "-0" not in unquote(first) and "nan" not in unquote(first)


def test_sec010_year_to_date_share_from_the_snapshot(page):
    """The board's year-to-date shares come from the snapshot it already holds and equal the
    indicator page's reading (its own KPI and the targets table)."""
    from data_access.catalogue import all_indicators
    from data_access.kpis import is_flow, ytd_against_target, ytd_share
    from data_access.queries import kpi_snapshot

    flows = [i for i in all_indicators() if is_flow(i)]
    kpis = kpi_snapshot(tuple(i.code for i in flows), "VN")
    shares = [ytd_share(k, i) for k, i in zip(kpis, flows, strict=True)]
    assert any(shares)
    for ind, share in zip(flows, shares, strict=True):
        assert share == ytd_against_target(ind.code, "VN")
