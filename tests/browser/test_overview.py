"""Browser: the national overview."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_brw001_overview_tiles_and_language(live_server, probe):
    probe.goto(live_server("/"))
    tiles = probe.page.locator(".kpi-tile")
    assert tiles.count() >= 12
    assert "Dữ liệu minh họa".upper() in probe.page.locator(".badge-illustrative").inner_text().upper()
    first_value = tiles.first.locator(".kpi-value").inner_text()
    assert re.fullmatch(r"[\d.]+(,\d+)?", first_value), first_value  # 1.234,5 in Vietnamese
    probe.screenshot("overview-vi")
    probe.page.click("#shell-lang-switch")
    probe.page.wait_for_url(re.compile(r".*lang=en.*"))
    probe.settle()
    assert probe.page.locator("h1.page-title").inner_text() == "Overview"
    value_en = probe.page.locator(".kpi-tile").first.locator(".kpi-value").inner_text()
    assert re.fullmatch(r"[\d,]+(\.\d+)?", value_en), value_en  # 1,234.5 in English
    probe.screenshot("overview-en")
    probe.assert_clean()
