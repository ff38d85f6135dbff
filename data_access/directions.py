# size: every read of directions in one module; the measures keep their reference scan beside the summary read
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
from itertools import accumulate, repeat
from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy import ColumnElement, Date, Float, Integer, Select, and_, case, cast, func, literal, select, union_all
from sqlalchemy.dialects import postgresql

from data_access import schema
from data_access.cache.memo import cached_query
from data_access.engine import current_connection, rows_of
from domain import directions as rules
from domain.text import fold

d, du, di, da = schema.direction, schema.direction_unit, schema.direction_indicator, schema.direction_area
ev, att, ag, dm = schema.direction_event, schema.direction_attachment, schema.agency, schema.direction_month
SCOPE = "directions"
PAGE_SIZES = (10, 25, 50, 100)
SORTS = ("deadline", "-deadline", "-issued_on", "issued_on")
TOTAL_CAP = 1000  # the list counts its matches up to this many: an exact count of 50,000 costs tens of ms
RECENT_DAYS = 14  # "recently closed": closed in the last this many days


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
    total: int  # the matching directions, counted up to TOTAL_CAP
    page: int
    page_size: int
    total_exact: bool = True  # False: more than ``total`` (TOTAL_CAP) match ("hơn 1.000")


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


class DirectionCounts(NamedTuple):
    """The /directions page's cards: every direction counted (the wall's board lists at most 20 and 10)."""

    open: int
    overdue: int  # of the open ones
    due_this_week: int  # open, due today to Sunday
    recently_closed: int  # closed in the last RECENT_DAYS days


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


class UnitMeasures(NamedTuple):
    """A lead unit's measures over the months of :func:`direction_unit_measures`."""

    unit: str  # the lead unit's code
    unit_vi: str
    unit_en: str
    closed: int  # closed in the months
    closed_on_time: int
    closed_late: int  # of those closed in the months, closed late
    avg_days_overdue: float  # their mean days late (NaN: none)
    open_load: int  # open at the end of the last month


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
    return tuple(_row(t, today) for t in current_connection().execute(stmt))


def _selective(f: DirectionFilters, viewer: rules.Viewer) -> bool:
    """A few hundred rows at most: a unit-bound viewer's, or a unit, indicator or area filter."""
    return viewer.unit_bound or bool(f.unit or f.indicator or f.area)


def _filters(f: DirectionFilters, today: date, selective: bool = False) -> list[ColumnElement[bool]]:
    """``selective`` (:func:`_selective`): the text searched without the trigram index, so that
    PostgreSQL checks the few rows rather than recheck the thousands a common word matches."""
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
    text_col = func.coalesce(d.c.search_text, "") if selective else d.c.search_text
    for word in fold(f.text or "").split():
        where.append(text_col.contains(word, autoescape=True))
    return where


def _order(sort: str, selective: bool) -> tuple[Any, Any]:
    """ORDER BY of a sort of :data:`SORTS`. ``selective`` (a unit-bound viewer, a unit, indicator
    or area filter: a few hundred rows): by an expression no index has (``coalesce(col, col)``), so
    that PostgreSQL starts from the few rows and sorts them, instead of walking the sort's index
    through the whole table probing each row (45 ms for a unit's page 3 of 673 rows, 2 ms so)."""
    col = d.c.deadline if sort.lstrip("-") == "deadline" else d.c.issued_on
    key = func.coalesce(col, col) if selective else col
    return (key.desc(), d.c.id.desc()) if sort.startswith("-") else (key.asc(), d.c.id.asc())


# --- the reads -----------------------------------------------------------------------------------


def list_directions(filters: DirectionFilters, *, page: int = 1, page_size: int = 25, viewer: rules.Viewer,
                    today: date | None = None) -> DirectionPage:
    """One page of the directions ``viewer`` may see that match ``filters``, sorted by
    ``filters.sort`` (:data:`SORTS`), with the total matching counted up to :data:`TOTAL_CAP`
    (``total_exact`` False when more match). ``page`` starts at 1; a page size outside
    :data:`PAGE_SIZES` is the nearest allowed."""
    size = min(PAGE_SIZES, key=lambda s: abs(s - int(page_size)))
    return _list_directions(filters, max(1, int(page)), size, viewer, today or center_today())


