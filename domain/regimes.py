"""Report regimes and the reporting calendar (Decree 09/2019/NĐ-CP), as pure functions.

A regime (``report_regime``) carries indicators (``regime_indicator``) and names its reporting
units (``regime_unit``); ``frequency`` is a periodicity (D M Q S Y). For each regime, unit and
period the calendar holds one **expected report**:

* a unit owes a period when it is valid on the period's END date (the provincial People's
  Committees of the 63 former provinces owe periods ending by 2025-06-30, the 34 new ones the
  periods ending from 2025-07-01; the same rule resolves area codes at intake);
* **deadline** (Art. 13): the regime's ``deadline_day`` (25 by default, capped at the month's
  length) of the period's last month, moved by ``deadline_month_offset`` months; daily reports:
  the next day. A report is **on time** when received by the end of the deadline day;
* **received**: the first accepted submission of that unit linked to that regime and period
  (``submission_period``, written at intake; or ``submission.regime_id``/``period`` for
  submissions that carry them, such as the seeded demo);
* **state**: ``on_time`` / ``late`` when received; otherwise ``missing`` once the deadline day has
  passed, else ``not_due``.

Reporting rates follow DHIS2: the expected reports are those already due (deadline passed) plus
those received early; **completeness** = received / expected, **timeliness** = on time / expected.
"""

from __future__ import annotations

import calendar as _calendar
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple, TypeAlias

from domain.eras import valid_on
from domain.periods import Period, add_months

STATES = ("on_time", "late", "missing", "not_due")
DEFAULT_DEADLINE_DAY = 25  # Art. 13: ministries and provinces report by the 25th of the period's last month


def deadline(frequency: str, period: Period, deadline_day: int = DEFAULT_DEADLINE_DAY, month_offset: int = 0) -> date:
    """The reporting deadline of ``period`` under a regime (Art. 13): day ``deadline_day`` (capped
    at the month's length) of the period's last month moved by ``month_offset`` months; a daily
    report: the next day. With the defaults, the deadline of the Decree itself."""
    if frequency == "D" or period.periodicity == "D":
        return period.end + timedelta(days=1)
    year, month = add_months(period.year, period.last_month, month_offset)
    day = min(max(deadline_day, 1), _calendar.monthrange(year, month)[1])
    return date(year, month, day)


def latest_due(periodicity: str, today: date) -> Period:
    """The latest period whose report deadline (:func:`deadline` with the Decree's defaults) has
    passed on ``today``: what the boards should show by now."""
    if periodicity == "D":
        return Period.from_date("D", today - timedelta(days=1))
    p = Period.from_date(periodicity, today)
    while deadline(periodicity, p) > today:
        p = p.previous()
    return p


def due_by(deadline_day: date) -> datetime:
    """The last instant a report counts as on time: the end of the deadline day."""
    return datetime.combine(deadline_day, time.max)


def state_of(received_at: datetime | None, due: date, today: date) -> str:
    """``on_time`` / ``late`` for a received report, else ``missing`` once ``due`` has passed,
    else ``not_due``."""
    if received_at is not None:
        return "on_time" if received_at <= due_by(due) else "late"
    return "missing" if today > due else "not_due"


def periods_due_between(frequency: str, start: date, end: date, deadline_day: int = DEFAULT_DEADLINE_DAY,
                        month_offset: int = 0) -> list[Period]:
    """The periods of ``frequency`` whose deadline falls in [start, end]."""
    if end < start:
        return []
    if frequency == "D":  # a day's deadline is the next day
        first = start - timedelta(days=1)
        return [Period.from_date("D", first + timedelta(days=i)) for i in range((end - start).days + 1)]
    back = start - timedelta(days=31 * (abs(month_offset) + 13))
    p = Period.from_date(frequency, back)
    out: list[Period] = []
    while True:
        d = deadline(frequency, p, deadline_day, month_offset)
        if d > end:
            break
        if d >= start:
            out.append(p)
        p = p.next()
    return out


# -- the calendar ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegimeRow:
    id: int
    code: str
    name_vi: str
    name_en: str
    frequency: str
    deadline_day: int
    deadline_month_offset: int


@dataclass(frozen=True)
class UnitRow:
    id: int
    code: str
    name_vi: str
    name_en: str
    kind: str
    group: str  # ministries | provinces
    valid_from: date | None
    valid_to: date | None
    area_id: int | None = None


