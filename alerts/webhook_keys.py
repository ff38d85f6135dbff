"""Webhook signing secrets at rest. The ``webhook.secret`` column holds a random seed
(``k1:<seed>``); the secret the receiver checks ``X-OCC-Signature`` with is
``HMAC-SHA256(SECRET_KEY, seed)``, shown once to the webhook's creator. A copy of the database alone
(a backup, a replica, an export) cannot forge a signature. Changing ``SECRET_KEY`` changes every
webhook's secret: the administrator creates the webhooks again (docs/SECURITY.md). A secret stored
before this scheme (no prefix) is used as it is."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app, has_app_context

from settings import Settings

PREFIX = "k1:"


def app_key() -> bytes:
    """The application's ``SECRET_KEY`` (the running app's, else the environment's)."""
    key = current_app.config["SECRET_KEY"] if has_app_context() else Settings.from_env().secret_key
    return str(key).encode("utf-8")


def _derive(key: bytes, seed: str) -> str:
    mac = hmac.new(key, b"webhook:" + seed.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def new_secret(key: bytes | None = None) -> tuple[str, str]:
    """(what the database stores, the secret given to the receiver) of a new webhook."""
    seed = secrets.token_urlsafe(32)
    return PREFIX + seed, _derive(key or app_key(), seed)


def signing_secret(stored: str, key: bytes | None = None) -> str:
    """The secret a stored value stands for."""
    return _derive(key or app_key(), stored[len(PREFIX):]) if stored.startswith(PREFIX) else stored
