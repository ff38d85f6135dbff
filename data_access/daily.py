"""Reads for the daily brief and data freshness: daily information items, daily indicators with
their day-on-day and week-on-week changes, and how current each indicator is."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import bindparam, func, select

from data_access import schema
from data_access.cache.memo import cached_query
from data_access.cache.scopes import daily_scope
from data_access.catalogue import all_indicators, area_map
from data_access.engine import AnyRow, current_connection
from domain.periods import Period
from domain.regimes import latest_due

SEVERITY_ORDER = {"critical": 0, "warning": 1, "notice": 2, "info": 3}

_ITEMS_SQL = (
    select(schema.daily_item.c.id, schema.daily_item.c.item_date, schema.agency.c.code.label("agency_code"),
           schema.agency.c.short_vi.label("agency_vi"), schema.agency.c.short_en.label("agency_en"),
           schema.daily_item.c.category, schema.daily_item.c.severity, schema.daily_item.c.title,
           schema.daily_item.c.body, schema.daily_item.c.recorded_at)
    .join(schema.agency, schema.agency.c.id == schema.daily_item.c.agency_id)
    .where(schema.daily_item.c.item_date >= bindparam("first"), schema.daily_item.c.item_date <= bindparam("last"))
    .order_by(schema.daily_item.c.item_date.desc(), schema.daily_item.c.recorded_at.desc())
)

ITEM_COLUMNS = ["id", "item_date", "agency_code", "agency_vi", "agency_en", "category", "severity", "title", "body",
                "recorded_at"]


@cached_query(scopes=daily_scope)
def daily_item_records(day: date, days: int = 1) -> tuple[dict[str, Any], ...]:
    """Daily information items dated ``day`` and the ``days - 1`` days before, newest first, most
    severe first within a day, latest recorded first within a severity: one dict per item, keys
    :data:`ITEM_COLUMNS` (what the daily brief reads; no frame to build, sort or pickle)."""
    rows = current_connection().execute(_ITEMS_SQL, {"first": day - timedelta(days=days - 1), "last": day}).all()
    items: list[dict[str, Any]] = [dict(zip(ITEM_COLUMNS, r, strict=True)) for r in rows]
    # stable passes, least significant first (the statement's order breaks the remaining ties)
    items.sort(key=lambda r: r["recorded_at"], reverse=True)
    items.sort(key=lambda r: SEVERITY_ORDER.get(r["severity"], 9))
    items.sort(key=lambda r: r["item_date"], reverse=True)
    return tuple(items)


def daily_items(day: date, days: int = 1) -> pd.DataFrame:
    """:func:`daily_item_records` as a frame. Columns: :data:`ITEM_COLUMNS`."""
    return pd.DataFrame(list(daily_item_records(day, days)), columns=ITEM_COLUMNS)


_c = schema.current_observation
_DAY_VALUES_SQL = select(_c.c.indicator_id, _c.c.period_start, _c.c.value, _c.c.status).where(
    _c.c.indicator_id.in_(bindparam("inds", expanding=True)), _c.c.area_id == bindparam("area"),
    _c.c.period_start.in_(bindparam("days", expanding=True)))

DAILY_COLUMNS = ["code", "name_vi", "name_en", "unit_vi", "unit_en", "decimals", "direction", "day", "value",
                 "previous_day", "change_day", "pct_day", "week_ago", "change_week", "pct_week", "status"]


@cached_query
def daily_indicator_records(day: date) -> tuple[dict[str, Any], ...]:
    """Every daily indicator at national level on ``day`` with the day before and a week before:
    one dict per indicator, keys :data:`DAILY_COLUMNS` (NaN where a value is missing)."""
    inds = [i for i in all_indicators() if i.periodicity == "D"]
    if not inds:
        return ()
    days = [day, day - timedelta(days=1), day - timedelta(days=7)]
    rows = current_connection().execute(_DAY_VALUES_SQL, {"inds": [i.id for i in inds],
                                                          "area": area_map()["VN"].id, "days": days}).all()
    got = {(r.indicator_id, r.period_start if isinstance(r.period_start, date) else date.fromisoformat(str(r.period_start))): r
           for r in rows}
    nan = float("nan")
    records: list[dict[str, Any]] = []
    for i in inds:
        v, prev, week = (got.get((i.id, d)) for d in days)

        def change(a: AnyRow | None, b: AnyRow | None) -> tuple[float, float]:
            if a is None or b is None:
                return nan, nan
            return a.value - b.value, ((a.value / b.value - 1) * 100 if b.value else nan)

        cd, pd_ = change(v, prev)
        cw, pw = change(v, week)
        records.append(dict(zip(DAILY_COLUMNS, (
            i.code, i.name_vi, i.name_en, i.unit_vi, i.unit_en, i.decimals, i.direction, day,
            v.value if v else nan, prev.value if prev else nan, cd, pd_,
            week.value if week else nan, cw, pw, v.status if v else None), strict=True)))
    return tuple(records)


def daily_indicators(day: date) -> pd.DataFrame:
    """:func:`daily_indicator_records` as a frame. Columns: :data:`DAILY_COLUMNS`."""
    return pd.DataFrame(list(daily_indicator_records(day)), columns=DAILY_COLUMNS)


_LATEST_ALL_SQL = (
    select(_c.c.indicator_id, func.max(_c.c.period_start).label("latest"), func.max(_c.c.recorded_at).label("recorded"))
    .where(_c.c.area_id == bindparam("area"))
    .group_by(_c.c.indicator_id)
)

FRESHNESS_COLUMNS = ["code", "name_vi", "name_en", "periodicity", "agency_code", "latest_period", "expected_period",
                     "periods_behind", "overdue", "last_recorded_at"]


@cached_query
def data_freshness(today: date, area_key: str = "VN") -> pd.DataFrame:
    """How current each indicator is at ``area_key``: its latest period against the latest whose
    deadline has passed on ``today``. Columns: :data:`FRESHNESS_COLUMNS`, most behind first."""
    rows = {r.indicator_id: r for r in current_connection().execute(_LATEST_ALL_SQL, {"area": area_map()[area_key].id}).all()}
    records: list[tuple[Any, ...]] = []
    for i in all_indicators():
        r = rows.get(i.id)
        expected = latest_due(i.periodicity, today)
        if r is None:
            records.append((i.code, i.name_vi, i.name_en, i.periodicity, i.agency_code, None, expected.key, None, True,
                            None))
            continue
        start = r.latest if isinstance(r.latest, date) else date.fromisoformat(str(r.latest)[:10])
        latest = Period.from_date(i.periodicity, start)
        behind = 0
        p = latest
        while p.start < expected.start and behind < 1000:
            p = p.next()
            behind += 1
        records.append((i.code, i.name_vi, i.name_en, i.periodicity, i.agency_code, latest.key, expected.key, behind,
                        behind > 0, r.recorded))
    df = pd.DataFrame(records, columns=FRESHNESS_COLUMNS)
    return df.sort_values(["periods_behind", "code"], ascending=[False, True], na_position="first").reset_index(drop=True)


_LATEST_DAY_SQL = (
    select(func.max(_c.c.period_start))
    .join(schema.indicator, schema.indicator.c.id == _c.c.indicator_id)
    .where(schema.indicator.c.periodicity == "D", _c.c.area_id == bindparam("area"))
)


@cached_query
def latest_day() -> date | None:
    """The newest day with a national daily value (the day the daily brief describes)."""
    value = current_connection().execute(_LATEST_DAY_SQL, {"area": area_map()["VN"].id}).scalar()
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
