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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

import numpy as np
import pandas as pd

from data_access.periods import Period

STATES = ("on_time", "late", "missing", "not_due")


def deadline(frequency: str, period: Period, deadline_day: int = 25, month_offset: int = 0) -> date:
    """The reporting deadline of ``period`` under a regime (Art. 13)."""
    if frequency == "D" or period.periodicity == "D":
        return period.end + timedelta(days=1)
    index = period.year * 12 + (period.last_month - 1) + month_offset
    year, month = index // 12, index % 12 + 1
    day = min(max(deadline_day, 1), _calendar.monthrange(year, month)[1])
    return date(year, month, day)


def due_by(deadline_day: date) -> datetime:
    """The last instant a report counts as on time: the end of the deadline day."""
    return datetime.combine(deadline_day, time.max)


def state_of(received_at: datetime | None, due: date, today: date) -> str:
    if received_at is not None:
        return "on_time" if received_at <= due_by(due) else "late"
    return "missing" if today > due else "not_due"


def periods_due_between(frequency: str, start: date, end: date, deadline_day: int = 25,
                        month_offset: int = 0) -> list[Period]:
    """The periods of ``frequency`` whose deadline falls in [start, end]."""
    if end < start:
        return []
    if frequency == "D":  # a day's deadline is the next day
        first = start - timedelta(days=1)
        return [Period.from_date("D", first + timedelta(days=i)) for i in range((end - start).days + 1)]
    back = start - timedelta(days=31 * (abs(month_offset) + 13))
    p = Period.from_date(frequency, back)
    out = []
    while True:
        d = deadline(frequency, p, deadline_day, month_offset)
        if d > end:
            break
        if d >= start:
            out.append(p)
        p = p.next()
    return out


def valid_on(valid_from: date | None, valid_to: date | None, d: date) -> bool:
    return (valid_from is None or valid_from <= d) and (valid_to is None or d <= valid_to)


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


def unit_group(kind: str) -> str:
    """``provinces`` for provincial People's Committees, ``ministries`` for every central body."""
    return "provinces" if kind == "province" else "ministries"


def regime_periods(regime: RegimeRow, start: date | None = None, end: date | None = None,
                   periods: Iterable[Period] | None = None) -> list[Period]:
    """The periods a regime's calendar covers: those of ``periods`` of the regime's frequency, or
    else every period whose deadline falls in [start, end]."""
    if periods is not None:
        return [p for p in periods if p.periodicity == regime.frequency]
    return periods_due_between(regime.frequency, start, end, regime.deadline_day, regime.deadline_month_offset)


def expected_reports(plan: Iterable[tuple[RegimeRow, Iterable[Period]]], members: dict[int, Sequence[UnitRow]],
                     received: dict[tuple[int, int, str], tuple[datetime, int]], today: date,
                     region_of: Callable[[UnitRow, date], str | None] | None = None) -> list[tuple]:
    """One tuple per expected report, in the order of :data:`CALENDAR_COLUMNS`, unsorted: for each
    (regime, its periods) of ``plan``, each unit of the regime (``members``: regime id → units)
    valid on the period's end date. ``received`` and ``region_of`` as in :func:`build_calendar`."""
    rows = []
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


_SORT = tuple(CALENDAR_COLUMNS.index(c) for c in ("deadline", "regime_code", "unit_code"))


def calendar_frame(rows: list[tuple]) -> pd.DataFrame:
    """The calendar of :func:`expected_reports` rows: columns :data:`CALENDAR_COLUMNS`, sorted by
    deadline, regime and unit (in Python, stable: pandas sorts a column of dates slowly)."""
    d, r, u = _SORT
    df = pd.DataFrame(sorted(rows, key=lambda row: (row[d], row[r], row[u])), columns=CALENDAR_COLUMNS)
    df["submission_id"] = df["submission_id"].astype("Int64")
    df["received_at"] = pd.to_datetime(df["received_at"])
    return df


