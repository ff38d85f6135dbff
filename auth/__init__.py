"""Access control: users and roles, server-side sessions, the sign-in throttle, the request guard
(every page, Dash callback, API route and export), security headers, CSRF, and the append-only
audit log. ``init_auth(server)`` wires it into the Flask server; see :mod:`auth.policy` for the
table of who may open what.

For pages and components: :func:`current_principal` is who makes the request (None when access
control is off, i.e. in tests that build apps with ``auth_required=False``); :func:`current_unit`
is the reporting unit a reporter is limited to (None: no such limit).
"""

from __future__ import annotations

from flask import Flask

from auth.displays import display_token
from auth.guard import current_principal
from auth.policy import Principal

__all__ = ["Principal", "current_principal", "current_unit", "display_token", "init_auth", "may_export"]


def current_unit() -> str | None:
    """The unit whose data a reporter (or a unit's token) is limited to; None for everyone else."""
    p = current_principal()
    return p.unit_code if p is not None and p.kind in ("user", "token") and p.unit_code else None


def may_export() -> bool:
    """Whether the current request may export (admins, leaders, analysts; everyone when access
    control is off)."""
    from flask import current_app

    from auth import policy

    if not current_app.config["SETTINGS"].auth_required:
        return True
    return policy.may_export(current_principal())


def init_auth(server: Flask) -> None:
    """Register the guard (as the FIRST before-request hook), the response headers, the sign-in,
    account and admin views and the user commands. Call after the Dash app is mounted."""
    from auth import (
        admin_views,  # noqa: F401 - adds the tokens page (and the redirects of the former units and catalogue pages)
        first_request,
        guard,
    )
    from auth.cli import register_auth_commands
    from auth.production import check_production
    from auth.views import bp

    settings = server.config["SETTINGS"]
    check_production(settings)
    if settings.trust_proxy:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trust_proxy
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n, x_host=n)
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                         SESSION_COOKIE_SECURE=settings.app_env == "production")
    server.register_blueprint(bp)
    first_request.serialize(server)  # Dash's first-request hooks one at a time (the guard reads their map)
    server.before_request_funcs.setdefault(None, []).insert(0, guard.guard)
    server.before_request_funcs[None].insert(0, guard.exchange_display_token)  # /wall?token= → cookie
    server.after_request(guard.after)
    register_auth_commands(server)
