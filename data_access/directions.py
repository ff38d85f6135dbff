"""Reads of directions ("chỉ đạo, điều hành"): the page's list, a direction's detail, the wall's
board and ticker, the daily brief's section, an indicator's markers, the compliance rows' open
directions and the measures.

Every read is viewer-aware (:class:`domain.directions.Viewer`: clearance, a unit-bound viewer's
unit) and cached under the ``directions`` stamp, which every write of ``directions.service`` bumps.
Visibility (:func:`_visible`, the SQL form of :func:`domain.directions.may_see`): a confidential
direction is invisible to a viewer without the clearance (not listed, not counted in any total,
its text never read) unless the viewer's unit is named on it; a reporter or a unit's token sees
only its unit's directions; drafts only the centre's leaders, admins and analysts.

``today`` is the centre's date (Asia/Ho_Chi_Minh, :func:`center_today`), never the server's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select, union_all

from data_access import schema
from data_access.cache.memo import cached_query
from data_access.engine import current_connection
from domain import directions as rules
from domain.text import fold

d, du, di, da = schema.direction, schema.direction_unit, schema.direction_indicator, schema.direction_area
ev, att, ag = schema.direction_event, schema.direction_attachment, schema.agency
SCOPE = "directions"
PAGE_SIZES = (10, 25, 50, 100)
SORTS = ("deadline", "-deadline", "-issued_on", "issued_on")


def directions_scope(*_args: Any, **_kwargs: Any) -> tuple[str, ...]:
    """``scopes=`` of every read of this module: only a write of a direction changes them."""
    return (SCOPE,)


def center_today() -> date:
    """Today on the centre's calendar (Asia/Ho_Chi_Minh), whatever the server's time zone."""
    return rules.center_date(datetime.now(UTC))


# --- what the reads return ------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectionFilters:
    """The page's filters (all optional): the lead unit's code, a state of
    :data:`domain.directions.FILTER_STATES` (``overdue`` included), a deadline range, the leader's
    name (part of it, with or without diacritics), an indicator code, an area key, text (every word,
    with or without diacritics, in the ref, title, content, number or leader)."""

    unit: str | None = None
    state: str | None = None
    deadline_from: date | None = None
    deadline_to: date | None = None
    leader: str | None = None
    indicator: str | None = None
    area: str | None = None
    text: str | None = None
    sort: str = "-issued_on"


class DirectionRow(NamedTuple):
    ref: str
    title: str
    form: str
    doc_number: str
    leader: str
    issued_on: date
    unit: str  # the lead unit's code
    unit_vi: str  # its short name
    unit_en: str
    deadline: date
    priority: str
    state: str
    overdue: bool  # computed on ``today``
    days_overdue: int
    confidential: bool
    closed_on: date | None


class DirectionPage(NamedTuple):
    rows: tuple[DirectionRow, ...]
    total: int
    page: int
    page_size: int


class DirectionUnit(NamedTuple):
    code: str
    name_vi: str
    name_en: str
    role: str  # lead | cooperate


class NamedRef(NamedTuple):
    key: str  # an indicator code or an area key
    name_vi: str
    name_en: str


class DirectionEvent(NamedTuple):
    id: int
    at: datetime  # UTC
    actor: str
    role: str
    unit: str | None
    kind: str
    from_state: str | None
    to_state: str
    text: str
    new_deadline: date | None


class Attachment(NamedTuple):
    id: int
    event_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class DirectionDetail(NamedTuple):
    row: DirectionRow
    content: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    reported_done_at: datetime | None
    closed_at: datetime | None
    first_deadline: date
    origin: str
    origin_context: dict[str, Any]
    units: tuple[DirectionUnit, ...]
    indicators: tuple[NamedRef, ...]
    areas: tuple[NamedRef, ...]
    events: tuple[DirectionEvent, ...]
    attachments: tuple[Attachment, ...]
    deadlines: tuple[rules.DeadlineChange, ...]
    pending_extension: date | None


class UnitCount(NamedTuple):
    unit: str
    unit_vi: str
    unit_en: str
    overdue: int


class Board(NamedTuple):
    overdue_by_unit: tuple[UnitCount, ...]
    due_this_week: tuple[DirectionRow, ...]
    recently_closed: tuple[DirectionRow, ...]
    open_total: int
    overdue_total: int


class TickerItem(NamedTuple):
    ref: str
    title: str
    unit: str
    unit_vi: str
    unit_en: str
    days_overdue: int


class DailyDirections(NamedTuple):
    due_today: tuple[DirectionRow, ...]
    overdue: tuple[DirectionRow, ...]


class Marker(NamedTuple):
    ref: str
    title: str
    issued_on: date
    closed_on: date | None


MEASURE_COLUMNS = ("unit", "unit_vi", "unit_en", "month", "closed", "closed_on_time", "on_time_rate",
                   "avg_days_overdue", "open_load")


# --- SQL pieces ----------------------------------------------------------------------------------


def _unit_id(code: str) -> Any:
    return select(ag.c.id).where(ag.c.code == code).scalar_subquery()


def _visible(viewer: rules.Viewer) -> list[ColumnElement[bool]]:
    """Where clauses keeping what ``viewer`` may see (:func:`domain.directions.may_see`)."""
    where: list[ColumnElement[bool]] = []
    if not viewer.sees_drafts:
        where.append(d.c.state != rules.DRAFT)
    if viewer.unit_bound:
        if not viewer.unit:
            return [d.c.id.is_(None)]
        where.append(d.c.id.in_(select(du.c.direction_id).where(du.c.agency_id == _unit_id(viewer.unit))))
    elif viewer.role not in (rules.ADMIN, rules.LEADER, rules.ANALYST, rules.DISPLAY):
        return [d.c.id.is_(None)]
    elif not viewer.sees_confidential:
        where.append(d.c.confidential.is_(False))
    return where


def _open() -> ColumnElement[bool]:
    return d.c.state.in_(sorted(rules.OPEN_STATES))


def _overdue(today: date) -> ColumnElement[bool]:
    return and_(_open(), d.c.deadline < today)


def _row_select() -> Select[Any]:
    return (select(d.c.ref, d.c.title, d.c.form, d.c.doc_number, d.c.leader, d.c.issued_on, ag.c.code,
                   ag.c.short_vi, ag.c.short_en, d.c.deadline, d.c.priority, d.c.state, d.c.confidential,
                   d.c.closed_on)
            .select_from(d.join(ag, ag.c.id == d.c.lead_agency_id)))


def _row(t: Sequence[Any], today: date) -> DirectionRow:
    deadline, state = t[9], t[11]
    return DirectionRow(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8], deadline, t[10], state,
                        rules.is_overdue(state, deadline, today), rules.days_overdue(state, deadline, today),
                        bool(t[12]), t[13])


def _rows(stmt: Select[Any], today: date) -> tuple[DirectionRow, ...]:
    return tuple(_row(t, today) for t in current_connection().execute(stmt).tuples())


def _filters(f: DirectionFilters, today: date) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.unit:
        where.append(d.c.lead_agency_id == _unit_id(f.unit))
    if f.state == rules.OVERDUE:
        where.append(_overdue(today))
    elif f.state in rules.STATES:
        where.append(d.c.state == f.state)
    if f.deadline_from:
        where.append(d.c.deadline >= f.deadline_from)
    if f.deadline_to:
        where.append(d.c.deadline <= f.deadline_to)
    if f.leader and fold(f.leader).strip():
        where.append(d.c.leader_key.contains(" ".join(fold(f.leader).split()), autoescape=True))
    if f.indicator:
        ind = select(schema.indicator.c.id).where(schema.indicator.c.code == f.indicator).scalar_subquery()
        where.append(d.c.id.in_(select(di.c.direction_id).where(di.c.indicator_id == ind)))
    if f.area:
        area = select(schema.area.c.id).where(schema.area.c.key == f.area).scalar_subquery()
        where.append(d.c.id.in_(select(da.c.direction_id).where(da.c.area_id == area)))
    for word in fold(f.text or "").split():
        where.append(d.c.search_text.contains(word, autoescape=True))
    return where


_ORDER = {
    "deadline": (d.c.deadline.asc(), d.c.id.asc()),
    "-deadline": (d.c.deadline.desc(), d.c.id.desc()),
    "issued_on": (d.c.issued_on.asc(), d.c.id.asc()),
    "-issued_on": (d.c.issued_on.desc(), d.c.id.desc()),
}


# --- the reads -----------------------------------------------------------------------------------


def list_directions(filters: DirectionFilters, *, page: int = 1, page_size: int = 25, viewer: rules.Viewer,
                    today: date | None = None) -> DirectionPage:
    """One page of the directions ``viewer`` may see that match ``filters``, sorted by
    ``filters.sort`` (:data:`SORTS`), with the total matching. ``page`` starts at 1; a page size
    outside :data:`PAGE_SIZES` is the nearest allowed."""
    size = min(PAGE_SIZES, key=lambda s: abs(s - int(page_size)))
    return _list_directions(filters, max(1, int(page)), size, viewer, today or center_today())


@cached_query(scopes=directions_scope)
def _list_directions(filters: DirectionFilters, page: int, page_size: int, viewer: rules.Viewer,
                     today: date) -> DirectionPage:
    where = _visible(viewer) + _filters(filters, today)
    conn = current_connection()
    total = int(conn.execute(select(func.count()).select_from(d).where(*where)).scalar() or 0)
    order = _ORDER.get(filters.sort, _ORDER["-issued_on"])
    stmt = _row_select().where(*where).order_by(*order).limit(page_size).offset((page - 1) * page_size)
    return DirectionPage(_rows(stmt, today), total, page, page_size)


def direction_detail(ref: str, viewer: rules.Viewer, today: date | None = None) -> DirectionDetail | None:
    """A direction with its units, indicators, areas, events, attachments and deadlines; None when
    there is none under ``ref`` or ``viewer`` may not see it (the two are not told apart)."""
    return _direction_detail(str(ref), viewer, today or center_today())


@cached_query(scopes=directions_scope)
def _direction_detail(ref: str, viewer: rules.Viewer, today: date) -> DirectionDetail | None:
    conn = current_connection()
    head = conn.execute(_row_select().add_columns(
        d.c.id, d.c.content, d.c.created_by, d.c.created_at, d.c.updated_at, d.c.reported_done_at, d.c.closed_at,
        d.c.first_deadline, d.c.origin, d.c.origin_context).where(d.c.ref == ref, *_visible(viewer))).tuples().first()
    if head is None:
        return None
    did = head[14]
    ind, ar = schema.indicator, schema.area
    links = conn.execute(union_all(  # units, indicators and areas in one round trip
        select(literal("u"), ag.c.code, ag.c.short_vi, ag.c.short_en, du.c.role, literal(0))
        .join(ag, ag.c.id == du.c.agency_id).where(du.c.direction_id == did),
        select(literal("i"), ind.c.code, ind.c.name_vi, ind.c.name_en, literal(""), literal(0))
        .join(di, di.c.indicator_id == ind.c.id).where(di.c.direction_id == did),
        select(literal("a"), ar.c.key, ar.c.name_vi, ar.c.name_en, literal(""), ar.c.sort)
        .join(da, da.c.area_id == ar.c.id).where(da.c.direction_id == did))).tuples().all()
    units = tuple(DirectionUnit(t[1], t[2], t[3], t[4])
                  for t in sorted((t for t in links if t[0] == "u"), key=lambda t: (t[4] != rules.LEAD, t[1])))
    indicators = tuple(NamedRef(t[1], t[2], t[3]) for t in sorted(t for t in links if t[0] == "i"))
    areas = tuple(NamedRef(t[1], t[2], t[3]) for t in sorted((t for t in links if t[0] == "a"), key=lambda t: (t[5], t[1])))
    events = tuple(DirectionEvent(*t) for t in conn.execute(
        select(ev.c.id, ev.c.at, ev.c.actor, ev.c.role, ag.c.code, ev.c.kind, ev.c.from_state, ev.c.to_state,
               ev.c.text, ev.c.new_deadline).outerjoin(ag, ag.c.id == ev.c.agency_id)
        .where(ev.c.direction_id == did).order_by(ev.c.at, ev.c.id)).tuples())
    files = tuple(Attachment(*t) for t in conn.execute(
        select(att.c.id, att.c.event_id, att.c.filename, att.c.content_type, att.c.size, att.c.sha256,
               att.c.uploaded_at).where(att.c.direction_id == did).order_by(att.c.id)).tuples())
    changes = [(e.at, e.kind, e.new_deadline) for e in events]
    context = json.loads(head[23]) if head[23] else {}
    return DirectionDetail(
        _row(head, today), head[15], head[16], head[17], head[18], head[19], head[20], head[21], head[22],
        context if isinstance(context, dict) else {}, units, indicators, areas, events, files,
        rules.deadline_history(head[21], head[17], changes), rules.pending_extension(changes))


@cached_query(scopes=directions_scope)
def directions_board(today: date, viewer: rules.Viewer) -> Board:
    """The wall's board: overdue directions counted by lead unit (most first), those due this week
    (today to Sunday, soonest first, at most 20) and those closed in the last 14 days (at most 10),
    with the totals of open and overdue directions. Only what ``viewer`` may see is counted."""
    conn, seen = current_connection(), _visible(viewer)
    by_unit = tuple(UnitCount(*t) for t in conn.execute(
        select(ag.c.code, ag.c.short_vi, ag.c.short_en, func.count().label("n"))
        .select_from(d.join(ag, ag.c.id == d.c.lead_agency_id)).where(_overdue(today), *seen)
        .group_by(ag.c.code, ag.c.short_vi, ag.c.short_en).order_by(func.count().desc(), ag.c.code)).tuples())
    week = _rows(_row_select().where(_open(), d.c.deadline >= today, d.c.deadline <= rules.week_end(today), *seen)
                 .order_by(d.c.deadline, d.c.id).limit(20), today)
    closed = _rows(_row_select().where(d.c.state == rules.CLOSED, d.c.closed_on >= today - timedelta(days=14), *seen)
                   .order_by(d.c.closed_on.desc(), d.c.id.desc()).limit(10), today)
    totals = conn.execute(select(func.count(), func.coalesce(func.sum(case((d.c.deadline < today, 1), else_=0)), 0))
                          .select_from(d).where(_open(), *seen)).tuples().one()
    return Board(by_unit, week, closed, int(totals[0]), int(totals[1]))


@cached_query(scopes=directions_scope)
def ticker_directions(today: date, viewer: rules.Viewer, limit: int = 30) -> tuple[TickerItem, ...]:
    """Overdue directions for the wall's ticker, longest overdue first."""
    stmt = (select(d.c.ref, d.c.title, ag.c.code, ag.c.short_vi, ag.c.short_en, d.c.deadline)
            .select_from(d.join(ag, ag.c.id == d.c.lead_agency_id)).where(_overdue(today), *_visible(viewer))
            .order_by(d.c.deadline, d.c.id).limit(limit))
    return tuple(TickerItem(t[0], t[1], t[2], t[3], t[4], (today - t[5]).days)
                 for t in current_connection().execute(stmt).tuples())