@cached_query(scopes=directions_scope)
def _list_directions(filters: DirectionFilters, page: int, page_size: int, viewer: rules.Viewer,
                     today: date) -> DirectionPage:
    selective = _selective(filters, viewer)
    where = _visible(viewer) + _filters(filters, today, selective)
    conn = current_connection()
    capped = select(d.c.id).where(*where).limit(TOTAL_CAP + 1).subquery()
    total = int(conn.execute(select(func.count()).select_from(capped)).scalar() or 0)
    sort = filters.sort if filters.sort in SORTS else "-issued_on"
    # the page's ids first (from ix_direction_visible alone for a unit's), then its 25 rows
    ids = select(d.c.id).where(*where).order_by(*_order(sort, selective)).limit(page_size).offset((page - 1) * page_size)
    stmt = _row_select().where(d.c.id.in_(ids.scalar_subquery())).order_by(*_order(sort, False))
    return DirectionPage(_rows(stmt, today), min(total, TOTAL_CAP), page, page_size, total <= TOTAL_CAP)


def direction_detail(ref: str, viewer: rules.Viewer, today: date | None = None) -> DirectionDetail | None:
    """A direction with its units, indicators, areas, events, attachments and deadlines; None when
    there is none under ``ref`` or ``viewer`` may not see it (the two are not told apart)."""
    return _direction_detail(str(ref), viewer, today or center_today())


@cached_query(scopes=directions_scope)
def _direction_detail(ref: str, viewer: rules.Viewer, today: date) -> DirectionDetail | None:
    conn = current_connection()
    head = conn.execute(_row_select().add_columns(
        d.c.id, d.c.content, d.c.created_by, d.c.created_at, d.c.updated_at, d.c.reported_done_at, d.c.closed_at,
        d.c.first_deadline, d.c.origin, d.c.origin_context).where(d.c.ref == ref, *_visible(viewer))).first()
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
        .join(da, da.c.area_id == ar.c.id).where(da.c.direction_id == did))).all()
    units = tuple(DirectionUnit(t[1], t[2], t[3], t[4])
                  for t in sorted((t for t in links if t[0] == "u"), key=lambda t: (t[4] != rules.LEAD, t[1])))
    indicators = tuple(NamedRef(t[1], t[2], t[3]) for t in sorted(t for t in links if t[0] == "i"))
    areas = tuple(NamedRef(t[1], t[2], t[3]) for t in sorted((t for t in links if t[0] == "a"), key=lambda t: (t[5], t[1])))
    events = tuple(DirectionEvent(*t) for t in rows_of(conn.execute(
        select(ev.c.id, ev.c.at, ev.c.actor, ev.c.role, ag.c.code, ev.c.kind, ev.c.from_state, ev.c.to_state,
               ev.c.text, ev.c.new_deadline).outerjoin(ag, ag.c.id == ev.c.agency_id)
        .where(ev.c.direction_id == did).order_by(ev.c.at, ev.c.id))))
    files = tuple(Attachment(*t) for t in rows_of(conn.execute(
        select(att.c.id, att.c.event_id, att.c.filename, att.c.content_type, att.c.size, att.c.sha256,
               att.c.uploaded_at).where(att.c.direction_id == did).order_by(att.c.id))))
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
    by_unit = tuple(UnitCount(*t) for t in rows_of(conn.execute(
        select(ag.c.code, ag.c.short_vi, ag.c.short_en, func.count().label("n"))
        .select_from(d.join(ag, ag.c.id == d.c.lead_agency_id)).where(_overdue(today), *seen)
        .group_by(ag.c.code, ag.c.short_vi, ag.c.short_en).order_by(func.count().desc(), ag.c.code))))
    week = _rows(_row_select().where(_open(), d.c.deadline >= today, d.c.deadline <= rules.week_end(today), *seen)
                 .order_by(d.c.deadline, d.c.id).limit(20), today)
    closed = _rows(_row_select().where(d.c.state == rules.CLOSED, d.c.closed_on >= today - timedelta(days=RECENT_DAYS),
                                       *seen)
                   .order_by(d.c.closed_on.desc(), d.c.id.desc()).limit(10), today)
    totals = conn.execute(select(func.count(), func.coalesce(func.sum(case((d.c.deadline < today, 1), else_=0)), 0))
                          .select_from(d).where(_open(), *seen)).one()
    return Board(by_unit, week, closed, int(totals[0]), int(totals[1]))


