"""The records' pages: ``/admin/metadata/<kind>`` (the list), ``.../new`` (create),
``.../<key>`` (edit, retire, reactivate), ``.../<key>/replace`` (retire-and-replace) and ``.../<key>/history``.

Every form is a CSRF-protected POST making one call of :mod:`metadata.service` (one transaction
with its audit entry, history and cache stamps); a refused change shows the form again with the
service's reasons beside the fields they name, and nothing written. A change that went through
answers with a redirect to the record's page (``?done=``), so a reload posts nothing twice."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import abort, redirect, request
from flask.typing import ResponseReturnValue

from auth.guard import current_principal, engine
from auth.views import _csrf_or_400, _lang, render_page
from domain.metadata import FIELDS, KINDS, RETIRED
from domain.metadata_messages import Problem
from i18n import t
from metadata import service, store
from metadata_pages import bp, forms

KIND = "<any(groups, units, indicators, regimes, targets):kind>"
DONE = ("created", "updated", "unchanged", "retired", "reactivated", "replaced")
_REFS = {kind: {f.ref for f in FIELDS[kind] if f.ref and f.ref != "areas"} for kind in KINDS}


def actor() -> service.Actor:
    """The signed-in admin, for the service's history and audit (channel ``page``)."""
    p = current_principal()
    return service.Actor(p.name if p else "anonymous", p.role if p else None, request.remote_addr, "page")


def _records(kinds: set[str] | tuple[str, ...]) -> dict[str, dict[str, dict[str, Any]]]:
    with engine().connect() as conn:
        return store.read_config(conn, kinds)


def _areas(lang: str) -> list[tuple[str, str]]:
    from data_access.catalogue import area_map

    return [(a.key, a.name(lang)) for a in area_map().values()]


def _one(kind: str, lang: str) -> str:
    return t(f"meta.one.{kind}", lang)


