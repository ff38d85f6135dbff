"""The boards of the wall (and the daily brief): pure functions from data to layout, in the dark
wall style, sized for a 1920x1080 canvas that the wall scales to the screen (4K included)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from dash import dcc, html

from components.charts import BLANK_FIGURE, DARK_PALETTE, date_tickformat, empty_figure, figure, layout_dict
from components.fast import static
from components.status import STATUS_ICON, STATUS_KEY
from components.tiles import tile
from i18n import fmt_datetime, fmt_number, fmt_signed, format_period, t

if TYPE_CHECKING:
    import pandas as pd

    from data_access.catalogue import Indicator
    from data_access.queries import Kpi

BOARDS = ("overview", "provinces", "sector", "daily", "compliance", "directions")
SEVERITY_KEY = {"critical": "daily.sev.critical", "warning": "daily.sev.warning", "notice": "daily.sev.notice",
                "info": "daily.sev.info"}
CATEGORY_KEY = {"thien_tai": "daily.cat.disaster", "kinh_te": "daily.cat.economy", "y_te": "daily.cat.health",
                "giao_thong": "daily.cat.traffic", "an_ninh": "daily.cat.security", "xa_hoi": "daily.cat.social",
                "hanh_chinh": "daily.cat.admin"}


def overview_board(kpis: Sequence[Kpi], imap: Mapping[str, Indicator], lang: str) -> html.Div:
    tiles = [tile(k, imap[k.code], lang, "wall") for k in kpis[:12]]
    return html.Div([html.H2(t("wall.board.overview", lang), className="wb-title"),
                     html.Div(tiles, className="wall-tiles") if tiles else no_data(lang)],
                    className="wall-board-inner")


def no_data(lang: str) -> html.Div:
    """What a board shows while nothing it would draw exists (an empty centre)."""
    return html.Div(t("empty.no_data", lang), className="wt-empty")


#: The wall's map and the store of its spec (the browser draws it: ``occmap.render`` in assets/map.js).
MAP = "wall-map"
MAP_SPEC = "wall-map-spec"


def provinces_board(ind: Indicator, xs: pd.DataFrame, map_spec: dict, period: str, lang: str) -> html.Div:
    """The choropleth of one provincial indicator with the top and bottom five. The map travels as
    its spec (``components.mapfig.map_spec``); the browser adds the era's geometry, fetched once."""
    name_col = "name_en" if lang == "en" else "name_vi"
    reported = xs.dropna(subset=["value"])
    top = reported.head(5)
    bottom = reported.tail(5).iloc[::-1] if len(reported) > 5 else reported.iloc[0:0]

    def rows(df: pd.DataFrame, css: str) -> html.Ol:
        return html.Ol([html.Li([html.Span(f"{int(r['rank'])}. {r[name_col]}", className="wr-name"),
                                 html.Span(fmt_number(r["value"], ind.decimals, lang), className="wr-value")],
                                className=css) for _, r in df.iterrows()], className="wall-rank")

    return html.Div(
        [
            static(html.H2([ind.name(lang), html.Span(f" · {format_period(period, lang)} · {ind.unit(lang)}",
                                                      className="wb-sub")], className="wb-title")),
            html.Div([
                dcc.Store(id=MAP_SPEC, data=map_spec),
                dcc.Graph(id=MAP, figure=BLANK_FIGURE, config={"displayModeBar": False, "staticPlot": True},
                          className="wall-map"),
                static(html.Div([html.H3(t("wall.top", lang)), rows(top, "good"),
                                 html.H3(t("wall.bottom", lang)), rows(bottom, "bad")], className="wall-side")),
            ], className="wall-split"),
        ],
        className="wall-board-inner",
    )


def sector_board(group_name: str, charts: list[tuple], lang: str) -> html.Div:
    """Small multiples: (indicator, df of the last periods, kpi) for up to six indicators."""
    cells = []
    for ind, df, kpi in charts[:6]:
        fig = empty_figure(lang, dark=True) if df.empty else _spark(df, ind, lang)
        status = kpi.target_status if kpi else None
        cells.append(html.Div([
            static([html.Div(ind.name(lang), className="ws-name"),
                    html.Div([html.Span(fmt_number(kpi.value if kpi else None, ind.decimals, lang), className="ws-value"),
                              html.Span(ind.unit(lang), className="ws-unit"),
                              html.Span(f"{STATUS_ICON[status]} {t(STATUS_KEY[status], lang)}",
                                        className=f"ws-status status-{status or 'none'}")], className="ws-figure")]),
            dcc.Graph(figure=fig, config={"displayModeBar": False, "staticPlot": True}, className="ws-chart"),
        ], className="wall-small"))
    return html.Div([static(html.H2(group_name or t("nav.sectors", lang), className="wb-title")),
                     html.Div(cells, className="wall-smalls") if cells else no_data(lang)],
                    className="wall-board-inner")


