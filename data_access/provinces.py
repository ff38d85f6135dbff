"""Reads for the provinces board and the province profile, composed from
:mod:`data_access.queries` and :mod:`data_access.catalogue`, plus the one fact they need that
those modules do not carry: the periods in which provinces reported an indicator.

Every public function is memoized with :func:`data_access.cache.cached_query` (key: function,
data_version, clearance, arguments) and returns a DataFrame with documented columns or a small
frozen dataclass. Pages never see SQL.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple, TypeAlias

import pandas as pd
from sqlalchemy import Date, Integer, and_, bindparam, cast, func, literal_column, or_, select, true

from data_access import rollups, schema
from data_access.cache.memo import cached_query
from data_access.cache.scopes import indicator_scope
from data_access.catalogue import (
    Area,
    Indicator,
    all_indicators,
    area_ids,
    area_map,
    areas_on,
    get_area,
    get_indicator,
    indicator_map,
    region_members,
    region_of,
    successors,
)
from data_access.engine import array_param, array_text, current_connection, rows_of
from data_access.queries import (
    cross_section_rows,
    has_regions,
    int_frame,
    own_era_clause,
    own_starts,
    packed_floats,
    packed_ints,
    region_figure,
    rule_components,
    unpack_floats,
    unpack_ints,
)
from domain.aggregation import REBUILD_RULES, rebuild
from domain.eras import ERA_DAY, ERA_SWITCH, OLD_ERA_LAST_DAY, Era, era_of
from domain.periods import Period, as_date, clean_key, parse

c = schema.current_observation

class PeriodCount(NamedTuple):
    """A period in which provinces reported an indicator (:func:`province_period_rows`)."""

    period: str
    period_start: date
    n_reported: int
    n_provinces: int


#: Columns of :func:`province_periods`.
PERIOD_COLUMNS = list(PeriodCount._fields)

#: The values of one indicator (``ind``) at the provinces (``provinces``: :func:`_province_ids`).
_PROVINCIAL = (c.c.indicator_id == bindparam("ind"), c.c.area_id.in_(bindparam("provinces", expanding=True)))
_PERIODS_SQL = (
    select(c.c.period_start, func.count())
    .where(*_PROVINCIAL)
    .group_by(c.c.period_start)
    .order_by(c.c.period_start)
)


@cached_query(scopes=indicator_scope)
def province_period_rows(code: str) -> tuple[PeriodCount, ...]:
    """The periods in which at least one province reported ``code``, oldest first
    (``n_provinces``: the provinces of the period's era, 63 or 34; ``n_reported`` counts the
    provinces of that era only: a back-cast, a new province's value for an earlier period, is not
    one of them). Counted from the cross-section index alone (the provinces by id, the period key
    from its start): reading the period text and joining the areas visited a table row per
    observation. The provinces board reads these rows (a daily series has thousands: no frame)."""
    ind = get_indicator(code)
    stmt = _PERIODS_SQL.where(own_era_clause(ind.periodicity))
    rows = rows_of(current_connection().execute(stmt, {"ind": ind.id, "provinces": _province_ids()}))
    counts = {era: len(areas_on("province", d)) for era, d in ERA_DAY.items()}
    out = []
    for start, n in rows:
        p = Period.from_date(ind.periodicity, as_date(start))
        out.append(PeriodCount(p.key, p.start, int(n), counts[era_of(p.end)]))
    return tuple(out)


def province_periods(code: str) -> pd.DataFrame:
    """:func:`province_period_rows` as a frame. Columns: :data:`PERIOD_COLUMNS`."""
    return pd.DataFrame(province_period_rows(code), columns=PERIOD_COLUMNS)


# --- the province's place in the 2025 reorganisation -------------------------------------------


@dataclass(frozen=True)
class Lineage:
    """Where a province stands across the 1 July 2025 reorganisation.

    ``kind``: ``former`` (valid until 2025-06-30; ``successor`` is the province it became part
    of), ``merged`` (valid from 2025-07-01, formed from ``formers``), or ``kept`` (same code and
    territory in both eras). ``region_now`` / ``region_before``: its region keys in its own eras
    (None where it did not exist)."""

    key: str
    kind: str
    successor: str | None
    formers: tuple[str, ...]
    region_before: str | None
    region_now: str | None


def lineage(key: str) -> Lineage:
    """The :class:`Lineage` of province ``key`` (:class:`~data_access.catalogue.NotFound` if unknown)."""
    area = get_area(key)
    succ = successors()
    before = OLD_ERA_LAST_DAY
    exists_before = area.valid_from is None or area.valid_from <= before
    exists_now = area.valid_to is None or area.valid_to >= ERA_SWITCH
    formers = tuple(o for o, n in succ.items() if n == key and o != key)
    if not exists_now:
        kind = "former"
    elif formers or not exists_before:
        kind = "merged"
    else:
        kind = "kept"
    return Lineage(
        key=key, kind=kind, successor=succ.get(key) if kind == "former" else None, formers=formers,
        region_before=region_of(key, before) if exists_before else None,
        region_now=region_of(key, ERA_SWITCH) if exists_now else None,
    )


# --- the profile's scorecard ---------------------------------------------------------------------------

class ScoreRow(NamedTuple):
    """One indicator of a province's scorecard (:func:`province_scorecard_rows`)."""

    code: str
    period: str | None  # None: never reported by the province (every number below NaN or None)
    value: float
    status: str | None
    region_key: str | None
    region_value: float
    region_complete: bool | None
    nation_value: float
    rank: int | None  # 1 = best by the indicator's direction; None: not reported
    n_provinces: int | None
    n_reported: int | None
    last_year_period: str | None
    last_year_value: float
    change_last_year: float
    pct_last_year: float
    last_year_rebuilt: bool


