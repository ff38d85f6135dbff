"""Issue 6: the wall in headless Chromium: rotation, live refresh only on a new data version, the
lost-connection mark and recovery, JS heap over many refresh cycles, screenshots at 1080p and 4K."""

from __future__ import annotations

import json
import shutil
import time

import pytest
from sqlalchemy import create_engine, text

from tests.browser.conftest import start_server, stop_server
from tests.conftest import seeded_url_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def wall_server(root, databases, tmp_path):
    """A server of its own on a copy of the seeded SQLite warehouse (these tests write), with the
    wall's minimum poll interval shortened for the test."""
    source = seeded_url_for("sqlite", databases).split("sqlite:///", 1)[1]
    copy = tmp_path / "wall.sqlite"
    shutil.copy(source, copy)
    url = f"sqlite:///{copy}"
    server = start_server(root, url, tmp_path / "instance", {"WALL_MIN_POLL_SECONDS": "0.2"})
    server.database_url = url
    server.token = _token(url)
    yield server
    stop_server(server)


def _token(database_url: str) -> str:
    from auth.displays import create_display_token

    engine = create_engine(database_url)
    _, token = create_display_token(engine, "test wall")
    engine.dispose()
    return token


def _bump(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE data_version SET version = version + 1, updated_at = CURRENT_TIMESTAMP"))
    engine.dispose()


def _callbacks(probe) -> int:
    return len(probe.callback_requests)


def test_wal001_rotates_two_full_cycles_without_server_calls(wall_server, probe):
    probe.goto(wall_server(f"/wall?boards=overview,daily,sector&seconds=1.5&poll=600&token={wall_server.token}"))
    probe.page.wait_for_selector(".wall-tile")
    before = _callbacks(probe)
    seen = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(seen) < 7:
        active = probe.page.get_attribute(".wall-board.active", "data-board")
        if not seen or seen[-1] != active:
            seen.append(active)
        probe.page.wait_for_timeout(200)
    assert seen[:7] == ["overview", "daily", "sector", "overview", "daily", "sector", "overview"], seen
    assert _callbacks(probe) == before  # rotation is clientside: no callback request
    assert probe.page.locator(".app-header").is_hidden()  # no navigation on the wall
    probe.assert_clean()


def test_wal002_submission_appears_without_reload_and_idle_polls_cost_nothing(wall_server, probe):
    from ingest.pipeline import submit

    probe.page.goto(wall_server(f"/wall?boards=overview&seconds=600&poll=1&token={wall_server.token}"))
    probe.page.wait_for_selector(".wall-tile")
    probe.page.wait_for_function("() => window.__occWallPolls >= 1")
    probe.settle()
    probe.page.evaluate("() => { window.__marker = 'same page'; }")
    before = _callbacks(probe)
    probe.page.wait_for_function("() => window.__occWallPolls >= 4", timeout=20000)
    assert _callbacks(probe) == before, "an unchanged data_version must cause no callback request"

    payload = json.dumps({"unit": "TK", "observations": [
        {"indicator_code": "GDP_GROWTH", "area_code": "VN", "period": "2026Q3", "value": 9.87}]}).encode()
    engine = create_engine(wall_server.database_url)
    report = submit(engine, unit_code="TK", payload=payload, filename="gdp.json", channel="api", submitted_by="test",
                    archive_dir=wall_server.log.parent / "archive")
    engine.dispose()
    assert report.status == "accepted", report
    accepted_at = time.monotonic()
    probe.page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.wt-value')).some(e => e.textContent === '9,87')", timeout=10000)
    assert time.monotonic() - accepted_at < 1 + 5  # one refresh interval (1 s) plus the refresh itself
    assert probe.page.evaluate("() => window.__marker") == "same page"  # no reload
    assert _callbacks(probe) > before
    probe.assert_clean()


def test_wal003_connection_lost_mark_and_recovery(root, databases, tmp_path, probe):
    source = seeded_url_for("sqlite", databases).split("sqlite:///", 1)[1]
    copy = tmp_path / "wall.sqlite"
    shutil.copy(source, copy)
    env = {"WALL_MIN_POLL_SECONDS": "0.2"}
    token = _token(f"sqlite:///{copy}")
    server = start_server(root, f"sqlite:///{copy}", tmp_path / "i1", env)
    port = server.url.rsplit(":", 1)[1]
    try:
        probe.page.goto(server(f"/wall?boards=overview&seconds=600&poll=0.5&token={token}"))
        probe.page.wait_for_selector(".wall-tile")
        stop_server(server)
        probe.page.wait_for_function(
            "() => document.getElementById('wall-status').textContent.startsWith('Mất kết nối từ')", timeout=15000)
        assert probe.page.locator(".wall-tile").count() >= 12  # the last data stays up
        server = start_server(root, f"sqlite:///{copy}", tmp_path / "i2", {**env, "PORT": port})
        probe.page.wait_for_function("() => document.getElementById('wall-status').textContent === ''", timeout=20000)
        assert probe.page.locator(".wall-tile").count() >= 12
    finally:
        stop_server(server)
    # console errors from the failed polls while the server was down are expected; no page errors
    assert not [e for e in probe.errors if e.startswith("page error")], probe.errors


def _heap(cdp) -> float:
    cdp.send("HeapProfiler.collectGarbage")
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "JSHeapUsedSize")


