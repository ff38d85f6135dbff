"""API tokens of the reporting units (``api_token``).

A token is a credential of :mod:`auth.credentials` (32 random bytes, only its sha256 stored) prefixed
``occ_``, so that a leaked token is easy to recognise in logs and secret scanners. The token itself
is shown once, when created.

A token belongs to one unit (agency) and authenticates ``Authorization: Bearer <token>``; it is
refused once revoked or past ``expires_at``. ``last_used_at`` is refreshed at most once a minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.engine import Connection, Engine

from auth.credentials import State, credential_hash, credential_state, new_secret
from data_access import schema

PREFIX = "occ_"
TOUCH_EVERY = timedelta(minutes=1)


class TokenError(LookupError):
    """Unknown unit or token id (message in English; the CLI shows it)."""


@dataclass(frozen=True)
class TokenInfo:
    id: int
    unit_code: str
    unit_id: int
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def state(self, now: datetime) -> State:
        """``active``, ``revoked`` or ``expired``."""
        return credential_state(self.revoked_at, self.expires_at, now)


def create_token(engine: Engine, unit_code: str, days: int | None = 365, label: str = "",
                 now: datetime | None = None) -> tuple[str, TokenInfo]:
    """A new token for ``unit_code`` valid ``days`` days (None or 0: no expiry). Returns the token
    (shown once) and its record."""
    now = (now or datetime.now()).replace(microsecond=0)
    token = PREFIX + new_secret()
    with engine.begin() as conn:
        unit = conn.execute(select(schema.agency.c.id, schema.agency.c.code)
                            .where(schema.agency.c.code == unit_code.strip().upper())).first()
        if unit is None:
            raise TokenError(f"unknown unit {unit_code!r}")
        expires = now + timedelta(days=days) if days else None
        result = conn.execute(schema.api_token.insert().values(
            agency_id=unit.id, token_hash=credential_hash(token), label=label or "", created_at=now, expires_at=expires))
        token_id = int(result.inserted_primary_key[0])
    return token, TokenInfo(token_id, unit.code, unit.id, label or "", now, expires, None, None)


def revoke_token(engine: Engine, token_id: int, now: datetime | None = None) -> TokenInfo:
    """Revoke token ``token_id`` (again: no change); refused from the next request on."""
    now = (now or datetime.now()).replace(microsecond=0)
    t = schema.api_token
    with engine.begin() as conn:
        info = _get(conn, token_id)
        if info.revoked_at is None:
            conn.execute(t.update().where(t.c.id == token_id).values(revoked_at=now))
    return _replace_revoked(info, info.revoked_at or now)


def _replace_revoked(info: TokenInfo, when: datetime) -> TokenInfo:
    return TokenInfo(info.id, info.unit_code, info.unit_id, info.label, info.created_at, info.expires_at, when,
                     info.last_used_at)


def _select() -> Select:
    t, a = schema.api_token, schema.agency
    return select(t.c.id, a.c.code.label("unit_code"), t.c.agency_id.label("unit_id"), t.c.label, t.c.created_at,
                  t.c.expires_at, t.c.revoked_at, t.c.last_used_at).join(a, a.c.id == t.c.agency_id)


def _get(conn: Connection, token_id: int) -> TokenInfo:
    row = conn.execute(_select().where(schema.api_token.c.id == token_id)).first()
    if row is None:
        raise TokenError(f"no token with id {token_id}")
    return TokenInfo(**row._mapping)


def list_tokens(engine: Engine, unit_code: str | None = None) -> list[TokenInfo]:
    """Every token (of ``unit_code``), oldest first; never the tokens themselves."""
    stmt = _select().order_by(schema.api_token.c.id)
    if unit_code:
        stmt = stmt.where(schema.agency.c.code == unit_code.strip().upper())
    with engine.connect() as conn:
        return [TokenInfo(**r._mapping) for r in conn.execute(stmt)]


def authenticate(engine: Engine, token: str, now: datetime | None = None) -> tuple[TokenInfo | None, str]:
    """``(info, state)``: state ``active`` (info set), or ``unknown``, ``revoked``, ``expired``."""
    now = now or datetime.now()
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None, "unknown"
    with engine.connect() as conn:
        row = conn.execute(_select().where(schema.api_token.c.token_hash == credential_hash(token))).first()
    if row is None:
        return None, "unknown"
    info = TokenInfo(**row._mapping)
    state = info.state(now)
    if state == "active" and (info.last_used_at is None or now - info.last_used_at >= TOUCH_EVERY):
        t = schema.api_token
        with engine.begin() as conn:
            conn.execute(t.update().where(t.c.id == info.id).values(last_used_at=now.replace(microsecond=0)))
    return (info if state == "active" else None), state
