"""Period keys in the DHIS2 style and the Decree 09/2019/NĐ-CP data cut-off windows.

Keys:
    ``2025``        year                      (periodicity ``Y``)
    ``2025S1``      half-year (S1, S2)        (``S``)
    ``2025Q3``      quarter (Q1..Q4)          (``Q``)
    ``202507``      month                     (``M``)
    ``2025-07-14``  day                       (``D``)

Every key knows its start and end date, the previous period, the same period one
year earlier and its data cut-off window (Art. 12 of Decree 09):

* month: the 15th of the previous month to the 14th of the reporting month;
* quarter: the 15th of the month before the quarter to the 14th of its last month;
* half-year: 15 Dec of the previous year to 14 Jun (S1), 15 Jun to 14 Dec (S2);
* year: 15 Dec of the previous year to 14 Dec;
* day: the day itself.

Keys sort correctly as strings only within one periodicity; use :attr:`Period.start`
to order mixed keys.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache
from typing import overload

PERIODICITIES = ("D", "M", "Q", "S", "Y")

_PATTERNS = (
    ("D", re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")),
    ("M", re.compile(r"^(\d{4})(\d{2})$")),
    ("Q", re.compile(r"^(\d{4})Q([1-4])$")),
    ("S", re.compile(r"^(\d{4})S([12])$")),
    ("Y", re.compile(r"^(\d{4})$")),
)

_MONTHS_PER = {"M": 1, "Q": 3, "S": 6, "Y": 12}

PERIODS_PER_YEAR = {"D": 365, "M": 12, "Q": 4, "S": 2, "Y": 1}  # a day: a common year

DEFAULT_SPAN = {"D": 90, "M": 36, "Q": 12, "S": 8, "Y": 10}
"""How many periods a trend shows when nothing else is asked for: three years of months, about
one season of days (the indicator and province pages, and their exports)."""


class PeriodError(ValueError):
    """A string is not a valid period key."""


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    """(year, month) ``delta`` months after the given month (``delta`` < 0: before)."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, order=False)
class Period:
    """One reporting period. Build it with :func:`parse` or the class methods."""

    periodicity: str
    year: int
    index: int  # month 1-12, quarter 1-4, half 1-2, 1 for a year, day-of-year for D
    day: date | None = None

    # -- construction -------------------------------------------------------------
    @classmethod
    def from_date(cls, periodicity: str, d: date) -> Period:
        """The period of the given periodicity that contains ``d``."""
        if cls is Period and type(d) is date:  # periods are immutable: one per (periodicity, day) is built once
            return _from_date(periodicity, d)
        return cls._build(periodicity, d)

    @classmethod
    def _build(cls, periodicity: str, d: date) -> Period:
        if periodicity == "D":
            return cls("D", d.year, d.timetuple().tm_yday, d)
        if periodicity == "M":
            return cls("M", d.year, d.month)
        if periodicity == "Q":
            return cls("Q", d.year, (d.month - 1) // 3 + 1)
        if periodicity == "S":
            return cls("S", d.year, 1 if d.month <= 6 else 2)
        if periodicity == "Y":
            return cls("Y", d.year, 1)
        raise PeriodError(f"unknown periodicity {periodicity!r}")

    # -- dates -------------------------------------------------------------------
    @cached_property  # computed once per period (a board asks a period for its dates hundreds of times)
    def key(self) -> str:
        if self.periodicity == "D":
            assert self.day is not None
            return self.day.isoformat()
        if self.periodicity == "M":
            return f"{self.year:04d}{self.index:02d}"
        if self.periodicity == "Q":
            return f"{self.year:04d}Q{self.index}"
        if self.periodicity == "S":
            return f"{self.year:04d}S{self.index}"
        return f"{self.year:04d}"

    @property
    def first_month(self) -> int:
        if self.periodicity == "D":
            assert self.day is not None
            return self.day.month
        return (self.index - 1) * _MONTHS_PER[self.periodicity] + 1

    @property
    def last_month(self) -> int:
        if self.periodicity == "D":
            return self.first_month
        return self.first_month + _MONTHS_PER[self.periodicity] - 1

    @cached_property  # computed once per period (a board asks a period for its dates hundreds of times)
    def start(self) -> date:
        if self.periodicity == "D":
            assert self.day is not None
            return self.day
        return date(self.year, self.first_month, 1)

    @cached_property  # computed once per period (a board asks a period for its dates hundreds of times)
    def end(self) -> date:
        if self.periodicity == "D":
            assert self.day is not None
            return self.day
        return _last_day(self.year, self.last_month)

    def cutoff_window(self) -> tuple[date, date]:
        """The Decree 09 (Art. 12) data cut-off window as (first day, last day)."""
        if self.periodicity == "D":
            return self.start, self.end
        y, m = add_months(self.year, self.first_month, -1)
        return date(y, m, 15), date(self.year, self.last_month, 14)

    # -- navigation ----------------------------------------------------------------
    def shift(self, n: int) -> Period:
        """The period ``n`` steps later (``n`` < 0: earlier) of the same periodicity."""
        if self.periodicity == "D":
            assert self.day is not None
            return Period.from_date("D", self.day + timedelta(days=n))
        if self.periodicity == "Y":
            return _period("Y", self.year + n, 1)
        per_year = 12 // _MONTHS_PER[self.periodicity]
        pos = self.year * per_year + (self.index - 1) + n
        return _period(self.periodicity, pos // per_year, pos % per_year + 1)

    def previous(self) -> Period:
        return self.shift(-1)

    def next(self) -> Period:
        return self.shift(1)

    def same_period_last_year(self) -> Period:
        if self.periodicity == "D":
            assert self.day is not None
            d = self.day
            try:
                return Period.from_date("D", d.replace(year=d.year - 1))
            except ValueError:  # 29 February
                return Period.from_date("D", date(d.year - 1, 2, 28))
        return _period(self.periodicity, self.year - 1, self.index)

    def year_start(self) -> Period:
        """The first period of the same periodicity in this period's year (for YTD sums)."""
        if self.periodicity == "D":
            return Period.from_date("D", date(self.year, 1, 1))
        return _period(self.periodicity, self.year, 1)

    def __str__(self) -> str:
        return self.key

    def __lt__(self, other: Period) -> bool:
        return (self.start, self.end) < (other.start, other.end)


def parse(key: str) -> Period:
    """Parse a period key; raises :class:`PeriodError` with the reason (also for a value that is
    not a string)."""
    if not isinstance(key, str):
        raise PeriodError(f"period must be text, got {type(key).__name__}")
    return _parse(key)


@lru_cache(maxsize=65536)
def _period(periodicity: str, year: int, index: int) -> Period:
    """The period (other than a day) of ``year`` and ``index``: built once, so its key and dates
    are computed once (a board steps back a year or a period from a hundred latest periods)."""
    return Period(periodicity, year, index)


@lru_cache(maxsize=65536)
def _from_date(periodicity: str, d: date) -> Period:
    return Period._build(periodicity, d)


@lru_cache(maxsize=65536)
def _parse(key: str) -> Period:
    text = key.strip()
    for periodicity, pattern in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match.group(1))
        if not 1900 <= year <= 2200:
            raise PeriodError(f"year {year} out of range in period {key!r}")
        if periodicity == "D":
            try:
                d = date(year, int(match.group(2)), int(match.group(3)))
            except ValueError as exc:
                raise PeriodError(f"{key!r} is not a calendar date") from exc
            return Period.from_date("D", d)
        if periodicity == "M":
            month = int(match.group(2))
            if not 1 <= month <= 12:
                raise PeriodError(f"month {month:02d} out of range in period {key!r}")
            return Period("M", year, month)
        if periodicity == "Y":
            return Period("Y", year, 1)
        return Period(periodicity, year, int(match.group(2)))
    raise PeriodError(
        f"{key!r} is not a period key (expected 2025, 2025S1, 2025Q3, 202507 or 2025-07-14)"
    )


def is_valid(key: str) -> bool:
    """Whether ``key`` is a period key."""
    try:
        parse(key)
    except PeriodError:
        return False
    return True


def clean_key(value: object, periodicity: str | None = None) -> str | None:
    """The canonical key of ``value`` when it is a period key (of ``periodicity`` when given), else
    None: for keys that come from a URL or a browser (any JSON value); never raises."""
    if not isinstance(value, str) or len(value) > 20:
        return None
    try:
        p = parse(value)
    except PeriodError:
        return None
    return p.key if periodicity is None or p.periodicity == periodicity else None


def periods_between(first: str | Period, last: str | Period) -> list[Period]:
    """All periods from ``first`` to ``last`` inclusive (same periodicity)."""
    a = parse(first) if isinstance(first, str) else first
    b = parse(last) if isinstance(last, str) else last
    if a.periodicity != b.periodicity:
        raise PeriodError(f"{a.key} and {b.key} have different periodicities")
    out: list[Period] = []
    p = a
    while p.start <= b.start:
        out.append(p)
        p = p.next()
    return out


def default_start(end: Period) -> Period:
    """The first period of the default span (:data:`DEFAULT_SPAN`) that ends with ``end``."""
    return end.shift(-(DEFAULT_SPAN[end.periodicity] - 1))


@overload
def as_date(value: date | str) -> date: ...
@overload
def as_date(value: None) -> None: ...
@overload
def as_date(value: object) -> date | None: ...
def as_date(value: object) -> date | None:
    """A date read from the warehouse: PostgreSQL gives dates, SQLite may give ISO text; a
    datetime becomes its date; None stays None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
