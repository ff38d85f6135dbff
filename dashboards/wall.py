"""Wall mode for large screens (``/wall``): no navigation, a dark 1920x1080 canvas scaled to the
screen, a clock, the "data as of" stamp, a ticker of alerts, and a playlist of boards that
rotates on its own (``/wall?boards=overview,provinces,daily&seconds=30``).

Live refresh: the page polls ``/api/v1/version`` (clientside, every ``poll`` seconds, at least
the server's minimum); only a changed ``data_version`` reaches the server's board callbacks, which
update the boards in place (same component tree, no spinner). Rotation, the clock, the
connection-lost mark and the planned reload are clientside (``assets/wall.js``): they cost the
server nothing. Every board is rendered once per data version and kept in the page.
"""

from __future__ import annotations

from datetime import date, timedelta

import dash
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from api.live import min_poll_seconds
from auth import display_token
from auth.displays import check_display_token
from components import wallboards as wb
from components.i18n import fmt_number, norm_lang, t
from components.mapfig import figure_dict, map_spec
from components.urlstate import as_datetime, as_dict, as_text, parse_list
from data_access.catalogue import era_of, get_indicator, indicator_groups, indicator_map, indicators_frame
from data_access.daily import daily_indicators, daily_items, latest_day
from data_access.engine import current_connection
from data_access.periods import parse
from data_access.queries import cross_section, kpi_snapshot, series

dash.register_page(__name__, path="/wall", title="Màn hình điều hành")

DEFAULT_SECONDS = 30
DEFAULT_SECTOR = "G03"
RELOAD_HOURS = 6


class ids:
    root = "wall-root"
    config = "wall-config"
    version = "wall-version"
    poll = "wall-poll"
    status = "wall-status"
    asof = "wall-asof"
    ticker = "wall-ticker"
    board = staticmethod(lambda name: {"type": "wall-board", "name": name})
    started = "wall-started"


def authorized() -> bool:
    """Walls carry a read-only display token (``flask --app app create-display-token``), opened once
    as ``/wall?token=`` and kept in the wall's cookie from then on; checked on every render and every
    board refresh (and by the guard on every request), so a revoked token stops the wall at once."""
    return check_display_token(current_connection(), display_token())


def refused(lang: str) -> html.Div:
    return html.Div([html.Img(src=dash.get_asset_url("emblem.svg"), className="wall-emblem", alt=""),
                     html.Div(t("wall.bad_token", lang), className="wall-refused-text")], className="wall-refused")


def layout(boards: str | None = None, seconds: str | None = None, poll: str | None = None, lang: str | None = None,
           sector: str | None = None, reload: str | None = None, **_params) -> html.Div:
    lang = norm_lang(lang)
    if not authorized():
        return html.Div(refused(lang), id=ids.root, className="wall-root", lang=lang)
    chosen = parse_list(boards, allowed=wb.BOARDS) or list(wb.BOARDS)
    dwell = _clamp(seconds, DEFAULT_SECONDS, 5, 3600)
    floor = min_poll_seconds()
    poll_s = _clamp(poll, max(20, floor), floor, 600)  # the server's minimum holds whatever the URL says
    config = {"boards": chosen, "seconds": dwell, "lang": lang, "sector": sector or DEFAULT_SECTOR,
              "reload_ms": int(_clamp(reload, RELOAD_HOURS, 1, 48) * 3600 * 1000),
              "lost": t("wall.connection_lost", lang, time="{time}")}
    return html.Div(
        [
            dcc.Store(id=ids.config, data=config),
            dcc.Store(id=ids.version),
            dcc.Store(id=ids.started),
            dcc.Interval(id=ids.poll, interval=poll_s * 1000),
            html.Div(
                [
                    html.Header([
                        html.Img(src=dash.get_asset_url("emblem.svg"), className="wall-emblem", alt=""),
                        html.Div(t("wall.title", lang), className="wall-title"),
                        html.Div(t("app.illustrative", lang), className="wall-illustrative"),
                        html.Div(id=ids.status, className="wall-status", role="status"),
                        html.Div(id=ids.asof, className="wall-asof"),
                        html.Div(id="wall-clock", className="wall-clock"),
                    ], className="wall-header"),
                    html.Div([html.Section(id=ids.board(name), className="wall-board" + (" active" if i == 0 else ""),
                                           **{"data-board": name})
                              for i, name in enumerate(chosen)], className="wall-stage"),
                    html.Div([html.Div(id="wall-dots", className="wall-dots"),
                              html.Div(html.Div(id=ids.ticker, className="ticker-track"), className="wall-ticker")],
                             className="wall-footer"),
                ],
                className="wall-canvas",
            ),
        ],
        id=ids.root,
        className="wall-root",
        lang=lang,
    )


