"""The sign-in throttle: slows password guessing down without letting a stranger lock anyone out.
In the database (``auth_throttle``, ``known_device``), so every gunicorn worker and host sees the
same counts.

Who is trying: a **client** is the pair of the user name tried and either a *known device* of
that user (a browser that signed in as that user before: a random token in an ``HttpOnly``
cookie, kept as its sha256 in ``known_device``) or, without one, the request's address.

Keys counted for a failure, each with its own free allowance (settings ``SIGNIN_*``):

* ``pair`` — the (user name, client) pair: ``SIGNIN_MAX_FAILURES`` (5);
* ``user`` — the user name from unknown devices, any address: ``SIGNIN_USER_MAX_FAILURES`` (20),
  so that guessing spread over many addresses is still bounded;
* ``address`` — the address on unknown devices, any name: ``SIGNIN_IP_MAX_FAILURES`` (30), so that
  one address spraying many names is slowed.

A known device is counted and checked on its ``pair`` key only: failures of strangers (other
addresses, other devices, the same proxy address) never delay it. Beyond its allowance a key
imposes a wait before its next attempt is even checked: 1 s, then doubling with each further
failure, capped at ``SIGNIN_LOCKOUT_MINUTES`` (15 min). There is no hard lock: the wait ends, and
an attempt made during a wait is refused without checking the password and without counting, so
a stranger cannot lengthen it by hammering. A key's failures are forgotten after four times the
cap without one; a successful sign-in clears its pair. Counting is one atomic upsert per key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, or_, select, true
from sqlalchemy.engine import Connection, Engine

from auth import clock
from auth.credentials import credential_hash, new_secret
from data_access import schema

t, kd, u = schema.auth_throttle, schema.known_device, schema.app_user
DEVICE_LIFETIME = timedelta(days=90)  # a device unused this long is forgotten (the cookie's max age too)
DEVICES_PER_USER = 20  # the newest ones are kept


@dataclass(frozen=True)
class Limits:
    pair_failures: int = 5
    user_failures: int = 20
    ip_failures: int = 30
    first_wait: timedelta = timedelta(seconds=1)
    max_wait: timedelta = timedelta(minutes=15)

    @property
    def forget(self) -> timedelta:
        """Failures older than this (since a key's last one) no longer count. Longer than the cap,
        so that waiting the cap out does not give the free attempts back."""
        return self.max_wait * 4

    def allowance(self, scope: str) -> int:
        return {"pair": self.pair_failures, "user": self.user_failures, "address": self.ip_failures}[scope]

    def wait_after(self, failures: int, scope: str) -> timedelta | None:
        """The wait a key imposes after its ``failures``-th failure, or None (still free)."""
        beyond = failures - self.allowance(scope)
        if beyond < 0:
            return None
        return min(self.first_wait * (2 ** min(beyond, 40)), self.max_wait)


@dataclass(frozen=True)
class Key:
    key: str
    scope: str  # pair | user | address
    username: str | None
    address: str | None


@dataclass(frozen=True)
class Client:
    """Who is trying: the user name (normalised), the address, and the known device's id when the
    request carries a device cookie issued to that very user."""

    username: str
    address: str | None
    device: str | None = None

    @property
    def known_device(self) -> bool:
        return self.device is not None

    def keys(self) -> list[Key]:
        name, addr = self.username, (self.address or "-")[:100]
        if self.device:
            return [Key(f"pair:{name}|dev:{self.device}", "pair", name, None)]
        return [Key(f"pair:{name}|ip:{addr}", "pair", name, addr), Key(f"user:{name}", "user", name, None),
                Key(f"ip:{addr}", "address", None, addr)]


@dataclass(frozen=True)
class Alert:
    """A key that has just started to impose waits (written to the audit log as
    ``signin.throttled``)."""

    scope: str
    username: str | None
    address: str | None
    failures: int
    wait: timedelta


def norm_name(username: str) -> str:
    return (username or "").strip().lower()[:64]


# -- known devices -----------------------------------------------------------------------------------


def client_for(engine: Engine, username: str, address: str | None, device_token: str | None) -> Client:
    """The client of a sign-in attempt: the device counts only when its cookie was issued to this
    user name and used within :data:`DEVICE_LIFETIME`; any other cookie is no device at all (made
    up cookies must not give a stranger fresh counters)."""
    name = norm_name(username)
    device = None
    if device_token and 20 <= len(device_token) <= 200 and name:
        digest = credential_hash(device_token)
        with engine.connect() as conn:
            device = conn.execute(
                select(kd.c.id).join(u, u.c.id == kd.c.user_id)
                .where(kd.c.id == digest, u.c.username == name, kd.c.last_used_at > clock.now() - DEVICE_LIFETIME)
            ).scalar()
    return Client(username=name, address=address, device=device)


def remember_device(engine: Engine, user_id: int, client: Client) -> str | None:
    """After a successful sign-in: touch the known device, or register a new one and return its
    token (for the cookie; only its sha256 is stored). Forgets the user's stale devices and keeps
    the newest :data:`DEVICES_PER_USER`."""
    now = clock.now()
    with engine.begin() as conn:
        if client.device:
            conn.execute(kd.update().where(kd.c.id == client.device).values(last_used_at=now))
            return None
        token = new_secret()
        conn.execute(kd.insert().values(id=credential_hash(token), user_id=user_id, created_at=now, last_used_at=now))
        keep = select(kd.c.id).where(kd.c.user_id == user_id).order_by(kd.c.last_used_at.desc(), kd.c.created_at.desc())
        kept = [r.id for r in conn.execute(keep.limit(DEVICES_PER_USER))]
        conn.execute(delete(kd).where(kd.c.user_id == user_id, or_(kd.c.id.not_in(kept),
                                                                   kd.c.last_used_at <= now - DEVICE_LIFETIME)))
    return token


# -- the counters ------------------------------------------------------------------------------------


def wait(engine: Engine, client: Client) -> timedelta | None:
    """How long this client must wait before its attempt is checked, or None."""
    now = clock.now()
    keys = [k.key for k in client.keys()]
    with engine.connect() as conn:
        until = conn.execute(select(func.max(t.c.wait_until)).where(t.c.key.in_(keys), t.c.wait_until > now)).scalar()
    return (until - now) if until else None


def _count(conn: Connection, key: Key, now: datetime, limits: Limits) -> int:
    """One atomic upsert: the key's failure count after this failure (1 when the earlier ones are
    forgotten)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stale = t.c.last_failure_at <= now - limits.forget
    stmt = insert(t).values(key=key.key, scope=key.scope, username=key.username, address=key.address, failures=1,
                            first_failure_at=now, last_failure_at=now, wait_until=None)
    stmt = stmt.on_conflict_do_update(index_elements=[t.c.key], set_={
        "failures": case((stale, 1), else_=t.c.failures + 1),
        "first_failure_at": case((stale, now), else_=t.c.first_failure_at),
        "wait_until": case((stale, None), else_=t.c.wait_until),
        "last_failure_at": now,
    })
    return int(conn.execute(stmt.returning(t.c.failures)).scalar_one())


