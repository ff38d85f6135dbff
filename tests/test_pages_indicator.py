"""The indicator page and the catalogue: layouts built from the URL, callbacks called directly with
realistic inputs, and their figures and tables checked against the data layer. Also the pure
pieces they use (period labels, the era break, option lists, grid rows)."""

from __future__ import annotations

import math
from datetime import date
from urllib.parse import unquote

import pandas as pd
import plotly.graph_objects as go
import pytest
from dash.exceptions import PreventUpdate

from components import controls, grid
from components.indicator_charts import era_break_x, series_figure, short_period
from data_access.catalogue import area_map, get_indicator
from domain.eras import crosses_switch
from i18n import fmt_number
from tests.utils import bar_rows, hrefs_of_links, page_fixture
from tests.utils import ids_in as _ids
from tests.utils import text_of as _text
from tests.utils import walk as _walk

page = page_fixture("page", "dashboards.indicator")
catalogue = page_fixture("catalogue", "dashboards.indicators")


def _update_series(page, *args):
    """The trend callback, its figure read back as a Plotly figure (the page sends the JSON form),
    with the rows of the table callback (once its holder is shown) for the same view; the text
    alternative is left out (tests/test_chart_alt.py)."""
    fig, *rest, _alt = page.update_series(*args)
    return (go.Figure(fig), *rest, page.update_table(True, *args))


def _update_focus(page, *args):
    """The focus callback, its breakdown read back as rows of its list of bars (components/barlist.py),
    with the revisions of the indicator's card (once its holder is shown) for the same focus; the
    text alternative is left out (tests/test_chart_alt.py)."""
    summary, bars, title, note, _alt = page.update_focus(*args)
    focus, code, lang = args[0], args[-2], args[-1]
    return summary, bar_rows(bars), title, note, page.update_meta(True, focus, code, lang)[1]


def _trace(fig, name):
    return next(tr for tr in fig.data if tr.name == name)


# --- layout from the URL ---------------------------------------------------------------------------------


def test_ipc001_layout_restores_the_view_from_the_url(page):
    lay = page.layout(code="EXPORTS", areas="VN,R2,01", start="202401", end="202606", mode="yoy",
                      comparable="on", area="R2", lang="en")
    found = _ids(lay)
    assert found[page.ids.areas].value == ["VN", "R2", "01"]
    assert found[page.ids.start].value == "202401"
    assert found[page.ids.end].value == "202606"
    assert found[page.ids.mode].value == "yoy"
    assert found[page.ids.comparable].value == ["on"]
    assert found[page.ids.focus].data == "R2"
    assert found[page.ids.lang].data == "en"
    assert "Merchandise exports" in _text(lay)


def test_ipc001b_the_trend_is_drawn_by_the_page_from_the_callbacks_figure(page):
    """The trend is a line chart the page draws (assets/linechart.js), no Plotly graph. The layout
    holds the page's frame only: the trend and the area in focus come from their own callbacks,
    which the browser calls as soon as the page is there (each answer the size of one chart's)."""
    from dash._callback import GLOBAL_CALLBACK_LIST

    lay = page.layout(code="EXPORTS", areas="VN,R2,01", start="202401", end="202606", lang="en")
    found = _ids(lay)
    chart = found[page.ids.trend]
    assert chart["namespace"] == "occ_chart" and chart["type"] == "LineChart"
    assert chart["props"]["figure"] == {}  # drawn by update_series, not by the layout
    assert found[page.ids.summary].children is None and found[page.ids.breakdown].children is None
    assert found[page.ids.trend_title].children == page.update_series(["VN"], "202401", "202606", "value", [], "EXPORTS", "en")[1]
    fig = page.update_series(["VN", "R2", "01"], "202401", "202606", "value", [], "EXPORTS", "en")[0]
    assert len(fig["data"]) == 3
    assert not [c for c in _walk(lay) if type(c).__name__ == "Graph"]
    initial = {c["output"]: c.get("prevent_initial_call") for c in GLOBAL_CALLBACK_LIST
               if f"{page.ids.trend}.figure" in c["output"] or f"{page.ids.summary}.children" in c["output"]}
    assert len(initial) == 2 and not any(initial.values()), initial


