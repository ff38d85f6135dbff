"""The static pieces in a real browser (assets/static_tree.js): what is drawn and what is not, the
same DOM as Dash's components, and dcc.Link's navigation without a reload."""

from __future__ import annotations

import json
from pathlib import Path

import dash
import pytest

from components.fast import el, link

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DEPS = Path(dash.__file__).parent / "deps"

EVIL = [
    el("Div", [
        el("Span", "chữ <b>không</b> đậm", className="txt", title="t", **{"aria-label": "nhãn", "data-x": "1"}),
        link("đi", "/indicator/CPI_YOY?lang=vi", className="go", id={"type": "kpi-tile", "code": "CPI_YOY"}),
        link("độc", "javascript:window.__pwned=1", className="evil-link"),
        el("A", "độc 2", href=" JavaScript:window.__pwned=2", className="evil-a"),
        el("Img", src="https://example.org/x.png", className="far", alt=""),
        el("Img", src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E", className="near", alt="a"),
        el("Div", "bấm", className="clicky", onClick="window.__pwned=3", onMouseOver="window.__pwned=4"),
        el("Div", "raw", className="raw", dangerouslySetInnerHTML={"__html": "<img src=x onerror='window.__pwned=5'>"}),
        {"type": "Script", "namespace": "dash_html_components", "props": {"children": "window.__pwned=6"}},
        {"type": "Iframe", "namespace": "dash_html_components", "props": {"src": "https://example.org"}},
        {"type": "Graph", "namespace": "dash_core_components", "props": {"figure": {}}},
        el("Table", el("Tbody", el("Tr", [el("Th", "a", scope="row"), el("Td", "1", colSpan=2, className="num")]))),
        el("Div", className="bar", style={"width": "42%"}),
    ], className="root"),
]

DASH_COMPONENTS = """() => { let n = 0;
  const visit = (node) => {
    if (Array.isArray(node)) { node.forEach(visit); return; }
    if (node && typeof node === 'object' && node.namespace && node.props) { n += 1; visit(node.props.children); }
  };
  const layout = window.store.getState().layout;
  visit(layout.components || layout); return n; }"""

RENDER = """(tree) => new Promise((done) => {
  const host = document.createElement('div'); document.body.appendChild(host);
  ReactDOM.createRoot(host).render(React.createElement(window.occ_static.Static, {tree: tree}));
  setTimeout(() => done(host.innerHTML), 50);
})"""


def test_st101_draws_listed_tags_and_attributes_only(chromium):
    page = chromium.new_page()
    try:
        page.set_content("<!doctype html><html><body></body></html>")
        for name in ("react@18.3.1.min.js", "react-dom@18.3.1.min.js"):
            page.add_script_tag(path=str(DEPS / name))
        page.add_script_tag(path=str(ROOT / "assets" / "static_tree.js"))
        html = page.evaluate(RENDER, json.loads(json.dumps(EVIL)))
        assert page.evaluate("() => window.__pwned") is None
        root = page.locator("div.root")
        assert root.locator("span.txt").inner_text() == "chữ <b>không</b> đậm"  # text, not markup
        assert root.locator("span.txt").get_attribute("aria-label") == "nhãn"
        assert root.locator("span.txt").get_attribute("data-x") == "1"
        go = root.locator("a.go")
        assert go.get_attribute("href") == "/indicator/CPI_YOY?lang=vi"
        assert go.get_attribute("id") == '{"code":"CPI_YOY","type":"kpi-tile"}'  # as Dash writes a dict id
        for evil in ("a.evil-link", "a.evil-a"):
            assert "javascript" not in (root.locator(evil).get_attribute("href") or "").lower()
        assert root.locator("img.far").get_attribute("src") is None
        assert root.locator("img.near").get_attribute("src").startswith("data:image/svg+xml")
        root.locator("div.clicky").click()
        root.locator("a.evil-link").click()
        assert page.evaluate("() => window.__pwned") is None
        assert root.locator("div.raw").inner_text() == "raw"
        for tag in ("script", "iframe", "svg", "img[src=x]"):
            assert root.locator(tag).count() == 0, tag
        assert "onclick" not in html.lower() and "onerror" not in html.lower()
        assert root.locator("th[scope=row]").count() == 1 and root.locator("td[colspan='2'].num").count() == 1
        assert root.locator("div.bar").get_attribute("style") == "width: 42%;"
    finally:
        page.close()


def test_st102_compliance_matrix_drawn_and_its_links_navigate_in_place(live_server, probe):
    probe.goto(live_server("/compliance"))
    page = probe.page
    rows = page.locator("table.cmp-table tbody tr")
    assert rows.count() >= 30
    assert page.locator("table.cmp-table th[scope=col]").count() >= 13
    assert rows.first.locator("td.cmp-cell").count() == 12  # UBND-M: the last 12 months
    # the whole matrix is one of Dash's components (it was ~1,500: a 1-1.7 s task in the renderer)
    assert page.evaluate(DASH_COMPONENTS) < 250
    page.evaluate("() => { window.__samePage = true; }")
    unit = rows.first.locator("th a")
    name = unit.inner_text()
    unit.click()
    page.wait_for_url("**/compliance?*unit=*")
    probe.settle()
    assert page.evaluate("() => window.__samePage") is True  # navigated without a reload
    assert "section" in page.locator("#cmp-detail").evaluate("e => e.tagName.toLowerCase()")
    assert page.locator("#cmp-detail h2").inner_text().strip()
    assert name
    probe.screenshot("compliance-static-matrix")
    probe.assert_clean()


# --- parts drawn when they come near the screen (assets/deferred.js) --------------------------------

PLOTS = "() => document.querySelectorAll('.js-plotly-plot').length"


def test_st103_a_part_below_the_first_screen_is_drawn_when_the_reader_comes_near(live_server, probe):
    """The province profile's trends (far below its tiles and table) are neither read nor drawn on
    opening, so plotly.js is not even fetched; scrolling near them asks for them (one callback)
    and draws all eight, and they stay."""
    probe.goto(live_server("/provinces/01"))
    page = probe.page
    holder = page.locator("#pf-trends-box")
    assert holder.get_attribute("class").split().count("deferred-pending") == 1
    assert holder.get_attribute("aria-busy") == "true" and holder.get_attribute("tabindex") == "0"
    assert page.evaluate(PLOTS) == 0 and page.evaluate("() => !!window.Plotly") is False
    assert holder.bounding_box()["height"] >= 600  # the page keeps its height
    assert page.locator("#pf-trends .pf-trend").count() == 0  # not read with the page
    calls = len(probe.callback_requests)
    probe.reveal("#pf-trends-box")
    page.wait_for_function("() => document.querySelectorAll('.pf-trend .js-plotly-plot').length === 8")
    asked = probe.callback_requests[calls:]
    assert len(asked) == 1 and '"pf-trends-box.shown"' in asked[0]  # the trends, once shown
    page.mouse.wheel(0, -5000)
    page.wait_for_timeout(200)
    assert page.evaluate(PLOTS) == 8  # drawn once, kept
    probe.assert_clean()


def test_st104_the_keyboard_opens_a_part_by_its_tab_stop(live_server, probe):
    probe.goto(live_server("/indicator/CPI_YOY"))
    page = probe.page
    assert page.locator("#ind-table").count() == 0
    page.focus("#ind-table-box")  # as Tab reaches it
    page.wait_for_selector("#ind-table .ag-row")
    assert page.evaluate("() => document.activeElement.id") == "ind-table-box"  # the focus stays here
    assert page.locator("#ind-table-box").get_attribute("tabindex") == "-1"
    probe.assert_clean()

