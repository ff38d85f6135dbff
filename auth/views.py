"""Plain Flask views (work without JavaScript): sign-in, sign-out, the account page with the
password change, and the admin pages (the audit log search and the users; the tokens page is in
:mod:`auth.admin_views`). Jinja templates in ``auth/templates/auth``
(autoescaped)."""

from __future__ import annotations

import logging
import math
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import dash
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import SQLAlchemyError

from auth import audit, policy, security, sessions, throttle
from auth.guard import cookie_name, current_principal, engine, forget_session
from auth.passwords import PasswordRuleError
from auth.users import (
    UserError,
    check_credentials,
    has_demo_password,
    list_users,
    mark_signed_in,
    set_password,
    update_user,
)
from i18n import dataset_mark, t
from web.lang import request_lang

log = logging.getLogger(__name__)
DEVICE_COOKIE = "occ_device"
DEVICE_COOKIE_SECURE = "__Host-occ_device"  # production: Secure, Path=/, no Domain

bp = Blueprint("auth", __name__, template_folder="templates", static_folder="static", static_url_path="/auth/static")


def _lang() -> str:
    return request_lang(form=True)


def _limits() -> throttle.Limits:
    st = current_app.config["SETTINGS"]
    return throttle.Limits(pair_failures=st.signin_max_failures, user_failures=st.signin_user_max_failures,
                           ip_failures=st.signin_ip_max_failures, max_wait=timedelta(minutes=st.signin_lockout_minutes))


def device_cookie_name() -> str:
    return DEVICE_COOKIE_SECURE if current_app.config["SETTINGS"].app_env == "production" else DEVICE_COOKIE


def _wait_words(seconds: int, lang: str) -> str:
    if seconds < 60:
        return t("auth.wait_second", lang) if seconds == 1 else t("auth.wait_seconds", lang, n=seconds)
    minutes = math.ceil(seconds / 60)
    return t("auth.wait_minute", lang) if minutes == 1 else t("auth.wait_minutes", lang, n=minutes)


def safe_next(target: str | None) -> str | None:
    """A local path to return to after signing in; anything else (other hosts, ``//host``,
    backslashes, control characters) is dropped."""
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(c) < 32 for c in target) or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def home_for(principal: policy.Principal | None) -> str:
    if principal is None:
        return "/signin"
    paths = {p.get("path") for p in dash.page_registry.values()} | {"/account"}
    for path in policy.HOME.get(principal.role, ("/account",)):
        if path in paths:
            return path
    return "/account"


def _allowed_next(principal: policy.Principal, target: str | None) -> str:
    from auth.guard import page_template_of_path

    target = safe_next(target)
    if target and not target.startswith(("/signin", "/signout")):
        path = target.split("?", 1)[0]
        template = page_template_of_path(path)
        roles = policy.page_roles(template) if template or not path.startswith(("/admin", "/account")) else \
            policy.route_roles(path) or policy.ADMINS
        if policy.may(principal, roles):
            return target
    return home_for(principal)


def render_page(template: str, status: int = 200, **context: Any) -> Response:
    lang = context.pop("lang", None) or _lang()
    from auth.shell_parts import ADMIN_PAGES

    name = template if "/" in template else f"auth/{template}"  # another blueprint's template: its folder/name
    body = render_template(name, lang=lang, t=t, csrf_token=security.csrf_token(),
                           principal=current_principal(), admin_pages=ADMIN_PAGES,
                           dataset_note=_dataset_note(lang), **context)
    return Response(body, status=status, mimetype="text/html")


def _dataset_note(lang: str) -> str:
    """The footer's note on the data set the warehouse holds; none while it cannot be read (the
    sign-in page still opens during an outage)."""
    from data_access.catalogue import dataset

    try:
        return dataset_mark(dataset(), lang)[1]
    except SQLAlchemyError:
        return ""


def _csrf_or_400() -> None:
    if not security.csrf_valid(request.form.get(security.CSRF_FIELD)) or not security.same_origin():
        abort(400, description="CSRF")


# -- sign-in / sign-out -----------------------------------------------------------------------------