#: Columns of :func:`province_scorecard`.
SCORECARD_COLUMNS = list(ScoreRow._fields)


def _scorecard_scopes(key: str) -> tuple[str, ...]:
    """What the scorecard's own statement reads: every provincial indicator and its components."""
    codes: set[str] = set()
    for ind in all_indicators():
        if ind.provincial:
            codes.update(c for c in (ind.code, ind.weight_code, ind.num_code, ind.den_code) if c)
    return tuple(f"i:{c}" for c in sorted(codes))


#: each indicator with the first period start of the area's own (later ones are no back-casts)
_IDS = func.unnest(array_param("ids", Integer), array_param("since", Date)) \
    .table_valued("id", "since").render_derived()
_LATEST = (select(c.c.indicator_id, c.c.period, c.c.period_start, c.c.value, c.c.status)
           .where(c.c.indicator_id == _IDS.c.id, c.c.area_id == bindparam("area"), c.c.period_start >= _IDS.c.since)
           .order_by(c.c.period_start.desc()).limit(1).lateral())
_BEFORE = c.alias("before")
_LAST_YEAR = (select(_BEFORE.c.value)
              .where(_BEFORE.c.indicator_id == _LATEST.c.indicator_id, _BEFORE.c.area_id == bindparam("area"),
                     _BEFORE.c.period_start == cast(_LATEST.c.period_start - literal_column("interval '1 year'"), Date))
              .lateral())
#: PostgreSQL: one backward probe of the primary key per indicator (a lateral join; a plain
#: ``max()`` per group would read every period), and one probe for the same period a year
#: before (its start less a year: what ``Period.same_period_last_year`` gives, 29 February
#: included, which PostgreSQL takes to 28 February).
_LATEST_PG_SQL = select(_LATEST, _LAST_YEAR.c.value.label("last_year")).select_from(
    _IDS.join(_LATEST, true()).outerjoin(_LAST_YEAR, true()))
