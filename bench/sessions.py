"""Signed-in sessions for the benchmarks that drive a real server (``bench/load.py``,
``bench/http_replay.py``). Nothing here bypasses access control: a real user (created once) and a
real session row, what the sign-in form creates, and the cookie to send with every request."""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from auth.guard import SESSION_COOKIE
from auth.passwords import random_password
from auth.sessions import open_session
from auth.users import UserError, create_user, get_user


def bench_session(engine: Engine, username: str, role: str) -> tuple[str, str]:
    """A new session of ``username`` (created with ``role`` on first use): ``(cookie name, value)``."""
    try:
        with engine.connect() as conn:
            user_id = get_user(conn, username).id
    except UserError:
        user_id = create_user(engine, username, random_password(), role, display_name=f"Bench ({role})",
                              actor="bench").id
    return SESSION_COOKIE, open_session(engine, user_id, ip="127.0.0.1", user_agent="bench")


def bench_session_at(database_url: str, username: str, role: str) -> tuple[str, str]:
    """:func:`bench_session` on a database URL (the warehouse must be migrated)."""
    engine = create_engine(database_url)
    try:
        return bench_session(engine, username, role)
    finally:
        engine.dispose()