@cached_query(scopes=directions_scope)
def daily_directions(day: date, viewer: rules.Viewer, limit: int = 50) -> DailyDirections:
    """The daily brief's section: open directions due on ``day`` and those overdue on it (longest
    overdue first), at most ``limit`` each."""
    seen = _visible(viewer)
    due = _rows(_row_select().where(_open(), d.c.deadline == day, *seen).order_by(d.c.priority, d.c.id).limit(limit), day)
    late = _rows(_row_select().where(_overdue(day), *seen).order_by(d.c.deadline, d.c.id).limit(limit), day)
    return DailyDirections(due, late)


@cached_query(scopes=directions_scope)
def indicator_direction_markers(indicator_code: str, viewer: rules.Viewer) -> tuple[Marker, ...]:
    """The directions about an indicator, for its trend: issued on, closed on (None: not closed);
    drafts and cancelled ones left out."""
    ind = select(schema.indicator.c.id).where(schema.indicator.c.code == indicator_code).scalar_subquery()
    stmt = (select(d.c.ref, d.c.title, d.c.issued_on, d.c.closed_on)
            .where(d.c.id.in_(select(di.c.direction_id).where(di.c.indicator_id == ind)),
                   d.c.state.notin_((rules.DRAFT, rules.CANCELLED)), *_visible(viewer))
            .order_by(d.c.issued_on, d.c.id))
    return tuple(Marker(*t) for t in current_connection().execute(stmt).tuples())