def record_failure(engine: Engine, client: Client, limits: Limits) -> list[Alert]:
    """Count a failed attempt on each of the client's keys; set the wait a key imposes beyond its
    allowance (never shortening one a concurrent failure set). Returns the keys that have just
    started to impose waits. Forgotten counters are deleted on the way."""
    now = clock.now()
    alerts = []
    with engine.begin() as conn:
        conn.execute(delete(t).where(t.c.last_failure_at <= now - limits.forget,
                                     or_(t.c.wait_until.is_(None), t.c.wait_until <= now)))
        for key in client.keys():
            failures = _count(conn, key, now, limits)
            pause = limits.wait_after(failures, key.scope)
            if pause is None:
                continue
            until = now + pause
            conn.execute(t.update().where(t.c.key == key.key, or_(t.c.wait_until.is_(None), t.c.wait_until < until))
                         .values(wait_until=until))
            if failures == limits.allowance(key.scope):
                alerts.append(Alert(key.scope, key.username, key.address, failures, pause))
    return alerts


def record_success(engine: Engine, client: Client) -> None:
    """A successful sign-in clears its own pair (not the shared user and address keys, which
    strangers' failures may have raised)."""
    with engine.begin() as conn:
        conn.execute(delete(t).where(t.c.key == client.keys()[0].key))


@dataclass(frozen=True)
class Throttled:
    key: str
    scope: str
    username: str | None
    address: str | None
    failures: int
    wait_until: datetime | None


def current(conn: Connection, *, username: str | None = None, address: str | None = None) -> list[Throttled]:
    """The counters of a user name and/or an address (all of them without either), newest first.
    A known device's pair shows its key with the device id, never the cookie."""
    conds = []
    if username:
        conds.append(t.c.username == norm_name(username))
    if address:
        conds.append(t.c.address == address.strip())
    rows = conn.execute(select(t.c.key, t.c.scope, t.c.username, t.c.address, t.c.failures, t.c.wait_until)
                        .where(or_(*conds) if conds else true()).order_by(t.c.last_failure_at.desc()))
    return [Throttled(**r._mapping) for r in rows]


def unlock(engine: Engine, *, username: str | None = None, address: str | None = None) -> int:
    """Lift every wait and forget every failure of a user name (all its pairs and its name key)
    and/or an address (its key and the pairs tried from it). Returns the counters removed."""
    conds = []
    if username:
        conds.append(t.c.username == norm_name(username))
    if address:
        conds.append(t.c.address == address.strip())
    if not conds:
        raise ValueError("a user name or an address")
    with engine.begin() as conn:
        return conn.execute(delete(t).where(or_(*conds))).rowcount or 0
