# size: the indicator page: its layout and the callbacks of its trend, breakdown, table, metadata and exports
"""One indicator ("Chỉ tiêu"): its series for the nation, regions or chosen provinces over a range
of periods, the annual target, the change on the same period last year, the breakdown by region
for the latest period with a drill path (nation → region → province), the table of values and the
metadata (definition, unit, periodicity, agency, report regimes, last update, revisions).

The URL carries the whole view: ``/indicator/<code>?areas=VN,R2&start=202401&end=202611&mode=yoy
&comparable=on&area=R2&lang=en``. ``layout`` builds the controls from it; callbacks fill the
figures in place; ``url_sync`` mirrors the controls back into the URL (see components/urlstate.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

import dash
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from components import controls
from components.barlist import bar_list
from components.chart_alt import (
    alt_id,
    alt_region,
    chart_alt,
    chart_box,
    ranking_summary,
    ranking_table,
    series_summary,
    series_table,
    summary_id,
)
from components.charts import lines_of, ranking_rows
from components.directions import add_markers, assign_link, markers_note
from components.fast import deferred, el, line_chart, static
from components.grid import data_grid, formatted, frame_rows, label_col, number_col, text_col
from components.ids import page_ids
from components.indicator_charts import series_figure
from components.shell import with_lang
from components.status import STATUS_ICON, STATUS_KEY, direction_class
from components.tiles import change_text, is_rate, marks, target_is_level, target_steps, target_words
from components.urlstate import as_text, parse_list, url_sync, url_sync_stores
from data_access.cache.memo import reference_data
from data_access.catalogue import (
    NotFound,
    area_map,
    get_indicator,
    indicator_groups,
    region_of,
)
from data_access.kpis import focus_kpi, indicator_target_rows, ytd_against_target
from data_access.queries import cross_section_rows, revision_rows
from data_access.regimes import indicator_regime_rows
from data_access.series import Coverage, Span, indicator_coverage, indicator_span, latest_period, series_with_change
from domain.eras import crosses_switch, valid_on
from domain.periods import clean_key, default_start, parse, periods_between
from exports.menu import TakePageAIO, chart_menu
from i18n import fmt_date, fmt_datetime, fmt_number, fmt_percent, fmt_signed, format_period, norm_lang, t
from views import directions
from web.responses import cacheable

if TYPE_CHECKING:
    import dash_ag_grid as dag
    import pandas as pd

    from data_access.catalogue import Area, Indicator
    from data_access.queries import Kpi


def _title(code: str | None = None, **_) -> str:
    try:
        return f"{get_indicator(code or '').name_vi} · Chỉ tiêu"
    except (NotFound, RuntimeError):
        return "Chỉ tiêu"


dash.register_page(__name__, path_template="/indicator/<code>", title=_title)

PAGE = "indicator"
MODES = ("value", "yoy")
TREND_HEIGHT = 440  # px
REVISIONS_SHOWN = 12  # the newest stored rows of revised periods the card lists
META_HEIGHT = 360  # px: the room of the indicator's card (definition, regimes, revisions) before it is read


ids = page_ids("ind", "code", "lang", "focus", "areas", "start", "end", "mode", "comparable",
               "summary", "trend", "trend_title", "trend_notes", "breakdown", "breakdown_title", "breakdown_note",
               "table", "table_box", "revisions", "meta", "meta_box", "trend_export", "breakdown_export",
               "trend_assign")


BINDINGS = [(ids.areas, "value", "areas"), (ids.start, "value", "start"), (ids.end, "value", "end"),
            (ids.mode, "value", "mode"), (ids.comparable, "value", "comparable"), (ids.focus, "data", "area")]
url_sync(PAGE, BINDINGS)


# --- the view state, read from the URL and cleaned ---------------------------------------------------


class View(NamedTuple):  # not a dataclass: Dash imports page modules outside sys.modules
    areas: tuple[str, ...]
    start: str
    end: str
    mode: str
    comparable: bool
    focus: str


def allowed_areas(ind: Indicator, keys: Any) -> tuple[str, ...]:
    """Known keys the indicator can show (nation-only indicators: the nation); ``keys`` as the URL
    or a multi-select sends them (see ``parse_list``)."""
    amap = area_map()
    ok = []
    for k in parse_list(keys):
        a = amap.get(k)
        if a is None:
            continue
        if a.level != "nation" and not ind.provincial:
            continue
        if a.level == "region" and ind.aggregation == "none":
            continue
        ok.append(k)
    return tuple(dict.fromkeys(ok))


def read_view(ind: Indicator, cov: Coverage | Span, areas: Any = None, start: Any = None,
              end: Any = None, mode: Any = None, comparable: Any = None,
              area: Any = None) -> View:
    """The view the URL (or the page's controls) asks for, with every value checked (unknown →
    default)."""
    last = cov.last_period
    end_key = clean_key(end, ind.periodicity) or last
    end_key = min(end_key, last, key=lambda k: parse(k).start)
    first = cov.first_period or last
    start_key = clean_key(start, ind.periodicity)
    if start_key is None:
        start_key = default_start(parse(end_key)).key
    start_key = max(start_key, first, key=lambda k: parse(k).start)
    if parse(start_key).start > parse(end_key).start:
        start_key, end_key = end_key, start_key
    chosen = allowed_areas(ind, areas) or ("VN",)
    focus = (allowed_areas(ind, [as_text(area, "VN")]) or ("VN",))[0]
    return View(areas=chosen, start=start_key, end=end_key, mode=mode if mode in MODES else "value",
                comparable=controls.is_checked(comparable), focus=focus)


def callback_view(code: Any, areas: Any = None, start: Any = None, end: Any = None, mode: Any = None,
                  comparable: Any = None, focus: Any = None) -> tuple[Indicator, View]:
    """The indicator and the view that the page's controls and stores send back to a callback,
    checked as the URL is (:func:`read_view`). An unknown indicator, or one without data, has no
    such controls on its page: nothing to update."""
    try:
        ind = get_indicator(code)
    except NotFound:
        raise PreventUpdate from None
    span = indicator_span(ind.code)
    if span.last_period is None:
        raise PreventUpdate
    return ind, read_view(ind, span, areas, start, end, mode, comparable, focus)


# --- layout --------------------------------------------------------------------------------------------


def layout(code: str | None = None, areas: str | None = None, start: str | None = None, end: str | None = None,
           mode: str | None = None, comparable: str | None = None, area: str | None = None,
           lang: str | None = None, **_params) -> html.Div:
    lang = norm_lang(lang)
    try:
        ind = get_indicator(code or "")
    except NotFound:
        return not_found(code, lang)
    cov = indicator_span(ind.code)  # two index probes (the card reads the whole coverage, once shown)
    head = header(ind, lang)
    if cov.last_period is None:
        return html.Div([head, html.Div(t("empty.no_data", lang), className="empty-state")],
                        className="page page-indicator")
    view = read_view(ind, cov, areas, start, end, mode, comparable, area)
    # The page comes with its frame (controls, export menus); the trend and the area in focus are
    # drawn by their own callbacks, which the browser calls at once and side by side (each is a
    # request the size of one chart's, as a dashboard of charts reads them). The row below them (the
    # table of values, the indicator's card) is read once the reader comes near it.
    trend_menu, breakdown_menu = menus(ind, view, lang)
    return html.Div(
        [
            dcc.Store(id=ids.code, data=ind.code),
            dcc.Store(id=ids.lang, data=lang),
            dcc.Store(id=ids.focus, data=view.focus),
            *url_sync_stores(PAGE, BINDINGS),
            head,
            html.Section(id=ids.summary, className="ind-summary card", **{"aria-live": "polite"}),
            control_bar(ind, cov, view, lang),
            html.Div(TakePageAIO(PAGE, lang), className="export-bar"),
            html.Div(
                [
                    html.Section([html.Div([html.H2(trend_heading(ind, view.mode, lang), id=ids.trend_title),
                                            html.Div(assign_part(ind, view, lang), id=ids.trend_assign),
                                            html.Div(trend_menu, id=ids.trend_export)],
                                           className="card-head"),
                                  # drawn by the page (assets/linechart.js): no chart library to start
                                  chart_box(line_chart({}, id=ids.trend, className="ind-trend-graph",
                                                       style={"height": f"{TREND_HEIGHT}px"},
                                                       labelledBy=summary_id(ids.trend)),
                                            ids.trend, min_height=TREND_HEIGHT, image=False),
                                  alt_region(ids.trend),
                                  html.Div(id=ids.trend_notes, className="ind-notes")],
                                 className="card ind-trend-card"),
                    html.Section(hidden=not ind.provincial, children=[
                                 html.Div([html.H2(id=ids.breakdown_title),
                                           html.Div(id=ids.breakdown_note, className="ind-notes"),
                                           html.Div(breakdown_menu, id=ids.breakdown_export)],
                                           className="card-head"),
                                  # a list of bars whose names drill down (components/barlist.py): no chart
                                  html.Div(id=ids.breakdown, className="ind-breakdown-graph"),
                                  alt_region(ids.breakdown)],
                                 className="card ind-breakdown-card"),
                ],
                className="ind-row ind-row-main" + ("" if ind.provincial else " ind-row-single"),
            ),
            html.Div(
                [
                    # below the first screen: read and drawn when the reader comes near them
                    html.Section([html.H2(t("ind.table_title", lang)),
                                  deferred(value_grid(ind, [], lang), label=t("ind.table_title", lang), min_height=440,
                                           id=ids.table_box, className="ind-grid-box")],
                                 className="card ind-table-card"),
                    html.Section([html.H2(t("ind.meta_title", lang)),
                                  deferred(html.Div([html.Div(id=ids.meta),
                                                     html.Div(id=ids.revisions, className="ind-revisions")]),
                                           label=t("ind.meta_title", lang), min_height=META_HEIGHT, id=ids.meta_box)],
                                 className="card ind-meta-card"),
                ],
                className="ind-row ind-row-lower",
            ),
        ],
        className="page page-indicator",
    )


def not_found(code: str | None, lang: str) -> html.Div:
    return html.Div(
        html.Div(
            [
                html.H1(t("ind.not_found", lang), className="page-title"),
                html.P(t("ind.not_found_detail", lang, code=code or ""), className="page-lede"),
                dcc.Link("← " + t("ind.back_to_catalogue", lang), href=with_lang("/indicators", lang),
                         className="button-link"),
            ],
            className="card not-found",
        ),
        className="page page-indicator",
    )


def header(ind: Indicator, lang: str) -> html.Header:
    groups = indicator_groups()
    names = groups["name_en"] if lang == "en" else groups["name_vi"]
    group_name = next((n for c, n in zip(groups["code"], names, strict=True) if c == ind.group_code), "")
    return html.Header(
        [
            html.Nav(
                [dcc.Link(t("ind.back_to_catalogue", lang), href=with_lang("/indicators", lang)),
                 html.Span("›", className="crumb-sep", **{"aria-hidden": "true"}),
                 dcc.Link(group_name, href=with_lang("/sectors", lang, group=ind.group_code))],
                className="ind-eyebrow", **{"aria-label": t("ind.back_to_catalogue", lang)},
            ),
            html.H1(ind.name(lang), className="page-title"),
            html.P(
                [html.Span(ind.code, className="ind-code"),
                 html.Span(ind.unit(lang)), html.Span(t(f"ind.periodicity_{ind.periodicity}", lang)),
                 html.Span(ind.agency(lang))],
                className="ind-subtitle",
            ),
        ],
        className="ind-header",
    )


@reference_data  # per catalogue version: every view of an indicator lists the same choices
def control_options(code: str, first: str, last: str, start: str, end: str, keep: tuple[str, ...],
                    lang: str) -> tuple[list[dict], list[dict]]:
    """(the areas the indicator can show between ``start`` and ``end``, ``keep`` always among
    them; its periods from ``first`` to ``last``, newest first). Callers never change them."""
    areas = area_option_list(get_indicator(code), lang, start, end, keep)
    return areas, controls.period_options([p.key for p in periods_between(first, last)], lang)


def area_option_list(ind: Indicator, lang: str, start: str, end: str, keep: Iterable[str]) -> list[dict]:
    """The areas the indicator can show that existed between the periods ``start`` and ``end``
    (both eras labelled when the range crosses 2025-07-01), ``keep`` always among them."""
    amap = area_map()
    allowed = set(allowed_areas(ind, list(amap)))  # one pass over the areas
    choices = [a for a in amap.values() if a.key in allowed]
    return controls.area_options(choices, lang, parse(start).start, parse(end).end, keep=keep)


def control_bar(ind: Indicator, cov: Coverage | Span, view: View, lang: str) -> html.Section:
    areas, periods = control_options(ind.code, cov.first_period, cov.last_period, view.start,
                                     view.end, view.areas, lang)
    parts = [
        controls.dropdown(ids.areas, areas, list(view.areas),
                          label=t("ind.areas", lang), lang=lang, multi=True, placeholder=t("ind.areas_placeholder", lang),
                          className="control-areas"),
        controls.dropdown(ids.start, periods, view.start, label=t("ind.start", lang),
                          lang=lang, className="control-period"),
        controls.dropdown(ids.end, periods, view.end, label=t("ind.end", lang),
                          lang=lang, className="control-period"),
        controls.segmented(ids.mode, [("value", t("ind.mode_value", lang)), ("yoy", t("ind.mode_yoy", lang))],
                           view.mode, label=t("ind.mode", lang)),
    ]
    if ind.provincial:
        parts.append(controls.checkbox(ids.comparable, t("ind.comparable", lang), view.comparable,
                                       label=t("ind.comparable_label", lang), className="control-comparable"))
    else:  # keeps the callbacks' inputs present; nation-only indicators have nothing to compare
        parts.append(dcc.Checklist(id=ids.comparable, options=[], value=[], style={"display": "none"}))
    return html.Section(parts, className="card control-bar ind-controls")


def value_grid(ind: Indicator, rows: list[dict], lang: str) -> dag.AgGrid:
    unit = ind.unit(lang)
    columns = [
        label_col("period_start", "period_label", t("ind.col_period", lang), sort="desc", min_width=130),
        text_col("area", t("ind.col_area", lang), flex=1.4, min_width=180),
        number_col("value", f"{t('ind.col_value', lang)} ({unit})", min_width=150),
        number_col("last_year_value", t("ind.col_last_year", lang), min_width=150),
        number_col("change_shown", t("ind.col_change", lang), min_width=120),
        text_col("obs_status", t("ind.col_status", lang), min_width=150),
        number_col("revision", t("ind.col_revision", lang), flex=0.5, min_width=100),
    ]
    return data_grid(ids.table, columns, rows, lang=lang, height=None, row_id="row_id", className="ind-grid")


def metadata(ind: Indicator, cov: Coverage, lang: str) -> html.Dl:
    regime_items = [
        html.Li([html.Span(r.name_en if lang == "en" else r.name_vi), " ",
                 html.Span(f"({r.code}; {t('ind.regime_deadline', lang, day=r.deadline_day)})", className="muted")])
        for r in indicator_regime_rows(ind.code)
    ]
    levels = ", ".join(t(f"ind.level_{lv}", lang) for lv in ind.levels if f"ind.level_{lv}" in _LEVEL_KEYS)
    rows = [
        (t("ind.code", lang), ind.code),
        (t("ind.definition", lang), ind.definition(lang) or "–"),
        (t("ind.unit", lang), ind.unit(lang)),
        (t("ind.periodicity", lang), t(f"ind.periodicity_{ind.periodicity}", lang)),
        (t("ind.levels", lang), levels),
        (t("ind.agency", lang), ind.agency(lang)),
        *([(t("mark.computed", lang), html.Div([html.Code(ind.formula, className="ind-formula"),
                                                html.Div(t("ind.computed_note", lang), className="muted")]))]
          if ind.computed else []),
        (t("ind.regimes", lang), html.Ul(regime_items, className="plain-list") if regime_items
         else t("ind.no_regime", lang)),
        (t("ind.coverage", lang), t("ind.coverage_range", lang, first=format_period(cov.first_period, lang),
                                    last=format_period(cov.last_period, lang))),
        (t("ind.last_update", lang), fmt_datetime(cov.updated_at, lang)),
    ]
    return html.Dl([item for k, v in rows for item in (html.Dt(k), html.Dd(v))], className="meta-list")


_LEVEL_KEYS = {"ind.level_nation", "ind.level_region", "ind.level_province"}


# --- helpers shared by the callbacks ------------------------------------------------------------------


def change_kind(ind: Indicator, values: Any) -> str:
    """How a change is expressed: ``pp`` for rates, ``abs`` for balances that can be negative,
    ``pct`` (per cent) for levels — as the overview tiles do."""
    if is_rate(ind.unit_vi):
        return "pp"
    if len(values) and (values.dropna() < 0).any():
        return "abs"
    return "pct"


def change_unit(ind: Indicator, kind: str, lang: str) -> str:
    return {"pp": t("unit.pp", lang), "abs": ind.unit(lang), "pct": "%"}[kind]


def area_names(keys: Iterable[str], lang: str, crossing: bool) -> dict[str, str]:
    amap = area_map()
    return {k: controls.area_label(amap[k], lang, eras=crossing) for k in keys if k in amap}


def region_for(area: Area, when: date) -> str | None:
    """The region of a province at ``when`` (or at the edge of its own validity)."""
    d = when
    if not valid_on(area.valid_from, area.valid_to, d):
        d = area.valid_to or area.valid_from or when
    return region_of(area.key, d)


def drill_chain(focus: str, when: date) -> list[str]:
    """The breadcrumb keys: nation → region → province."""
    amap = area_map()
    a = amap.get(focus)
    if a is None or a.level == "nation":
        return ["VN"]
    if a.level == "region":
        return ["VN", a.key]
    region = region_for(a, when)
    return ["VN", region, a.key] if region else ["VN", a.key]


# --- callbacks -----------------------------------------------------------------------------------------

# The view's span, mode and era choice, then the page's indicator and language: the last arguments
# of both callbacks that draw the view (trend and focus), in this order.
_VIEW_ARGS = (
    Input(ids.start, "value"),
    Input(ids.end, "value"),
    Input(ids.mode, "value"),
    Input(ids.comparable, "value"),
    State(ids.code, "data"),
    State(ids.lang, "data"),
)


@cacheable
@callback(
    Output(ids.trend, "figure"),
    Output(ids.trend_title, "children"),
    Output(ids.trend_notes, "children"),
    Output(alt_id(ids.trend), "children"),
    Input(ids.areas, "value"),
    *_VIEW_ARGS,
)
def update_series(areas: Any, start: Any, end: Any, mode: Any, comparable: Any, code: Any, lang: Any) -> tuple:
    """The trend of the view: called by the browser as soon as the page is there, and for every
    view chosen later."""
    ind, view = callback_view(code, areas, start, end, mode, comparable)
    return series_parts(ind, view, lang)


class Drawn(NamedTuple):
    """A view's series as the trend and the table show it (:func:`drawn_series`)."""

    frame: Any  # series_with_change's frame, with ``change_shown`` (the change in the unit shown)
    names: dict[str, str]
    kind: str  # of the change: "pct", "pp" or "abs" (:func:`change_kind`)
    crossing: bool  # the span crosses the 2025 reorganisation
    comparable: bool  # the comparable series of the current provinces