@bp.route("/signin", methods=["GET", "POST"])
def signin() -> ResponseReturnValue:
    lang = _lang()
    nxt = safe_next(request.values.get("next")) or ""
    if request.method == "GET":
        principal = current_principal()
        notice = t("auth.expired", lang) if request.args.get("expired") else None
        return render_page("signin.html", next=nxt, error=None, notice=notice, username="")
    _csrf_or_400()
    username = (request.form.get("username") or "").strip()[:64]
    password = request.form.get("password") or ""
    ip = request.remote_addr
    eng = engine()
    device_token = request.cookies.get(device_cookie_name())
    client = throttle.client_for(eng, username, ip, device_token)
    actor = client.username or "?"
    pause = throttle.wait(eng, client)
    if pause is not None:  # the password is not even checked: the answer says nothing about it
        seconds = max(1, math.ceil(pause.total_seconds()))
        audit.write(eng, "signin.delayed", actor=actor, ip=ip,
                    detail={"wait_seconds": seconds, "known_device": client.known_device})
        res = render_page("signin.html", 429, next=nxt, username=username, notice=None,
                          error=t("auth.throttled", lang, wait=_wait_words(seconds, lang)))
        res.headers["Retry-After"] = str(seconds)
        return res
    with eng.connect() as conn:
        user = check_credentials(conn, username, password)
        demo_blocked = (user is not None and current_app.config["SETTINGS"].app_env == "production"
                        and user.demo and has_demo_password(conn, user.username))
    if user is None or demo_blocked:
        alerts = throttle.record_failure(eng, client, _limits())
        audit.write(eng, "signin.fail", actor=actor, ip=ip, detail={"known_device": client.known_device})
        for alert in alerts:
            _alert(eng, alert, actor=actor, ip=ip, known_device=client.known_device)
        return render_page("signin.html", 401, next=nxt, username=username, notice=None, error=t("auth.bad_credentials", lang))
    throttle.record_success(eng, client)
    device = throttle.remember_device(eng, user.id, client) or device_token
    old = request.cookies.get(cookie_name())
    sessions.end(eng, old)  # a new session id at every sign-in (no fixation)
    token = sessions.open_session(eng, user.id, ip=ip, user_agent=request.headers.get("User-Agent"))
    with eng.begin() as conn:
        mark_signed_in(conn, user.id)
        audit.record(conn, "signin.ok", actor=user.username, role=user.role, ip=ip,
                     detail={"known_device": client.known_device})
    principal = policy.Principal(kind="user", role=user.role, name=user.username, unit_code=user.unit_code,
                                 confidential=user.confidential, user_id=user.id)
    target = _allowed_next(principal, nxt)
    if lang == "en" and "lang=" not in target:
        target += ("&" if "?" in target else "?") + "lang=en"
    res = redirect(target, code=303)
    _set_session_cookie(res, token)
    st = current_app.config["SETTINGS"]
    res.set_cookie(device_cookie_name(), device, httponly=True, samesite="Strict", secure=st.app_env == "production",
                   path="/", max_age=int(throttle.DEVICE_LIFETIME.total_seconds()))
    return res


def _alert(eng, alert: throttle.Alert, *, actor: str, ip: str | None, known_device: bool) -> None:
    """``signin.throttled``: a key has just started to impose waits (once per streak of failures)."""
    target = alert.address if alert.scope == "address" else alert.username
    detail = {"scope": alert.scope, "failures": alert.failures, "wait_seconds": int(alert.wait.total_seconds()),
              "known_device": known_device}
    log.warning("sign-in throttled: %s %s after %d failures (attempt as %s from %s)", alert.scope, target,
                alert.failures, actor, ip)
    audit.write(eng, "signin.throttled", actor=actor, target=target, ip=ip, detail=detail)


def _set_session_cookie(res: Response, token: str) -> None:
    st = current_app.config["SETTINGS"]
    res.set_cookie(cookie_name(), token, httponly=True, samesite="Lax", secure=st.app_env == "production",
                   path="/", max_age=int(st.session_max_hours * 3600))


@bp.post("/signout")
def signout() -> ResponseReturnValue:
    _csrf_or_400()
    principal = current_principal()
    eng = engine()
    sessions.end(eng, request.cookies.get(cookie_name()))
    forget_session(request.cookies.get(cookie_name()))
    if principal is not None:
        audit.write(eng, "signout", actor=principal.name, role=principal.role, ip=request.remote_addr)
    res = redirect("/signin" + ("?lang=en" if _lang() == "en" else ""), code=303)
    res.delete_cookie(cookie_name(), path="/")
    return res