#: SQLite: its documented bare-column rule (the other columns come from the row holding the ``max()``).
_LATEST_SQLITE_SQL = (
    select(c.c.indicator_id, c.c.period, func.max(c.c.period_start), c.c.value, c.c.status)
    .where(c.c.indicator_id.in_(bindparam("ids", expanding=True)), c.c.area_id == bindparam("area"),
           c.c.period_start >= bindparam("since"))
    .group_by(c.c.indicator_id)
)
_PAIRS = func.unnest(array_param("inds", Integer), array_param("starts", Date)) \
    .table_valued("ind", "start", with_ordinality="n").render_derived()
_VALUE_COLUMNS = (c.c.indicator_id, c.c.period_start, c.c.area_id, c.c.value)
#: PostgreSQL: a join with the pairs, each an index-only range of ``ix_current_indicator_period``
#: (it includes the value), one row per pair (named by its ordinal) with its areas and values
#: packed (:func:`~data_access.queries.packed_floats`): the driver parsed 3,800 rows (and their
#: dates) in more time than the server took to find them (3.9 ms; 1.6 ms grouped as arrays).
_VALUES_PG_SQL = (
    select(_PAIRS.c.n, packed_ints(c.c.area_id), packed_floats(c.c.value))
    .select_from(_PAIRS.join(c, and_(c.c.indicator_id == _PAIRS.c.ind, c.c.period_start == _PAIRS.c.start)))
    .group_by(_PAIRS.c.n)
)
_VALUES_ONE_PG_SQL = _VALUES_PG_SQL.where(c.c.area_id == bindparam("area"))


#: An aggregation component's values by area key at a period start (empty: none reported).
Component: TypeAlias = Callable[[str, date], dict[str, float]]
#: (indicator id, period start) pairs → {area key: value} (:func:`_values_at`).
ValuesAt: TypeAlias = Callable[[set[tuple[int, date]]], dict[tuple[int, date], dict[str, float]]]


def _latest_at(inds: list[Indicator], area_id: int) -> list[tuple[Any, ...]]:
    """(indicator id, period, period start, value, status, value a year before or None) of each
    indicator's latest period at one area, among the area's own periods (never a back-cast; the
    value a year before may be one: the territory's own figure, as the comparable series reads)."""
    if not inds:
        return []
    conn = current_connection()
    since = own_starts(inds, area_id)
    if conn.dialect.name == "postgresql":
        return [(i, p, as_date(s), v, st, ly) for i, p, s, v, st, ly
                in rows_of(conn.execute(_LATEST_PG_SQL, {"ids": array_text(i.id for i in inds),
                                                         "since": array_text(since), "area": area_id}))]
    groups: dict[date, list[int]] = {}
    for ind, floor in zip(inds, since, strict=True):
        groups.setdefault(floor, []).append(ind.id)
    rows = [(i, p, as_date(s), v, st) for floor, ids in groups.items() for i, p, s, v, st
            in rows_of(conn.execute(_LATEST_SQLITE_SQL, {"ids": ids, "since": floor, "area": area_id}))]
    before = _values_at({(i, parse(p).same_period_last_year().start) for i, p, *_ in rows}, area_id)
    by_id = area_ids()
    return [(*r, before[(r[0], parse(r[1]).same_period_last_year().start)].get(by_id[area_id])) for r in rows]


@cached_query(scopes=lambda codes, area_key: tuple(f"i:{c}" for c in codes))
def latest_periods(codes: tuple[str, ...], area_key: str) -> tuple[str | None, ...]:
    """Each indicator's latest period with a value at area ``area_key`` (None: none), among the
    area's own periods (a province formed on 2025-07-01: never a back-cast), as the KPI tiles'
    :func:`~data_access.queries.kpi_snapshot` finds it, in one statement on PostgreSQL."""
    inds = [get_indicator(code) for code in codes]
    latest = {row[0]: row[1] for row in _latest_at(inds, get_area(area_key).id)}
    return tuple(latest.get(i.id) for i in inds)


