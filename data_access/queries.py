# size: the warehouse's core reads (series, cross-sections, regional aggregates, KPI snapshots), each in its PostgreSQL and SQLite form
"""Reads of observations for the boards: series, cross-sections with ranks, regional aggregates
by each indicator's aggregation rule, KPI snapshots with targets and status.

Every public function returns a DataFrame (columns documented) or small dataclasses and is
memoized under the warehouse ``data_version`` and the viewer's clearance. SQL is SQLAlchemy
Core with bound parameters, shaped for the primary key ``(indicator_id, area_id, period_start)``
and the index ``(indicator_id, period_start, area_id)`` of ``current_observation``.
"""

from __future__ import annotations

import math
import struct
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple, TypeAlias

import pandas as pd
from sqlalchemy import ColumnElement, Executable, and_, bindparam, func, literal_column, or_, select, true, type_coerce
from sqlalchemy.types import Date, Integer, NullType

from data_access import rollups, schema
from data_access.cache.memo import cached_query, reference_data, view_rows
from data_access.cache.scopes import indicator_scope, indicators_scope, targets_scope
from data_access.catalogue import (
    Area,
    Indicator,
    area_ids,
    area_map,
    areas_on,
    get_indicator,
    region_members,
    successors,
)
from data_access.engine import array_param, array_text, current_connection, rows_of
from domain.aggregation import REBUILD_RULES, aggregate, is_flow, is_ytd_sum, rebuild
from domain.area_refs import first_own_start
from domain.eras import era_of
from domain.periods import Period, as_date, parse
from domain.targets import target_status, year_share

#: An aggregation component's values by area key (None: the rule uses no such component).
Parts: TypeAlias = Mapping[str, float | None] | None

SERIES_COLUMNS = ["area_key", "period", "period_start", "value", "status", "revision", "flag", "recorded_at"]

c = schema.current_observation


def _with_components(code: str, *_args: object, **_kwargs: object) -> tuple[str, ...]:
    """``scopes=`` of reads that also use the indicator's aggregation components (the weight of
    a weighted rate, the numerator and denominator of a ratio)."""
    ind = get_indicator(code)
    return tuple(f"i:{c}" for c in (code, ind.weight_code, ind.num_code, ind.den_code) if c)


def _read(stmt: Executable, params: dict[str, Any] | None = None) -> Sequence[tuple[Any, ...]]:
    """The rows of ``stmt``, read by position (SQLAlchemy's rows are tuples: no conversion)."""
    return rows_of(current_connection().execute(stmt, params or {}))


