"""Issue 19: the whole loop of a direction in a real Chromium. A leader sees an off-target tile on
the overview, creates a direction from it ("Giao nhiệm vụ", pre-filled), the unit answers through
the API with its unit token and a PDF, the leader closes it; after each step the wall's ticker,
the daily brief, the indicator page's markers and the unit's measures show it on their next
refresh (no restart)."""

from __future__ import annotations

import json
import re
import shutil
import urllib.request
import uuid
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from domain.directions import CENTER_TZ
from tests.browser.conftest import start_server, stop_server
from tests.conftest import seeded_url_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OFF_TRACK_TILE = ".tile-with-assign:has(.kpi-tile.status-off_track)"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def loop_server(root, databases, tmp_path):
    """A leader's server on a copy of the seeded warehouse (this test writes), a wall's display token
    and the walls' minimum poll shortened for the test."""
    source = seeded_url_for("sqlite", databases).split("sqlite:///", 1)[1]
    copy = tmp_path / "loop.sqlite"
    shutil.copy(source, copy)
    url = f"sqlite:///{copy}"
    server = start_server(root, url, tmp_path / "instance", {"WALL_MIN_POLL_SECONDS": "0.2"}, role="leader")
    server.database_url = url
    yield server
    stop_server(server)


def _engine_do(url: str, fn):
    engine = create_engine(url)
    try:
        return fn(engine)
    finally:
        engine.dispose()


def _display_token(url: str) -> str:
    from auth.displays import create_display_token

    return _engine_do(url, lambda e: create_display_token(e, "loop wall")[1])


def _unit_token(url: str, unit: str) -> str:
    from auth.tokens import create_token

    return _engine_do(url, lambda e: create_token(e, unit, label="loop")[0])


def _agency_of(url: str, code: str) -> tuple[str, str]:
    """(agency code, short name) of the unit responsible for indicator ``code``."""
    sql = text("SELECT a.code, a.short_vi FROM indicator i JOIN agency a ON a.id = i.agency_id WHERE i.code = :c")
    return tuple(_engine_do(url, lambda e: e.connect().execute(sql, {"c": code}).one()))