@cached_query(scopes=directions_scope)
def direction_counts(today: date, viewer: rules.Viewer) -> DirectionCounts:
    """The page's cards in one statement: the open directions ``viewer`` may see, of which overdue,
    those due this week (today to Sunday) and those closed in the last :data:`RECENT_DAYS` days."""
    seen = _visible(viewer)

    def count(*where: ColumnElement[bool]) -> Any:
        return select(func.count()).select_from(d).where(*where, *seen).scalar_subquery()

    row = current_connection().execute(
        select(func.count(), func.coalesce(func.sum(case((d.c.deadline < today, 1), else_=0)), 0),
               count(_open(), d.c.deadline >= today, d.c.deadline <= rules.week_end(today)),
               count(d.c.state == rules.CLOSED, d.c.closed_on >= today - timedelta(days=RECENT_DAYS)))
        .select_from(d).where(_open(), *seen)).one()
    return DirectionCounts(*(int(n) for n in row))


@cached_query(scopes=directions_scope)
def ticker_directions(today: date, viewer: rules.Viewer, limit: int = 30) -> tuple[TickerItem, ...]:
    """Overdue directions for the wall's ticker, longest overdue first."""
    stmt = (select(d.c.ref, d.c.title, ag.c.code, ag.c.short_vi, ag.c.short_en, d.c.deadline)
            .select_from(d.join(ag, ag.c.id == d.c.lead_agency_id)).where(_overdue(today), *_visible(viewer))
            .order_by(d.c.deadline, d.c.id).limit(limit))
    return tuple(TickerItem(t[0], t[1], t[2], t[3], t[4], (today - t[5]).days)
                 for t in current_connection().execute(stmt))


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
    return tuple(Marker(*t) for t in rows_of(current_connection().execute(stmt)))


@cached_query(scopes=directions_scope)
def unit_open_directions(today: date, viewer: rules.Viewer) -> dict[str, tuple[int, int]]:
    """Lead unit's code -> (open directions, of which overdue), for the compliance rows; units with
    none are absent."""
    stmt = (select(ag.c.code, func.count(), func.coalesce(func.sum(case((d.c.deadline < today, 1), else_=0)), 0))
            .select_from(d.join(ag, ag.c.id == d.c.lead_agency_id)).where(_open(), *_visible(viewer))
            .group_by(ag.c.code))
    return {t[0]: (int(t[1]), int(t[2])) for t in current_connection().execute(stmt)}


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


def _summary_scope(viewer: rules.Viewer) -> list[ColumnElement[bool]] | None:
    """The ``direction_month`` rows ``viewer`` counts (as :func:`_visible`; drafts are never in
    them), None when it sees no direction."""
    if viewer.unit_bound:
        return [dm.c.named_agency_id == _unit_id(viewer.unit)] if viewer.unit else None
    if viewer.role not in (rules.ADMIN, rules.LEADER, rules.ANALYST, rules.DISPLAY):
        return None
    return [dm.c.named_agency_id == 0, *([] if viewer.sees_confidential else [dm.c.confidential.is_(False)])]


@cached_query(scopes=directions_scope)
def _direction_measures(viewer: rules.Viewer, months: int, today: date) -> pd.DataFrame:
    """From the summary ``direction_month`` (kept by ``directions.summary``) in two statements:
    every unit's name with its load open at the first month's start (``open_end`` of its last row
    before, by confidentiality: an index probe each), and the rows of the months."""
    conn, scope, starts = current_connection(), _summary_scope(viewer), _month_starts(today, months)
    if scope is None:
        return _measures_frame(starts, {}, {}, {})
    flags = (False, True) if viewer.sees_confidential or viewer.unit_bound else (False,)

    def before(confidential: bool) -> Any:
        return (select(dm.c.open_end).where(scope[0], dm.c.lead_agency_id == ag.c.id,
                                            dm.c.confidential.is_(confidential), dm.c.month < starts[0])
                .order_by(dm.c.month.desc()).limit(1).scalar_subquery())

    units = conn.execute(select(ag.c.id, ag.c.code, ag.c.short_vi, ag.c.short_en, *map(before, flags))).all()
    rows = rows_of(conn.execute(select(dm.c.lead_agency_id, dm.c.confidential, dm.c.month, dm.c.open_end,
                                       dm.c.closed, dm.c.on_time, dm.c.late, dm.c.late_days)
                                .where(*scope, dm.c.month >= starts[0], dm.c.month <= starts[-1])))
    index: dict[Any, int] = {s: k for k, s in enumerate(starts)}  # a date (PostgreSQL) or its text (SQLite)
    index.update({s.isoformat(): k for k, s in enumerate(starts)})
    names = {t[0]: (t[1], t[2], t[3]) for t in units}
    # (unit, confidential) -> the load open at each month's end, None where the month has no row
    loads: dict[tuple[int, bool], list[int | None]] = {}
    for t in units:
        if any(t[4:]):
            loads.update({(t[0], c): [int(n or 0)] + [None] * (months - 1) for c, n in zip(flags, t[4:], strict=True)})
    closings: dict[tuple[int, int], list[int]] = {}
    for agency_id, confidential, month, open_end, closed, on_time, late, late_days in rows:
        k = index[month]
        series = loads.get((agency_id, bool(confidential)))
        if series is None:
            series = loads[(agency_id, bool(confidential))] = [0] + [None] * (months - 1)
        series[k] = open_end
        if closed:
            cell = closings.get((agency_id, k))
            if cell is None:
                closings[(agency_id, k)] = [closed, on_time, late, late_days]
            else:
                cell[:] = [cell[0] + closed, cell[1] + on_time, cell[2] + late, cell[3] + late_days]
    steps: dict[int, list[int]] = {}
    for (agency_id, _), series in loads.items():
        step = steps.setdefault(agency_id, [0] * months)
        last = 0
        for k, load in enumerate(series):  # a month without a row keeps the load of the month before
            load = last if load is None else load
            step[k] += load - last
            last = load
    return _measures_frame(starts, names, steps, {
        key: (int(n), int(on_time), late_days / late if late else float("nan")) for key, (n, on_time, late, late_days)
        in closings.items()})


