"""The sign-in throttle, in the database so that every gunicorn worker and host sees the same
counts (no process memory). Two keys per attempt:

* ``user:<name>`` — after ``SIGNIN_MAX_FAILURES`` failures (default 5) within the window the name is
  locked for ``SIGNIN_LOCKOUT_MINUTES`` (default 15): even the right password is refused until then;
* ``ip:<address>`` — after ``SIGNIN_IP_MAX_FAILURES`` failures (default 30) within the window the
  address may not try any name until the lockout ends (stops spraying many names).

A failure counts within ``window`` of the first failure; a success clears the user's key (not the
address's). Counting is one atomic upsert per key, safe under concurrent workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from auth import clock
from data_access import schema

t = schema.auth_throttle


@dataclass(frozen=True)
class Limits:
    user_failures: int = 5
    ip_failures: int = 30
    lockout: timedelta = timedelta(minutes=15)
    window: timedelta = timedelta(minutes=15)


def _keys(username: str, ip: str | None) -> list[tuple[str, str]]:
    keys = [("user", "user:" + (username or "").strip().lower()[:150])]
    if ip:
        keys.append(("ip", "ip:" + ip[:100]))
    return keys


def locked_until(engine: Engine, username: str, ip: str | None) -> datetime | None:
    """The end of the lockout that blocks this attempt, if any."""
    now = clock.now()
    keys = [k for _, k in _keys(username, ip)]
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.locked_until).where(t.c.key.in_(keys), t.c.locked_until > now)).all()
    return max((r.locked_until for r in rows), default=None)


def _upsert_failure(conn: Connection, key: str, now: datetime, window: timedelta) -> tuple[int, datetime]:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(t).values(key=key, failures=1, window_start=now, locked_until=None)
    conn.execute(stmt.on_conflict_do_update(index_elements=[t.c.key], set_={"failures": t.c.failures + 1}))
    row = conn.execute(select(t.c.failures, t.c.window_start).where(t.c.key == key)).first()
    if now - row.window_start >= window:  # a failure after the window starts a new count
        conn.execute(t.update().where(t.c.key == key).values(failures=1, window_start=now, locked_until=None))
        return 1, now
    return int(row.failures), row.window_start


def record_failure(engine: Engine, username: str, ip: str | None, limits: Limits) -> datetime | None:
    """Count a failed attempt; returns the lockout end when this failure starts one."""
    now = clock.now()
    started = None
    with engine.begin() as conn:
        for kind, key in _keys(username, ip):
            failures, _ = _upsert_failure(conn, key, now, limits.window)
            limit = limits.user_failures if kind == "user" else limits.ip_failures
            if failures >= limit:
                until = now + limits.lockout
                conn.execute(t.update().where(t.c.key == key).values(locked_until=until, failures=0, window_start=now))
                started = until
    return started


def record_success(engine: Engine, username: str) -> None:
    with engine.begin() as conn:
        conn.execute(t.delete().where(t.c.key == _keys(username, None)[0][1]))
