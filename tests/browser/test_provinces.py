"""Browser: the provinces board and the province profile — the map of each era with the
archipelagos, the geometry fetched once, the drill nation → region → province with its
breadcrumb, a real click on a province, a copied link, the back button, both languages; each
journey ends with no console or callback error. Screenshots at 1920x1080 in tests/artifacts."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from components.mapfig import label_points

pytestmark = pytest.mark.browser

GRAPH = "#prov-map"  # the map drawn by the page (assets/map.js, occ_map.ProvinceMap): an SVG, no chart library
VI_NUMBER = re.compile(r"^[\d.]+(,\d+)?$")  # 1.234,5
EN_NUMBER = re.compile(r"^[\d,]+(\.\d+)?$")  # 1,234.5
ARCHIPELAGOS = {"vi": {"Quần đảo Hoàng Sa", "Quần đảo Trường Sa"},
                "en": {"Hoang Sa (Paracel) Islands", "Truong Sa (Spratly) Islands"}}


def _query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def _map_ready(probe, n: int) -> None:
    """Wait until the map has drawn ``n`` provinces."""
    probe.page.wait_for_function(
        """([sel, n]) => { const g = document.querySelector(sel);
            return g && g.dataset.drawn === 'true' && g.querySelectorAll('path[data-key]').length === n; }""",
        arg=[GRAPH, n])
    probe.settle()


def _open_board(probe, url: str, n: int):
    """Open the provinces board at ``url``; its page once the map has drawn ``n`` provinces."""
    probe.goto(url)
    _map_ready(probe, n)
    return probe.page


def _map_state(probe) -> dict:
    return probe.page.evaluate(
        """(sel) => { const g = document.querySelector(sel);
            const shapes = Array.from(g.querySelectorAll('path[data-key]'));
            return {keys: shapes.map(p => p.dataset.key),
                    focused: shapes.filter(p => p.dataset.focused === 'true').map(p => p.dataset.key),
                    xrange: JSON.parse(g.dataset.xrange), legend: Array.from(g.querySelectorAll('.occ-map-legend li')).map(e => e.textContent),
                    labels: Array.from(g.querySelectorAll('.occ-map-label')).map(e => e.textContent)}; }""", GRAPH)


def _province_point(probe, era: str, code: str) -> tuple[float, float]:
    """Page pixel of a point inside province ``code`` (its label point) on the drawn map."""
    lon, lat = label_points(era)[code]
    return tuple(probe.page.evaluate(
        """([sel, lon, lat]) => { const g = document.querySelector(sel), r = g.getBoundingClientRect();
            const [x, y] = g.__occProject(lon, lat);
            return [r.left + x, r.top + y]; }""",
        [GRAPH, lon, lat]))


def _geo_fetches(probe) -> list[str]:
    return probe.page.evaluate(
        "() => performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/assets/geo/'))")


def _choose(probe, dropdown: str, option: str, *, search: bool = True) -> None:
    """Pick ``option`` in a Dash dropdown (typing it first: long lists render only what shows)."""
    probe.page.locator(dropdown).click()
    if search:
        probe.page.locator(".dash-dropdown-search").fill(option)
    # an option is a radio named by its text (assets/a11y.js: Dash's options hold real inputs); its row is clicked
    page = probe.page
    page.locator(".dash-dropdown-option").filter(has=page.get_by_role("radio", name=option)).first.click()


def test_brw201_board_loads_clean_with_the_34_provinces(live_server, probe):
    page = _open_board(probe, live_server("/provinces"), 34)
    state = _map_state(probe)
    assert len(set(state["keys"])) == 34
    assert ARCHIPELAGOS["vi"] <= set(state["labels"])
    q = _query(page.url)  # the defaults were written into the URL
    assert q["indicator"] == "GDP_GROWTH" and re.fullmatch(r"2026Q\d", q["period"])
    assert page.locator("#prov-ranking ol[aria-label='Xếp hạng'] > li").count() >= 30  # a list, not a chart
    assert page.locator("#prov-ranking .js-plotly-plot").count() == 0
    assert page.locator(".prov-regions-table tbody tr").count() == 7  # the nation and six regions
    nation = page.locator(".prov-regions-table tr.nation-row td").first.inner_text()
    assert VI_NUMBER.match(nation), nation
    assert any(re.search(r"\d,\d – \d", name) for name in state["legend"]), state["legend"]
    assert page.locator(".prov-crumbs .crumb").count() == 1
    fetched = _geo_fetches(probe)
    assert len(fetched) == 1 and urlparse(fetched[0]).path == "/assets/geo/provinces_34.geojson"
    probe.screenshot("provinces-vi")
    probe.assert_clean()


def test_brw202_a_2024_period_shows_the_63_provinces_and_changes_in_place(live_server, probe):
    page = _open_board(probe, live_server("/provinces?indicator=RETAIL_SALES&period=202409"), 63)
    state = _map_state(probe)
    assert len(set(state["keys"])) == 63 and "08-63" in state["keys"]
    assert ARCHIPELAGOS["vi"] <= set(state["labels"])
    assert page.locator("#prov-region").inner_text().strip().startswith("Cả nước")
    page.evaluate("() => { window.__same_page = true; }")
    _choose(probe, "#prov-period", "Tháng 9/2025")
    page.wait_for_url(re.compile(r".*[?&]period=202509(&|$)"))
    _map_ready(probe, 34)
    state = _map_state(probe)
    assert ARCHIPELAGOS["vi"] <= set(state["labels"]) and "08-63" not in state["keys"]
    assert page.evaluate("() => window.__same_page === true")  # updated in place, no reload
    _choose(probe, "#prov-period", "Tháng 8/2025")
    page.wait_for_url(re.compile(r".*[?&]period=202508(&|$)"))
    probe.settle()
    fetched = _geo_fetches(probe)
    assert len(fetched) == 2 and {f.rsplit("/", 1)[-1].split("?")[0] for f in fetched} == {
        "provinces_63.geojson", "provinces_34.geojson"}  # each era's geometry once, not per callback
    probe.assert_clean()


def test_brw203_drill_to_a_region_breadcrumb_and_back(live_server, probe):
    page = _open_board(probe, live_server("/provinces?indicator=RETAIL_SALES&period=202509"), 34)
    national = _map_state(probe)["xrange"]
    page.locator(".prov-regions-table button", has_text="Đồng bằng sông Hồng").click()
    page.wait_for_url(re.compile(r".*[?&]region=R2(&|$)"))
    probe.settle()
    expect(page.locator(".prov-crumbs .crumb")).to_have_count(2)
    assert page.locator(".prov-crumbs").inner_text().replace("\n", " ").split() == \
        "Cả nước Đồng bằng sông Hồng".split()
    page.wait_for_function(
        "(sel) => { const r = JSON.parse(document.querySelector(sel).dataset.xrange); return r[1] - r[0] < 8; }",
        arg=GRAPH)
    state = _map_state(probe)
    assert (state["xrange"][1] - state["xrange"][0]) < (national[1] - national[0]) / 2
    assert set(state["focused"]) == {"01", "22", "24", "31", "33", "37"}
    assert "Hà Nội" in state["labels"]
    assert "Đồng bằng sông Hồng" in page.locator("#prov-region").inner_text()
    # the back button returns to the whole country
    page.go_back()
    page.wait_for_url(lambda url: "region=" not in url)
    expect(page.locator(".prov-crumbs .crumb")).to_have_count(1)
    probe.settle()
    # and forward again, then the breadcrumb's "Cả nước" zooms out
    page.go_forward()
    page.wait_for_url(re.compile(r".*[?&]region=R2(&|$)"))
    expect(page.locator(".prov-crumbs .crumb")).to_have_count(2)
    probe.settle()
    page.locator(".prov-crumbs button", has_text="Cả nước").click()
    page.wait_for_url(lambda url: "region=" not in url)
    expect(page.locator(".prov-crumbs .crumb")).to_have_count(1)
    probe.settle()
    probe.assert_clean()


def test_brw204_click_a_province_on_the_map_opens_its_profile(live_server, probe):
    page = _open_board(probe, live_server("/provinces?indicator=RETAIL_SALES&period=202409&region=R2-63"), 63)
    x, y = _province_point(probe, "63", "01")
    page.mouse.move(x - 4, y)
    page.mouse.move(x, y)
    expect(page.locator("#prov-map .occ-map-tip")).to_contain_text("Hà Nội")
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r".*/provinces/01\?indicator=RETAIL_SALES&period=202409$"))
    probe.settle()
    expect(page.locator("h1.page-title")).to_have_text("Hà Nội")
    crumbs = page.locator(".prov-crumbs .crumb")
    expect(crumbs).to_have_count(3)
    assert crumbs.nth(2).inner_text() == "Hà Nội"
    expect(page.locator("#pf-table tbody tr").nth(9)).to_be_visible()
    tile = page.locator(".kpi-value").first.inner_text()
    assert VI_NUMBER.match(tile), tile
    probe.screenshot("province-profile-vi")
    # the region crumb goes back to the board, zoomed on the province's region of that era
    crumbs.nth(1).locator("a").click()
    page.wait_for_url(re.compile(r".*/provinces\?indicator=RETAIL_SALES&period=202409&region=R2-63$"))
    _map_ready(probe, 63)
    page.go_back()
    page.wait_for_url(re.compile(r".*/provinces/01\?"))
    expect(page.locator("h1.page-title")).to_have_text("Hà Nội")
    probe.settle()
    probe.assert_clean()


def test_brw205_ranking_bar_and_keyboard_list_open_profiles(live_server, probe):
    page = _open_board(probe, live_server("/provinces?indicator=CPI_YOY&period=202509&lang=en"), 34)
    page.evaluate("() => { window.__samePage = true; }")
    first = page.locator("#prov-ranking li").first  # the best: the first row
    expect(first.locator(".bar-list-rank")).to_have_text("1.")
    name = first.locator("a.bar-list-name").inner_text()
    # its name is a link, followed from the keyboard as any other, in place (no reload)
    first.locator("a.bar-list-name").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/provinces/[^?]+\?indicator=CPI_YOY&period=202509&lang=en$"))
    probe.settle()
    expect(page.locator("h1.page-title")).to_have_text(name)
    assert page.evaluate("() => window.__samePage") is True
    page.go_back()
    page.wait_for_url(re.compile(r".*/provinces\?"))
    _map_ready(probe, 34)
    # from the keyboard: the "province profile" list
    page.locator("#prov-goto").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".dash-dropdown-search")).to_be_focused()
    page.keyboard.type("Can Tho")
    expect(page.locator(".dash-dropdown-options").get_by_role("radio")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/provinces/92\?indicator=CPI_YOY&period=202509&lang=en$"))
    probe.settle()
    expect(page.locator("h1.page-title")).to_have_text("Can Tho")
    probe.assert_clean()


def test_brw206_copied_link_restores_the_view_in_english(live_server, probe, browser):
    page = _open_board(probe, live_server("/provinces?lang=en"), 34)
    _choose(probe, "#prov-indicator", "Unemployment rate")
    page.wait_for_url(re.compile(r".*[?&]indicator=UNEMPLOYMENT(&|$)"))
    probe.settle()
    _choose(probe, "#prov-period", "Q4 2024")
    page.wait_for_url(re.compile(r".*[?&]period=2024Q4(&|$)"))
    _map_ready(probe, 63)
    _choose(probe, "#prov-region", "Mekong River Delta", search=False)
    page.wait_for_url(re.compile(r".*[?&]region=R6-63(&|$)"))
    probe.settle()
    copied = page.url
    assert _query(copied) == {"indicator": "UNEMPLOYMENT", "period": "2024Q4", "region": "R6-63", "lang": "en"}

    fresh = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    try:
        fresh.goto(copied)
        fresh.wait_for_function(
            """(sel) => { const g = document.querySelector(sel);
                return g && g.querySelectorAll('path[data-focused="true"]').length === 13; }""",
            arg=GRAPH)
        assert "Mekong River Delta" in fresh.locator("#prov-region").inner_text()
        assert "Q4 2024" in fresh.locator("#prov-period").inner_text()
        assert "Unemployment rate" in fresh.locator("#prov-indicator").inner_text()
        assert fresh.locator(".prov-crumbs").inner_text().replace("\n", " ").split() == \
            "Viet Nam Mekong River Delta".split()
        value = fresh.locator(".prov-regions-table tr.nation-row td").first.inner_text()
        assert EN_NUMBER.match(value), value
        assert _query(fresh.url) == _query(copied)
    finally:
        fresh.context.close()

    page.locator(".prov-crumbs button", has_text="Viet Nam").click()
    page.wait_for_url(lambda u: "region=" not in u)
    page.wait_for_function("(sel) => document.querySelectorAll(sel + ' .occ-map-label').length == 2", arg=GRAPH)
    assert set(_map_state(probe)["labels"]) == ARCHIPELAGOS["en"]
    page.go_back()  # back to the region, then to the 34-province period
    page.wait_for_url(re.compile(r".*[?&]region=R6-63(&|$)"))
    expect(page.locator(".prov-crumbs .crumb")).to_have_count(2)
    probe.settle()
    _choose(probe, "#prov-region", "Red River Delta", search=False)  # zoomed on another region of the same era
    page.wait_for_url(re.compile(r".*[?&]region=R2-63(&|$)"))
    probe.settle()
    page.locator(".prov-crumbs button", has_text="Viet Nam").click()
    page.wait_for_url(lambda u: "region=" not in u)
    page.wait_for_function("(sel) => document.querySelectorAll(sel + ' .occ-map-label').length == 2", arg=GRAPH)
    probe.screenshot("provinces-en")
    probe.goto(live_server("/provinces/08?indicator=RETAIL_SALES&period=202509&comparable=on&lang=en"))
    expect(page.locator("h1.page-title")).to_have_text("Tuyen Quang")
    assert "Formed from" in page.locator(".pf-lineage").inner_text()
    assert page.locator("#pf-comparable input").is_checked()
    assert page.locator(".pf-trend .js-plotly-plot").count() == 0  # below the first screen: not drawn yet
    probe.reveal("#pf-trends-box")
    page.wait_for_function("() => document.querySelectorAll('.pf-trend .js-plotly-plot').length >= 4")
    probe.settle()
    probe.screenshot("province-profile-en")
    probe.assert_clean()


def test_brw207_unknown_province_is_a_clear_not_found(live_server, probe):
    probe.goto(live_server("/provinces/XX?lang=en"))
    page = probe.page
    expect(page.locator("h1.page-title")).to_have_text("Province not found")
    page.locator("a", has_text="Back to Provinces").click()
    page.wait_for_url(re.compile(r".*/provinces\?lang=en$"))
    _map_ready(probe, 34)
    probe.assert_clean()
