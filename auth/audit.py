"""The audit log (``audit_log``): who did what, when, from where. Append-only: this module only
inserts, and database triggers (migration 0004) refuse UPDATE and DELETE whoever connects.

Actions written: ``signin.ok``, ``signin.fail``, ``signin.delayed`` (an attempt refused unchecked
while its client must wait), ``signin.throttled`` (an alert: a pair, a user name or an address has
just started to impose waits; also a warning in the application log), ``signin.unlock`` (the
``unlock-user`` command), ``signout``, ``session.expired``,
``user.create``, ``user.update``, ``user.password``, ``token.create``, ``token.revoke``,
``display_token.create``, ``display_token.revoke`` (command line and ``/admin/tokens``),
``mapping.save`` (a unit's mapping of names to codes saved on the upload page), ``mapping.delete``
(``/admin/mappings``), ``metadata.import``, ``metadata.create``, ``metadata.update``, ``metadata.retire``,
``metadata.reactivate``, ``metadata.replace`` (the configuration, :mod:`metadata.service`: before
and after of each record; a unit's deactivation is its retirement, an indicator's confidentiality
or responsible agency an update), ``export``, ``access.denied``,
``submission.accepted`` / ``submission.rejected`` (by a database trigger on ``submission``, every
channel but the demo seed and the benchmark), and whatever other admin actions call :func:`record`.
Older logs also hold ``unit.create`` / ``.update`` / ``.deactivate`` / ``.activate`` and
``indicator.update``, written by the former pages ``/admin/units`` and ``/admin/catalogue``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection, Engine

from auth import clock
from auth.redact import redact_value
from data_access import schema

log = logging.getLogger(__name__)
a = schema.audit_log


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    role: str | None
    action: str
    target: str | None
    detail: str | None
    ip: str | None

    @property
    def detail_dict(self) -> dict:
        try:
            value = json.loads(self.detail) if self.detail else {}
        except ValueError:
            return {"text": self.detail}
        return value if isinstance(value, dict) else {"value": value}


def record(conn: Connection, action: str, *, actor: str, role: str | None = None, target: str | None = None,
           detail: dict | None = None, ip: str | None = None, at: datetime | None = None) -> None:
    """Append one entry inside the caller's transaction (secrets in the target or the details,
    such as a token in an address, are redacted first)."""
    target, detail = redact_value(target), redact_value(detail)
    conn.execute(a.insert().values(
        at=at or clock.now(), actor=(actor or "")[:200], role=role, action=action[:40],
        target=(target or None) and str(target)[:500],
        detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None, ip=(ip or None) and ip[:64]))


def write(engine: Engine, action: str, **kwargs: Any) -> None:
    """Append one entry in a transaction of its own. A failure is logged, never raised: an audit
    outage must not take the product down, and the log line keeps the entry."""
    try:
        with engine.begin() as conn:
            record(conn, action, **kwargs)
    except Exception:  # noqa: BLE001
        log.exception("audit log write failed: %s %s", action, kwargs)


def record_request(action: str, *, target: str | None = None, detail: dict | None = None) -> None:
    """Append an entry for the current request's principal and address (for views, pages, exports)."""
    from flask import g, request

    from data_access.engine import current_warehouse

    principal = getattr(g, "occ_principal", None)
    write(current_warehouse().engine, action, actor=principal.name if principal else "anonymous",
          role=principal.role if principal else None, target=target, detail=detail, ip=request.remote_addr)


@dataclass(frozen=True)
class AuditQuery:
    actor: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None
    text: str = ""
    page: int = 1
    per_page: int = 50


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(conn: Connection, q: AuditQuery) -> tuple[list[AuditEntry], int]:
    """Entries matching ``q``, newest first, one page; and the total count. ``actor`` matches the
    actor exactly (case-insensitive) or as a prefix; ``action`` a prefix (``signin`` finds
    ``signin.ok`` and ``signin.fail``); ``text`` anywhere in target, detail or actor."""
    conds = []
    if q.actor.strip():
        conds.append(func.lower(a.c.actor).like(_escape_like(q.actor.strip().lower()) + "%", escape="\\"))
    if q.action.strip():
        conds.append(a.c.action.like(_escape_like(q.action.strip()) + "%", escape="\\"))
    if q.since:
        conds.append(a.c.at >= datetime.combine(q.since, datetime.min.time()))
    if q.until:
        conds.append(a.c.at < datetime.combine(q.until + timedelta(days=1), datetime.min.time()))
    if q.text.strip():
        like = "%" + _escape_like(q.text.strip().lower()) + "%"
        conds.append(or_(func.lower(a.c.target).like(like, escape="\\"), func.lower(a.c.detail).like(like, escape="\\"),
                         func.lower(a.c.actor).like(like, escape="\\"), func.lower(a.c.ip).like(like, escape="\\")))
    total = int(conn.execute(select(func.count()).select_from(a).where(*conds)).scalar() or 0)
    page = max(1, q.page)
    rows = conn.execute(select(a).where(*conds).order_by(a.c.id.desc())
                        .limit(q.per_page).offset((page - 1) * q.per_page)).all()
    return [AuditEntry(**r._mapping) for r in rows], total


def actions(conn: Connection) -> list[str]:
    """The distinct actions in the log (for the search form)."""
    return [r[0] for r in conn.execute(select(a.c.action).distinct().order_by(a.c.action))]