def _page(template: str, kind: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    return render_page(f"metadata_pages/{template}", status, kind=kind, kinds=forms.KINDS_SHOWN, forms=forms,
                       **context)


# -- the list ---------------------------------------------------------------------------------------


def _int(text: str | None, default: int) -> int:
    try:
        return int((text or "").strip()[:9])
    except ValueError:
        return default


@bp.get(f"/admin/metadata/{KIND}")
def records_list(kind: str) -> ResponseReturnValue:
    lang = _lang()
    args = request.args
    config = _records({kind, *_REFS[kind]})
    records = config[kind]
    query = (args.get("q") or "")[:200]
    filters = {name: (args.get(name) or "")[:60] for name in forms.FILTERS[kind]}
    sort = (args.get("sort") or "")[:40]
    found = forms.listing(kind, records, query=query, filters=filters, sort=sort, page=_int(args.get("page"), 1),
                          lang=lang)
    names: dict[str, dict[str, str]] = {ref: {code: r["name_en" if lang == "en" else "name_vi"]
                                              for code, r in config[ref].items()} for ref in _REFS[kind]}
    names["areas"] = dict(_areas(lang))
    choices = {name: forms.filter_choices(kind, name, records, lang, names) for name in forms.FILTERS[kind]}
    state = {"q": query, **filters, "sort": sort, "lang": "en" if lang == "en" else ""}

    def url(**changes: Any) -> str:
        params = {k: v for k, v in {**state, **changes}.items() if v not in ("", None, 1)}
        return f"/admin/metadata/{kind}" + ("?" + urlencode(params) if params else "")

    return _page("list.html", kind, found=found, query=query, filters=filters, choices=choices, url=url, names=names,
                 columns=forms.COLUMNS[kind], message=None, error=None)


# -- create, edit, retire, replace --------------------------------------------------------------------


def _form_page(kind: str, mode: str, values: dict[str, Any], *, key: str | None = None, status: int = 200,
               problems: list[Problem] | None = None, message: str | None = None) -> ResponseReturnValue:
    lang = _lang()
    config = _records(_REFS[kind] | ({"indicators"} if kind == "targets" else set()))
    picks = forms.choices(config, _areas(lang), lang)
    shown_key = key if mode == "edit" else forms.form_key(kind, values)
    mine, others = forms.split_problems(kind, shown_key, problems or [])
    controls = forms.controls(kind, values, picks, lang, problems=mine, key_fixed=mode == "edit")
    error = t("meta.refused", lang, n=len(problems)) if problems else None
    return _page("form.html", kind, status, mode=mode, key=key, controls=controls, others=others, message=message,
                 error=error, retired=values.get("status") == RETIRED, one=_one(kind, lang))


def _done(kind: str, key: str, what: str) -> ResponseReturnValue:
    suffix = "&lang=en" if _lang() == "en" else ""
    return redirect(forms.record_url(kind, key) + f"?done={what}{suffix}", code=303)


def _stored(kind: str, key: str) -> dict[str, Any]:
    record = _records((kind,))[kind].get(key)
    if record is None:
        abort(404)
    return record


@bp.route(f"/admin/metadata/{KIND}/new", methods=["GET", "POST"])
def record_new(kind: str) -> ResponseReturnValue:
    if request.method == "GET":
        return _form_page(kind, "new", {})
    _csrf_or_400()
    row = forms.row_from_form(kind, request.form)
    outcome = service.create(engine(), kind, row, actor=actor())
    if not outcome.ok:
        return _form_page(kind, "new", row, status=400, problems=outcome.problems)
    added = outcome.diff.added[kind]
    return _done(kind, added[0] if added else forms.form_key(kind, row), "created")


@bp.route(f"/admin/metadata/{KIND}/<key>", methods=["GET", "POST"])
def record_edit(kind: str, key: str) -> ResponseReturnValue:
    lang = _lang()
    stored = _stored(kind, key)
    if request.method == "GET":
        done = request.args.get("done")
        message = t(f"meta.done.{done}", lang, what=_one(kind, lang), code=key) if done in DONE else None
        return _form_page(kind, "edit", stored, key=key, message=message)
    _csrf_or_400()
    action = request.form.get("action")
    if action in ("retire", "reactivate"):
        change = service.retire if action == "retire" else service.reactivate
        outcome = change(engine(), kind, key, actor=actor())
        if not outcome.ok:
            return _form_page(kind, "edit", stored, key=key, status=400, problems=outcome.problems)
        return _done(kind, key, f"{action}d" if outcome.applied else "unchanged")
    if action != "update":
        abort(400)
    row = forms.row_from_form(kind, request.form)
    outcome = service.update(engine(), kind, key, row, actor=actor())
    if not outcome.ok:
        return _form_page(kind, "edit", row, key=key, status=400, problems=outcome.problems)
    return _done(kind, key, "updated" if outcome.applied else "unchanged")


@bp.route(f"/admin/metadata/{KIND}/<key>/replace", methods=["GET", "POST"])
def record_replace(kind: str, key: str) -> ResponseReturnValue:
    stored = _stored(kind, key)
    if request.method == "GET":
        blank = ("indicator", "area", "year") if kind == "targets" else ("code",)
        return _form_page(kind, "replace", {**stored, **dict.fromkeys(blank, ""), "status": "active"}, key=key)
    _csrf_or_400()
    row = forms.row_from_form(kind, request.form)
    outcome = service.replace(engine(), kind, key, row, actor=actor())
    if not outcome.ok:
        return _form_page(kind, "replace", row, key=key, status=400, problems=outcome.problems)
    return _done(kind, forms.form_key(kind, row), "replaced")


# -- the history --------------------------------------------------------------------------------------


@bp.get(f"/admin/metadata/{KIND}/<key>/history")
def record_history(kind: str, key: str) -> ResponseReturnValue:
    lang = _lang()
    stored = _stored(kind, key)
    versions = [{**v, "changes": forms.field_diff(kind, v["before"], v["after"], lang)}
                for v in reversed(service.history(engine(), kind, key))]
    return _page("history.html", kind, key=key, record=stored, versions=versions, one=_one(kind, lang),
                 message=None, error=None)