def test_ipc002_defaults_when_the_url_names_nothing(page):
    from data_access.series import indicator_coverage

    lay = page.layout(code="EXPORTS")
    found = _ids(lay)
    cov = indicator_coverage("EXPORTS")
    assert found[page.ids.end].value == cov.last_period == "202611"
    assert found[page.ids.start].value == "202312"  # 36 months
    assert found[page.ids.areas].value == ["VN"]
    assert found[page.ids.mode].value == "value"
    assert found[page.ids.comparable].value == []
    assert "Kim ngạch xuất khẩu hàng hóa" in _text(lay)


@pytest.mark.parametrize("code", ["NO_SUCH_CODE", "GDP_FLASH", ""])
def test_ipc003_unknown_or_confidential_code_is_a_clear_page(page, code):
    lay = page.layout(code=code)
    text = _text(lay)
    assert "Không tìm thấy chỉ tiêu" in text
    links = [c for c in _walk(lay) if type(c).__name__ == "Link"]
    assert any(link.href == "/indicators" for link in links)
    en = _text(page.layout(code=code, lang="en"))
    assert "Indicator not found" in en


def test_ipc004_read_view_cleans_what_the_url_says(page):
    from data_access.catalogue import get_indicator
    from data_access.series import indicator_coverage

    ind = get_indicator("EXPORTS")
    cov = indicator_coverage("EXPORTS")
    view = page.read_view(ind, cov, areas="VN,XX,R2,R2", start="2024Q1", end="209912", mode="bar", area="ZZ")
    assert view.areas == ("VN", "R2")  # unknown dropped, duplicates removed
    assert view.end == "202611"  # clamped to the data
    assert view.start == "202312"  # wrong periodicity: default span
    assert view.mode == "value" and view.focus == "VN" and view.comparable is False
    swapped = page.read_view(ind, cov, start="202606", end="202401")
    assert (swapped.start, swapped.end) == ("202401", "202606")
    national = get_indicator("GDP_PER_CAPITA_USD")  # levels: nation only
    view = page.read_view(national, indicator_coverage(national.code), areas="VN,01,R1", area="01")
    assert view.areas == ("VN",) and view.focus == "VN"


# --- the series callback ------------------------------------------------------------------------------------


def test_ipc010_trend_values_equal_the_data_layer(page):
    from data_access.queries import regional_series, series

    fig, title, notes, rows = _update_series(page, ["VN", "R2", "01"], "202401", "202611", "value", [], "EXPORTS", "vi")
    assert title == "Diễn biến theo kỳ (tỷ USD)"
    expected = series("EXPORTS", ("VN",), "202401", "202611")
    vn = _trace(fig, "Cả nước")
    assert list(vn.y) == pytest.approx(list(expected["value"]))
    assert [pd.Timestamp(x).date() for x in vn.x] == list(expected["period_start"])
    hanoi = series("EXPORTS", ("01",), "202401", "202611")
    assert list(_trace(fig, "Hà Nội").y) == pytest.approx(list(hanoi["value"]))
    rs = regional_series("EXPORTS", "202401", "202611")
    r2 = rs[rs["region_key"] == "R2"]
    assert list(_trace(fig, "Đồng bằng sông Hồng (từ 07/2025)").y) == pytest.approx(list(r2["value"]))
    # the range crosses 2025-07-01 and a region is shown: a visible break with its note (the other
    # lines are the directions' markers, one for each date a direction about it was issued or closed)
    from components.directions import MARKER_NAME
    from views.directions import markers

    assert [s.type for s in fig.layout.shapes if s.name != MARKER_NAME] == ["line"]
    dates = sorted(m[k].isoformat() for m in markers("EXPORTS") for k in ("issued_on", "closed_on") if m[k])
    assert dates, "the demo has directions about EXPORTS"
    assert sorted(str(s.x0)[:10] for s in fig.layout.shapes if s.name == MARKER_NAME) == dates
    assert "Từ 01/07/2025: 34 tỉnh, thành phố" in [a.text for a in fig.layout.annotations]
    assert any("Địa giới thay đổi" in _text(n) for n in notes)
    assert fig.layout.separators == ",."


