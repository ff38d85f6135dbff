"""Display tokens for wall screens: a wall opens ``/wall?token=...`` once and never signs in (the
guard moves the token into the wall's cookie, :data:`DISPLAY_COOKIE`). Tokens are credentials of
:mod:`auth.credentials` (shown once, only their sha256 stored), read-only (they open the wall and
nothing else), optionally expiring, and revocable with effect on the wall's next refresh."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import request
from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine

from auth.credentials import credential_hash, credential_state, new_secret
from data_access import schema
from data_access.cache.tracking import untracked
from data_access.engine import bump_data_version, primary_connection

d = schema.display_token
DISPLAY_COOKIE = "occ_display"  # the wall's cookie: the one place its token travels
_COLUMNS = (d.c.id, d.c.label, d.c.created_at, d.c.expires_at, d.c.revoked_at)  # a DisplayToken's


@dataclass(frozen=True)
class DisplayToken:
    id: int
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def valid(self, now: datetime) -> bool:
        """Neither revoked nor expired at ``now``."""
        return credential_state(self.revoked_at, self.expires_at, now) == "active"


def create_display_token(engine: Engine, label: str, days: int | None = None) -> tuple[int, str]:
    """A new token; the clear text is returned once and never stored."""
    token = new_secret()
    now = datetime.now().replace(microsecond=0)
    with engine.begin() as conn:
        result = conn.execute(d.insert().values(token_hash=credential_hash(token), label=label, created_at=now,
                                                expires_at=now + timedelta(days=days) if days else None))
        return int(result.inserted_primary_key[0]), token


def revoke_display_token(engine: Engine, token_id: int) -> bool:
    """Revoke a token. The data version is bumped in the same transaction, so every wall refreshes
    now and no cached page or response that was rendered for the token outlives it."""
    with engine.begin() as conn:
        done = conn.execute(update(d).where(d.c.id == token_id, d.c.revoked_at.is_(None))
                            .values(revoked_at=datetime.now().replace(microsecond=0))).rowcount == 1
        if done:
            bump_data_version(conn)
        return done


def list_display_tokens(engine: Engine) -> list[DisplayToken]:
    """Every display token, oldest first; never the tokens themselves."""
    with engine.connect() as conn:
        rows = conn.execute(select(*_COLUMNS).order_by(d.c.id)).all()
    return [DisplayToken(**r._mapping) for r in rows]


def token_id_if_valid(conn: Connection, token: str | None, now: datetime | None = None) -> int | None:
    """The id of ``token`` when it is a known, unexpired, unrevoked display token; else None."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    with untracked():  # a credential check, not data a wall's board depends on (its key carries the result)
        row = conn.execute(select(*_COLUMNS).where(d.c.token_hash == credential_hash(token))).first()
    return row.id if row is not None and DisplayToken(**row._mapping).valid(now or datetime.now()) else None


def check_display_token(conn: Connection, token: str | None, now: datetime | None = None) -> bool:
    """True when ``token`` is a known, unexpired, unrevoked display token."""
    return token_id_if_valid(conn, token, now) is not None


def display_token() -> str | None:
    """The display token this request carries: the wall's cookie (never a URL or a body)."""
    token = request.cookies.get(DISPLAY_COOKIE)
    return token if token and len(token) <= 200 else None


def wall_cookie_valid() -> bool:
    """Whether this request's wall cookie holds a valid display token (on the request's connection):
    what the wall's page and board callbacks check (on every render, so a revoked token stops the
    wall at once), and part of their cached responses' key."""
    return check_display_token(primary_connection(), display_token())
