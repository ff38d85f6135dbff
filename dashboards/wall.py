"""Wall mode for large screens (``/wall``): no navigation, a dark 1920x1080 canvas scaled to the
screen, a clock, the "data as of" stamp, a ticker of alerts, and a playlist of boards that
rotates on its own (``/wall?boards=overview,provinces,daily&seconds=30``).

Live refresh: the page polls ``/api/v1/version`` (clientside, every ``poll`` seconds, at least
the server's minimum); only a changed ``data_version`` reaches the server's board callbacks, which
update the boards in place (same component tree, no spinner). Rotation, the clock, the
connection-lost mark and the planned reload are clientside (``assets/wall.js``): they cost the
server nothing. Every board is rendered once per data version and kept in the page; the browser
draws a board at its first turn (components.fast.deferred: a board waiting for its turn costs the
wall's first load nothing), and its plotly.js is fetched with the first board that has a chart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from components import wallboards as wb
from components.directions import wall_board
from components.fast import deferred, static
from components.ids import page_ids
from components.shell import dataset_badge
from components.urlstate import as_datetime, as_dict, as_text, parse_list
from data_access.catalogue import indicator_map
from data_access.daily import daily_indicators, daily_items, latest_day
from i18n import norm_lang, t
from views import wall as view
from views.wall import DEFAULT_SECTOR, authorized
from web.delivery import asset_url
from web.responses import cacheable

dash.register_page(__name__, path="/wall", title="Màn hình điều hành")

DEFAULT_SECONDS = 30
RELOAD_HOURS = 6


ids = page_ids("wall", "root", "config", "version", "poll", "status", "asof", "ticker", "started",
               board=lambda name: {"type": "wall-board", "name": name})


def refused(lang: str) -> html.Div:
    return html.Div([html.Img(src=asset_url("emblem.svg"), className="wall-emblem", alt=""),
                     html.Div(t("wall.bad_token", lang), className="wall-refused-text")], className="wall-refused")


def layout(boards: str | None = None, seconds: str | None = None, poll: str | None = None, lang: str | None = None,
           sector: str | None = None, reload: str | None = None, **_params) -> html.Div:
    lang = norm_lang(lang)
    if not authorized():
        return html.Div(refused(lang), id=ids.root, className="wall-root", lang=lang)
    chosen = parse_list(boards, allowed=wb.BOARDS) or list(wb.BOARDS)
    dwell = _clamp(seconds, DEFAULT_SECONDS, 5, 3600)
    floor = view.min_poll_seconds()
    poll_s = _clamp(poll, max(20, floor), floor, 600)  # the server's minimum holds whatever the URL says
    config = {"boards": chosen, "seconds": dwell, "lang": lang, "sector": sector or DEFAULT_SECTOR,
              "reload_ms": int(_clamp(reload, RELOAD_HOURS, 1, 48) * 3600 * 1000),
              "lost": t("wall.connection_lost", lang, time="{time}"),
              "paused": t("a11y.wall_paused", lang), "resumed": t("a11y.wall_resumed", lang)}
    return html.Div(
        [
            dcc.Store(id=ids.config, data=config),
            dcc.Store(id=ids.version),
            dcc.Store(id=ids.started),
            dcc.Interval(id=ids.poll, interval=poll_s * 1000),
            html.Div(
                [
                    html.Header([
                        html.Img(src=asset_url("emblem.svg"), className="wall-emblem", alt=""),
                        html.Div(t("wall.title", lang), className="wall-title"),
                        dataset_badge(lang, wall=True),
                        html.Div(id=ids.status, className="wall-status", role="status"),
                        html.Div(id=ids.asof, className="wall-asof"),
                        html.Div(id="wall-clock", className="wall-clock"),
                    ], className="wall-header"),
                    # each board drawn at its first turn (a board waiting for it is laid out, unseen)
                    html.Div([html.Section(deferred(html.Div(id=ids.board(name), className="wall-board-body"),
                                                    label=t("wall.title", lang), min_height=0, within=".wall-board", id=f"wall-{name}-box",
                                                    shown_class="active"),
                                           className="wall-board" + (" active" if i == 0 else ""),
                                           **{"data-board": name})
                              for i, name in enumerate(chosen)], className="wall-stage"),
                    html.Div([html.Span(t("a11y.wall_keys", lang)),
                              html.Span(id="wall-paused", className="wall-paused", role="status")],
                             className="wall-keys"),
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


# The provinces board's map, drawn in the browser from its spec and the era's geometry (fetched once).
clientside_callback(
    ClientsideFunction(namespace="occmap", function_name="render"),
    Output(wb.MAP, "figure"),
    Input(wb.MAP_SPEC, "data"),
)


# --- server: one callback per board, run only when the data version changes ----------------------


def read_config(config: Any) -> dict:
    """The wall's config store as the browser sends it back, every field checked: the language,
    the boards (known names only) and the sector's group."""
    config = as_dict(config)
    return {"lang": norm_lang(config.get("lang")), "boards": parse_list(config.get("boards"), allowed=wb.BOARDS),
            "sector": as_text(config.get("sector"), DEFAULT_SECTOR)}