def _values_at(pairs: set[tuple[int, date]], area_id: int | None = None) -> dict[tuple[int, date], dict[str, float]]:
    """(indicator id, period start) → {area key: value} for every area (or only ``area_id``), in
    one statement (on SQLite, one index range per pair)."""
    out: dict[tuple[int, date], dict[str, float]] = {pair: {} for pair in pairs}
    if not pairs:
        return out
    conn = current_connection()
    by_id = area_ids()
    if conn.dialect.name == "postgresql":
        wanted = sorted(pairs)
        stmt = _VALUES_PG_SQL if area_id is None else _VALUES_ONE_PG_SQL
        slots = [out[pair] for pair in wanted]
        for n, areas, values in rows_of(conn.execute(stmt, {"inds": array_text(i for i, _ in wanted),
                                                            "starts": array_text(d for _, d in wanted),
                                                            "area": area_id})):
            slot = slots[n - 1]
            slot.update(zip(map(by_id.get, unpack_ints(areas)), unpack_floats(values), strict=True))
            slot.pop(None, None)  # an area the catalogue does not list is left out
        return out
    by_start: dict[date, list[int]] = {}
    for ind_id, start in sorted(pairs):
        by_start.setdefault(start, []).append(ind_id)
    stmt = select(*_VALUE_COLUMNS).where(or_(*(and_(c.c.period_start == start, c.c.indicator_id.in_(ids))
                                               for start, ids in by_start.items())))
    if area_id is not None:
        stmt = stmt.where(c.c.area_id == area_id)
    for ind_id, start, area, value in rows_of(conn.execute(stmt)):
        got = out.get((ind_id, as_date(start)))  # SQLite hands dates back as text
        if got is not None and area in by_id:
            got[by_id[area]] = float(value)
    return out


def shared_values() -> ValuesAt:
    """A :func:`_values_at` that reads each pair once and answers it again from memory (pairs
    are never mutated by their readers): for reading many scorecards in one go."""
    seen: dict[tuple[int, date], dict[str, float]] = {}

    def values_at(pairs: set[tuple[int, date]]) -> dict[tuple[int, date], dict[str, float]]:
        seen.update(_values_at(pairs - seen.keys()))
        return {pair: seen[pair] for pair in pairs}
    return values_at


def _rank(values: dict[str, float], keys: list[str], key: str, direction: str) -> tuple[int | None, int]:
    """(``key``'s rank among ``keys``, how many of them reported): 1 = best by ``direction``,
    ties share the lower rank, as :func:`~data_access.queries.cross_section` ranks."""
    reported = [v for v in map(values.get, keys) if v is not None]  # (values are never None)
    mine = values.get(key)
    if mine is None or mine != mine:
        return None, len(reported)
    if direction == "down":
        return 1 + len([v for v in reported if v < mine]), len(reported)  # NaN compares False: not better
    return 1 + len([v for v in reported if v > mine]), len(reported)


def province_scorecard(key: str) -> pd.DataFrame:
    """:func:`province_scorecard_rows` as a frame (``rank``, ``n_provinces`` and ``n_reported``
    nullable integers)."""
    return int_frame(province_scorecard_rows(key), SCORECARD_COLUMNS, ("rank", "n_provinces", "n_reported"))


@cached_query(scopes=_scorecard_scopes)
def province_scorecard_rows(key: str) -> tuple[ScoreRow, ...]:
    """Every provincial indicator the viewer may see at province ``key``, as
    :func:`scorecard_live` computes it: on PostgreSQL the rows kept current in the warehouse
    (:mod:`data_access.rollups`: one statement), and only the others computed."""
    inds = [i for i in all_indicators() if i.provincial]
    kept = rollups.kept_scorecard(get_area(key).id, inds, indicator_map())
    missing = [i for i in inds if i.id not in kept]
    live = dict(zip((i.id for i in missing), scorecard_live(key, missing), strict=True)) if missing else {}
    return tuple(ScoreRow(*kept[i.id]) if i.id in kept else live[i.id] for i in inds)


