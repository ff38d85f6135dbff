"""Issue 8: who may open what. Role × every page, the page router for every page path, every
server callback of the app (enumerated from its callback map), every API route, the account and
admin pages (every other Flask route is enumerated and must have an expectation); each allowed or
denied as specified, with the confidential indicators (codes, names, a distinctive value) absent
from every body an uncleared viewer receives. The expectations are written out here, not read
from ``auth.policy``, so that the test checks the policy rather than repeating it."""

from __future__ import annotations

import dash
import pytest

from app import create_app
from auth.displays import create_display_token
from auth.tokens import create_token
from tests.auth_helpers import (
    DISTINCTIVE,
    ORIGIN,
    callback_body,
    leaks,
    post_callback,
    router_body,
    write_distinctive,
)
from tests.auth_sessions import session_cookies
from tests.conftest import make_settings, seeded_sqlite_world

BOARDS = {"admin", "leader", "analyst", "analyst_c"}
USERS = BOARDS | {"reporter"}
ALL = USERS | {"display", "token", "anonymous"}
CLEARED = {"admin", "leader", "analyst_c"}

# page path to open → (registered path or template, who may open it)
PAGES = {
    "/": ("/", BOARDS),
    "/daily": ("/daily", BOARDS),
    "/sectors": ("/sectors", BOARDS),
    "/provinces": ("/provinces", BOARDS),
    "/provinces/01": ("/provinces/<key>", BOARDS),
    "/indicators": ("/indicators", BOARDS),
    "/indicator/GDP_FLASH": ("/indicator/<code>", BOARDS),
    "/indicator/FX_RESERVES": ("/indicator/<code>", BOARDS),
    "/indicator/CPI_YOY": ("/indicator/<code>", BOARDS),
    "/compliance": ("/compliance", BOARDS | {"reporter"}),
    "/submit": ("/submit", {"admin", "reporter"}),
    "/briefing": ("/briefing", BOARDS),
    "/wall": ("/wall", BOARDS | {"display"}),
    # directions: the centre and the units (a reporter sees its unit's only); the form for the centre
    "/directions": ("/directions", BOARDS | {"reporter"}),
    "/directions/new": ("/directions/new", BOARDS),
    "/direction/NV-2026-00001": ("/direction/<ref>", BOARDS | {"reporter"}),
    "/no-such-page": (None, USERS),  # Dash's "not found" page: any signed-in user
}
SHARED_MODULES = {"components.shell": USERS | {"display"}, "exports.menu": BOARDS}

# API: (method, url) → who passes the guard (the route may still answer 4xx on its own)
API = {
    ("GET", "/api/v1/health"): ALL,
    ("GET", "/api/v1/version"): ALL,
    ("GET", "/api/v1/openapi.json"): USERS | {"token"},
    ("GET", "/api/v1/indicators?q=GDP"): BOARDS | {"reporter", "token"},
    ("GET", "/api/v1/indicators"): BOARDS | {"reporter", "token"},
    ("GET", "/api/v1/observations?indicator=FX_RESERVES"): BOARDS | {"token"},
    ("GET", "/api/v1/observations?indicator=CPI_YOY&area=VN"): BOARDS | {"token"},
    ("GET", "/api/v1/submissions/1"): BOARDS | {"reporter", "token"},
    ("GET", "/api/v1/templates/TK/202610.xlsx"): BOARDS | {"reporter", "token"},
    ("GET", "/api/v1/templates/BCA/202610.xlsx"): BOARDS,  # a unit's token (TK's) gets its own unit's form only
    ("POST", "/api/v1/submissions"): {"token"},
    # the configuration: admins only (a unit's token neither)
    ("GET", "/api/v1/metadata/export"): {"admin"},
    ("GET", "/api/v1/metadata/export?format=xlsx"): {"admin"},
    ("POST", "/api/v1/metadata/import"): {"admin"},
    ("POST", "/api/v1/metadata/import?dry_run=true"): {"admin"},
    ("GET", "/api/v1/metadata/indicators/CPI_YOY/history"): {"admin"},
    # directions: the centre, a reporter and a unit's token (their unit's only: the route answers 404 for another's)
    ("GET", "/api/v1/directions"): BOARDS | {"reporter", "token"},
    ("GET", "/api/v1/directions?state=overdue"): BOARDS | {"reporter", "token"},
    ("GET", "/api/v1/directions/NV-2026-00001"): BOARDS | {"reporter", "token"},
    ("POST", "/api/v1/directions/NV-2026-00001/reports"): BOARDS | {"reporter", "token"},
}
API_RULES = {"/api/v1/health", "/api/v1/version", "/api/v1/openapi.json", "/api/v1/indicators",
             "/api/v1/observations", "/api/v1/submissions/<int:submission_id>",
             "/api/v1/templates/<unit>/<period>.xlsx", "/api/v1/submissions", "/api/v1/metadata/export",
             "/api/v1/metadata/import", "/api/v1/metadata/<kind>/<path:key>/history",
             "/api/v1/directions", "/api/v1/directions/<ref>", "/api/v1/directions/<ref>/reports"}
