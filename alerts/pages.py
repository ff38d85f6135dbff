"""The alerts' pages (plain Flask views extending ``auth/base.html`` and the admin macros):

* ``/alerts`` — the notification centre (admins, leaders, analysts): the alerts the viewer may see
  (confidential indicators' only with the clearance), newest first, and "Xác nhận" for one or all;
* ``/alerts/rules`` — the rules (admins and leaders): create, change, switch off and on;
* ``/alerts/webhooks`` — the webhooks and the delivery log (admins): create (its secret shown once),
  switch off and on.

Every form is a CSRF-protected POST making one call of :mod:`alerts.store` in one transaction
with its audit entry; it answers with a redirect (``?done=``), so a reload posts nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from flask import Blueprint, Flask, abort, redirect, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from alerts import store
from alerts.jobs import init_alert_jobs
from alerts.text import alert_text
from auth.guard import current_principal, engine
from auth.views import _csrf_or_400, _lang, render_page
from data_access import schema
from data_access.alerts import CLEARED, alert_list, delivery_log, rules_frame, webhooks_frame
from data_access.cache.scopes import current_clearance
from domain.alerts import COMPARISONS, KINDS, SEVERITIES
from i18n import fmt_datetime, t

CENTRE, RULES, WEBHOOKS = "/alerts", "/alerts/rules", "/alerts/webhooks"

bp = Blueprint("alerts", __name__, template_folder="templates")


def _actor() -> store.Actor:
    p = current_principal()
    return store.Actor(p.name if p else "anonymous", p.role if p else None, request.remote_addr)


def _done(path: str, done: str, **extra: str) -> ResponseReturnValue:
    query = {"done": done, **extra}
    if _lang() == "en":
        query["lang"] = "en"
    return redirect(f"{path}?{urlencode(query)}", code=303)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as dicts, a missing value as None (not NaN or NaT)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


# -- the notification centre ------------------------------------------------------------------------


@bp.route(CENTRE, methods=["GET", "POST"])
def centre() -> ResponseReturnValue:
    lang = _lang()
    open_only = request.values.get("open") == "1"
    if request.method == "POST":
        _csrf_or_400()
        if request.form.get("action") == "ack_all":
            ids = [int(i) for i in alert_list(open_only=True, limit=10_000)["id"]]
        else:
            ids = _ids(request.form.getlist("id"))
        with engine().begin() as conn:
            n = store.acknowledge(conn, ids, _actor(), datetime.now(), confidential=current_clearance() in CLEARED)
        return _done(CENTRE, "ack", n=str(n), **({"open": "1"} if open_only else {}))
    frame = alert_list(open_only=open_only)
    items = [{**row, "text": alert_text(row, lang), "raised": fmt_datetime(row["raised_at"], lang),
              "acked": row["acknowledged_at"] is not None}
             for row in _records(frame)]
    for item in items:
        if item["acked"]:
            item["acked_text"] = t("alerts.acked_by", lang, who=item["acknowledged_by"],
                                   at=fmt_datetime(item["acknowledged_at"], lang))
    message = t("alerts.acked", lang, n=request.args.get("n", "0")) if request.args.get("done") == "ack" else None
    p = current_principal()
    may_manage = p is None or p.role in ("admin", "leader")
    return render_page("alerts/centre.html", items=items, open_only=open_only, message=message,
                       may_manage=may_manage, may_hooks=p is None or p.role == "admin")


# -- the rules ---------------------------------------------------------------------------------------


def _number(text: str | None) -> float | None:
    try:
        return float((text or "").replace(",", ".")) if (text or "").strip() else None
    except ValueError:
        return None


def _ref(table: Any, column: str, value: str | None, problem: str, problems: list[str]) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    with engine().connect() as conn:
        found = conn.execute(select(table.c.id).where(table.c[column] == value)).scalar()
    if found is None:
        problems.append(problem)
    return found


def _rule_values(form: Any) -> tuple[dict[str, Any], list[str]]:
    """The posted rule's fields (codes resolved to ids) and the problems met resolving them."""
    problems: list[str] = []
    kind = form.get("kind", "")
    days = _number(form.get("days"))
    values = {
        "name": (form.get("name") or "").strip()[:200], "kind": kind,
        "indicator_id": _ref(schema.indicator, "code", (form.get("indicator") or "").upper(), "alerts.err.indicator",
                             problems),
        "area_id": _ref(schema.area, "key", form.get("area"), "alerts.err.area", problems),
        "regime_id": _ref(schema.report_regime, "code", form.get("regime"), "alerts.err.regime", problems),
        "comparison": form.get("comparison") or None, "threshold": _number(form.get("threshold")),
        "percent": _number(form.get("percent")), "days": None if days is None else int(days),
        "severity": form.get("severity", "warning"), "recipients": ", ".join(store.recipients(form.get("recipients"))),
        "webhooks": form.get("webhooks") == "1", "active": True,
    }
    if kind not in COMPARISONS:
        values["comparison"] = None
    return values, problems


