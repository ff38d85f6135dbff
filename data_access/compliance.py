"""Reads of the reporting calendar and compliance (Decree 09/2019/NĐ-CP; DHIS2 reporting rates).

The rules (who owes which report, deadlines, on time / late / missing / not due, rates) are in
:mod:`domain.regimes`; this module reads the regimes, their units and the accepted submissions and
applies them. Every read is memoized under the warehouse ``data_version``
(:func:`data_access.cache.cached_query`), so a new submission shows on the next request.

``today`` is always a parameter (the day the states are judged on); the public functions default
it to the current date at their boundary only, so tests pass a fixed day.

Calendar columns (:data:`domain.regimes.CALENDAR_COLUMNS`): regime_code, regime_name_vi,
regime_name_en, frequency, unit_code, unit_name_vi, unit_name_en, unit_kind, unit_group
(``ministries`` | ``provinces``), region (region key of a province unit in that period's era, ``VN``
for central units), period, period_start, period_end, deadline (date), received_at (first accepted
submission, NaT if none), submission_id, state (``on_time`` | ``late`` | ``missing`` |
``not_due``), days_late (late: days after the deadline; missing: days overdue).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, TypeAlias

import pandas as pd
from sqlalchemy import Executable, and_, bindparam, select, union_all

from data_access import schema
from data_access.cache.memo import cached_query, reference_data
from data_access.cache.scopes import current_clearance, submissions_scope
from data_access.catalogue import confidential_codes
from data_access.engine import current_connection, rows_of
from domain.eras import valid_on
from domain.findings import redact_report
from domain.periods import Period
from domain.periods import parse as parse_period
from domain.regimes import (
    CALENDAR_COLUMNS,
    RATE_COLUMNS,
    CalendarRow,
    Rates,
    RegimeRow,
    UnitRow,
    count_rates,
    expected_reports,
    rates_of,
    regime_periods,
    unit_group,
)

#: A region membership of an area: (region key, valid from, valid to).
Membership: TypeAlias = tuple[str, date | None, date | None]

GROUPINGS = {"unit": "unit_code", "group": "unit_group", "region": "region", "overall": None}
LOOKBACK_DAYS = 365
_SORT = tuple(CALENDAR_COLUMNS.index(c) for c in ("deadline", "regime_code", "unit_code"))


def calendar_frame(rows: list[CalendarRow]) -> pd.DataFrame:
    """The calendar of :func:`domain.regimes.expected_reports` rows: columns :data:`CALENDAR_COLUMNS`, sorted by
    deadline, regime and unit (in Python, stable: pandas sorts a column of dates slowly)."""
    d, r, u = _SORT
    df = pd.DataFrame(sorted(rows, key=lambda row: (row[d], row[r], row[u])), columns=CALENDAR_COLUMNS)
    df["submission_id"] = df["submission_id"].astype("Int64")
    df["received_at"] = pd.to_datetime(df["received_at"])
    return df


def rates(calendar: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Reporting rates of a calendar grouped by its column ``by`` (None: one overall row with key
    ``all``). Columns :data:`RATE_COLUMNS`; rates in percent, NaN when nothing is expected yet."""
    states = calendar["state"].tolist()
    keys = ["all"] * len(states) if by is None else calendar[by].tolist()
    rows = count_rates(zip(keys, states, strict=True))
    if by is None and not rows:
        rows = [rates_of("all", {})]
    out = pd.DataFrame(rows, columns=RATE_COLUMNS)
    return out.astype({c: "int64" for c in RATE_COLUMNS[1:7]} | {"completeness": "float64", "timeliness": "float64"})


def _today(today: date | None) -> date:
    return today if today is not None else date.today()


