"""Keyboard only (issue 16): Playwright's keyboard and nothing else — no mouse, no element.click(),
no filled field. From the sign-in form to an exported chart, and to a province's profile through
the map's list; the skip link; an export menu closed by Escape with the focus back on its button;
the wall paused by its key; Tab never trapped; the focus ring visible on whatever has the focus."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import start_server, stop_server
from tests.conftest import seeded_sqlite_world

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "keyboard test password"
MAX_TABS = 250  # more than any page's tab stops

# What has the focus, and how its ring looks.
FOCUSED = """() => { const e = document.activeElement, cs = getComputedStyle(e);
    return {tag: e.tagName, id: e.id, cls: String(e.className || ""), text: (e.innerText || "").trim().slice(0, 80),
            href: e.getAttribute("href") || "", outline: cs.outlineStyle, width: parseFloat(cs.outlineWidth),
            inMain: !!e.closest("main"), key: e.tagName + "#" + e.id + "." + e.className + "|" + (e.innerText || "").slice(0, 40)
                     + "|" + (e.getAttribute("href") || "")}; }"""


@pytest.fixture(scope="module")
def kbd_server(root, databases, tmp_path_factory):
    """A server on a copy of the seeded warehouse with a leader who signs in through the form,
    and a wall's display token."""
    from auth.displays import create_display_token
    from auth.users import create_user

    url, tmp, engine = seeded_sqlite_world(databases, tmp_path_factory, "keyboard")
    create_user(engine, "k.leader", PASSWORD, "leader", display_name="Nguyễn Bàn Phím")
    create_user(engine, "k.reporter", PASSWORD, "reporter", display_name="Trần Gửi Số", unit_code="TK")
    _, token = create_display_token(engine, "keyboard wall")
    engine.dispose()
    server = start_server(root, url, tmp / "instance")
    server.wall_token = token
    server.database_url = url
    yield server
    stop_server(server)


@pytest.fixture
def page(browser):
    context = browser.unsigned_context(viewport={"width": 1366, "height": 1024}, locale="vi-VN",
                                       accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}")
            if r.status >= 400 and "/_dash" in r.url else None)
    page.problems = problems
    yield page
    context.close()