def drawn_series(ind: Indicator, view: View, lang: str) -> Drawn:
    """The view's series (its areas, span and era choice) and how its change is shown."""
    comparable = view.comparable and ind.provincial
    df = series_with_change(ind.code, view.areas, view.start, view.end, comparable)
    crossing = crosses_switch(view.start, view.end)
    names = area_names(df["area_key"].unique() if not df.empty else view.areas, lang, crossing and not comparable)
    kind = change_kind(ind, df["value"] if not df.empty else df.get("value", []))
    drawn = df.assign(change_shown=df["change"] if kind != "pct" else df["change_pct"]) if not df.empty else df
    return Drawn(drawn, names, kind, crossing, comparable)


def series_parts(ind: Indicator, view: View, lang: str) -> tuple:
    """The trend (value or change on last year) with its text alternative and its notes."""
    keys, mode = view.areas, view.mode
    d = drawn_series(ind, view, lang)
    figure, title = trend(ind, d.frame, keys, mode, d.kind, d.names, lang, d.crossing, d.comparable)
    about = directions.markers(ind.code)  # the directions about it: issued and closed, on the trend
    figure = add_markers(figure, about, lang)
    shown = [*notes(ind, d.frame, keys, lang, d.crossing, d.comparable), markers_note(about, lang)]
    return figure, title, shown, trend_alt(ind, d.frame, mode, d.kind, d.names, f"{ind.name(lang)} · {title}", lang)