def build_calendar(regimes: Iterable[RegimeRow], members: dict[int, Sequence[UnitRow]],
                   received: dict[tuple[int, int, str], tuple[datetime, int]], today: date,
                   start: date | None = None, end: date | None = None, periods: Iterable[Period] | None = None,
                   region_of: Callable[[UnitRow, date], str | None] | None = None) -> pd.DataFrame:
    """One row per expected report (columns :data:`CALENDAR_COLUMNS`): either every period whose
    deadline falls in [start, end], or the given ``periods`` (each for the regimes of its
    periodicity). ``members``: regime id → its units; ``received``: (unit id, regime id, period) →
    (first accepted received_at, submission id); ``region_of(unit, period_end)``: the region key
    of a unit in that period (None: not computed)."""
    wanted = list(periods) if periods is not None else None
    plan = [(regime, regime_periods(regime, start, end, wanted)) for regime in regimes]
    return calendar_frame(expected_reports(plan, members, received, today, region_of))


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


# -- links of a submission to regimes and periods -------------------------------------------------------


def submission_links(rows: pd.DataFrame, unit_id: int, regimes_carrying) -> list[tuple[int, str, int]]:
    """(regime id, period, rows) for the valid rows of a submission: each row counts for every
    regime of the unit that carries its indicator. ``regimes_carrying(unit_id, indicator_id)``
    returns regime ids (see :meth:`ingest.validate.Catalogue.regimes_carrying`). Vectorised: one
    look-up per distinct indicator, one count per regime."""
    if rows.empty:
        return []
    period_codes, periods = pd.factorize(rows["period"])
    indicators = rows["indicator_id"].to_numpy()
    by_regime: dict[int, list[int]] = {}
    for ind in pd.unique(indicators):
        for regime in regimes_carrying(unit_id, int(ind)):
            by_regime.setdefault(regime, []).append(int(ind))
    out = []
    for regime, inds in by_regime.items():
        counts = np.bincount(period_codes[np.isin(indicators, inds)], minlength=len(periods))
        out += [(regime, str(periods[i]), int(n)) for i, n in enumerate(counts) if n]
    return sorted(out)


# -- the default regimes of a catalogue ---------------------------------------------------------------------

FREQ_VI = {"D": "hằng ngày", "M": "tháng", "Q": "quý", "S": "6 tháng", "Y": "năm"}
FREQ_EN = {"D": "daily", "M": "monthly", "Q": "quarterly", "S": "half-yearly", "Y": "annual"}


def catalogue_regimes(indicators: list[dict], agencies: list[dict]) -> tuple[list[dict], list[tuple[str, str]],
                                                                           list[tuple[str, str]]]:
    """The regimes a catalogue implies (the same as the demo seed's): one per owning agency and
    periodicity carrying that agency's indicators, reported by the agency; and one per periodicity
    for the provincial People's Committees (``UBND-<periodicity>``) carrying the indicators
    reported at province level. Returns (regimes, (regime, indicator) pairs, (regime, unit) pairs)."""
    names = {a["code"]: a for a in agencies}
    regimes: list[dict] = []
    carries: list[tuple[str, str]] = []
    units: list[tuple[str, str]] = []
    for agency, periodicity in sorted({(r["agency_code"], r["periodicity"]) for r in indicators}):
        code = f"{agency}-{periodicity}"
        a = names[agency]
        regimes.append({
            "code": code,
            "name_vi": f"Báo cáo {FREQ_VI[periodicity]} các chỉ tiêu của {a['name_vi']}",
            "name_en": f"{FREQ_EN[periodicity].capitalize()} indicator report of the {a['name_en']}",
            "frequency": periodicity, "deadline_day": 25,
        })
        units.append((code, agency))
        carries += [(code, r["code"]) for r in indicators if r["agency_code"] == agency and r["periodicity"] == periodicity]
    provinces = sorted(a["code"] for a in agencies if a["kind"] == "province")
    for periodicity in sorted({r["periodicity"] for r in indicators if "province" in r["levels"]}):
        code = f"UBND-{periodicity}"
        regimes.append({
            "code": code,
            "name_vi": f"Báo cáo {FREQ_VI[periodicity]} tình hình kinh tế - xã hội của UBND cấp tỉnh",
            "name_en": f"{FREQ_EN[periodicity].capitalize()} socio-economic report of the provincial People's Committees",
            "frequency": periodicity, "deadline_day": 25,
        })
        units += [(code, u) for u in provinces]
        carries += [(code, r["code"]) for r in indicators if r["periodicity"] == periodicity and "province" in r["levels"]]
    return regimes, carries, units
