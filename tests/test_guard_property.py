"""Property: for every registered server callback (the page router included) and every principal,
whatever the order and the labels of the items a body sends, the guard allows the request exactly
when the policy allows the callback *Dash would run* with the values *Dash would pass* (by
position). A body whose items are not, position by position, what the callback declared is
refused (Dash would run it with values whose labels lie).

The expectation is computed here from the test's own tables (``tests/test_auth_matrix.py``) and
from Dash's own dispatch (``inputs_to_vals`` over the body's items), not from ``auth``."""

from __future__ import annotations

import json

import pytest
from dash._utils import inputs_to_vals
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from auth import guard
from auth.displays import create_display_token
from auth.tokens import create_token
from tests.auth_helpers import ORIGIN, callback_body
from tests.auth_sessions import session_cookies
from tests.conftest import make_settings, seeded_sqlite_world
from tests.test_auth_matrix import BOARDS, PAGES, SHARED_MODULES, USERS

PRINCIPALS = ("admin", "leader", "analyst", "reporter", "display", "token", "anonymous")
ROUTER_PATHS = list(PAGES)
# the same pages as Dash's router also finds them (no leading slash, doubled or trailing slashes, empty)
VARIANTS = ["", "/", "//", "sectors", "/sectors/", "//daily//", "provinces/01", "/provinces/01/", "submit/",
            "/indicator/GDP_FLASH/", "compliance", "/wall/", "/provinces/01/x"]
UNIT_INPUTS = {("sub-unit", "value"), ("cmp-unit", "data")}  # inputs naming a unit (a reporter's is TK)
# labels an attacker would borrow: the router's, the units', the wall's, and junk
LABELS = [("_pages_location", "pathname"), ("_pages_location", "search"), ("sub-unit", "value"),
          ("cmp-unit", "data"), ("wall-config", "data"), ("x", "y"), ("shell-location", "pathname")]
VALUES = ROUTER_PATHS + VARIANTS + ["TK", "BCA", "", None, "?lang=en", {"boards": ["overview"]}, 3, ["01"]]


@pytest.fixture(scope="module")
def world(databases, tmp_path_factory):
    url, tmp, engine = seeded_sqlite_world(databases, tmp_path_factory, "guardprop")
    cookies = session_cookies(engine, "p", (("admin", "admin", None, False), ("leader", "leader", None, False),
                                            ("analyst", "analyst", None, False), ("reporter", "reporter", "TK", False)))
    _, display = create_display_token(engine, "property wall")
    api_token, _ = create_token(engine, "TK")
    engine.dispose()
    server = create_app(make_settings(url, tmp, auth_required=True))
    with server.test_request_context("/_dash-update-component", method="POST"):
        guard._callback_modules()  # Dash sets itself up and registers its router, as on a first request
    app = server.extensions["dash"]
    callbacks = [(output, entry, entry["callback"].__module__) for output, entry in app.callback_map.items()
                 if entry.get("callback") is not None]
    assert any(m == "dash.dash" for _, _, m in callbacks) and len(callbacks) >= 20
    yield {"server": server, "cookies": cookies, "display": display, "api_token": api_token,
           "callbacks": sorted(callbacks, key=lambda c: c[0])}
    server.extensions["warehouse"].dispose()


def guard_allows(world, who: str, body: dict) -> bool:
    """The guard's decision alone (the callback is not run)."""
    headers = {"Origin": ORIGIN, "Content-Type": "application/json"}
    if who in world["cookies"]:
        headers["Cookie"] = f"occ_session={world['cookies'][who]}"
    elif who == "display":
        headers["Cookie"] = f"occ_display={world['display']}"
    elif who == "token":
        headers["Authorization"] = f"Bearer {world['api_token']}"
    with world["server"].test_request_context("/_dash-update-component", method="POST", data=json.dumps(body),
                                              headers=headers):
        return guard.guard() is None


def _labels(item) -> str:
    items = item if isinstance(item, list) else [item]
    return json.dumps([[i.get("id"), i.get("property")] for i in items], sort_keys=True)