@cacheable
@callback(
    Output(ids.table, "rowData"),
    Input(ids.table_box, "shown"),
    Input(ids.areas, "value"),
    *_VIEW_ARGS,
    prevent_initial_call=True,
)
def update_table(shown: Any, areas: Any, start: Any, end: Any, mode: Any, comparable: Any, code: Any,
                 lang: Any) -> list[dict]:
    """The table of the view's values, once it comes near the screen (``shown``: its holder,
    assets/deferred.js), and for every later view. Before that, nothing is read."""
    if shown is not True:
        raise PreventUpdate
    ind, view = callback_view(code, areas, start, end, mode, comparable)
    lang = norm_lang(lang)
    d = drawn_series(ind, view, lang)
    return table_rows(ind, d.frame, d.names, d.kind, lang)


@cacheable
@callback(
    Output(ids.meta, "children"),
    Output(ids.revisions, "children"),
    Input(ids.meta_box, "shown"),
    Input(ids.focus, "data"),
    State(ids.code, "data"),
    State(ids.lang, "data"),
    prevent_initial_call=True,
)
def update_meta(shown: Any, focus: Any, code: Any, lang: Any) -> tuple:
    """The indicator's card (definition, unit, regimes, coverage) and the revisions of the area in
    focus, once the card comes near the screen, and for every later focus."""
    if shown is not True:
        raise PreventUpdate
    ind, view = callback_view(code, focus=focus)
    lang = norm_lang(lang)
    return metadata(ind, indicator_coverage(ind.code), lang), static(revision_history(ind, view.focus, lang))


