"""The light first page in a real browser: the maps still draw with the charts' basic plotly.js
bundle, and the map geometry comes once, compressed, then from the browser's cache."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import create_engine

from tests.browser.conftest import start_server, stop_server
from tests.conftest import seeded_url_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

IMMUTABLE = "public, max-age=31536000, immutable"
# provinces drawn: the board's map (assets/map.js: SVG paths) or the wall's (a Plotly figure)
DRAWN = """(sel) => { const svg = document.querySelectorAll(sel + '.occ-map[data-drawn="true"] path[data-key]');
    if (svg.length) { return svg.length; }
    const g = document.querySelector(sel + ' .js-plotly-plot');
    return g && g.data ? g.data.filter(t => t.fill === 'toself').length : 0; }"""
GEO_ENTRIES = """() => performance.getEntriesByType('resource').filter(e => e.name.includes('/assets/geo/'))
    .map(e => ({name: e.name, transfer: e.transferSize, size: e.decodedBodySize}))"""


def _watch(page) -> dict[str, dict]:
    """url -> response headers of every answer the page receives."""
    seen: dict[str, dict] = {}
    page.on("response", lambda res: seen.__setitem__(res.url, res.headers))
    return seen


def test_dlv101_provinces_map_drawn_without_a_chart_library_and_cached_geometry(live_server, browser):
    """The provinces board draws its map (SVG) and its ranking (a list) itself: plotly.js is not
    fetched; the geometry comes once, compressed and cached for a year. The indicator page's
    charts use the basic plotly.js bundle, never the full one."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="vi-VN")
    try:
        page = context.new_page()
        seen = _watch(page)
        page.goto(live_server("/provinces"))
        page.wait_for_function(f"() => ({DRAWN})('#prov-map') >= 34", timeout=30_000)
        # no chart library on this page (assets/plotly_bundle.js, on every page, only names its address)
        assert not [u for u in seen if "/assets/vendor/plotly" in u or "package_data/plotly" in u]
        assert page.evaluate("() => window.Plotly === undefined")
        (geo,) = [u for u in seen if "/assets/geo/" in u]
        assert "?m=" in geo and seen[geo]["cache-control"] == IMMUTABLE and seen[geo]["content-encoding"] == "br"

        again = context.new_page()  # a later visit: the geometry from the browser's cache
        again.goto(live_server("/provinces"))
        again.wait_for_function(f"() => ({DRAWN})('#prov-map') >= 34", timeout=30_000)
        (entry,) = again.evaluate(GEO_ENTRIES)
        assert entry["name"] == geo and entry["transfer"] == 0 and entry["size"] > 100_000

        trend = context.new_page()  # the indicator page draws its trend itself (assets/linechart.js)
        seen = _watch(trend)
        trend.goto(live_server("/indicator/CPI_YOY"))
        trend.wait_for_selector("#ind-trend[data-drawn=true] .occ-line", timeout=30_000)
        assert trend.evaluate("() => window.Plotly === undefined")
        assert not [u for u in seen if "/assets/vendor/plotly" in u or "package_data/plotly" in u]

        charts = context.new_page()  # the profile's trends (below its first screen) are Plotly charts
        seen = _watch(charts)
        charts.goto(live_server("/provinces/01"))
        charts.locator("#pf-trends-box").scroll_into_view_if_needed()
        charts.wait_for_function("() => document.querySelectorAll('.pf-trends .main-svg').length > 0",
                                 timeout=30_000)
        assert charts.evaluate("() => !!window.Plotly && !Plotly.PlotSchema.get().traces.choropleth")
        assert not [u for u in seen if "package_data/plotly.min.js" in u]  # the full bundle never loads
        (bundle,) = [u for u in seen if "/assets/vendor/plotly-basic" in u]
        assert seen[bundle]["cache-control"] == IMMUTABLE and seen[bundle]["content-encoding"] == "br"
    finally:
        context.close()


