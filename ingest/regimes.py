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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

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
    if frequency == "D":
        p = Period.from_date("D", start - timedelta(days=1))
    else:
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


def build_calendar(regimes: Iterable[RegimeRow], members: dict[int, list[UnitRow]],
                   received: dict[tuple[int, int, str], tuple[datetime, int]], today: date,
                   start: date | None = None, end: date | None = None, periods: Iterable[Period] | None = None,
                   region_of: Callable[[UnitRow, date], str | None] | None = None) -> pd.DataFrame:
    """One row per expected report (columns :data:`CALENDAR_COLUMNS`): either every period whose
    deadline falls in [start, end], or the given ``periods`` (each for the regimes of its
    periodicity). ``members``: regime id → its units; ``received``: (unit id, regime id, period) →
    (first accepted received_at, submission id); ``region_of(unit, period_end)``: the region key
    of a unit in that period (None: not computed)."""
    wanted = list(periods) if periods is not None else None
    rows = []
    for regime in regimes:
        if wanted is not None:
            ps = [p for p in wanted if p.periodicity == regime.frequency]
        else:
            ps = periods_due_between(regime.frequency, start, end, regime.deadline_day, regime.deadline_month_offset)
        for p in ps:
            due = deadline(regime.frequency, p, regime.deadline_day, regime.deadline_month_offset)
            for unit in members.get(regime.id, ()):
                if not valid_on(unit.valid_from, unit.valid_to, p.end):
                    continue
                got = received.get((unit.id, regime.id, p.key))
                received_at, sid = got if got else (None, None)
                st = state_of(received_at, due, today)
                if received_at is not None:
                    late_days = max((received_at.date() - due).days, 0)
                elif st == "missing":
                    late_days = (today - due).days
                else:
                    late_days = 0
                region = region_of(unit, p.end) if region_of else None
                rows.append((regime.code, regime.name_vi, regime.name_en, regime.frequency, unit.code, unit.name_vi,
                             unit.name_en, unit.kind, unit.group, region, p.key, p.start, p.end, due, received_at, sid,
                             st, late_days))
    df = pd.DataFrame(rows, columns=CALENDAR_COLUMNS)
    if not df.empty:
        df = df.sort_values(["deadline", "regime_code", "unit_code"], kind="stable").reset_index(drop=True)
    df["submission_id"] = df["submission_id"].astype("Int64")
    df["received_at"] = pd.to_datetime(df["received_at"])
    return df


RATE_COLUMNS = ["key", "expected", "received", "on_time", "late", "missing", "not_due", "completeness",
                "timeliness"]


def rates(calendar: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Reporting rates of a calendar grouped by its column ``by`` (None: one overall row with key
    ``all``). Columns :data:`RATE_COLUMNS`; rates in percent, NaN when nothing is expected yet."""
    keys = pd.Series("all", index=calendar.index, dtype=object) if by is None else calendar[by].astype(object)
    counts = pd.crosstab(keys, calendar["state"]) if not calendar.empty else pd.DataFrame()
    counts = counts.reindex(columns=list(STATES), fill_value=0)
    if by is None and counts.empty:
        counts = pd.DataFrame([[0] * len(STATES)], index=["all"], columns=list(STATES))
    out = counts.reset_index()
    out.columns = ["key", *STATES]
    out["received"] = out["on_time"] + out["late"]
    out["expected"] = out["received"] + out["missing"]
    expected = out["expected"].where(out["expected"] > 0).astype(float)
    out["completeness"] = (100.0 * out["received"] / expected).round(1)
    out["timeliness"] = (100.0 * out["on_time"] / expected).round(1)
    return out[RATE_COLUMNS].sort_values("key", kind="stable").reset_index(drop=True)


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
