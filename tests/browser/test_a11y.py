"""Issue 16: WCAG 2.1 AA. axe-core (the copy bundled by ``axe-playwright-python``: no network) runs
in the real headless Chromium on every page (the Dash pages of the policy table, the wall with a
display token, the sign-in page and every page of the ``auth`` blueprint), in both languages,
signed in as each role (a page the role may not open: the refusal page it gets instead), at
1920x1080 and at a tablet's 1024x768, with the WCAG 2.0/2.1 A and AA rules. A few states after
an interaction are checked too (an opened export menu, an opened dropdown and a chosen value, the
opened calendar, a created token).

One server holds a session for every role (one user each, one cookie each); each test is one
role and reuses one browser page for all its pages, both languages and both sizes (each page is
loaded at 1920x1080, checked, resized to 1024x768, checked again). A failure lists
every violation: rule, impact, page, role, language, size, target and, for contrast, the colours
and the ratio found against the one required."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine

from tests.browser.conftest import PageProbe, start_server, stop_server
from tests.conftest import seeded_url_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Rules switched off, each with its reason. Empty: every rule of those tags runs.
DISABLED_RULES: dict[str, str] = {}
# axe files these under "best-practice", not under a WCAG tag, yet they are what WCAG 1.3.1 and 2.4.6
# ask of this product's pages (issue 16, "Structure"): one h1, an orderly heading outline, the
# landmarks (one main, one banner, one contentinfo, each distinct) and all content inside them.
STRUCTURE_RULES = ["page-has-heading-one", "heading-order", "empty-heading", "landmark-one-main",
                   "landmark-no-duplicate-main", "landmark-no-duplicate-banner", "landmark-no-duplicate-contentinfo",
                   "landmark-unique", "landmark-banner-is-top-level", "landmark-main-is-top-level",
                   "landmark-contentinfo-is-top-level", "region"]

SIZES = {"desk": (1920, 1080), "tablet": (1024, 768)}
LANGS = ("vi", "en")
AXE_TIMEOUT_MS = 120_000  # one run of axe-core on a whole board takes 0.2-2 s
ROLES = ("admin", "leader", "analyst", "reporter")
REPORTER_UNIT = "TK"
# A concrete address for each page registered with a path template.
EXAMPLES = {"/provinces/<key>": "/provinces/01", "/indicator/<code>": "/indicator/GDP_GROWTH",
            "/direction/<ref>": "/direction/NV-2026-00001"}
# Flask routes of the auth blueprint that are not pages to look at (the former units and catalogue
# pages only redirect to the configuration's pages, which are looked at below).
NOT_PAGES = {"/signout", "/auth/static/<path:filename>", "/admin/units", "/admin/catalogue"}
# Admin pages of other blueprints (plain Flask views like the auth blueprint's).
OTHER_ADMIN_PAGES = ("/admin/first-run",)


def dash_pages() -> list[str]:
    """Every registered Dash page: the policy table has a line for each (``test_auth_matrix``
    fails on a page without one), with a concrete address for a path template."""
    from auth.policy import PAGES

    missing = [p for p in PAGES if "<" in p and p not in EXAMPLES]
    assert not missing, f"give these page templates an example address in EXAMPLES: {missing}"
    return [EXAMPLES.get(p, p) for p in PAGES]


def auth_pages() -> list[str]:
    """The pages of the ``auth`` blueprint (sign-in, account, every admin page), read from its routes,
    and the admin pages of other blueprints."""
    from flask import Flask

    import auth.admin_views  # noqa: F401 - adds the admin pages to the blueprint
    from auth.views import bp

    app = Flask("a11y-routes")
    app.register_blueprint(bp)
    rules = [r.rule for r in app.url_map.iter_rules()
             if r.endpoint.startswith("auth.") and "GET" in (r.methods or ()) and r.rule not in NOT_PAGES]
    assert all("<" not in r for r in rules), f"give these routes an example address: {rules}"
    return sorted(rules + list(OTHER_ADMIN_PAGES))


# The configuration's pages (their own blueprint): a concrete address, or several, for each route;
# a route that is not a page to look at (a file download) maps to none.
METADATA_EXAMPLES: dict[str, tuple[str, ...]] = {
    "/admin/metadata": ("/admin/metadata",),
    "/admin/metadata/package.<any(json, xlsx):fmt>": (),
    "/admin/metadata/<any(groups, units, indicators, regimes, targets):kind>": tuple(
        f"/admin/metadata/{k}" for k in ("groups", "indicators", "units", "regimes", "targets")),
    "/admin/metadata/<any(groups, units, indicators, regimes, targets):kind>/new": (
        "/admin/metadata/indicators/new", "/admin/metadata/regimes/new", "/admin/metadata/targets/new"),
    "/admin/metadata/<any(groups, units, indicators, regimes, targets):kind>/<key>": (
        "/admin/metadata/indicators/GDP_GROWTH", "/admin/metadata/units/TK", "/admin/metadata/targets/GDP_GROWTH%7CVN%7C2025"),
    "/admin/metadata/<any(groups, units, indicators, regimes, targets):kind>/<key>/replace": (
        "/admin/metadata/groups/G01/replace",),
    "/admin/metadata/<any(groups, units, indicators, regimes, targets):kind>/<key>/history": (
        "/admin/metadata/indicators/GDP_GROWTH/history",),
}


def metadata_pages() -> list[str]:
    """Example addresses of every route of the configuration's pages, read from its blueprint."""
    from flask import Flask

    from metadata_pages import bp

    app = Flask("a11y-metadata-routes")
    app.register_blueprint(bp)
    rules = {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("metadata_pages.")}
    missing = rules - set(METADATA_EXAMPLES)
    assert not missing, f"give these routes example addresses in METADATA_EXAMPLES: {sorted(missing)}"
    return [path for rule in sorted(rules) for path in METADATA_EXAMPLES[rule]]


