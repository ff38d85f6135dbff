"""Pieces of the app shell that depend on who is signed in: the user menu (name, role, "Đăng
xuất") and the filter that hides navigation entries the role may not open. The server enforces
access anyway (:mod:`auth.guard`); this only keeps the navigation honest."""

from __future__ import annotations

from dash import dcc, html
from flask import current_app, has_request_context, request

from auth import policy, security
from auth.guard import current_principal
from i18n import t
from web.lang import lang_of_url


def _auth_on() -> bool:
    return has_request_context() and current_app.config["SETTINGS"].auth_required


def may_open(page: dict) -> bool:
    """Whether the current viewer may open the registered Dash page ``page``."""
    if not _auth_on():
        return True
    return policy.may(current_principal(), policy.page_roles(page.get("path_template") or page.get("path")))


def may_route(path: str) -> bool:
    """Whether the current viewer may open the Flask page at ``path`` (a link worth showing)."""
    if not _auth_on():
        return True
    p = current_principal()
    return p is not None and p.kind == "user" and policy.may(p, policy.route_roles(path) or policy.ADMINS)


# The admin pages (plain Flask views, admins only), in the order of the navigation.
ADMIN_PAGES = (("/admin/first-run", "admin.first_run"), ("/admin/users", "admin.users"), ("/admin/metadata", "admin.metadata"),
               ("/admin/tokens", "admin.tokens"), ("/admin/mappings", "admin.mappings"), ("/admin/audit", "admin.audit"))


def admin_links(lang: str) -> list:
    p = current_principal() if _auth_on() else None
    if p is None or p.kind != "user" or p.role != policy.ADMIN:
        return []
    suffix = "?lang=en" if lang == "en" else ""
    return [html.A(t(key, lang), href=path + suffix, className="nav-link") for path, key in ADMIN_PAGES]


def _lang_of_page() -> str:
    """The shell's layout is fetched by the page's script: its language is in the page URL (the
    Referer, which ``Referrer-Policy: same-origin`` keeps for this site)."""
    ref = request.referrer or ""
    return lang_of_url(ref)


def user_menu() -> html.Div:
    """The signed-in user's name and role, the account link and the sign-out button (a plain form
    post with the CSRF token); nothing for walls and when access control is off."""
    p = current_principal() if _auth_on() else None
    if p is None or p.kind != "user":
        return html.Div(className="user-menu", hidden=True)
    lang = _lang_of_page()
    suffix = "?lang=en" if lang == "en" else ""
    return html.Div(
        [
            html.A([html.Span(p.display_name or p.name, className="user-name-text"),
                    html.Span(t("auth.role." + p.role, lang), className="user-role")],
                   href="/account" + suffix, className="user-name", title=p.name),
            html.Form(
                [dcc.Input(type="hidden", name=security.CSRF_FIELD, value=security.csrf_token()),
                 dcc.Input(type="hidden", name="lang", value=lang),
                 html.Button(t("auth.signout", lang), type="submit", className="signout")],
                action="/signout", method="POST", className="signout-form"),
        ],
        className="user-menu",
    )
