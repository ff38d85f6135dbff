"""Issue 18: an officer uploads a wide table that names provinces instead of codes, sees the proposed
mapping, confirms it (saving it under a name), sees the values on the indicator page; the next file
of the same shape gets the saved mapping proposed, and the page says so."""

from __future__ import annotations

import shutil

import pytest

from tests.browser.conftest import start_server, stop_server
from tests.conftest import seeded_url_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIRST = ('"Biểu 5. Dân số trung bình phân theo tỉnh"\n"Đơn vị tính: Nghìn người"\n,2021,2022\n'
         '"Ha Noi",8330.8,8435.7\n"TP. Hồ Chí Minh",9166.8,9389.7\n"Tong khac",1,2\n')
SECOND = ('"Biểu 5. Dân số trung bình phân theo tỉnh"\n"Đơn vị tính: Nghìn người"\n,2021,2022,2023\n'
          '"Ha Noi",8330.8,8435.7,8587.1\n"TP. Hồ Chí Minh",9166.8,9389.7,9456.7\n"Tong khac",1,2,3\n')


@pytest.fixture
def mapping_server(root, databases, tmp_path):
    source = seeded_url_for("sqlite", databases).split("sqlite:///", 1)[1]
    copy = tmp_path / "mapping.sqlite"
    shutil.copy(source, copy)
    server = start_server(root, f"sqlite:///{copy}", tmp_path / "instance", role="admin")
    yield server
    stop_server(server)


def _upload(probe, server, name: str, text: str, tmp_path) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    probe.goto(server("/submit?unit=TK"))
    probe.page.set_input_files("#sub-upload input[type=file]", str(path))
    probe.page.wait_for_selector(".sub-mapping .map-table")


def _choose_skip(probe, row) -> None:
    row.locator("button.dash-dropdown").click()
    probe.page.get_by_text("Bỏ qua, không nạp các dòng này").last.click()


def test_map101_confirm_the_proposal_load_and_reuse_it(mapping_server, probe, tmp_path):
    _upload(probe, mapping_server, "bieu5.csv", FIRST, tmp_path)
    rows = probe.page.locator(".map-table tbody tr")
    texts = rows.all_inner_texts()
    assert any("Dân số trung bình" in r and "POPULATION" in r for r in texts), texts
    assert any(r.startswith("Địa bàn\tHa Noi") and "01 Hà Nội" in r and "Khớp" in r for r in texts), texts
    unmatched = probe.page.locator(".map-table tr.map-unmatched")
    assert unmatched.count() == 1 and "Tong khac" in unmatched.inner_text() and "Chưa khớp" in unmatched.inner_text()
    _choose_skip(probe, unmatched)
    probe.page.fill("#sub-map-save", "dan-so-tinh")
    probe.page.click("#sub-map-confirm")
    probe.page.wait_for_selector(".sub-report .alert")
    banner = probe.page.locator(".sub-report .alert").inner_text()
    assert banner.startswith("Đã tiếp nhận báo cáo số"), banner
    assert "Đã lưu cách đối chiếu “dan-so-tinh”" in probe.page.inner_text(".page-submit")
    assert "Cách đối chiếu đã áp dụng: do cán bộ xác nhận." in probe.page.inner_text(".sub-report")

    probe.goto(mapping_server("/indicator/POPULATION?areas=01&view=table"))
    probe.reveal_all()  # the values' table is below the first screen
    probe.page.wait_for_function("() => document.body.innerText.includes('8.435,7')")

    _upload(probe, mapping_server, "bieu5-2023.csv", SECOND, tmp_path)
    assert "Đã đề xuất theo cách đối chiếu đã lưu “dan-so-tinh”" in probe.page.inner_text(".sub-mapping")
    assert probe.page.locator(".map-table tr.map-unmatched").count() == 0
    assert "Bỏ qua" in probe.page.locator(".map-table tr", has_text="Tong khac").inner_text()
    probe.page.click("#sub-map-confirm")
    probe.page.wait_for_selector(".sub-report .alert")
    assert probe.page.locator(".sub-report .alert").inner_text().startswith("Đã tiếp nhận báo cáo số")
    probe.assert_clean()


LONG = ("indicator_code,area_code,period,value\nDân số,Hà Nội,2021,8330.9\nDân số,TP. Hồ Chí Minh,2021,9166.9\n"
        "Dân số thành thị,Hà Giang,2021,131.2\nDan so thanh thi,Cao Bằng,2021,128.4\n")


def test_map102_a_long_file_naming_its_indicators(mapping_server, probe, tmp_path):
    """A long file whose indicator column holds names: one row per name with its proposed indicator;
    the vague "Dân số" (proposed: urban population, to check) is corrected to the population."""
    _upload(probe, mapping_server, "dai.csv", LONG, tmp_path)
    rows = probe.page.locator(".map-table tbody tr")
    kinds = [r.split("\t")[:2] for r in rows.all_inner_texts()]
    assert kinds[:3] == [["Chỉ tiêu", "Dân số"], ["Chỉ tiêu", "Dân số thành thị"], ["Chỉ tiêu", "Dan so thanh thi"]]
    vague = probe.page.locator(".map-table tr.map-uncertain", has_text="Dân số")
    assert vague.count() == 1 and "URBAN_POPULATION" in vague.inner_text() and "Cần kiểm tra" in vague.inner_text()
    vague.locator("button.dash-dropdown").click()
    probe.page.get_by_text("POPULATION – Dân số trung bình (nghìn người)").last.click()
    assert "POPULATION – Dân số trung bình" in vague.locator(".dash-dropdown").inner_text()
    probe.page.click("#sub-map-confirm")
    probe.page.wait_for_selector(".sub-report .alert")
    assert probe.page.locator(".sub-report .alert").inner_text().startswith("Đã tiếp nhận báo cáo số")
    probe.goto(mapping_server("/indicator/POPULATION?areas=01&view=table"))
    probe.reveal_all()  # the values' table is below the first screen
    probe.page.wait_for_function("() => document.body.innerText.includes('8.330,9')")
    probe.goto(mapping_server("/indicator/URBAN_POPULATION?areas=04&view=table"))
    probe.reveal_all()
    probe.page.wait_for_function("() => document.body.innerText.includes('128,4')")
    probe.assert_clean()