def direction_unit_measures(viewer: rules.Viewer, months: int = 12,
                            today: date | None = None) -> tuple[UnitMeasures, ...]:
    """:func:`direction_measures` summed per lead unit, for the units with a closing in the months
    or a load open at the last month's end (what the page and the export draw), by code: closed,
    closed on time, closed late and their mean days late, the ``open_load`` of the last month."""
    return _direction_unit_measures(viewer, max(1, min(int(months), 60)), today or center_today())


@cached_query(scopes=directions_scope)
def _direction_unit_measures(viewer: rules.Viewer, months: int, today: date) -> tuple[UnitMeasures, ...]:
    """One statement on the summary (a row per unit, not per unit and month): the closings of the
    months summed per unit (the days late summed over the late ones); the load open at the last month's end, the
    ``open_end`` of each unit's last row by then (by confidentiality: an index probe each)."""
    conn, scope, starts = current_connection(), _summary_scope(viewer), _month_starts(today, months)
    if scope is None:
        return ()
    flags = (False, True) if viewer.sees_confidential or viewer.unit_bound else (False,)

    def open_at_end(confidential: bool) -> Any:
        return (select(dm.c.open_end).where(scope[0], dm.c.lead_agency_id == ag.c.id,
                                            dm.c.confidential.is_(confidential), dm.c.month <= starts[-1])
                .order_by(dm.c.month.desc()).limit(1).scalar_subquery())

    unit = (select(dm.c.lead_agency_id, func.sum(dm.c.closed).label("closed"), func.sum(dm.c.on_time).label("on_time"),
                   func.sum(dm.c.late).label("closed_late"),
                   (cast(func.sum(dm.c.late_days), Float) / func.nullif(func.sum(dm.c.late), 0)).label("late"))
            .where(*scope, dm.c.month >= starts[0], dm.c.month <= starts[-1], dm.c.closed > 0)
            .group_by(dm.c.lead_agency_id).subquery())
    rows = rows_of(conn.execute(select(ag.c.code, ag.c.short_vi, ag.c.short_en, unit.c.closed, unit.c.on_time,
                                       unit.c.closed_late, unit.c.late, *map(open_at_end, flags))
                                .select_from(ag.outerjoin(unit, unit.c.lead_agency_id == ag.c.id))))
    out = []
    for code, name_vi, name_en, closed, on_time, closed_late, late, *loads in sorted(rows, key=lambda r: r[0]):
        load = sum(int(n or 0) for n in loads)
        if closed or load:
            out.append(UnitMeasures(code, name_vi, name_en, int(closed or 0), int(on_time or 0), int(closed_late or 0),
                                    float("nan") if late is None else float(late), load))
    return tuple(out)