CALENDAR_COLUMNS = [
    "regime_code", "regime_name_vi", "regime_name_en", "frequency", "unit_code", "unit_name_vi", "unit_name_en",
    "unit_kind", "unit_group", "region", "period", "period_start", "period_end", "deadline", "received_at", "submission_id",
    "state", "days_late",
]
#: One expected report, its fields in the order of :data:`CALENDAR_COLUMNS` (read by position).
CalendarRow: TypeAlias = tuple[Any, ...]


def unit_group(kind: str) -> str:
    """``provinces`` for provincial People's Committees, ``ministries`` for every central body."""
    return "provinces" if kind == "province" else "ministries"


def regime_periods(regime: RegimeRow, start: date | None = None, end: date | None = None,
                   periods: Iterable[Period] | None = None) -> list[Period]:
    """The periods a regime's calendar covers: those of ``periods`` of the regime's frequency, or
    else every period whose deadline falls in [start, end]."""
    if periods is not None:
        return [p for p in periods if p.periodicity == regime.frequency]
    if start is None or end is None:
        raise ValueError("a regime's periods need either the periods or a start and an end")
    return periods_due_between(regime.frequency, start, end, regime.deadline_day, regime.deadline_month_offset)


def expected_reports(plan: Iterable[tuple[RegimeRow, Iterable[Period]]], members: Mapping[int, Sequence[UnitRow]],
                     received: Mapping[tuple[int, int, str], tuple[datetime, int]], today: date,
                     region_of: Callable[[UnitRow, date], str | None] | None = None) -> list[CalendarRow]:
    """One tuple per expected report, in the order of :data:`CALENDAR_COLUMNS`, unsorted: for each
    (regime, its periods) of ``plan``, each unit of the regime (``members``: regime id → units)
    valid on the period's end date. ``received``: (unit id, regime id, period) → (first accepted
    received_at, submission id); ``region_of(unit, period_end)``: the region key of a unit in that
    period (None: not computed)."""
    rows: list[CalendarRow] = []
    regions: dict[tuple[int, date], str | None] = {}
    for regime, ps in plan:
        units = members.get(regime.id, ())
        if not units:
            continue
        for p in ps:
            key, p_start, p_end = p.key, p.start, p.end
            due = deadline(regime.frequency, p, regime.deadline_day, regime.deadline_month_offset)
            overdue_days = (today - due).days
            for unit in units:
                if not valid_on(unit.valid_from, unit.valid_to, p_end):
                    continue
                got = received.get((unit.id, regime.id, key))
                received_at, sid = got if got is not None else (None, None)
                st = state_of(received_at, due, today)
                if received_at is not None:
                    late_days = max((received_at.date() - due).days, 0)
                else:
                    late_days = overdue_days if st == "missing" else 0
                if region_of is None:
                    region = None
                else:
                    memo = (unit.id, p_end)
                    if memo not in regions:
                        regions[memo] = region_of(unit, p_end)
                    region = regions[memo]
                rows.append((regime.code, regime.name_vi, regime.name_en, regime.frequency, unit.code, unit.name_vi,
                             unit.name_en, unit.kind, unit.group, region, key, p_start, p_end, due, received_at, sid,
                             st, late_days))
    return rows


RATE_COLUMNS = ["key", "expected", "received", "on_time", "late", "missing", "not_due", "completeness",
                "timeliness"]


class Rates(NamedTuple):
    """Reporting rates of one group of expected reports (fields :data:`RATE_COLUMNS`); rates in
    percent rounded to one decimal, NaN when nothing is expected yet."""

    key: str
    expected: int
    received: int
    on_time: int
    late: int
    missing: int
    not_due: int
    completeness: float
    timeliness: float


def percent(part: int, whole: int) -> float:
    """``100 * part / whole`` rounded to one decimal as pandas rounds (the value times ten rounded
    half to even), NaN when ``whole`` is 0."""
    if not whole:
        return math.nan
    return round(100.0 * part / whole * 10) / 10


def rates_of(key: str, counts: dict[str, int]) -> Rates:
    """The rates of one group from its counts by state."""
    on_time, late, missing, not_due = (counts.get(s, 0) for s in STATES)
    received = on_time + late
    expected = received + missing
    return Rates(key, expected, received, on_time, late, missing, not_due, percent(received, expected),
                 percent(on_time, expected))


def count_rates(pairs: Iterable[tuple[str | None, str]]) -> list[Rates]:
    """Rates per key of (key, state) pairs, sorted by key; a None or NaN key is left out."""
    counts: dict[str, dict[str, int]] = {}
    for key, st in pairs:
        if key is None or key != key:
            continue
        c = counts.get(key)
        if c is None:
            c = counts[key] = {}
        c[st] = c.get(st, 0) + 1
    return [rates_of(key, counts[key]) for key in sorted(counts)]