GUARD_403 = "This account may not use this function."

# Other Flask routes (plain views): (method, path) → who may use them. POSTs are sent without a
# form: the guard answers first, so a refusal is the guard's and an allowed post meets the form's
# own CSRF check (400).
ROUTES = {
    ("GET", "/account"): USERS,
    ("GET", "/admin/users"): {"admin"},
    ("POST", "/admin/users"): {"admin"},
    ("GET", "/admin/audit"): {"admin"},
    # the former pages of units and of the catalogue: a redirect to the configuration's pages, no write
    ("GET", "/admin/units"): {"admin"},
    ("POST", "/admin/units"): {"admin"},
    ("GET", "/admin/catalogue"): {"admin"},
    ("POST", "/admin/catalogue"): {"admin"},
    ("GET", "/admin/tokens"): {"admin"},
    ("POST", "/admin/tokens"): {"admin"},
    ("GET", "/admin/first-run"): {"admin"},
    ("POST", "/admin/first-run"): {"admin"},
    # the configuration's pages (metadata_pages)
    ("GET", "/admin/metadata"): {"admin"},
    ("POST", "/admin/metadata"): {"admin"},
    ("GET", "/admin/metadata/package.json"): {"admin"},
    ("GET", "/admin/metadata/package.xlsx"): {"admin"},
    ("GET", "/admin/metadata/indicators"): {"admin"},
    ("GET", "/admin/metadata/targets?q=dan+so"): {"admin"},
    ("GET", "/admin/metadata/groups/new"): {"admin"},
    ("POST", "/admin/metadata/groups/new"): {"admin"},
    ("GET", "/admin/metadata/indicators/GDP_GROWTH"): {"admin"},
    ("POST", "/admin/metadata/indicators/GDP_GROWTH"): {"admin"},
    ("GET", "/admin/metadata/units/TK/replace"): {"admin"},
    ("POST", "/admin/metadata/units/TK/replace"): {"admin"},
    ("GET", "/admin/metadata/indicators/GDP_GROWTH/history"): {"admin"},
    ("GET", "/admin/mappings"): {"admin"},
    ("POST", "/admin/mappings"): {"admin"},
    # the alerts (alerts.pages): the centre for the boards, the rules for admins and leaders, the webhooks for admins
    ("GET", "/alerts"): BOARDS,
    ("POST", "/alerts"): BOARDS,
    ("GET", "/alerts/rules"): {"admin", "leader"},
    ("POST", "/alerts/rules"): {"admin", "leader"},
    ("GET", "/alerts/webhooks"): {"admin"},
    ("POST", "/alerts/webhooks"): {"admin"},
    # subscriptions: the boards' roles (each their own; others' only by admins)
    ("GET", "/subscriptions"): BOARDS,
    ("POST", "/subscriptions"): BOARDS,
    ("POST", "/subscriptions/email"): BOARDS,
    # a direction's attachment: signed-in users of the centre and reporters (the service decides the rest)
    ("GET", "/direction-files/NV-2026-00001/999999"): USERS,
}
# What an allowed request gets where it is not 200 (GET) or 400 (POST without a form): the former
# pages redirect (303) and take no POST (405).
ALLOWED_STATUS = {("GET", "/admin/units"): 303, ("POST", "/admin/units"): 405,
                  ("GET", "/admin/catalogue"): 303, ("POST", "/admin/catalogue"): 405,
                  ("GET", "/direction-files/NV-2026-00001/999999"): 404}  # no such attachment