def trend_alt(ind: Indicator, df: pd.DataFrame, mode: str, kind: str, names: dict[str, str], title: str,
              lang: str) -> list:
    """The trend's summary sentence and data table, from the lines it draws."""
    column, unit = ("change_shown", change_unit(ind, kind, lang)) if mode == "yoy" else ("value", ind.unit(lang))
    decimals = 1 if mode == "yoy" and kind != "abs" else ind.decimals
    lines = lines_of(df, column)
    return chart_alt(ids.trend, series_summary(title, lines, names=names, unit=unit, decimals=decimals, lang=lang),
                     series_table(title, lines, names=names, unit=unit, decimals=decimals, lang=lang), lang)


def trend(ind: Indicator, df: pd.DataFrame, keys: Sequence[str], mode: str, kind: str, names: dict[str, str],
          lang: str, crossing: bool, comparable: bool) -> tuple[dict, str]:
    amap = area_map()
    era_bound = any(amap[k].level == "region" or amap[k].valid_from or amap[k].valid_to
                    for k in (df["area_key"].unique() if not df.empty else keys) if k in amap)
    lost = sorted(set(df.loc[~df["comparable"], "area_key"])) if comparable and not df.empty else []
    shade = [names.get(k, k) for k in lost]
    if mode == "yoy":
        title = f"{t('ind.yoy_title', lang)} ({change_unit(ind, kind, lang)})"
        fig = series_figure(df, "change_shown", names=names, unit=change_unit(ind, kind, lang),
                            decimals=1 if kind != "abs" else ind.decimals, lang=lang, zero_line=True,
                            era_break=crossing and (era_bound or bool(shade)), not_comparable=shade)
        return fig, title
    targets = None
    if "VN" in keys and target_is_level(ind):
        targets = target_steps(indicator_target_rows(ind.code, "VN"))
    title = trend_heading(ind, mode, lang)
    fig = series_figure(df, "value", names=names, unit=ind.unit(lang), decimals=ind.decimals, lang=lang,
                        targets=targets, era_break=crossing and (era_bound or bool(shade)), not_comparable=shade)
    return fig, title