def scorecard_live(key: str, inds: list[Indicator], values_at: ValuesAt | None = None) -> list[ScoreRow]:
    """Each of the provincial indicators ``inds``, at province ``key``'s latest period with a
    value, set against its region (the aggregate by the rule of
    :func:`~data_access.queries.regional_aggregates` over the region of that period's era), the
    nation (the reported national value) and the other provinces of the same era (``rank``: 1 =
    best by the indicator's direction, among the ``n_reported`` of ``n_provinces``). The same
    period last year and the change are those of :func:`~data_access.queries.kpi_snapshot`; for a
    province formed on 2025-07-01 whose last-year period lies before that date, it is rebuilt
    from its former provinces by :func:`~data_access.queries.comparable_series`
    (``last_year_rebuilt`` True) where the indicator's rule allows. Indicators the province never
    reported have NaN values and no period. In the order of ``inds``; the profile reads these
    rows (no frame built, pickled and read back per view).

    Two statements on PostgreSQL whatever the number of indicators (three for a merged province
    with something to rebuild): the province's latest periods with its values a year before,
    every area's values at them (and the aggregation components', those the viewer may see).
    ``values_at``: what reads the latter (a refresh of every province shares one)."""
    values_at = values_at or _values_at
    area = get_area(key)
    merged = lineage(key).kind == "merged"
    every = indicator_map()
    by_id = {i.id: i for i in inds}
    formers = tuple(o for o, n in successors().items() if n == key and o != key) if merged else ()
    rows = {row[0]: row for row in _latest_at(inds, area.id)}
    latest = {i: r[1:5] for i, r in rows.items()}  # period, start, value, status
    own_ly = {i: r[5] for i, r in rows.items()}  # the province's value a year before (None: not reported)
    last_year = {i: parse(row[0]).same_period_last_year() for i, row in latest.items()}

    parts = {i.id: {every[code].id for code in (i.code, i.weight_code, i.num_code, i.den_code) if code and code in every}
             for i in inds}  # the indicator and its rule's components

    # every area at each latest period: ranks, region, nation
    values = values_at({(c, row[1]) for i, row in latest.items() for c in parts[i]})

    def rebuilds(ind: Indicator) -> bool:
        """A last-year value before 2025-07-01 to rebuild from the former provinces."""
        p = last_year[ind.id]
        return bool(formers) and own_ly[ind.id] is None and p.end < ERA_SWITCH \
            and ind.aggregation in REBUILD_RULES
    rebuild_pairs = {(c, last_year[i].start) for i in latest if rebuilds(by_id[i]) for c in parts[i]}
    values.update(values_at(rebuild_pairs - set(values)))

    def component(code: str, start: date) -> dict[str, float]:
        return values.get((every[code].id, start), {}) if code in every else {}

    @functools.cache
    def era(period: str) -> tuple[list[str], dict[str, list[str]], str | None, frozenset[str]]:
        """The provinces, the regions' members, the province's region and its members (a set)
        at the end of ``period``."""
        end = parse(period).end
        members = region_members(end)
        region = next((r for r, ks in members.items() if key in ks), None) or region_of(key, end)
        inside = frozenset(members[region]) if region in members else frozenset()
        return [a.key for a in areas_on("province", end)], members, region, inside
    records: list[ScoreRow] = []
    for ind in inds:
        if ind.id not in latest:
            records.append(ScoreRow(ind.code, None, math.nan, None, None, math.nan, None, math.nan, None, None, None,
                                    None, math.nan, math.nan, math.nan, False))
            continue
        period, start, value, status = latest[ind.id]
        value = float(value)
        ly = last_year[ind.id]
        ly_value, rebuilt = math.nan if own_ly[ind.id] is None else float(own_ly[ind.id]), False
        if rebuilds(ind):
            ly_value = _rebuilt(ind, formers, ly.start, component)
            rebuilt = ly_value == ly_value
        ly_change = value - ly_value
        ly_pct = (value / ly_value - 1) * 100 if ly_value else math.nan
        here = values.get((ind.id, start), {})
        provinces, members, region, in_region = era(period)
        region_value, complete = math.nan, None
        if has_regions(ind) and region in members:
            region_value = region_figure(ind, region, members[region], here, *_parts(ind, start, component))
            complete = here.keys() >= in_region
        rank, reported = _rank(here, provinces, key, ind.direction)
        records.append(ScoreRow(
            ind.code, period, value, status, region, region_value, complete,
            here.get("VN", math.nan), rank, len(provinces), reported, ly.key, ly_value, ly_change, ly_pct, rebuilt,
        ))
    return records


