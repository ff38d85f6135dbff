"""Provinces ("Địa phương"): one provincial indicator for one period on the map of that period's
era (63 provinces before 1 July 2025, 34 from then on; never mixed), the ranking of the
provinces, and the nation and regional aggregates; a drill path nation → region → province.

The URL carries the view: ``/provinces?indicator=RETAIL_SALES&period=202609&region=R2&lang=en``.
``layout`` builds the controls and the board from it (the first view comes drawn with the page);
``update_board`` redraws the map's spec, the ranking and the aggregates in place when the view
changes. The map is drawn as SVG in the browser from the spec and the era's GeoJSON
(``occ_map.ProvinceMap`` in ``assets/map.js``, see components/mapfig.py), so the geometry is
downloaded once; the ranking is a list of bars (components/barlist.py). No chart library starts on
this page. Clicking a province (map or ranking), or choosing it in the "open a profile" list,
opens ``/provinces/<key>``.
"""

from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import quote

import dash
from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from components import controls
from components.barlist import bar_list
from components.chart_alt import alt_id, alt_region, chart_alt, chart_box, ranking_summary, ranking_table
from components.charts import ranking_rows
from components.fast import el, province_map, static
from components.ids import page_ids
from components.mapfig import map_spec, message_spec
from components.shell import with_lang
from components.urlstate import as_text, one_of, url_sync, url_sync_stores
from data_access.catalogue import Indicator, all_indicators, area_map, areas_on, get_indicator, region_members
from data_access.provinces import latest_province_period, province_period_rows, provinces_reported, region_keys
from data_access.queries import XsRow, cross_section_rows, regional_aggregate_rows
from domain.eras import ERA_DAY, era_of
from domain.periods import parse
from exports.menu import TakePageAIO, chart_menu
from i18n import fmt_number, format_period, norm_lang, t
from web.responses import cacheable

dash.register_page(__name__, path="/provinces", title="Địa phương", nav="nav.provinces", nav_order=3)

PAGE = "provinces"
#: The period list shows the newest this many (a daily series: 400 days; monthly: 33 years)
MAX_PERIOD_OPTIONS = 400


ids = page_ids("prov", "lang", "indicator", "period", "region", "goto", "crumbs", "map", "map_title",
               "map_sub", "ranking", "ranking_title", "ranking_note", "regions", "nav",
               "map_export", "ranking_export", "regions_export",
               region_pick=lambda region, where="table": {"type": "prov-region-pick", "region": region, "where": where})


BINDINGS = [(ids.indicator, "value", "indicator"), (ids.period, "value", "period"), (ids.region, "value", "region")]
url_sync(PAGE, BINDINGS)


# --- the view state, read from the URL and cleaned ---------------------------------------------------


class View(NamedTuple):  # not a dataclass: Dash imports page modules outside sys.modules
    indicator: str
    period: str | None
    region: str | None


def provincial_indicators() -> list[Indicator]:
    """The indicators reported by provinces that the viewer may see, in catalogue order."""
    return [i for i in all_indicators() if i.provincial]


def default_indicator(inds: list[Indicator]) -> str:
    """The first headline indicator reported by provinces (else the first provincial one)."""
    headline = sorted((i for i in inds if i.headline is not None), key=lambda i: i.headline)
    return (headline or inds)[0].code


def region_era(region: str | None) -> str | None:
    area = area_map().get(as_text(region, ""))
    if area is None or area.level != "region":
        return None
    return "63" if area.key.endswith("-63") else "34"


def read_view(indicator: Any = None, period: Any = None, region: Any = None) -> View | None:
    """The view the URL asks for, every value checked: an unknown indicator → the default one; an
    unknown period → the latest with provincial data (in the region's era when a region of the
    other era is asked for); a region that is not of the period's era → the whole country."""
    inds = provincial_indicators()
    if not inds:
        return None
    code = one_of(indicator, {i.code for i in inds}) or default_indicator(inds)
    period = provinces_reported(code, period)  # not the count of every period: the menu's own callback has it
    if period is None:
        period = latest_province_period(code, era=region_era(region)) or latest_province_period(code)
    if period is None or one_of(region, region_keys(era_of(parse(period).end))) is None:
        region = None
    return View(code, period, region)


# --- layout --------------------------------------------------------------------------------------------


