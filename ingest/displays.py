"""Display tokens for wall screens: a wall opens ``/wall?token=...`` and never signs in. Tokens are
random (32 bytes, URL-safe), shown once, stored as SHA-256, read-only (they open the wall and
nothing else), optionally expiring, and revocable with effect on the wall's next refresh."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from data_access import schema
from data_access.displays import DisplayToken
from data_access.displays import token_hash as _hash
from data_access.engine import bump_data_version

d = schema.display_token


def create_display_token(engine: Engine, label: str, days: int | None = None) -> tuple[int, str]:
    """A new token; the clear text is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    now = datetime.now().replace(microsecond=0)
    with engine.begin() as conn:
        result = conn.execute(d.insert().values(token_hash=_hash(token), label=label, created_at=now,
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
    with engine.connect() as conn:
        rows = conn.execute(select(d.c.id, d.c.label, d.c.created_at, d.c.expires_at, d.c.revoked_at)
                            .order_by(d.c.id)).all()
    return [DisplayToken(*r) for r in rows]
