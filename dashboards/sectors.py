"""Sectors ("Lĩnh vực"): the indicators of one Decision 293 group, or of one ministry or agency,
as a board of small multiples (trend of the last periods, latest value, change on last year,
status against the annual target) and as a sortable, filterable table.

The URL carries the choice: ``/sectors?group=G03`` or ``/sectors?agency=NHNN`` (``&lang=en``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import dash
from dash import Input, Output, State, callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components import controls
from components.fast import deferred, static
from components.grid import data_grid, link_col, number_col, text_col, with_formatted, with_links
from components.ids import page_ids
from components.shell import with_lang
from components.status import STATUS_ICON, STATUS_KEY
from components.tiles import change_text, is_rate, marks, tile
from components.urlstate import as_text, url_sync, url_sync_stores
from data_access.catalogue import indicator_groups, indicator_map, indicator_owners, indicators_of
from data_access.kpis import ytd_share
from data_access.queries import kpi_snapshot
from exports.menu import chart_menu
from exports.specs import MAX_INDICATORS
from i18n import format_period, norm_lang, t
from views import directions
from web.responses import cacheable

if TYPE_CHECKING:
    import dash_ag_grid as dag
    from dash.development.base_component import Component

    from data_access.catalogue import Indicator, Owner
    from data_access.queries import Kpi

dash.register_page(__name__, path="/sectors", title="Lĩnh vực", nav="nav.sectors", nav_order=2)

PAGE = "sectors"
STATUS_ORDER = {"off_track": 0, "at_risk": 1, "on_track": 2, None: 3}


ids = page_ids("sec", "lang", "by", "group", "agency", "group_box", "agency_box", "summary", "board", "board_title", "table", "table_box",
               "export")


BINDINGS = [(ids.group, "value", "group"), (ids.agency, "value", "agency")]
url_sync(PAGE, BINDINGS)


def owner_options(owners: Sequence[Owner], lang: str) -> list[dict]:
    """The ministries and agencies to choose from, each with its number of indicators."""
    return [{"label": f"{o.name_en if lang == 'en' else o.name_vi} ({o.indicators})", "value": o.code} for o in owners]


def layout(group: str | None = None, agency: str | None = None, lang: str | None = None, **_params) -> html.Div:
    lang = norm_lang(lang)
    groups = indicator_groups()
    owners = indicator_owners()
    by = "agency" if agency in {o.code for o in owners} else "group"
    group = group if group in set(groups["code"]) else next(iter(groups["code"]), None)  # None: no group yet
    # the first view comes with the layout (one round trip, one render); the callbacks answer a change
    chosen = (None, agency) if by == "agency" else (group, None)
    board, summary = board_parts(*chosen, lang)
    return html.Div(
        [
            dcc.Store(id=ids.lang, data=lang),
            *url_sync_stores(PAGE, BINDINGS),
            html.H1(t("nav.sectors", lang), className="page-title"),
            html.P(t("sec.lede", lang), className="page-lede"),
            html.Section(
                [
                    controls.segmented(ids.by, [("group", t("sec.by_group", lang)), ("agency", t("sec.by_agency", lang))],
                                       by, label=t("sec.by", lang)),
                    html.Div(controls.dropdown(ids.group, controls.group_options(groups, lang),
                                               group if by == "group" else None, label=t("sec.group", lang), lang=lang,
                                               searchable=False, className="control-wide"),
                             id=ids.group_box, hidden=by != "group"),
                    html.Div(controls.dropdown(ids.agency, owner_options(owners, lang),
                                               agency if by == "agency" else None, label=t("sec.agency", lang),
                                               lang=lang, className="control-wide"),
                             id=ids.agency_box, hidden=by != "agency"),
                    html.Div(summary, id=ids.summary, className="sec-summary", **{"aria-live": "polite"}),
                ],
                className="card control-bar sec-controls",
            ),
            html.Div(export_menu_of(*chosen, lang), id=ids.export, className="export-bar"),
            html.H2(t("sec.board_title", lang), id=ids.board_title, className="visually-hidden"),
            html.Section(board, id=ids.board, className="sec-board", **{"aria-labelledby": ids.board_title}),
            # below the tiles: the grid is drawn, and its rows read, when the reader comes near it
            html.Section([html.H2(t("sec.table_title", lang)),
                          deferred(summary_grid(lang, []), label=t("sec.table_title", lang), min_height=480,
                                   id=ids.table_box)],
                         className="card sec-table-card"),
        ],
        className="page page-sectors",
    )


def summary_grid(lang: str, rows: list[dict]) -> dag.AgGrid:
    columns = [
        link_col("name", t("sec.col_name", lang), flex=3, min_width=320),
        number_col("value", t("sec.col_value", lang), min_width=130),
        text_col("unit", t("sec.col_unit", lang), flex=1, min_width=130),
        text_col("period", t("sec.col_period", lang), flex=0.9, min_width=130),
        number_col("change", t("sec.col_change", lang), min_width=130),
        text_col("status", t("sec.col_status", lang), flex=1.2, min_width=190,
                 cellClassRules={"st-on": "params.data.status_key == 'on_track'",
                                 "st-risk": "params.data.status_key == 'at_risk'",
                                 "st-off": "params.data.status_key == 'off_track'"}),
        text_col("agency", t("sec.col_agency", lang), flex=1.4, min_width=180),
        text_col("marks", t("sec.col_marks", lang), flex=0.9, min_width=130),
    ]
    return data_grid(ids.table, columns, rows, lang=lang, auto_height=True, row_id="code", className="sec-grid")


@cacheable
@callback(
    Output(ids.group, "value"),
    Output(ids.agency, "value"),
    Output(ids.group_box, "hidden"),
    Output(ids.agency_box, "hidden"),
    Input(ids.by, "value"),
    State(ids.group, "options"),
    State(ids.agency, "options"),
    prevent_initial_call=True,
)
def switch_dimension(by: Any, group_options: Any, agency_options: Any) -> tuple:
    """Group OR agency: the other choice is cleared (and leaves the URL)."""
    if by == "agency":
        return None, controls.first_value(agency_options), True, False
    return controls.first_value(group_options), None, False, True


def selected_codes(group: str | None, agency: str | None) -> list[str]:
    """The codes of the chosen ministry's (else group's) indicators, in catalogue order."""
    group, agency = as_text(group), as_text(agency)
    if not agency and not group:
        return []
    return [i.code for i in (indicators_of(agency=agency) if agency else indicators_of(group=group))]


@cacheable
@callback(
    Output(ids.board, "children"),
    Output(ids.summary, "children"),
    Input(ids.group, "value"),
    Input(ids.agency, "value"),
    State(ids.lang, "data"),
    prevent_initial_call=True,
)
def update_board(group: Any, agency: Any, lang: Any) -> tuple:
    """The small multiples and the status count of a newly chosen group or ministry (the layout
    comes with the first)."""
    if not group and not agency:
        return no_update, no_update
    return board_parts(group, agency, norm_lang(lang))


@cacheable
@callback(
    Output(ids.table, "rowData"),
    Input(ids.table_box, "shown"),
    Input(ids.group, "value"),
    Input(ids.agency, "value"),
    State(ids.lang, "data"),
    prevent_initial_call=True,
)
def update_table(shown: Any, group: Any, agency: Any, lang: Any) -> list[dict]:
    """The table's rows, once it comes near the screen (``shown``: its holder, assets/deferred.js),
    and for every group or ministry chosen later. Before that, nothing is read or sent: the first
    answer of the board is its tiles."""
    if shown is not True:
        raise PreventUpdate
    return table_rows(group, agency, norm_lang(lang))


def chosen_kpis(group: str | None, agency: str | None) -> list[Kpi]:
    """The KPIs of the chosen indicators, exceptions first (off track, at risk, on track, no
    target; catalogue order within each); none chosen: none."""
    codes = selected_codes(group, agency)
    return sorted(kpi_snapshot(tuple(codes), "VN"), key=lambda k: STATUS_ORDER[k.target_status]) if codes else []


def board_parts(group: str | None, agency: str | None, lang: str) -> tuple:
    """The small multiples and the status count of the chosen indicators (none chosen: the board
    says there is nothing to show)."""
    kpis = chosen_kpis(group, agency)
    if not kpis:
        return html.Div(t("sec.empty", lang), className="empty-state"), ""
    imap = indicator_map()
    ytd = {k.code: ytd_share(k, imap[k.code]) for k in kpis}
    cards = directions.tiles_with_assign(
        [tile(k, imap[k.code], lang, "sector", href=with_lang(f"/indicator/{k.code}", lang), ytd=ytd[k.code]) for k in kpis],
        kpis, lang, "VN")
    board = html.Div(static(cards), className="sm-grid")
    return board, status_summary(kpis, lang)


def table_rows(group: Any, agency: Any, lang: str) -> list[dict]:
    """The table's rows of the chosen indicators, in the board's order."""
    return grid_rows(chosen_kpis(group, agency), indicator_map(), lang)


@cacheable
@callback(
    Output(ids.export, "children"),
    Input(ids.group, "value"),
    Input(ids.agency, "value"),
    State(ids.lang, "data"),
    prevent_initial_call=True,
)
def export_menu(group: Any, agency: Any, lang: Any) -> Component | None:
    """The export menu of a newly chosen group's (or ministry's) tiles (the layout comes with the first)."""
    return export_menu_of(group, agency, norm_lang(lang))


def export_menu_of(group: str | None, agency: str | None, lang: str) -> Component | None:
    """The export menu of the chosen group's (or ministry's) tiles; none for a set too large for one image."""
    codes = selected_codes(group, agency)
    if not codes or len(codes) > MAX_INDICATORS:
        return None
    return chart_menu({"kind": "kpi_tiles", "area": "VN", **({"agency": agency} if agency else {"group": group})},
                         lang)


def status_summary(kpis: Sequence[Kpi], lang: str) -> html.Div:
    counts: dict = {}
    for k in kpis:
        counts[k.target_status] = counts.get(k.target_status, 0) + 1
    chips = [html.Span(t("sec.count", lang, n=len(kpis)), className="chip chip-total")]
    for status in ("on_track", "at_risk", "off_track", None):
        if counts.get(status):
            chips.append(html.Span([html.Span(STATUS_ICON[status], className="status-icon", **{"aria-hidden": "true"}),
                                    f"{counts[status]} {t(STATUS_KEY[status], lang).lower()}"],
                                   className=f"chip chip-status status-{status or 'none'}"))
    return html.Div(chips, className="chips", title=t("sec.legend", lang))


def grid_rows(kpis: Sequence[Kpi], imap: Mapping[str, Indicator], lang: str) -> list[dict]:
    rows = []
    for k in kpis:
        ind = imap[k.code]
        change = change_text(k, ind, "last_year", lang) if k.value is not None else None
        absolute = is_rate(ind.unit_vi) or (k.spark and min(k.spark) < 0)  # as change_text words it
        delta = k.change_last_year if absolute else k.pct_last_year
        rows.append({
            "code": ind.code,
            "name": ind.name(lang),
            "href": with_lang(f"/indicator/{ind.code}", lang),
            "value": k.value,
            "unit": ind.unit(lang),
            "period": format_period(k.period, lang) if k.period else "–",
            "change": delta if change else None,
            "change_fmt": change or "–",
            "status": f"{STATUS_ICON[k.target_status]} {t(STATUS_KEY[k.target_status], lang)}",
            "status_key": k.target_status or "none",
            "status_rank": STATUS_ORDER[k.target_status],
            "agency": ind.agency(lang),
            "marks": " · ".join(m["props"]["children"] for m in marks(k, lang, ind)),
        })
    # each indicator has its own decimals: format row by row
    rows = with_links(rows, "name", "href")
    return [with_formatted([r], {"value": imap[r["code"]].decimals, "change": 1}, lang)[0] for r in rows]