def test_ipc011_old_era_provinces_are_labelled_and_never_mixed(page):
    from data_access.queries import series

    fig, _, _, rows = _update_series(page, ["VN", "08-63", "08"], "202401", "202611", "value", [], "EXPORTS", "vi")
    names = [tr.name for tr in fig.data]
    assert "Tuyên Quang (trước 07/2025)" in names and "Tuyên Quang (từ 07/2025)" in names
    old = _trace(fig, "Tuyên Quang (trước 07/2025)")
    new = _trace(fig, "Tuyên Quang (từ 07/2025)")
    assert max(pd.Timestamp(x).date() for x in old.x) < date(2025, 7, 1) <= min(pd.Timestamp(x).date() for x in new.x)
    assert list(old.y) == pytest.approx(list(series("EXPORTS", ("08-63",), "202401", "202611")["value"]))
    assert {r["area"] for r in rows} == {"Cả nước", "Tuyên Quang (trước 07/2025)", "Tuyên Quang (từ 07/2025)"}
    # nation only: nothing changed, no break
    fig, _, notes, _ = _update_series(page, ["VN"], "202401", "202611", "value", [], "EXPORTS", "vi")
    assert not fig.layout.shapes and notes == [] or all("Địa giới" not in _text(n) for n in notes)


def test_ipc012_change_on_last_year(page):
    from data_access.queries import series

    fig, title, _, rows = _update_series(page, ["VN"], "202501", "202611", "yoy", [], "EXPORTS", "vi")
    assert title == "Thay đổi so với cùng kỳ năm trước (%)"
    s = series("EXPORTS", ("VN",), "202401", "202611").set_index("period")["value"]
    expected = [(s[p] / s[str(int(p[:4]) - 1) + p[4:]] - 1) * 100 for p in s.index if p >= "202501"]
    assert list(fig.data[0].y) == pytest.approx(expected)
    first = next(r for r in rows if r["period_start"] == "2025-01-01")
    assert first["change_shown_fmt"].endswith("%") and first["change_shown_fmt"][0] in "+−±"
    # rates change in percentage points
    fig, title, _, rows = _update_series(page, ["VN"], "202501", "202611", "yoy", [], "CPI_YOY", "vi")
    c = series("CPI_YOY", ("VN",), "202401", "202611").set_index("period")["value"]
    assert title.endswith("(điểm %)")
    assert list(fig.data[0].y) == pytest.approx([c[p] - c[str(int(p[:4]) - 1) + p[4:]] for p in c.index if p >= "202501"])
    assert any(r["change_shown_fmt"].endswith("điểm %") for r in rows)


def test_ipc013_target_line_for_levels_not_for_flows(page):
    from data_access.kpis import indicator_targets, ytd_against_target

    fig, _, _, _ = _update_series(page, ["VN"], "202401", "202611", "value", [], "CPI_YOY", "vi")
    target = next(tr for tr in fig.data if (tr.meta or {}).get("role") == "target")
    targets = indicator_targets("CPI_YOY").set_index("year")["value"]
    ys = [y for y in target.y if y is not None]
    assert ys == pytest.approx([targets[2024]] * 2 + [targets[2025]] * 2 + [targets[2026]] * 2)
    assert any("Kế hoạch 2026: ≤" in (a.text or "") for a in fig.layout.annotations)
    # a flow (monthly exports) has an annual total as target: no line, the summary says YTD vs target
    fig, _, _, _ = _update_series(page, ["VN"], "202401", "202611", "value", [], "EXPORTS", "vi")
    assert not any((tr.meta or {}).get("role") == "target" for tr in fig.data)
    summary = _update_focus(page, "VN", "202401", "202611", "value", [], "EXPORTS", "vi")[0]
    ytd = ytd_against_target("EXPORTS")
    text = _text(summary)
    assert "Lũy kế 11 tháng năm 2026" in text
    assert f"{ytd['share'] * 100:.1f}".replace(".", ",") + "%" in text