def _parts(ind: Indicator, start: date, component: Component) -> tuple[dict[str, float] | None, ...]:
    """(weights, numerators, denominators) of ``ind``'s rule at ``start`` (None where unused)."""
    return tuple(component(c, start) if c else None for c in rule_components(ind))


def _rebuilt(ind: Indicator, formers: tuple[str, ...], start: date, component: Component) -> float:
    """``ind`` at a new province in an old-era period, rebuilt from its ``formers`` by the rule of
    :func:`~data_access.queries.comparable_series`."""
    got = component(ind.code, start)
    values = {k: got[k] for k in formers if k in got}
    return rebuild(ind.aggregation, values, len(formers), *_parts(ind, start, component))


_LATEST_START_SQL = (
    select(func.max(c.c.period_start))
    .where(*_PROVINCIAL, c.c.period_start >= bindparam("lo"), c.c.period_start <= bindparam("hi"))
)


def _province_ids() -> list[int]:
    """The ids of every province of either era (each read keeps its own era's: ``own_era_clause``)."""
    return [a.id for a in area_map().values() if a.level == "province"]


@cached_query(scopes=indicator_scope)
def latest_province_period(code: str, until: date | None = None, era: str | None = None) -> str | None:
    """The latest of :func:`province_period_rows` (not after ``until``; within ``era`` "63"/"34"
    when given), read on its own: one backward probe of the cross-section index, not the count of
    every period (the provinces board without a period in its URL). A period belongs to the era
    of its end: the 34 provinces' periods start with the one holding 2025-07-01."""
    ind = get_indicator(code)
    first_34 = Period.from_date(ind.periodicity, ERA_SWITCH).start
    lo = first_34 if era == "34" else date(1, 1, 1)
    hi = first_34 - timedelta(days=1) if era == "63" else date(9999, 12, 31)
    if until is not None:
        hi = min(hi, until)
    stmt = _LATEST_START_SQL.where(own_era_clause(ind.periodicity))
    start = current_connection().execute(stmt, {"ind": ind.id, "provinces": _province_ids(), "lo": lo,
                                                "hi": hi}).scalar()
    return None if start is None else Period.from_date(ind.periodicity, as_date(start)).key


def provinces_reported(code: str, period: object) -> str | None:
    """``period`` (the indicator's own period key, canonical) when a province of its era reported
    ``code`` for it, else None: whether a period asked for in a URL is one of
    :func:`province_period_rows`, answered from the cross-section the board draws anyway."""
    ind = get_indicator(code)
    key = clean_key(period, ind.periodicity)
    if key is None:
        return None
    return key if any(r.value == r.value for r in cross_section_rows(code, key)) else None


def region_keys(era: Era) -> list[str]:
    """The region keys of an era, in catalogue order."""
    return [r.key for r in areas_on("region", ERA_DAY[era])]


def known_province(key: str | None) -> Area | None:
    """The province with ``key``, or None (unknown key, or not a province)."""
    area = area_map().get(key) if isinstance(key, str) else None
    return area if area is not None and area.level == "province" else None
