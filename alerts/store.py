"""The writes of the alerts: rules and webhooks (created, changed, switched off; every change in the
audit log), the alerts raised (one per occurrence: the unique ``occurrence_key`` makes a second
insert of the same occurrence do nothing) with their deliveries queued, and acknowledgements."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from alerts.webhook_keys import new_secret
from auth import audit
from data_access import schema
from data_access.alerts import ALERTS_SCOPE
from data_access.engine import bump_data_version
from domain.alerts import Occurrence, Rule, rule_problems

r_ = schema.alert_rule
a_ = schema.alert
w_ = schema.webhook
d_ = schema.alert_delivery

RULE_FIELDS = ("name", "kind", "indicator_id", "area_id", "regime_id", "comparison", "threshold", "percent", "days",
               "severity", "recipients", "webhooks", "active")


@dataclass(frozen=True)
class Actor:
    name: str
    role: str | None
    ip: str | None = None


class RuleError(ValueError):
    """A rule's fields are not valid: ``problems`` are message keys."""

    def __init__(self, problems: list[str]):
        super().__init__(", ".join(problems))
        self.problems = problems


def active_rules(conn: Connection) -> list[Rule]:
    rows = conn.execute(select(r_.c.id, r_.c.kind, r_.c.indicator_id, r_.c.area_id, r_.c.regime_id, r_.c.comparison,
                               r_.c.threshold, r_.c.percent, r_.c.days, r_.c.severity)
                        .where(r_.c.active.is_(True)).order_by(r_.c.id)).all()
    return [Rule(**r._asdict()) for r in rows]


def _check(values: dict[str, Any]) -> None:
    problems = rule_problems(values["kind"], indicator_id=values.get("indicator_id"),
                             comparison=values.get("comparison"), threshold=values.get("threshold"),
                             percent=values.get("percent"), days=values.get("days"),
                             severity=values.get("severity", "warning"))
    if not (values.get("name") or "").strip():
        problems.append("alerts.err.name")
    if problems:
        raise RuleError(problems)


def _rule_record(conn: Connection, rule_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(*(r_.c[f] for f in RULE_FIELDS)).where(r_.c.id == rule_id)).first()
    return dict(row._mapping) if row else None


def save_rule(conn: Connection, values: dict[str, Any], actor: Actor, now: datetime, rule_id: int | None = None
              ) -> int:
    """Create (``rule_id`` None) or change a rule after checking it; audited (``alert_rule.create`` /
    ``alert_rule.update`` with before and after). Raises :class:`RuleError`, or KeyError for an
    unknown ``rule_id``."""
    values = {f: values.get(f) for f in RULE_FIELDS if f in values}
    values.setdefault("active", True)
    values.setdefault("webhooks", False)
    values["recipients"] = values.get("recipients") or ""
    _check(values)
    if rule_id is None:
        rule_id = int(conn.execute(r_.insert().values(**values, created_by=actor.name, created_at=now,
                                                      updated_at=now)).inserted_primary_key[0])
        bump_data_version(conn, [ALERTS_SCOPE])
        audit.record(conn, "alert_rule.create", actor=actor.name, role=actor.role, target=f"rule:{rule_id}",
                     detail={"after": values}, ip=actor.ip, at=now)
        return rule_id
    before = _rule_record(conn, rule_id)
    if before is None:
        raise KeyError(rule_id)
    conn.execute(update(r_).where(r_.c.id == rule_id).values(**values, updated_at=now))
    bump_data_version(conn, [ALERTS_SCOPE])
    audit.record(conn, "alert_rule.update", actor=actor.name, role=actor.role, target=f"rule:{rule_id}",
                 detail={"before": before, "after": _rule_record(conn, rule_id)}, ip=actor.ip, at=now)
    return rule_id


def set_rule_active(conn: Connection, rule_id: int, active: bool, actor: Actor, now: datetime) -> None:
    if _rule_record(conn, rule_id) is None:
        raise KeyError(rule_id)
    conn.execute(update(r_).where(r_.c.id == rule_id).values(active=active, updated_at=now))
    bump_data_version(conn, [ALERTS_SCOPE])
    audit.record(conn, "alert_rule.enable" if active else "alert_rule.disable", actor=actor.name, role=actor.role,
                 target=f"rule:{rule_id}", ip=actor.ip, at=now)


def create_webhook(conn: Connection, name: str, url: str, confidential: bool, actor: Actor, now: datetime
                   ) -> tuple[int, str]:
    """A new webhook and its secret (shown once to its creator; the receiver checks the
    ``X-OCC-Signature`` with it; the database keeps only its seed, :mod:`alerts.webhook_keys`);
    audited without the secret."""
    if not name.strip() or not url.startswith(("http://", "https://")):
        raise RuleError(["alerts.err.webhook"])
    stored, secret = new_secret()
    wid = int(conn.execute(w_.insert().values(name=name.strip(), url=url, secret=stored, confidential=confidential,
                                              active=True, created_by=actor.name, created_at=now)
                           ).inserted_primary_key[0])
    audit.record(conn, "webhook.create", actor=actor.name, role=actor.role, target=f"webhook:{wid}",
                 detail={"name": name, "url": url, "confidential": confidential}, ip=actor.ip, at=now)
    return wid, secret