def test_ipc014_comparable_series(page):
    from data_access.queries import comparable_series

    fig, _, notes, rows = _update_series(page, ["VN", "08-63", "01"], "202401", "202611", "value", ["on"], "EXPORTS", "vi")
    names = [tr.name for tr in fig.data]
    assert names == ["Cả nước", "Tuyên Quang", "Hà Nội"]  # the former province shown on today's boundaries
    cs = comparable_series("EXPORTS", ("08", "01"), "202401", "202611")
    assert list(_trace(fig, "Tuyên Quang").y) == pytest.approx(list(cs[cs["area_key"] == "08"]["value"]))
    assert any("tính lại theo địa giới hiện nay" in _text(n) for n in notes)
    rebuilt = [r for r in rows if r["area"] == "Tuyên Quang" and r["period_start"] < "2025-07-01"]
    assert rebuilt and all(r["obs_status"] == "Tính lại theo địa giới mới" for r in rebuilt)
    # an indicator without a rebuilding rule: "not comparable", never a silent mix
    fig, _, notes, rows = _update_series(page, ["08"], "202401", "202611", "value", ["on"], "CPI_YOY", "vi")
    lost = [r for r in rows if r["period_start"] < "2025-07-01"]
    assert lost and all(r["value_fmt"] == "Không so sánh được" and r["value"] is None for r in lost)
    assert all(y is None for x, y in zip(fig.data[0].x, fig.data[0].y, strict=True)
               if pd.Timestamp(x).date() < date(2025, 7, 1))
    assert "Không so sánh được: Tuyên Quang" in [a.text for a in fig.layout.annotations]
    assert any(s.type == "rect" for s in fig.layout.shapes)
    assert any("Không so sánh được trước 01/07/2025" in _text(n) for n in notes)


def test_ipc015_table_rows_match_the_series_in_both_languages(page):
    from data_access.series import series_with_change

    _, _, _, rows = _update_series(page, ["VN", "01"], "202501", "202611", "value", [], "DOSSIERS_RECEIVED", "vi")
    df = series_with_change("DOSSIERS_RECEIVED", ("VN", "01"), "202501", "202611")
    assert len(rows) == len(df)
    by_id = {r["row_id"]: r for r in rows}
    for r in df.itertuples():
        row = by_id[f"{r.area_key}|{r.period}"]
        assert row["value"] == pytest.approx(r.value)
        assert row["period_start"] == r.period_start.isoformat()
    big = max(rows, key=lambda r: r["value"])
    assert "." in big["value_fmt"] and "," in big["value_fmt"]  # 1.234,5
    _, _, _, rows_en = _update_series(page, ["VN", "01"], "202501", "202611", "value", [], "DOSSIERS_RECEIVED", "en")
    big_en = max(rows_en, key=lambda r: r["value"])
    assert big_en["value_fmt"] == f"{big['value']:,.1f}"  # 1,234.5
    assert big_en["period_label"].startswith(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                              "Nov", "Dec"))


# --- the focus callback: breadcrumb, headline, breakdown, drill ------------------------------------------------


def test_ipc020_breakdown_by_region_equals_regional_aggregates(page):
    from data_access.queries import regional_aggregates

    summary, rows, title, note, revs = _update_focus(page, "VN", "202401", "202611", "value", [], "EXPORTS", "vi")
    agg = regional_aggregates("EXPORTS", "202611").set_index("region_key")["value"]
    decimals = get_indicator("EXPORTS").decimals
    assert {r["key"] for r in rows} == set(agg.index)
    for r in rows:
        assert r["value"] == fmt_number(agg[r["key"]], decimals, "vi")
    assert [r["key"] for r in rows] == list(agg.sort_values(ascending=False).index)  # best first (exports: up is good)
    assert title == "Theo vùng · Tháng 11/2026"
    assert "Cả nước" in _text(summary) and "42,61" in _text(summary)
    # each name drills down: the page focused on that region, compared with the nation, the view kept
    for r in rows:
        assert unquote(r["href"]) == f"/indicator/EXPORTS?areas=VN,{r['key']}&area={r['key']}&start=202401&end=202611"
    assert not any(r["highlight"] for r in rows)