@dataclass(frozen=True)
class Where:
    page: str
    role: str
    lang: str
    size: str


def axe_violations(page, where: Where) -> list[str]:
    """Run axe-core on the page as it is now; one line per failing node."""
    from axe_playwright_python.base import AXE_SCRIPT

    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"],
               "rules": {**{rule: {"enabled": True} for rule in STRUCTURE_RULES},
                         **{rule: {"enabled": False} for rule in DISABLED_RULES}}}
    # waited for with a timeout (page.evaluate would wait for ever on a page that never answers)
    results = page.wait_for_function("options => axe.run(document, options)", arg=options,
                                     timeout=AXE_TIMEOUT_MS).json_value()
    lines = []
    document_lang = page.evaluate("() => document.documentElement.lang")
    if where.lang and document_lang != where.lang:
        lines.append(f"html-lang-of-request page={where.page} role={where.role} lang={where.lang} size={where.size} "
                     f"target=html :: <html lang> is {document_lang!r}, the page is in {where.lang!r}")
    for v in results["violations"]:
        for node in v["nodes"]:
            lines.append(f"{v['id']} ({node.get('impact') or v['impact']}) page={where.page} role={where.role} "
                         f"lang={where.lang} size={where.size} target={' '.join(map(str, node['target']))}"
                         f"{_contrast(node)} :: {_first_message(node)} :: {node['html'][:160]}")
    return lines


def _contrast(node: dict) -> str:
    for check in node.get("any", []):
        data = check.get("data")
        if check.get("id") == "color-contrast" and isinstance(data, dict) and data.get("contrastRatio") is not None:
            return (f" fg={data.get('fgColor')} bg={data.get('bgColor')} ratio={data.get('contrastRatio')}"
                    f" needs={data.get('expectedContrastRatio')} font={data.get('fontSize')}/{data.get('fontWeight')}")
    return ""


def _first_message(node: dict) -> str:
    for kind in ("any", "all", "none"):
        for check in node.get(kind, []):
            if check.get("message"):
                return check["message"]
    return ""


def with_lang(path: str, lang: str) -> str:
    """``path`` with ``lang`` said explicitly (``?lang=vi`` too: both spellings of a request are checked)."""
    return path + ("&" if "?" in path else "?") + f"lang={lang}"


@pytest.fixture(scope="module")
def a11y_server(root, databases, tmp_path_factory):
    """One server on a copy of the seeded warehouse, holding a session for each role and a
    display token for the wall."""
    from auth.displays import create_display_token
    from tests.auth_sessions import ensure_session

    tmp = tmp_path_factory.mktemp("a11y")
    copy = tmp / "a11y.sqlite"
    shutil.copy(seeded_url_for("sqlite", databases).split("sqlite:///", 1)[1], copy)
    url = f"sqlite:///{copy}"
    engine = create_engine(url)
    cookies = {role: ensure_session(engine, f"a11y.{role}", role, token=f"a11y-session-{role}-0123456789abcdef",
                                    unit_code=REPORTER_UNIT if role == "reporter" else None)
               for role in ROLES}
    _, display_token = create_display_token(engine, "a11y wall")
    engine.dispose()
    server = start_server(root, url, tmp / "instance")
    server.cookies = cookies
    server.display_token = display_token
    yield server
    stop_server(server)