def trend_heading(ind: Indicator, mode: str, lang: str) -> str:
    """The trend's title before its values are read: the values' one with their unit; the
    change's without it (a change's unit depends on the values: :func:`change_kind`)."""
    return t("ind.yoy_title", lang) if mode == "yoy" else f"{t('ind.trend_title', lang)} ({ind.unit(lang)})"


def notes(ind: Indicator, df: Any, keys: Sequence[str], lang: str, crossing: bool, comparable: bool) -> list:
    out = []
    amap = area_map()
    if comparable and any(amap[k].level == "province" for k in keys if k in amap):
        out.append(t("ind.comparable_note", lang))
        if not df.empty and (~df["comparable"]).any():
            out.append(t("ind.not_comparable_note", lang))
    elif crossing and any(amap[k].level != "nation" and (amap[k].level == "region" or amap[k].valid_from or
                                                          amap[k].valid_to) for k in keys if k in amap):
        out.append(t("ind.era_note", lang))
    if not df.empty and df["status"].eq("P").any():
        out.append(t("ind.provisional_legend", lang))
    return [html.Span(n, className="note") for n in out]


def obs_status(row: Any, lang: str) -> str:
    if not row.comparable:
        return t("ind.not_comparable", lang)
    if row.rebuilt:
        return t("ind.obs_rebuilt", lang)
    if row.status in ("O", "P", "E"):
        return t(f"ind.obs_{row.status}", lang)
    return t("ind.obs_aggregate", lang) if row.complete else t("ind.obs_incomplete", lang)


