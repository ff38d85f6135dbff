"""The admin pages of tokens (``/admin/tokens``) and of the units' saved mappings of names to codes
(``/admin/mappings``): plain Flask views on the ``auth`` blueprint, like ``/admin/users``. The guard
lets admins only in (``policy.ROUTES["/admin"]``); every form is a CSRF-protected POST and every
change goes to the audit log (:mod:`auth.admin`). The former pages of units (``/admin/units``) and
of the catalogue (``/admin/catalogue``) redirect to the configuration's pages
(``/admin/metadata/...``), which change them through :mod:`metadata.service`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar
from urllib.parse import urlencode

from flask import Response, abort, g, redirect, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from auth import admin
from auth.admin import Actor, AdminError
from auth.credentials import credential_state
from auth.displays import list_display_tokens
from auth.guard import current_principal, engine
from auth.tokens import list_tokens
from auth.views import _csrf_or_400, _lang, bp, render_page
from i18n import t

T = TypeVar("T")


def _actor() -> Actor:
    p = current_principal()
    return Actor(name=p.name if p else "anonymous", role=p.role if p else None, ip=request.remote_addr)


def _error_text(exc: AdminError, lang: str) -> str:
    return exc.message_en if lang == "en" else exc.message_vi


def _self_url(path: str, keys: tuple[str, ...]) -> str:
    """This page with its current filters (forms post back to it, the answer keeps the filters)."""
    params = {k: request.args.get(k, "") for k in keys} | {"lang": "en" if _lang() == "en" else ""}
    params = {k: v[:200] for k, v in params.items() if v}
    return path + ("?" + urlencode(params) if params else "")


def _fresh_reads() -> None:
    """After a change in this request, read the new data version (and a new snapshot) for the answer."""
    from data_access.engine import release_connection

    g.pop("occ_data_version", None)
    release_connection()


def _posted(lang: str, change: Callable[[MultiDict[str, str], Actor], T]) -> tuple[T | None, str | None]:
    """A form posted to an admin page: the CSRF token checked, then ``change(form, actor)`` makes
    the change and says what to show (a notice, or a whole answer); an :class:`AdminError` is the
    page's error instead. Then the answer reads fresh data. ``(None, None)`` on a GET."""
    if request.method != "POST":
        return None, None
    _csrf_or_400()
    try:
        outcome, error = change(request.form, _actor()), None
    except AdminError as exc:
        outcome, error = None, _error_text(exc, lang)
    _fresh_reads()
    return outcome, error


# -- the former pages of units and of the catalogue ----------------------------------------------------
# Units and indicators are changed on the configuration's pages only (``metadata_pages``, one
# write path: :mod:`metadata.service`). The old addresses answer a GET with a redirect there,
# their filters carried over where they have a counterpart; a POST is refused (405: GET only).

# old address → (new address, old query parameter → {old value or "" (any) → (new parameter, new value)})
_MOVED: dict[str, tuple[str, dict[str, dict[str, tuple[str, str]]]]] = {
    "/admin/units": ("/admin/metadata/units", {
        "q": {"": ("q", "")},
        "state": {"active": ("status", "active"), "inactive": ("status", "retired")},
    }),
    "/admin/catalogue": ("/admin/metadata/indicators", {
        "q": {"": ("q", "")},
        "group": {"": ("group", "")},
        "access": {"confidential": ("confidential", "true"), "public": ("confidential", "false")},
    }),
}


def moved_url(path: str, args: MultiDict[str, str]) -> str:
    """Where the former page ``path`` with the query ``args`` now is (with ``lang=en`` kept)."""
    target, mapping = _MOVED[path]
    params: dict[str, str] = {}
    for old, values in mapping.items():
        value = (args.get(old) or "").strip()[:200]
        if not value:
            continue
        if "" in values:  # passed on as it is
            params[values[""][0]] = value
        elif value in values:
            params[values[value][0]] = values[value][1]
    if _lang() == "en":
        params["lang"] = "en"
    return target + ("?" + urlencode(params) if params else "")


@bp.get("/admin/units")
def admin_units() -> ResponseReturnValue:
    return redirect(moved_url("/admin/units", request.args), code=303)


@bp.get("/admin/catalogue")
def admin_catalogue() -> ResponseReturnValue:
    return redirect(moved_url("/admin/catalogue", request.args), code=303)


# -- tokens ---------------------------------------------------------------------------------------------


def _token_id(text: str | None) -> int:
    try:
        return int(text or "")
    except ValueError:
        abort(400)


@bp.route("/admin/tokens", methods=["GET", "POST"])
def admin_tokens() -> ResponseReturnValue:
    lang = _lang()

    def change(form: MultiDict[str, str], actor: Actor) -> str | Response:
        eng, action = engine(), form.get("action")
        if action == "create_api":
            days = admin.token_days(form.get("days"), 365)
            token, info = admin.create_api_token(eng, form.get("unit") or "", label=form.get("label") or "",
                                                 days=days, actor=actor)
            return render_page("token_created.html", kind="api", token=token, token_id=info.id,
                               unit=info.unit_code, label=info.label, expires_at=info.expires_at)
        if action == "create_display":
            days = admin.token_days(form.get("days"), None)
            token_id, token = admin.create_wall_token(eng, label=form.get("label") or "", days=days, actor=actor)
            wall_url = request.host_url.rstrip("/") + "/wall?" + urlencode({"token": token})
            return render_page("token_created.html", kind="display", token=token, token_id=token_id,
                               label=(form.get("label") or "").strip(), wall_url=wall_url, expires_at=None)
        if action in ("revoke_api", "revoke_display"):
            token_id = _token_id(form.get("id"))
            revoke = admin.revoke_api_token if action == "revoke_api" else admin.revoke_wall_token
            revoke(eng, token_id, actor=actor)
            return t("admin.token_revoked", lang, id=token_id)
        abort(400)

    message, error = _posted(lang, change)
    if isinstance(message, Response):  # a token was created: its secret, shown once
        return message
    eng = engine()
    now = datetime.now()
    api_tokens = list_tokens(eng)
    walls = list_display_tokens(eng)
    with eng.connect() as conn:
        units = [u for u in admin.list_units(conn) if u.active]
    return render_page("tokens.html", 400 if error else 200, api_tokens=list(reversed(api_tokens)),
                       walls=list(reversed(walls)), units=units, now=now, state=credential_state,
                       message=message, error=error)


# -- units' saved mappings ------------------------------------------------------------------------------


@bp.route("/admin/mappings", methods=["GET", "POST"])
def admin_mappings() -> ResponseReturnValue:
    from data_access.mappings import all_mappings

    lang = _lang()

    def change(form: MultiDict[str, str], actor: Actor) -> str:
        if form.get("action") != "delete":
            abort(400)
        return t("admin.mapping_deleted", lang, name=admin.delete_mapping(engine(), _token_id(form.get("id")),
                                                                          actor=actor))

    message, error = _posted(lang, change)
    unit = (request.args.get("unit") or "").strip().upper()[:40]
    with engine().connect() as conn:
        units = [(u.code, f"{u.code} · {u.name(lang)}") for u in admin.list_units(conn)]
        mappings = all_mappings(conn, unit if unit in dict(units) else "")
    return render_page("mappings.html", 400 if error else 200, mappings=mappings, units=units, unit=unit,
                       message=message, error=error, self_url=_self_url("/admin/mappings", ("unit",)))
