"""Reads of the alerts (the notification centre, the bell, the wall's ticker) and of the rules and
webhooks (their admin page). Alerts of confidential indicators reach only a viewer with the
clearance (``current_clearance()`` ``all`` or ``admin``); the wall reads as ``public``.

The alerts and rules are memoized under the ``alerts`` stamp, which the intake and the scheduled
evaluation stamp when they raise an alert, and an acknowledgement or a rule's change when they make
one; the webhooks' page and the delivery log (admins, rarely) are read afresh.

Alert columns: id, kind, severity, period, value, reference, detail (JSON text), raised_at,
acknowledged_at, acknowledged_by, confidential, rule_id, rule_name, indicator_code, indicator_name_vi,
indicator_name_en, unit_vi, unit_en, decimals, area_key, area_name_vi, area_name_en, agency_code,
agency_name_vi, agency_name_en, regime_name_vi, regime_name_en.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Select, func, select

from data_access import schema
from data_access.cache.memo import cached_query
from data_access.cache.scopes import current_clearance
from data_access.engine import current_connection, rows_of

ALERTS_SCOPE = "alerts"
CLEARED = frozenset({"all", "admin"})


def _alerts_scope(*_args: Any, **_kwargs: Any) -> tuple[str, ...]:
    return (ALERTS_SCOPE,)


def _visible(clearance: str) -> list[Any]:
    return [] if clearance in CLEARED else [schema.alert.c.confidential.is_(False)]


@cached_query(scopes=_alerts_scope)
def unread_count() -> int:
    """Alerts not yet acknowledged that the viewer may see."""
    a = schema.alert
    q = select(func.count()).select_from(a).where(a.c.acknowledged_at.is_(None), *_visible(current_clearance()))
    return int(current_connection().execute(q).scalar() or 0)


def alert_select() -> Select[Any]:
    """Alerts with their rule's name and regime, indicator, area and unit: the module's alert
    columns plus occurrence_key, rule_id, agency_code and regime_code (for :func:`alert_list` and a
    webhook's body)."""
    a, r, i, ar, ag = schema.alert, schema.alert_rule, schema.indicator, schema.area, schema.agency
    rg = schema.report_regime
    return (select(a.c.id, a.c.occurrence_key, a.c.kind, a.c.severity, a.c.period, a.c.value, a.c.reference,
                   a.c.detail, a.c.raised_at, a.c.acknowledged_at, a.c.acknowledged_by, a.c.confidential, a.c.rule_id,
                   r.c.name.label("rule_name"), i.c.code.label("indicator_code"),
                   i.c.name_vi.label("indicator_name_vi"), i.c.name_en.label("indicator_name_en"), i.c.unit_vi,
                   i.c.unit_en, i.c.decimals, ar.c.key.label("area_key"), ar.c.name_vi.label("area_name_vi"),
                   ar.c.name_en.label("area_name_en"), ag.c.code.label("agency_code"),
                   ag.c.name_vi.label("agency_name_vi"), ag.c.name_en.label("agency_name_en"),
                   rg.c.code.label("regime_code"), rg.c.name_vi.label("regime_name_vi"),
                   rg.c.name_en.label("regime_name_en"))
            .select_from(a.join(r, r.c.id == a.c.rule_id).outerjoin(i, i.c.id == a.c.indicator_id)
                         .outerjoin(ar, ar.c.id == a.c.area_id).outerjoin(ag, ag.c.id == a.c.agency_id)
                         .outerjoin(rg, rg.c.id == r.c.regime_id)))


@cached_query(scopes=_alerts_scope)
def alert_list(*, open_only: bool = False, since: datetime | None = None, limit: int = 200) -> pd.DataFrame:
    """The latest alerts the viewer may see, newest first (``open_only``: not acknowledged;
    ``since``: raised from then); the columns of :func:`alert_select`."""
    a = schema.alert
    where = _visible(current_clearance())
    if open_only:
        where.append(a.c.acknowledged_at.is_(None))
    if since is not None:
        where.append(a.c.raised_at >= since)
    q = alert_select().where(*where).order_by(a.c.raised_at.desc(), a.c.id.desc()).limit(limit)
    return pd.DataFrame(current_connection().execute(q).mappings().all(), columns=list(q.selected_columns.keys()))


@cached_query(scopes=_alerts_scope)
def rules_frame() -> pd.DataFrame:
    """Every rule with its indicator's code, area's key and regime's code, by id: id, name, kind,
    indicator_code, area_key, regime_code, comparison, threshold, percent, days, severity, recipients,
    webhooks, active, created_by, updated_at."""
    r, i, ar, rg = schema.alert_rule, schema.indicator, schema.area, schema.report_regime
    q = (select(r.c.id, r.c.name, r.c.kind, i.c.code.label("indicator_code"), ar.c.key.label("area_key"),
                rg.c.code.label("regime_code"), r.c.comparison, r.c.threshold, r.c.percent, r.c.days, r.c.severity,
                r.c.recipients, r.c.webhooks, r.c.active, r.c.created_by, r.c.updated_at)
         .select_from(r.outerjoin(i, i.c.id == r.c.indicator_id).outerjoin(ar, ar.c.id == r.c.area_id)
                      .outerjoin(rg, rg.c.id == r.c.regime_id))
         .order_by(r.c.id))
    return pd.DataFrame(current_connection().execute(q).mappings().all(), columns=list(q.selected_columns.keys()))


def webhooks_frame() -> pd.DataFrame:
    """The webhooks (never their secrets) with their deliveries' counts: id, name, url,
    confidential, active, sent, pending, failed."""
    w, d = schema.webhook, schema.alert_delivery
    counts = (select(d.c.target, d.c.state, func.count().label("n")).where(d.c.channel == "webhook")
              .group_by(d.c.target, d.c.state)).subquery()
    rows = current_connection().execute(select(w.c.id, w.c.name, w.c.url, w.c.confidential, w.c.active)
                                        .order_by(w.c.id)).mappings().all()
    tally: dict[tuple[str, str], int] = {(str(t), str(s)): int(n) for t, s, n
                                         in rows_of(current_connection().execute(select(counts)))}
    return pd.DataFrame([{**row, **{s: tally.get((str(row["id"]), s), 0) for s in ("sent", "pending", "failed")}}
                         for row in rows],
                        columns=["id", "name", "url", "confidential", "active", "sent", "pending", "failed"])


def delivery_log(limit: int = 100) -> pd.DataFrame:
    """The latest deliveries of every channel, newest first: id, alert_id, channel, target, state,
    attempts, next_attempt_at, last_error, response_status, sent_at."""
    d = schema.alert_delivery
    q = select(d.c.id, d.c.alert_id, d.c.channel, d.c.target, d.c.state, d.c.attempts, d.c.next_attempt_at,
               d.c.last_error, d.c.response_status, d.c.sent_at).order_by(d.c.id.desc()).limit(limit)
    return pd.DataFrame(current_connection().execute(q).mappings().all(), columns=list(q.selected_columns.keys()))