# Every Flask rule that is neither the API nor Dash's: public ones, and the ones with a line in
# ROUTES above or in the export test (acm009).
ROUTE_RULES = {"/static/<path:filename>", "/auth/static/<path:filename>", "/signin", "/signout", "/account",
               "/account/password", "/admin/audit", "/admin/users", "/admin/units", "/admin/catalogue",
               "/admin/tokens", "/admin/first-run", "/admin/mappings", "/export/chart.<fmt>", "/export/pack.<fmt>", "/export/kinds",
               "/export/jobs/<job_id>", "/export/jobs/<job_id>/file", "/admin/metadata",
               "/admin/metadata/package.<any(json, xlsx):fmt>",
               "/admin/metadata/<any(groups, units, indicators, regimes, targets):kind>",
               "/admin/metadata/<any(groups, units, indicators, regimes, targets):kind>/new",
               "/admin/metadata/<any(groups, units, indicators, regimes, targets):kind>/<key>",
               "/admin/metadata/<any(groups, units, indicators, regimes, targets):kind>/<key>/replace",
               "/admin/metadata/<any(groups, units, indicators, regimes, targets):kind>/<key>/history",
               "/alerts", "/alerts/rules", "/alerts/webhooks",
               "/subscriptions", "/subscriptions/<int:sub_id>", "/subscriptions/<int:sub_id>/pause",
               "/subscriptions/<int:sub_id>/delete", "/subscriptions/email", "/unsubscribe/<token>",
               "/direction-files/<ref>/<int:attachment_id>"}


@pytest.fixture(scope="module")
def world(databases, tmp_path_factory):
    """A copy of the seeded SQLite warehouse with a distinctive confidential value, a user of every
    role with a session, a wall display token and a unit's API token; the app with access control on."""
    url, tmp, engine = seeded_sqlite_world(databases, tmp_path_factory, "authmatrix")
    write_distinctive(engine)
    cookies = session_cookies(engine, "t", (("admin", "admin", None, False), ("leader", "leader", None, False),
                                            ("analyst", "analyst", None, False), ("analyst_c", "analyst", None, True),
                                            ("reporter", "reporter", "TK", False)))
    _, display = create_display_token(engine, "matrix wall")
    api_token, _ = create_token(engine, "TK")
    engine.dispose()
    server = create_app(make_settings(url, tmp, auth_required=True))
    yield {"server": server, "cookies": cookies, "display": display, "api_token": api_token}
    server.extensions["warehouse"].dispose()


def client_for(world, who: str):
    c = world["server"].test_client()
    if who in world["cookies"]:
        c.set_cookie("occ_session", world["cookies"][who])
    elif who == "display":
        c.set_cookie("occ_display", world["display"])
    return c


def _headers(world, who: str) -> dict:
    return {"Authorization": f"Bearer {world['api_token']}"} if who == "token" else {}


PRINCIPALS = sorted(ALL)


def _registered(path: str) -> bool:
    return path != "/briefing" or any(p.get("path") == "/briefing" for p in dash.page_registry.values())


def leaks_beyond(body: bytes, asked: str) -> list[str]:
    """Confidential strings in ``body`` other than a code the request itself named (a page may
    echo the code of the address it was asked for, e.g. in "not found")."""
    return [s for s in leaks(body) if s not in asked]


@pytest.mark.parametrize("who", PRINCIPALS)
def test_acm001_pages(world, who):
    client = client_for(world, who)
    for path, (_, allowed) in PAGES.items():
        if not _registered(path):
            continue
        res = client.get(path, headers=_headers(world, who))
        if who in allowed:
            assert res.status_code == 200, (who, path, res.status_code)
        elif who in ("anonymous", "token") or (who == "display" and path != "/wall"):
            expected = 302 if who != "display" else 403
            assert res.status_code == expected, (who, path, res.status_code)
            if expected == 302:
                assert res.headers["Location"].startswith("/signin?next=")
        else:
            assert res.status_code == 403, (who, path, res.status_code)
        if who not in CLEARED:
            assert not leaks_beyond(res.get_data(), path), (who, path)