def as_sent(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """``column`` as the driver hands it over (psycopg2 parses arrays itself; SQLAlchemy's
    element-wise pass over them would cost more than the read)."""
    return type_coerce(column, NullType())


def packed_ints(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """PostgreSQL: a group's ``integer`` column as one ``bytea`` of its binary values
    (``int4send``, four bytes each, big-endian), for :func:`unpack_ints`."""
    return as_sent(func.string_agg(func.int4send(column), literal_column("''::bytea")))


def packed_floats(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """PostgreSQL: a group's ``double precision`` column as one ``bytea`` of its binary values
    (``float8send``, eight bytes each), for :func:`unpack_floats`. The driver parsed an array of
    floats an element at a time, each from its text (the profile's scorecard: 3,200 values,
    0.6 ms more than this); two packed columns of one group keep the order of its rows, as two
    ``array_agg`` do. Exact: the bits are sent, not a decimal text."""
    return as_sent(func.string_agg(func.float8send(column), literal_column("''::bytea")))


def unpack_ints(packed: bytes | memoryview) -> tuple[int, ...]:
    """The values of a :func:`packed_ints` column."""
    return struct.unpack(f">{len(packed) // 4}i", packed)


def unpack_floats(packed: bytes | memoryview) -> tuple[float, ...]:
    """The values of a :func:`packed_floats` column."""
    return struct.unpack(f">{len(packed) // 8}d", packed)


def int_frame(records: Sequence[tuple[Any, ...]], columns: list[str], ints: tuple[str, ...]) -> pd.DataFrame:
    """A frame of ``records`` whose ``ints`` columns are nullable integers (``Int64``), built
    column by column (the same frame as building it and casting, in half the time)."""
    if not records:
        frame = pd.DataFrame(records, columns=columns)
        return frame.astype({c: "Int64" for c in ints})
    data = dict(zip(columns, map(list, zip(*records, strict=True)), strict=True))
    for c in ints:
        data[c] = pd.array(data[c], dtype="Int64")
    return pd.DataFrame(data)


# --- back-casts: a territory's values before it existed, read only by comparable_series ----------


@reference_data  # asked per series, per KPI area and per trend window: computed once per catalogue version
def backcast_floors(periodicity: str) -> dict[int, date]:
    """Area id → the start of its first own period of ``periodicity``
    (:func:`domain.area_refs.first_own_start`), for every area with a start of validity (the
    provinces formed on 2025-07-01). A value stored under such an area for a period starting
    earlier is a back-cast: plain reads leave it out, :func:`comparable_series` uses it. Callers
    never change the dict it returns."""
    return {a.id: first_own_start(periodicity, a.valid_from) for a in area_map().values() if a.valid_from is not None}


def own_starts(inds: Sequence[Indicator], area_id: int) -> list[date]:
    """Each indicator's first own period start at ``area_id`` (:func:`backcast_floors`;
    ``date.min`` where the area has no floor): asked once per periodicity, not per indicator."""
    floors = {p: backcast_floors(p).get(area_id, date.min) for p in {i.periodicity for i in inds}}
    return [floors[i.periodicity] for i in inds]


def own_era_clause(periodicity: str) -> ColumnElement[bool]:
    """The SQL condition that keeps ``current_observation`` rows out of back-casts (see
    :func:`backcast_floors`; one term per distinct start of validity, with bound parameters)."""
    groups: dict[date, list[int]] = {}
    for area_id, floor in backcast_floors(periodicity).items():
        groups.setdefault(floor, []).append(area_id)
    terms = [or_(c.c.area_id.not_in(sorted(ids)), c.c.period_start >= floor) for floor, ids in sorted(groups.items())]
    return and_(true(), *terms)


def without_backcasts(rows: Sequence[tuple[Any, ...]], periodicity: str, area_at: int = 0,
                      start_at: int = 2) -> list[tuple[Any, ...]]:
    """``rows`` without back-casts (``area_at``, ``start_at``: the positions of the area id and the
    period start in a row)."""
    floors = backcast_floors(periodicity)
    if not floors:
        return list(rows)
    return [r for r in rows if r[area_at] not in floors or as_date(r[start_at]) >= floors[r[area_at]]]


# --- series --------------------------------------------------------------------------------

_SERIES_SQL = (
    select(c.c.area_id, c.c.period, c.c.period_start, c.c.value, c.c.status, c.c.revision, c.c.flag, c.c.recorded_at)
    .where(c.c.indicator_id == bindparam("ind"), c.c.area_id.in_(bindparam("areas", expanding=True)),
           c.c.period_start >= bindparam("start"), c.c.period_start <= bindparam("end"))
    .order_by(c.c.area_id, c.c.period_start)
)


@cached_query(scopes=indicator_scope)
def series_rows(code: str, area_keys: tuple[str, ...] = ("VN",), start: str | None = None, end: str | None = None,
                backcasts: bool = False) -> tuple[tuple[Any, ...], ...]:
    """The current values of ``code`` for the given areas between the period keys ``start`` and
    ``end`` (inclusive; open when None), each area in its own validity: back-casts (values of a
    province formed on 2025-07-01 for earlier periods) only with ``backcasts`` (the comparable
    reads). Rows of :data:`SERIES_COLUMNS`, ordered by area, period: what the indicator page's
    series reads (no frame built, pickled and read back per view)."""
    ind = get_indicator(code)
    amap = area_map()
    ids = [amap[k].id for k in area_keys if k in amap]
    if not ids:
        return ()
    lo = parse(start).start if start else date(1900, 1, 1)
    hi = parse(end).start if end else date(2200, 1, 1)
    rows = _read(_SERIES_SQL, {"ind": ind.id, "areas": ids, "start": lo, "end": hi})
    if not backcasts:
        rows = without_backcasts(rows, ind.periodicity)
    by_id = area_ids()
    return tuple((by_id[r[0]], *r[1:]) for r in rows)


def series(code: str, area_keys: tuple[str, ...] = ("VN",), start: str | None = None, end: str | None = None,
           backcasts: bool = False) -> pd.DataFrame:
    """:func:`series_rows` as a frame. Columns: :data:`SERIES_COLUMNS`, ordered by area, period."""
    return pd.DataFrame(list(series_rows(code, area_keys, start, end, backcasts)), columns=SERIES_COLUMNS)


def _windows_scope(windows: tuple[tuple[str, str, str], ...], *_args: object, **_kwargs: object) -> tuple[str, ...]:
    return tuple(f"i:{code}" for code, _, _ in windows)


#: Columns of :func:`series_windows_rows`: what a trend draws (``code`` and the points of
#: :data:`SERIES_COLUMNS` without the provenance a trend does not show).
WINDOW_COLUMNS = ["code", "area_key", "period", "period_start", "value"]


@cached_query(scopes=_windows_scope)
def series_windows_rows(windows: tuple[tuple[str, str, str], ...], area_keys: tuple[str, ...]) -> tuple[tuple[Any, ...], ...]:
    """The points of :func:`series_rows` of several indicators at once, each between its own
    ``(code, start, end)`` period keys, for the same areas: one statement instead of one per
    indicator and area (a province profile draws eight trends), without back-casts. Each row:
    :data:`WINDOW_COLUMNS`, ordered by the windows, then area and period (the server sorts by
    indicator, area and period, as the index is; one pass puts the indicators in the windows'
    order). Rows, not a frame: the profile's trends read them point by point. The columns a
    trend does not draw (status, revision, flag, time recorded) are not read: a third of the
    driver's time."""
    amap = area_map()
    ids = [amap[k].id for k in area_keys if k in amap]
    if not windows or not ids:
        return ()
    bounds = {get_indicator(code).id: (code, parse(start).start, parse(end).start) for code, start, end in windows}
    rows = _read(_SERIES_MANY_SQL, {"inds": sorted(bounds), "areas": ids,
                                   "start": min(b[1] for b in bounds.values()),
                                   "end": max(b[2] for b in bounds.values())})
    by_id = area_ids()
    floors = {i: backcast_floors(get_indicator(code).periodicity) for i, (code, _, _) in bounds.items()}
    kept: dict[int, list[tuple[Any, ...]]] = {i: [] for i in bounds}
    for ind, area, period, start, value in rows:
        code, lo, hi = bounds[ind]
        day = as_date(start)
        if lo <= day <= hi and (area not in floors[ind] or day >= floors[ind][area]):
            kept[ind].append((code, by_id[area], period, start, value))
    return tuple(r for i in dict.fromkeys(get_indicator(code).id for code, _, _ in windows) for r in kept[i])


def series_windows(windows: tuple[tuple[str, str, str], ...], area_keys: tuple[str, ...]) -> pd.DataFrame:
    """:func:`series_windows_rows` as a frame. Columns: :data:`WINDOW_COLUMNS`."""
    return pd.DataFrame(list(series_windows_rows(windows, area_keys)), columns=WINDOW_COLUMNS)


_SERIES_MANY_SQL = (
    select(c.c.indicator_id, c.c.area_id, c.c.period, c.c.period_start, c.c.value)
    .where(c.c.indicator_id.in_(bindparam("inds", expanding=True)), c.c.area_id.in_(bindparam("areas", expanding=True)),
           c.c.period_start >= bindparam("start"), c.c.period_start <= bindparam("end"))
    .order_by(c.c.indicator_id, c.c.area_id, c.c.period_start)
)


# --- cross-sections ------------------------------------------------------------------------------

_XS_SQL = (
    select(c.c.area_id, c.c.value, c.c.status, c.c.revision, c.c.flag, c.c.recorded_at)
    .where(c.c.indicator_id == bindparam("ind"), c.c.period_start == bindparam("start"))
)


class XsRow(NamedTuple):
    """One area of a cross-section (:func:`cross_section_rows`)."""

    area_key: str
    code: str
    name_vi: str
    name_en: str
    region_key: str | None
    value: float  # NaN: not reported
    status: str | None
    revision: int | None
    flag: str | None
    recorded_at: datetime | str | None
    rank: int | None  # None: not reported


XS_COLUMNS = list(XsRow._fields)


def _values(ind_id: int, start: date) -> dict[int, tuple[Any, ...]]:
    """area id → (value, status, revision, flag, recorded_at) for one indicator and period (read
    once per view: :func:`~data_access.cache.memo.view_rows`). Callers never change the dict."""
    memo, key = view_rows(), ("xs", ind_id, start)
    got: dict[int, tuple[Any, ...]] | None = None if memo is None else memo.get(key)
    if got is None:
        got = {r[0]: r[1:] for r in _read(_XS_SQL, {"ind": ind_id, "start": start})}
        if memo is not None:
            memo[key] = got
    return got


@cached_query(scopes=indicator_scope)
def cross_section_rows(code: str, period: str, level: str = "province") -> tuple[XsRow, ...]:
    """All areas of ``level`` valid in ``period`` with their value for ``code``; areas with no
    report have NaN. ``rank`` is 1 for the best value by the indicator's direction (the largest
    when neutral). Ordered by rank then name, the unreported last. The boards read these rows (no
    frame built, pickled and indexed per view); :func:`cross_section` is their frame."""
    ind = get_indicator(code)
    p = parse(period)
    if level == "region":
        return _regions_cross_section(ind, p)
    got = _values(ind.id, p.start)
    region_of = _region_of(p.end)
    empty = (math.nan, None, None, None, None)
    records = [(a.key, a.code, a.name_vi, a.name_en, region_of.get(a.key), *got.get(a.id, empty))
               for a in areas_on(level, p.end)]
    return _ranked(records, ind)


def cross_section(code: str, period: str, level: str = "province") -> pd.DataFrame:
    """:func:`cross_section_rows` as a frame. Columns: :data:`XS_COLUMNS` (``rank`` a nullable
    integer)."""
    return int_frame(cross_section_rows(code, period, level), XS_COLUMNS, ("rank",))


def _region_of(d: date) -> dict[str, str]:
    return {k: r for r, ks in region_members(d).items() for k in ks}


def _ranked(records: list[tuple[Any, ...]], ind: Indicator) -> tuple[XsRow, ...]:
    """Rank (1 = best by the indicator's direction, ties share the lower rank) and sort by rank
    then name, unreported areas last."""
    sign = 1.0 if ind.direction == "down" else -1.0
    reported = sorted((r for r in records if r[5] == r[5]), key=lambda r: (sign * r[5], r[2]))
    missing = sorted((r for r in records if r[5] != r[5]), key=lambda r: r[2])
    ranked: list[XsRow] = []
    prev, rank = None, 0
    for i, r in enumerate(reported, start=1):
        if r[5] != prev:
            rank, prev = i, r[5]
        ranked.append(XsRow._make((*r, rank)))
    ranked.extend(XsRow._make((*r, None)) for r in missing)
    return tuple(ranked)


# --- regional aggregates ------------------------------------------------------------------------

class AggRow(NamedTuple):
    """A region's aggregate of an indicator for one period (:func:`regional_aggregate_rows`)."""

    region_key: str
    name_vi: str
    name_en: str
    value: float  # NaN: nothing to aggregate
    n_provinces: int
    n_reported: int
    complete: bool


AGG_COLUMNS = list(AggRow._fields)


def rule_components(ind: Indicator) -> tuple[str | None, str | None, str | None]:
    """The (weight, numerator, denominator) indicator codes ``ind``'s aggregation rule uses (None
    where it uses none)."""
    return (ind.weight_code if ind.aggregation == "weighted" else None,
            ind.num_code if ind.aggregation == "ratio" else None,
            ind.den_code if ind.aggregation == "ratio" else None)


def has_regions(ind: Indicator) -> bool:
    """Whether ``ind`` has regional figures: aggregated from its provinces by its rule, or, for a
    derived indicator, computed at the regions from its inputs (and stored)."""
    if ind.computed:
        return "region" in ind.levels
    return ind.provincial and ind.aggregation != "none"


def region_figure(ind: Indicator, region: str, provinces: Iterable[str], values: Mapping[str, float],
                  weights: Parts = None, num: Parts = None, den: Parts = None) -> float:
    """A region's figure: a derived indicator's as stored (computed from the region's inputs,
    never from its provinces' values), any other aggregated from ``provinces``' ``values``."""
    if ind.computed:
        return float(values.get(region, math.nan))
    return aggregate(ind.aggregation, {k: values[k] for k in provinces if k in values}, weights, num, den)


def _keyed_values(code: str | None, p: Period) -> dict[str, float]:
    if not code:
        return {}
    ids = area_ids()
    return {ids[a]: v[0] for a, v in _values(get_indicator(code).id, p.start).items()}


@cached_query(scopes=_with_components)
def regional_aggregate_rows(code: str, period: str) -> tuple[AggRow, ...]:
    """The regions valid in ``period`` (6 old ones before 2025-07-01, 6 new after) with the value
    of ``code`` aggregated from their provinces (none when ``code`` has no regional figures).
    ``complete`` is False when a province did not report. The boards read these rows;
    :func:`regional_aggregates` is their frame."""
    ind = get_indicator(code)
    p = parse(period)
    if not has_regions(ind):
        return ()
    values = _keyed_values(code, p)
    parts = [_keyed_values(c, p) if c else None for c in rule_components(ind)]
    return _region_records(ind, p, values, *parts)


def regional_aggregates(code: str, period: str) -> pd.DataFrame:
    """:func:`regional_aggregate_rows` as a frame. Columns: :data:`AGG_COLUMNS`."""
    return pd.DataFrame(regional_aggregate_rows(code, period), columns=AGG_COLUMNS)


def _region_records(ind: Indicator, p: Period, values: dict[str, float],
                   weights: Parts, num: Parts, den: Parts, *,
                   only: frozenset[str] = frozenset()) -> tuple[AggRow, ...]:
    """One row per region valid in ``p`` (those of ``only`` when given)."""
    amap = area_map()
    records = []
    for region, keys in region_members(p.end).items():
        if only and region not in only:
            continue
        reported = sum(k in values for k in keys)
        records.append(AggRow(region, amap[region].name_vi, amap[region].name_en,
                              region_figure(ind, region, keys, values, weights, num, den), len(keys), reported,
                              reported == len(keys)))
    return tuple(records)


def _regions_cross_section(ind: Indicator, p: Period) -> tuple[XsRow, ...]:
    amap = area_map()
    records: list[tuple[Any, ...]] = [(r.region_key, amap[r.region_key].code, r.name_vi, r.name_en, r.region_key,
                                       r.value, None, None, None, None)
                                      for r in regional_aggregate_rows(ind.code, p.key)]
    return _ranked(records, ind)


_RANGE_WHERE = (c.c.indicator_id.in_(bindparam("inds", expanding=True)),
                c.c.period_start >= bindparam("start"), c.c.period_start <= bindparam("end"))
_RANGE_SQL = select(c.c.indicator_id, c.c.period_start, c.c.area_id, c.c.value).where(*_RANGE_WHERE)
#: PostgreSQL: one row per indicator and period with its areas and values packed (an
#: index-only scan grouped in order; :func:`packed_floats`): 48 rows instead of 2,600 for four
#: years of a monthly indicator, half the time of reading them one by one (as arrays).
_RANGE_GROUPED_SQL = (
    select(c.c.indicator_id, c.c.period_start, packed_ints(c.c.area_id), packed_floats(c.c.value))
    .where(*_RANGE_WHERE).group_by(c.c.indicator_id, c.c.period_start)
)
_IN_AREAS = c.c.area_id.in_(bindparam("areas", expanding=True))
_RANGE_AREAS_SQL, _RANGE_GROUPED_AREAS_SQL = _RANGE_SQL.where(_IN_AREAS), _RANGE_GROUPED_SQL.where(_IN_AREAS)


def values_by_period(ind_ids: list[int], start: date, end: date,
                     areas: Iterable[str] | None = None) -> dict[tuple[int, date], dict[str, float]]:
    """(indicator id, period start) → {area key: value} for every area that reported (of
    ``areas``, keys, when given), for the periods starting from ``start`` to ``end``."""
    by_id = area_ids()
    conn = current_connection()
    params: dict[str, Any] = {"inds": sorted(ind_ids), "start": start, "end": end}
    grouped, plain = _RANGE_GROUPED_SQL, _RANGE_SQL
    if areas is not None:
        amap = area_map()
        params["areas"] = sorted(amap[k].id for k in set(areas) if k in amap)
        grouped, plain = _RANGE_GROUPED_AREAS_SQL, _RANGE_AREAS_SQL
    if conn.dialect.name == "postgresql":
        return {(ind_id, p_start): {by_id[a]: v for a, v in zip(unpack_ints(areas_), unpack_floats(values), strict=True)}
                for ind_id, p_start, areas_, values in rows_of(conn.execute(grouped, params))}
    got: dict[tuple[int, date], dict[str, float]] = {}
    for ind_id, p_start, area_id, value in rows_of(conn.execute(plain, params)):
        got.setdefault((ind_id, p_start), {})[by_id[area_id]] = value
    return got


def _region_areas(regions: frozenset[str], periods: Sequence[Period]) -> set[str] | None:
    """The areas whose values the aggregates of ``regions`` over ``periods`` read: their members
    in each era the periods cover, and the regions themselves (a computed indicator's regional
    figure is stored under the region). None: every area (no regions named)."""
    if not regions:
        return None
    out = set(regions)
    for members in {era_of(p.end): region_members(p.end) for p in periods}.values():
        out.update(k for r in regions for k in members.get(r, ()))
    return out


@cached_query(scopes=_with_components)
def regional_series_rows(code: str, start: str, end: str, regions: tuple[str, ...] = ()) -> tuple[tuple[Any, ...], ...]:
    """Regional aggregates for every period from ``start`` to ``end``: of every region, or of
    ``regions`` (keys) only. Rows of period, period start, then the fields of :data:`AGG_COLUMNS`
    (:class:`AggRow`). Each period uses the regions of its own era. The values of the whole range
    (and of the aggregation components) come from one statement. Rows, not a frame: the
    indicator page's series reads them row by row."""
    from domain.periods import periods_between

    ind = get_indicator(code)
    periods = list(periods_between(start, end))
    if not has_regions(ind) or not periods:
        return ()
    only = frozenset(regions)
    parts = dict(zip("vwnd", (code, *rule_components(ind)), strict=True))
    ids = {get_indicator(c).id: role for role, c in parts.items() if c}
    read = values_by_period(list(ids), min(p.start for p in periods), max(p.start for p in periods),
                            _region_areas(only, periods))  # the regions' own provinces only
    got = {(ids[ind_id], p_start): values for (ind_id, p_start), values in read.items()}
    records = []
    for p in periods:

        def part(role: str, start: date = p.start) -> dict[str, float] | None:
            return got.get((role, start), {}) if parts[role] else None

        records += [(p.key, p.start, *r) for r in _region_records(ind, p, got.get(("v", p.start), {}), part("w"),
                                                                  part("n"), part("d"), only=only)]
    return tuple(records)


def regional_series(code: str, start: str, end: str, regions: tuple[str, ...] = ()) -> pd.DataFrame:
    """:func:`regional_series_rows` as a frame. Columns: period, period_start, plus :data:`AGG_COLUMNS`."""
    return pd.DataFrame(list(regional_series_rows(code, start, end, regions)),
                        columns=["period", "period_start", *AGG_COLUMNS])


# --- comparable series on the current 34 provinces -----------------------------------------------


#: Columns of :func:`comparable_series`.
COMPARABLE_COLUMNS = ["area_key", "period", "period_start", "value", "rebuilt", "comparable"]


def comparable_series(code: str, new_keys: tuple[str, ...], start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """:func:`comparable_series_rows` as a frame. Columns: :data:`COMPARABLE_COLUMNS`."""
    return pd.DataFrame(list(comparable_series_rows(code, new_keys, start, end)), columns=COMPARABLE_COLUMNS)


@cached_query(scopes=_with_components)
def comparable_series_rows(code: str, new_keys: tuple[str, ...], start: str | None = None,
                           end: str | None = None) -> tuple[tuple[Any, ...], ...]:
    """History expressed on the current provinces: before 2025-07-01 each new province's value
    is rebuilt from its former provinces by the indicator's aggregation rule (sums added along
    the crosswalk, ratios recomputed from their components, rates weighted); a period in which a
    former province did not report gets NaN rather than a partial sum. Where no rule holds
    (``mean`` or ``none``) the rebuilt periods are left out. A value stored under the new province
    itself for a period before 2025-07-01 (a back-cast, sent as ``CODE@WHEN``: see
    :mod:`domain.area_refs`) is its territory's own figure: it is used as it is, and the former
    provinces are not summed for that period (never counted twice). Rows of
    :data:`COMPARABLE_COLUMNS` (``rebuilt``, ``comparable``: bools), ordered by area and period
    start; :func:`comparable_series` is their frame."""
    ind = get_indicator(code)
    succ = successors()
    formers: dict[str, list[str]] = {}
    for old, new in succ.items():
        formers.setdefault(new, []).append(old)
    wanted = set(new_keys)
    old_only = sorted({o for k in new_keys for o in formers.get(k, []) if o not in wanted})
    rule = ind.aggregation
    has_rule = rule in REBUILD_RULES
    ids = area_ids()
    amap = area_map()
    lo = parse(start).start if start else date(1900, 1, 1)
    hi = parse(end).start if end else date(2200, 1, 1)

    def fetch(c_code: str, keys: Iterable[str]) -> Sequence[tuple[Any, ...]]:
        params = {"ind": get_indicator(c_code).id, "areas": [amap[k].id for k in keys], "start": lo, "end": hi}
        return _read(_SERIES_SQL, params)

    out = [(ids[r[0]], r[1], r[2], r[3], False, True) for r in fetch(code, sorted(wanted))]
    backcast = {(r[0], r[1]) for r in out}  # a new province's own value before it existed
    if old_only and has_rule:
        main = {(ids[r[0]], r[1]): (r[2], r[3]) for r in fetch(code, old_only)}
        comp = [{(ids[r[0]], r[1]): r[3] for r in fetch(c, old_only)} if c else None for c in rule_components(ind)]
        groups: dict[tuple[str, str], dict[str, float]] = {}
        starts: dict[str, date] = {}
        for (key, period), (p_start, value) in main.items():
            groups.setdefault((succ[key], period), {})[key] = value
            starts[period] = p_start
        for (new_key, period), values in groups.items():
            if (new_key, period) in backcast:  # reported for the new territory: never summed again
                continue
            expected = [o for o in formers[new_key] if o not in wanted]
            at = [None if d is None else {k: d.get((k, period)) for k in values} for d in comp]
            value = rebuild(rule, values, len(expected), *at)
            out.append((new_key, period, starts[period], value, True, True))
    out.sort(key=itemgetter(0, 2))  # by area, then period start (unique pairs: no ties to order)
    return tuple(out)


# --- KPI snapshots -----------------------------------------------------------------------------------

_WINDOW_DAYS = {"D": 400, "M": 3 * 366, "Q": 4 * 366, "S": 6 * 366, "Y": 11 * 366}
# how far behind today the latest period normally is (the period's length plus its deadline)
_LAG_DAYS = {"D": 7, "M": 70, "Q": 190, "S": 370, "Y": 730}

_ind = schema.indicator
# latest period per indicator at one area: a correlated max() the planner answers from the primary key
_LATEST_SQL = select(
    _ind.c.id,
    select(func.max(c.c.period_start)).where(c.c.indicator_id == _ind.c.id, c.c.area_id == bindparam("area"))
    .scalar_subquery(),
).where(_ind.c.id.in_(bindparam("inds", expanding=True)))
_KPI_SQL = (
    select(c.c.indicator_id, c.c.period, c.c.period_start, c.c.value, c.c.status, c.c.revision, c.c.flag,
           c.c.recorded_at)
    .where(c.c.indicator_id.in_(bindparam("inds", expanding=True)), c.c.area_id == bindparam("area"),
           c.c.period_start >= bindparam("since"))
    .order_by(c.c.indicator_id, c.c.period_start)
)
# daily indicators need the last weeks and the same day last year, not the 400 days between
_DAILY_WINDOW = or_(c.c.period_start >= bindparam("since"),
                    and_(c.c.period_start >= bindparam("ly_from"), c.c.period_start <= bindparam("ly_to")))
_KPI_DAILY_SQL = (
    select(*_KPI_SQL.selected_columns)
    .where(c.c.indicator_id.in_(bindparam("inds", expanding=True)), c.c.area_id == bindparam("area"), _DAILY_WINDOW)
    .order_by(c.c.indicator_id, c.c.period_start)
)
#: The values a tile's sparkline shows (the last ones, oldest first).
SPARK_VALUES = 24
#: PostgreSQL: the windows of the indicators other than daily, each the range of
#: the primary key that ends at the indicator's own latest period at the area (a backward probe)
#: and reaches back its periodicity's window, not before the area's own first period (``floor``):
#: an indicator whose latest value is years old reads its own window in the same statement, not
#: a probe and a statement of its own afterwards. Of each window, only the last
#: :data:`SPARK_VALUES` values: a tile reads no further back (its sparkline; the same period a
#: year before and last year's year-to-date lie within the last 24 months, whose values are
#: among the last 24 of a periodicity with at most 12 periods a year).
_KPI_OWN = func.unnest(array_param("ids", Integer), array_param("days", Integer),
                       array_param("floor", Date)).table_valued("id", "days", "floor").render_derived()
_KPI_LAST = c.alias("last")
_KPI_NEWEST = (select(func.max(_KPI_LAST.c.period_start).label("newest"))
               .where(_KPI_LAST.c.indicator_id == _KPI_OWN.c.id, _KPI_LAST.c.area_id == bindparam("area")).lateral())
_KPI_TAIL = (
    select(*_KPI_SQL.selected_columns)
    .where(c.c.indicator_id == _KPI_OWN.c.id, c.c.area_id == bindparam("area"),
           c.c.period_start >= func.greatest(_KPI_OWN.c.floor, _KPI_NEWEST.c.newest - _KPI_OWN.c.days))
    .order_by(c.c.period_start.desc()).limit(SPARK_VALUES).lateral()
)
_DAILY_RECENT_DAYS = 40  # the 24 days of the sparkline, the day before, a week before, and slack
#: PostgreSQL: every KPI row of a snapshot in one round trip: the windows of the indicators other
#: than daily (above), the daily indicators' last weeks and the same days a year before
#: (:data:`_KPI_DAILY_SQL`), and each daily indicator's latest day at the area as a row with no
#: period (what the probe :data:`_LATEST_SQL` would answer for one with nothing recent). The rows
#: come ordered by indicator and period start; the latest days are told apart by their period.
_KPI_DAILY_OWN = func.unnest(array_param("daily", Integer)).table_valued("id").render_derived()
_KPI_DAILY_NEWEST = select(
    _KPI_DAILY_OWN.c.id.label("indicator_id"), type_coerce(None, NullType).label("period"),
    select(func.max(c.c.period_start)).where(c.c.indicator_id == _KPI_DAILY_OWN.c.id,
                                             c.c.area_id == bindparam("area")).scalar_subquery().label("period_start"),
    *(type_coerce(None, NullType).label(n) for n in ("value", "status", "revision", "flag", "recorded_at")),
)
_KPI_DAILY_RANGE = (c.c.indicator_id == func.any(array_param("daily", Integer)), c.c.area_id == bindparam("area"))
_KPI_ALL_PG_SQL = (
    select(*_KPI_TAIL.c).select_from(_KPI_OWN.join(_KPI_NEWEST, true()).join(_KPI_TAIL, true()))
    .union_all(
        # the two windows of :data:`_DAILY_WINDOW` as two ranges of the primary key: as one OR, the
        # planner reads every day of each indicator at the area (ten years: 3,650 rows each) to keep 60
        select(*_KPI_SQL.selected_columns).where(*_KPI_DAILY_RANGE, c.c.period_start >= bindparam("since")),
        select(*_KPI_SQL.selected_columns).where(*_KPI_DAILY_RANGE, c.c.period_start >= bindparam("ly_from"),
                                                 c.c.period_start <= bindparam("ly_to"),
                                                 c.c.period_start < bindparam("since")),
        _KPI_DAILY_NEWEST)
    .order_by("indicator_id", "period_start")
)
_TARGET_SQL = select(schema.target.c.indicator_id, schema.target.c.year, schema.target.c.value,
                     schema.target.c.comparison, schema.target.c.source, schema.target.c.value_max).where(
    schema.target.c.indicator_id.in_(bindparam("inds", expanding=True)), schema.target.c.area_id == bindparam("area"),
    schema.target.c.year.in_(bindparam("years", expanding=True)), schema.target.c.status != "retired")



@dataclass(frozen=True)
class Kpi:
    """One indicator at one area, as a tile shows it."""

    code: str
    area_key: str
    period: str | None
    value: float | None
    status: str | None  # P provisional, O official, E estimated
    revised: bool
    flagged: bool
    previous_period: str | None
    previous_value: float | None
    change_previous: float | None  # value - previous (percentage points for rates)
    pct_previous: float | None  # relative change, for levels
    last_year_period: str | None
    last_year_value: float | None
    change_last_year: float | None
    pct_last_year: float | None
    ytd: float | None  # year-to-date sum for flows (or the cumulative value itself)
    ytd_last_year: float | None
    target: float | None
    target_comparison: str | None
    target_source: str | None
    target_progress: float | None  # the figure compared with the target
    target_status: str | None  # on_track | at_risk | off_track | None
    updated_at: datetime | None
    spark: tuple[float, ...]  # the last 24 values, oldest first
    spark_periods: tuple[str, ...]
    target_max: float | None = None  # the high bound of a ``range`` target (``target`` is its low bound)


@cached_query(scopes=indicators_scope)
def kpi_snapshot(codes: tuple[str, ...], area_key: str = "VN") -> tuple[Kpi, ...]:
    """KPI tiles for ``codes`` at ``area_key``, as :func:`kpis_live` computes them: on
    PostgreSQL the tiles kept current in the warehouse (:mod:`data_access.rollups`: one
    statement; a daily indicator's hold for the day they were computed on), and only the others
    computed."""
    area = area_map()[area_key]
    inds = [get_indicator(code) for code in codes]
    if not inds:
        return ()
    kept = rollups.kept_kpis(area.id, inds)
    missing = [i for i in inds if i.id not in kept]
    live = dict(zip((i.id for i in missing), kpis_live(missing, area_key), strict=True)) if missing else {}
    return tuple(Kpi(i.code, area_key, *kept[i.id]) if i.id in kept else live[i.id] for i in inds)


def kpis_live(inds: list[Indicator], area_key: str) -> tuple[Kpi, ...]:
    """KPI tiles for ``inds`` at ``area_key``: latest value and period; the previous period and
    the same period last year with the changes (absolute, and relative for levels); the
    year-to-date for flows; the annual target and the status by :func:`target_status` (flows
    compare the YTD with the target pro rata; cumulative indicators compare the YTD value with
    the target pro rata; others the latest value); provisional/revised/flagged marks.
    On PostgreSQL, one statement for every indicator's rows (the daily ones' last weeks and their
    latest days; the others' windows, each ending at its own latest period, however old:
    :data:`_KPI_ALL_PG_SQL`), plus one for targets, whatever the number of codes (and a statement
    each for daily indicators with nothing in the last weeks but a value before). SQLite: one statement per periodicity, each window up to
    today, and the same probe and statements for any indicator with nothing in its window. A
    province formed on 2025-07-01 shows its own periods only: its back-casts are left to the
    comparable reads."""
    area = area_map()[area_key]
    if not inds:
        return ()
    today = date.today()

    def floor(periodicity: str) -> date:
        return backcast_floors(periodicity).get(area.id, date.min)

    rows_by: dict[int, list[_KpiRow]] = {}
    pg = current_connection().dialect.name == "postgresql"
    own = [i for i in inds if i.periodicity != "D"] if pg else []  # each window from its own latest period
    own_ids = {i.id for i in own}
    lag = _LAG_DAYS["D"]
    daily = {"since": max(today - timedelta(days=_DAILY_RECENT_DAYS + lag), floor("D")),
             "ly_from": max(today - timedelta(days=366 + lag), floor("D")), "ly_to": today - timedelta(days=364)}
    newest: dict[int, date | None] | None = None  # PostgreSQL: the daily indicators' latest days
    if pg:
        read = _read(_KPI_ALL_PG_SQL, {
            "ids": array_text(i.id for i in own), "area": area.id,
            "days": array_text(_WINDOW_DAYS[i.periodicity] for i in own),
            "floor": array_text(floor(i.periodicity) for i in own),
            "daily": array_text(i.id for i in inds if i.periodicity == "D"), **daily})
        newest = {r[0]: r[2] for r in read if r[1] is None}
        _group(rows_by, (r for r in read if r[1] is not None))
    else:  # SQLite: one statement per periodicity
        for periodicity, days in _WINDOW_DAYS.items():
            group = [i.id for i in inds if i.periodicity == periodicity]
            if group and periodicity == "D":
                _collect(rows_by, group, area.id, daily["since"], _KPI_DAILY_SQL, ly_from=daily["ly_from"],
                         ly_to=daily["ly_to"])
            elif group:
                _collect(rows_by, group, area.id, max(today - timedelta(days=days + _LAG_DAYS[periodicity]),
                                                      floor(periodicity)))
    stale = [i for i in inds if i.id not in own_ids and (
        i.id not in rows_by
        or as_date(rows_by[i.id][-1].period_start) < today - timedelta(days=_LAG_DAYS[i.periodicity]))]
    for i in stale:
        rows_by.pop(i.id, None)
    if stale:  # latest value older than the usual reporting lag: look back from its own latest period
        found = newest.items() if newest is not None else _read(_LATEST_SQL, {"inds": [i.id for i in stale],
                                                                               "area": area.id})
        latest = {i: as_date(d) for i, d in found if d is not None}
        for i in stale:
            newest = latest.get(i.id)
            if newest and newest >= floor(i.periodicity):  # else its latest value is a back-cast: none of its own
                _collect(rows_by, [i.id], area.id, max(newest - timedelta(days=_WINDOW_DAYS[i.periodicity]),
                                                       floor(i.periodicity)))
    years = tuple(sorted({parse(rows[-1].period).year for rows in rows_by.values()}))
    targets = kpi_targets(tuple(i.id for i in inds), area.id, years) if years else {}
    out = []
    for ind in inds:
        rows = rows_by.get(ind.id)
        if not rows:
            out.append(_empty_kpi(ind.code, area_key))
            continue
        start = as_date(rows[-1].period_start) - timedelta(days=_WINDOW_DAYS[ind.periodicity])
        if as_date(rows[0].period_start) < start:  # rows come ordered by period_start
            rows = rows[bisect_left(rows, start, key=lambda r: as_date(r.period_start)):]
        out.append(_kpi_from_rows(ind, area, rows, targets.get((ind.id, parse(rows[-1].period).year))))
    return tuple(out)


class _TargetRow(NamedTuple):
    """A row of :data:`_TARGET_SQL`."""

    indicator_id: int
    year: int
    value: float
    comparison: str | None
    source: str | None
    value_max: float | None


@cached_query(scopes=targets_scope)
def kpi_targets(ids: tuple[int, ...], area_id: int, years: tuple[int, ...]) -> dict[tuple[int, int], _TargetRow]:
    """The plan targets of the indicators ``ids`` at ``area_id`` in ``years``, by (indicator id,
    year): what :func:`kpi_snapshot` compares its latest values with. Kept apart from the values:
    a submission does not change a target, and a change of targets stamps them
    (:data:`~data_access.cache.scopes.TARGETS`) along with their indicators."""
    rows = _read(_TARGET_SQL, {"inds": list(ids), "area": area_id, "years": list(years)})
    return {(r[0], r[1]): _TargetRow._make(r) for r in rows}


class _KpiRow(NamedTuple):
    """A row of :data:`_KPI_SQL`. Read into a named tuple: a tile reads each row's fields
    several times, and a field of SQLAlchemy's row by name costs ten times its position (0.5 µs:
    over a millisecond of the overview's sixteen tiles)."""

    indicator_id: int
    period: str
    period_start: date | str
    value: float
    status: str
    revision: int
    flag: str | None
    recorded_at: datetime | str


def _collect(rows_by: dict[int, list[_KpiRow]], ids: list[int], area_id: int, since: date,
             stmt: Executable = _KPI_SQL, **bounds: date) -> None:
    _group(rows_by, _read(stmt, {"inds": ids, "area": area_id, "since": since, **bounds}))


def _group(rows_by: dict[int, list[_KpiRow]], rows: Iterable[tuple[Any, ...]]) -> None:
    """``rows`` of a KPI statement (ordered by indicator, then period start) by indicator."""
    for indicator_id, group in groupby(map(_KpiRow._make, rows), key=itemgetter(0)):
        rows_by[indicator_id] = list(group)


def _empty_kpi(code: str, area_key: str) -> Kpi:
    return Kpi(code, area_key, None, None, None, False, False, None, None, None, None, None, None, None, None,
               None, None, None, None, None, None, None, None, (), ())


def _change(a: float | None, b: float | None) -> tuple[float | None, float | None]:
    if a is None or b is None:
        return None, None
    return a - b, ((a / b - 1) * 100 if b else None)


def _kpi_from_rows(ind: Indicator, area: Area, rows: list[_KpiRow], target: _TargetRow | None) -> Kpi:
    by_period = {r.period: r for r in rows}
    last = rows[-1]
    p = parse(last.period)
    prev = by_period.get(p.previous().key)
    ly = by_period.get(p.same_period_last_year().key)
    value = float(last.value)
    d_prev, pct_prev = _change(value, prev.value if prev else None)
    d_ly, pct_ly = _change(value, ly.value if ly else None)
    ytd = ytd_ly = None
    if is_flow(ind):  # keys start with their year and sort within one periodicity
        year, ly_key = last.period[:4], p.same_period_last_year().key
        first = len(rows)  # the year's rows are the last ones (ordered by period_start)
        while first and rows[first - 1].period[:4] == year:
            first -= 1
        ytd = sum(r.value for r in rows[first:])
        ly_vals = [r.value for r in rows[:first] if r.period[:4] == ly_key[:4] and r.period <= ly_key]
        ytd_ly = sum(ly_vals) if len(ly_vals) == _periods_to_count(ly_key) else None
    elif ind.cumulative:
        ytd = value
        ytd_ly = ly.value if ly else None
    t_value = t_max = t_cmp = t_src = progress = None
    if target is not None:
        t_value, t_cmp, t_src = float(target.value), target.comparison, target.source
        t_max = None if target.value_max is None else float(target.value_max)
        share = year_share(p)
        if is_flow(ind) or is_ytd_sum(ind):  # pro rata: the part of the year's target due by now
            progress, t_value = (ytd if is_flow(ind) else value), t_value * share
            t_max = None if t_max is None else t_max * share
        else:
            progress = value
    tail = rows[-SPARK_VALUES:]
    recorded = max(r.recorded_at for r in tail)  # the latest values carry the latest update
    if isinstance(recorded, str):
        recorded = datetime.fromisoformat(recorded)
    return Kpi(
        code=ind.code, area_key=area.key, period=last.period, value=value, status=last.status,
        revised=last.revision > 0, flagged=last.flag is not None,
        previous_period=p.previous().key, previous_value=prev.value if prev else None,
        change_previous=d_prev, pct_previous=pct_prev,
        last_year_period=p.same_period_last_year().key, last_year_value=ly.value if ly else None,
        change_last_year=d_ly, pct_last_year=pct_ly, ytd=ytd, ytd_last_year=ytd_ly,
        target=t_value, target_comparison=t_cmp, target_source=t_src, target_progress=progress,
        target_status=target_status(progress, t_value, t_cmp, t_max), updated_at=recorded,
        spark=tuple(float(r.value) for r in tail), spark_periods=tuple(r.period for r in tail), target_max=t_max,
    )


@lru_cache(maxsize=4096)
def _periods_to_count(key: str) -> int:
    """How many periods of ``key``'s periodicity its year holds up to and including it."""
    p, q, n = parse(key), parse(key).year_start(), 0
    while q.start <= p.start:
        n, q = n + 1, q.next()
    return n


class RevisionRow(NamedTuple):
    """A stored row of a revised period (:func:`revision_rows`)."""

    period: str
    revision: int
    value: float
    status: str
    recorded_at: datetime
    submission_id: int | None


@cached_query(scopes=indicator_scope)
def revision_rows(code: str, area_key: str = "VN", limit: int = 200) -> tuple[RevisionRow, ...]:
    """The revision history of ``code`` at ``area_key``: every stored row of a period that has
    more than one revision, newest first (period, then revision), at most ``limit`` rows."""
    ind = get_indicator(code)
    area = area_map()[area_key]
    return tuple(map(RevisionRow._make, _read(_REVISIONS_SQL, {"ind": ind.id, "area": area.id, "limit": limit})))


def revisions(code: str, area_key: str = "VN", limit: int = 200) -> pd.DataFrame:
    """:func:`revision_rows` as a frame. Columns: period, revision, value, status, recorded_at,
    submission_id."""
    return pd.DataFrame(list(revision_rows(code, area_key, limit)), columns=list(RevisionRow._fields))


_o = schema.observation
# one pass over the (indicator, area)'s stored rows, a period kept when its latest revision is not
# the first: the same rows as "period IN (periods with a revision > 0)", with the partitioned
# table planned once instead of twice (the planning was most of its 2-4 ms)
_revised = (select(_o.c.period, _o.c.revision, _o.c.value, _o.c.status, _o.c.recorded_at, _o.c.submission_id,
                   func.max(_o.c.revision).over(partition_by=_o.c.period).label("top"))
            .where(_o.c.indicator_id == bindparam("ind"), _o.c.area_id == bindparam("area")).subquery())
_REVISIONS_SQL = (
    select(_revised.c.period, _revised.c.revision, _revised.c.value, _revised.c.status, _revised.c.recorded_at,
           _revised.c.submission_id)
    .where(_revised.c.top > 0).order_by(_revised.c.period.desc(), _revised.c.revision.desc()).limit(bindparam("limit"))
)
