"""Issue 8, the sign-in throttle cannot be turned against a legitimate user. Failures count per
(user name, client) pair, where the client is a known device (a random id in an ``HttpOnly``
cookie set by a successful sign-in, stored hashed) or, without one, the address. A throttled pair
waits an exponentially growing, capped delay instead of a hard lock. The shared limits (per user
name across addresses, per address across names) hold for unknown devices only, with the same
back-off. The answer to a throttled attempt says how long to wait and never checks the password.
``flask --app app unlock-user`` lifts a throttle; both the alert and the unlock are audited.
The clock is moved by the tests (``auth.clock``); both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from app import create_app
from auth import clock
from auth.audit import AuditQuery, search
from auth.credentials import credential_hash
from auth.users import create_user
from data_access.engine import make_engine, migrate
from tests.auth_helpers import fixed_auth_clock, sign_in
from tests.conftest import make_settings

PASSWORD = "correct horse battery"
CAP = timedelta(minutes=15)  # SIGNIN_LOCKOUT_MINUTES, the longest wait
OFFICE = "198.51.100.7"  # the ministry's proxy: many users behind one address
HOME = "192.0.2.10"


@pytest.fixture(autouse=True)
def _clock():
    yield from fixed_auth_clock()


@pytest.fixture(autouse=True)
def _cheap_password_check(monkeypatch):
    """These tests make hundreds of attempts: the check of a password is an equality here (the
    scrypt cost is tested in test_auth.py), the throttle around it is the real one."""
    from auth import users

    monkeypatch.setattr(users, "verify_password", lambda stored, password: bool(stored) and password == PASSWORD)


@pytest.fixture
def app(empty_url, tmp_path):
    settings = make_settings(empty_url, tmp_path, auth_required=True)
    engine = make_engine(settings)
    migrate(engine)
    create_user(engine, "lan.leader", PASSWORD, "leader")
    create_user(engine, "root", PASSWORD, "admin")
    engine.dispose()
    server = create_app(settings)
    yield server
    server.extensions["warehouse"].dispose()


def _client(app, address: str):
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = address
    return c


def _known_device(app, username: str, address: str):
    """A browser the user has signed in from before (then signed out of: only the device cookie
    stays)."""
    c = _client(app, address)
    assert sign_in(c, username, PASSWORD).status_code == 303
    c.delete_cookie("occ_session")
    return c


def _wait(res) -> int:
    assert res.status_code == 429, res.status_code
    return int(res.headers["Retry-After"])


def _audit(app, **q):
    with app.extensions["warehouse"].engine.connect() as conn:
        return search(conn, AuditQuery(**q))[0]


def test_thr001_a_stranger_cannot_lock_the_admin_out_of_a_known_device(app):
    """Wrong passwords for ``root`` from strangers everywhere (no device cookie, many addresses,
    each honouring its waits) never stop the real admin on a known device."""
    desk = _known_device(app, "root", "10.0.0.5")
    for n in range(12):
        stranger = _client(app, f"203.0.113.{n}")
        for i in range(6):
            res = sign_in(stranger, "root", f"guess {n} {i} password")
            if res.status_code == 429:
                clock.advance(seconds=_wait(res))
                res = sign_in(stranger, "root", f"guess {n} {i} password")
            assert res.status_code == 401
    assert sign_in(desk, "root", PASSWORD).status_code == 303
    # the same guesses bound the name for unknown devices: a new laptop waits, never longer than the cap
    laptop = _client(app, HOME)
    wait = _wait(sign_in(laptop, "root", PASSWORD))
    assert 0 < wait <= CAP.total_seconds()
    clock.advance(seconds=wait)
    assert sign_in(laptop, "root", PASSWORD).status_code == 303


def test_thr002_a_shared_address_is_not_locked_for_everyone_behind_it(app):
    """40 failures from the office's proxy address (spraying names): a colleague with a known
    device signs in at once; one on an unknown device waits a bounded delay, then signs in."""
    leader_desk = _known_device(app, "lan.leader", OFFICE)
    sprayer = _client(app, OFFICE)
    for i in range(40):
        res = sign_in(sprayer, f"guess{i}", "spring 2026 password")
        if res.status_code == 429:
            clock.advance(seconds=_wait(res))
            res = sign_in(sprayer, f"guess{i}", "spring 2026 password")
        assert res.status_code == 401
    assert sign_in(leader_desk, "lan.leader", PASSWORD).status_code == 303
    newcomer = _client(app, OFFICE)  # root, from a browser never used to sign in
    res = sign_in(newcomer, "root", PASSWORD)
    wait = _wait(res)
    assert 0 < wait <= CAP.total_seconds()
    assert "Vui lòng chờ" in res.get_data(as_text=True)
    clock.advance(seconds=wait)
    assert sign_in(newcomer, "root", PASSWORD).status_code == 303


def test_thr003_the_attackers_own_pair_is_slowed_progressively(app):
    """One client guessing one name: five free failures, then waits that double up to the cap.
    A throttled answer checks no password (the right one is refused alike, and a missing user
    costs the same) and an early retry does not extend the wait."""
    from auth import users

    attacker = _client(app, HOME)
    waits = []
    for i in range(16):
        res = sign_in(attacker, "lan.leader", f"guess number {i}")
        if res.status_code == 429:
            waits.append(_wait(res))
            clock.advance(seconds=waits[-1])
            res = sign_in(attacker, "lan.leader", f"guess number {i}")
        assert res.status_code == 401, i
    assert len(waits) == 11  # the first five failures free
    assert all(b > a for a, b in zip(waits, waits[1:-1], strict=False)), waits
    assert waits[-1] == CAP.total_seconds() and waits[0] <= 2
    # during a wait: the right password is refused like a wrong one, and early retries do not extend it
    clock.advance(seconds=10)
    right, wrong = sign_in(attacker, "lan.leader", PASSWORD), sign_in(attacker, "lan.leader", "nope nope nope")
    assert _wait(right) == _wait(wrong) == CAP.total_seconds() - 10
    assert right.get_data() == wrong.get_data()
    # an unknown user name is throttled the same way, and no password is checked while waiting
    ghost = _client(app, "192.0.2.99")
    for i in range(6):
        sign_in(ghost, "no.such.user", f"guess number {i}")
    checked = []
    real_check = users.verify_password
    users.verify_password = lambda h, p: checked.append(p) or real_check(h, p)
    try:
        ghost_wait = _wait(sign_in(ghost, "no.such.user", "guess number 7"))
        _wait(sign_in(attacker, "lan.leader", PASSWORD))
    finally:
        users.verify_password = real_check
    assert checked == [] and ghost_wait == 1
    en = sign_in(attacker, "lan.leader", PASSWORD, lang="en").get_data(as_text=True)
    assert "Too many failed sign-ins" in en and "minutes" in en


def test_thr004_unlock_user_lifts_the_throttle_and_is_audited(app):
    attacker = _client(app, HOME)
    for i in range(6):
        sign_in(attacker, "lan.leader", f"guess number {i}")
    assert sign_in(attacker, "lan.leader", PASSWORD).status_code == 429
    runner = app.test_cli_runner()
    res = runner.invoke(args=["unlock-user", "LAN.Leader"])
    assert res.exit_code == 0 and "lan.leader" in res.output, res.output
    assert sign_in(attacker, "lan.leader", PASSWORD).status_code == 303
    # an address: a sprayer behind it, lifted with --address
    sprayer = _client(app, OFFICE)
    for i in range(31):
        sign_in(sprayer, f"guess{i}", "spring 2026 password")
    assert sign_in(_client(app, OFFICE), "root", PASSWORD).status_code == 429
    shown = runner.invoke(args=["unlock-user", "--show", "--address", OFFICE]).output
    assert "address" in shown and "31 counters" in shown, shown  # the address and 30 pairs
    res = runner.invoke(args=["unlock-user", "--address", OFFICE])
    assert res.exit_code == 0, res.output
    assert sign_in(_client(app, OFFICE), "root", PASSWORD).status_code == 303
    assert runner.invoke(args=["unlock-user"]).exit_code != 0  # a name or an address
    unlocks = _audit(app, action="signin.unlock")
    assert [(e.target, e.actor.startswith("cli")) for e in unlocks] == [(OFFICE, True), ("lan.leader", True)]


def test_thr005_throttling_writes_one_alert_per_streak(app):
    attacker = _client(app, HOME)
    for i in range(9):
        sign_in(attacker, "lan.leader", f"guess number {i}")
        clock.advance(minutes=20)  # honours every wait: each attempt is a real failure
    sign_in(attacker, "lan.leader", "one more guess")
    assert sign_in(attacker, "lan.leader", "and another one").status_code == 429  # too early
    alerts = _audit(app, action="signin.throttled")
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.actor == "lan.leader" and alert.ip == HOME
    assert alert.detail_dict["scope"] == "pair" and alert.detail_dict["failures"] == 5
    assert alert.detail_dict["known_device"] is False and alert.detail_dict["wait_seconds"] >= 1
    sprayer = _client(app, OFFICE)
    for i in range(31):
        sign_in(sprayer, f"guess{i}", "spring 2026 password")
    scopes = [e.detail_dict["scope"] for e in _audit(app, action="signin.throttled")]
    assert scopes == ["address", "pair"]
    assert any(e.action == "signin.delayed" for e in _audit(app, actor="lan.leader"))


def test_thr006_the_device_cookie_is_random_httponly_hashed_and_per_user(app):
    c = _client(app, HOME)
    res = sign_in(c, "lan.leader", PASSWORD)
    cookie = next(h for h in res.headers.getlist("Set-Cookie") if h.startswith("occ_device="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    assert len(value) >= 40
    with app.extensions["warehouse"].engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM known_device"))]
    assert ids == [credential_hash(value)]
    # lan.leader's browser is not a known device for root, and a made-up cookie is no device at all
    for i in range(5):
        assert sign_in(c, "root", f"guess number {i}").status_code == 401
    assert sign_in(c, "root", PASSWORD).status_code == 429
    c.set_cookie("occ_device", "x" * 43)
    assert sign_in(c, "root", PASSWORD).status_code == 429
    c.set_cookie("occ_device", value)
    assert sign_in(c, "lan.leader", PASSWORD).status_code == 303


def test_thr007_concurrent_failures_are_counted_once_each(app):
    """Workers counting failures of one client at the same time: every failure counted (one atomic
    upsert per key), and the wait set is the longest, never one a slower worker wrote over."""
    from concurrent.futures import ThreadPoolExecutor

    from auth import throttle

    engine = app.extensions["warehouse"].engine
    client = throttle.Client(username="lan.leader", address=HOME)
    limits = throttle.Limits()
    with ThreadPoolExecutor(8) as pool:
        alerts = [a for batch in pool.map(lambda _: throttle.record_failure(engine, client, limits), range(32))
                  for a in batch]
    with engine.connect() as conn:
        failures = dict(conn.execute(text("SELECT key, failures FROM auth_throttle")).all())
    assert failures == {"pair:lan.leader|ip:" + HOME: 32, "user:lan.leader": 32, "ip:" + HOME: 32}
    assert sorted(a.scope for a in alerts) == ["address", "pair", "user"]
    assert throttle.wait(engine, client) == limits.wait_after(32, "pair") == CAP