def set_webhook_active(conn: Connection, webhook_id: int, active: bool, actor: Actor, now: datetime) -> None:
    conn.execute(update(w_).where(w_.c.id == webhook_id).values(active=active))
    audit.record(conn, "webhook.enable" if active else "webhook.disable", actor=actor.name, role=actor.role,
                 target=f"webhook:{webhook_id}", ip=actor.ip, at=now)


def acknowledge(conn: Connection, alert_ids: list[int], actor: Actor, now: datetime, *, confidential: bool) -> int:
    """Acknowledge the alerts ``alert_ids`` not yet acknowledged (of confidential indicators only
    when ``confidential``: the actor's clearance); audited. The number acknowledged."""
    where = [a_.c.id.in_(bindparam("ids", expanding=True)), a_.c.acknowledged_at.is_(None)]
    if not confidential:
        where.append(a_.c.confidential.is_(False))
    done = [int(i) for i in conn.execute(update(a_).where(*where).values(acknowledged_at=now, acknowledged_by=actor.name)
                                         .returning(a_.c.id), {"ids": alert_ids}).scalars()]
    if done:
        bump_data_version(conn, [ALERTS_SCOPE])
        audit.record(conn, "alert.acknowledge", actor=actor.name, role=actor.role, target=",".join(map(str, done)),
                     ip=actor.ip, at=now)
    return len(done)


# -- raising ------------------------------------------------------------------------------------------