def test_ipc021_region_focus_shows_its_provinces_and_the_path(page):
    from data_access.catalogue import region_members
    from data_access.queries import cross_section

    summary, rows, title, *_ = _update_focus(page, "R2", "202401", "202611", "value", [], "EXPORTS", "en")
    members = region_members(date(2026, 11, 30))["R2"]
    xs = cross_section("EXPORTS", "202611", "province").set_index("area_key")["value"]
    assert {r["key"] for r in rows} == set(members)
    for r in rows:
        assert r["value"] == fmt_number(xs[r["key"]], get_indicator("EXPORTS").decimals, "en")
        assert unquote(r["href"]).startswith(f"/indicator/EXPORTS?areas=VN,R2,{r['key']}&area={r['key']}&")
    assert title.startswith("Provinces · Red River Delta · Nov 2026")
    crumbs = [c for c in _walk(summary) if type(c).__name__ == "Link"]
    assert [c.children for c in crumbs] == ["Viet Nam"]
    assert "area=VN" in crumbs[0].href and "lang=en" in crumbs[0].href
    assert "Red River Delta (from Jul 2025)" in _text(summary)


def test_ipc022_drill_sets_focus_and_compared_areas(page):
    ind, state = get_indicator("EXPORTS"), {"start": "202401", "end": "202611"}
    now, before = date(2026, 11, 30), date(2025, 6, 30)
    href = lambda key, when, state, lang: unquote(page.drill_href(ind, key, when, state, lang))  # noqa: E731
    assert href("R2", now, state, "vi") == "/indicator/EXPORTS?areas=VN,R2&area=R2&start=202401&end=202611"
    assert href("01", now, {}, "en") == "/indicator/EXPORTS?areas=VN,R2,01&area=01&lang=en"
    # a former province drills through the region it belonged to
    assert href("08-63", before, {}, "vi") == "/indicator/EXPORTS?areas=VN,R1-63,08-63&area=08-63"
    # the page drawn from such an address: that focus, compared with its parents
    found = _ids(page.layout(code="EXPORTS", areas="VN,R2,01", area="01"))
    assert found[page.ids.focus].data == "01" and found[page.ids.areas].value == ["VN", "R2", "01"]


def test_ipc023_province_focus_breadcrumb_and_revisions(page):
    summary, rows, title, note, revs = _update_focus(page, "01", "202401", "202611", "value", [], "EXPORTS", "vi")
    crumbs = [c for c in _walk(summary) if type(c).__name__ == "Link"]
    assert [c.children for c in crumbs] == ["Cả nước", "Đồng bằng sông Hồng (từ 07/2025)"]
    assert "Hà Nội" in _text(summary)
    assert [r["key"] for r in rows if r["highlight"]] == ["01"]  # the province stands out among its region
    assert "Lịch sử điều chỉnh · Hà Nội" in _text(revs)
    _, _, _, _, revs = _update_focus(page, "VN", "202401", "202611", "value", [], "BUDGET_EXPENDITURE", "vi")
    assert "Lần 1" in _text(revs) and "Số ban đầu" in _text(revs)


def test_ipc024_national_only_indicator_has_an_empty_state(page):
    sections = [c for c in _walk(page.layout(code="GDP_PER_CAPITA_USD")) if type(c).__name__ == "Section"]
    breakdown = next(s for s in sections if "ind-breakdown-card" in (s.className or ""))
    assert breakdown.hidden is True  # the trend takes the whole row
    summary, rows, *_ = _update_focus(page, "VN", "2016", "2025", "value", [], "GDP_PER_CAPITA_USD", "vi")
    assert rows == [{"empty": "Chỉ tiêu này chỉ có số liệu cấp quốc gia"}]


