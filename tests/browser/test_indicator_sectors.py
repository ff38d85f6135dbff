"""Browser: the indicator page and the sectors board — the journeys a user makes (from a tile to
the indicator, changing the view, sharing the link, the back button, drilling down, switching
language, opening an indicator from the board), each ending with no console or callback error."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

VI_NUMBER = re.compile(r"^[\d.]+(,\d+)?$")  # 1.234,5
EN_NUMBER = re.compile(r"^[\d,]+(\.\d+)?$")  # 1,234.5


def _query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def _wait_url(probe, **params):
    """Wait until the URL's query has ``params`` (the mirror writes it after the callbacks)."""
    pattern = "".join(f"(?=.*[?&]{k}={re.escape(v)}(&|$))" for k, v in params.items())
    probe.page.wait_for_url(re.compile(pattern))
    probe.settle()


def _click_bar(probe, index: int = 0):
    """Click the name of a row of the breakdown (a list of bars whose names are links)."""
    probe.page.locator("#ind-breakdown li a.bar-list-name").nth(index).click()


def test_brw101_indicator_page_loads_clean(live_server, probe):
    probe.goto(live_server("/indicator/EXPORTS"))
    page = probe.page
    assert page.locator("h1.page-title").inner_text() == "Kim ngạch xuất khẩu hàng hóa"
    assert page.locator("#ind-trend .occ-line[data-role=series]").count() >= 1  # drawn by the page
    assert page.locator("#ind-breakdown li").count() == 6  # the six regions, a list of bars (no chart)
    value = page.locator(".stat-value").inner_text()
    assert VI_NUMBER.match(value), value
    # the table is below the first screen: drawn when scrolled to, not before
    assert page.locator("#ind-table-box.deferred-pending").count() == 1
    assert page.locator("#ind-table").count() == 0
    probe.reveal("#ind-table-box")
    expect(page.locator("#ind-table .ag-row").first).to_be_visible()
    assert page.locator("#ind-table .ag-row").count() > 10
    cell = page.locator("#ind-table .ag-row[row-index='0'] [col-id='value']").inner_text()
    assert VI_NUMBER.match(cell), cell
    # the defaults were written into the URL without adding a history entry
    q = _query(page.url)
    assert q["areas"] == "VN" and q["end"] == "202611" and q["start"] == "202312"
    probe.screenshot("indicator-vi")
    probe.assert_clean()


def test_brw102_a_tile_on_the_overview_opens_its_indicator(live_server, probe):
    probe.goto(live_server("/"))
    tile = probe.page.locator(".kpi-link").first
    href = tile.get_attribute("href")
    name = tile.locator(".kpi-name").inner_text()
    tile.click()
    probe.page.wait_for_url(re.compile(re.escape(href) + r"(\?.*)?$"))
    probe.settle()
    assert probe.page.locator("h1.page-title").inner_text() == name
    probe.assert_clean()


def test_brw103_controls_go_to_the_url_a_copied_link_restores_back_returns(live_server, probe, browser):
    probe.goto(live_server("/indicator/CPI_YOY"))
    page = probe.page
    title = page.locator("#ind-trend-title")
    assert title.inner_text().startswith("Diễn biến theo kỳ")
    page.locator("#ind-mode label", has_text="So với cùng kỳ").click()
    _wait_url(probe, mode="yoy")
    assert title.inner_text().startswith("Thay đổi so với cùng kỳ năm trước")
    page.locator("#ind-comparable input").check()
    _wait_url(probe, mode="yoy", comparable="on")
    copied = page.url

    fresh = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    try:
        fresh.goto(copied)
        fresh.wait_for_load_state("networkidle")
        fresh.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")
        expect(fresh.locator("#ind-trend-title")).to_have_text(re.compile("^Thay đổi so với cùng kỳ năm trước"))
        assert fresh.locator("#ind-mode input[value='yoy']").is_checked()
        assert fresh.locator("#ind-comparable input").is_checked()
        assert _query(fresh.url) == _query(copied)
    finally:
        fresh.context.close()

    page.go_back()
    probe.page.wait_for_url(lambda url: "comparable" not in url)
    expect(page.locator("#ind-comparable input")).not_to_be_checked()
    expect(title).to_have_text(re.compile("^Thay đổi so với cùng kỳ năm trước"))
    page.go_back()
    probe.page.wait_for_url(lambda url: "mode=yoy" not in url)
    expect(title).to_have_text(re.compile("^Diễn biến theo kỳ"))
    expect(page.locator("#ind-mode input[value='value']")).to_be_checked()
    probe.settle()
    probe.assert_clean()


