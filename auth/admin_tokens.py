"""Admins' API tokens (``admin_token``): the bearer credential of a machine that manages the
configuration for an admin (``/api/v1/metadata/...``: a staging centre's package moved to
production, a script that imports the year's plan targets).

A token is a credential of :mod:`auth.credentials` prefixed ``occadm_`` (a unit's token is
``occ_...``: the guard tells them apart without a second look-up), shown once, stored hashed. It
belongs to one admin user and opens only the routes of ``auth.policy.ADMIN_TOKEN_ROUTES``; it is
refused once revoked, past ``expires_at``, or as soon as its user is no longer an active admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine

from auth.credentials import State, credential_hash, credential_state, new_secret
from auth.tokens import TOUCH_EVERY, TokenError
from data_access import schema

PREFIX = "occadm_"
t, u = schema.admin_token, schema.app_user


@dataclass(frozen=True)
class AdminTokenInfo:
    id: int
    username: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    user_is_admin: bool

    def state(self, now: datetime) -> State:
        return credential_state(self.revoked_at, self.expires_at, now)


_SELECT = select(t.c.id, u.c.username, t.c.label, t.c.created_at, t.c.expires_at, t.c.revoked_at, t.c.last_used_at,
                 ((u.c.role == "admin") & u.c.active.is_(True)).label("user_is_admin")).join(u, u.c.id == t.c.user_id)


def _info(row) -> AdminTokenInfo:
    return AdminTokenInfo(**{**row._mapping, "user_is_admin": bool(row.user_is_admin)})


def create_admin_token(engine: Engine, username: str, days: int | None = 90, label: str = "",
                       now: datetime | None = None) -> tuple[str, AdminTokenInfo]:
    """A new token of the active admin ``username`` valid ``days`` days (None or 0: no expiry)."""
    now = (now or datetime.now()).replace(microsecond=0)
    token = PREFIX + new_secret()
    with engine.begin() as conn:
        user = conn.execute(select(u.c.id, u.c.role, u.c.active).where(u.c.username == username.strip().lower())).first()
        if user is None or user.role != "admin" or not user.active:
            raise TokenError(f"{username!r} is not an active admin")
        result = conn.execute(t.insert().values(user_id=user.id, token_hash=credential_hash(token), label=label or "",
                                                created_at=now, expires_at=now + timedelta(days=days) if days else None))
        token_id = int(result.inserted_primary_key[0])
        return token, _info(conn.execute(_SELECT.where(t.c.id == token_id)).one())


def revoke_admin_token(engine: Engine, token_id: int, now: datetime | None = None) -> AdminTokenInfo:
    """Revoke token ``token_id`` (again: no change); refused from the next request on."""
    now = (now or datetime.now()).replace(microsecond=0)
    with engine.begin() as conn:
        row = conn.execute(_SELECT.where(t.c.id == token_id)).first()
        if row is None:
            raise TokenError(f"no admin token with id {token_id}")
        if row.revoked_at is None:
            conn.execute(t.update().where(t.c.id == token_id).values(revoked_at=now))
        return _info(conn.execute(_SELECT.where(t.c.id == token_id)).one())


def list_admin_tokens(engine: Engine) -> list[AdminTokenInfo]:
    """Every admin token, oldest first; never the tokens themselves."""
    with engine.connect() as conn:
        return [_info(r) for r in conn.execute(_SELECT.order_by(t.c.id))]


def authenticate_admin(engine: Engine, token: str, now: datetime | None = None) -> tuple[AdminTokenInfo | None, str]:
    """``(info, "active")`` or ``(None, state)``: ``unknown`` (also when its user is no longer an
    active admin), ``revoked``, ``expired``."""
    now = now or datetime.now()
    if not token.startswith(PREFIX) or len(token) > 200:
        return None, "unknown"
    with engine.connect() as conn:
        row = conn.execute(_SELECT.where(t.c.token_hash == credential_hash(token))).first()
    if row is None or not row.user_is_admin:
        return None, "unknown"
    info = _info(row)
    state = info.state(now)
    if state == "active" and (info.last_used_at is None or now - info.last_used_at >= TOUCH_EVERY):
        with engine.begin() as conn:
            conn.execute(t.update().where(t.c.id == info.id).values(last_used_at=now.replace(microsecond=0)))
    return (info if state == "active" else None), state