@reference_data
def _structure() -> tuple[tuple[RegimeRow, ...], dict[int, tuple[UnitRow, ...]], dict[int, tuple[Membership, ...]],
                          dict[int, str]]:
    """Regimes in force (a retired one leaves the calendar), their units, the region memberships
    (area id → ((region key, from, to), ...)) and
    the area keys of the units' areas. Kept per process (:func:`reference_data`): callers never
    change it."""
    r, ru, a = schema.report_regime, schema.regime_unit, schema.agency
    m, ar = schema.area_membership, schema.area
    conn = current_connection()
    regimes = tuple(RegimeRow(x.id, x.code, x.name_vi, x.name_en, x.frequency, x.deadline_day,
                              x.deadline_month_offset)
                    for x in conn.execute(select(r.c.id, r.c.code, r.c.name_vi, r.c.name_en, r.c.frequency,
                                                 r.c.deadline_day, r.c.deadline_month_offset)
                                          .where(r.c.status != "retired").order_by(r.c.code)))
    members: dict[int, list[UnitRow]] = {}
    # retired (deactivated) units owe nothing
    stmt = (select(ru.c.regime_id, a.c.id, a.c.code, a.c.name_vi, a.c.name_en, a.c.kind, a.c.valid_from,
                   a.c.valid_to, a.c.area_id).join(a, a.c.id == ru.c.agency_id).where(a.c.active.is_(True))
            .order_by(a.c.code))
    for x in conn.execute(stmt):
        members.setdefault(x.regime_id, []).append(
            UnitRow(x.id, x.code, x.name_vi, x.name_en, x.kind, unit_group(x.kind), x.valid_from, x.valid_to,
                    x.area_id))
    membership: dict[int, list[Membership]] = {}
    for x in conn.execute(select(m.c.area_id, ar.c.key, m.c.valid_from, m.c.valid_to)
                          .join(ar, ar.c.id == m.c.region_id)):
        membership.setdefault(x.area_id, []).append((x.key, x.valid_from, x.valid_to))
    area_keys: dict[int, str] = dict(conn.execute(select(ar.c.id, ar.c.key)).all())
    return (regimes, {k: tuple(v) for k, v in members.items()}, {k: tuple(v) for k, v in membership.items()},
            area_keys)


MAX_LISTED = 1000  # more regimes, periods or units than this: read them all rather than list them in the SQL


def _received(regime_ids: set[int] | None = None, periods: set[str] | None = None,
              unit_ids: set[int] | None = None) -> dict[tuple[int, int, str], tuple[datetime, int]]:
    """(unit id, regime id, period) → (first accepted received_at, its submission id), for the
    given regimes, periods and units only (None: all). Reads the submission register: callers
    declare the ``submissions`` scope."""
    lists = {"regimes": regime_ids, "periods": periods, "units": unit_ids}
    listed = {name: sorted(v) for name, v in lists.items() if v is not None and len(v) <= MAX_LISTED}
    stmt = _received_sql("regimes" in listed, "periods" in listed, "units" in listed)
    out: dict[tuple[int, int, str], tuple[datetime, int]] = {}
    for agency_id, regime_id, period, received_at, sid in rows_of(current_connection().execute(stmt, listed)):
        key = (agency_id, regime_id, period)
        if key not in out or (received_at, sid) < out[key]:
            out[key] = (received_at, sid)
    return out


@functools.cache
def _received_sql(by_regime: bool, by_period: bool, by_unit: bool) -> Executable:
    """The statement of :func:`_received`, built once per choice of filters (their values are
    expanding parameters: ``regimes``, ``periods``, ``units``)."""
    s, sp = schema.submission, schema.submission_period
    linked = (select(s.c.agency_id, sp.c.regime_id, sp.c.period, s.c.received_at, s.c.id)
              .join(sp, sp.c.submission_id == s.c.id).where(s.c.status == "accepted"))
    direct = (select(s.c.agency_id, s.c.regime_id, s.c.period, s.c.received_at, s.c.id)
              .where(and_(s.c.status == "accepted", s.c.regime_id.is_not(None), s.c.period.is_not(None))))
    if by_regime:
        linked = linked.where(sp.c.regime_id.in_(bindparam("regimes", expanding=True)))
        direct = direct.where(s.c.regime_id.in_(bindparam("regimes", expanding=True)))
    if by_period:
        linked = linked.where(sp.c.period.in_(bindparam("periods", expanding=True)))
        direct = direct.where(s.c.period.in_(bindparam("periods", expanding=True)))
    if by_unit:
        linked = linked.where(s.c.agency_id.in_(bindparam("units", expanding=True)))
        direct = direct.where(s.c.agency_id.in_(bindparam("units", expanding=True)))
    return union_all(linked, direct)


