"""Directions ("Chỉ đạo, điều hành"): the leaders' directions to ministries and provinces,
searched and filtered (unit, state — overdue included —, deadline, leader, indicator, area, text
typed with or without diacritics), in a paged table, with the measures of how units carry them
out (on-time completion rate, average days overdue, open load), each exportable and addable to
the briefing pack. A reporter sees its own unit's directions only (the reads are viewer-aware)."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, ctx, dcc, html

from components.controls import control, dropdown
from components.directions import assign_link, grid_columns, grid_rows, measure_block, summary_cards
from components.grid import data_grid
from components.ids import page_ids
from components.urlstate import as_date, as_text, one_of, url_sync, url_sync_stores
from exports.menu import TakePageAIO, chart_menu
from i18n import norm_lang, t
from views import directions as view
from web.responses import cacheable

dash.register_page(__name__, path="/directions", title="Chỉ đạo, điều hành", nav="nav.directions", nav_order=8)

PAGE = "directions"
PAGE_SIZE = 25


ids = page_ids("dirs", "q", "unit", "state", "leader", "indicator", "area", "deadline", "lang", "page", "prev", "next",
               "grid", "count", "summary", "measures")

BINDINGS = [(ids.q, "value", "q"), (ids.unit, "value", "unit"), (ids.state, "value", "state"),
            (ids.leader, "value", "leader"), (ids.indicator, "value", "indicator"), (ids.area, "value", "area"),
            (ids.deadline, "start_date", "from"), (ids.deadline, "end_date", "to")]
url_sync(PAGE, BINDINGS)


def layout(q: str | None = None, unit: str | None = None, state: str | None = None, leader: str | None = None,
           indicator: str | None = None, area: str | None = None, lang: str | None = None, **params: Any) -> html.Div:
    lang = norm_lang(lang)
    choices = view.filter_choices(lang)
    picked = {name: one_of(value, {o["value"] for o in choices[name]})
              for name, value in (("unit", unit), ("state", state), ("indicator", indicator), ("area", area))}
    start, end = as_date(params.get("from")), as_date(params.get("to"))
    head = [html.Div([html.H1(t("dir.title", lang), className="page-title"),
                      html.P(t("dir.lede", lang), className="page-lede")])]
    if view.may_create():
        head.append(assign_link(view.assign_href("page", lang), lang, className="button-link primary"))
    return html.Div(
        [
            dcc.Store(id=ids.lang, data=lang),
            dcc.Store(id=ids.page, data=1),
            *url_sync_stores(PAGE, BINDINGS),
            html.Div(head, className="dir-page-head"),
            html.Div(id=ids.summary, className="cmp-summary dir-summary"),
            html.Div([
                control(t("dir.search", lang), dcc.Input(
                    id=ids.q, type="search", value=as_text(q, "")[:200], debounce=True, className="text-input",
                    placeholder=t("dir.search_placeholder", lang)), html_for=ids.q, className="control-wide"),
                *[dropdown(getattr(ids, name), choices[name], picked[name], label=t(f"dir.filter.{name}", lang),
                           lang=lang, clearable=True, placeholder=t("dir.filter.all", lang),
                           className="control-wide" if name in ("unit", "indicator") else "")
                  for name in ("unit", "state", "indicator", "area")],
                control(t("dir.filter.leader", lang), dcc.Input(
                    id=ids.leader, type="search", value=as_text(leader, "")[:80], debounce=True,
                    className="text-input"), html_for=ids.leader),
                control(t("dir.filter.deadline", lang), dcc.DatePickerRange(
                    id=ids.deadline, start_date=start.isoformat() if start else None,
                    end_date=end.isoformat() if end else None, clearable=True, first_day_of_week=1,
                    display_format="DD/MM/YYYY" if lang == "vi" else "MMM D, YYYY",
                    start_date_placeholder_text=t("dir.filter.from", lang),
                    end_date_placeholder_text=t("dir.filter.to", lang)), html_for=ids.deadline),
            ], className="control-bar dir-filters", role="search"),
            html.Section([
                html.Div([html.H2(id=ids.count, **{"aria-live": "polite"}),
                          html.Div([html.Button(t("dir.prev", lang), id=ids.prev, n_clicks=0, className="pager-button",
                                                type="button"),
                                    html.Button(t("dir.next", lang), id=ids.next, n_clicks=0, className="pager-button",
                                                type="button")], className="dir-pager")], className="card-head"),
                data_grid(ids.grid, grid_columns(lang), [], lang=lang, height=None, auto_height=True, row_id="ref",
                          className="dir-grid"),
            ], className="card dir-list-card"),
            html.Section([
                html.Div([html.H2(t("dir.measures", lang)), TakePageAIO(PAGE, lang)], className="card-head"),
                html.Div(id=ids.measures, className="dir-measures"),
            ], className="card dir-measures-card"),
        ],
        className="page page-directions",
    )


@cacheable
@callback(
    Output(ids.grid, "rowData"),
    Output(ids.count, "children"),
    Output(ids.page, "data"),
    Output(ids.prev, "disabled"),
    Output(ids.next, "disabled"),
    Input(ids.q, "value"),
    Input(ids.unit, "value"),
    Input(ids.state, "value"),
    Input(ids.leader, "value"),
    Input(ids.indicator, "value"),
    Input(ids.area, "value"),
    Input(ids.deadline, "start_date"),
    Input(ids.deadline, "end_date"),
    Input(ids.prev, "n_clicks"),
    Input(ids.next, "n_clicks"),
    State(ids.page, "data"),
    State(ids.lang, "data"),
)
def render(q: Any, unit: Any, state: Any, leader: Any, indicator: Any, area: Any, start: Any, end: Any,
           _prev: Any, _next: Any, page: Any, lang: Any) -> tuple:
    """One page of the directions that match, the count, and the pager."""
    lang = norm_lang(lang)
    step = {ids.prev: -1, ids.next: 1}.get(ctx.triggered_id if isinstance(ctx.triggered_id, str) else "", None)
    page = max(1, (page if isinstance(page, int) else 1) + step) if step else 1
    filters = view.filters_from(q=q, unit=unit, state=state, leader=leader, indicator=indicator, area=area,
                                start=start, end=end)
    found = view.listing(filters, page=page, page_size=PAGE_SIZE, lang=lang)
    pages = max(1, -(-found.total // PAGE_SIZE))
    page = min(page, pages)
    title = t("dir.count", lang, n=found.total) + " · " + t("dir.page_of", lang, page=page, pages=pages)
    return grid_rows(found.rows, found.today, lang), title, page, page <= 1, page >= pages


@cacheable
@callback(Output(ids.summary, "children"), Output(ids.measures, "children"), Input(ids.lang, "data"))
def overview(lang: Any) -> tuple:
    """The counts (open, overdue, due this week, recently closed) and the measures' charts."""
    lang = norm_lang(lang)
    charts = []
    for measure, by_unit in view.measures_by_unit(lang).items():
        title = t("dir.measure.by_unit", lang, measure=t(f"dir.measure.{measure}", lang), months=view.MEASURE_MONTHS)
        menu = chart_menu({"kind": "direction_measures", "measure": measure}, lang, title=title)
        charts.append(measure_block(by_unit, measure, lang, title=title, menu=menu))
    return summary_cards(view.counts(), lang), charts