def _clamp(text: str | None, default: float, lo: float, hi: float) -> float:
    try:
        value = float(text) if text not in (None, "") else default
    except ValueError:
        value = default
    return max(lo, min(hi, value))


# --- clientside: timers, rotation, polling -------------------------------------------------------

clientside_callback(
    ClientsideFunction(namespace="occwall", function_name="start"),
    Output(ids.started, "data"),
    Input(ids.config, "data"),
)

clientside_callback(
    ClientsideFunction(namespace="occwall", function_name="poll"),
    Output(ids.version, "data"),
    Output(ids.status, "children"),
    Input(ids.poll, "n_intervals"),
    State(ids.version, "data"),
    State(ids.config, "data"),
)


# --- server: one callback per board, run only when the data version changes ----------------------


def read_config(config) -> dict:
    """The wall's config store as the browser sends it back, every field checked: the language,
    the boards (known names only) and the sector's group."""
    config = as_dict(config)
    return {"lang": norm_lang(config.get("lang")), "boards": parse_list(config.get("boards"), allowed=wb.BOARDS),
            "sector": as_text(config.get("sector"), DEFAULT_SECTOR)}


@callback(
    Output(ids.asof, "children"),
    Output(ids.ticker, "children"),
    Input(ids.version, "data"),
    State(ids.config, "data"),
    prevent_initial_call=True,
)
def refresh_header(version, config):
    config = read_config(config)
    lang = config["lang"]
    if not authorized():
        return "", []
    updated = as_datetime(as_dict(version).get("updated_at"))
    return wb.as_of(updated, lang) if updated else "", wb.ticker(alerts(lang), lang)


def alerts(lang: str) -> list[tuple[str, str]]:
    """Indicators off target, overdue reports, and today's serious daily items."""
    out: list[tuple[str, str]] = []
    imap = indicator_map()
    headline = indicators_frame(headline=True)
    for k in kpi_snapshot(tuple(headline["code"]) if not headline.empty else (), "VN"):
        if k.target_status == "off_track":
            ind = imap[k.code]
            out.append(("warning", t("wall.off_track", lang, name=ind.name(lang),
                                     value=f"{fmt_number(k.value, ind.decimals, lang)} {ind.unit(lang)}")))
    for unit, report, period in overdue(lang)[:6]:
        out.append(("notice", t("wall.overdue_item", lang, unit=unit, report=report, period=period)))
    day = latest_day()
    if day:
        items = daily_items(day)
        for _, r in items[items["severity"].isin(["critical", "warning"])].head(6).iterrows():
            out.append((r["severity"], f"{r['agency_en'] if lang == 'en' else r['agency_vi']}: {r['title']}"))
    return out


def overdue(lang: str) -> list[tuple[str, str, str]]:
    """(unit, report, period) of the reports past their deadline in the last five weeks, the
    longest overdue first (the reporting calendar of the intake)."""
    from data_access.compliance import overdue_reports
    from data_access.periods import format_period

    today = date.today()
    df = overdue_reports(today, since=today - timedelta(days=35))
    unit = "unit_name_en" if lang == "en" else "unit_name_vi"
    report = "regime_name_en" if lang == "en" else "regime_name_vi"
    return [(r[unit], r[report], format_period(r["period"], lang)) for _, r in df.iterrows()]


@callback(
    Output(ids.board("overview"), "children"),
    Input(ids.version, "data"),
    State(ids.config, "data"),
    prevent_initial_call=True,
)
def refresh_overview(_version, config):
    config = read_config(config)
    lang = config["lang"]
    if "overview" not in config["boards"]:
        return dash.no_update
    if not authorized():
        return refused(lang)
    headline = indicators_frame(headline=True)
    kpis = kpi_snapshot(tuple(headline["code"]) if not headline.empty else (), "VN")
    return wb.overview_board(kpis, indicator_map(), lang)