@pytest.mark.parametrize("who", PRINCIPALS)
def test_acm002_page_router_for_every_path(world, who):
    """The callback that renders a page's content, for every page path; confidential values only
    for cleared viewers (the positive control shows the check can see them)."""
    client = client_for(world, who)
    searches = {"/indicators": "?q=GDP", "/wall": "?boards=overview"}
    for path, (_, allowed) in PAGES.items():
        if not _registered(path):
            continue
        res = post_callback(client, router_body(path, searches.get(path, "")), **_headers(world, who))
        if who in allowed:
            assert res.status_code == 200, (who, path, res.status_code, res.get_data()[:300])
        else:
            assert res.status_code == (401 if who in ("anonymous", "token") else 403), (who, path, res.status_code)
        found = leaks_beyond(res.get_data(), path)
        if who not in CLEARED:
            assert not found, (who, path, found)
        elif path == "/indicator/FX_RESERVES":
            assert "FX_RESERVES" in res.get_data(as_text=True) or found, "positive control: cleared viewers see it"


def _server_callbacks(world) -> list[tuple[str, dict, str]]:
    app = world["server"].extensions["dash"]
    from auth import guard

    with world["server"].test_request_context("/_dash-update-component", method="POST"):
        guard._callback_modules()  # Dash sets itself up (and registers its router) as on a first request
    out = []
    for output, entry in app.callback_map.items():
        fn = entry.get("callback")
        if fn is not None and fn.__module__ != "dash.dash":
            out.append((output, entry, fn.__module__))
    assert len(out) >= 15
    return out


def _expected_roles(module: str) -> set[str]:
    page = dash.page_registry.get(module)
    if page is not None:
        template = page.get("path_template") or page.get("path")
        for _, (tmpl, allowed) in PAGES.items():
            if tmpl == template:
                return allowed
        pytest.fail(f"page {template} of {module} has no expectation in this test")
    if module in SHARED_MODULES:
        return SHARED_MODULES[module]
    pytest.fail(f"callback module {module} has no expectation in this test")


@pytest.mark.parametrize("who", PRINCIPALS)
def test_acm003_every_server_callback(world, who):
    client = client_for(world, who)
    for output, entry, module in _server_callbacks(world):
        allowed = _expected_roles(module)
        body = callback_body(output, entry)
        if module == "dashboards.wall":  # a wall's callbacks carry its config (the token is in its cookie)
            for item in body["state"]:
                if item["id"] == "wall-config":
                    item["value"] = {"boards": ["overview"], "lang": "vi"}
        res = post_callback(client, body, **_headers(world, who))
        if who in allowed:
            assert res.status_code not in (401, 403), (who, output, res.status_code)
        else:
            assert res.status_code == (401 if who in ("anonymous", "token") else 403), (who, output, res.status_code)
        if who not in CLEARED:
            assert not leaks(res.get_data()), (who, output, leaks(res.get_data()))


@pytest.mark.parametrize("who", PRINCIPALS)
def test_acm004_every_api_route(world, who):
    client = client_for(world, who)
    for (method, url), allowed in API.items():
        res = client.open(url, method=method, headers={"Origin": ORIGIN, **_headers(world, who)})
        body = res.get_data()
        guard_refused = res.status_code == 401 or (res.status_code == 403 and GUARD_403.encode() in body)
        if who in allowed:
            assert not guard_refused or (method, who) == ("POST", "token"), (who, url, res.status_code, body[:200])
        else:
            assert guard_refused, (who, url, res.status_code, body[:200])
        if who not in CLEARED:
            assert not leaks_beyond(body, url), (who, url, leaks(body))
    if who in CLEARED:  # positive control
        res = client.get("/api/v1/observations?indicator=FX_RESERVES&area=VN")
        assert res.status_code == 200 and str(DISTINCTIVE) in res.get_data(as_text=True)


@pytest.mark.parametrize("who", PRINCIPALS)
def test_acm010_other_flask_routes(world, who):
    """The account page and the admin pages (users, tokens, audit log, first run, the configuration;
    the former units and catalogue pages, which only redirect)."""
    client = client_for(world, who)
    for (method, path), allowed in ROUTES.items():
        res = client.open(path, method=method, headers={"Origin": ORIGIN, **_headers(world, who)})
        if who in allowed:
            expected = ALLOWED_STATUS.get((method, path), 200 if method == "GET" else 400)
            assert res.status_code == expected, (who, method, path, res.status_code)
        elif who in ("anonymous", "token"):
            if method == "GET":
                assert res.status_code == 302 and res.headers["Location"].startswith("/signin?next="), (who, path)
            else:
                assert res.status_code == 401, (who, method, path, res.status_code)
        else:
            assert res.status_code == 403, (who, method, path, res.status_code)
        if who not in CLEARED:
            assert not leaks(res.get_data()), (who, path)