def _insert(conn: Connection):
    return (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(a_)


# The alerts of one evaluation on PostgreSQL: their rows COPied (CSV) into a temporary table, then one
# INSERT ... SELECT ... ON CONFLICT DO NOTHING. Parameters (arrays or a JSON document) made the server
# parse a statement as large as the rows (0.4-0.5 s for 15,000 alerts); COPY reads them as data.
_ROW_COLUMNS = ("rule_id", "occurrence_key", "kind", "severity", "indicator_id", "area_id", "agency_id", "period",
                "value", "reference", "confidential", "detail")
_STAGE_ROWS = ("CREATE TEMP TABLE alert_rows (rule_id integer, occurrence_key text, kind text, severity text, "
               "indicator_id integer, area_id integer, agency_id integer, period text, value double precision, "
               "reference double precision, confidential boolean, detail text) ON COMMIT DROP")
_INSERT_STAGED = (
    f"INSERT INTO alert ({', '.join(_ROW_COLUMNS)}, submission_id, raised_at) "
    f"SELECT {', '.join(_ROW_COLUMNS)}, CAST(:sid AS bigint), CAST(:now AS timestamp) FROM alert_rows "
    "ON CONFLICT (occurrence_key) DO NOTHING RETURNING id, rule_id, confidential")

_encode = json.JSONEncoder(ensure_ascii=False).encode


def _details_json(details: list[dict[str, Any]]) -> list[str]:
    """Each detail as JSON (``json.dumps(detail, ensure_ascii=False)``), encoded once per distinct
    detail: thousands of alerts share a few dozen."""
    seen: dict[tuple[Any, ...], str] = {}
    out = []
    for detail in details:
        try:
            key = tuple(detail.items())
            found = seen.get(key)
            if found is None:
                found = seen[key] = _encode(detail)
        except TypeError:  # a value that cannot be a key (a list): encoded on its own
            found = _encode(detail)
        out.append(found)
    return out


def _insert_copied(conn: Connection, rows: list[tuple[Any, ...]], submission_id: int | None,
                   now: datetime) -> list[Any]:
    """PostgreSQL: ``rows`` (in :data:`_ROW_COLUMNS`' order) inserted through COPY; what was raised."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)  # None: an unquoted empty field, NULL
    buffer.seek(0)
    conn.exec_driver_sql("DROP TABLE IF EXISTS alert_rows")
    conn.exec_driver_sql(_STAGE_ROWS)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.copy_expert("COPY alert_rows FROM STDIN (FORMAT csv)", buffer)
    finally:
        cursor.close()
    return conn.execute(text(_INSERT_STAGED), {"sid": submission_id, "now": now}).all()


def raise_alerts(conn: Connection, occurrences: list[Occurrence], now: datetime, *,
                 submission_id: int | None = None) -> int:
    """Insert the occurrences not raised before (the others do nothing) and queue their
    deliveries; the number raised."""
    if not occurrences:
        return 0
    ind_ids = sorted({o.indicator_id for o in occurrences if o.indicator_id is not None})
    i = schema.indicator
    secret_ids = set(conn.execute(select(i.c.id).where(i.c.id.in_(bindparam("ids", expanding=True)),
                                                       i.c.confidential.is_(True)), {"ids": ind_ids}).scalars()
                     ) if ind_ids else set()
    unique = list({o.key: o for o in occurrences}.items())
    details = _details_json([o.detail for _, o in unique])
    if conn.dialect.name == "postgresql":  # COPY, then one statement
        raised = _insert_copied(conn, [
            (o.rule.id, key, o.rule.kind, o.rule.severity, o.indicator_id, o.area_id, o.agency_id, o.period, o.value,
             o.reference, o.confidential or o.indicator_id in secret_ids, detail)
            for (key, o), detail in zip(unique, details, strict=True)], submission_id, now)
    else:  # one statement, many rows (SQLAlchemy's "insertmanyvalues": batched VALUES with RETURNING)
        stmt = (_insert(conn).on_conflict_do_nothing(index_elements=["occurrence_key"])
                .returning(a_.c.id, a_.c.rule_id, a_.c.confidential))
        raised = conn.execute(stmt, [
            {"rule_id": o.rule.id, "occurrence_key": key, "kind": o.rule.kind, "severity": o.rule.severity,
             "indicator_id": o.indicator_id, "area_id": o.area_id, "agency_id": o.agency_id, "period": o.period,
             "value": o.value, "reference": o.reference, "confidential": o.confidential or o.indicator_id in secret_ids,
             "detail": detail, "submission_id": submission_id, "raised_at": now}
            for (key, o), detail in zip(unique, details, strict=True)]).all()
    if raised:
        bump_data_version(conn, [ALERTS_SCOPE])  # the bell, the centre and the wall's ticker
        queue_deliveries(conn, [(int(i), int(r), bool(c)) for i, r, c in raised], now)
    return len(raised)


def queue_deliveries(conn: Connection, raised: list[tuple[int, int, bool]], now: datetime) -> None:
    """A pending delivery per (alert, channel, target): the active webhooks of rules that send to
    them (confidential alerts only to webhooks cleared for them) and the rules' recipients (only
    active users; confidential alerts only to those with the clearance)."""
    rule_ids = sorted({r for _, r, _ in raised})
    rules = {r.id: r for r in conn.execute(select(r_.c.id, r_.c.recipients, r_.c.webhooks)
                                           .where(r_.c.id.in_(bindparam("ids", expanding=True))), {"ids": rule_ids})}
    if not any(r.webhooks or recipients(r.recipients) for r in rules.values()):
        return  # no rule among them sends anywhere: nothing to look at per alert
    hooks = conn.execute(select(w_.c.id, w_.c.confidential).where(w_.c.active.is_(True))).all()
    cleared = _cleared_users(conn, {n for r in rules.values() for n in recipients(r.recipients)})
    out = []
    for alert_id, rule_id, confidential in raised:
        rule = rules[rule_id]
        if rule.webhooks:
            out += [{"alert_id": alert_id, "channel": "webhook", "target": str(h.id)} for h in hooks
                    if h.confidential or not confidential]
        out += [{"alert_id": alert_id, "channel": "email", "target": name} for name in recipients(rule.recipients)
                if name in cleared and (cleared[name] or not confidential)]
    if out:
        conn.execute(d_.insert(), [{**d, "state": "pending", "attempts": 0, "next_attempt_at": now} for d in out])


def recipients(text_: str | None) -> list[str]:
    return [n.strip().lower() for n in (text_ or "").split(",") if n.strip()]


def _cleared_users(conn: Connection, names: set[str]) -> dict[str, bool]:
    """Active users among ``names`` → whether they may see confidential indicators."""
    if not names:
        return {}
    u = schema.app_user
    rows = conn.execute(select(u.c.username, u.c.role, u.c.confidential)
                        .where(u.c.username.in_(bindparam("names", expanding=True)), u.c.active.is_(True)),
                        {"names": sorted(names)})
    return {r.username: r.role in ("admin", "leader") or (r.role == "analyst" and bool(r.confidential)) for r in rows}


def escalate(conn: Connection, indicator_ids: list[int], direction_ids: list[int]) -> int:
    """Make confidential the alerts about ``indicator_ids`` (an indicator the catalogue just made
    confidential) and the ``direction`` alerts of ``direction_ids`` (directions that became so), in
    the caller's transaction; the number changed. Never the other way: what was raised as
    confidential stays so."""
    a, r = schema.alert, schema.alert_rule
    ids = set(conn.execute(select(a.c.id).where(a.c.confidential.is_(False), a.c.indicator_id.in_(
        bindparam("ind", expanding=True))), {"ind": indicator_ids or [-1]}).scalars())
    if direction_ids:
        wanted = set(direction_ids)
        rows = conn.execute(select(a.c.id, a.c.detail).join(r, r.c.id == a.c.rule_id)
                            .where(r.c.kind == "direction", a.c.confidential.is_(False)))
        ids |= {i for i, detail in rows if json.loads(detail or "{}").get("direction_id") in wanted}
    if ids:
        conn.execute(update(a).where(a.c.id.in_(bindparam("ids", expanding=True))).values(confidential=True),
                     {"ids": sorted(ids)})
    return len(ids)
