"""What the wall shows: its access check, its polling floor, the indicators of each board and the
alerts of its ticker (the page, ``dashboards/wall.py``, only lays them out)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from flask import current_app

from alerts.text import alert_text
from auth.displays import wall_cookie_valid
from components.directions import ticker_items
from components.mapfig import map_spec
from data_access.alerts import alert_list
from data_access.catalogue import get_indicator, headline_codes, indicator_groups, indicator_map, indicators_frame
from data_access.compliance import overdue_reports, reporting_rates
from data_access.daily import daily_items, latest_day
from data_access.directions import center_today, ticker_directions
from data_access.directions import directions_board as read_board
from data_access.queries import Kpi, cross_section, kpi_snapshot, series
from domain.directions import DISPLAY, Viewer
from domain.eras import era_of
from domain.periods import parse
from i18n import fmt_number, format_period, t

DEFAULT_SECTOR = "G03"
SECTOR_SIZE = 6  # small multiples on the sector board
SECTOR_PERIODS = 24  # the last periods each one draws
TICKER_ITEMS = 6  # raised alerts, overdue reports, overdue directions and daily items each, at most
TICKER_ALERT_DAYS = 7  # raised alerts not yet acknowledged, from the last week
DIRECTION_ITEMS = 20  # overdue directions on the ticker, longest overdue first: the centre's own follow-up
WALL_VIEWER = Viewer(DISPLAY)  # the wall's directions: what a display token may see, whoever opened it


def authorized() -> bool:
    """Walls carry a read-only display token (``flask --app app create-display-token``), opened once
    as ``/wall?token=`` and kept in the wall's cookie from then on; checked on every render and every
    board refresh (and by the guard on every request), so a revoked token stops the wall at once."""
    return wall_cookie_valid()


def min_poll_seconds() -> float:
    """Walls may not poll more often than this (``WALL_MIN_POLL_SECONDS``): the page clamps its
    interval to it whatever its URL says."""
    return float(current_app.config["SETTINGS"].wall_min_poll_s)


def headline_kpis() -> list[Kpi]:
    """The nation's KPIs of the headline indicators, in the catalogue's order."""
    return kpi_snapshot(headline_codes(), "VN")


def alerts(lang: str) -> list[tuple[str, str]]:
    """(severity, text) of the ticker: the alerts raised in the last week and not yet acknowledged
    (those the viewer may see: a wall's token sees no confidential indicator's), indicators off
    target, overdue reports, overdue directions (naming the unit and the days; one a ``direction``
    rule raised is named by its alert only) and today's serious daily items."""
    since = datetime.now() - timedelta(days=TICKER_ALERT_DAYS)
    raised = alert_list(open_only=True, since=since.replace(minute=0, second=0, microsecond=0), limit=TICKER_ITEMS)
    out: list[tuple[str, str]] = [(r["severity"], alert_text(r, lang)) for r in raised.to_dict("records")]
    imap = indicator_map()
    for k in headline_kpis():
        if k.target_status == "off_track":
            ind = imap[k.code]
            out.append(("warning", t("wall.off_track", lang, name=ind.name(lang),
                                     value=f"{fmt_number(k.value, ind.decimals, lang)} {ind.unit(lang)}")))
    alerted = {json.loads(d).get("ref") for k, d in zip(raised["kind"], raised["detail"], strict=True)
               if k == "direction" and d}
    unalerted = [r for r in ticker_directions(center_today(), WALL_VIEWER) if r.ref not in alerted]  # once each
    out += ticker_items(direction_rows(unalerted[:DIRECTION_ITEMS], lang), lang)
    for unit, report, period in overdue(lang)[:TICKER_ITEMS]:
        out.append(("notice", t("wall.overdue_item", lang, unit=unit, report=report, period=period)))
    day = latest_day()
    if day:
        items = daily_items(day)
        for _, r in items[items["severity"].isin(["critical", "warning"])].head(TICKER_ITEMS).iterrows():
            out.append((r["severity"], f"{r['agency_en'] if lang == 'en' else r['agency_vi']}: {r['title']}"))
    return out


def direction_rows(items: Any, lang: str) -> list[dict[str, Any]]:
    """Rows of the directions' reads (ticker items, board rows) with the lead unit named in ``lang``."""
    return [{**r._asdict(), "unit": r.unit_en if lang == "en" else r.unit_vi} for r in items]


