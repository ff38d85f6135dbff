"""Security headers on every response, and CSRF protection.

CSRF, two layers:

* HTML form posts (sign-in, sign-out, password change, admin forms) carry a synchronizer token:
  ``HMAC(SECRET_KEY, nonce)`` where the nonce sits in an HttpOnly cookie (``occ_csrf``); the form
  field must match the cookie's HMAC. A cross-site page can neither read the cookie nor compute
  the HMAC.
* Every state-changing request that a browser authenticates with a cookie (forms and Dash's
  ``/_dash-update-component`` JSON posts) must come from this origin: its ``Origin`` header (or,
  failing that, its ``Referer``) must be this site, and Dash posts must be ``application/json``
  (which a cross-site form cannot send without a CORS preflight, never granted here). The session
  cookie is also ``SameSite=Lax``, so a cross-site POST does not carry it at all.

Bearer-token API calls carry no cookie and need no CSRF protection.

Content-Security-Policy: scripts from this origin plus the sha256 of each inline script (Dash's
renderer and inline clientside callbacks via ``app.csp_hashes()``, and the inline script of the
page shell, hashed from ``app.index_string``); no ``unsafe-eval``; ``style-src 'unsafe-inline'``
because Plotly and React set inline styles; ``frame-ancestors 'none'``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from urllib.parse import urlsplit

from dash import Dash
from flask import Response, current_app, g, request

CSRF_COOKIE = "occ_csrf"
CSRF_FIELD = "csrf_token"


# -- CSRF -------------------------------------------------------------------------------------------


def _secret() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode("utf-8")


def _nonce() -> str:
    nonce = getattr(g, "occ_csrf_nonce", None)
    if nonce:
        return nonce
    nonce = request.cookies.get(CSRF_COOKIE) or ""
    if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", nonce):
        nonce = secrets.token_urlsafe(24)
        g.occ_csrf_set = nonce  # the after-request hook sets the cookie
    g.occ_csrf_nonce = nonce
    return nonce


def csrf_token() -> str:
    """The token to put in a form's hidden ``csrf_token`` field."""
    return hmac.new(_secret(), ("csrf|" + _nonce()).encode(), hashlib.sha256).hexdigest()


def csrf_in_body() -> bool:
    """This request's answer carries a CSRF token (a form page, or Dash's layout with the
    sign-out form): it is sent uncompressed (BREACH, :mod:`web.delivery`)."""
    return getattr(g, "occ_csrf_nonce", None) is not None


def csrf_valid(submitted: str | None) -> bool:
    nonce = request.cookies.get(CSRF_COOKIE)
    if not nonce or not submitted:
        return False
    expected = hmac.new(_secret(), ("csrf|" + nonce).encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, submitted)


def same_origin() -> bool:
    """The request says it comes from this site (``Origin``, else ``Referer``). Neither header:
    refused (every browser sends ``Origin`` with a POST)."""
    own = f"{request.scheme}://{request.host}".lower()
    origin = request.headers.get("Origin")
    if origin:
        return origin.lower() == own
    referer = request.headers.get("Referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower() == own
    return False


def set_csrf_cookie(response: Response, secure: bool) -> None:
    nonce = getattr(g, "occ_csrf_set", None)
    if nonce:
        response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="Lax", secure=secure, path="/")


# -- headers ----------------------------------------------------------------------------------------

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>(.*?)</script>", re.S)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def content_security_policy(dash_app: Dash) -> str:
    hashes = list(dict.fromkeys(list(dash_app.csp_hashes()) +
                                [_sha256(m) for m in _INLINE_SCRIPT.findall(dash_app.index_string or "")]))
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' " + " ".join(hashes),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


# The headers every answer carries, after its Content-Security-Policy (a view may set its own).
_FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
)


def apply_headers(response: Response, csp: str, production: bool) -> None:
    """Set the security headers a view has not set itself (HSTS only in production)."""
    h = response.headers
    h.setdefault("Content-Security-Policy", csp)
    for name, value in _FIXED_HEADERS:
        h.setdefault(name, value)
    if production:
        h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    static = request.path.startswith(("/assets/", "/_dash-component-suites/", "/static/", "/auth/static/",
                                      "/_favicon.ico"))
    if not static and getattr(g, "occ_principal", None) is not None:
        h.setdefault("Cache-Control", "no-store")  # signed-in answers never sit in shared caches