class _Obs(NamedTuple):
    """The columns of a series (with its change) a table row is made of."""

    area_key: str
    period: str
    period_start: date
    value: float
    status: str | None
    revision: object
    complete: bool
    comparable: bool
    rebuilt: bool
    last_year_value: float
    change_shown: float


def table_rows(ind: Indicator, df: Any, names: dict[str, str], kind: str, lang: str) -> list[dict]:
    """The table's rows (numbers with their ``_fmt`` texts, as :func:`components.grid.with_formatted`
    gives them; NaN as None), read column by column."""
    if df.empty:
        return []
    decimals_change = 1 if kind != "abs" else ind.decimals
    suffix = {"pp": " " + t("unit.pp", lang), "abs": "", "pct": "%"}[kind]
    not_comparable = t("ind.not_comparable", lang)

    rows = []
    for r in frame_rows(df, _Obs):
        value, value_fmt = formatted(r.value, ind.decimals, lang)
        last_year, last_year_fmt = formatted(r.last_year_value, ind.decimals, lang)
        change, change_fmt = formatted(r.change_shown, 1, lang)
        if change is not None:
            change_fmt = fmt_signed(r.change_shown, decimals_change, lang) + suffix
        revision, revision_fmt = formatted(r.revision, 0, lang)
        rows.append({
            "row_id": f"{r.area_key}|{r.period}",
            "period_start": r.period_start.isoformat(),
            "period_label": format_period(r.period, lang),
            "area": names.get(r.area_key, r.area_key),
            "value": value, "value_fmt": not_comparable if not r.comparable else value_fmt,
            "last_year_value": last_year, "last_year_value_fmt": last_year_fmt,
            "change_shown": change, "change_shown_fmt": change_fmt,
            "obs_status": obs_status(r, lang),
            "revision": revision, "revision_fmt": revision_fmt,
        })
    return rows


@cacheable
@callback(
    Output(ids.summary, "children"),
    Output(ids.breakdown, "children"),
    Output(ids.breakdown_title, "children"),
    Output(ids.breakdown_note, "children"),
    Output(alt_id(ids.breakdown), "children"),
    Input(ids.focus, "data"),
    *_VIEW_ARGS,
)
def update_focus(focus: Any, start: Any, end: Any, mode: Any, comparable: Any, code: Any, lang: Any) -> tuple:
    """The summary and breakdown of the area in focus: called by the browser as soon as the page is
    there (beside :func:`update_series`), and for every view chosen later."""
    ind, view = callback_view(code, start=start, end=end, mode=mode, comparable=comparable, focus=focus)
    return focus_parts(ind, view, lang)


def focus_parts(ind: Indicator, view: View, lang: str) -> tuple:
    """The area in focus: breadcrumb and headline figures, the breakdown of the latest period
    (regions of the nation, provinces of a region). Its revision history is in the indicator's
    card (:func:`update_meta`)."""
    focus, start, end = view.focus, view.start, view.end
    latest = latest_period(ind.code, "VN", end)
    when = parse(latest).end if latest else parse(end).end
    chain = drill_chain(focus, when)
    state = {"start": start, "end": end, "mode": view.mode if view.mode != "value" else None,
             "comparable": "on" if view.comparable else None}
    summary = [breadcrumb(ind, chain, state, lang), headline(ind, focus, lang)]
    bars, title, note, alt = breakdown(ind, focus, chain, latest, state, lang)
    # the text pieces as one component each (fast.static): the graph and the controls stay Dash's
    return static(summary), bars, title, note, alt


def drill_href(ind: Indicator, key: str, when: date, state: dict, lang: str) -> str:
    """The indicator's page focused on ``key`` (a bar of the breakdown on ``when``), compared with
    its parents (nation, region: :func:`drill_chain`), the view's ``state`` kept."""
    return with_lang(f"/indicator/{ind.code}", lang, areas=",".join(drill_chain(key, when)), area=key, **state)


def breadcrumb(ind: Indicator, chain: list[str], state: dict, lang: str) -> html.Nav:
    amap = area_map()
    items = []
    for i, key in enumerate(chain):
        name = controls.area_label(amap[key], lang, eras=True) if key in amap else key
        if i == len(chain) - 1:
            items.append(html.Li(html.Span(name, **{"aria-current": "page"}), className="crumb current"))
        else:
            href = with_lang(f"/indicator/{ind.code}", lang, areas=",".join(chain[: i + 1]), area=key, **state)
            items.append(html.Li(dcc.Link(name, href=href), className="crumb"))
    return html.Nav([html.Span(t("ind.focus", lang), className="crumb-label"), html.Ol(items, className="crumbs")],
                    className="ind-breadcrumb", **{"aria-label": t("ind.focus", lang)})