def test_brw104_drill_from_the_nation_to_a_province_and_back(live_server, probe):
    probe.goto(live_server("/indicator/EXPORTS"))
    page = probe.page
    crumbs = page.locator(".ind-breadcrumb .crumb")
    assert crumbs.count() == 1
    _click_bar(probe, 0)
    page.wait_for_url(re.compile(r".*[?&]area=R\d(&|$)"))
    region = _query(page.url)["area"]
    expect(crumbs).to_have_count(2)
    name = crumbs.nth(1).inner_text().split(" (")[0]
    expect(page.locator("#ind-breakdown-title")).to_have_text(re.compile(f"^Các tỉnh, thành phố · {name}"))
    assert _query(page.url)["areas"] == f"VN,{region}"
    expect(page.locator("#ind-trend .occ-line[data-role=series]")).to_have_count(2)
    _click_bar(probe, 0)
    expect(crumbs).to_have_count(3)
    probe.settle()
    province = _query(page.url)["area"]
    marked = page.locator("#ind-breakdown li.highlight a")  # the province in focus stands out in its region
    expect(marked).to_have_count(1)
    assert f"area={province}&" in marked.get_attribute("href") + "&"
    assert _query(page.url)["areas"] == f"VN,{region},{province}"
    # each crumb is a link back
    page.locator(".ind-breadcrumb .crumb a").first.click()
    _wait_url(probe, area="VN")
    expect(crumbs).to_have_count(1)
    page.go_back()
    _wait_url(probe, area=province)
    expect(crumbs).to_have_count(3)
    # the drill also works from the keyboard: the names are links
    links = page.locator("#ind-breakdown a.bar-list-name")
    link = next(links.nth(i) for i in range(links.count())
                if f"area={province}&" not in links.nth(i).get_attribute("href") + "&")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: f"area={province}" not in url)
    expect(crumbs).to_have_count(3)
    probe.settle()
    probe.assert_clean()


def test_brw105_language_switch_changes_labels_and_numbers(live_server, probe):
    probe.goto(live_server("/indicator/DOSSIERS_RECEIVED?areas=VN,01&mode=yoy"))
    page = probe.page
    assert page.locator("label[for='ind-areas']").inner_text().upper() == "ĐỊA BÀN SO SÁNH"
    vi_value = page.locator(".stat-value").inner_text()
    assert VI_NUMBER.match(vi_value) and "." in vi_value
    page.click("#shell-lang-switch")
    page.wait_for_url(re.compile(r".*lang=en.*"))
    probe.settle()
    assert page.locator("label[for='ind-areas']").inner_text().upper() == "AREAS TO COMPARE"
    assert page.locator("#ind-trend-title").inner_text().startswith("Change on the same period last year")
    en_value = page.locator(".stat-value").inner_text()
    assert EN_NUMBER.match(en_value) and "," in en_value
    assert en_value.replace(",", "") == vi_value.replace(".", "").replace(",", ".")
    q = _query(page.url)
    assert q["mode"] == "yoy" and q["areas"] == "VN,01"  # the view survives the switch
    probe.reveal("#ind-table-box")
    expect(page.locator("#ind-table .ag-header-cell-text").first).to_have_text("Period")
    probe.screenshot("indicator-en")
    probe.assert_clean()


def test_brw106_sectors_board_state_in_the_url(live_server, probe, browser):
    probe.goto(live_server("/sectors"))
    page = probe.page
    cards = page.locator(".sm-link")
    assert cards.count() >= 10
    assert page.locator("img.sm-chart").count() >= 10
    # every small chart decodes (an inline SVG whose data URI is escaped by hand)
    drawn = page.eval_on_selector_all("img.sm-chart", "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")
    assert drawn and all(drawn), drawn
    first_value = page.locator(".sm-value").first.inner_text()
    assert VI_NUMBER.match(first_value), first_value
    probe.screenshot("sectors-vi")
    probe.reveal("#sec-table-box")
    expect(page.locator("#sec-table .ag-row")).to_have_count(cards.count())
    page.locator("#sec-by label", has_text="Bộ, ngành").click()
    page.wait_for_url(re.compile(r".*[?&]agency=[^&]+"))
    probe.settle()
    assert "group=" not in page.url
    page.locator("#sec-agency").click()
    page.locator(".dash-dropdown-option").filter(has=page.get_by_role("radio", name="Ngân hàng Nhà nước Việt Nam")).click()
    _wait_url(probe, agency="NHNN")
    expect(cards).to_have_count(4)
    copied = page.url
    fresh = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    try:
        fresh.goto(copied)
        expect(fresh.locator(".sm-link")).to_have_count(4)
        assert "Ngân hàng Nhà nước" in fresh.locator("#sec-agency").inner_text()
    finally:
        fresh.context.close()
    page.go_back()
    page.wait_for_url(lambda url: "agency=NHNN" not in url)
    expect(cards).not_to_have_count(4)
    probe.settle()
    probe.assert_clean()