@cached_query(scopes=directions_scope)
def unit_open_directions(today: date, viewer: rules.Viewer) -> dict[str, tuple[int, int]]:
    """Lead unit's code -> (open directions, of which overdue), for the compliance rows; units with
    none are absent."""
    stmt = (select(ag.c.code, func.count(), func.coalesce(func.sum(case((d.c.deadline < today, 1), else_=0)), 0))
            .select_from(d.join(ag, ag.c.id == d.c.lead_agency_id)).where(_open(), *_visible(viewer))
            .group_by(ag.c.code))
    return {t[0]: (int(t[1]), int(t[2])) for t in current_connection().execute(stmt).tuples()}


def _month_starts(today: date, months: int) -> list[date]:
    first = today.replace(day=1)
    out = []
    for i in range(months - 1, -1, -1):
        y, m = divmod(first.year * 12 + first.month - 1 - i, 12)
        out.append(date(y, m + 1, 1))
    return out


def _month_end(start: date) -> date:
    y, m = divmod(start.year * 12 + start.month, 12)
    return date(y, m + 1, 1) - timedelta(days=1)


def direction_measures(viewer: rules.Viewer, months: int = 12, today: date | None = None) -> pd.DataFrame:
    """Per lead unit and month (the last ``months`` months to ``today``'s): directions closed in
    the month (``closed``), of which on time (``closed_on_time``: the accepted "done" report by the
    deadline then in force), ``on_time_rate`` (NaN without closings), ``avg_days_overdue`` (the mean
    days late of those closed late, NaN without), ``open_load`` (open at the month's end: issued by
    then, not closed by then; drafts and cancelled ones left out). Columns :data:`MEASURE_COLUMNS`."""
    return _direction_measures(viewer, max(1, min(int(months), 60)), today or center_today())


