"""Signed-in sessions for tests, also of a real server (the browser tests). Nothing here bypasses
access control: it creates a real user and a real session row in the warehouse, exactly what
signing in does, and hands back the cookie to send. Browsers then also send ``Origin`` with their
posts; a plain HTTP client must send it too. (The benchmarks have their own: ``bench/sessions.py``.)"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine

from auth import clock
from auth.credentials import credential_hash
from auth.guard import SESSION_COOKIE
from auth.passwords import random_password
from auth.users import UserError, create_user, get_user
from data_access import schema

# one cookie value per process: the same signed-in browser works on every test server
_PROCESS_TOKEN = secrets.token_urlsafe(32)


def ensure_session(engine: Engine, username: str, role: str, *, token: str | None = None,
                   unit_code: str | None = None, confidential: bool = False) -> tuple[str, str]:
    """Make sure ``username`` exists with ``role`` and holds an open session for ``token`` (default:
    one value per process). Returns ``(cookie name, cookie value)``."""
    token = token or _PROCESS_TOKEN
    with engine.connect() as conn:
        try:
            user = get_user(conn, username)
        except UserError:
            user = None
    if user is None:
        user = create_user(engine, username, random_password(), role, display_name=f"Test ({role})",
                           unit_code=unit_code, confidential=confidential, actor="test-harness")
    s = schema.user_session
    now = clock.now()
    with engine.begin() as conn:
        if conn.execute(select(s.c.id).where(s.c.id == credential_hash(token))).first() is None:
            conn.execute(s.insert().values(id=credential_hash(token), user_id=user.id, created_at=now, last_seen_at=now,
                                           ip="127.0.0.1", user_agent="test-harness"))
        else:
            conn.execute(s.update().where(s.c.id == credential_hash(token))  # a copied warehouse: this user's now
                         .values(user_id=user.id, created_at=now, last_seen_at=now, revoked_at=None))
    return SESSION_COOKIE, token


def session_cookies(engine: Engine, prefix: str,
                    people: Iterable[tuple[str, str, str | None, bool]]) -> dict[str, str]:
    """A session for each ``(who, role, unit, confidential)`` of ``people``, as user ``<prefix>.<who>``:
    ``who`` → its cookie value."""
    return {who: ensure_session(engine, f"{prefix}.{who}", role, token=f"{prefix}-session-{who}-" + "x" * 20,
                                unit_code=unit, confidential=confidential)[1]
            for who, role, unit, confidential in people}


def ensure_session_at(database_url: str, username: str = "browser.analyst", role: str = "analyst",
                      **kwargs) -> tuple[str, str]:
    """:func:`ensure_session` on a database URL (the warehouse must be migrated)."""
    engine = create_engine(database_url)
    try:
        return ensure_session(engine, username, role, **kwargs)
    finally:
        engine.dispose()