@pytest.fixture
def wall_server(root, databases, tmp_path):
    """A server of its own on a copy of the seeded warehouse, with a display token for its wall."""
    from auth.displays import create_display_token

    copy = tmp_path / "wall.sqlite"
    shutil.copy(seeded_url_for("sqlite", databases).split("sqlite:///", 1)[1], copy)
    url = f"sqlite:///{copy}"
    engine = create_engine(url)
    _, token = create_display_token(engine, "test wall")
    engine.dispose()
    server = start_server(root, url, tmp_path / "instance")
    server.token = token
    yield server
    stop_server(server)


def test_dlv102_wall_map_draws_from_its_spec(wall_server, browser):
    """The wall's provinces board sends the map's spec, not its polygons: the browser draws it."""
    context = browser.unsigned_context(viewport={"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        page.goto(wall_server(f"/wall?token={wall_server.token}&boards=provinces"))
        page.wait_for_function(f"() => ({DRAWN})('#wall-map') >= 34", timeout=30_000)
        board_bytes = page.evaluate("""() => performance.getEntriesByType('resource')
            .filter(e => e.name.includes('/_dash-update-component')).map(e => e.decodedBodySize)""")
        assert board_bytes and max(board_bytes) < 60_000  # the polygons alone are ~190 kB of JSON
        assert len(page.evaluate(GEO_ENTRIES)) == 1
    finally:
        context.close()


GRID_SUITE = "() => performance.getEntriesByType('resource').filter(e => e.name.includes('/dash_ag_grid/dash_ag_grid.v')).length"


def test_dlv103_grid_suite_loads_with_the_first_table_and_stays_one_grid(live_server, browser):
    """A board without a table never fetches dash-ag-grid's suite; following a link to a board with
    one loads it once, draws the table with its rows, and the grid stays the same element while its
    rows change (the namespace assets/lazy_grid.js keeps is the one Dash resolves)."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="vi-VN")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(live_server("/daily"))
        page.wait_for_selector("#_pages_content .page", timeout=30_000)
        assert page.evaluate(GRID_SUITE) == 0
        assert page.evaluate("() => typeof window.regeneratorRuntime.mark") == "function"
        page.click("a.nav-link[href^='/sectors']")
        page.wait_for_selector(".sm-link", timeout=30_000)
        assert page.evaluate(GRID_SUITE) == 0  # the table is below the tiles: not drawn yet
        page.locator("#sec-table-box").scroll_into_view_if_needed()
        page.wait_for_selector(".ag-root .ag-row", timeout=30_000)
        assert page.evaluate(GRID_SUITE) == 1
        page.evaluate("() => { document.querySelector('.ag-root-wrapper').dataset.mark = 'first'; }")
        rows_before = page.locator(".ag-center-cols-container .ag-row").count()
        page.locator(".segmented label").nth(1).click()  # by agency: the same grid, other rows
        page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=30_000)
        page.wait_for_timeout(300)
        assert page.evaluate("() => document.querySelectorAll('.ag-root-wrapper').length") == 1
        assert page.evaluate("() => document.querySelector('.ag-root-wrapper').dataset.mark") == "first"
        assert rows_before > 0 and page.evaluate(GRID_SUITE) == 1
        assert not errors, errors
    finally:
        context.close()


def test_dlv104_linked_chunks_serve_their_components_without_a_later_fetch(live_server, probe):
    """The daily brief's date picker and dropdowns come from the chunks linked with the page: they
    work, and no chunk is fetched after the page has rendered."""
    late: list[str] = []
    probe.page.on("request", lambda r: late.append(r.url) if "/async-" in r.url and "?" not in r.url
                  and ".v" not in r.url.rsplit("/", 1)[-1] else None)
    probe.goto(live_server("/daily"))
    picker = probe.page.locator("#daily-day")
    picker.click()
    probe.page.wait_for_selector(".dash-datepicker-calendar", state="visible")
    assert probe.page.locator(".dash-datepicker-calendar-date-inside").count() >= 28
    probe.page.keyboard.press("Escape")
    probe.page.locator("#daily-category").click()  # the dropdown's chunk: its options open
    probe.page.wait_for_selector(".dash-dropdown-option", state="visible")
    assert late == []  # every chunk came with the page, at its fingerprinted address
    probe.assert_clean()