def _probe(browser, server, role: str | None, size: str = "desk") -> PageProbe:
    width, height = SIZES[size]
    context = browser.unsigned_context(viewport={"width": width, "height": height}, locale="vi-VN")
    if role is not None:
        name, value = server.cookies[role]
        context.add_cookies([{"name": name, "value": value, "url": server.url}])
    page = context.new_page()
    page.set_default_timeout(30000)
    return PageProbe(page)


def _visit(probe: PageProbe, url: str) -> int:
    """Open ``url`` and wait until it is rendered (Dash's callbacks settled, Plotly drawn); its HTTP status."""
    response = probe.page.goto(url)
    probe.settle(30000)
    if probe.page.locator("#react-entry-point").count():
        probe.page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.js-plotly-plot')).every(g => g.querySelector('.main-svg'))")
    return response.status if response else 0


def _resize(probe: PageProbe, size: str) -> None:
    """Give the page the viewport of ``size`` and wait until it is laid out again (Plotly's
    figures redrawn to their new width)."""
    width, height = SIZES[size]
    probe.page.set_viewport_size({"width": width, "height": height})
    probe.page.wait_for_function("w => window.innerWidth === w", arg=width)
    probe.page.wait_for_function("""() => Array.from(document.querySelectorAll('.js-plotly-plot')).every(
        g => !g._fullLayout || !g._fullLayout.autosize || !g.offsetParent || Math.abs(g._fullLayout.width - g.clientWidth) < 3)""")
    probe.page.wait_for_function(
        "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))")
    probe.settle(30000)


def _check_at_each_size(probe: PageProbe, path: str, role: str, lang: str, found: list[str]) -> None:
    """axe on the page as it is, at the desk size and then at the tablet's (the page is loaded at
    the desk size: the next page is loaded at it too)."""
    for size in SIZES:
        if size != "desk":
            _resize(probe, size)
        found.extend(axe_violations(probe.page, Where(path, role, lang, size)))
    _resize(probe, "desk")


def _fail_on(found: list[str]) -> None:
    assert not found, f"{len(found)} accessibility violations (WCAG 2.1 A/AA):\n" + "\n".join(found)


def may_open(role: str, path: str) -> bool:
    """Whether ``role`` may open the page at ``path`` (a template's example: its template), by the policy table."""
    from auth import policy

    template = next((t for t, example in EXAMPLES.items() if example == path), path)
    roles = policy.PAGES.get(template) or policy.route_roles(template) or policy.ADMINS
    return role == policy.ADMIN or role in roles


@pytest.mark.parametrize("role", ROLES)
def test_a11y001_every_page_every_role_both_languages_both_sizes(a11y_server, browser, role):
    """Every Dash page and every auth page, as ``role`` (or the refusal it gets), in both
    languages, at 1920x1080 and at 1024x768."""
    probe = _probe(browser, a11y_server, role)
    found: list[str] = []
    statuses: dict[str, int] = {}
    refusals: set[str] = set()  # a refusal page already checked, by its markup (the same for every page)
    pages = dash_pages() + [p for p in auth_pages() if p != "/signin"] + metadata_pages()
    try:
        for lang in LANGS:
            for path in pages:
                statuses[path] = _visit(probe, a11y_server(with_lang(path, lang)))
                if may_open(role, path):
                    _check_at_each_size(probe, path, role, lang, found)
                    continue
                markup = probe.page.content()
                if markup not in refusals:
                    refusals.add(markup)
                    _check_at_each_size(probe, f"{path} (refused)", role, lang, found)
    finally:
        probe.page.context.close()
    assert {p: s for p, s in statuses.items() if s != (200 if may_open(role, p) else 403)} == {}, statuses
    _fail_on(found)


