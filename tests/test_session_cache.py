"""Issue 22: the session check answered from what a process remembers (``auth.sessions.cached_lookup``)
ends with the session at once: a sign-out, a revocation by an administrator, a change of the user or
an expiry is refused on the very next request, also when it was done by another process (here:
straight on the warehouse, not through this app), because it grows ``data_version.sessions_ended``,
which every request reads with the data version."""

from __future__ import annotations

import pytest

from auth import clock, sessions
from auth.users import set_password, update_user
from data_access.engine import make_engine
from tests import test_auth
from tests.auth_helpers import ORIGIN, csrf_from, post_callback, router_body, sign_in
from tests.conftest import make_settings

PASSWORD = test_auth.PASSWORD
app, _clock = test_auth.app, test_auth._clock  # the same fixtures: its app and users, the fixed clock


@pytest.fixture
def other_process(empty_url, tmp_path):
    """An engine of its own on the same warehouse: what another worker or host would use."""
    engine = make_engine(make_settings(empty_url, tmp_path))
    yield engine
    engine.dispose()


@pytest.fixture
def reads(monkeypatch):
    """How many times the session row was read."""
    count = [0]
    real = sessions.lookup

    def counted(*args, **kwargs):
        count[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(sessions, "lookup", counted)
    return count


def _signed_in(app) -> tuple[object, str]:
    c = app.test_client()
    res = sign_in(c, "lan.leader", PASSWORD)
    token = next(h for h in res.headers.getlist("Set-Cookie") if h.startswith("occ_session=")).split(";")[0][12:]
    assert c.get("/").status_code == 200
    return c, token


def _second_browser(app, token: str):
    """Another client with the same session cookie (a second tab, or a copied cookie)."""
    c = app.test_client()
    c.set_cookie("occ_session", token)
    return c


def test_ses001_a_session_checked_moments_ago_is_not_read_again(app, reads):
    c, _ = _signed_in(app)
    before = reads[0]
    for _ in range(5):
        assert c.get("/").status_code == 200
        assert post_callback(c, router_body("/no-such-page")).status_code == 200
    assert reads[0] == before
    clock.advance(seconds=61)  # a touch of the idle clock is due: read (and touched) again
    assert c.get("/").status_code == 200
    assert reads[0] == before + 1


def test_ses002_sign_out_is_refused_at_once_everywhere(app):
    c, token = _signed_in(app)
    tab = _second_browser(app, token)
    assert post_callback(tab, router_body("/no-such-page")).status_code == 200  # remembered
    csrf = csrf_from(c.get("/account").get_data(as_text=True))
    assert c.post("/signout", data={"csrf_token": csrf}, headers={"Origin": ORIGIN}).status_code == 303
    assert post_callback(tab, router_body("/no-such-page")).status_code == 401
    assert tab.get("/").status_code == 302


def test_ses003_a_session_ended_by_another_process_is_refused_at_once(app, other_process):
    c, token = _signed_in(app)
    assert post_callback(c, router_body("/no-such-page")).status_code == 200
    sessions.end(other_process, token)  # signed out on another worker: this app's memory is not told
    assert post_callback(c, router_body("/no-such-page")).status_code == 401
    assert c.get("/").status_code == 302


@pytest.mark.parametrize("change", ["role", "inactive", "password"])
def test_ses004_a_revocation_by_an_administrator_holds_at_once(app, other_process, change):
    c, _ = _signed_in(app)
    assert c.get("/").status_code == 200
    if change == "role":
        update_user(other_process, "lan.leader", role="analyst", actor="root")
    elif change == "inactive":
        update_user(other_process, "lan.leader", active=False, actor="root")
    else:
        set_password(other_process, "lan.leader", "another good password", actor="root")
    assert c.get("/").status_code == 302
    assert post_callback(c, router_body("/no-such-page")).status_code == 401


def test_ses005_an_expired_session_is_refused_even_when_remembered(app):
    c, _ = _signed_in(app)
    for _ in range(13):  # active all day, every request within a minute of the last check
        clock.advance(minutes=59)
        c.get("/")
    assert c.get("/").status_code == 302


def test_ses006_without_the_counter_every_request_reads_the_session(app, reads, monkeypatch):
    """When the counter was not read from the warehouse (an outage served from the last known
    version), nothing remembered is trusted."""
    from auth import guard

    c, _ = _signed_in(app)
    monkeypatch.setattr(guard, "current_sessions_ended", lambda: None)
    before = reads[0]
    assert c.get("/").status_code == 200
    assert c.get("/").status_code == 200
    assert reads[0] == before + 2