def headline(ind: Indicator, focus: str, lang: str) -> html.Div:
    kpi = focus_kpi(ind.code, focus)
    if kpi.value is None:
        return html.Div(t("empty.no_data", lang), className="ind-headline empty-inline")
    blocks = [html.Div([
        html.Div(t("ind.latest", lang) + " · " + format_period(kpi.period, lang), className="stat-label"),
        html.Div([html.Span(fmt_number(kpi.value, ind.decimals, lang), className="stat-value"),
                  html.Span(ind.unit(lang), className="stat-unit"), *marks(kpi, lang, ind)], className="stat-figure"),
    ], className="stat stat-main")]
    change = change_text(kpi, ind, "last_year", lang)
    if change:
        blocks.append(html.Div([
            html.Div(t("kpi.vs_last_year", lang).capitalize() + " · " + format_period(kpi.last_year_period, lang),
                     className="stat-label"),
            html.Div(change, className="stat-change " + direction_class(kpi.change_last_year, ind.direction)),
            html.Div(fmt_number(kpi.last_year_value, ind.decimals, lang) + " " + ind.unit(lang), className="stat-sub"),
        ], className="stat"))
    blocks.append(target_block(ind, kpi, focus, lang))
    if kpi.updated_at:
        blocks.append(html.Div([html.Div(t("ind.last_update", lang), className="stat-label"),
                                html.Div(fmt_datetime(kpi.updated_at, lang), className="stat-sub strong")],
                               className="stat"))
    elif area_map()[focus].level == "region":
        blocks.append(html.Div([html.Div(t("ind.regional_aggregate", lang), className="stat-sub")], className="stat"))
    return html.Div(blocks, className="ind-headline")


def target_block(ind: Indicator, kpi: Kpi, focus: str, lang: str) -> html.Div:
    status = kpi.target_status
    ytd = ytd_against_target(ind.code, focus)
    lines = [html.Div([html.Span(STATUS_ICON[status], className="status-icon", **{"aria-hidden": "true"}),
                       html.Span(t(STATUS_KEY[status], lang))], className="stat-status")]
    if ytd:
        lines.insert(0, html.Div(t(f"ind.ytd_{ind.periodicity}", lang, n=ytd["periods"], year=ytd["year"]),
                                 className="stat-label"))
        lines.append(html.Div([html.Strong(fmt_number(ytd["ytd"], ind.decimals, lang) + " " + ind.unit(lang)), " ",
                               t("ind.ytd_share", lang, share=fmt_percent(ytd["share"], 1, lang),
                                 target=fmt_number(ytd["target"], ind.decimals, lang))], className="stat-sub"))
    else:
        year = parse(kpi.period).year
        lines.insert(0, html.Div(t("ind.target_of_year", lang, year=year), className="stat-label"))
        if kpi.target is not None and target_is_level(ind):
            words = target_words(kpi.target_comparison, kpi.target, kpi.target_max, ind.decimals, lang)
            lines.append(html.Div(f"{t('kpi.target', lang)} {words} {ind.unit(lang)}", className="stat-sub"))
    return html.Div(lines, className=f"stat stat-target status-{status or 'none'}")


def breakdown(ind: Indicator, focus: str, chain: list[str], latest: str | None, state: dict,
              lang: str) -> tuple[dict, str, Any, list]:
    """(bars, title, note, text alternative) of the latest period: regions of the nation, else
    provinces of the region. The bars are a list whose names drill down (links to this page
    focused on that area, the view's ``state`` kept)."""
    if not ind.provincial:
        return (_empty(t("ind.national_only", lang)), t("ind.breakdown_hint", lang), "",
                chart_alt(ids.breakdown, t("ind.national_only", lang), None, lang))
    if latest is None:
        return _empty(t("empty.no_data", lang)), "", "", chart_alt(ids.breakdown, t("empty.no_data", lang), None, lang)
    period = format_period(latest, lang)
    amap = area_map()
    region = chain[1] if len(chain) > 1 else None
    if region is None and ind.aggregation != "none":
        xs = cross_section_rows(ind.code, latest, "region")
        title = t("ind.breakdown_regions", lang, period=period)
    else:
        xs = cross_section_rows(ind.code, latest, "province")
        if region is not None:
            xs = tuple(r for r in xs if r.region_key == region)
            title = t("ind.breakdown_provinces", lang, region=amap[region].name(lang), period=period)
        else:
            title = t("ind.breakdown_provinces", lang, region=amap["VN"].name(lang), period=period)
    name_col = "name_en" if lang == "en" else "name_vi"
    rows = ranking_rows(xs, name_col)
    level = "region" if region is None and ind.aggregation != "none" else "province"
    bars = bar_list(rows, label=title, unit=ind.unit(lang), decimals=ind.decimals, lang=lang,
                    href=lambda key: drill_href(ind, key, parse(latest).end, state, lang),
                    highlight=focus if len(chain) == 3 else None,
                    name_head=t(f"ind.level_{level}", lang)) if rows else _empty(t("empty.no_data", lang))
    missing = sum(1 for r in xs if r.value != r.value)
    note = t("ind.incomplete", lang, n=len(xs) - missing, total=len(xs)) if missing and len(xs) else ""
    hint = t("ind.breakdown_hint", lang) if rows else ""
    named = f"{ind.name(lang)} · {title}"
    alt = chart_alt(ids.breakdown, ranking_summary(named, rows, unit=ind.unit(lang), decimals=ind.decimals, lang=lang),
                    ranking_table(named, rows, unit=ind.unit(lang), decimals=ind.decimals, lang=lang), lang)
    return bars, title, [html.Span(x, className="note") for x in (hint, note) if x], alt


