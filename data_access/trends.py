"""The province profile's trends: each headline indicator's default span ending at its latest
period at the province, and the province's and the nation's values in those spans, read
together (on PostgreSQL one statement: the latest periods and the values were two, and a round
trip inside a request costs about twice its server time)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, and_, bindparam, func, select, true

from data_access import schema
from data_access.cache.memo import cached_query
from data_access.catalogue import area_ids, area_map, get_area, get_indicator
from data_access.engine import array_param, array_text, current_connection, rows_of
from data_access.provinces import latest_periods
from data_access.queries import backcast_floors, own_starts, series_windows_rows
from domain.periods import DEFAULT_SPAN, Period, as_date, default_start, parse

c = schema.current_observation

#: The days a default span of each periodicity may cover (its periods at their longest): the
#: server reads that far back from each latest period, Python keeps the span's periods exactly.
_SPAN_DAYS = {p: n * {"D": 1, "M": 31, "Q": 92, "S": 184, "Y": 366}[p] for p, n in DEFAULT_SPAN.items()}
_TRENDS = func.unnest(array_param("ids", Integer), array_param("since", Date), array_param("back", Integer)) \
    .table_valued("id", "since", "back", with_ordinality="n").render_derived()
_PROBED = c.alias("probed")
_TRENDS_LATEST = (select(_PROBED.c.period_start.label("latest"))
                  .where(_PROBED.c.indicator_id == _TRENDS.c.id, _PROBED.c.area_id == bindparam("area"),
                         _PROBED.c.period_start >= _TRENDS.c.since)
                  .order_by(_PROBED.c.period_start.desc()).limit(1).lateral())
#: PostgreSQL: each indicator's latest period at the area (a backward probe of the primary key,
#: as :data:`_LATEST_PG_SQL`) and the values of the areas asked for up to it, in one statement.
_TRENDS_PG_SQL = (
    select(_TRENDS.c.id, _TRENDS_LATEST.c.latest, c.c.area_id, c.c.period, c.c.period_start, c.c.value)
    .select_from(_TRENDS.join(_TRENDS_LATEST, true()).join(c, and_(
        c.c.indicator_id == _TRENDS.c.id, c.c.area_id.in_(bindparam("areas", expanding=True)),
        c.c.period_start <= _TRENDS_LATEST.c.latest,
        c.c.period_start >= _TRENDS_LATEST.c.latest.op("-")(_TRENDS.c.back))))
    .order_by(_TRENDS.c.n, c.c.area_id, c.c.period_start)
)


@cached_query(scopes=lambda codes, area_key: tuple(f"i:{c}" for c in codes))
def trend_windows_rows(codes: tuple[str, ...], area_key: str) -> tuple[tuple[tuple[str, str, str], ...],
                                                                      tuple[tuple[Any, ...], ...]]:
    """The trends of ``codes`` at province ``area_key``: the window ``(code, start, end)`` of each
    indicator with a value there (the default span, :data:`~domain.periods.DEFAULT_SPAN`, ending
    at its :func:`latest_periods`), and the points of the province and the nation in them, as
    :func:`~data_access.queries.series_windows_rows` gives them for those windows. On
    PostgreSQL one statement (the profile's trends: the latest periods and the values were two,
    and a round trip inside a request costs about twice its server time)."""
    inds = [get_indicator(code) for code in codes]
    area, keys = get_area(area_key), (area_key, "VN")
    if current_connection().dialect.name != "postgresql":
        windows = tuple((i.code, default_start(parse(p)).key, p)
                        for i, p in zip(inds, latest_periods(codes, area_key), strict=True) if p is not None)
        return windows, series_windows_rows(windows, keys)
    amap, by_id = area_map(), area_ids()
    rows = rows_of(current_connection().execute(_TRENDS_PG_SQL, {
        "ids": array_text(i.id for i in inds), "area": area.id, "areas": [amap[k].id for k in keys if k in amap],
        "since": array_text(own_starts(inds, area.id)),
        "back": array_text(_SPAN_DAYS[i.periodicity] for i in inds)}))
    by_ind = {i.id: i for i in inds}
    seen: dict[int, tuple[str, str, str, date, dict[int, date]]] = {}
    points: list[tuple[Any, ...]] = []
    for ind_id, latest, area_id, period, start, value in rows:
        w = seen.get(ind_id)
        if w is None:
            ind = by_ind[ind_id]
            end = Period.from_date(ind.periodicity, as_date(latest))
            first = default_start(end)
            w = seen[ind_id] = (ind.code, first.key, end.key, first.start, backcast_floors(ind.periodicity))
        code, _, _, lo, floors = w
        day = as_date(start)
        if day >= lo and (area_id not in floors or day >= floors[area_id]):
            points.append((code, by_id[area_id], period, start, value))
    return tuple(w[:3] for w in seen.values()), tuple(points)
