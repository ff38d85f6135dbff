"""The guard judges what Dash will execute (security finding 1): Dash hands a callback its inputs
and states by position, so a body whose items are relabelled or reordered must not make the guard
decide about another page than the one the callback would render. A display token that is revoked
or expired opens nothing, on any request."""

from __future__ import annotations

import pytest

from app import create_app
from auth.displays import create_display_token, list_display_tokens, revoke_display_token
from tests.auth_helpers import post_callback, router_body
from tests.auth_sessions import ensure_session
from tests.conftest import make_settings, seeded_sqlite_world

OVERVIEW_MARK = "ov-"  # ids of the overview page's components


@pytest.fixture(scope="module")
def world(databases, tmp_path_factory):
    url, tmp, engine = seeded_sqlite_world(databases, tmp_path_factory, "guarddecl")
    reporter = ensure_session(engine, "t.reporter", "reporter", token="session-of-reporter-" + "x" * 20,
                              unit_code="TK")[1]
    leader = ensure_session(engine, "t.leader", "leader", token="session-of-leader-" + "x" * 20)[1]
    _, display = create_display_token(engine, "valid wall")
    _, revoked = create_display_token(engine, "revoked wall")
    (tok,) = [t for t in list_display_tokens(engine) if t.label == "revoked wall"]
    assert revoke_display_token(engine, tok.id)
    engine.dispose()
    server = create_app(make_settings(url, tmp, auth_required=True))
    yield {"server": server, "reporter": reporter, "leader": leader, "display": display, "revoked": revoked}
    server.extensions["warehouse"].dispose()


def _client(world, cookie: str, value: str):
    c = world["server"].test_client()
    c.set_cookie(cookie, value)
    return c


def relabelled(executed: str, claimed: str) -> dict:
    """The router's body with a decoy first: Dash renders ``executed`` (the first input by
    position), a label-reading guard would judge ``claimed``."""
    body = router_body(claimed)
    body["inputs"] = [{"id": "x", "property": "y", "value": executed},
                      {"id": "_pages_location", "property": "pathname", "value": claimed}]
    return body


@pytest.mark.parametrize("target", ["/", "/provinces/01", "/sectors", "/daily", "/indicators", "/briefing"])
def test_gdc001_reporter_cannot_relabel_the_router(world, target):
    client = _client(world, "occ_session", world["reporter"])
    assert post_callback(client, router_body("/submit")).status_code == 200  # the control: its own page
    res = post_callback(client, relabelled(target, "/submit"))
    assert res.status_code in (400, 403), (target, res.status_code, res.get_data()[:200])
    assert OVERVIEW_MARK not in res.get_data(as_text=True)


@pytest.mark.parametrize("target", ["/", "/provinces/01", "/sectors", "/compliance"])
def test_gdc002_display_cannot_relabel_the_router(world, target):
    client = _client(world, "occ_display", world["display"])
    assert post_callback(client, router_body("/wall")).status_code == 200
    res = post_callback(client, relabelled(target, "/wall"))
    assert res.status_code in (400, 401, 403), (target, res.status_code)


def test_gdc003_reordered_and_extra_items_refused(world):
    client = _client(world, "occ_session", world["leader"])
    body = router_body("/")
    body["inputs"] = list(reversed(body["inputs"]))  # search first: Dash would route by the search
    assert post_callback(client, body).status_code in (400, 403)
    body = router_body("/")
    body["inputs"].append({"id": "_pages_location", "property": "hash", "value": ""})
    assert post_callback(client, body).status_code in (400, 403)
    body = router_body("/")
    body["changedPropIds"] = ["not-an-input.value"]
    assert post_callback(client, body).status_code in (400, 403)
    assert post_callback(client, router_body("/")).status_code == 200  # the control


def test_gdc004_revoked_display_token_opens_nothing(world):
    client = _client(world, "occ_display", world["revoked"])
    for res in (client.get("/wall"), post_callback(client, router_body("/wall")),
                client.get("/_dash-layout")):
        assert res.status_code in (401, 403), res.status_code
    # the wall's own board callbacks too: the guard refuses before the board runs
    body = {"output": "wall-asof.children...wall-ticker.children", "inputs": [], "state": []}
    assert post_callback(client, body).status_code in (400, 401, 403)
    # the page says why (a revoked wall shows it on its next reload)
    page = client.get("/wall")
    assert "thu hồi" in page.get_data(as_text=True) or "hết hạn" in page.get_data(as_text=True)


def test_gdc005_display_token_in_the_url_becomes_a_cookie(world):
    anon = world["server"].test_client()
    res = anon.get(f"/wall?boards=overview&token={world['display']}")
    assert res.status_code == 302
    assert res.headers["Location"].endswith("/wall?boards=overview")
    assert world["display"] not in res.headers["Location"]
    cookie = anon.get_cookie("occ_display")
    assert cookie is not None and cookie.value == world["display"] and cookie.http_only
    assert anon.get("/wall?boards=overview").status_code == 200
    # a token only in a callback body or in the router's search is no credential
    fresh = world["server"].test_client()
    assert post_callback(fresh, router_body("/wall", f"?token={world['display']}")).status_code == 401


def test_gdc006_duplicate_outputs_as_the_browser_sends_them():
    """``allow_duplicate`` outputs travel as ``prop@<hash>``: the same output, not a relabelling."""
    from dash import Output

    from auth.declared import mismatch

    entry = {"inputs": [{"id": "a", "property": "value"}], "state": [],
             "output": Output("prov-region", "value", allow_duplicate=True)}
    body = {"inputs": [{"id": "a", "property": "value", "value": 1}],
            "outputs": {"id": "prov-region", "property": "value@3b80218b"}, "changedPropIds": ["a.value"]}
    assert mismatch(body, entry) is None
    body["outputs"] = {"id": "prov-region", "property": "children@3b80218b"}
    assert mismatch(body, entry) is not None
    body["outputs"] = {"id": "other", "property": "value@3b80218b"}
    assert mismatch(body, entry) is not None