def expected_allowed(world, who: str, output: str, entry: dict, module: str, base: dict, body: dict) -> bool:
    if who in ("anonymous", "token"):
        return False  # no session, no wall cookie: nobody
    sent = body["inputs"] + body["state"]
    declared = base["inputs"] + base["state"]
    if [_labels(i) for i in sent] != [_labels(i) for i in declared]:
        return False  # not a call of the declared callback
    args = inputs_to_vals(sent)  # what Dash hands the function, by position
    if module == "dash.dash":  # the page router renders the page Dash's own routing finds for its first argument
        import dash
        from dash._pages import _path_to_page
        from dash.exceptions import UnsupportedRelativePath

        app = world["server"].extensions["dash"]
        try:
            page, _ = _path_to_page(app.strip_relative_path(args[0])) if isinstance(args[0], str) else ({}, None)
        except UnsupportedRelativePath:  # Dash raises: no page is rendered, whoever asks
            page = {}
        if args[0] is None:
            page, _ = _path_to_page("")
        template = (page.get("path_template") or page.get("path")) if page else None
        allowed = next((a for _, (t, a) in PAGES.items() if t == template), None) if template else USERS
        assert allowed is not None, f"page {template} has no line in the test's table"
    else:
        import dash

        page = dash.page_registry.get(module)
        if page is not None:
            template = page.get("path_template") or page.get("path")
            allowed = next(a for _, (t, a) in PAGES.items() if t == template)
        else:
            allowed = SHARED_MODULES[module]
    if who == "display":
        allowed_display = "display" in allowed
        return allowed_display
    if who not in allowed:
        return False
    if who == "reporter":
        deps = entry.get("inputs", []) + entry.get("state", [])
        for dep, value in zip(deps, args, strict=True):
            if (dep["id"], dep["property"]) in UNIT_INPUTS and value not in (None, "") \
                    and str(value).strip().upper() != "TK":
                return False
    return True


@st.composite
def attacks(draw, world):
    index = draw(st.integers(0, len(world["callbacks"]) - 1))
    output, entry, module = world["callbacks"][index]
    n = len(entry.get("inputs", [])) + len(entry.get("state", []))
    values = [draw(st.sampled_from(VALUES)) for _ in range(n)]
    base = callback_body(output, entry, values=values)
    items = base["inputs"] + base["state"]
    items = json.loads(json.dumps(items))
    order = draw(st.permutations(list(range(n)))) if n > 1 and draw(st.booleans()) else list(range(n))
    items = [items[i] for i in order]
    for i in range(n):
        if isinstance(items[i], dict) and draw(st.integers(0, 3)) == 0:  # relabel a quarter of the items
            ident, prop = draw(st.sampled_from(LABELS))
            items[i] = {**items[i], "id": ident, "property": prop}
    k = len(entry.get("inputs", []))
    body = {**base, "inputs": items[:k], "state": items[k:]}
    return output, entry, module, base, body


@pytest.mark.parametrize("who", PRINCIPALS)
def test_gpp001_guard_decides_what_dash_runs(world, who):
    @settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])
    @given(attack=attacks(world))
    def check(attack):
        output, entry, module, base, body = attack
        got = guard_allows(world, who, body)
        want = expected_allowed(world, who, output, entry, module, base, body)
        assert got == want, (who, output, body["inputs"], body["state"])

    check()


@pytest.mark.parametrize("who", PRINCIPALS)
def test_gpp002_every_callback_and_every_router_page(world, who):
    """Exhaustively: each callback as declared, and each with its first item relabelled as the
    router's pathname; the router for every page, straight and with a decoy first."""
    for output, entry, module in world["callbacks"]:
        n = len(entry.get("inputs", [])) + len(entry.get("state", []))
        for values in ([None] * n, ["TK"] * n, ["BCA"] * n):
            base = callback_body(output, entry, values=values)
            want = expected_allowed(world, who, output, entry, module, base, base)
            assert guard_allows(world, who, base) == want, (who, output, values)
        if n and isinstance(base["inputs"][:1] and base["inputs"][0], dict):
            forged = json.loads(json.dumps(base))
            forged["inputs"][0].update(id="_pages_location", property="pathname", value="/submit")
            if _labels(forged["inputs"][0]) != _labels(base["inputs"][0]):
                assert not guard_allows(world, who, forged), (who, output)
    router = next((o, e) for o, e, m in world["callbacks"] if m == "dash.dash")
    for path in ROUTER_PATHS:
        base = callback_body(router[0], router[1], values=[path, ""])
        want = expected_allowed(world, who, router[0], router[1], "dash.dash", base, base)
        assert guard_allows(world, who, base) == want, (who, path)
        assert want == (who in PAGES[path][1]), (who, path)  # the expectation itself, against the table
        for decoy in ("/submit", "/wall", "/compliance"):
            forged = json.loads(json.dumps(base))
            forged["inputs"] = [{"id": "x", "property": "y", "value": path},
                                {"id": "_pages_location", "property": "pathname", "value": decoy}]
            assert not guard_allows(world, who, forged), (who, path, decoy)
    assert BOARDS <= USERS