def test_brw107_a_card_opens_the_indicator_and_english_board(live_server, probe):
    probe.goto(live_server("/sectors?group=G05&lang=en"))
    page = probe.page
    assert page.locator("h1.page-title").inner_text() == "Sectors"
    value = page.locator(".sm-value").first.inner_text()
    assert EN_NUMBER.match(value), value
    assert page.locator(".sm-status .status-icon").first.inner_text() in {"✔", "▲", "✖", "–"}
    assert page.locator(".sm-status .status-text").first.inner_text() in {"On track", "At risk", "Off track", "No plan target"}
    probe.screenshot("sectors-en")
    card = page.locator(".sm-link").first
    href = card.get_attribute("href")
    card.focus()
    page.keyboard.press("Enter")  # keyboard users open it too
    page.wait_for_url(re.compile(re.escape(href)))
    probe.settle()
    assert "lang=en" in page.url
    expect(page.locator("#ind-trend")).to_have_count(1)  # the page drawn (its answer may land after the URL)
    probe.assert_clean()


def test_brw108_unknown_indicator_and_catalogue_search(live_server, probe):
    probe.goto(live_server("/indicator/NOPE"))
    page = probe.page
    assert page.locator("h1.page-title").inner_text() == "Không tìm thấy chỉ tiêu"
    page.locator("a.button-link").click()
    page.wait_for_url(re.compile(r".*/indicators$"))
    probe.settle()
    page.fill("#cat-query", "ty le that nghiep")
    _wait_url(probe, q="ty+le+that+nghiep")
    expect(page.locator(".cat-link")).to_have_count(3)
    expect(page.locator("#cat-count")).to_have_text("3 chỉ tiêu")
    probe.assert_clean()


def test_brw110_the_trend_answers_the_pointer_and_its_legend(live_server, probe):
    """The trend drawn by the page (assets/linechart.js): the pointer over the last period shows one
    box with that period and every line's value in the locale's numbers (the values of the chart's
    data table); a legend entry hides its line and shows it again; no chart library is loaded."""
    probe.goto(live_server("/indicator/RETAIL_SALES?areas=VN,01"))
    page = probe.page
    chart = page.locator("#ind-trend[data-drawn=true]")
    lines = chart.locator(".occ-line[data-role=series]")
    expect(lines).to_have_count(2)
    # the drawing is an image named by the chart's summary; the legend's buttons are outside it
    summary = page.evaluate("() => document.getElementById('ind-trend-summary').textContent")
    expect(page.get_by_role("img", name=summary)).to_have_count(1)
    assert chart.locator("svg[role=img] button").count() == 0 and chart.locator("button").count() == 2
    points = chart.locator(".occ-line[data-name='Cả nước'] .occ-point")
    box = points.nth(points.count() - 1).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tip = chart.locator(".occ-chart-tip")
    expect(tip).to_be_visible()
    head = tip.locator(".occ-chart-tip-head").inner_text()
    assert re.fullmatch(r"Tháng \d{1,2}/\d{4}", head), head
    rows = {r.locator(".occ-chart-tip-name").inner_text(): r.locator("strong").inner_text()
            for r in tip.locator(".occ-chart-tip-row").all()}
    assert set(rows) == {"Cả nước", "Hà Nội"}, rows
    table = page.evaluate("() => document.querySelector('#ind-trend-alt table').textContent")
    for shown in rows.values():
        number, unit = shown.split(" ", 1)
        assert VI_NUMBER.match(number) and unit == "nghìn tỷ đồng", shown
        assert number in table  # the value the data table gives for that period
    page.mouse.move(5, 5)
    expect(tip).to_have_count(0)
    entry = chart.locator(".occ-chart-legend-item", has_text="Hà Nội")
    entry.click()
    expect(entry).to_have_attribute("aria-pressed", "false")
    expect(lines).to_have_count(1)
    entry.click()
    expect(lines).to_have_count(2)
    assert page.evaluate("() => window.Plotly === undefined")
    probe.assert_clean()
