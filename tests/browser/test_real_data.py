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


def tile(name: str) -> str:
    return f'.kpi-tile:has(.kpi-name:text-is("{name}"))'


PADDY, YIELD, LABOUR, INFANT = ("Production of paddy by province.csv", "Yield of paddy by province.csv",
                                "Labour force at 15 years of age and above by province.csv",
                                "Infant mortality rate by province.csv")
NATION, PREL = " WHOLE COUNTRY", "Prel. 2016"
# page: its path, its title, what it shows (selector, text; values as the tables publish them)
PAGES = {
    "overview": ("/", "Tổng quan", [
        (tile("Sản lượng lúa") + " .kpi-value", lambda: vi(published(PADDY, NATION, PREL))),
        (tile("Sản lượng lúa"), lambda: "Năm 2016"),
        (tile("Sản lượng lúa"), lambda: "Sơ bộ"),
        (tile("Tỷ suất chết của trẻ em dưới 1 tuổi") + " .kpi-value", lambda: vi(published(INFANT, NATION, PREL)))]),
    "province-profile": ("/provinces/01", "Hà Nội", [
        (tile("Sản lượng lúa") + " .kpi-value", lambda: vi(published(PADDY, "Ha Noi", PREL))),
        ("#pf-table", lambda: vi(published(LABOUR, "Ha Noi", PREL))),
        ("#pf-table", lambda: "Lực lượng lao động từ 15 tuổi trở lên")]),
    "indicator": ("/indicator/PADDY_YIELD", "Năng suất lúa", [
        (".ind-summary", lambda: vi(published(YIELD, NATION, PREL))),
        (".ind-summary", lambda: "tạ/ha"),
        (".ind-grid", lambda: vi(published(YIELD, NATION, "2015"))),
        ("body", lambda: "Tổng cục Thống kê")]),
}


@pytest.mark.parametrize("page_name", sorted(PAGES))
def test_brw_real001_boards_show_the_published_values_and_the_official_mark(real_server, probe, page_name):
    path, title, shows = PAGES[page_name]
    probe.goto(real_server(path))
    page = probe.page
    expect(page.locator("h1.page-title")).to_have_text(title)
    probe.reveal_all()  # the tables below the first screen are read too
    for selector, text in shows:
        expect(page.locator(selector).first).to_contain_text(text())
    expect(page.locator(".badge-official")).to_have_text("Số liệu chính thức")
    assert page.locator(".badge-illustrative").count() == 0
    expect(page.locator(".app-footer")).to_contain_text("Nguồn: Tổng cục Thống kê")
    assert "minh họa" not in page.locator("body").inner_text()
    probe.screenshot(f"real-{page_name}-vi")
    probe.assert_clean()