def _rules_page(status: int = 200, **context: Any) -> ResponseReturnValue:
    return render_page("alerts/rules.html", status, rules=_records(rules_frame()), kinds=KINDS,
                       severities=SEVERITIES, comparisons=COMPARISONS, **context)


@bp.route(RULES, methods=["GET", "POST"])
def rules() -> ResponseReturnValue:
    lang = _lang()
    if request.method == "GET":
        edit = next((r for r in _records(rules_frame()) if str(r["id"]) == request.args.get("edit")), None)
        return _rules_page(form=edit or {}, message=t("alerts.rule_saved", lang) if request.args.get("done") else None)
    _csrf_or_400()
    action = request.form.get("action")
    rule_id = _ids([request.form.get("rule_id", "")])
    now = datetime.now()
    if action in ("enable", "disable") and rule_id:
        try:
            with engine().begin() as conn:
                store.set_rule_active(conn, rule_id[0], action == "enable", _actor(), now)
        except KeyError:
            abort(404)
        return _done(RULES, action)
    if action != "save":
        abort(400)
    values, problems = _rule_values(request.form)
    try:
        if problems:
            raise store.RuleError(problems)
        with engine().begin() as conn:
            store.save_rule(conn, values, _actor(), now, rule_id[0] if rule_id else None)
    except store.RuleError as exc:
        form = {**request.form.to_dict(), "id": rule_id[0] if rule_id else None}
        return _rules_page(400, form=form, error="; ".join(t(p, lang) for p in dict.fromkeys(exc.problems)))
    except KeyError:
        abort(404)
    return _done(RULES, "saved")


# -- the webhooks ------------------------------------------------------------------------------------


@bp.route(WEBHOOKS, methods=["GET", "POST"])
def webhooks() -> ResponseReturnValue:
    lang = _lang()
    message = None
    status = 200
    error = None
    if request.method == "POST":
        _csrf_or_400()
        action = request.form.get("action")
        now = datetime.now()
        if action == "create":
            try:
                with engine().begin() as conn:
                    _, secret = store.create_webhook(conn, request.form.get("name", ""), request.form.get("url", ""),
                                                     request.form.get("confidential") == "1", _actor(), now)
                message = t("alerts.webhook_secret", lang, secret=secret)  # shown once, never redirected with
            except store.RuleError as exc:
                status, error = 400, t(exc.problems[0], lang)
        elif action in ("enable", "disable") and _ids([request.form.get("id", "")]):
            with engine().begin() as conn:
                store.set_webhook_active(conn, int(request.form["id"]), action == "enable", _actor(), now)
            return _done(WEBHOOKS, action)
        else:
            abort(400)
    return render_page("alerts/webhooks.html", status, hooks=_records(webhooks_frame()),
                       log=_records(delivery_log()), message=message, error=error)


def init_alert_pages(server: Flask) -> None:
    """Mount the pages (after :func:`auth.init_auth`: the guard has said who is asking) and register
    the scheduled jobs."""
    server.register_blueprint(bp)
    init_alert_jobs(server)