def _empty(text: str) -> dict:
    return static(el("P", text, className="empty-state"))


def revision_history(ind: Indicator, focus: str, lang: str) -> list:
    amap = area_map()
    key = focus if amap[focus].level != "region" else "VN"
    rev = revision_rows(ind.code, key, REVISIONS_SHOWN)
    head = html.H3(t("ind.revisions_area", lang, area=amap[key].name(lang)))
    if not rev:
        return [head, html.P(t("ind.no_revisions", lang), className="muted")]
    rows = [el("Tr", [el("Td", format_period(r.period, lang)),
                      el("Td", t("ind.revision_n", lang, n=r.revision) if r.revision else t("ind.original", lang)),
                      el("Td", fmt_number(r.value, ind.decimals, lang), className="num"),
                      el("Td", fmt_date(r.recorded_at, lang))]) for r in rev]
    table = el("Table", [el("Thead", el("Tr", [el("Th", t("ind.col_period", lang)), el("Th", t("ind.col_revision", lang)),
                                               el("Th", t("ind.col_value", lang), className="num"),
                                               el("Th", t("ind.col_recorded", lang))])),
                         el("Tbody", rows)], className="mini-table")
    return [head, static(table)]  # one component: nothing updates a row


@cacheable
@callback(
    Output(ids.areas, "options"),
    Input(ids.start, "value"),
    Input(ids.end, "value"),
    State(ids.areas, "value"),
    State(ids.code, "data"),
    State(ids.lang, "data"),
    prevent_initial_call=True,
)
def area_choices(start: Any, end: Any, selected: Any, code: Any, lang: Any) -> list[dict]:
    """The areas that existed in the chosen range (both eras labelled when it crosses 2025-07-01)."""
    ind, view = callback_view(code, start=start, end=end)
    return area_option_list(ind, lang, view.start, view.end, parse_list(selected))


@cacheable
@callback(
    Output(ids.trend_export, "children"),
    Output(ids.breakdown_export, "children"),
    Input(ids.areas, "value"),
    Input(ids.start, "value"),
    Input(ids.end, "value"),
    Input(ids.mode, "value"),
    Input(ids.comparable, "value"),
    Input(ids.focus, "data"),
    State(ids.code, "data"),
    State(ids.lang, "data"),
    prevent_initial_call=True,
)
def export_menus(areas: Any, start: Any, end: Any, mode: Any, comparable: Any, focus: Any, code: Any,
                 lang: Any) -> tuple:
    """The export menus of a newly chosen view (the layout comes with the first one's)."""
    ind, view = callback_view(code, areas, start, end, mode, comparable, focus)
    return menus(ind, view, lang)


def menus(ind: Indicator, view: View, lang: str) -> tuple:
    """The export menus of the trend and the breakdown, with the specs of what they show."""
    trend = {"kind": "trend", "indicator": ind.code, "areas": list(view.areas), "start": view.start, "end": view.end,
             "mode": view.mode, "comparable": view.comparable and ind.provincial}
    latest = latest_period(ind.code, "VN", view.end)
    if not ind.provincial or latest is None:
        return chart_menu(trend, lang), None
    chain = drill_chain(view.focus, parse(latest).end)
    region = chain[1] if len(chain) > 1 else None
    if region is None and ind.aggregation != "none":
        ranking = {"kind": "ranking", "indicator": ind.code, "period": latest, "level": "region"}
    else:
        ranking = {"kind": "ranking", "indicator": ind.code, "period": latest, "level": "province",
                   **({"region": region} if region else {})}
    return chart_menu(trend, lang), chart_menu(ranking, lang)


@cacheable
@callback(
    Output(ids.trend_assign, "children"),
    Input(ids.areas, "value"),
    Input(ids.end, "value"),
    Input(ids.focus, "data"),
    State(ids.code, "data"),
    State(ids.lang, "data"),
    prevent_initial_call=True,
)
def trend_assign(areas: Any, end: Any, focus: Any, code: Any, lang: Any) -> Any:
    """The trend's "Giao nhiệm vụ" for a newly chosen view (the layout comes with the first one's)."""
    if not directions.may_create():
        return None
    ind, view = callback_view(code, areas, None, end, None, None, focus)
    return assign_part(ind, view, lang)


def assign_part(ind: Indicator, view: View, lang: str) -> Any:
    """"Giao nhiệm vụ" about what the trend shows (its indicator, the area in focus, the latest
    period), for the viewers who may create a direction."""
    if not directions.may_create():
        return None
    area = view.focus if view.focus in view.areas else view.areas[0]
    period = latest_period(ind.code, area, view.end) or view.end
    lang = norm_lang(lang)
    return assign_link(directions.assign_href("chart", lang, indicator=ind.code, area=area, period=period), lang,
                       label=t("dir.assign_about", lang, what=ind.name(lang)))