def layout(indicator: str | None = None, period: str | None = None, region: str | None = None,
           lang: str | None = None, **_params) -> html.Div:
    lang = norm_lang(lang)
    view = read_view(indicator, period, region)
    if view is None:
        return html.Div([html.H1(t("nav.provinces", lang), className="page-title"),
                         html.Div(t("prov.no_indicator", lang), className="empty-state")], className="page")
    # The board comes drawn with the page (its callbacks answer only a change of view): one round
    # of callbacks fewer before the page settles.
    b = view_board(view, lang)
    menus = view_menus(view, lang)
    return html.Div(
        [
            dcc.Store(id=ids.lang, data=lang),
            dcc.Location(id=ids.nav, refresh="callback-nav"),
            *url_sync_stores(PAGE, BINDINGS),
            html.Nav(b.crumbs, id=ids.crumbs, className="prov-crumbs", **{"aria-label": t("prov.you_are_here", lang)}),
            html.H1(t("nav.provinces", lang), className="page-title"),
            html.P(t("prov.lede", lang), className="page-lede"),
            control_bar(view, lang),
            html.Div(TakePageAIO(PAGE, lang), className="export-bar"),
            html.Div(
                [
                    html.Section(
                        [
                            html.Div(menus[0], id=ids.map_export, className="export-corner"),
                            html.Div([html.H2(b.map_title, id=ids.map_title),
                                      html.P(b.map_sub, id=ids.map_sub, className="prov-sub")],
                                     className="prov-card-head"),
                            map_list(view, lang),
                            chart_box(province_map(b.map_data, id=ids.map, className="prov-map-graph"), ids.map,
                                      className="prov-map-box"),
                            alt_region(ids.map, b.map_alt),
                            html.P(t("prov.map_hint", lang), className="prov-hint"),
                        ],
                        className="card prov-map-card",
                    ),
                    html.Section(
                        [
                            html.Div(menus[1], id=ids.ranking_export, className="export-corner"),
                            html.Div([html.H2(b.ranking_title, id=ids.ranking_title),
                                      html.P(b.ranking_note, id=ids.ranking_note, className="prov-sub")],
                                     className="prov-card-head"),
                            html.Div(b.ranking, id=ids.ranking, className="prov-ranking-box"),
                            alt_region(ids.ranking, b.ranking_alt),
                        ],
                        className="card prov-ranking-card",
                    ),
                    html.Section(
                        [html.Div(menus[2], id=ids.regions_export, className="export-corner"),
                         html.H2(t("prov.regions_title", lang)),
                         html.Div(b.regions, id=ids.regions, **{"aria-live": "polite"})],
                        className="card prov-regions-card",
                    ),
                ],
                className="prov-grid",
            ),
        ],
        className="page page-provinces",
    )


def control_bar(view: View, lang: str) -> html.Section:
    inds = provincial_indicators()
    era = era_of(parse(view.period).end) if view.period else "34"
    return html.Section(
        [
            controls.dropdown(ids.indicator, [{"label": i.name(lang), "value": i.code} for i in inds], view.indicator,
                              label=t("prov.indicator", lang), lang=lang, className="control-wide prov-control-indicator"),
            # the chosen period only: its callback lists the others (with how many reported) once the page is up
            controls.dropdown(ids.period, chosen_period_option(view.period, lang), view.period,
                              label=t("prov.period", lang), lang=lang, className="control-period prov-control-period"),
            controls.dropdown(ids.region, region_options(era, lang), view.region, label=t("prov.region", lang),
                              lang=lang, clearable=True, searchable=False, placeholder=t("prov.all_regions", lang),
                              className="prov-control-region"),
        ],
        className="card control-bar prov-controls",
    )


def map_list(view: View, lang: str) -> html.Div:
    """The map's provinces as a list beside it (type to search, Enter opens the profile, as a
    click on the map does): nobody needs to click the map."""
    era = era_of(parse(view.period).end) if view.period else "34"
    return controls.dropdown(ids.goto, province_options(era, lang), None, label=t("a11y.map_list", lang), lang=lang,
                             placeholder=t("a11y.map_list_placeholder", lang), className="prov-map-list")