# -- the account page -------------------------------------------------------------------------------


@bp.route("/account", methods=["GET"])
def account() -> ResponseReturnValue:
    return render_page("account.html", message=None, error=None, home=home_for(current_principal()))


@bp.post("/account/password")
def change_password() -> ResponseReturnValue:
    _csrf_or_400()
    lang = _lang()
    principal = current_principal()
    eng = engine()
    current = request.form.get("current") or ""
    new, again = request.form.get("new") or "", request.form.get("again") or ""
    with eng.connect() as conn:
        ok = check_credentials(conn, principal.name, current) is not None
    error = None
    if not ok:
        error = t("auth.bad_current", lang)
    elif new != again:
        error = t("auth.mismatch", lang)
    else:
        try:
            set_password(eng, principal.name, new, actor=principal.name, actor_role=principal.role,
                         ip=request.remote_addr)
        except PasswordRuleError as exc:
            error = exc.message_en if lang == "en" else exc.message_vi
    if error:
        return render_page("account.html", 400, message=None, error=error, home=home_for(principal))
    # the password change ended every session, this one included: open a fresh one
    token = sessions.open_session(eng, principal.user_id, ip=request.remote_addr,
                                  user_agent=request.headers.get("User-Agent"))
    res = render_page("account.html", message=t("auth.password_changed", lang), error=None, home=home_for(principal))
    _set_session_cookie(res, token)
    return res


# -- admin: the audit log -----------------------------------------------------------------------------


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()) if text else None
    except ValueError:
        return None


@bp.get("/admin/audit")
def admin_audit() -> ResponseReturnValue:
    args = request.args
    try:
        page = max(1, min(100000, int(args.get("page", "1"))))
    except ValueError:
        page = 1
    query = audit.AuditQuery(actor=(args.get("actor") or "")[:200], action=(args.get("action") or "")[:40],
                             since=_date(args.get("since")), until=_date(args.get("until")),
                             text=(args.get("q") or "")[:200], page=page)
    with engine().connect() as conn:
        entries, total = audit.search(conn, query)
        actions = audit.actions(conn)
    pages = max(1, (total + query.per_page - 1) // query.per_page)

    def page_url(n: int) -> str:
        from urllib.parse import urlencode

        params = {k: v for k, v in args.items() if k != "page" and v}
        params["page"] = str(n)
        return "/admin/audit?" + urlencode(params)

    return render_page("audit.html", entries=entries, total=total, query=query, actions=actions, pages=pages,
                   page_url=page_url)


# -- admin: users ------------------------------------------------------------------------------------


@bp.route("/admin/users", methods=["GET", "POST"])
def admin_users() -> ResponseReturnValue:
    lang = _lang()
    message = error = None
    principal = current_principal()
    if request.method == "POST":
        _csrf_or_400()
        form = request.form
        name = form.get("username") or ""
        kwargs = {"actor": principal.name, "actor_role": principal.role, "ip": request.remote_addr}
        try:
            action = form.get("action")
            if action == "create":
                from auth.users import create_user

                create_user(engine(), name, form.get("password") or "", form.get("role") or "",
                            display_name=form.get("display_name") or "", unit_code=(form.get("unit") or None),
                            confidential=form.get("confidential") == "on", **kwargs)
                message = t("admin.user_created", lang, name=name)
            elif action == "update":
                update_user(engine(), name, role=form.get("role") or None, unit_code=form.get("unit") or None,
                            confidential=form.get("confidential") == "on", active=form.get("active") == "on",
                            email=form.get("email"), **kwargs)
                message = t("admin.user_updated", lang, name=name)
            elif action == "password":
                set_password(engine(), name, form.get("password") or "", **kwargs)
                message = t("admin.user_password", lang, name=name)
            else:
                abort(400)
        except (UserError, PasswordRuleError) as exc:
            error = exc.message_en if lang == "en" else exc.message_vi
    with engine().connect() as conn:
        users = list_users(conn)
    return render_page("users.html", 400 if error else 200, users=users, roles=policy.ROLES, message=message, error=error)


