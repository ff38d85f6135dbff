"""Issue 8 in headless Chromium: signing in through the form (no JavaScript needed), the user menu
and sign-out, a reporter's navigation without boards, and no Content-Security-Policy violation on
any main page (the renderer, inline clientside callbacks and the shell's first-paint script all
run under the hashed policy)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from tests.browser.conftest import seeded_copy, start_server, stop_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "browser test password"
MAIN_PAGES = ["/", "/daily", "/sectors", "/provinces", "/provinces/01", "/indicators", "/indicator/CPI_YOY",
              "/compliance", "/submit", "/account", "/admin/audit", "/admin/users"]


@pytest.fixture(scope="module")
def auth_server(root, databases, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("authbrowser")
    url = seeded_copy(databases, tmp)
    from auth.users import create_user

    engine = create_engine(url)
    create_user(engine, "b.admin", PASSWORD, "admin", display_name="Trần Văn Quản")
    create_user(engine, "b.reporter", PASSWORD, "reporter", unit_code="TK", display_name="Lê Báo Cáo")
    engine.dispose()
    server = start_server(root, url, tmp / "instance")
    yield server
    stop_server(server)


def _sign_in(page, server, username: str, path: str = "/") -> None:
    page.goto(server(path))
    assert "/signin" in page.url
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}")
            if m.type == "error" or "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}")
            if r.status >= 400 and "/_dash" in r.url else None)
    return problems


def test_bau001_sign_in_every_main_page_without_csp_violation_then_sign_out(auth_server, browser):
    context = browser.unsigned_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    page = context.new_page()
    try:
        problems = _watch(page)
        _sign_in(page, auth_server, "b.admin", "/indicators")
        assert page.url.endswith("/indicators")
        header = page.locator(".user-menu")
        assert "Trần Văn Quản" in header.inner_text() and "Đăng xuất" in header.inner_text()
        for path in MAIN_PAGES:
            page.goto(auth_server(path))
            page.wait_for_load_state("networkidle")
            page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")
            page.wait_for_timeout(300)
            assert problems == [], f"{path}: {problems}"
        page.goto(auth_server("/"))
        page.wait_for_load_state("networkidle")
        page.click(".user-menu button.signout")
        page.wait_for_url("**/signin**")
        page.goto(auth_server("/daily"))
        assert "/signin" in page.url  # signed out: the boards ask to sign in again
        assert problems == []
    finally:
        context.close()


def test_bau002_reporter_sees_no_boards(auth_server, browser):
    context = browser.unsigned_context(viewport={"width": 1600, "height": 900}, locale="vi-VN")
    page = context.new_page()
    try:
        _sign_in(page, auth_server, "b.reporter")
        assert page.url.endswith("/submit")  # a reporter lands on the upload page
        page.wait_for_selector(".nav .nav-link")
        nav = page.locator(".nav").inner_text()
        assert "Gửi báo cáo" in nav and "Tổng quan" not in nav and "Chỉ tiêu" not in nav
        res = page.goto(auth_server("/indicators"))
        assert res.status == 403 and "Không có quyền truy cập" in page.content()
    finally:
        context.close()


def test_bau003_wrong_password_and_language(auth_server, browser):
    context = browser.unsigned_context(locale="en-US")
    page = context.new_page()
    try:
        page.goto(auth_server("/signin?lang=en"))
        page.fill("#username", "b.admin")
        page.fill("#password", "not the password")
        page.click("button[type=submit]")
        assert "Wrong user name or password." in page.locator(".auth-error").inner_text()
        assert page.locator("#password").input_value() == ""
    finally:
        context.close()