def test_ipc025_area_options_follow_the_range(page):
    before_after = page.area_choices("202401", "202611", ["VN"], "EXPORTS", "vi")
    labels = {o["value"]: o["label"] for o in before_after}
    assert labels["08-63"] == "Tuyên Quang (trước 07/2025)" and labels["08"] == "Tuyên Quang (từ 07/2025)"
    assert labels["R2"] == "Vùng Đồng bằng sông Hồng (từ 07/2025)"
    assert labels["01"] == "Hà Nội"
    after = {o["value"] for o in page.area_choices("202508", "202611", ["VN"], "EXPORTS", "vi")}
    assert "08" in after and "08-63" not in after and "R2-63" not in after
    assert len([k for k in after if k not in ("VN",) and not k.startswith("R")]) == 34
    kept = {o["value"] for o in page.area_choices("202508", "202611", ["VN", "08-63"], "EXPORTS", "vi")}
    assert "08-63" in kept  # a selected area never silently disappears


# --- catalogue -----------------------------------------------------------------------------------------------


def test_ipc030_catalogue_search_without_diacritics(catalogue):
    sections, count = catalogue.update_results("ty le that nghiep", None, "vi")
    assert count == "3 chỉ tiêu"
    assert set(hrefs_of_links(sections)) == {"/indicator/UNEMPLOYMENT", "/indicator/UNEMPLOYMENT_URBAN",
                                             "/indicator/YOUTH_UNEMPLOYMENT"}
    _, count_en = catalogue.update_results("", "G05", "en")
    assert count_en.endswith("indicators")
    empty, count0 = catalogue.update_results("zzzz qqq", None, "vi")
    assert "Không tìm thấy chỉ tiêu phù hợp" in _text(empty) and count0 == "0 chỉ tiêu"
    sections, _ = catalogue.update_results("", None, "vi")
    links = hrefs_of_links(sections)
    assert len(links) > 100 and "/indicator/GDP_FLASH" not in links  # confidential: not listed


# --- pure pieces -------------------------------------------------------------------------------------------------


def test_ipc040_period_labels_and_the_era_break():
    assert short_period("202507", "vi") == "T7/2025" and short_period("202507", "en") == "Jul 2025"
    assert short_period("2025Q3", "vi") == "Quý III/2025" and short_period("2025-07-14", "vi") == "14/07/2025"
    assert era_break_x("M") == date(2025, 6, 16)  # between June and July
    assert date(2025, 4, 1) < era_break_x("Q") < date(2025, 7, 1)
    assert date(2024, 1, 1) < era_break_x("Y") < date(2025, 1, 1)  # the year 2025 ends in the new era
    assert crosses_switch("202401", "202611") and not crosses_switch("202507", "202611")
    assert not crosses_switch("202301", "202506")


def test_ipc041_series_figure_without_data_is_an_empty_state():
    fig = go.Figure(series_figure(pd.DataFrame(columns=["area_key", "period", "period_start", "value", "status"]),
                                  "value", names={}, unit="%", decimals=1, lang="en"))
    assert fig.layout.annotations[0].text == "No data reported for this period"
    assert fig.layout.xaxis.visible is False


def test_ipc042_grid_rows_keep_numbers_and_show_locale_text():
    rows = grid.with_formatted([{"v": 1234.5}, {"v": math.nan}, {"v": None}], {"v": 1}, "vi")
    assert [r["v"] for r in rows] == [1234.5, None, None]
    assert [r["v_fmt"] for r in rows] == ["1.234,5", "–", "–"]
    assert grid.with_formatted([{"v": 1234.5}], {"v": 1}, "en")[0]["v_fmt"] == "1,234.5"
    assert grid.locale_text("en") is None and grid.locale_text("vi")["contains"] == "Có chứa"
    col = grid.number_col("v", "V")
    assert col["valueFormatter"]["function"] == "params.data ? params.data['v_fmt'] : ''"


