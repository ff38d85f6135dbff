"""Series of one indicator as the indicator page and the exports show them: what the warehouse
holds (coverage, span, latest period), any mix of nation, provinces and regions, and the change
on the same period last year, on the current provinces when asked.

Composed from :mod:`data_access.queries`; every public function returns a DataFrame (columns
documented) or a small frozen dataclass and is memoized with
:func:`data_access.cache.memo.cached_query`. Reads use the request's connection.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Executable, bindparam, func, select

from data_access import schema
from data_access.cache.memo import cached_query
from data_access.cache.scopes import indicator_scope
from data_access.catalogue import area_map, get_indicator, successors
from data_access.engine import current_connection
from data_access.queries import backcast_floors, comparable_series, regional_series_rows, series, series_rows
from domain.aggregation import REBUILD_RULES
from domain.eras import ERA_SWITCH
from domain.periods import PERIODS_PER_YEAR, Period, as_date, parse, periods_between

c = schema.current_observation

#: Columns of :func:`series_with_change`.
CHANGE_COLUMNS = ["area_key", "period", "period_start", "value", "status", "revision", "flag", "complete",
                  "comparable", "rebuilt", "last_year_value", "change", "change_pct"]



def _rows(stmt: Executable, params: dict[str, Any] | None = None) -> Sequence[tuple[Any, ...]]:
    return current_connection().execute(stmt, params or {}).all()


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


# --- what the warehouse holds of an indicator ----------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """What the warehouse holds for one indicator (all areas)."""

    first_period: str | None
    last_period: str | None
    updated_at: datetime | None  # latest ``recorded_at`` of a current value


_COVERAGE_SQL = select(func.min(c.c.period_start), func.max(c.c.period_start), func.max(c.c.recorded_at)) \
    .where(c.c.indicator_id == bindparam("ind"))


@cached_query(scopes=indicator_scope)
def indicator_coverage(code: str) -> Coverage:
    """First and last period with a value (any area) and the last update (the latest time a
    current value was recorded: one pass over the indicator's current values)."""
    ind = get_indicator(code)
    lo, hi, updated = _rows(_COVERAGE_SQL, {"ind": ind.id})[0]
    lo, hi = as_date(lo), as_date(hi)
    return Coverage(
        first_period=Period.from_date(ind.periodicity, lo).key if lo else None,
        last_period=Period.from_date(ind.periodicity, hi).key if hi else None,
        updated_at=_as_datetime(updated),
    )


@dataclass(frozen=True)
class Span:
    first_period: str | None
    last_period: str | None


_SPAN_SQL = select(func.min(c.c.period_start), func.max(c.c.period_start)).where(c.c.indicator_id == bindparam("ind"))


@cached_query(scopes=indicator_scope)
def indicator_span(code: str) -> Span:
    """First and last period with a value (any area): what a view's window is checked against.
    Two index probes, where :func:`indicator_coverage` (the last update)
    reads every stored value of the indicator."""
    ind = get_indicator(code)
    lo, hi = (as_date(d) for d in _rows(_SPAN_SQL, {"ind": ind.id})[0])
    return Span(first_period=Period.from_date(ind.periodicity, lo).key if lo else None,
                last_period=Period.from_date(ind.periodicity, hi).key if hi else None)


_LATEST_SQL = (select(c.c.period).where(c.c.indicator_id == bindparam("ind"), c.c.area_id == bindparam("area"),
                                        c.c.period_start <= bindparam("until"), c.c.period_start >= bindparam("since"))
               .order_by(c.c.period_start.desc()).limit(1))


@cached_query(scopes=indicator_scope)
def latest_period(code: str, area_key: str = "VN", until: str | None = None) -> str | None:
    """The latest period key with a value of ``code`` at ``area_key`` not after ``until``
    (a period key; open when None), among the area's own periods (never a back-cast). Regions
    have no stored values: the nation's is used."""
    ind = get_indicator(code)
    amap = area_map()
    area = amap.get(area_key)
    if area is None or area.level == "region":
        area = amap["VN"]
    hi = parse(until).start if until else date(2200, 1, 1)
    since = backcast_floors(ind.periodicity).get(area.id, date(1, 1, 1))
    rows = _rows(_LATEST_SQL, {"ind": ind.id, "area": area.id, "until": hi, "since": since})
    return rows[0][0] if rows else None


# --- series for any mix of areas, with the change on the same period last year -------------------


#: Columns of :func:`area_series`.
AREA_COLUMNS = ["area_key", "period", "period_start", "value", "status", "revision", "flag", "complete"]


@cached_query(scopes=indicator_scope)
def area_series_rows(code: str, area_keys: tuple[str, ...], start: str, end: str) -> tuple[tuple[Any, ...], ...]:
    """Values of ``code`` for the nation, provinces (stored) and regions (aggregated from their
    provinces by the indicator's rule, each period with the regions of its own era) between the
    period keys ``start`` and ``end``. Rows of :data:`AREA_COLUMNS` (``complete`` False for a
    region where a province did not report; period starts as dates); ordered as ``area_keys``,
    then by period."""
    ind = get_indicator(code)
    amap = area_map()
    keys = [k for k in dict.fromkeys(area_keys) if k in amap]
    stored = tuple(k for k in keys if amap[k].level != "region")
    regions = [k for k in keys if amap[k].level == "region"]
    records: list[tuple[Any, ...]] = []
    if stored:
        records += [(*r[:7], True) for r in series_rows(code, stored, start, end)]
    if regions and ind.provincial and ind.aggregation != "none":
        # the regions shown only; rows of period, start, then AggRow's fields
        records += [(k, p, ps, v, None, None, None, bool(complete)) for p, ps, k, _vi, _en, v, _n, _r, complete
                    in regional_series_rows(code, start, end, tuple(sorted(regions)))]
    return tuple(_in_order(records, keys))


def area_series(code: str, area_keys: tuple[str, ...], start: str, end: str) -> pd.DataFrame:
    """:func:`area_series_rows` as a frame. Columns: :data:`AREA_COLUMNS`."""
    return pd.DataFrame(list(area_series_rows(code, area_keys, start, end)), columns=AREA_COLUMNS)


def _in_order(records: list[tuple[Any, ...]], keys: Sequence[str]) -> list[tuple[Any, ...]]:
    """``records`` (area key, period, period start, ...) as dates, ordered as ``keys``, then by period."""
    order = {k: i for i, k in enumerate(keys)}
    records = [(k, p, as_date(ps), *rest) for k, p, ps, *rest in records]
    return sorted(records, key=lambda r: (order.get(r[0], len(order)), r[2]))


def comparable_keys(area_keys: tuple[str, ...]) -> tuple[str, ...]:
    """The keys a comparable view shows: former provinces are replaced by their successor among
    the current 34 (deduplicated, order kept); other areas unchanged."""
    succ = successors()
    return tuple(dict.fromkeys(succ.get(k, k) for k in area_keys))


@cached_query(scopes=indicator_scope)
def series_with_change(code: str, area_keys: tuple[str, ...], start: str, end: str,
                       comparable: bool = False) -> pd.DataFrame:
    """:func:`area_series` plus the value of the same period one year earlier and the change on it
    (``change`` absolute, ``change_pct`` in per cent). With ``comparable``, provinces are
    expressed on the current 34 provinces (:func:`comparable_keys`, values from
    :func:`data_access.queries.comparable_series`): ``comparable`` is False where the history
    cannot be rebuilt (those rows keep a NaN value) and ``rebuilt`` marks rebuilt values.
    Columns: :data:`CHANGE_COLUMNS`; ordered as the (mapped) keys, then by period."""
    get_indicator(code)  # NotFound for unknown or confidential codes
    first = parse(start)
    lo = first.shift(-PERIODS_PER_YEAR[first.periodicity]).key  # one year more, for the changes
    amap = area_map()
    keys = comparable_keys(area_keys) if comparable else tuple(dict.fromkeys(area_keys))
    provinces = tuple(k for k in keys if k in amap and amap[k].level == "province")
    plain = tuple(k for k in keys if k not in provinces) if comparable else keys
    plain_rows = area_series_rows(code, plain, lo, end)
    rows: list[tuple[Any, ...]]
    if not (comparable and provinces):
        rows = [(*r, True, False) for r in plain_rows]  # comparable, not rebuilt
    else:
        df = pd.DataFrame(list(plain_rows), columns=AREA_COLUMNS).assign(comparable=True, rebuilt=False)
        cs = comparable_series(code, provinces, lo, end)
        cs = pd.concat([cs, _not_comparable_rows(code, provinces, lo, end, cs)], ignore_index=True)
        if not cs.empty:
            # values that were not rebuilt are the provinces' own reports: keep their status marks
            own = series(code, provinces, lo, end, backcasts=True)[["area_key", "period", "status", "revision",
                                                                    "flag"]]
            cs = cs.merge(own, on=["area_key", "period"], how="left")
            cs.loc[cs["rebuilt"], ["status", "revision", "flag"]] = None
            cs = cs.assign(value=cs["value"].where(cs["comparable"], np.nan), complete=True)
            df = pd.concat([df, cs[df.columns]], ignore_index=True) if not df.empty else cs[df.columns]
        rows = list(zip(*(df[col] for col in CHANGE_COLUMNS[:10]), strict=True))
    if not rows:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    value_at: dict[tuple[str, str], float] = {}
    for r in rows:
        value_at.setdefault((r[0], r[1]), r[3])
    last_year = {p: parse(p).same_period_last_year().key for p in {r[1] for r in rows}}
    records = []
    for r in rows:
        ly = value_at.get((r[0], last_year[r[1]]))
        ly = math.nan if ly is None else float(ly)
        value = math.nan if r[3] is None else float(r[3])
        pct = (value / ly - 1.0) * 100.0 if ly == ly and ly != 0 else math.nan
        records.append((*r[:7], bool(r[7]), bool(r[8]), bool(r[9]), ly, value - ly, pct))
    records = [r for r in _in_order(records, keys) if r[2] >= first.start]
    return pd.DataFrame(records, columns=CHANGE_COLUMNS)


def _not_comparable_rows(code: str, provinces: tuple[str, ...], start: str, end: str,
                         have: pd.DataFrame) -> pd.DataFrame:
    """Placeholder rows (value NaN, ``comparable`` False) for the periods before 2025-07-01 that
    :func:`comparable_series` leaves out because the indicator has no rule to rebuild a province
    that changed territory: a table can then say "not comparable" instead of showing nothing."""
    ind = get_indicator(code)
    cols = ["area_key", "period", "period_start", "value", "rebuilt", "comparable"]
    if ind.aggregation in REBUILD_RULES:
        return pd.DataFrame(columns=cols)
    formers: dict[str, set[str]] = {}
    for old, new in successors().items():
        formers.setdefault(new, set()).add(old)
    changed = [k for k in provinces if formers.get(k, {k}) != {k}]
    last_old = Period.from_date(ind.periodicity, ERA_SWITCH).previous()
    first = parse(start)
    stop = min(parse(end), last_old, key=lambda p: p.start)
    if not changed or first.start > stop.start:
        return pd.DataFrame(columns=cols)
    present = set(zip(have["area_key"], have["period"], strict=True)) if not have.empty else set()
    rows = [(k, p.key, p.start, math.nan, False, False)
            for k in changed for p in periods_between(first, stop) if (k, p.key) not in present]
    return pd.DataFrame(rows, columns=cols)