@cached_query(scopes=directions_scope)
def _direction_measures(viewer: rules.Viewer, months: int, today: date) -> pd.DataFrame:
    conn, seen = current_connection(), _visible(viewer)
    starts = _month_starts(today, months)
    ends = [_month_end(s) for s in starts]
    live = and_(d.c.state.notin_((rules.DRAFT, rules.CANCELLED)), *seen)
    month = (func.date_trunc("month", d.c.closed_on) if conn.dialect.name == "postgresql"
             else func.strftime("%Y-%m-01", d.c.closed_on))
    closed = conn.execute(
        select(d.c.lead_agency_id, month, func.count(), func.sum(case((d.c.days_late == 0, 1), else_=0)),
               func.avg(case((d.c.days_late > 0, d.c.days_late))))
        .where(d.c.state == rules.CLOSED, d.c.closed_on >= starts[0], d.c.closed_on <= ends[-1], *seen)
        .group_by(d.c.lead_agency_id, month)).tuples().all()
    load_cols = [func.sum(case((and_(d.c.issued_on <= end, or_(d.c.closed_on.is_(None), d.c.closed_on > end)), 1),
                               else_=0)) for end in ends]
    loads = conn.execute(select(d.c.lead_agency_id, *load_cols)
                         .where(live, d.c.issued_on <= ends[-1], or_(d.c.closed_on.is_(None), d.c.closed_on >= starts[0]))
                         .group_by(d.c.lead_agency_id)).tuples().all()
    names = {t[0]: t[1:] for t in conn.execute(select(ag.c.id, ag.c.code, ag.c.short_vi, ag.c.short_en)).tuples()}
    cells: dict[tuple[int, date], list[Any]] = {}
    for agency_id, *counts in loads:
        for start, n in zip(starts, counts, strict=True):
            cells[(agency_id, start)] = [0, 0, float("nan"), int(n or 0)]
    for agency_id, m, n, on_time, avg_late in closed:
        start = m.date() if isinstance(m, datetime) else date.fromisoformat(str(m)[:10])
        cell = cells.setdefault((agency_id, start), [0, 0, float("nan"), 0])
        cell[0], cell[1] = int(n), int(on_time or 0)
        cell[2] = float(avg_late) if avg_late is not None else float("nan")
    rows = [(*names[a][:3], s, c[0], c[1], c[1] / c[0] if c[0] else float("nan"), c[2], c[3])
            for (a, s), c in cells.items() if a in names]
    frame = pd.DataFrame(rows, columns=list(MEASURE_COLUMNS))
    return frame.sort_values(["unit", "month"], ignore_index=True)