def test_wal004_heap_stays_flat_over_200_refresh_cycles(wall_server, probe):
    page = probe.page
    probe.page.goto(wall_server(f"/wall?boards=overview,daily&seconds=600&poll=0.2&token={wall_server.token}"))
    page.wait_for_selector(".wall-tile")
    page.wait_for_function("() => window.__occWallVersion !== undefined")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    version = page.evaluate("() => window.__occWallVersion")
    heap_10 = None
    for cycle in range(1, 201):
        _bump(wall_server.database_url)
        version += 1
        page.wait_for_function(f"() => window.__occWallVersion >= {version}", timeout=20000)
        page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=20000)
        if cycle == 10:
            heap_10 = _heap(cdp)
    page.wait_for_timeout(500)
    heap_200 = _heap(cdp)
    assert heap_10 is not None
    assert heap_200 <= heap_10 * 1.2, f"JS heap grew from {heap_10:,.0f} to {heap_200:,.0f} bytes"
    probe.assert_clean()


@pytest.mark.parametrize("width,height", [(1920, 1080), (3840, 2160)])
def test_wal005_screenshots_of_every_board(wall_server, browser, width, height):
    from components.wallboards import BOARDS
    from tests.browser.conftest import PageProbe

    context = browser.new_context(viewport={"width": width, "height": height})
    probe = PageProbe(context.new_page())
    try:
        for board in BOARDS:
            probe.goto(wall_server(f"/wall?boards={board}&seconds=600&poll=600&token={wall_server.token}"))
            probe.page.wait_for_selector(f".wall-board.active[data-board={board}] .wall-board-inner")
            probe.page.wait_for_timeout(800)
            box = probe.page.locator(".wall-canvas").bounding_box()
            assert abs(box["width"] - width) < 2 and abs(box["height"] - height) < 2  # scaled to the screen
            probe.screenshot(f"wall-{board}-{width}x{height}")
        probe.assert_clean()
    finally:
        context.close()


def test_wal006_display_token_required_and_revocable(wall_server, probe):
    from auth.displays import list_display_tokens, revoke_display_token

    probe.goto(wall_server("/wall?boards=overview"))
    assert probe.page.locator(".wall-refused-text").inner_text().startswith("Mã hiển thị không hợp lệ")
    assert probe.page.locator(".wall-tile").count() == 0
    probe.goto(wall_server("/wall?boards=overview&token=not-a-token"))
    assert probe.page.locator(".wall-tile").count() == 0
    probe.page.goto(wall_server(f"/wall?boards=overview&seconds=600&poll=0.5&token={wall_server.token}"))
    probe.page.wait_for_selector(".wall-tile")
    engine = create_engine(wall_server.database_url)
    (tok,) = list_display_tokens(engine)
    assert revoke_display_token(engine, tok.id)
    engine.dispose()  # revocation bumps the data version: the wall refreshes now
    probe.page.wait_for_selector(".wall-refused-text", timeout=15000)
    assert probe.page.locator(".wall-tile").count() == 0  # the revoked wall no longer shows data
    probe.assert_clean()


def test_wal007_a_board_is_drawn_at_its_first_turn(wall_server, probe):
    """On opening only the board on screen is drawn (the map and the sector's charts wait for their
    turn, plotly.js is not even fetched); each board is drawn at its turn with its data already in
    the page (no callback request), and stays drawn."""
    page = probe.page
    probe.goto(wall_server(f"/wall?boards=overview,provinces,sector&seconds=3600&poll=600&token={wall_server.token}"))
    page.wait_for_selector(".wall-board.active[data-board=overview] .wall-board-inner")
    assert page.locator(".wall-board .deferred-pending[data-within='.wall-board']").count() == 2
    assert page.evaluate("() => document.querySelectorAll('.js-plotly-plot').length") == 0
    before = _callbacks(probe)
    page.keyboard.press("ArrowRight")  # the provinces board's turn: its map is drawn
    page.wait_for_selector(".wall-board.active[data-board=provinces] .wall-map .main-svg")
    assert page.locator(".wall-board[data-board=sector] .deferred-pending").count() == 1
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelectorAll('.wall-board[data-board=sector] .ws-chart .main-svg')"
                           ".length >= 3")
    page.keyboard.press("ArrowRight")  # back to the first: everything stays drawn
    assert page.locator(".wall-board .deferred-pending").count() == 0
    assert _callbacks(probe) == before
    probe.assert_clean()
