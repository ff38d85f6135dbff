"""Browser fixtures: the app served by a real process on 127.0.0.1 over a seeded warehouse, and a
headless Chromium (Debian's /usr/bin/chromium) driven by Playwright. A page object collects
console errors and failed callback responses so every test can assert there were none."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import FIXED_UNTIL, free_port, seeded_url_for

try:  # Playwright's expect() waits 5 s by default, beside the pages' 20 s: a busy machine outruns it
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)
except ImportError:  # the Selenium-only lane
    pass

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


class LiveServer:
    def __init__(self, url: str, proc: subprocess.Popen, log: Path):
        self.url = url
        self.proc = proc
        self.log = log

    def __call__(self, path: str = "/") -> str:
        return self.url + path


def start_server(root: Path, database_url: str, instance: Path, extra_env: dict | None = None,
                 role: str = "analyst") -> LiveServer:
    """The app in a process of its own; the test browsers are signed in as ``browser.<role>``."""
    port = int((extra_env or {}).get("PORT") or free_port())
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_REDIS_URL")}
    env.update({"DATABASE_URL": database_url, "PORT": str(port), "INSTANCE_DIR": str(instance), "SEED_DEMO": "0",
                "DEMO_UNTIL": FIXED_UNTIL.isoformat(), **(extra_env or {})})
    instance.mkdir(parents=True, exist_ok=True)
    sign_in_browser_user(database_url, role)
    log = instance / f"server-{port}.log"
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=root, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(url + "/api/v1/health", timeout=1) as res:
                if json.loads(res.read()).get("status") == "ok":
                    return LiveServer(url, proc, log)
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the app did not start:\n" + log.read_text()[-3000:])


def sign_in_browser_user(database_url: str, role: str = "analyst") -> None:
    """Every page needs a signed-in user (issue 8). The browsers of these tests are signed in as
    ``browser.analyst`` (an analyst without the confidential grant: the boards as the tests knew
    them; ``start_server(..., role="admin")`` for journeys that upload for several units) through
    a real session row in the server's warehouse, the same cookie for every test server of this
    process; :class:`SignedInBrowser` gives each new context its cookie. Sign-in
    itself is tested through the form in ``test_auth.py``. No bypass of any kind."""
    from tests.auth_sessions import ensure_session_at

    global SESSION_COOKIE
    SESSION_COOKIE = ensure_session_at(database_url, f"browser.{role}", role)


SESSION_COOKIE: tuple[str, str] | None = None


class SignedInBrowser:
    """The Playwright browser whose new contexts carry the test user's session cookie;
    :meth:`unsigned_context` opens one without it."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        if SESSION_COOKIE is not None:
            name, value = SESSION_COOKIE
            context.add_cookies([{"name": name, "value": value, "url": "http://127.0.0.1"}])
        return context

    def new_page(self, **kwargs):
        return self.new_context(**kwargs).new_page()

    def unsigned_context(self, **kwargs):
        return self._browser.new_context(**kwargs)

    def __getattr__(self, name):
        return getattr(self._browser, name)


def stop_server(server: LiveServer) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.proc.kill()


@pytest.fixture(scope="session")
def live_server(root, databases, tmp_path_factory):
    """The app on the session's seeded SQLite warehouse (read-only tests)."""
    server = start_server(root, seeded_url_for("sqlite", databases), tmp_path_factory.mktemp("live"))
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def browser(chromium):
    return SignedInBrowser(chromium)


class PageProbe:
    """Wraps a Playwright page; records console errors and failed Dash requests."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.callback_requests: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("response", self._response)
        page.on("request", lambda r: self.callback_requests.append(r.post_data or "")
                if "/_dash-update-component" in r.url else None)

    def _response(self, res) -> None:
        if res.status >= 400 and "/_dash" in res.url:
            self.errors.append(f"HTTP {res.status} {res.url}")

    def goto(self, url: str) -> None:
        self.page.goto(url)
        self.settle()

    def settle(self, timeout_ms: int = 15000) -> None:
        """Wait until Dash has no callback in flight."""
        self.page.wait_for_load_state("networkidle", timeout=timeout_ms)
        self.page.wait_for_function(
            "() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=timeout_ms)

    def reveal(self, selector: str, timeout_ms: int = 15000) -> None:
        """Scroll a part drawn when it comes near the screen (components.fast.deferred) into view
        and wait until it is drawn and settled."""
        self.page.locator(selector).scroll_into_view_if_needed()
        self.page.wait_for_function("s => { const e = document.querySelector(s); "
                                    "return e && !e.classList.contains('deferred-pending'); }",
                                    arg=selector, timeout=timeout_ms)
        self.settle(timeout_ms)

    def reveal_all(self) -> None:
        """:meth:`reveal` every part of the page still waiting to be drawn."""
        for ident in self.page.eval_on_selector_all(".deferred-pending[id]", "els => els.map(e => e.id)"):
            self.reveal(f"#{ident}")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def assert_clean(self) -> None:
        assert self.errors == [], "\n".join(self.errors)


@pytest.fixture
def probe(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(20000)
    yield PageProbe(page)
    context.close()