def test_ipc043_area_labels_by_era():
    from data_access.catalogue import Area

    old = Area(1, "08-63", "08", "Tuyên Quang", "Tuyen Quang", "province", None, None, date(2025, 6, 30))
    new = Area(2, "08", "08", "Tuyên Quang", "Tuyen Quang", "province", None, date(2025, 7, 1), None)
    both = Area(3, "01", "01", "Hà Nội", "Ha Noi", "province", None, None, None)
    assert controls.area_label(old, "vi") == "Tuyên Quang (trước 07/2025)"
    assert controls.area_label(new, "en") == "Tuyen Quang (from Jul 2025)"
    assert controls.area_label(both, "vi") == "Hà Nội"
    opts = controls.area_options([old, new, both], "vi", date(2025, 8, 1), date(2026, 11, 30))
    assert [o["value"] for o in opts] == ["08", "01"] and opts[0]["label"] == "Tuyên Quang"
    assert controls.is_checked(["on"]) and controls.is_checked("on") and not controls.is_checked([])


def test_ipc044_annual_targets_are_marks_not_invisible_segments():
    df = pd.DataFrame({"area_key": ["VN"] * 3, "period": ["2023", "2024", "2025"],
                       "period_start": [date(2023, 1, 1), date(2024, 1, 1), date(2025, 1, 1)],
                       "value": [6.0, 6.5, 7.1], "status": ["O", "O", "P"]})
    fig = go.Figure(series_figure(df, "value", names={"VN": "Cả nước"}, unit="%", decimals=1, lang="vi",
                                  targets=[(2024, 6.0, "≥"), (2025, 6.5, "≥"), (2030, 9.9, "≥")]))
    target = next(tr for tr in fig.data if (tr.meta or {}).get("role") == "target")
    assert target.mode == "markers" and list(target.y) == [6.0, 6.5]  # years outside the range are left out
    assert list(fig.data[0].marker.symbol) == ["circle", "circle", "circle-open"]  # provisional: hollow


def test_ipc030_span_is_the_coverage_window(page):
    """The window a callback checks its view against (two index probes) is the coverage's."""
    from data_access.catalogue import all_indicators
    from data_access.series import indicator_coverage, indicator_span

    spans = 0
    for ind in all_indicators():
        cov, span = indicator_coverage(ind.code), indicator_span(ind.code)
        assert (span.first_period, span.last_period) == (cov.first_period, cov.last_period), ind.code
        spans += span.last_period is not None
    assert spans > 50


def test_ipc040_the_row_below_the_first_screen_is_read_once_shown(page, monkeypatch):
    """The table of values and the indicator's card (definition, regimes, revisions) sit below the
    first screen: the page reads neither (empty table, empty card in their holders); their
    callbacks read them once their holder is shown, and answer nothing before."""
    lay = page.layout(code="EXPORTS", areas="VN,R2", start="202401", end="202611", area="01", lang="vi")
    found = _ids(lay)
    assert found[page.ids.table].rowData == [] and found[page.ids.meta].children is None
    assert found[page.ids.revisions].children is None

    def no_read(*_a, **_k):
        raise AssertionError("read before shown")

    with monkeypatch.context() as m:
        m.setattr(page, "series_with_change", no_read)
        m.setattr(page, "revision_rows", no_read)
        for shown in (None, False):
            with pytest.raises(PreventUpdate):
                page.update_table(shown, ["VN", "R2"], "202401", "202611", "value", [], "EXPORTS", "vi")
            with pytest.raises(PreventUpdate):
                page.update_meta(shown, "01", "EXPORTS", "vi")
    rows = page.update_table(True, ["VN", "R2"], "202401", "202611", "value", [], "EXPORTS", "vi")
    assert len({r["area"] for r in rows}) == 2 and "Cả nước" in {r["area"] for r in rows} and len(rows) > 20
    assert all("2024-01-01" <= r["period_start"] <= "2026-11-01" and r["value_fmt"] for r in rows)  # the view's span
    meta, revs = page.update_meta(True, "01", "EXPORTS", "vi")
    assert "EXPORTS" in _text(meta) and area_map()["01"].name("vi") in _text(revs)
    with pytest.raises(PreventUpdate):  # a store naming no indicator: nothing to update
        page.update_meta(True, "VN", "NO_SUCH", "vi")
