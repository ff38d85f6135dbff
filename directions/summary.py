"""The measures' summary (``direction_month``): per month, lead unit and confidentiality, the live
directions (neither draft nor cancelled) issued, ended (``closed_on``) and closed (on time, late,
days late), counted once for every viewer (``named_agency_id`` 0) and once for each unit a
direction names (a unit-bound viewer's view). :func:`data_access.directions.direction_measures`
reads it instead of the directions.

:func:`refresh` recounts one lead unit's rows from its directions; the service calls it in the
transaction of every write that may change them (a create, a change of state, a close), the
migration and the benchmark's build for every unit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, DateTime, case, cast, delete, func, insert, literal, select, text, union_all
from sqlalchemy.engine import Connection

from data_access import schema
from domain import directions as rules

d, du, dm = schema.direction, schema.direction_unit, schema.direction_month
_LOCK_UNIT = 0x0CD2  # pg_advisory_xact_lock(namespace, lead unit): one recount of a unit's rows at a time


def _month(conn: Connection, col: Any) -> Any:
    if conn.dialect.name == "postgresql":
        return cast(func.date_trunc("month", cast(col, DateTime)), Date)  # no time zone
    return func.date(col, "start of month")


def _parts(conn: Connection, lead_agency_id: int | None) -> Any:
    """One row per (direction, unit counted under, month, what happened): issued or ended."""
    live = [d.c.state.notin_((rules.DRAFT, rules.CANCELLED))]
    if lead_agency_id is not None:
        live.append(d.c.lead_agency_id == lead_agency_id)
    closed = d.c.state == rules.CLOSED
    one, zero = literal(1), literal(0)
    parts = []
    for named, source in ((literal(0), d), (du.c.agency_id, d.join(du, du.c.direction_id == d.c.id))):
        parts.append(select(named.label("named"), _month(conn, d.c.issued_on).label("month"), d.c.lead_agency_id,
                            d.c.confidential, one.label("issued"), zero.label("ended"), zero.label("closed"),
                            zero.label("on_time"), zero.label("late"), zero.label("late_days"))
                     .select_from(source).where(*live))
        parts.append(select(named, _month(conn, d.c.closed_on), d.c.lead_agency_id, d.c.confidential, zero, one,
                            _flag(closed), _flag(closed & (d.c.days_late == 0)), _flag(closed & (d.c.days_late > 0)),
                            _flag(closed & (d.c.days_late > 0), d.c.days_late))
                     .select_from(source).where(*live, d.c.closed_on.isnot(None)))
    return union_all(*parts).subquery()


def _flag(cond: Any, value: Any = 1) -> Any:
    return case((cond, value), else_=0)


def refresh(conn: Connection, lead_agency_id: int | None = None) -> None:
    """Recount the summary rows of the directions led by ``lead_agency_id`` (None: every unit's),
    in the caller's transaction."""
    if lead_agency_id is not None and conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:ns, :unit)"), {"ns": _LOCK_UNIT, "unit": lead_agency_id})
    conn.execute(delete(dm).where(*([dm.c.lead_agency_id == lead_agency_id] if lead_agency_id is not None else [])))
    p = _parts(conn, lead_agency_id)
    keys = (p.c.named, p.c.month, p.c.lead_agency_id, p.c.confidential)
    counts = [func.sum(c) for c in (p.c.issued, p.c.ended, p.c.closed, p.c.on_time, p.c.late, p.c.late_days)]
    months = select(*keys, *counts, (counts[0] - counts[1]).label("net")).group_by(*keys).subquery()
    open_end = func.sum(months.c.net).over(partition_by=(months.c.named, months.c.lead_agency_id,
                                                          months.c.confidential), order_by=months.c.month)
    names = ["named_agency_id", "month", "lead_agency_id", "confidential", "issued", "ended", "closed", "on_time",
             "late", "late_days"]
    conn.execute(insert(dm).from_select([*names, "open_end"], select(*list(months.c)[:-1], open_end)))