def period_options(code: str, lang: str, chosen: str | None = None) -> list[dict]:
    """Periods with provincial data, newest first; an incomplete one says how many reported. At
    most :data:`MAX_PERIOD_OPTIONS` (a daily series: its last 400 days, not ten years of them),
    and ``chosen`` after them when it is older (a period given in the URL stays shown)."""
    periods = province_period_rows(code)
    rows = list(periods[:-MAX_PERIOD_OPTIONS - 1:-1])  # the newest, newest first
    if chosen is not None and len(periods) > MAX_PERIOD_OPTIONS and chosen not in {r.period for r in rows}:
        rows.extend(r for r in periods if r.period == chosen)
    out = []
    for r in rows:
        label = format_period(r.period, lang)
        if r.n_reported < r.n_provinces:
            label += f" ({r.n_reported}/{r.n_provinces})"
        out.append({"label": label, "value": r.period})
    return out


def chosen_period_option(period: str | None, lang: str) -> list[dict]:
    """The period menu as the page comes: its chosen period alone (:func:`sync_controls` lists
    them all right after; counting the reports of every period is a scan of the indicator's
    whole cross-section index)."""
    return [] if period is None else [{"label": format_period(period, lang), "value": period}]


def region_options(era: str, lang: str) -> list[dict]:
    amap = area_map()
    return [{"label": amap[k].name(lang), "value": k} for k in region_keys(era)]


def province_options(era: str, lang: str) -> list[dict]:
    areas = sorted(areas_on("province", ERA_DAY[era]), key=lambda a: a.name(lang))
    return [{"label": a.name(lang), "value": a.key, "search": f"{a.name_vi} {a.name_en}"} for a in areas]


# --- callbacks -----------------------------------------------------------------------------------------


@cacheable
@callback(
    Output(ids.period, "options"),
    Output(ids.period, "value"),
    Output(ids.region, "options"),
    Output(ids.region, "value"),
    Input(ids.indicator, "value"),
    Input(ids.period, "value"),
    State(ids.region, "value"),
    State(ids.lang, "data"),
)
def sync_controls(code: Any, period: Any, region: Any, lang: Any) -> tuple:
    """With the page: the indicator's periods (the layout lists only the chosen one). A new
    indicator lists its own periods (keeping the chosen one when it has it); a period of the other
    era lists that era's regions (dropping a region that does not exist in it)."""
    lang = norm_lang(lang)
    view = read_view(code, period, region)
    if view is None:
        return no_update, no_update, no_update, no_update
    era = era_of(parse(view.period).end) if view.period else "34"
    listed = ctx.triggered_id in (None, ids.indicator)  # None: the call with the page
    options = period_options(view.indicator, lang, view.period) if listed else no_update
    return (options, view.period if view.period != period else no_update, region_options(era, lang),
            view.region if view.region != region else no_update)


# The region buttons (aggregates table, breadcrumb) zoom to a region or back to the nation; in the
# browser (assets/map.js): drawing the buttons fires it, and it then answers without a round trip.
clientside_callback(
    ClientsideFunction(namespace="occmap", function_name="pickRegion"),
    Output(ids.region, "value", allow_duplicate=True),
    Input(ids.region_pick(ALL, ALL), "n_clicks"),
    prevent_initial_call=True,
)


# What the board and its export menus are drawn from: the chosen view and the page's language.
_VIEW = (Input(ids.indicator, "value"), Input(ids.period, "value"), Input(ids.region, "value"), State(ids.lang, "data"))


class Board(NamedTuple):
    map_data: dict
    ranking: object
    regions: list
    crumbs: list
    map_title: str
    map_sub: str
    ranking_title: str
    ranking_note: str
    goto_options: list
    map_alt: list
    ranking_alt: list


@cacheable
@callback(
    Output(ids.map, "spec"),
    Output(ids.ranking, "children"),
    Output(ids.regions, "children"),
    Output(ids.crumbs, "children"),
    Output(ids.map_title, "children"),
    Output(ids.map_sub, "children"),
    Output(ids.ranking_title, "children"),
    Output(ids.ranking_note, "children"),
    Output(ids.goto, "options"),
    Output(alt_id(ids.map), "children"),
    Output(alt_id(ids.ranking), "children"),
    *_VIEW,
    prevent_initial_call=True,
)
def update_board(code: Any, period: Any, region: Any, lang: Any) -> tuple:
    """The map's spec, the ranking, the aggregates and the breadcrumb for a newly chosen view (the
    layout comes with the first one drawn)."""
    lang = norm_lang(lang)
    view = read_view(code, period, region)
    if view is None:
        raise PreventUpdate
    return tuple(view_board(view, lang))


