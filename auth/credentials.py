"""What every credential has in common: sessions (:mod:`auth.sessions`), known devices
(:mod:`auth.throttle`), units' API tokens (:mod:`auth.tokens`) and walls' display tokens
(:mod:`auth.displays`).

Each is 32 random bytes, URL-safe base64, handed out once; the warehouse keeps only its sha256. The
secret has 256 bits of entropy, so a fast hash is enough (no password stretching), and a copy of the
database opens nothing. Passwords are another matter: :mod:`auth.passwords`.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Literal

State = Literal["active", "revoked", "expired"]


def new_secret() -> str:
    """A fresh credential: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


def credential_hash(secret: str) -> str:
    """The stored form of a credential: the sha256 of its UTF-8 bytes, 64 hex digits (the
    ``token_hash``/``id`` columns)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def credential_state(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> State:
    """``revoked`` once revoked, ``expired`` from ``expires_at`` on, else ``active``."""
    if revoked_at is not None:
        return "revoked"
    if expires_at is not None and now >= expires_at:
        return "expired"
    return "active"
