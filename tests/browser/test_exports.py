"""Browser: the export menu downloads a chart, and a briefing basket becomes a PowerPoint file."""

import io
import json
import re
from datetime import date

import pytest

pytestmark = pytest.mark.browser


def open_menu(probe, scope: str = ""):
    probe.page.locator(f"{scope} .export-summary").first.click()
    probe.page.locator(f"{scope} .export-panel").first.wait_for(state="visible")


def test_bexp001_overview_menu_downloads_the_headline_set(live_server, probe):
    from PIL import Image

    probe.goto(live_server("/"))
    menu = probe.page.locator(".export-bar .export-menu")
    assert menu.count() == 1
    open_menu(probe, ".export-bar")
    links = probe.page.locator(".export-bar .export-link")
    assert links.all_inner_texts() == ["Ảnh PNG", "Ảnh SVG", "PDF", "Dữ liệu CSV", "Dữ liệu Excel (XLSX)"]
    probe.screenshot("export-menu-vi")
    with probe.page.expect_download() as info:
        links.first.click()
    download = info.value
    assert download.suggested_filename == f"HEADLINE_VN_{date.today().isoformat()}.png"
    assert Image.open(download.path()).size == (3840, 2160)
    with probe.page.expect_download() as info:
        probe.page.locator(".export-bar .export-csv").click()
    body = open(info.value.path(), "rb").read()
    assert body.startswith(b"\xef\xbb\xbf") and "Tốc độ tăng tổng sản phẩm trong nước (GDP)" in body.decode("utf-8-sig")
    probe.page.keyboard.press("Escape")  # the menu closes
    assert not probe.page.locator(".export-bar .export-panel").is_visible()
    probe.assert_clean()


def test_bexp002_two_charts_in_the_basket_to_pptx(live_server, probe):
    from pptx import Presentation

    page = probe.page
    probe.goto(live_server("/"))
    page.evaluate("window.localStorage.removeItem('occ-briefing-basket')")
    open_menu(probe, ".export-bar")
    page.locator(".export-bar .export-add").click()
    page.wait_for_function("() => document.querySelector('.export-bar .export-status').textContent.includes('(1 biểu đồ)')")
    page.locator(".export-bar .export-add").click()  # twice: still one
    page.wait_for_function("() => document.querySelector('.export-bar .export-status').textContent.startsWith('Đã có')")

    probe.goto(live_server("/daily"))
    page.locator(".section-head .export-menu").wait_for()
    open_menu(probe, ".section-head")
    page.locator(".section-head .export-add").click()
    page.wait_for_function("() => document.querySelector('.section-head .export-status').textContent.includes('(2 biểu đồ)')")

    page.locator(".section-head .export-open").click()  # to /briefing, inside the app
    page.wait_for_url(re.compile(r".*/briefing$"))
    probe.settle()
    items = page.locator(".brief-item-title")
    items.nth(1).wait_for()
    assert items.all_inner_texts() == ["Các chỉ tiêu chủ yếu · Cả nước", "Chỉ tiêu hằng ngày · 25/11/2026"]
    assert page.locator("h2.section-title").inner_text() == "Các biểu đồ (2)"
    page.locator(".brief-item").nth(1).locator("button[title='Chuyển lên']").click()  # reorder
    page.wait_for_function("() => document.querySelector('.brief-item-title').textContent.startsWith('Chỉ tiêu hằng ngày')")
    page.fill("#brief-title", "Giao ban sáng thứ Hai")
    page.locator("#brief-title").press("Tab")  # the title is kept in the browser with the basket
    page.wait_for_function("() => (JSON.parse(localStorage.getItem('occ-briefing-basket')) || {}).title"
                           " === 'Giao ban sáng thứ Hai'")
    stored = json.loads(page.evaluate("window.localStorage.getItem('occ-briefing-basket')"))
    assert [i["spec"]["kind"] for i in stored["items"]] == ["daily", "kpi_tiles"]
    assert stored["title"] == "Giao ban sáng thứ Hai"
    probe.screenshot("briefing-vi")

    with page.expect_download(timeout=60000) as info:
        page.locator("#brief-pptx").click()
        # rendered as a background job: the status says so while it waits and runs
        page.wait_for_function("() => ['Đang chuẩn bị tệp', 'Đang xếp hàng', 'Tệp đã sẵn sàng']"
                               ".some(s => document.querySelector('.brief-status').textContent.startsWith(s))")
    download = info.value
    assert page.locator(".brief-status").inner_text() == "Tệp đã sẵn sàng, đang tải về…"
    assert re.fullmatch(rf"BRIEFING_Giao-ban-sang-thu-Hai_{date.today().isoformat()}\.pptx", download.suggested_filename)
    slides = list(Presentation(io.BytesIO(open(download.path(), "rb").read())).slides)
    assert len(slides) == 3
    assert slides[0].shapes.title.text == "Giao ban sáng thứ Hai"
    assert [s.shapes.title.text for s in slides[1:]] == ["Chỉ tiêu hằng ngày", "Các chỉ tiêu chủ yếu"]

    # a reload keeps the basket and its order; "remove" and "remove all" empty it
    probe.goto(live_server("/briefing"))
    page.locator(".brief-item").nth(1).wait_for()
    page.locator(".brief-item").first.locator("button[title='Bỏ khỏi bộ tài liệu']").click()
    page.wait_for_function("() => document.querySelectorAll('.brief-item').length === 1")
    page.locator("#brief-clear").click()
    page.locator(".brief-empty").wait_for()
    assert page.locator("#brief-pptx").is_disabled()
    probe.assert_clean()