def _region_function(membership: dict[int, tuple[Membership, ...]], area_keys: dict[int, str]
                     ) -> Callable[[UnitRow, date], str | None]:
    def region_of(unit: UnitRow, d: date) -> str | None:
        if unit.area_id is None:
            return None
        for key, vf, vt in membership.get(unit.area_id, ()):
            if valid_on(vf, vt, d):
                return key
        return area_keys.get(unit.area_id)  # central units: their area is the nation

    return region_of


def _plan(start: date | None, end: date | None, periods: tuple[str, ...] | None, unit_code: str | None,
          regime_code: str | None) -> tuple[list[tuple[RegimeRow, list[Period]]], dict[int, tuple[UnitRow, ...]]]:
    """The regimes to cover with their periods (those with units only), and their units."""
    regimes, members, _, _ = _structure()
    if unit_code is not None:
        members = {rid: tuple(u for u in units if u.code == unit_code) for rid, units in members.items()}
    parsed: list[Period] | None = [parse_period(p) for p in periods] if periods is not None else None
    plan = [(r, regime_periods(r, start, end, parsed)) for r in regimes
            if (regime_code is None or r.code == regime_code) and members.get(r.id)]
    return [(r, ps) for r, ps in plan if ps], members


def _received_for(plan: list[tuple[RegimeRow, list[Period]]], members: dict[int, tuple[UnitRow, ...]],
                  unit_code: str | None) -> dict[tuple[int, int, str], tuple[datetime, int]]:
    """What :func:`_received` holds for the reports of a plan."""
    if not plan:
        return {}
    unit_ids = {u.id for r, _ in plan for u in members[r.id]} if unit_code is not None else None
    return _received({r.id for r, _ in plan}, {p.key for _, ps in plan for p in ps}, unit_ids)


def _calendar(today: date, start: date | None = None, end: date | None = None, periods: tuple[str, ...] | None = None,
              unit_code: str | None = None, regime_code: str | None = None) -> pd.DataFrame:
    _, _, membership, area_keys = _structure()
    plan, members = _plan(start, end, periods, unit_code, regime_code)
    rows = expected_reports(plan, members, _received_for(plan, members, unit_code), today,
                            region_of=_region_function(membership, area_keys))
    return calendar_frame(rows)


@cached_query(scopes=submissions_scope)
def _calendar_cached(today: date, start: date | None, end: date | None, periods: tuple[str, ...] | None,
                     unit_code: str | None, regime_code: str | None) -> pd.DataFrame:
    return _calendar(today, start, end, periods, unit_code, regime_code)


def owed_regimes(unit_code: str | None = None, today: date | None = None) -> tuple[RegimeRow, ...]:
    """The regimes with a report due in the default window of :func:`reporting_calendar` (a year
    up to ``today`` and the next 31 days), by code; ``unit_code``: the regimes that unit owes.
    Reference data only: it does not depend on what was received."""
    return _owed_regimes(_today(today), unit_code)


@reference_data
def _owed_regimes(today: date, unit_code: str | None) -> tuple[RegimeRow, ...]:
    plan, members = _plan(today - timedelta(days=LOOKBACK_DAYS), today + timedelta(days=31), None, unit_code, None)
    owed = [r for r, ps in plan if any(valid_on(u.valid_from, u.valid_to, p.end) for p in ps for u in members[r.id])]
    return tuple(sorted(owed, key=lambda r: r.code))


def reporting_calendar(unit_code: str | None = None, start: date | None = None, end: date | None = None,
                       today: date | None = None, regime_code: str | None = None) -> pd.DataFrame:
    """Expected reports whose deadline falls in [start, end] (default: the year up to ``today``
    and the next 31 days), for one unit and/or one regime or all. Columns: see the module."""
    today = _today(today)
    start = start or today - timedelta(days=LOOKBACK_DAYS)
    end = end or today + timedelta(days=31)
    return _calendar_cached(today, start, end, None, unit_code, regime_code)