def directions_board(lang: str) -> tuple[dict[str, Any], date]:
    """The wall's directions board (overdue by unit, due this week, recently closed) and the
    centre's date. A wall is seen by everyone in the room: it reads as a display token does
    (counts and titles of non-confidential directions), whoever opened it."""
    today = center_today()
    board = read_board(today, WALL_VIEWER)
    return {"overdue_by_unit": [(u.unit_en if lang == "en" else u.unit_vi, u.overdue) for u in board.overdue_by_unit],
            "due_week": direction_rows(board.due_this_week, lang), "closed": direction_rows(board.recently_closed, lang),
            "counts": {"open": board.open_total, "overdue": board.overdue_total}}, today


def overdue(lang: str) -> list[tuple[str, str, str]]:
    """(unit, report, period) of the reports past their deadline in the last five weeks, the
    longest overdue first (the reporting calendar of the intake)."""
    today = date.today()
    df = overdue_reports(today, since=today - timedelta(days=35))
    unit = "unit_name_en" if lang == "en" else "unit_name_vi"
    report = "regime_name_en" if lang == "en" else "regime_name_vi"
    return [(r[unit], r[report], format_period(r["period"], lang)) for _, r in df.iterrows()]


def wall_province_indicator() -> str | None:
    """The map's indicator: the first headline indicator summed over provinces and reported every
    month, else (an annual data set such as the statistics office's tables) of any periodicity."""
    summed = [ind for ind in (get_indicator(code) for code in headline_codes())
              if ind.provincial and ind.aggregation == "sum"]
    monthly = [ind for ind in summed if ind.periodicity == "M"]
    return (monthly or summed)[0].code if summed else None


def province_map(lang: str) -> tuple[Any, Any, dict, str] | None:
    """(indicator, cross-section, map spec, period) of the provinces board; None when no
    indicator fits or it has no data yet."""
    code = wall_province_indicator()
    if code is None:
        return None
    ind = get_indicator(code)
    period = kpi_snapshot((code,), "VN")[0].period
    if period is None:
        return None
    xs = cross_section(code, period, "province")
    return ind, xs, wall_map_spec(xs, period, ind, lang), period


def wall_map_spec(xs: Any, period: str, ind: Any, lang: str) -> dict:
    """The wall's choropleth (dark, 800 px tall) as its spec: the browser adds the era's polygons
    from the fingerprinted geometry it fetched once (``occmap.render``), so a board refresh carries
    a few kilobytes, not the polygons."""
    return map_spec(xs, era_of(parse(period).end), lang=lang, unit=ind.unit(lang), decimals=ind.decimals,
                    dark=True, height=800)


def sector_charts(group: str, lang: str) -> tuple[str, list[tuple[Any, Any, Kpi | None]]]:
    """The sector board's title and its (indicator, last periods, KPI) for the first monthly or
    quarterly indicators of ``group``, annual ones when it has none (the default sector when the
    group is unknown, else the first group; no title and no chart while the catalogue has no group)."""
    groups = indicator_groups().set_index("code")
    if groups.empty:
        return "", []
    if group not in groups.index:
        group = DEFAULT_SECTOR if DEFAULT_SECTOR in groups.index else groups.index[0]
    inds = indicators_frame(group=group)
    frequent = inds[inds["periodicity"].isin(["M", "Q"])] if not inds.empty else inds
    codes = tuple((frequent if not frequent.empty else inds).head(SECTOR_SIZE)["code"]) if not inds.empty else ()
    kpis = {k.code: k for k in kpi_snapshot(codes, "VN")}
    charts = [(get_indicator(code), series(code, ("VN",)).tail(SECTOR_PERIODS), kpis.get(code)) for code in codes]
    return groups.loc[group, "name_en" if lang == "en" else "name_vi"], charts


def reporting_rates_rows(lang: str) -> list[tuple[str, float, float]]:
    """(label, completeness, timeliness) as fractions, for ministries, provinces and all units, over
    the reports due in the last 90 days (DHIS2 reporting rates from the reporting calendar); none
    where no report was due."""
    today = date.today()
    start = today - timedelta(days=90)
    rows = []
    for by in ("group", "overall"):
        df = reporting_rates(start=start, today=today, by=by)
        for _, r in df.iterrows():
            if pd.isna(r["completeness"]):  # no report was due (a data set without report regimes)
                continue
            key = {"ministries": "wall.units", "provinces": "wall.provinces"}.get(r["key"], "wall.overall")
            rows.append((t(key, lang), float(r["completeness"]) / 100, float(r["timeliness"]) / 100))
    return rows