def settle(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def tab_to(page, test: str, *, shift: bool = False) -> dict:
    """Press Tab until the focused element passes ``test`` (a JS function of the element); every
    element met on the way shows its focus ring."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if shift else "Tab")
        now = focused(page)
        if now["tag"] not in ("BODY", "HTML"):
            assert now["outline"] != "none" and now["width"] >= 2, f"no focus ring on {now}"
        if page.evaluate(f"() => ({test})(document.activeElement)"):
            return now
    raise AssertionError(f"never reached {test}")


def sign_in(page, server, path: str = "/", user: str = "k.leader") -> None:
    """The sign-in form by keyboard: the user name has the focus (autofocus), Tab, Enter."""
    page.goto(server("/signin?next=" + path))
    assert focused(page)["id"] == "username"
    page.keyboard.type(user)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(server(path))
    settle(page)


def test_kbd001_sign_in_to_an_exported_chart_by_keyboard(kbd_server, page):
    sign_in(page, kbd_server)
    # the skip link comes first and takes the focus to the main content
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["cls"] == "skip-link" and first["text"] == "Bỏ qua, đến nội dung chính"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main-content"
    assert tab_to(page, "e => true")["inMain"]  # the next stop is inside the main content
    # a tile opens its indicator
    tab_to(page, "e => (e.id || '').includes('GDP_GROWTH')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/indicator/GDP_GROWTH**")
    settle(page)
    page.wait_for_selector("#ind-trend-export .export-summary")
    # the trend's export menu: open, choose PNG, the file arrives, the menu closes, focus is back
    summary = "e => e.matches('#ind-trend-export summary.export-summary')"
    tab_to(page, summary)
    page.keyboard.press("Enter")
    assert page.locator("#ind-trend-export .export-panel").is_visible()
    tab_to(page, "e => e.matches('#ind-trend-export a.export-png')")
    with page.expect_download(timeout=60000) as info:
        page.keyboard.press("Enter")
    with open(info.value.path(), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert info.value.suggested_filename.endswith(".png")
    # the menu stays open for another file: the data, as CSV
    tab_to(page, "e => e.matches('#ind-trend-export a.export-csv')")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    with open(info.value.path(), "rb") as f:
        csv = f.read().decode("utf-8-sig")
    assert csv.startswith("Mã địa bàn,Địa bàn,Kỳ") and "VN,Cả nước,2026Q3" in csv
    # Escape closes it and the focus returns to its button
    assert page.evaluate("() => !!document.activeElement.closest('#ind-trend-export .export-panel')")
    page.keyboard.press("Escape")
    assert not page.locator("#ind-trend-export .export-panel").is_visible()
    assert page.evaluate(f"() => ({summary})(document.activeElement)")
    assert page.problems == []


def test_kbd002_sign_in_to_a_province_profile_through_the_maps_list(kbd_server, page):
    sign_in(page, kbd_server)
    tab_to(page, "e => e.matches('nav a.nav-link') && e.getAttribute('href') === '/provinces'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/provinces**")
    settle(page)
    # the list beside the map: labelled, type to search, arrow to the province, Enter opens it
    label = page.locator("label[for='prov-goto']").inner_text()
    assert label.lower() == "chọn tỉnh, thành phố trên bản đồ"
    tab_to(page, "e => e.id === 'prov-goto'")
    page.keyboard.press("Enter")  # opens the list with the focus in its search box
    page.wait_for_function("() => document.activeElement.matches('.dash-dropdown-search, input')")
    page.keyboard.type("Hue")
    expect(page.locator(".dash-dropdown-option").first).to_contain_text("Huế")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/provinces/46**")
    settle(page)
    assert page.locator("h1").inner_text() == "Huế"
    assert page.problems == []


def test_kbd003_the_charts_have_a_summary_and_a_data_table_by_keyboard(kbd_server, page):
    sign_in(page, kbd_server, "/provinces")
    page.wait_for_selector("#prov-map-summary", state="attached")
    summary = page.evaluate("() => document.getElementById('prov-map-summary').textContent")
    assert summary.startswith("Bản đồ Tốc độ tăng tổng sản phẩm trong nước (GDP)") and "Cao nhất:" in summary
    # the map is an image named by that sentence, as a screen reader reads it
    expect(page.get_by_role("img", name=summary)).to_have_count(1)
    tab_to(page, "e => e.matches('#prov-map-alt summary')")
    assert focused(page)["text"] == "Xem bảng số liệu"
    page.keyboard.press("Enter")
    table = page.locator("#prov-map-alt table")
    assert table.is_visible()
    assert table.locator("caption").inner_text().startswith("Bảng số liệu: ")
    assert table.locator("thead th[scope=col]").count() == 3
    assert table.locator("tbody th[scope=row]").count() >= 30


def test_kbd004_tab_never_traps_and_comes_back_around(kbd_server, page):
    sign_in(page, kbd_server)
    for path in ("/indicator/CPI_YOY", "/provinces", "/sectors", "/daily", "/provinces/01", "/directions",
                 "/directions/new?origin=tile&indicator=CPI_YOY&area=VN", "/direction/NV-2026-00001"):
        page.goto(kbd_server(path))
        settle(page)
        page.keyboard.press("Tab")
        assert focused(page)["cls"] == "skip-link", path
        seen = []
        for _ in range(MAX_TABS):
            page.keyboard.press("Tab")
            now = focused(page)
            if now["cls"] == "skip-link":
                break
            seen.append(now["key"])
        else:
            raise AssertionError(f"{path}: Tab never came back to the skip link; last stops {seen[-5:]}")
        assert len(seen) > 10, path
        # and backwards: Shift+Tab from the skip link wraps to the end without a trap
        tab_to(page, "e => e.classList.contains('skip-link')", shift=True)


def test_kbd005_the_wall_pauses_on_its_key(kbd_server, page):
    page.goto(kbd_server(f"/wall?boards=overview,daily,sector&seconds=5&poll=600&token={kbd_server.wall_token}"))
    settle(page)
    assert "Phím Cách hoặc P" in page.locator(".wall-keys").inner_text()
    page.wait_for_function("() => (window.__occWallRotations || 0) >= 1")
    page.keyboard.press("p")
    assert page.locator("#wall-paused").inner_text() == "Đã tạm dừng"
    assert page.locator("#wall-paused").get_attribute("role") == "status"
    rotations = page.evaluate("() => window.__occWallRotations")
    ticks = page.evaluate("() => window.__occWallTicks")
    page.wait_for_function(f"() => window.__occWallTicks >= {ticks + 1}")  # a rotation was due
    assert page.evaluate("() => window.__occWallRotations") == rotations
    active = page.evaluate("() => document.querySelector('.wall-board.active').dataset.board")
    page.keyboard.press("ArrowRight")
    after = page.evaluate("() => document.querySelector('.wall-board.active').dataset.board")
    assert after != active
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("() => document.querySelector('.wall-board.active').dataset.board") == active
    page.keyboard.press(" ")
    assert page.locator("#wall-paused").inner_text() == "Đã tiếp tục"
    page.wait_for_function(f"() => window.__occWallRotations > {rotations}")


def test_kbd006_a_grid_sorts_by_enter_and_is_one_tab_stop(kbd_server, page):
    sign_in(page, kbd_server, "/sectors")
    page.wait_for_selector("#sec-table-box.deferred-pending")  # below the tiles: not drawn yet
    # the keyboard draws it: focused (a tab stop) or come near as the focus scrolls the page
    tab_to(page, "e => !!e.closest('#sec-table-box')")
    page.wait_for_selector(".ag-header-cell-sortable")
    page.keyboard.press("Shift+Tab")
    tab_to(page, "e => e.matches('.ag-header-cell-sortable')")
    header = page.evaluate("() => document.activeElement.getAttribute('col-id')")
    before = page.evaluate("() => document.activeElement.getAttribute('aria-sort')")
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.activeElement.getAttribute('aria-sort') !== {before!r}")
    assert page.evaluate("() => document.activeElement.getAttribute('col-id')") == header
    page.keyboard.press("ArrowDown")  # the arrows move inside the grid ...
    assert page.evaluate("() => !!document.activeElement.closest('.ag-root')")
    page.keyboard.press("Tab")  # ... and one Tab leaves it
    assert not page.evaluate("() => !!document.activeElement.closest('.ag-root')")


# A published table naming provinces; "Ha Noii" is proposed as Hà Nội (a close name, to check).
NAMED_TABLE = ('"Biểu 5. Dân số trung bình phân theo tỉnh"\n"Đơn vị tính: Nghìn người"\n,2021,2022\n'
               '"Ha Noi",8330.8,8435.7\n"TP. Hồ Chí Minh",9166.8,9389.7\n"Ha Noii",1,2\n')


def test_kbd007_an_officer_maps_names_to_codes_by_keyboard(kbd_server, page, tmp_path):
    """A reporter uploads a table with names, changes one proposed area (the close name, to
    "skip"), names the mapping, confirms; the file is loaded and the mapping saved."""
    from sqlalchemy import create_engine

    from data_access.mappings import saved_mapping

    path = tmp_path / "bieu5.csv"
    path.write_text(NAMED_TABLE, encoding="utf-8")
    # Playwright turns file-chooser interception on without waiting for it: on from the start, so a
    # chooser opened by the key press below is never missed on a busy machine
    page.on("filechooser", lambda _chooser: None)
    sign_in(page, kbd_server, "/submit", user="k.reporter")
    tab_to(page, "e => e.matches('#sub-upload input[type=file]')")  # the drop zone's file input
    assert page.evaluate("() => document.activeElement.getAttribute('aria-labelledby')") == "sub-upload-text"
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(str(path))
    page.wait_for_selector(".sub-mapping .map-table")
    settle(page)
    row = page.locator(".map-table tr", has_text="Ha Noii")
    assert "Cần kiểm tra" in row.inner_text() and "01 Hà Nội" in row.inner_text()
    tab_to(page, "e => e.matches('button.dash-dropdown') && !!e.closest('tr') && "
                 "e.closest('tr').querySelector('th').innerText === 'Ha Noii'")
    # a letter typed on the closed list opens it with that letter in its search box; the rest of
    # the search once that box has the focus (keys typed before would be lost)
    page.keyboard.type("B")
    page.wait_for_function("() => document.activeElement.tagName === 'INPUT' && document.activeElement.value === 'B'")
    page.keyboard.type("ỏ qua")
    page.wait_for_function("() => document.activeElement.value === 'Bỏ qua'")
    expect(page.locator(".dash-dropdown-option", has_text="Bỏ qua")).to_be_visible()
    # the list keeps the chosen code on top: down to the match (the focus is on the option's input)
    on_match = "() => (document.activeElement.closest('.dash-dropdown-option') || {}).innerText || ''"
    for _ in range(6):
        page.keyboard.press("ArrowDown")
        if "Bỏ qua" in page.evaluate(on_match):
            break
    assert "Bỏ qua" in page.evaluate(on_match), page.evaluate(on_match)
    page.keyboard.press("Enter")
    expect(row.locator(".dash-dropdown")).to_contain_text("Bỏ qua, không nạp các dòng này")
    # the list closes and gives the focus back to its button a moment later: keys typed before that
    # would go to the list, not to the name's field
    page.wait_for_function("() => !document.querySelector('.dash-dropdown-content, [role=listbox]') && "
                           "document.activeElement.matches('button.dash-dropdown')")
    tab_to(page, "e => e.id === 'sub-map-save'")
    page.keyboard.type("ban-phim")
    expect(page.locator("#sub-map-save")).to_have_value("ban-phim")
    tab_to(page, "e => e.id === 'sub-map-confirm'")
    page.keyboard.press("Enter")
    page.wait_for_selector(".sub-report .alert")
    settle(page)
    assert page.locator(".sub-report .alert").inner_text().startswith("Đã tiếp nhận báo cáo số")
    assert "Đã lưu cách đối chiếu “ban-phim”" in page.locator(".page-submit").inner_text()
    engine = create_engine(kbd_server.database_url)
    try:
        with engine.connect() as conn:
            assert saved_mapping(conn, "TK", "ban-phim").mapping["areas"] == {
                "Ha Noi": "01", "TP. Hồ Chí Minh": "79-63", "Ha Noii": ""}
    finally:
        engine.dispose()
    assert page.problems == []


def test_kbd008_a_province_scorecard_searched_sorted_and_followed_by_keyboard(kbd_server, page):
    """The profile's scorecard (a plain table, assets/table.js): the search box finds indicators by
    a name typed without tone marks, a header sorts by Enter (the sorted column says so), a name
    opens its indicator page in place."""
    sign_in(page, kbd_server, "/provinces/01")
    rows = page.locator("#pf-table tbody tr")
    total = rows.count()
    assert total > 30 and page.locator("#pf-table caption").inner_text().endswith("· Hà Nội")
    tab_to(page, "e => e.id === 'pf-table-search'")
    page.keyboard.type("lao dong")  # "lao động", typed without its marks
    expect(page.locator("#pf-table .sort-table-count")).not_to_have_text(f"{total}/{total} dòng")
    names = page.locator("#pf-table tbody th").all_inner_texts()
    assert 0 < len(names) < total and all("lao động" in n.lower() for n in names), names
    assert page.locator("#pf-table .sort-table-count").inner_text() == f"{len(names)}/{total} dòng"
    rank_head = "e => e.matches('#pf-table th .sort-head') && e.innerText.startsWith('Xếp hạng')"
    tab_to(page, rank_head)
    page.keyboard.press("Enter")
    header = page.locator("#pf-table thead th", has_text="Xếp hạng")
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert focused(page)["text"].startswith("Xếp hạng")  # the focus stays on the header

    def ranks() -> list[int]:
        cells = page.locator("#pf-table tbody tr td:nth-child(7)").all_inner_texts()
        return [int(c.split("/")[0]) for c in cells if c != "–"]

    assert ranks() == sorted(ranks()) and len(set(ranks())) > 1
    page.keyboard.press("Enter")
    expect(header).to_have_attribute("aria-sort", "descending")
    assert ranks() == sorted(ranks(), reverse=True)
    first = page.locator("#pf-table tbody th a").first
    href = first.get_attribute("href")
    tab_to(page, "e => e.matches('#pf-table tbody th a')")
    assert focused(page)["href"] == href  # the first row's name, after the headers
    page.evaluate("() => { window.__samePage = true; }")
    page.keyboard.press("Enter")
    page.wait_for_url("**" + href)
    settle(page)
    assert page.evaluate("() => window.__samePage") is True  # in place, as a link of the page: no reload
    assert page.problems == []
