"""Issue 17: an admin defines an indicator group and an indicator through the configuration's
pages only, with the keyboard where a person would use it; a refused indicator shows its reasons
beside the fields and is written once corrected; the record's history shows who did it. The
screenshots (``tests/artifacts/metadata-*.png``) are for a person to look at."""

from __future__ import annotations

import shutil

import pytest

from tests.browser.conftest import start_server, stop_server
from tests.conftest import seeded_url_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def admin_server(root, databases, tmp_path):
    copy = tmp_path / "metadata.sqlite"
    shutil.copy(seeded_url_for("sqlite", databases).split("sqlite:///", 1)[1], copy)
    server = start_server(root, f"sqlite:///{copy}", tmp_path / "instance", role="admin")
    yield server
    stop_server(server)


MAX_TABS = 120


def tab_to(page, test: str) -> None:
    """Press Tab until the focused element passes ``test`` (a JS predicate); its focus ring is visible."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => ({test})(document.activeElement)"):
            ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert ring not in ("none", ""), ring
            return
    raise AssertionError(f"no element passing {test} within {MAX_TABS} tabs")


def test_mpb001_a_group_and_an_indicator_through_the_pages(admin_server, probe):
    page = probe.page
    probe.goto(admin_server("/admin/metadata"))
    # by keyboard only: to the groups' list, to the new group's form
    tab_to(page, "e => e.closest('.meta-kinds') && e.innerText.trim() === 'Nhóm chỉ tiêu'")
    page.keyboard.press("Enter")
    page.wait_for_selector("#meta-table")
    tab_to(page, "e => e.id === 'meta-new'")
    page.keyboard.press("Enter")
    page.wait_for_selector("#meta-form")
    tab_to(page, "e => e.id === 'f-code'")
    page.keyboard.type("GDEMO")
    page.keyboard.press("Tab")
    page.keyboard.type("Nhóm chỉ tiêu trình diễn")
    page.keyboard.press("Tab")
    page.keyboard.type("Demonstration group")
    page.keyboard.press("Enter")
    page.wait_for_selector("#meta-message")
    assert page.locator("#meta-message").inner_text() == "Đã tạo nhóm chỉ tiêu GDEMO."
    assert page.input_value("#f-code") == "GDEMO" and page.get_attribute("#f-code", "readonly") is not None

    # an indicator: a ratio of two annual indicators, first without its denominator
    probe.goto(admin_server("/admin/metadata/indicators/new"))
    for field, value in {"code": "DEMO_SHARE", "name_vi": "Tỷ lệ dân số thành thị (trình diễn)",
                         "name_en": "Urban population share (demonstration)", "unit_vi": "%", "unit_en": "%"}.items():
        page.fill(f"#f-{field}", value)
    page.locator("input[name=levels][value=nation]").focus()
    page.keyboard.press("Space")
    for field, value in {"group": "GDEMO", "periodicity": "Y", "aggregation": "ratio", "numerator": "URBAN_POPULATION",
                         "direction": "up", "agency": "TK"}.items():
        page.select_option(f"#f-{field}", value)
    page.fill("#f-formula", "URBAN_POPULATION / POPULATION * 100")
    page.locator("#meta-form button[type=submit]").click()
    page.wait_for_selector("#meta-error")
    reason = page.locator("#problem-denominator").inner_text()
    assert "mẫu số" in page.locator("#field-denominator label").inner_text() and "denominator" in reason
    assert page.get_attribute("#f-denominator", "aria-invalid") == "true"
    assert page.input_value("#f-name_vi") == "Tỷ lệ dân số thành thị (trình diễn)"  # what was typed is kept
    probe.screenshot("metadata-indicator-refused")
    refusal = [e for e in probe.errors if "status of 400" in e]  # the refused form's answer is a 400 page
    assert len(refusal) == 1
    probe.errors.remove(refusal[0])
    page.select_option("#f-denominator", "POPULATION")
    page.locator("#meta-form button[type=submit]").click()
    page.wait_for_selector("#meta-message")
    assert "DEMO_SHARE" in page.locator("#meta-message").inner_text()
    probe.screenshot("metadata-indicator-created")

    # it is in the list (searched without diacritics) and its history names the admin
    probe.goto(admin_server("/admin/metadata/indicators?q=ty+le+dan+so+thanh+thi"))
    assert "DEMO_SHARE" in page.locator("#meta-table").inner_text()
    probe.screenshot("metadata-indicators-list")
    page.get_by_role("link", name="Lịch sử DEMO_SHARE").click()
    page.wait_for_selector("#version-1")
    assert "browser.admin" in page.locator("#version-1").inner_text()
    assert "URBAN_POPULATION / POPULATION * 100" in page.locator("#version-1").inner_text()
    probe.screenshot("metadata-indicator-history")
    probe.assert_clean()