def test_acm008_a_display_token_opens_the_wall_only(world):
    """A wall's token is a credential only in its cookie: in a callback's body or another page's
    address it opens nothing; the wall's cookie on another page is refused."""
    anon = client_for(world, "anonymous")
    for path in ("/", "/indicator/FX_RESERVES", "/indicators", "/compliance"):
        res = post_callback(anon, router_body(path, f"?token={world['display']}"))
        assert res.status_code == 401 and not leaks_beyond(res.get_data(), path), path
        assert anon.get(f"{path}?token={world['display']}").status_code == 302  # to the sign-in
    wall = client_for(world, "display")
    for path in ("/", "/indicator/FX_RESERVES", "/indicators", "/compliance"):
        assert post_callback(wall, router_body(path)).status_code == 403, path
        assert wall.get(path).status_code == 403, path
    res = anon.get("/wall?token=not-a-token")  # the exchange does not tell a bad token from a good one
    assert res.status_code == 302 and anon.get("/wall").status_code == 403  # the refusal page
    fresh = client_for(world, "anonymous")
    res = fresh.get(f"/wall?token={world['display']}&boards=overview")
    assert res.status_code == 302 and res.headers["Location"] == "/wall?boards=overview"
    assert "occ_display=" in res.headers.get("Set-Cookie", "")
    assert "HttpOnly" in res.headers["Set-Cookie"] and "SameSite=Strict" in res.headers["Set-Cookie"]
    assert fresh.get("/wall?boards=overview").status_code == 200
    assert wall.get("/_dash-layout").status_code == 200
    assert wall.get("/api/v1/observations?indicator=CPI_YOY").status_code == 403


def test_acm005_every_route_page_and_module_has_a_policy_line(world):
    """A page, API route or callback module added without a line in auth.policy would be open to
    admins only; this test names it so the author adds the line (and an expectation here)."""
    from auth import policy

    server = world["server"]
    api_rules = {r.rule for r in server.url_map.iter_rules() if r.rule.startswith("/api/")}
    assert api_rules == API_RULES, "a new API route: add it to auth.policy.API and to API in this test"
    for rule in server.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (method, rule.rule) in policy.API, (method, rule.rule)
    dash_rules = {"/", "/<path:path>", "/assets/<path:filename>", "/_favicon.ico", "/_reload-hash", "/_dash-layout",
                  "/_dash-dependencies", "/_dash-update-component",
                  "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>"}
    other_rules = {r.rule for r in server.url_map.iter_rules()} - api_rules - dash_rules
    assert other_rules == ROUTE_RULES, "a new Flask route: add it to auth.policy.ROUTES and to ROUTES in this test"
    for rule in other_rules - {"/static/<path:filename>", "/auth/static/<path:filename>", "/signin"}:
        assert policy.route_roles(rule.split("<", 1)[0].rstrip("/.")) is not None, rule
    for page in dash.page_registry.values():
        template = page.get("path_template") or page.get("path")
        assert template in policy.PAGES, f"page {template} has no line in auth.policy.PAGES"
    for _, _, module in _server_callbacks(world):
        assert module in dash.page_registry or module in policy.CALLBACK_MODULES, module


def test_acm006_reporter_limited_to_its_unit(world):
    """A reporter may not send another unit's code to the upload page's callbacks, nor read
    another unit's XLSX form; its own passes."""
    client = client_for(world, "reporter")
    app = world["server"].extensions["dash"]
    outputs = [o for o, e in app.callback_map.items()
               if any(d["id"] == "sub-unit" and d["property"] == "value" for d in e.get("inputs", []) + e.get("state", []))]
    if not outputs:
        pytest.skip("no upload page in this build")
    for output in outputs:
        entry = app.callback_map[output]
        body = callback_body(output, entry)
        # a pattern-matching input (the mapping table's selects) is a list of items: not the unit
        units = [item for item in body["inputs"] + body["state"] if isinstance(item, dict) and item["id"] == "sub-unit"]
        for item in units:
            item["value"] = "BCA"
        res = post_callback(client, body)
        assert res.status_code == 403, output
        for item in units:
            item["value"] = "TK"
        assert post_callback(client, body).status_code not in (401, 403), output