def wall_province_indicator() -> str | None:
    """The map's indicator: the first headline indicator reported by provinces every month."""
    headline = indicators_frame(headline=True)
    for code in headline["code"] if not headline.empty else []:
        ind = get_indicator(code)
        if ind.provincial and ind.periodicity == "M" and ind.aggregation == "sum":
            return code
    return None


@callback(
    Output(ids.board("provinces"), "children"),
    Input(ids.version, "data"),
    State(ids.config, "data"),
    prevent_initial_call=True,
)
def refresh_provinces(_version, config):
    config = read_config(config)
    lang = config["lang"]
    if "provinces" not in config["boards"]:
        return dash.no_update
    if not authorized():
        return refused(lang)
    code = wall_province_indicator()
    if code is None:
        return html.Div(t("empty.no_data", lang), className="wt-empty")
    ind = get_indicator(code)
    period = kpi_snapshot((code,), "VN")[0].period
    xs = cross_section(code, period, "province")
    return wb.provinces_board(ind, xs, _map_figure(xs, period, ind, lang), period, lang)


def _map_figure(xs, period, ind, lang) -> dict:
    """The choropleth for the wall, as its JSON form (the same figure; validating its polygons as a
    go.Figure took ~20 ms, on every data version)."""
    spec = map_spec(xs, era_of(parse(period).end), lang=lang, unit=ind.unit(lang), decimals=ind.decimals,
                    dark=True, height=800)
    return figure_dict(spec)


@callback(
    Output(ids.board("sector"), "children"),
    Input(ids.version, "data"),
    State(ids.config, "data"),
    prevent_initial_call=True,
)
def refresh_sector(_version, config):
    config = read_config(config)
    lang = config["lang"]
    if "sector" not in config["boards"]:
        return dash.no_update
    if not authorized():
        return refused(lang)
    group = config["sector"]
    groups = indicator_groups().set_index("code")
    if group not in groups.index:
        group = DEFAULT_SECTOR
    inds = indicators_frame(group=group)
    inds = inds[inds["periodicity"].isin(["M", "Q"])].head(6)
    codes = tuple(inds["code"])
    kpis = {k.code: k for k in kpi_snapshot(codes, "VN")}
    charts = []
    for code in codes:
        ind = get_indicator(code)
        k = kpis.get(code)
        df = series(code, ("VN",))
        charts.append((ind, df.tail(24), k))
    name = groups.loc[group, "name_en" if lang == "en" else "name_vi"]
    return wb.sector_board(name, charts, lang)


@callback(
    Output(ids.board("daily"), "children"),
    Input(ids.version, "data"),
    State(ids.config, "data"),
    prevent_initial_call=True,
)
def refresh_daily(_version, config):
    config = read_config(config)
    lang = config["lang"]
    if "daily" not in config["boards"]:
        return dash.no_update
    if not authorized():
        return refused(lang)
    day = latest_day()
    if day is None:
        return html.Div(t("empty.no_data", lang), className="wt-empty")
    return wb.daily_board(daily_indicators(day), daily_items(day), day, lang)


@callback(
    Output(ids.board("compliance"), "children"),
    Input(ids.version, "data"),
    State(ids.config, "data"),
    prevent_initial_call=True,
)
def refresh_compliance(_version, config):
    config = read_config(config)
    lang = config["lang"]
    if "compliance" not in config["boards"]:
        return dash.no_update
    if not authorized():
        return refused(lang)
    return wb.compliance_board(reporting_rates_rows(lang), overdue(lang), lang)


def reporting_rates_rows(lang: str) -> list[tuple[str, float, float]]:
    """(label, completeness, timeliness) as fractions, for ministries, provinces and all units, over
    the reports due in the last 90 days (DHIS2 reporting rates from the reporting calendar)."""
    from data_access.compliance import reporting_rates

    today = date.today()
    start = today - timedelta(days=90)
    rows = []
    for by in ("group", "overall"):
        df = reporting_rates(start=start, today=today, by=by)
        for _, r in df.iterrows():
            key = {"ministries": "wall.units", "provinces": "wall.provinces"}.get(r["key"], "wall.overall")
            rows.append((t(key, lang), float(r["completeness"]) / 100, float(r["timeliness"]) / 100))
    return rows