def _measures_frame(starts: list[date], names: dict[int, tuple[str, str, str]], steps: dict[int, list[int]],
                    closings: dict[tuple[int, int], tuple[int, int, float]]) -> pd.DataFrame:
    """The measures' frame, sorted by unit and month, from the units' names, each unit's open-load
    steps by month (+ issued, - ended) and its closings by month."""
    nan, empty = float("nan"), (0, 0, float("nan"))
    cells: list[tuple[int, int, int]] = []  # (unit, month, load)
    for agency_id in sorted((set(steps) | {a for a, _ in closings}) & set(names), key=names.__getitem__):
        if agency_id in steps:
            cells += zip(repeat(agency_id), range(len(starts)), accumulate(steps[agency_id]))
        else:
            cells += ((agency_id, k, 0) for k in sorted(m for a, m in closings if a == agency_id))
    closed = [closings.get((a, k), empty) for a, k, _ in cells]
    return pd.DataFrame({
        "unit": [names[a][0] for a, _, _ in cells], "unit_vi": [names[a][1] for a, _, _ in cells],
        "unit_en": [names[a][2] for a, _, _ in cells], "month": [starts[k] for _, k, _ in cells],
        "closed": [c[0] for c in closed], "closed_on_time": [c[1] for c in closed],
        "on_time_rate": [c[1] / c[0] if c[0] else nan for c in closed], "avg_days_overdue": [c[2] for c in closed],
        "open_load": [load for _, _, load in cells]}, columns=list(MEASURE_COLUMNS))


def direction_measures_scan(viewer: rules.Viewer, months: int = 12, today: date | None = None) -> pd.DataFrame:
    """:func:`direction_measures` computed from the directions themselves, not the summary (uncached):
    the reference the summary is checked against."""
    conn, seen = current_connection(), _visible(viewer)
    months, today = max(1, min(int(months), 60)), today or center_today()
    starts = _month_starts(today, months)
    ends = [_month_end(s) for s in starts]
    live = and_(d.c.state.notin_((rules.DRAFT, rules.CANCELLED)), *seen)
    base = starts[0].year * 12 + starts[0].month

    def month(col: Any) -> Any:  # the month's number from the first (0; ``months`` after the last)
        if conn.dialect.name == "postgresql":  # an integer by binary search of the months' starts: cheap
            bounds = [*starts[1:], ends[-1] + timedelta(days=1)]
            return func.width_bucket(col, literal(bounds, type_=postgresql.ARRAY(Date())))
        return cast(func.strftime("%Y", col), Integer) * 12 + cast(func.strftime("%m", col), Integer) - base

    closed = rows_of(conn.execute(
        select(d.c.lead_agency_id, month(d.c.closed_on), func.count(), func.sum(case((d.c.days_late == 0, 1), else_=0)),
               func.avg(case((d.c.days_late > 0, d.c.days_late))))
        .where(d.c.state == rules.CLOSED, d.c.closed_on >= starts[0], d.c.closed_on <= ends[-1], *seen)
        .group_by(d.c.lead_agency_id, month(d.c.closed_on))))
    # open at some month's end: not closed, or closed within the months (two ranges of
    # ix_direction_closed_on read from the index alone; an OR of the two would scan all of it),
    # counted by unit, month issued (the first month for those issued before) and month closed
    spans = union_all(*(select(d.c.lead_agency_id, case((d.c.issued_on < starts[0], literal(starts[0])),
                                                          else_=d.c.issued_on).label("issued"), d.c.closed_on)
                        .where(live, d.c.issued_on <= ends[-1], cond)
                        for cond in (d.c.closed_on.is_(None), d.c.closed_on >= starts[0]))).subquery()
    spans_by_month = rows_of(conn.execute(
        select(spans.c.lead_agency_id, month(spans.c.issued), month(spans.c.closed_on), func.count())
        .group_by(spans.c.lead_agency_id, month(spans.c.issued), month(spans.c.closed_on))))
    steps: dict[int, list[int]] = {}  # +n from the month issued, -n from the month closed; summed below
    for agency_id, first, last, n in spans_by_month:
        step = steps.setdefault(agency_id, [0] * (months + 1))
        step[first] += n
        step[months if last is None else min(last, months)] -= n
    closings = {(a, k): (int(n), int(on_time or 0), float(avg_late) if avg_late is not None else float("nan"))
                for a, k, n, on_time, avg_late in closed}
    names = {t[0]: t[1:] for t in rows_of(conn.execute(select(ag.c.id, ag.c.code, ag.c.short_vi, ag.c.short_en)))}
    return _measures_frame(starts, names, steps, closings)