def test_a11y002_signin_and_wall_with_a_display_token(a11y_server, browser):
    """The pages seen without a user, in both languages and at both sizes: the sign-in form and a
    wall carrying its display token (each board of its rotation checked while it is the one shown)."""
    probe = _probe(browser, a11y_server, None)
    found: list[str] = []
    try:
        for lang in LANGS:
            assert _visit(probe, a11y_server(with_lang("/signin", lang))) == 200
            _check_at_each_size(probe, "/signin", "anonymous", lang, found)
            wall = (f"/wall?boards=overview,provinces,sector,daily,compliance,directions&seconds=600"
                    f"&token={a11y_server.display_token}")
            assert _visit(probe, a11y_server(with_lang(wall, lang))) == 200
            boards = probe.page.eval_on_selector_all(".wall-board", "els => els.map(e => e.dataset.board)")
            assert len(boards) == 6, boards
            for board in boards:
                probe.page.evaluate("""b => document.querySelectorAll('.wall-board').forEach(
                    e => e.classList.toggle('active', e.dataset.board === b))""", board)
                probe.page.wait_for_function(  # the boards fade in (wall.css): checked once fully shown
                    "b => getComputedStyle(document.querySelector(`.wall-board[data-board='${b}']`)).opacity === '1'",
                    arg=board)
                _check_at_each_size(probe, f"/wall#{board}", "display", lang, found)
    finally:
        probe.page.context.close()
    _fail_on(found)