def _report(server, token: str, ref: str) -> dict:
    """The unit's "done" report through the API, multipart with a PDF (as a unit's system sends it)."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\ndone\r\n',
             f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n'
             "Đã rà soát nguyên nhân, kiến nghị giải pháp (báo cáo kèm theo).\r\n",
             f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="bao-cao.pdf"\r\n'
             "Content-Type: application/pdf\r\n\r\n"]
    body = "".join(parts).encode() + PDF + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(server(f"/api/v1/directions/{ref}/reports"), data=body, method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(req, timeout=30) as res:
        assert res.status == 201
        return json.loads(res.read())


def _measure(probe, server, measure: str, unit: str) -> str | None:
    """The unit's figure in the measure's table on /directions (None: not in it)."""
    probe.page.goto(server("/directions"))
    probe.settle(45_000)  # the list, its counts and three charts: slower than a board on a busy machine
    rows = probe.page.eval_on_selector_all(  # the table behind "Xem bảng số liệu" (closed: read its cells' text)
        f".dir-measure[data-measure='{measure}'] tbody tr",
        "trs => trs.map(tr => [tr.cells[0].textContent.trim(), tr.cells[1].textContent.trim()])")
    assert rows or measure != "open", "the measure's table is empty"
    return dict(rows).get(unit)


def _wall_ticker(wall) -> str:
    return wall.locator("#wall-ticker").inner_text()


def test_dir001_the_whole_loop(loop_server, probe, browser):
    today = datetime.now(CENTER_TZ).date()
    url = loop_server.database_url

    # the wall, open through the whole loop: it refreshes on its own when the data version moves
    wall_context = browser.unsigned_context(viewport={"width": 1920, "height": 1080})
    wall = wall_context.new_page()
    wall.goto(loop_server(f"/wall?boards=directions&seconds=600&poll=0.2&token={_display_token(url)}"))
    wall.wait_for_selector(".wall-board-inner")

    # 1. the leader sees an off-target tile on the overview and opens "Giao nhiệm vụ" from it
    probe.goto(loop_server("/"))
    tile = probe.page.locator(OFF_TRACK_TILE).first
    code = json.loads(tile.locator(".kpi-link").get_attribute("id"))["code"]
    name = tile.locator(".kpi-name").inner_text().strip()
    unit, unit_name = _agency_of(url, code)
    open_before = int(_measure(probe, loop_server, "open", unit_name) or 0)
    probe.goto(loop_server("/"))
    probe.page.locator(OFF_TRACK_TILE).first.locator(".assign-link").click()
    probe.page.wait_for_url(re.compile(r"/directions/new\?origin=tile&indicator=" + code), wait_until="commit")
    probe.settle()
    title = probe.page.locator("#dnew-title").input_value()
    assert name in title and title.startswith("Cục Thống kê" if unit == "TK" else ""), title  # pre-filled
    assert unit_name in probe.page.locator("#dnew-lead-unit").inner_text()
    assert code in probe.page.locator("#dnew-indicators").inner_text()
    assert probe.page.locator(".dir-origin").inner_text().startswith("Từ ô chỉ tiêu")

    # issued ten days ago, due two days ago: overdue from the start
    for ident, day in (("#dnew-deadline", today - timedelta(days=2)), ("#dnew-issued-on", today - timedelta(days=10))):
        field = probe.page.locator(ident)
        field.click()
        probe.page.keyboard.press("Control+A")
        probe.page.keyboard.type(day.strftime("%d/%m/%Y"))  # typed as a person types it, key by key
        probe.page.keyboard.press("Enter")  # the picker takes the typed date and closes
        probe.page.locator("h1.page-title").click()
        expect(probe.page.locator(".SingleDatePicker_picker:visible")).to_have_count(0)
        expect(field).to_have_value(day.strftime("%d/%m/%Y"))
    title = f"{title} ({uuid.uuid4().hex[:6]})"  # this test's own direction among the demo's
    probe.page.fill("#dnew-title", title)
    probe.page.click("#dnew-submit")
    probe.page.wait_for_function(  # the direction's page (a client-side move), or the refusal beside the form
        "() => location.pathname.startsWith('/direction/') || document.querySelector('#dnew-status').innerText")
    assert re.search(r"/direction/NV-\d{4}-\d{5}", probe.page.url), probe.page.locator("#dnew-status").inner_text()
    ref = probe.page.url.rsplit("/", 1)[1].split("?")[0]
    probe.settle()
    assert "Quá hạn" in probe.page.locator(".dir-subtitle").inner_text()

    # each board shows it on its next refresh
    wall.wait_for_function(f"() => document.querySelector('#wall-ticker').innerText.includes({json.dumps(title)})")
    assert "2 ngày" in _wall_ticker(wall)
    probe.goto(loop_server("/daily"))
    assert ref in probe.page.locator("#daily-directions").inner_text()
    probe.goto(loop_server(f"/indicator/{code}"))
    probe.page.wait_for_selector(".dir-markers-note")
    assert ref in probe.page.locator(".dir-markers-note").inner_text()
    probe.page.wait_for_function(f"() => document.querySelector('.ind-trend-graph').innerText.includes('Giao {ref}')")
    assert int(_measure(probe, loop_server, "open", unit_name)) == open_before + 1

    # 2. the unit answers through the API with its token and a PDF
    assert _report(loop_server, _unit_token(url, unit), ref)["state"] == "reported_done"
    wall.wait_for_function(f"() => !document.querySelector('#wall-ticker').innerText.includes({json.dumps(title)})")
    probe.goto(loop_server("/daily"))
    assert ref not in probe.page.locator("#daily-directions").inner_text()
    probe.goto(loop_server(f"/direction/{ref}"))
    assert "Đã báo cáo hoàn thành" in probe.page.locator(".dir-subtitle").inner_text()
    link = probe.page.locator(".dir-files a", has_text="bao-cao.pdf")
    assert probe.page.request.get(loop_server(link.get_attribute("href"))).body() == PDF
    assert "Đã rà soát nguyên nhân" in probe.page.locator(".dir-history").inner_text()
    assert int(_measure(probe, loop_server, "open", unit_name)) == open_before + 1  # still the centre's until closed
    probe.goto(loop_server(f"/direction/{ref}"))

    # 3. the leader closes it
    probe.page.locator("button.dir-act-button", has_text="Kết thúc nhiệm vụ").click()
    probe.page.wait_for_selector("#dir-outcome")
    outcome = probe.page.locator("#dir-outcome").inner_text()
    assert "Đã kết thúc" in probe.page.locator(".dir-subtitle").inner_text(), outcome
    probe.goto(loop_server(f"/indicator/{code}"))
    probe.page.wait_for_function(f"() => document.querySelector('.ind-trend-graph').innerText.includes('Xong {ref}')")
    assert int(_measure(probe, loop_server, "open", unit_name) or 0) == open_before  # closed: no longer open
    assert _measure(probe, loop_server, "days_overdue", unit_name) is not None  # closed two days late
    assert _measure(probe, loop_server, "on_time", unit_name) is not None
    wall.wait_for_function(f"() => document.querySelector('.wall-board-inner').innerText.includes({json.dumps(title[:40])})")
    probe.screenshot("directions-loop-indicator")
    wall_context.close()
    probe.assert_clean()


def test_dir002_a_leader_corrects_a_directions_text(loop_server, probe):
    """The leader opens "Sửa nội dung" on an open direction's page, corrects its number and
    priority, saves: the page says so and shows the new number; saving again unchanged is said."""
    sql = text("SELECT ref FROM direction WHERE state IN ('assigned', 'in_progress') AND NOT confidential "
               "ORDER BY id DESC LIMIT 1")
    ref = _engine_do(loop_server.database_url, lambda e: e.connect().execute(sql).scalar_one())
    probe.goto(loop_server(f"/direction/{ref}"))
    edit = probe.page.locator("details.dir-edit")
    expect(edit.locator("#dir-e-title")).to_be_hidden()  # folded until opened
    edit.locator("summary").click()
    number = f"{uuid.uuid4().int % 900 + 100}/TB-VPCP"
    edit.locator("#dir-e-doc-number").fill(number)
    probe.page.locator("#dir-e-priority").click()
    probe.page.locator(".dash-dropdown-option").filter(has=probe.page.get_by_role("radio", name="Khẩn")).click()
    probe.screenshot("direction-edit")
    edit.locator("button", has_text="Lưu thay đổi").click()
    probe.page.wait_for_selector("#dir-outcome")
    assert number in probe.page.locator(".dir-subtitle").inner_text(), probe.page.locator("#dir-outcome").inner_text()
    assert "Khẩn" in probe.page.locator(".dir-dl").inner_text()
    probe.page.locator("details.dir-edit summary").click()
    probe.page.locator("details.dir-edit button", has_text="Lưu thay đổi").click()
    expect(probe.page.locator("#dir-outcome")).to_have_text("Chưa có thay đổi nào để lưu.")
    probe.assert_clean()
