"""Browser: the boards on the real data set (``import-real``): the overview, a province profile and
an indicator page show the statistics office's published values and the mark "Số liệu chính
thức" with its source, never the demo's."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine

from data_access.engine import migrate
from ingest.real import import_real
from tests.browser.conftest import start_server, stop_server
from tests.test_real_starter import read_table

pytestmark = pytest.mark.browser


def vi(value: str, decimals: int = 1) -> str:
    """A published number as the Vietnamese boards write it (1.143,4)."""
    return f"{float(value):,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def published(file: str, name: str, column: str) -> str:
    header, rows = read_table(file)
    return rows[name][header.index(column)]


@pytest.fixture(scope="module")
def real_server(root, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("real-browser")
    url = f"sqlite:///{tmp / 'real.sqlite'}"
    engine = create_engine(url)
    migrate(engine)
    import_real(engine, archive_dir=tmp / "archive")
    engine.dispose()
    server = start_server(root, url, tmp / "instance")
    yield server
    stop_server(server)


def assert_official_mark(page) -> None:
    expect(page.locator(".badge-official")).to_have_text("Số liệu chính thức")
    assert page.locator(".badge-illustrative").count() == 0
    expect(page.locator(".app-footer")).to_contain_text("Nguồn: Tổng cục Thống kê")
    assert "minh họa" not in page.locator("body").inner_text()


def test_brw_real001_overview(real_server, probe):
    probe.goto(real_server("/"))
    page = probe.page
    paddy = page.locator('.kpi-tile:has(.kpi-name:text-is("Sản lượng lúa"))')
    expect(paddy.locator(".kpi-value")).to_have_text(
        vi(published("Production of paddy by province.csv", " WHOLE COUNTRY", "Prel. 2016")))
    expect(paddy).to_contain_text("Năm 2016")
    expect(paddy).to_contain_text("Sơ bộ")
    infant = page.locator('.kpi-tile:has(.kpi-name:text-is("Tỷ suất chết của trẻ em dưới 1 tuổi"))')
    expect(infant.locator(".kpi-value")).to_have_text(
        vi(published("Infant mortality rate by province.csv", " WHOLE COUNTRY", "Prel. 2016")))
    assert_official_mark(page)
    probe.screenshot("real-overview-vi")
    probe.assert_clean()


def test_brw_real002_province_profile(real_server, probe):
    probe.goto(real_server("/provinces/01"))
    page = probe.page
    expect(page.locator("h1.page-title")).to_have_text("Hà Nội")
    paddy = page.locator('.kpi-tile:has(.kpi-name:text-is("Sản lượng lúa"))')
    expect(paddy.locator(".kpi-value")).to_have_text(
        vi(published("Production of paddy by province.csv", "Ha Noi", "Prel. 2016")))
    labour = vi(published("Labour force at 15 years of age and above by province.csv", "Ha Noi", "Prel. 2016"))
    expect(page.locator("#pf-table")).to_contain_text(labour)
    expect(page.locator("#pf-table")).to_contain_text("Lực lượng lao động từ 15 tuổi trở lên")
    assert_official_mark(page)
    probe.screenshot("real-province-profile-vi")
    probe.assert_clean()


def test_brw_real003_indicator_page(real_server, probe):
    probe.goto(real_server("/indicator/PADDY_YIELD"))
    page = probe.page
    expect(page.locator("h1.page-title")).to_have_text("Năng suất lúa")
    summary = page.locator(".ind-summary")
    expect(summary).to_contain_text(vi(published("Yield of paddy by province.csv", " WHOLE COUNTRY", "Prel. 2016")))
    expect(summary).to_contain_text("tạ/ha")
    expect(page.locator(".ind-grid")).to_contain_text(vi(published("Yield of paddy by province.csv", " WHOLE COUNTRY",
                                                                   "2015")))
    expect(page.locator("body")).to_contain_text("Tổng cục Thống kê")
    assert_official_mark(page)
    probe.screenshot("real-indicator-vi")
    probe.assert_clean()