@cacheable
@callback(
    Output(ids.map_export, "children"),
    Output(ids.ranking_export, "children"),
    Output(ids.regions_export, "children"),
    *_VIEW,
    prevent_initial_call=True,
)
def export_menus(code: Any, period: Any, region: Any, lang: Any) -> tuple:
    """The export menus of a newly chosen view (the layout comes with the first one's)."""
    lang = norm_lang(lang)
    view = read_view(code, period, region)
    if view is None:
        raise PreventUpdate
    return view_menus(view, lang)


def view_board(view: View, lang: str) -> Board:
    """The board of ``view``: the layout's first one, then the callback's."""
    if view.period is None:
        return empty_board(lang)
    return board(get_indicator(view.indicator), view.period, view.region, lang)


def view_menus(view: View, lang: str) -> tuple:
    """The export menus of the map (framed on the region), the ranking and the regional aggregates."""
    if view.period is None:
        return None, None, None
    base = {"indicator": view.indicator, "period": view.period}
    regional = None
    if get_indicator(view.indicator).aggregation != "none":
        regional = chart_menu({"kind": "regional", **base}, lang)
    return (chart_menu({"kind": "map", **base, **({"region": view.region} if view.region else {})}, lang),
            chart_menu({"kind": "ranking", **base, "level": "province"}, lang), regional)


def empty_board(lang: str) -> Board:
    """Nothing reported by any province for the chosen indicator: say so where the map would be."""
    nothing = t("empty.no_data", lang)
    return Board(message_spec(nothing), static(el("P", nothing, className="empty-state")), [], breadcrumb(None, lang), "", nothing,
                 t("prov.ranking_title", lang), "", [], chart_alt(ids.map, nothing, None, lang),
                 chart_alt(ids.ranking, nothing, None, lang))


#: A cross-section of the provinces, as the board reads it (no frame)
Rows = tuple[XsRow, ...]


def board(ind: Indicator, period: str, region: str | None, lang: str) -> Board:
    xs = cross_section_rows(ind.code, period)
    era = era_of(parse(period).end)
    focus = tuple(region_members(parse(period).end).get(region, ())) if region else ()
    spec = map_spec(xs, era, lang=lang, unit=ind.unit(lang), decimals=ind.decimals, focus=focus)
    spec["profile"] = {"path": dash.get_relative_path("/provinces/"),
                       "query": with_lang("", lang, indicator=ind.code, period=period)}
    spec["error_text"] = t("map.load_error", lang)
    reported = _reported(xs)
    amap = area_map()
    title = f"{ind.name(lang)} · {format_period(period, lang)}"
    sub = " · ".join([ind.unit(lang), t(f"prov.era_{era}", lang),
                      t("prov.reported", lang, n=reported, total=len(xs))])
    return Board(
        map_data=spec,
        ranking=ranking(xs, ind, focus, spec["profile"], lang),
        regions=regions_table(ind, period, region, lang, xs),
        crumbs=breadcrumb(region, lang),
        map_title=title,
        map_sub=sub,
        ranking_title=t("prov.ranking_title", lang) + (f" · {amap[region].name(lang)}" if region else ""),
        ranking_note=ranking_note(ind, xs, lang),
        goto_options=province_options(era, lang),
        **board_alts(ind, xs, title, focus, lang),
    )


def _reported(xs: Rows) -> int:
    return sum(1 for r in xs if r.value == r.value)


def _missing(xs: Rows, lang: str) -> list[str]:
    """The names of the provinces that did not report, in the cross-section's order."""
    return [r.name_en if lang == "en" else r.name_vi for r in xs if r.value != r.value]


def board_alts(ind: Indicator, xs: Rows, title: str, focus: tuple[str, ...], lang: str) -> dict:
    """The map's and the ranking's summaries and data tables (the ranking: the region's provinces
    when a region is chosen, as its colours show), from the cross-section they draw."""
    name_col = "name_en" if lang == "en" else "name_vi"
    rows = ranking_rows(xs, name_col)
    missing = _missing(xs, lang)
    unit, decimals = ind.unit(lang), ind.decimals
    table = ranking_table(title, rows, unit=unit, decimals=decimals, lang=lang)
    ranked = [r for r in rows if r[1] in focus] if focus else rows
    return {
        "map_alt": chart_alt(ids.map, ranking_summary(title, rows, unit=unit, decimals=decimals, lang=lang, kind="map",
                                                      missing=missing), table, lang),
        # the same table when no region is chosen: built once
        "ranking_alt": chart_alt(ids.ranking, ranking_summary(title, ranked, unit=unit, decimals=decimals, lang=lang),
                                 ranking_table(title, ranked, unit=unit, decimals=decimals, lang=lang)
                                 if focus else table, lang),
    }


