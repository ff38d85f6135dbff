"""The request guard: the first ``before_request`` hook of the server. For every request it finds
the principal (a session cookie, a unit's bearer token on the API, or a wall's display token),
sets ``g.occ_principal``, ``g.occ_clearance`` and ``g.occ_cache_scope`` before any data access,
checks CSRF for cookie-authenticated state changes, and answers 401/403 for anything the policy
table (:mod:`auth.policy`) does not allow.

Dash callbacks are attributed to a page on the server: each ``/_dash-update-component`` body names
its outputs, Dash's callback map says which Python module registered that callback, and the page
registry says which page that module is. Dash passes a callback its inputs by position, so a body
is first checked item by item against the callback's declaration (:mod:`auth.declared`) and
refused when it does not match; only then is the page router attributed to the page of the
``pathname`` it will render. Callbacks of other modules follow ``policy.CALLBACK_MODULES``.

A wall's display token travels in its ``HttpOnly`` cookie only: ``/wall?token=`` is answered with
a redirect to the same address without the token that sets the cookie (:func:`exchange_display_token`),
so the token stays out of addresses, histories and access logs. A revoked or expired token opens
nothing.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from urllib.parse import quote, urlencode

import dash
from flask import Response, current_app, g, jsonify, redirect, request

from auth import audit, declared, first_request, policy, security, sessions
from auth.admin_tokens import PREFIX as ADMIN_TOKEN_PREFIX
from auth.admin_tokens import authenticate_admin
from auth.credentials import credential_hash
from auth.displays import DISPLAY_COOKIE, display_token, token_id_if_valid
from auth.policy import DISPLAY, Principal
from auth.tokens import authenticate
from data_access.cache.backend import DATABASE_ERRORS
from data_access.cache.scopes import current_sessions_ended
from data_access.engine import primary_connection, release_connection
from web.lang import request_lang

log = logging.getLogger(__name__)

SESSION_COOKIE = "occ_session"
SESSION_COOKIE_SECURE = "__Host-occ_session"  # production: Secure, Path=/, no Domain
DASH_PAGE_ENDPOINTS = ("/", "/<path:path>")
DASH_PLUMBING = ("/_dash-layout", "/_dash-dependencies", "/_reload-hash")
CALLBACK_PATH = "/_dash-update-component"
ROUTER_MODULE = "dash.dash"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def settings():
    return current_app.config["SETTINGS"]


def cookie_name() -> str:
    return SESSION_COOKIE_SECURE if settings().app_env == "production" else SESSION_COOKIE


def engine():
    from data_access.engine import current_warehouse

    return current_warehouse().engine


def current_principal() -> Principal | None:
    return getattr(g, "occ_principal", None)


# -- the map from callbacks to pages ----------------------------------------------------------------


def _callback_modules() -> dict[str, str]:
    """Output spec of every server callback → the module that registered it (built once per app)."""
    app = current_app.extensions["dash"]
    cached = current_app.extensions.get("occ_callback_modules")
    if cached is not None and cached[0] == len(app.callback_map):
        return cached[1]
    # Dash fills callback_map in its own before-request hooks (its setup, and the page router's
    # registration), which run after this guard: on a worker's first request the map would still
    # lack them and the router be unknown. Run them here first (once: afterwards the map is
    # complete and the answer is kept), waiting for one another request is running.
    first_request.complete_callback_map(app, current_app.before_request_funcs.get(None, ()))
    modules = {}
    for output, entry in app.callback_map.items():
        fn = entry.get("callback")
        if fn is not None:
            modules[output] = getattr(fn, "__module__", None) or ""
    current_app.extensions["occ_callback_modules"] = (len(app.callback_map), modules)
    return modules


def page_template_of_module(module: str) -> str | None:
    page = dash.page_registry.get(module)
    if page is None:
        return None
    return page.get("path_template") or page.get("path")


def page_template_of_path(path: str | None) -> str | None:
    """The registered path (or path template) of the page that serves ``path``, None if none."""
    path = (path or "/").split("?", 1)[0] or "/"
    pages = list(dash.page_registry.values())
    for page in pages:
        if page.get("path") == path or path in (page.get("redirect_from") or ()):
            return page.get("path_template") or page.get("path")
    for page in pages:
        template = page.get("path_template") or page.get("path")
        if template and policy.path_matches(template, path):
            return template
    return None


def routed_template(app, pathname) -> str | None:
    """The registered path (or template) of the page Dash's router renders for ``pathname``, found
    by Dash's own routing (it strips the prefix and the slashes, ``""`` and ``"//"`` are the
    overview); None for its "not found" page."""
    from dash._pages import _path_to_page
    from dash.exceptions import UnsupportedRelativePath

    if not isinstance(pathname, str):
        return None if pathname is not None else page_template_of_path("/")
    try:
        page, _ = _path_to_page(app.strip_relative_path(pathname))
    except UnsupportedRelativePath:  # Dash's router raises: nothing is rendered
        return None
    if not page:
        return None
    return page.get("path_template") or page.get("path")


def _callback_body() -> dict:
    body = getattr(g, "occ_callback_body", None)
    if body is None:
        try:
            body = json.loads(request.get_data(cache=True) or b"{}")
        except ValueError:
            body = {}
        g.occ_callback_body = body if isinstance(body, dict) else {}
    return g.occ_callback_body


def _body_values(body: dict):
    for group in ("inputs", "state"):
        for item in body.get(group) or []:
            for one in item if isinstance(item, list) else [item]:
                if isinstance(one, dict):
                    yield one


class BadCallback(Exception):
    """A callback body that is not a call of the callback it names."""


def callback_roles(body: dict) -> tuple[frozenset[str], bool]:
    """Roles allowed to run the callback of ``body``; and whether it is the page router. Raises
    :class:`BadCallback` when the body's items are not, position by position, what the callback
    declared (Dash would run it with other values than the labels say)."""
    output = body.get("output")
    app = current_app.extensions["dash"]
    module = _callback_modules().get(output) if isinstance(output, str) else None
    entry = app.callback_map.get(output) if module is not None else None
    if entry is None:
        return policy.ADMINS, False  # not a server callback of this app
    reason = declared.mismatch(body, entry)
    if reason is not None:
        raise BadCallback(reason)
    if module == ROUTER_MODULE or output.startswith(".._pages_content."):
        pathname = declared.value_of(body, entry, "_pages_location", "pathname")
        return policy.page_roles(routed_template(app, pathname)), True
    template = page_template_of_module(module)
    if template is not None:
        return policy.page_roles(template), False
    return policy.CALLBACK_MODULES.get(module, policy.ADMINS), False


# -- finding the principal ------------------------------------------------------------------------


def _session_principal() -> tuple[Principal | None, str]:
    token = request.cookies.get(cookie_name())
    if not token:
        return None, "none"
    st = settings()
    try:
        # the counter of ended sessions comes with the data version (read by every request): while it
        # is unchanged, a session this process checked a few seconds ago is not read again
        ended = current_sessions_ended()
    except DATABASE_ERRORS:
        ended = None
    try:
        # on the request's primary connection (the read connection without a replica: one checkout,
        # and ping, a request): a session just opened or ended is seen at once
        user, state = sessions.cached_lookup(engine(), token, idle=timedelta(minutes=st.session_idle_minutes),
                                             max_age=timedelta(hours=st.session_max_hours), ended=ended,
                                             conn=primary_connection())
    except DATABASE_ERRORS:
        # warehouse outage: a session this worker's cache saw valid within the last minutes stays
        # valid (pages then serve their last-known data); anyone else is asked to sign in. The
        # request's connection is dropped, so that a later read tries afresh.
        release_connection()
        user, state = _remembered(token), "ok"
        if user is None:
            return None, "none"
    else:
        if user is not None:
            _remember(token, user)
    if user is None:
        return None, state
    return Principal(kind="user", role=user.role, name=user.username, display_name=user.display_name,
                     user_id=user.user_id, unit_code=user.unit_code, confidential=user.confidential,
                     session_id=user.session_id), "ok"


OUTAGE_GRACE_S = 300


REMEMBER_EVERY_S = 10  # the shared cache's copy of a valid session is refreshed at most this often
_remembered_at: dict[str, float] = {}  # per process: when this process last refreshed that copy


def _remember(token: str, user: sessions.SessionUser) -> None:
    """Keep the last valid lookup of this session in the shared cache, refreshed at most every
    :data:`REMEMBER_EVERY_S` by this process (a restarted cache is refilled within that time)."""
    from data_access.cache.backend import CacheManager

    cache, now, key = CacheManager.current(), time.time(), "authsess:" + credential_hash(token)
    if cache is None or now - _remembered_at.get(key, 0.0) < REMEMBER_EVERY_S:
        return
    if len(_remembered_at) >= 20000:
        _remembered_at.clear()
    cache.set(key, (user, now))
    if cache.available:  # written (a failed write is tried again on the next request)
        _remembered_at[key] = now


def forget_session(token: str | None) -> None:
    """A signed-out session is not kept for outages either (its shared copy is overwritten)."""
    from data_access.cache.backend import CacheManager

    cache = CacheManager.current()
    if token and cache is not None:
        key = "authsess:" + credential_hash(token)
        _remembered_at.pop(key, None)
        cache.set(key, (None, 0.0))


def _remembered(token: str) -> sessions.SessionUser | None:
    from data_access.cache.backend import CacheManager

    cache = CacheManager.current()
    if cache is None:
        return None
    hit, value = cache.get("authsess:" + credential_hash(token))
    if not hit or time.time() - value[1] > OUTAGE_GRACE_S:
        return None
    return value[0]


def _token_principal() -> Principal | Response:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip().startswith(ADMIN_TOKEN_PREFIX):
        admin, state = authenticate_admin(engine(), value.strip())
        if admin is not None:
            return Principal(kind="token", role=policy.ADMIN, name=f"admin-token:{admin.id}:{admin.username}",
                             display_name=admin.username)
    info, state = (None, "unknown") if scheme.lower() != "bearer" else authenticate(engine(), value.strip())
    if info is None:
        return api_error(401, f"{state}_token" if state in ("revoked", "expired") else "invalid_token",
                         "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.",
                         "The token is not valid, has expired or has been revoked.")
    g.occ_token = info
    return Principal(kind="token", role=policy.UNIT_TOKEN, name=f"token:{info.id}", unit_code=info.unit_code)


def _display_principal() -> tuple[Principal | None, str]:
    """A wall, by the token in its cookie: valid (known, unrevoked, unexpired) or nothing. The
    state says whether a token was there but is no longer valid ("refused"), so the wall's page can
    say why it shows nothing."""
    from data_access.cache.backend import CacheManager

    token = display_token()
    if token is None:
        return None, "none"
    cache, key = CacheManager.current(), "authdisp:" + credential_hash(token)
    try:
        token_id = token_id_if_valid(primary_connection(), token)
        if token_id is not None and cache is not None:
            cache.set(key, (token_id, time.time()))
    except DATABASE_ERRORS:  # warehouse outage: a token seen valid in the last minutes keeps its wall
        release_connection()
        hit, value = cache.get(key) if cache is not None else (False, None)
        token_id = value[0] if hit and time.time() - value[1] <= OUTAGE_GRACE_S else None
    if token_id is None:
        return None, "refused"
    g.occ_display_token = token
    return Principal(kind="display", role=DISPLAY, name=f"display:{token_id}"), "ok"


def exchange_display_token() -> Response | None:
    """``GET /wall?token=...``: the token moves into the wall's cookie and the browser is sent to
    the same address without it (the token never stays in an address bar, a history, a bookmark
    or an access log line after this one, which the log filter redacts). Runs before the guard,
    with or without access control; the guard then judges the cookie."""
    if request.method != "GET" or "token" not in request.args or request.endpoint not in DASH_PAGE_ENDPOINTS:
        return None
    if page_template_of_path(request.path) != "/wall":
        return None
    token = request.args.get("token", "")
    kept = [(k, v) for k, v in request.args.items(multi=True) if k != "token"]
    location = request.path + ("?" + urlencode(kept) if kept else "")
    res = redirect(location, code=302)
    res.headers["Cache-Control"] = "no-store"
    res.headers["Referrer-Policy"] = "no-referrer"
    if token and len(token) <= 200:
        production = settings().app_env == "production"
        res.set_cookie(DISPLAY_COOKIE, token, httponly=True, samesite="Strict", secure=production, path="/")
    return res


# -- answers --------------------------------------------------------------------------------------


def api_error(status: int, code: str, vi: str, en: str) -> Response:
    res = jsonify({"error": {"code": code, "message_vi": vi, "message_en": en}})
    res.status_code = status
    if status == 401:
        res.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return res


def _lang() -> str:
    return request_lang()


def _unauthenticated(state: str) -> Response:
    path = request.path
    if path.startswith("/api/"):
        return api_error(401, "unauthenticated", "Cần đăng nhập hoặc mã truy cập (Authorization: Bearer <mã>).",
                         "Sign in or send a token (Authorization: Bearer <token>).")
    if request.method == "GET" and not path.startswith("/_dash"):
        target = request.full_path if request.query_string else path
        query = "next=" + quote(target, safe="/") + ("&expired=1" if state == "expired" else "")
        if _lang() == "en":
            query += "&lang=en"
        return redirect("/signin?" + query, code=302)
    res = jsonify({"error": "unauthenticated", "signin": "/signin"})
    res.status_code = 401
    res.headers["X-OCC-Reload"] = "1"  # assets/auth.js reloads: the page GET then offers the sign-in
    return res


def _display_refused() -> Response:
    """A wall whose token was revoked, has expired or is unknown: its page says so (403); its
    Dash requests get 401 with the reload mark, so an open wall reloads and shows that page."""
    if request.method == "GET" and request.endpoint in DASH_PAGE_ENDPOINTS:
        from auth.views import render_page

        return render_page("wall_refused.html", 403)
    return _unauthenticated("none")


def _forbidden(principal: Principal, reason: str, *, reload: bool = False) -> Response:
    if principal.kind == "user":
        audit.write(engine(), "access.denied", actor=principal.name, role=principal.role,
                    target=f"{request.method} {request.path}"[:300], detail={"reason": reason} if reason else None,
                    ip=request.remote_addr)
    path = request.path
    if path.startswith("/api/"):
        return api_error(403, "forbidden", "Tài khoản này không được dùng chức năng này.",
                         "This account may not use this function.")
    if request.method == "GET" and not path.startswith("/_dash"):
        from auth.views import home_for, render_page

        return render_page("forbidden.html", 403, home=home_for(principal))
    res = jsonify({"error": "forbidden", "reason": reason})
    res.status_code = 403
    if reload:
        res.headers["X-OCC-Reload"] = "1"
    return res


# -- the hook -------------------------------------------------------------------------------------


def guard() -> Response | None:
    st = settings()
    if not st.auth_required:
        return None
    path = request.path
    g.occ_clearance = "public"
    if policy.is_public(path):
        return None

    principal, state = _session_principal()
    if principal is None and path.startswith("/api/") and "Authorization" in request.headers:
        found = _token_principal()
        if isinstance(found, Response):
            return found
        principal = found
    if principal is None:
        principal, display_state = _display_principal()
        if principal is None and display_state == "refused":
            return _display_refused()
    if principal is None:
        if state == "expired":
            audit.write(engine(), "session.expired", actor="anonymous", ip=request.remote_addr)
        return _unauthenticated(state)

    g.occ_principal = principal
    g.occ_clearance = principal.clearance
    g.occ_cache_scope = principal.cache_scope

    if request.method not in SAFE_METHODS and principal.kind in ("user", "display"):
        if not security.same_origin():
            return _forbidden(principal, "cross-origin request")
        if path == CALLBACK_PATH and request.mimetype != "application/json":
            return _forbidden(principal, "callbacks are JSON")
    return _authorize(principal, path)


def _authorize(principal: Principal, path: str) -> Response | None:
    if path == CALLBACK_PATH:
        body = _callback_body()
        try:
            roles, router = callback_roles(body)
        except BadCallback as exc:
            return _forbidden(principal, f"callback body does not match its declaration: {exc}"[:200])
        if not policy.may(principal, roles):
            return _forbidden(principal, "callback of a page this account may not open", reload=router)
        if principal.unit_code and principal.kind == "user":
            for item in _body_values(body):
                value, ident = item.get("value"), item.get("id")
                if (isinstance(ident, str) and (ident, item.get("property")) in policy.UNIT_INPUTS  # a pattern id is a dict
                        and value not in (None, "")
                        and str(value).strip().upper() != principal.unit_code):
                    return _forbidden(principal, "another unit")
        return None
    if path in DASH_PLUMBING:
        return None  # the shell's layout and the callback graph: no data
    if path.startswith("/api/"):
        return _authorize_api(principal)
    if request.endpoint in DASH_PAGE_ENDPOINTS:
        roles = policy.page_roles(page_template_of_path(path))
        return None if policy.may(principal, roles) else _forbidden(principal, "page")
    if principal.kind != "user":
        return _forbidden(principal, "route")
    roles = policy.route_roles(path)
    if roles is None:
        roles = policy.ADMINS
    return None if policy.may(principal, roles) else _forbidden(principal, "route")


def _authorize_api(principal: Principal) -> Response | None:
    rule = request.url_rule.rule if request.url_rule is not None else None
    method = "GET" if request.method in ("GET", "HEAD") else request.method
    key = (method, rule)
    if principal.kind == "token":
        if key not in (policy.ADMIN_TOKEN_ROUTES if principal.role == policy.ADMIN else policy.TOKEN_ROUTES):
            return _forbidden(principal, "api")
        return _forbidden(principal, "another unit's template") if _another_units_template(principal, rule) else None
    if rule is None:
        return None if principal.kind == "user" else _forbidden(principal, "api")  # Flask answers 404/405
    if not policy.may(principal, policy.API.get(key, policy.ADMINS)):
        return _forbidden(principal, "api")
    if _another_units_template(principal, rule):
        return _forbidden(principal, "another unit's template")
    return None


def _another_units_template(principal: Principal, rule: str | None) -> bool:
    """A reporting form of another unit than the one the principal (a unit's token, a reporter)
    is limited to. The route checks it too."""
    if not principal.unit_code or not rule or not rule.startswith("/api/v1/templates/"):
        return False
    return str((request.view_args or {}).get("unit", "")).strip().upper() != principal.unit_code


def after(response: Response) -> Response:
    st = settings()
    production = st.app_env == "production"
    # computed per response (a few small hashes): Dash adds inline scripts when it sets itself up
    # on its first request, which a refused request may precede
    csp = security.content_security_policy(current_app.extensions["dash"])
    security.apply_headers(response, csp, production)
    security.set_csrf_cookie(response, production)
    return response