def compliance_matrix(regime_code: str | None, periods: tuple[str, ...], today: date | None = None,
                      unit_code: str | None = None) -> pd.DataFrame:
    """Units × periods. Columns: regime_code, unit_code, unit_name_vi, unit_name_en, unit_group, then
    one column per period key holding the state (``on_time`` | ``late`` | ``missing`` |
    ``not_due``; None where the unit owes nothing, e.g. an old province after 2025-06-30).
    ``regime_code`` None: every regime (a row per regime and unit); ``unit_code``: that unit only."""
    today = _today(today)
    periods = tuple(periods)
    cal = _calendar_cached(today, None, None, periods, unit_code, regime_code)
    index = ["regime_code", "unit_code", "unit_name_vi", "unit_name_en", "unit_group"]
    if cal.empty:
        return pd.DataFrame(columns=index + list(periods))
    wide = cal.pivot_table(index=index, columns="period", values="state", aggfunc="first")
    wide = wide.reindex(columns=list(periods))
    wide = wide.astype(object).where(wide.notna(), None)
    wide.columns.name = None
    return wide.reset_index()


def reporting_rates(regime_code: str | None = None, start: date | None = None, end: date | None = None,
                    today: date | None = None, by: str = "unit", unit_code: str | None = None) -> pd.DataFrame:
    """DHIS2 reporting rates over the reports due in [start, end] (default: the last year up to
    ``today``). ``by``: ``unit`` | ``group`` (ministries / provinces) | ``region`` | ``overall``.
    Columns: key (unit code, group, region key or ``all``), expected, received, on_time, late,
    missing, not_due, completeness (% received / expected), timeliness (% on time / expected);
    ``by="unit"`` adds unit_name_vi, unit_name_en, unit_group. ``unit_code``: over that unit's reports only."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    today = _today(today)
    start = start or today - timedelta(days=LOOKBACK_DAYS)
    end = end or today
    cal = _calendar_cached(today, start, end, None, unit_code, regime_code)
    out = rates(cal, GROUPINGS[by])
    if by == "unit":
        names = cal.drop_duplicates("unit_code").set_index("unit_code")[["unit_name_vi", "unit_name_en", "unit_group"]]
        out = out.join(names, on="key")
        out = out[RATE_COLUMNS + ["unit_name_vi", "unit_name_en", "unit_group"]]
    return out


def overdue_reports(today: date, since: date | None = None, regime_code: str | None = None,
                    unit_code: str | None = None) -> pd.DataFrame:
    """Reports whose deadline passed (from ``since``, default a year before ``today``) and that
    nobody sent: calendar rows in state ``missing``, the longest overdue first (``unit_code``: of
    that unit only)."""
    cal = _calendar_cached(today, since or today - timedelta(days=LOOKBACK_DAYS), today, None, unit_code, regime_code)
    missing = cal[cal["state"] == "missing"]
    return missing.sort_values(["days_late", "unit_code"], ascending=[False, True], kind="stable").reset_index(drop=True)


class MatrixRow(NamedTuple):
    unit_code: str
    unit_name_vi: str
    unit_name_en: str
    unit_group: str
    states: tuple[str | None, ...]  # per period of :attr:`RegimeCompliance.periods`; None: not owed


class UnitRates(NamedTuple):
    unit_code: str
    unit_name_vi: str
    unit_name_en: str
    unit_group: str
    rates: Rates


class Overdue(NamedTuple):
    unit_code: str
    unit_name_vi: str
    unit_name_en: str
    unit_group: str
    period: str
    deadline: date
    days_late: int


class RegimeCompliance(NamedTuple):
    """What the compliance page shows of one regime, from one calendar."""

    periods: tuple[str, ...]
    matrix: tuple[MatrixRow, ...]  # by unit code, as :func:`compliance_matrix`
    overall: Rates  # over the window, as ``reporting_rates(by="overall")``
    by_group: tuple[Rates, ...]  # as ``reporting_rates(by="group")``
    by_unit: tuple[UnitRates, ...]  # as ``reporting_rates(by="unit")``
    overdue: tuple[Overdue, ...]  # as :func:`overdue_reports`


_UNIT, _GROUP, _PERIOD, _DEADLINE, _STATE, _DAYS = (
    CALENDAR_COLUMNS.index(c) for c in ("unit_code", "unit_group", "period", "deadline", "state", "days_late"))


def _unit(row: CalendarRow) -> tuple[str, str, str, str]:
    """(unit code, name vi, name en, group) of a calendar row."""
    return row[_UNIT], row[_UNIT + 1], row[_UNIT + 2], row[_GROUP]


@cached_query(scopes=submissions_scope)
def regime_compliance(regime_code: str, periods: tuple[str, ...], start: date, today: date,
                      unit_code: str | None = None) -> RegimeCompliance:
    """One regime's compliance from one calendar: the matrix over ``periods`` (as
    :func:`compliance_matrix`), the reporting rates overall, by group and by unit and the overdue
    reports over the reports due in [start, today] (as :func:`reporting_rates` and
    :func:`overdue_reports` with that window); ``unit_code``: of that unit only. Plain tuples, so
    a cache hit is cheap to load."""
    periods = tuple(periods)
    window_plan, members = _plan(start, today, None, unit_code, regime_code)
    matrix_plan, _ = _plan(None, None, periods, unit_code, regime_code)
    window = {p.key for _, ps in window_plan for p in ps}
    column = {p.key: periods.index(p.key) for _, ps in matrix_plan for p in ps}
    merged: dict[RegimeRow, dict[str, Period]] = {}
    for regime, ps in window_plan + matrix_plan:
        merged.setdefault(regime, {}).update((p.key, p) for p in ps)
    plan = [(regime, list(ps.values())) for regime, ps in merged.items()]
    rows = expected_reports(plan, members, _received_for(plan, members, unit_code), today)

    units: dict[str, tuple[str, str, str, str]] = {}
    cells: dict[str, list[str | None]] = {}
    due: list[CalendarRow] = []  # the reports due in the window
    for row in rows:
        code, period = row[_UNIT], row[_PERIOD]
        if period in column:
            if code not in cells:
                units[code], cells[code] = _unit(row), [None] * len(periods)
            cells[code][column[period]] = row[_STATE]
        if period in window:
            due.append(row)
    names = {row[_UNIT]: _unit(row) for row in due}
    overdue = sorted((row for row in due if row[_STATE] == "missing"), key=lambda row: (-row[_DAYS], row[_UNIT]))
    return RegimeCompliance(
        periods=periods,
        matrix=tuple(MatrixRow(*units[code], tuple(cells[code])) for code in sorted(units)),
        overall=(count_rates(("all", row[_STATE]) for row in due) or [rates_of("all", {})])[0],
        by_group=tuple(count_rates((row[_GROUP], row[_STATE]) for row in due)),
        by_unit=tuple(UnitRates(*names[r.key], r) for r in count_rates((row[_UNIT], row[_STATE]) for row in due)),
        overdue=tuple(Overdue(*_unit(row), row[_PERIOD], row[_DEADLINE], row[_DAYS]) for row in overdue))


SUBMISSION_COLUMNS = ["id", "received_at", "channel", "filename", "status", "period", "regime_code", "periods",
                      "rows_total", "rows_written", "errors", "warnings", "submitted_by", "report"]


def report_for_viewer(report: dict[str, Any] | None, unit_code: str | None, viewer_unit: str | None
                      ) -> dict[str, Any] | None:
    """The validation report of a submission of ``unit_code`` as the current viewer may read it.

    In full for a viewer cleared for confidential indicators (clearance ``all``) and for the
    submitting unit itself (``viewer_unit``: a reporter's unit or a unit token's; it sent those
    values, and the intake accepts only the series it is assigned to report). For anyone else
    the findings about confidential indicators go through :func:`domain.findings.redact_report`:
    a row is shown as flagged, without the value, the series' statistics or the indicator code.
    Every reader that shows findings to a viewer passes them through here."""
    if report is None or current_clearance() in ("all", "admin") or (viewer_unit and viewer_unit == unit_code):
        return report
    return redact_report(report, confidential_codes())


def unit_submissions(unit_code: str, limit: int = 200, *, viewer_unit: str | None = None) -> pd.DataFrame:
    """The submissions of one unit, newest first, with their validation reports as the viewer
    may read them (:func:`report_for_viewer`; ``viewer_unit``: the viewer's own unit, None for
    a viewer without one). Columns: id, received_at, channel, filename, status, period (when
    one), regime_code (when one), periods (every period linked), rows_total, rows_written,
    errors, warnings, submitted_by, report (the JSON report as a dict, None for seeded rows)."""
    df = _unit_submissions(unit_code, limit)
    if df.empty:
        return df
    df = df.copy()
    df["report"] = [report_for_viewer(r, unit_code, viewer_unit) for r in df["report"]]
    return df


def submission_detail(submission_id: int, *, viewer_unit: str | None = None) -> dict[str, Any] | None:
    """One submission with its unit and its report as the viewer may read it (None if there is
    no such id). Keys: id, unit_code, status, received_at, channel, filename, sha256, period,
    regime_code, rows_total, rows_written, errors, warnings, submitted_by (a user name,
    ``token:<id>``, the operator of a CLI load), report (:func:`report_for_viewer`; None for
    seeded rows)."""
    found = _submission_detail(submission_id)
    if found is None:
        return None
    return {**found, "report": report_for_viewer(found["report"], found["unit_code"], viewer_unit)}


@cached_query(scopes=submissions_scope)
def _unit_submissions(unit_code: str, limit: int) -> pd.DataFrame:
    """:func:`unit_submissions` with the stored reports, whoever the viewer: not for display."""
    s, a, r, sp = schema.submission, schema.agency, schema.report_regime, schema.submission_period
    stmt = (select(s.c.id, s.c.received_at, s.c.channel, s.c.filename, s.c.status, s.c.period,
                   r.c.code.label("regime_code"), s.c.rows_total, s.c.rows_written, s.c.errors, s.c.warnings,
                   s.c.submitted_by, s.c.report)
            .join(a, a.c.id == s.c.agency_id).outerjoin(r, r.c.id == s.c.regime_id)
            .where(a.c.code == unit_code).order_by(s.c.received_at.desc(), s.c.id.desc()).limit(limit))
    conn = current_connection()
    rows = conn.execute(stmt).all()
    ids = [x.id for x in rows]
    links: dict[int, list[str]] = {}
    if ids:
        for sid, period in rows_of(conn.execute(select(sp.c.submission_id, sp.c.period)
                                                .where(sp.c.submission_id.in_(ids)).order_by(sp.c.period))):
            links.setdefault(sid, [])
            if period not in links[sid]:
                links[sid].append(period)
    data = []
    for x in rows:
        m = dict(x._mapping)
        m["report"] = json.loads(m["report"]) if m["report"] else None
        m["periods"] = links.get(x.id, [m["period"]] if m["period"] else [])
        data.append(m)
    return pd.DataFrame(data, columns=SUBMISSION_COLUMNS)


@cached_query(scopes=submissions_scope)
def _submission_detail(submission_id: int) -> dict[str, Any] | None:
    """:func:`submission_detail` with the stored report, whoever the viewer: not for display."""
    s, a, r = schema.submission, schema.agency, schema.report_regime
    stmt = (select(s.c.id, a.c.code.label("unit_code"), s.c.status, s.c.received_at, s.c.channel, s.c.filename,
                   s.c.sha256, s.c.period, r.c.code.label("regime_code"), s.c.rows_total, s.c.rows_written,
                   s.c.errors, s.c.warnings, s.c.submitted_by, s.c.report)
            .outerjoin(a, a.c.id == s.c.agency_id).outerjoin(r, r.c.id == s.c.regime_id)
            .where(s.c.id == submission_id))
    row = current_connection().execute(stmt).first()
    if row is None:
        return None
    out = dict(row._mapping)
    out["report"] = json.loads(out["report"]) if out["report"] else None
    return out
