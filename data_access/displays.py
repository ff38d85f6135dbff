"""Read side of wall display tokens: is a token valid? (Created and revoked by ``ingest.displays``.)"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from data_access import schema
from data_access.cache.tracking import untracked

d = schema.display_token
DISPLAY_COOKIE = "occ_display"  # the wall's cookie: the one place its token travels


@dataclass(frozen=True)
class DisplayToken:
    id: int
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def valid(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_id_if_valid(conn: Connection, token: str | None, now: datetime | None = None) -> int | None:
    """The id of ``token`` when it is a known, unexpired, unrevoked display token; else None."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    with untracked():  # a credential check, not data a wall's board depends on (its key carries the result)
        row = conn.execute(select(d.c.id, d.c.label, d.c.created_at, d.c.expires_at, d.c.revoked_at)
                           .where(d.c.token_hash == token_hash(token))).first()
    return row.id if row is not None and DisplayToken(*row).valid(now or datetime.now()) else None


def check_display_token(conn: Connection, token: str | None, now: datetime | None = None) -> bool:
    """True when ``token`` is a known, unexpired, unrevoked display token."""
    return token_id_if_valid(conn, token, now) is not None
