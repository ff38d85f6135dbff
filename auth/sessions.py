"""Server-side sessions (``user_session``). The cookie carries a credential of
:mod:`auth.credentials`; the table keeps only its sha256 (the row's ``id``), so a copy of the
database opens no session. A session ends on sign-out, after ``SESSION_IDLE_MINUTES`` without a
request, after ``SESSION_MAX_HOURS`` in all, and when the user's password, role, unit, grant or
active flag changes. Every worker reads the same table, so an ended session is refused by every
worker on its next request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from auth import clock
from auth.credentials import credential_hash, new_secret
from data_access import schema

s, u, ag = schema.user_session, schema.app_user, schema.agency
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionUser:
    session_id: str
    user_id: int
    username: str
    display_name: str
    role: str
    unit_code: str | None
    confidential: bool


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
    if now - row.last_seen_at >= TOUCH_EVERY:
        with engine.begin() as conn:
            conn.execute(s.update().where(s.c.id == sid).values(last_seen_at=now))
    return SessionUser(sid, row.user_id, row.username, row.display_name, row.role, row.unit_code,
                       bool(row.confidential)), "ok"


def end(engine: Engine, token: str | None) -> None:
    """End the session of cookie value ``token`` (sign-out); an unknown or ended one: nothing."""
    if not token:
        return
    with engine.begin() as conn:
        conn.execute(s.update().where(s.c.id == credential_hash(token), s.c.revoked_at.is_(None))
                     .values(revoked_at=clock.now()))

