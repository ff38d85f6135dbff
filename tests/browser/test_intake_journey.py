"""Issue 5: a reporting officer uploads a report on /submit; the overview, the indicator page and
/compliance show it on their next refresh (no restart)."""

from __future__ import annotations

import shutil

import pytest

from tests.browser.conftest import start_server, stop_server
from tests.conftest import seeded_url_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TILE = """[id='{"code":"RETAIL_SALES","type":"kpi-tile"}']"""


@pytest.fixture
def intake_server(root, databases, tmp_path):
    source = seeded_url_for("sqlite", databases).split("sqlite:///", 1)[1]
    copy = tmp_path / "intake.sqlite"
    shutil.copy(source, copy)
    server = start_server(root, f"sqlite:///{copy}", tmp_path / "instance", role="admin")  # uploads for several units
    yield server
    stop_server(server)


def _upload(probe, server, unit: str, name: str, text: str, tmp_path) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    probe.goto(server(f"/submit?unit={unit}"))
    probe.page.set_input_files("#sub-upload input[type=file]", str(path))
    probe.page.wait_for_selector(".sub-report .alert")
    return probe.page.locator(".sub-report .alert").inner_text()


def test_jrn001_upload_shows_on_overview_indicator_and_compliance(intake_server, probe, tmp_path):
    # the overview before: the national retail sales tile
    probe.goto(intake_server("/"))
    tile = probe.page.locator(TILE)
    before = tile.locator(".kpi-value").inner_text()
    assert before != "777,7"

    # the statistics office sends a revised national value for the latest month
    banner = _upload(probe, intake_server, "TK", "retail.csv",
                     "indicator_code,area_code,period,value\nRETAIL_SALES,VN,202611,\"777,7\"\n", tmp_path)
    assert banner.startswith("Đã tiếp nhận báo cáo số"), banner

    probe.goto(intake_server("/"))
    tile = probe.page.locator(TILE)
    assert tile.locator(".kpi-value").inner_text() == "777,7"
    assert "Đã điều chỉnh" in tile.inner_text()  # a revision of the month's value

    probe.goto(intake_server("/indicator/RETAIL_SALES"))
    probe.reveal_all()  # the values' table is below the first screen
    probe.page.wait_for_function("() => document.body.innerText.includes('777,7')")

    # Phú Thọ (UB25) had not sent its November report: it is overdue on /compliance
    probe.goto(intake_server("/compliance?regime=UBND-M"))
    assert "UBND tỉnh Phú Thọ" in probe.page.locator(".cmp-overdue-card").inner_text()
    banner = _upload(probe, intake_server, "UB25", "phutho.csv",
                     "indicator_code,area_code,period,value\nRETAIL_SALES,25,202611,\"21,4\"\n", tmp_path)
    assert banner.startswith("Đã tiếp nhận"), banner
    probe.goto(intake_server("/compliance?regime=UBND-M"))
    assert "UBND tỉnh Phú Thọ" not in probe.page.locator(".cmp-overdue-card").inner_text()
    probe.goto(intake_server("/compliance?regime=UBND-M&unit=UB25"))
    subs = probe.page.locator(".cmp-subs").inner_text()
    assert "phutho.csv" in subs and "Đã tiếp nhận" in subs
    probe.assert_clean()


def test_jrn002_rejected_upload_reports_row_and_column(intake_server, probe, tmp_path):
    banner = _upload(probe, intake_server, "UB01", "bad.csv",
                     "indicator_code,area_code,period,value\nRETAIL_SALES,01,202611,1.234\nNOPE,01,202611,5\n", tmp_path)
    assert banner.startswith("Báo cáo bị từ chối")
    rows = probe.page.locator(".sub-issues tbody tr").all_inner_texts()
    assert any(r.startswith("2") and "value" in r and "1.234" in r for r in rows), rows
    assert any(r.startswith("3") and "indicator_code" in r and "NOPE" in r for r in rows), rows
    probe.assert_clean()
