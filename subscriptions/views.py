"""``/subscriptions``: a user's subscriptions (create, edit, pause, delete) and each one's delivery
log; ``/unsubscribe/<token>``: the e-mail's link (GET confirms, POST unsubscribes; no sign-in).
Plain Flask views with CSRF-protected forms; every change is audited in its transaction."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select, update

from auth.guard import current_principal, engine
from auth.policy import ADMIN, LEADER, Principal
from auth.views import _csrf_or_400, _lang, render_page
from data_access import schema
from domain.schedules import CADENCES, WEEKDAYS
from mail import outbox_dir
from subscriptions import bp, model
from subscriptions.deliver import data_state, read_unsubscribe_token


def _me() -> Principal:
    p = current_principal()
    if p is None or p.user_id is None:
        abort(403)
    return p


def _may_add_others(p: Principal) -> bool:
    return p.role in (ADMIN, LEADER)


def _form_of(values: Any) -> model.Form:
    users = values.getlist("recipient_user")
    langs = values.getlist("recipient_lang")
    recipients = tuple(model.Recipient(u.strip().lower()[:64], (langs[i] if i < len(langs) else "vi")[:2])
                       for i, u in enumerate(users) if u.strip())
    weekday = (values.get("weekday") or "").strip()
    return model.Form(kind=(values.get("kind") or "")[:12], target=(values.get("target") or "")[:60_000],
                      fmt=(values.get("fmt") or "pdf")[:4], lang=(values.get("sub_lang") or "vi")[:2],
                      cadence=(values.get("cadence") or "")[:8], at_time=(values.get("at_time") or "07:00")[:5],
                      weekday=int(weekday) if weekday.isdigit() else None, recipients=recipients)


def _context(p: Principal, **more: Any) -> dict[str, Any]:
    settings = current_app.config["SETTINGS"]
    with engine().connect() as conn:
        email = conn.execute(select(schema.app_user.c.email).where(schema.app_user.c.id == p.user_id)).scalar()
        users = conn.execute(select(schema.app_user.c.username).where(schema.app_user.c.active.is_(True))
                             .order_by(schema.app_user.c.username)).scalars().all() if _may_add_others(p) else []
    return {"kinds": model.KINDS, "formats": model.FORMATS, "cadences": CADENCES, "weekdays": WEEKDAYS,
            "boards": list(model.BOARDS), "email": email or "", "users": users,
            "may_add_others": _may_add_others(p), "smtp": bool(settings.smtp_host),
            "outbox": str(outbox_dir(settings)), **more}


def _owned(sub_id: int, p: Principal) -> model.Subscription:
    with engine().connect() as conn:
        sub = model.get(conn, sub_id)
    if sub is None or (sub.owner_id != p.user_id and p.role != ADMIN):
        abort(404)
    return sub


@bp.get("/subscriptions")
def subscriptions_list() -> ResponseReturnValue:
    p = _me()
    with engine().connect() as conn:
        subs = model.list_for(conn, p.user_id)
    prefill = model.Form(kind=(request.args.get("kind") or "brief")[:12], target=(request.args.get("target") or "")[:60_000])
    return render_page("subscriptions/list.html", subs=subs, form=prefill, message=_done_message(), sub=None,
                       **_context(p))


def _done_message() -> str | None:
    from i18n import t

    done = request.args.get("done")
    return t(f"subs.done.{done}", _lang()) if done in ("created", "updated", "paused", "resumed", "deleted", "email") else None


def _refused(template: str, p: Principal, form: model.Form, key: str, **more: Any) -> ResponseReturnValue:
    from i18n import t

    with engine().connect() as conn:
        subs = model.list_for(conn, p.user_id)
    return render_page(template, 400, subs=subs, form=form, error=t(key, _lang()), **_context(p, **more))


@bp.post("/subscriptions")
def subscriptions_create() -> ResponseReturnValue:
    _csrf_or_400()
    p = _me()
    form = _form_of(request.form)
    try:
        with engine().connect() as conn:
            form = model.check(conn, form, may_add_others=_may_add_others(p), owner=p.name)
    except model.SubscriptionError as exc:
        return _refused("subscriptions/list.html", p, form, exc.key, sub=None)
    sub_id = model.create(engine(), p.user_id or 0, form, actor=p.name, role=p.role, ip=request.remote_addr)
    if form.cadence == "on_data":  # its first delivery is for the next new data, not what is there now
        with engine().begin() as conn:
            sub = model.get(conn, sub_id)
            if sub is not None:
                conn.execute(update(model.S).where(model.S.c.id == sub_id).values(stamp=data_state(conn, sub)))
    return redirect(f"/subscriptions/{sub_id}?lang={_lang()}&done=created", 303)


@bp.get("/subscriptions/<int:sub_id>")
def subscriptions_edit(sub_id: int) -> ResponseReturnValue:
    p = _me()
    sub = _owned(sub_id, p)
    with engine().connect() as conn:
        entries = model.log_of(conn, sub_id)
    form = model.Form(sub.kind, sub.target, sub.fmt, sub.lang, sub.cadence, sub.at_time, sub.weekday, sub.recipients)
    return render_page("subscriptions/edit.html", sub=sub, form=form, entries=entries, message=_done_message(),
                       **_context(p))


@bp.post("/subscriptions/<int:sub_id>")
def subscriptions_update(sub_id: int) -> ResponseReturnValue:
    _csrf_or_400()
    p = _me()
    sub = _owned(sub_id, p)
    form = _form_of(request.form)
    try:
        with engine().connect() as conn:
            form = model.check(conn, form, may_add_others=_may_add_others(p), owner=sub.owner)
    except model.SubscriptionError as exc:
        with engine().connect() as conn:
            entries = model.log_of(conn, sub_id)
        return _refused("subscriptions/edit.html", p, form, exc.key, sub=sub, entries=entries)
    model.change(engine(), sub_id, form, actor=p.name, role=p.role, ip=request.remote_addr)
    return redirect(f"/subscriptions/{sub_id}?lang={_lang()}&done=updated", 303)


@bp.post("/subscriptions/<int:sub_id>/pause")
def subscriptions_pause(sub_id: int) -> ResponseReturnValue:
    _csrf_or_400()
    p = _me()
    sub = _owned(sub_id, p)
    model.set_active(engine(), sub_id, not sub.active, actor=p.name, role=p.role, ip=request.remote_addr)
    return redirect(f"/subscriptions/{sub_id}?lang={_lang()}&done={'resumed' if not sub.active else 'paused'}", 303)


@bp.post("/subscriptions/<int:sub_id>/delete")
def subscriptions_delete(sub_id: int) -> ResponseReturnValue:
    _csrf_or_400()
    p = _me()
    _owned(sub_id, p)
    model.remove(engine(), sub_id, actor=p.name, role=p.role, ip=request.remote_addr)
    return redirect(f"/subscriptions?lang={_lang()}&done=deleted", 303)


@bp.post("/subscriptions/email")
def subscriptions_email() -> ResponseReturnValue:
    """The signed-in user's own e-mail address (where their subscriptions go)."""
    from auth import audit
    from i18n import t

    _csrf_or_400()
    p = _me()
    address = (request.form.get("email") or "").strip()[:254]
    if address and ("@" not in address or any(c.isspace() for c in address) or "," in address):
        return render_page("subscriptions/list.html", 400, subs=[], form=model.Form("brief"), sub=None,
                           error=t("subs.err.email", _lang()), **_context(p))
    with engine().begin() as conn:
        conn.execute(update(schema.app_user).where(schema.app_user.c.id == p.user_id).values(email=address or None))
        audit.record(conn, "user.email", actor=p.name, role=p.role, target=p.name, detail={"email": address},
                     ip=request.remote_addr)
    return redirect(f"/subscriptions?lang={_lang()}&done=email", 303)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> ResponseReturnValue:
    """The e-mail's link: GET shows what it stops and a button; POST stops it. No sign-in."""
    found = read_unsubscribe_token(current_app.config["SECRET_KEY"], token[:500])
    sub = None
    if found is not None:
        with engine().connect() as conn:
            sub = model.get(conn, found[0])
    if found is None or sub is None or (found[1] != sub.owner and found[1] not in {r.user for r in sub.recipients}):
        return render_page("subscriptions/unsubscribe.html", 404, sub=None, done=False, token=token)
    if request.method == "POST":
        _csrf_or_400()
        model.drop_recipient(engine(), sub, found[1], ip=request.remote_addr)
        return render_page("subscriptions/unsubscribe.html", sub=sub, done=True, token=token)
    return render_page("subscriptions/unsubscribe.html", sub=sub, done=False, token=token)