def test_acm007_search_and_catalogue_hide_confidential(world):
    """The catalogue search of an uncleared analyst finds no confidential indicator; a leader's does."""
    analyst, leader = client_for(world, "analyst"), client_for(world, "leader")
    for q in ("GDP", "du tru ngoai hoi", "FX", "nợ xấu"):
        a = analyst.get(f"/api/v1/indicators?q={q}")
        assert a.status_code == 200 and not leaks(a.get_data()), q
    assert "GDP_FLASH" in leader.get("/api/v1/indicators?q=GDP").get_data(as_text=True)
    assert "GDP_FLASH" not in analyst.get("/api/v1/indicators").get_data(as_text=True)
    res = post_callback(analyst, router_body("/indicator/GDP_FLASH"))
    assert res.status_code == 200 and not leaks_beyond(res.get_data(), "GDP_FLASH")


@pytest.mark.parametrize("who", PRINCIPALS)
@pytest.mark.render
def test_acm009_exports(world, who):
    """Exports: admins, leaders and analysts; a confidential indicator's file only for cleared
    viewers (the others get no file and no value); every file served is in the audit log."""
    import json as _json

    server = world["server"]
    if not any(r.rule.startswith("/export/") for r in server.url_map.iter_rules()):
        pytest.skip("no export routes in this build")
    client = client_for(world, who)
    headers = {"Origin": ORIGIN, **_headers(world, who)}
    public = _json.dumps({"kind": "trend", "indicator": "CPI_YOY", "areas": ["VN"]})
    secret = _json.dumps({"kind": "trend", "indicator": "FX_RESERVES", "areas": ["VN"]})
    res = client.get("/export/chart.csv", query_string={"spec": public}, headers=headers)
    if who in BOARDS:
        assert res.status_code == 200, (who, res.status_code, res.get_data()[:200])
    else:
        assert res.status_code in (302, 401, 403), (who, res.status_code)
    res = client.get("/export/chart.csv", query_string={"spec": secret}, headers=headers)
    if who in CLEARED:
        assert res.status_code == 200 and "98765" in res.get_data(as_text=True).replace(".", "").replace(",", "")
    else:
        assert res.status_code != 200 and not leaks_beyond(res.get_data(), secret), (who, res.status_code)
    for path in ("/export/jobs/0123456789abcdef", "/export/jobs/0123456789abcdef/file"):  # background packs
        res = client.get(path, headers=headers)
        expected = (404,) if who in BOARDS else (302, 401, 403)  # an unknown job (its owner only: test_export_gate)
        assert res.status_code in expected, (who, path, res.status_code)
    pack = _json.dumps({"title": "t", "specs": [_json.loads(secret)], "lang": "vi"})
    res = client.post("/export/pack.pdf", data=pack, headers={**headers, "Content-Type": "application/json"})
    if who not in CLEARED:
        assert res.status_code != 200 and not leaks_beyond(res.get_data(), secret), (who, res.status_code)
    if who == "leader":
        from auth.audit import AuditQuery, search

        with server.extensions["warehouse"].engine.connect() as conn:
            entries = search(conn, AuditQuery(actor="t.leader", action="export"))[0]
        assert {e.target for e in entries} >= {"trend.csv", "pack.pdf"}


def test_acm011_an_admins_token_opens_the_configuration_api_only(world):
    """An admin's bearer token (``create-admin-token``): the metadata routes, nothing else of the API."""
    from auth.admin_tokens import create_admin_token

    token, _ = create_admin_token(world["server"].extensions["warehouse"].engine, "t.admin", days=1)
    c = world["server"].test_client()
    for (method, url), allowed in API.items():
        res = c.open(url, method=method, headers={"Authorization": f"Bearer {token}"})
        refused = res.status_code == 401 or (res.status_code == 403 and GUARD_403.encode() in res.get_data())
        if url.startswith("/api/v1/metadata/"):
            assert not refused, (url, res.status_code)
        elif allowed == ALL:  # public
            assert res.status_code == 200, url
        else:
            assert res.status_code == 403 and refused, (url, res.status_code)
