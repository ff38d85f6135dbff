"""The headline figures of one indicator at one area: its tile (:func:`focus_kpi`), its annual
targets and, for flows, the year-to-date sum against the annual target.

Memoized with :func:`data_access.cache.memo.cached_query`; reads use the request's connection.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy import select

from data_access import schema
from data_access.cache.memo import cached_query
from data_access.cache.scopes import indicator_scope
from data_access.catalogue import Indicator, area_map, get_indicator
from data_access.engine import current_connection
from data_access.queries import Kpi, kpi_snapshot, regional_aggregates, regional_series
from data_access.series import latest_period
from domain.aggregation import is_flow
from domain.eras import ERA_SWITCH
from domain.periods import Period, parse


class TargetRow(NamedTuple):
    """An annual plan target (:func:`indicator_target_rows`)."""

    year: int
    value: float
    comparison: str  # at_least | at_most | range (``value`` is its lower bound)
    source: str | None
    value_max: float | None  # a range's upper bound, else None


#: Columns of :func:`indicator_targets`.
TARGET_COLUMNS = list(TargetRow._fields)


@cached_query(scopes=indicator_scope)
def indicator_target_rows(code: str, area_key: str = "VN") -> tuple[TargetRow, ...]:
    """The annual plan targets of ``code`` at ``area_key`` (retired ones left out), ordered by
    year: what a trend draws as its dashed steps (no frame built and pickled per view)."""
    ind = get_indicator(code)
    area = area_map().get(area_key)
    if area is None:
        return ()
    t = schema.target
    stmt = (select(t.c.year, t.c.value, t.c.comparison, t.c.source, t.c.value_max)
            .where(t.c.indicator_id == ind.id, t.c.area_id == area.id, t.c.status != "retired").order_by(t.c.year))
    return tuple(map(TargetRow._make, current_connection().execute(stmt).all()))


def indicator_targets(code: str, area_key: str = "VN") -> pd.DataFrame:
    """:func:`indicator_target_rows` as a frame. Columns: :data:`TARGET_COLUMNS` (year an int)."""
    return pd.DataFrame(list(indicator_target_rows(code, area_key)), columns=TARGET_COLUMNS)


@cached_query(scopes=indicator_scope)
def focus_kpi(code: str, area_key: str = "VN") -> Kpi:
    """The tile figures of ``code`` at ``area_key``: :func:`data_access.queries.kpi_snapshot` for
    the nation and provinces; for a region, the aggregate of its provinces in the nation's latest
    period, with the previous period and the same period last year where the region existed
    then (regions changed on 2025-07-01). Regions carry no target."""
    amap = area_map()
    area = amap.get(area_key)
    if area is None or area.level != "region":
        return kpi_snapshot((code,), area_key if area else "VN")[0]
    latest = latest_period(code, "VN")

    def value_at(p: Period | None) -> float | None:
        if p is None:
            return None
        agg = regional_aggregates(code, p.key)
        hit = agg[agg["region_key"] == area_key]["value"] if not agg.empty else pd.Series(dtype=float)
        v = float(hit.iloc[0]) if len(hit) else math.nan
        return None if math.isnan(v) else v

    p = parse(latest) if latest else None
    value = value_at(p)
    if p is None or value is None:
        return Kpi(code, area_key, None, None, None, False, False, None, None, None, None, None, None, None, None,
                   None, None, None, None, None, None, None, None, (), ())
    prev, ly = p.previous(), p.same_period_last_year()
    prev_v, ly_v = value_at(prev), value_at(ly)

    def change(b: float | None) -> tuple[float | None, float | None]:
        if b is None:
            return None, None
        return value - b, ((value / b - 1) * 100 if b else None)

    d_prev, pct_prev = change(prev_v)
    d_ly, pct_ly = change(ly_v)
    since = p.shift(-23)
    if p.start >= ERA_SWITCH > since.start:  # the regions of Resolution 306 start on 2025-07-01
        since = Period.from_date(p.periodicity, ERA_SWITCH)
    rs = regional_series(code, since.key, p.key)
    rs = rs[(rs["region_key"] == area_key) & rs["value"].notna()]
    return Kpi(
        code=code, area_key=area_key, period=p.key, value=value, status=None, revised=False, flagged=False,
        previous_period=prev.key, previous_value=prev_v, change_previous=d_prev, pct_previous=pct_prev,
        last_year_period=ly.key, last_year_value=ly_v, change_last_year=d_ly, pct_last_year=pct_ly,
        ytd=None, ytd_last_year=None, target=None, target_comparison=None, target_source=None,
        target_progress=None, target_status=None, updated_at=None,
        spark=tuple(float(v) for v in rs["value"]), spark_periods=tuple(rs["period"]),
    )


def ytd_against_target(code: str, area_key: str = "VN") -> dict[str, Any] | None:
    """For flows (:func:`is_flow`): the year-to-date sum in the latest year against the annual
    target. Keys: year, periods (how many periods summed), ytd, target, comparison, share (ytd /
    target). None when the indicator is not a flow or there is no value or no target."""
    ind = get_indicator(code)
    if not is_flow(ind):
        return None
    return ytd_share(focus_kpi(code, area_key), ind)


def ytd_share(kpi: Kpi, ind: Indicator) -> dict[str, Any] | None:
    """:func:`ytd_against_target` from a KPI snapshot already at hand (its target is the annual
    target of its latest period's year)."""
    if not is_flow(ind) or kpi.period is None or kpi.ytd is None or kpi.target is None:
        return None
    p = parse(kpi.period)
    target = float(kpi.target)
    return {"year": p.year, "periods": p.index, "ytd": float(kpi.ytd), "target": target,
            "comparison": kpi.target_comparison, "share": kpi.ytd / target if target else None}