@cacheable
@callback(
    Output(ids.asof, "children"),
    Output(ids.ticker, "children"),
    Input(ids.version, "data"),
    State(ids.config, "data"),
    prevent_initial_call=True,
)
def refresh_header(version: Any, config: Any) -> tuple[str, list]:
    config = read_config(config)
    lang = config["lang"]
    if not authorized():
        return "", []
    updated = as_datetime(as_dict(version).get("updated_at"))
    return wb.as_of(updated, lang) if updated else "", wb.ticker(view.alerts(lang), lang)


def _overview(config: dict) -> dict:
    return static(wb.overview_board(view.headline_kpis(), indicator_map(), config["lang"]))


def _provinces(config: dict) -> html.Div:
    found = view.province_map(config["lang"])
    if found is None:
        return wb.no_data(config["lang"])
    ind, xs, spec, period = found
    return wb.provinces_board(ind, xs, spec, period, config["lang"])


def _sector(config: dict) -> html.Div:
    name, charts = view.sector_charts(config["sector"], config["lang"])
    return wb.sector_board(name, charts, config["lang"])


def _daily(config: dict) -> html.Div | dict:
    day = latest_day()
    if day is None:
        return wb.no_data(config["lang"])
    return static(wb.daily_board(daily_indicators(day), daily_items(day), day, config["lang"]))


def _compliance(config: dict) -> dict:
    lang = config["lang"]
    return static(wb.compliance_board(view.reporting_rates_rows(lang), view.overdue(lang), lang))


def _directions(config: dict) -> dict:
    board, today = view.directions_board(config["lang"])
    return static(wall_board(board, config["lang"], today))


#: Each board's content from the checked config; one server callback per board is registered from
#: this table (same inputs, same checks).
BOARD_CONTENT: dict[str, Callable[[dict], html.Div | dict]] = {
    "overview": _overview, "provinces": _provinces, "sector": _sector, "daily": _daily, "compliance": _compliance,
    "directions": _directions,
}
assert tuple(BOARD_CONTENT) == wb.BOARDS


def _board_callback(name: str, content: Callable[[dict], html.Div | dict]) -> Callable[[Any, Any], Any]:
    """Register the refresh of board ``name``: nothing when the wall does not show it, the refusal
    when its token no longer holds, else its content."""

    @cacheable
    @callback(
        Output(ids.board(name), "children"),
        Input(ids.version, "data"),
        State(ids.config, "data"),
        prevent_initial_call=True,
    )
    def refresh_board(_version: Any, config: Any) -> Any:
        config = read_config(config)
        if name not in config["boards"]:
            return dash.no_update
        if not authorized():
            return refused(config["lang"])
        return content(config)

    return refresh_board


#: board name → its registered callback (callable directly, as Dash's docs test callbacks)
refresh = {name: _board_callback(name, content) for name, content in BOARD_CONTENT.items()}
