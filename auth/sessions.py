"""Server-side sessions (``user_session``). The cookie carries a credential of
:mod:`auth.credentials`; the table keeps only its sha256 (the row's ``id``), so a copy of the
database opens no session. A session ends on sign-out, after ``SESSION_IDLE_MINUTES`` without a
request, after ``SESSION_MAX_HOURS`` in all, and when the user's password, role, unit, grant or
active flag changes. Every worker reads the same table, so an ended session is refused by every
worker on its next request.

:func:`cached_lookup` answers most requests without reading the session: each process remembers a
session it found valid for :data:`REMEMBER_FOR` (less than :data:`TOUCH_EVERY`, so the idle clock
is still kept), tagged with ``data_version.sessions_ended``. Every transaction that ends a session
grows that counter (:func:`data_access.engine.count_session_end`), and every request reads it with
the data version it reads anyway, so a changed counter drops what every process remembers on its
next request."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from auth import clock
from auth.credentials import credential_hash, new_secret
from data_access import schema
from data_access.engine import count_session_end

s, u, ag = schema.user_session, schema.app_user, schema.agency
TOUCH_EVERY = timedelta(seconds=60)
REMEMBER_FOR = 20.0  # seconds a process answers from a session it found valid (ended ones: at once)
_REMEMBERED_MAX = 20000  # sessions remembered per process (the oldest are forgotten first)


@dataclass(frozen=True)
class SessionUser:
    session_id: str
    user_id: int
    username: str
    display_name: str
    role: str
    unit_code: str | None
    confidential: bool
    opened_at: datetime | None = None  # when the session was opened
    seen_at: datetime | None = None  # its last request as the warehouse records it (see TOUCH_EVERY)


def open_session(engine: Engine, user_id: int, *, ip: str | None, user_agent: str | None) -> str:
    """A new session; returns the cookie value (shown to this browser only)."""
    token = new_secret()
    now = clock.now()
    with engine.begin() as conn:
        conn.execute(s.insert().values(id=credential_hash(token), user_id=user_id, created_at=now, last_seen_at=now,
                                       ip=(ip or None) and ip[:64], user_agent=(user_agent or "")[:300]))
    return token


def lookup(engine: Engine, token: str | None, *, idle: timedelta, max_age: timedelta,
           conn: Connection | None = None) -> tuple[SessionUser | None, str]:
    """``(user, state)``: state ``ok``, ``none`` (no or unknown cookie), ``ended`` (signed out or
    revoked), ``expired`` (idle or too old; the row is ended now) or ``inactive`` (user disabled).
    ``conn``: read the session on this connection (the request's own) instead of a new one."""
    if not token or len(token) > 100:
        return None, "none"
    sid = credential_hash(token)
    stmt = (select(s.c.id, s.c.user_id, s.c.created_at, s.c.last_seen_at, s.c.revoked_at, u.c.username,
                   u.c.display_name, u.c.role, u.c.active, u.c.confidential, ag.c.code.label("unit_code"))
            .join(u, u.c.id == s.c.user_id).outerjoin(ag, ag.c.id == u.c.agency_id).where(s.c.id == sid))
    if conn is not None:
        row = conn.execute(stmt).first()
    else:
        with engine.connect() as own:
            row = own.execute(stmt).first()
    if row is None:
        return None, "none"
    if row.revoked_at is not None:
        return None, "ended"
    now = clock.now()
    if not row.active:
        return None, "inactive"
    if now - row.last_seen_at >= idle or now - row.created_at >= max_age:
        end(engine, token)
        return None, "expired"
    seen = row.last_seen_at
    if now - seen >= TOUCH_EVERY:
        seen = now
        with engine.begin() as conn:
            conn.execute(s.update().where(s.c.id == sid).values(last_seen_at=now))
    return SessionUser(sid, row.user_id, row.username, row.display_name, row.role, row.unit_code,
                       bool(row.confidential), row.created_at, seen), "ok"


#: session id → (``sessions_ended`` when it was checked, monotonic time of the check, its user)
_remembered: dict[str, tuple[int, float, SessionUser]] = {}


def cached_lookup(engine: Engine, token: str | None, *, idle: timedelta, max_age: timedelta,
                  ended: int | None, conn: Connection | None = None) -> tuple[SessionUser | None, str]:
    """:func:`lookup`, answered from what this process remembers while ``ended`` (the warehouse's
    ``data_version.sessions_ended``, read in this request) is the counter it was checked at, for at
    most :data:`REMEMBER_FOR` seconds, within ``max_age`` and while no touch of its idle clock is due
    (:data:`TOUCH_EVERY` after what the check saw), so every limit holds as with :func:`lookup`.
    ``ended`` None (not read from the warehouse): always :func:`lookup`."""
    if not token or len(token) > 100:
        return None, "none"
    sid = credential_hash(token)
    kept = _remembered.get(sid) if ended is not None else None
    if kept is not None and kept[0] == ended and time.monotonic() - kept[1] < REMEMBER_FOR:
        user, now = kept[2], clock.now()
        if user.opened_at is not None and user.seen_at is not None and now - user.opened_at < max_age \
                and now - user.seen_at < min(idle, TOUCH_EVERY):  # no touch due, not idle
            return user, "ok"
    user, state = lookup(engine, token, idle=idle, max_age=max_age, conn=conn)
    if user is not None and ended is not None:
        if len(_remembered) >= _REMEMBERED_MAX:
            _remembered.clear()
        _remembered[sid] = (ended, time.monotonic(), user)
    else:
        _remembered.pop(sid, None)
    return user, state


def end(engine: Engine, token: str | None) -> None:
    """End the session of cookie value ``token`` (sign-out); an unknown or ended one: nothing."""
    if not token:
        return
    with engine.begin() as conn:
        ended = conn.execute(s.update().where(s.c.id == credential_hash(token), s.c.revoked_at.is_(None))
                             .values(revoked_at=clock.now())).rowcount
        if ended:
            count_session_end(conn)