def _spark(df, ind, lang: str) -> dict:
    """The last periods of one indicator as a filled line, as its JSON form (six of them on a
    board: built as a go.Figure update by update, they took ~20 ms each)."""
    trace = {"type": "scatter", "x": list(df["period_start"]), "y": [None if v != v else float(v) for v in df["value"]],
             "mode": "lines", "line": {"width": 4, "color": DARK_PALETTE[5]}, "fill": "tozeroy",
             "fillcolor": "rgba(86,180,233,.12)"}
    layout = layout_dict(lang, height=220, dark=True)
    layout["xaxis"]["tickformat"] = date_tickformat(lang)
    return figure([trace], layout,
                  extra_layout={"margin": {"l": 64, "r": 12, "t": 8, "b": 40}, "font": {"size": 20}, "showlegend": False})


def daily_board(daily: pd.DataFrame, items: pd.DataFrame, day: date, lang: str, *, limit: int = 7) -> html.Div:
    """Today's daily indicators (vs the day before and a week before) and the most severe items."""
    tiles = []
    for _, r in daily.iterrows():
        name = r["name_en"] if lang == "en" else r["name_vi"]
        unit = r["unit_en"] if lang == "en" else r["unit_vi"]
        tiles.append(html.Div([
            html.Div(name, className="wd-name"),
            html.Div([html.Span(fmt_number(r["value"], int(r["decimals"]), lang), className="wd-value"),
                      html.Span(unit, className="wd-unit")]),
            html.Div([html.Span(fmt_signed(r["pct_day"], 1, lang) + "%", className="wd-delta"),
                      html.Span(" " + t("daily.vs_yesterday", lang), className="wd-label")]),
            html.Div([html.Span(fmt_signed(r["pct_week"], 1, lang) + "%", className="wd-delta"),
                      html.Span(" " + t("daily.vs_week", lang), className="wd-label")]),
        ], className="wall-daily-tile"))
    rows = [html.Li([html.Span(t(SEVERITY_KEY.get(r["severity"], "daily.sev.info"), lang),
                               className=f"sev sev-{r['severity']}"),
                     html.Span(r["title"], className="wi-title"),
                     html.Span(r["agency_en"] if lang == "en" else r["agency_vi"], className="wi-agency")])
            for _, r in items.head(limit).iterrows()]
    return html.Div([
        html.H2([t("nav.daily", lang), html.Span(" · " + _day(day, lang), className="wb-sub")], className="wb-title"),
        html.Div(tiles or [html.Div(t("empty.no_data", lang), className="wt-empty")], className="wall-daily-tiles"),
        html.H3(t("daily.items", lang), className="wb-h3"),
        html.Ul(rows or [html.Li(t("daily.no_items", lang))], className="wall-items"),
    ], className="wall-board-inner")


def _day(day, lang: str) -> str:
    from i18n import fmt_date

    return fmt_date(day, lang)


def compliance_board(rates: list[tuple[str, float, float]], overdue: list[tuple[str, str, str]], lang: str) -> html.Div:
    """Reporting rates (label, completeness, timeliness) and the overdue reports (unit, report, period)."""
    bars = [html.Div([html.Div(label, className="wc-label"),
                      html.Div(html.Div(className="wc-fill", style={"width": f"{max(0, min(100, c * 100)):.0f}%"}),
                               className="wc-bar"),
                      html.Div(f"{fmt_number(c * 100, 1, lang)}% · {t('wall.on_time', lang)} "
                               f"{fmt_number(o * 100, 1, lang)}%", className="wc-value")], className="wall-rate")
            for label, c, o in rates]
    items = [html.Li([html.Span(u, className="wo-unit"), html.Span(f"{r} · {p}", className="wo-what")])
             for u, r, p in overdue[:6]]
    if len(overdue) > 6:
        items.append(html.Li(t("wall.more_overdue", lang, n=len(overdue) - 6), className="wo-more"))
    return html.Div([
        html.H2(t("nav.compliance", lang), className="wb-title"),
        html.Div([html.Div(bars or [html.Div(t("empty.no_data", lang), className="wt-empty")], className="wall-rates"),
                  html.Div([html.H3(t("wall.overdue", lang)),
                            html.Ul(items or [html.Li(t("wall.none_overdue", lang))], className="wall-overdue")],
                           className="wall-side")], className="wall-split"),
    ], className="wall-board-inner")


def ticker(alerts: list[tuple[str, str]], lang: str) -> list:
    """(severity, text) items as one scrolling line."""
    if not alerts:
        return [html.Span(t("wall.no_alerts", lang), className="tk-item")]
    return [html.Span([html.Span(className=f"tk-dot sev-{sev}"), text], className="tk-item") for sev, text in alerts]


def as_of(updated_at: datetime, lang: str) -> str:
    return f"{t('data.as_of', lang)}: {fmt_datetime(updated_at, lang)}"
