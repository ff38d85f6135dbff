"""Issue 22: no cached answer ever crosses a clearance. A view callback's stored response is served
again only to a viewer of the same clearance, role and unit as the one it was rendered for: a
leader's is never served to an analyst, a wall display or a reporter, and a reporter's never to
another unit's reporter. Every stored answer and every answer served from the cache is recorded
with who asked; each request is made twice (so the cache does answer: the positive control)."""

from __future__ import annotations

import json

import pytest
from flask import g

from app import create_app
from auth.displays import create_display_token
from tests.auth_helpers import ORIGIN, leaks, post_callback, router_body, write_distinctive
from tests.auth_sessions import session_cookies
from tests.conftest import make_settings, seeded_sqlite_world
from web import responses

CONFIDENTIAL_PAGE = ("/indicator/FX_RESERVES", "")
WALL = ("/wall", "?boards=overview")
COMPLIANCE = ("/compliance", "")
#: who → the page bodies they may render; the leader renders each first
ASKS = {
    "leader": (CONFIDENTIAL_PAGE, WALL, COMPLIANCE),
    "analyst": (CONFIDENTIAL_PAGE, WALL, COMPLIANCE),
    "display": (WALL,),
    "reporter_tk": (COMPLIANCE,),
    "reporter_bca": (COMPLIANCE,),
}


@pytest.fixture(scope="module")
def world(databases, tmp_path_factory):
    url, tmp, engine = seeded_sqlite_world(databases, tmp_path_factory, "respscopes")
    write_distinctive(engine)
    cookies = session_cookies(engine, "rc", (("leader", "leader", None, False), ("analyst", "analyst", None, False),
                                             ("reporter_tk", "reporter", "TK", False),
                                             ("reporter_bca", "reporter", "BCA", False)))
    _, display = create_display_token(engine, "cache wall")
    engine.dispose()
    server = create_app(make_settings(url, tmp, auth_required=True))
    yield {"server": server, "cookies": cookies, "display": display}
    server.extensions["warehouse"].dispose()


def _client(world, who: str):
    c = world["server"].test_client()
    if who == "display":
        c.set_cookie("occ_display", world["display"])
    else:
        c.set_cookie("occ_session", world["cookies"][who])
    return c


@pytest.fixture
def ledger(monkeypatch):
    """Response keys stored and served, each with the identity (clearance, role and unit) of the viewer."""
    stored: dict[str, tuple[str, str]] = {}
    served: list[tuple[str, tuple[str, str]]] = []

    def who() -> tuple[str, str]:
        return g.get("occ_clearance", "public"), g.get("occ_cache_scope", "")

    asked: dict[str, tuple[str, str]] = {}  # who looked a key up last (an answer is stored once sent)
    real_get, real_store = responses.get_current_view, responses.store_pending

    def get_current_view(cache, key):
        hit, value, keys = real_get(cache, key)
        if hit:
            served.append((key, who()))
        asked[key] = who()
        return hit, value, keys

    def store_pending(pending, *args, **kwargs):
        stored.update({k: asked[k] for k in pending if k.startswith("resp:")})
        return real_store(pending, *args, **kwargs)

    monkeypatch.setattr(responses, "get_current_view", get_current_view)
    monkeypatch.setattr(responses, "store_pending", store_pending)
    return stored, served


def test_rcs001_no_cached_answer_crosses_a_clearance_role_or_unit(world, ledger):
    stored, served = ledger
    answers: dict[tuple[str, str], dict[str, bytes]] = {}
    for who, pages in ASKS.items():
        client = _client(world, who)
        for page in pages:
            for _ in range(2):
                res = post_callback(client, router_body(*page))
                assert res.status_code == 200, (who, page, res.status_code)
                answers.setdefault(page, {})[who] = res.get_data()
    assert {identity for _, identity in served} == set(stored.values())  # everyone was answered from the cache
    assert len(set(stored.values())) == len(ASKS)  # five viewers, five identities
    crossed = [(key, stored.get(key), identity) for key, identity in served if stored.get(key) != identity]
    assert not crossed
    leader = answers[CONFIDENTIAL_PAGE]["leader"]
    assert _leaks_beyond(leader, CONFIDENTIAL_PAGE), "positive control: the leader's answer holds the values"
    for page, by_whom in answers.items():
        for who, body in by_whom.items():
            if who != "leader":
                assert not _leaks_beyond(body, page), (who, page)


def _leaks_beyond(body: bytes, page: tuple[str, str]) -> list[str]:
    """Confidential strings in ``body`` other than the code the page's address names (the page an
    uncleared viewer gets for it, "not found", echoes it)."""
    return [s for s in leaks(body) if s not in page[0]]


def test_rcs002_an_answer_is_stored_once_it_has_been_sent(world, ledger):
    """A rendered answer's entries are written when the server closes the response (after sending
    it), not while the viewer waits: before the close nothing is stored and the same request
    renders again; after it, the same request is served from the cache. The app's test client
    closes every response, as a server does (``ClosingClient``)."""
    stored, served = ledger
    client = _client(world, "analyst")
    assert isinstance(client, responses.ClosingClient)
    body = router_body("/compliance", "?regime=BCA-M")
    res = client.post("/_dash-update-component", data=json.dumps(body), buffered=False,
                      headers={"Content-Type": "application/json", "Origin": ORIGIN})
    assert res.status_code == 200 and res.get_data()  # the whole answer is there...
    assert not stored  # ...and nothing is stored yet
    again = post_callback(client, body)  # rendered again (then closed: stored)
    assert again.get_data() == res.get_data() and len(stored) == 1 and not served
    res.close()  # the first one's close stores the same key again: harmless
    post_callback(client, body)
    assert [key for key, _ in served] == list(stored)  # the stored answer serves the next request