def ranking(xs: Rows, ind: Indicator, focus: tuple[str, ...], profile: dict, lang: str) -> dict:
    """All reported provinces, best first, as a list of bars whose names open the provinces'
    profiles; with a region chosen, its provinces stay coloured and the others turn grey."""
    rows = ranking_rows(xs, "name_en" if lang == "en" else "name_vi")
    if not rows:
        return static(el("P", t("empty.no_data", lang), className="empty-state"))
    return bar_list(rows, label=t("prov.ranking_title", lang), unit=ind.unit(lang), decimals=ind.decimals, lang=lang,
                    href=lambda key: profile["path"] + quote(key, safe="") + profile["query"], focus=focus,
                    name_head=t("prov.col_area", lang))


def ranking_note(ind: Indicator, xs: Rows, lang: str) -> str:
    order = t("prov.best_low", lang) if ind.direction == "down" else t("prov.best_high", lang)
    missing = _missing(xs, lang)
    return order + (" · " + t("prov.not_reported", lang, names=", ".join(missing)) if missing else "")


def regions_table(ind: Indicator, period: str, region: str | None, lang: str, xs: Rows) -> list:
    """The nation's reported value and each region's aggregate (a button that zooms the map);
    incomplete aggregates are marked; ``xs`` is the provinces' cross-section. Built as fast
    elements (seven rows of buttons, rendered on every view change)."""
    amap = area_map()
    nation = cross_section_rows(ind.code, period, "nation")
    nation_value = nation[0].value if nation else None
    head = el("Thead", el("Tr", [el("Th", t("prov.col_area", lang), scope="col"),
                                 el("Th", f"{t('prov.col_value', lang)} ({ind.unit(lang)})", scope="col",
                                    className="num"),
                                 el("Th", t("prov.col_reported", lang), scope="col", className="num")]))

    def row(key: str, name: str, value: list, reported: str, row_class: str, **button) -> dict:
        pressed = region == key if key != "VN" else region is None
        pick = el("Button", name, id=ids.region_pick(key), className="link-button", n_clicks=0,
                  **{"aria-pressed": "true" if pressed else "false"}, **button)
        return el("Tr", [el("Th", pick, scope="row"), el("Td", value, className="num" + row_class),
                         el("Td", reported, className="num muted")],
                  className=" ".join(filter(None, ["nation-row" if key == "VN" else "", "selected" if pressed else ""])))

    rows = [row("VN", amap["VN"].name(lang), [fmt_number(nation_value, ind.decimals, lang)],
                f"{_reported(xs)}/{len(xs)}", " strong")]
    agg = regional_aggregate_rows(ind.code, period)
    for key, vi, en, value, n, got, complete in agg:
        name = en if lang == "en" else vi
        shown = [fmt_number(value, ind.decimals, lang)]
        if not complete:
            shown.append(el("Span", t("prov.incomplete", lang), className="badge-incomplete"))
        rows.append(row(key, name, shown, f"{got}/{n}", "", title=t("prov.zoom_region", lang, name=name)))
    out = [el("Table", [head, el("Tbody", rows)], className="prov-regions-table")]
    if not agg:
        out.append(el("P", t("prov.no_regional", lang), className="prov-note"))
    elif not all(r.complete for r in agg):
        out.append(el("P", t("prov.incomplete_note", lang), className="prov-note"))
    return out


def breadcrumb(region: str | None, lang: str) -> list:
    """``Cả nước › Đồng bằng sông Hồng``: the nation is a button back while a region is chosen."""
    amap = area_map()
    nation = amap["VN"].name(lang)
    if not region:
        return [html.Ol([html.Li(html.Span(nation, **{"aria-current": "page"}), className="crumb current")],
                        className="crumbs")]
    return [html.Ol([
        html.Li(html.Button(nation, id=ids.region_pick("VN", "crumb"), className="link-button", n_clicks=0), className="crumb"),
        html.Li(html.Span(amap[region].name(lang), **{"aria-current": "page"}), className="crumb current"),
    ], className="crumbs")]


# A province chosen in the list opens its profile (on the map a click does, and the ranking's names
# are links).
clientside_callback(
    ClientsideFunction(namespace="occmap", function_name="navigate"),
    Output(ids.nav, "href"),
    Input(ids.goto, "value"),
    State(ids.map, "spec"),
    prevent_initial_call=True,
)