@pytest.mark.parametrize("lang", LANGS)
def test_a11y003_states_after_an_interaction(a11y_server, browser, lang):
    """An opened export menu, an opened dropdown and a chosen value, the admin's answer page of a
    created token: states a first render does not show."""
    probe = _probe(browser, a11y_server, "admin", "desk")
    page = probe.page
    found: list[str] = []
    try:
        _visit(probe, a11y_server(with_lang("/indicator/GDP_GROWTH", lang)))
        page.locator(".export-summary").first.click()
        page.wait_for_selector(".export-details[open] .export-link")
        found.extend(axe_violations(page, Where("/indicator/GDP_GROWTH (export menu open)", "admin", lang, "desk")))
        page.locator(".Select-control, .dash-dropdown").first.click()
        page.wait_for_selector(".Select-menu-outer, .dash-dropdown-content, [role=listbox]")
        found.extend(axe_violations(page, Where("/indicator/GDP_GROWTH (dropdown open)", "admin", lang, "desk")))
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        probe.settle(30000)
        found.extend(axe_violations(page, Where("/indicator/GDP_GROWTH (value chosen)", "admin", lang, "desk")))
        _visit(probe, a11y_server(with_lang("/daily", lang)))
        page.click("#daily-day")
        page.wait_for_selector(".dash-datepicker-input-wrapper[data-state=open]")
        page.wait_for_selector("[role=dialog] table, [role=dialog] [role=grid], .dash-datepicker-calendar")
        found.extend(axe_violations(page, Where("/daily (calendar open)", "admin", lang, "desk")))
        page.keyboard.press("Escape")
        _visit(probe, a11y_server(with_lang("/admin/tokens", lang)))
        page.fill("#nd-label", "Phòng họp")
        page.locator("form:has(#nd-label) button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        found.extend(axe_violations(page, Where("/admin/tokens (token created)", "admin", lang, "desk")))
    finally:
        page.context.close()
    _fail_on(found)


@pytest.mark.parametrize("lang", LANGS)
def test_a11y005_configuration_answers(a11y_server, browser, lang, tmp_path):
    """The configuration's answers: a refused record (reasons beside their fields) and an imported
    package's preview (the diff per kind and the "Apply" button); nothing is applied."""
    import json

    probe = _probe(browser, a11y_server, "admin", "desk")
    page = probe.page
    found: list[str] = []
    try:
        _visit(probe, a11y_server(with_lang("/admin/metadata/indicators/new", lang)))
        page.fill("#f-code", "A11Y_RATIO")
        page.select_option("#f-aggregation", "ratio")
        page.locator("#meta-form button[type=submit]").click()
        page.wait_for_selector("#meta-error")
        assert page.locator(".meta-problem").count() > 1
        _check_at_each_size(probe, "/admin/metadata/indicators/new (refused)", "admin", lang, found)
        package = json.loads(page.request.get(a11y_server("/admin/metadata/package.json")).body())
        package["groups"].append({"code": "GA11Y", "name_vi": "Nhóm kiểm tra", "name_en": "Check group", "sort": 1,
                                  "status": "active"})
        package["groups"][0]["name_en"] += " (renamed)"  # a changed record: its fields before and after
        path = tmp_path / "goi.json"
        path.write_text(json.dumps(package), encoding="utf-8")
        _visit(probe, a11y_server(with_lang("/admin/metadata", lang)))
        page.set_input_files("#meta-file", str(path))
        page.locator("#meta-import button[type=submit]").click()
        page.wait_for_selector("#meta-apply")
        page.eval_on_selector_all("details.meta-diff-keys", "els => els.forEach(e => { e.open = true; })")
        assert page.locator(".meta-diff-keys .meta-diff td.after").count() == 1
        _check_at_each_size(probe, "/admin/metadata (package preview)", "admin", lang, found)
    finally:
        page.context.close()
    _fail_on(found)


def test_a11y004_the_check_finds_violations(a11y_server, browser):
    """The check can fail: a page with a low-contrast text, an unnamed input and a heading outline
    that skips a level is reported with its rule, target and contrast numbers."""
    probe = _probe(browser, a11y_server, None, "desk")
    try:
        probe.page.goto(a11y_server("/signin"))
        probe.page.evaluate("""() => {
            const p = document.createElement('p'); p.id = 'faint'; p.textContent = 'so với kỳ trước';
            p.style.color = '#aab2bd'; p.style.background = '#ffffff'; document.querySelector('main').appendChild(p);
            const i = document.createElement('input'); i.id = 'nameless'; document.querySelector('main').appendChild(i);
        }""")
        found = axe_violations(probe.page, Where("/signin (broken on purpose)", "anonymous", "vi", "desk"))
    finally:
        probe.page.context.close()
    contrast = [f for f in found if f.startswith("color-contrast") and "#faint" in f]
    assert contrast and "ratio=" in contrast[0] and "needs=4.5:1" in contrast[0], found
    assert any(f.startswith("label") and "#nameless" in f for f in found), found


# A published table naming provinces instead of codes, with a row that matches nothing: the upload
# page's mapping step (issue 18). One file per language, of its own shape (the mapping saved with the
# first is not proposed for the second).
MAPPING_FILE = ('"Biểu 5. Dân số trung bình phân theo tỉnh"\n"Đơn vị tính: Nghìn người"\n,2021,2022\n'
                '"Ha Noi",8330.8,8435.7\n"TP. Hồ Chí Minh",9166.8,9389.7\n"{other}",1,2\n')


@pytest.mark.parametrize("lang", LANGS)
def test_a11y005_the_upload_pages_mapping_step(a11y_server, browser, lang, tmp_path):
    """The upload page after a file with names is uploaded, as a reporter, at both sizes: the
    proposed mapping; one of its selects opened; the answer to a rejected confirmation (the mapping
    not saved, the report, the choices again); the answer to an accepted one."""
    probe = _probe(browser, a11y_server, "reporter", "desk")
    page = probe.page
    found: list[str] = []
    path = tmp_path / f"bieu5-{lang}.csv"
    path.write_text(MAPPING_FILE.format(other=f"Tong khac {lang}"), encoding="utf-8")
    try:
        _visit(probe, a11y_server(with_lang("/submit", lang)))
        page.set_input_files("#sub-upload input[type=file]", str(path))
        page.wait_for_selector(".sub-mapping .map-table tr.map-unmatched")
        probe.settle(30000)
        _check_at_each_size(probe, "/submit (mapping proposed)", "reporter", lang, found)
        unmatched = page.locator(".map-table tr.map-unmatched")
        unmatched.locator("button.dash-dropdown").click()
        page.wait_for_selector(".dash-dropdown-content, [role=listbox]")
        found.extend(axe_violations(page, Where("/submit (mapping select open)", "reporter", lang, "desk")))
        page.keyboard.press("Escape")
        page.fill("#sub-map-save", f"a11y-{lang}")
        page.click("#sub-map-confirm")
        page.wait_for_selector(".map-not-saved")
        probe.settle(30000)
        _check_at_each_size(probe, "/submit (rejected: mapping not saved)", "reporter", lang, found)
        page.locator(".map-table tr.map-unmatched button.dash-dropdown").click()
        page.get_by_text("Skip: do not load these rows" if lang == "en" else "Bỏ qua, không nạp các dòng này").last.click()
        page.click("#sub-map-confirm")
        page.wait_for_selector(".sub-report .alert-accepted")
        probe.settle(30000)
        _check_at_each_size(probe, "/submit (accepted, mapping saved)", "reporter", lang, found)
    finally:
        page.context.close()
    _fail_on(found)
