"""One province's profile (``/provinces/<key>``): its name, its place in the 1 July 2025
reorganisation (a former province links to the one it merged into; a merged one lists its former
provinces), its region, headline indicator tiles, every provincial indicator against the region
and the nation with its rank, and trends (optionally the comparable series of a merged province).

The URL carries the view: ``/provinces/08?indicator=RETAIL_SALES&period=202609&comparable=on&lang=en``
(indicator and period: where the user came from on /provinces; the breadcrumb goes back there).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import dash
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from components import controls
from components.chart_alt import chart_alt, chart_box, series_summary, series_table
from components.charts import Line, lines_figure
from components.directions import assign_link
from components.fast import deferred, el, graph, link, static
from components.grid import formatted
from components.ids import page_ids
from components.shell import with_lang
from components.sorttable import column, sort_table
from components.tiles import is_rate, tile
from components.urlstate import url_sync, url_sync_stores
from data_access.catalogue import Area, area_map, get_indicator, indicator_map
from data_access.provinces import (
    Lineage,
    ScoreRow,
    known_province,
    lineage,
    province_scorecard_rows,
)
from data_access.queries import comparable_series, kpi_snapshot
from data_access.trends import trend_windows_rows
from domain.eras import ERA_SWITCH, OLD_ERA_LAST_DAY, era_of
from domain.periods import clean_key, parse
from exports.menu import chart_menu
from i18n import MESSAGES, fmt_date, fmt_signed, format_period, norm_lang, t
from views import directions
from web.responses import cacheable

if TYPE_CHECKING:
    from dash.development.base_component import Component

    from data_access.catalogue import Indicator


def _title(key: str | None = None, **_) -> str:
    try:
        area = known_province(key)
    except RuntimeError:  # no warehouse bound (page registry built outside a request)
        area = None
    return f"{area.name_vi} · Địa phương" if area else "Địa phương"


dash.register_page(__name__, path_template="/provinces/<key>", title=_title)

PAGE = "province"
MAX_TRENDS = 8
TRENDS_HEIGHT = 660  # two rows of trends (px): the page keeps its height before they are drawn
TABLE_HEIGHT = 620  # px
MAX_TILES = 12


ids = page_ids("pf", "lang", "key", "comparable", "trends", "trends_note", "focus", "table", "table_notes", "trends_box")


BINDINGS = [(ids.comparable, "value", "comparable")]
url_sync(PAGE, BINDINGS)


def layout(key: str | None = None, indicator: str | None = None, period: str | None = None,
           comparable: str | None = None, lang: str | None = None, **_params) -> html.Div:
    lang = norm_lang(lang)
    area = known_province(key)
    if area is None:
        return not_found(key, lang)
    lin = lineage(area.key)
    focus = indicator if indicator in indicator_map() and get_indicator(indicator).provincial else None
    period = clean_key(period)
    kpis = kpi_snapshot(headline_codes(focus)[:MAX_TILES], area.key)
    # The page comes with its tiles; the scorecard is read by its own callback, which the browser
    # calls at once (its table keeps its room meanwhile). The trends, below the first screen, are
    # read when the reader comes near them (their callback).
    tiles = directions.tiles_with_assign([tile(k, indicator_map()[k.code], lang, href=_indicator_href(k.code, area.key, lang))
                                          for k in kpis], kpis, lang, area.key)
    return html.Div(
        [
            dcc.Store(id=ids.lang, data=lang),
            dcc.Store(id=ids.key, data=area.key),
            dcc.Store(id=ids.focus, data=focus),
            *url_sync_stores(PAGE, BINDINGS),
            breadcrumb(area, lin, focus, period, lang),
            header(area, lin, lang),
            html.Section([html.Div([html.H2(t("prov.tiles_title", lang), className="section-title"),
                                    chart_menu({"kind": "kpi_tiles", "area": area.key,
                                                   "indicators": list(headline_codes(focus)[:MAX_TILES])}, lang,
                                                  title=f"{t('prov.tiles_title', lang)} · {area.name(lang)}")
                                    if tiles else None,
                                    assign_link(directions.assign_href("profile", lang, area=area.key), lang,
                                                label=t("dir.assign_about", lang, what=area.name(lang)))
                                    if directions.may_create() else None], className="section-head"),
                          html.Div(static(tiles), className="kpi-grid pf-tiles")], className="pf-tiles-section"),
            html.Section(
                [
                    html.Div([html.H2(t("prov.table_title", lang)), html.P(t("prov.table_note", lang),
                                                                           className="prov-sub")],
                             className="prov-card-head"),
                    # a plain table (assets/table.js): no grid suite to start on the first screen
                    scorecard_table(area, None, lang),
                    html.P(id=ids.table_notes, className="prov-note"),
                ],
                className="card pf-table-card",
            ),
            html.Section(
                [
                    html.Div([html.H2(t("prov.trends_title", lang)), trends_control(lin, comparable, lang)],
                             className="card-head"),
                    html.Div(trends_notes(lin, comparable, lang), id=ids.trends_note, className="pf-notes"),
                    # below the first screen: read and drawn when the reader comes near them (a
                    # province with no headline figure at all says so at once)
                    deferred(html.Div(None if any(k.period for k in kpis) else
                                      html.Div(t("empty.no_data", lang), className="empty-state"),
                                      id=ids.trends, className="pf-trends"), label=t("prov.trends_title", lang),
                             min_height=TRENDS_HEIGHT, id=ids.trends_box),
                ],
                className="card pf-trends-card",
            ),
        ],
        className="page page-province",
    )


def _indicator_href(code: str, key: str, lang: str) -> str:
    return with_lang(f"/indicator/{code}", lang, areas=key, area=key)


def headline_codes(focus: str | None = None) -> tuple[str, ...]:
    """The headline indicators that provinces report (the one in focus first)."""
    imap = indicator_map()
    codes = [i.code for i in sorted((i for i in imap.values() if i.headline is not None and i.provincial),
                                    key=lambda i: i.headline)]
    if focus:
        codes = [focus] + [c for c in codes if c != focus]
    return tuple(codes)


def not_found(key: str | None, lang: str) -> html.Div:
    return html.Div(
        html.Div(
            [
                html.H1(t("prov.not_found", lang), className="page-title"),
                html.P(t("prov.not_found_detail", lang, which=key or ""), className="page-lede"),
                dcc.Link("← " + t("prov.back", lang), href=with_lang("/provinces", lang), className="button-link"),
            ],
            className="card not-found",
        ),
        className="page page-province",
    )


# --- header: breadcrumb, name, era, region, lineage ----------------------------------------------------


def province_region(lin: Lineage) -> str | None:
    return lin.region_now or lin.region_before


def breadcrumb(area: Area, lin: Lineage, indicator: str | None, period: str | None, lang: str) -> html.Nav:
    """``Cả nước › Vùng › Tỉnh``: the first two go back to /provinces with the indicator and period
    the user came with, in that period's era when the province existed in it (a province that
    kept its territory belongs to a region of each era), else in the province's own era."""
    amap = area_map()
    eras = {e for e, r in (("63", lin.region_before), ("34", lin.region_now)) if r}
    era = _era(period) if period and _era(period) in eras else ("34" if "34" in eras else "63")
    region = lin.region_now if era == "34" else lin.region_before
    keep_period = period if period and _era(period) == era else None
    state = {"indicator": indicator, "period": keep_period}
    items = [html.Li(dcc.Link(amap["VN"].name(lang), href=with_lang("/provinces", lang, **state)), className="crumb")]
    if region:
        items.append(html.Li(dcc.Link(amap[region].name(lang), href=with_lang("/provinces", lang, **state,
                                                                               region=region)), className="crumb"))
    items.append(html.Li(html.Span(area.name(lang), **{"aria-current": "page"}), className="crumb current"))
    return html.Nav(html.Ol(items, className="crumbs"), className="prov-crumbs",
                    **{"aria-label": t("prov.you_are_here", lang)})


def _era(period: str) -> str:
    return era_of(parse(period).end)


def rich(key: str, lang: str, **parts) -> list:
    """A message whose ``{name}`` placeholders are components (links), not text."""
    text = MESSAGES[key].get(lang) or MESSAGES[key]["vi"]
    out: list = []
    while "{" in text:
        before, rest = text.split("{", 1)
        name, text = rest.split("}", 1)
        out.extend([before, parts[name]])
    out.append(text)
    return [p for p in out if p != ""]


def _profile_link(key: str, lang: str) -> dcc.Link:
    """A link to another province's profile, its name marked with its era (Tuyên Quang before and
    after 2025 are two provinces with one name)."""
    return dcc.Link(controls.area_label(area_map()[key], lang), href=with_lang(f"/provinces/{key}", lang))


def lineage_note(area: Area, lin: Lineage, lang: str) -> list:
    if lin.kind == "former" and lin.successor:
        return rich("prov.merged_into", lang, name=_profile_link(lin.successor, lang),
                    date=fmt_date(ERA_SWITCH, lang))
    if lin.kind == "merged" and lin.formers:
        links: list = []
        for i, k in enumerate(lin.formers):
            if i:
                links.append(", ")
            links.append(_profile_link(k, lang))
        return rich("prov.formed_from", lang, names=html.Span(links), date=fmt_date(ERA_SWITCH, lang))
    if lin.kind == "merged":
        return [t("prov.valid_from", lang, date=fmt_date(area.valid_from, lang))]
    return [t("prov.kept", lang, date=fmt_date(ERA_SWITCH, lang))]


def header(area: Area, lin: Lineage, lang: str) -> html.Header:
    amap = area_map()
    facts = [html.Span([t("prov.code", lang), " ", html.Span(area.code, className="pf-code")])]
    if area.valid_from or area.valid_to:
        span = []
        if area.valid_from:
            span.append(t("prov.valid_from", lang, date=fmt_date(area.valid_from, lang)))
        if area.valid_to:
            span.append(t("prov.valid_to", lang, date=fmt_date(area.valid_to, lang)))
        facts.append(html.Span(", ".join(span)))
    region = province_region(lin)
    if region:
        text = f"{t('prov.region', lang)}: {amap[region].name(lang)}"
        if lin.region_before and lin.region_now and amap[lin.region_before].name_vi != amap[lin.region_now].name_vi:
            text += " (" + t("prov.region_before", lang, name=amap[lin.region_before].name(lang)) + ")"
        facts.append(html.Span(text))
    return html.Header(
        [
            html.H1(area.name(lang), className="page-title"),
            html.P(facts, className="pf-facts"),
            html.P(lineage_note(area, lin, lang), className=f"pf-lineage pf-lineage-{lin.kind}"),
        ],
        className="pf-header",
    )


# --- the scorecard table -----------------------------------------------------------------------------------


def change_display(ind: Indicator, row: Any, lang: str) -> tuple[float | None, str | None]:
    """The change on last year as the tiles show it: percentage points for rates, the absolute
    change for balances, per cent for levels. (sortable number, text). ``row``: a scorecard row
    (its ``change_last_year``, ``pct_last_year``, ``value``, ``last_year_value``, ``last_year_rebuilt``)."""
    change, pct = row.change_last_year, row.pct_last_year
    if change != change:
        return None, None
    mark = "¹" if row.last_year_rebuilt else ""
    if is_rate(ind.unit_vi):
        return change, f"{fmt_signed(change, 1, lang)} {t('unit.pp', lang)}{mark}"
    if row.value < 0 or row.last_year_value < 0 or pct != pct:
        return change, f"{fmt_signed(change, ind.decimals, lang)}{mark}"
    return pct, f"{fmt_signed(pct, 1, lang)}%{mark}"


def scorecard_rows(scorecard: Sequence[ScoreRow], key: str, focus: str | None, lang: str) -> list[dict]:
    """The table's rows (numbers with their ``_fmt`` texts, as :func:`components.grid.with_formatted`
    gives them; NaN as None) of :func:`~data_access.provinces.province_scorecard_rows`: a hundred
    indicators on every profile."""
    imap = indicator_map()
    query = _indicator_href("", key, lang).removeprefix("/indicator/")  # the same for every row
    rows = []
    for r in scorecard:
        ind = imap[r.code]
        d = ind.decimals
        shown, shown_text = change_display(ind, r, lang)
        rank = r.rank
        good = None
        if shown is not None and ind.direction != "neutral" and abs(shown) >= 0.05:
            good = 1 if (shown > 0) == (ind.direction == "up") else -1
        value, value_fmt = formatted(r.value, d, lang)
        region, region_fmt = formatted(r.region_value, d, lang)
        nation, nation_fmt = formatted(r.nation_value, d, lang)
        rows.append({
            "code": r.code, "indicator": ind.name(lang) + (f" · {t('mark.computed', lang)}" if ind.computed else ""),
            "href": f"/indicator/{r.code}{query}",
            "unit": ind.unit(lang), "period_start": parse(r.period).start.isoformat() if r.period else "",
            "period_label": format_period(r.period, lang) if r.period else "–",
            "value": value, "value_fmt": value_fmt, "region_value": region,
            "region_value_fmt": region_fmt + ("*" if region is not None and r.region_complete is False else ""),
            "nation_value": nation, "nation_value_fmt": nation_fmt,
            "rank": None if rank is None else float(rank),
            "rank_fmt": f"{rank}/{int(r.n_provinces)}" if rank is not None else "–",
            "rank_share": rank / int(r.n_provinces) if rank is not None else None,
            "change": shown, "change_fmt": shown_text or "–", "change_good": good, "focus": r.code == focus,
            "rank_class": _rank_class(rank / int(r.n_provinces) if rank is not None else None),
            "change_class": {1: "delta-good", -1: "delta-bad"}.get(good, ""),
            "row_class": "pf-focus-row" if r.code == focus else "",
        })
    return rows


def _rank_class(share: float | None) -> str:
    """The rank's colour by its share of the provinces: the best quarter good, the worst bad."""
    if share is None:
        return ""
    return "rank-top" if share <= 0.25 else "rank-bottom" if share > 0.75 else ""


def scorecard_table(area: Area, rows: list[dict] | None, lang: str) -> dict:
    """The scorecard as a sortable table (components/sorttable.py), its ``rows`` from
    :func:`scorecard_parts` (None: not read yet); a search box finds an indicator by name."""
    columns = [
        column("indicator", t("prov.col_indicator", lang), kind="link"),
        column("unit", t("prov.col_unit", lang)),
        column("period_label", t("prov.col_period", lang), sort_by="period_start"),
        column("value", area.name(lang), kind="number", class_name="pf-own", head_class_name="pf-own-head"),
        column("region_value", t("prov.col_region", lang), kind="number"),
        column("nation_value", t("prov.col_nation", lang), kind="number"),
        column("rank", t("prov.col_rank", lang), kind="number", class_field="rank_class"),
        column("change", t("prov.col_change", lang), kind="number", class_field="change_class"),
    ]
    return sort_table(ids.table, columns, rows, caption=f"{t('prov.table_title', lang)} · {area.name(lang)}",
                      lang=lang, height=TABLE_HEIGHT, row_class_field="row_class",
                      search_label=t("prov.table_search", lang), class_name="pf-grid")


@cacheable
@callback(
    Output(ids.table, "rows"),
    Output(ids.table_notes, "children"),
    Input(ids.key, "data"),
    State(ids.focus, "data"),
    State(ids.lang, "data"),
)
def update_scorecard(key: Any, focus: Any, lang: Any) -> tuple[list[dict], list]:
    """The scorecard's rows and notes: called by the browser as soon as the page is there (beside
    its tiles, a request the size of one table's). Nothing on the page changes them later."""
    return scorecard_parts(key, focus, lang)


def scorecard_parts(key: Any, focus: Any, lang: Any) -> tuple[list[dict], list]:
    """Every provincial indicator of the province against its region and the nation, with its rank
    (the table's rows), and the table's notes."""
    lang = norm_lang(lang)
    if known_province(key) is None:
        return [], []
    focus = focus if isinstance(focus, str) else None
    scorecard = province_scorecard_rows(key)
    return scorecard_rows(scorecard, key, focus, lang), table_footnotes(scorecard, lang)


def table_footnotes(scorecard: Sequence[ScoreRow], lang: str) -> list:
    notes = []
    if any(r.region_complete is False for r in scorecard):
        notes.append(t("prov.incomplete_mark", lang))
    if any(r.last_year_rebuilt for r in scorecard):
        notes.append(t("prov.rebuilt_note", lang))
    return [el("Span", n, className="note") for n in notes]


# --- trends ---------------------------------------------------------------------------------------------


def trends_control(lin: Lineage, comparable: Any, lang: str) -> Component:
    if lin.kind == "merged" and lin.formers:
        return controls.checkbox(ids.comparable, t("prov.comparable", lang), controls.is_checked(comparable),
                                 className="pf-comparable")
    return dcc.Checklist(id=ids.comparable, options=[], value=[], style={"display": "none"})


def split_lines(fetched: Iterable[tuple]) -> dict[tuple[str, str], list[tuple]]:
    """(code, area key) → points (period, period start, value) of
    :func:`~data_access.queries.series_windows_rows`, in one pass."""
    out: dict[tuple[str, str], list[tuple]] = {}
    for code, area, period, start, value, *_ in fetched:
        out.setdefault((code, area), []).append((period, start, value))
    return out


def trend_lines(ind: Indicator, key: str, start: str, end: str, comparable: bool,
                points: dict[tuple[str, str], list[tuple]]) -> list[Line]:
    """The province's line (rebuilt before 2025-07-01 when ``comparable``), plus the nation's for
    indicators that are not sums (a national total would dwarf a province's). ``points``:
    :func:`split_lines` of the trends' read."""
    if comparable:
        own = comparable_series(ind.code, (key,), start, end)
        own = own[own["comparable"]]
        lines = [(key, list(zip(own["period"], own["period_start"], own["value"], strict=True)))]
    else:
        lines = [(key, points.get((ind.code, key), []))]
    if ind.aggregation not in ("sum", "last"):
        lines.append(("VN", points.get((ind.code, "VN"), [])))
    return lines


def trend_alt(ind: Indicator, lines: list[Line], names: dict[str, str], name: str, lang: str) -> list:
    """A trend's summary sentence and data table, from the lines it draws."""
    unit, title = ind.unit(lang), ind.name(lang)
    return chart_alt(name, series_summary(title, lines, names=names, unit=unit, decimals=ind.decimals, lang=lang),
                     series_table(title, lines, names=names, unit=unit, decimals=ind.decimals, lang=lang), lang)


def trend_spec(ind: Indicator, key: str, start: str, end: str, comparable: bool) -> dict:
    """The export spec of one trend chart: the same areas, window and rebuild as :func:`trend_lines`."""
    areas = [key] if ind.aggregation in ("sum", "last") else [key, "VN"]
    return {"kind": "trend", "indicator": ind.code, "areas": areas, "start": start, "end": end,
            "comparable": comparable}


@cacheable
@callback(
    Output(ids.trends, "children"),
    Output(ids.trends_note, "children"),
    Input(ids.trends_box, "shown"),
    Input(ids.comparable, "value"),
    State(ids.key, "data"),
    State(ids.lang, "data"),
    prevent_initial_call=True,
)
def update_trends(shown: Any, comparable: Any, key: Any, lang: Any) -> tuple:
    """The trends once their part comes near the screen (``shown``: assets/deferred.js), and again
    for a new "comparable" choice. Before they are shown a choice changes only the notes: a
    reader who never scrolls to them costs no read."""
    if shown is not True:
        lang = norm_lang(lang)
        if known_province(key) is None:
            raise PreventUpdate
        return dash.no_update, trends_notes(lineage(key), comparable, lang)
    return trends_parts(comparable, key, lang)


def trends_parts(comparable: Any, key: Any, lang: Any) -> tuple:
    """Small trend charts of the headline indicators (the province and, for rates, the nation),
    and their notes."""
    lang = norm_lang(lang)
    if known_province(key) is None:  # the page's store names its province: anything else is not one
        return html.Div(t("prov.not_found", lang), className="empty-state"), []
    lin = lineage(key)
    rebuild = controls.is_checked(comparable) and lin.kind == "merged" and bool(lin.formers)
    amap = area_map()
    names = {key: amap[key].name(lang), "VN": amap["VN"].name(lang)}
    cells = []
    # the first of the tiles' indicators (those of the page without a focus) that have a value,
    # each up to its latest period, and their values: one statement, not the tiles' snapshot
    windows, fetched = trend_windows_rows(headline_codes()[:MAX_TRENDS], key)
    points = split_lines(fetched)
    for code, start, end in windows:
        ind = get_indicator(code)
        lines = trend_lines(ind, key, start, end, rebuild, points)
        fig = lines_figure(lines, names=names, unit=ind.unit(lang), decimals=ind.decimals, lang=lang, height=230,
                           layout={"margin": {"l": 48, "r": 8, "t": 28, "b": 28}, "legend": {"font": {"size": 11}}})
        menu = chart_menu(trend_spec(ind, key, start, end, rebuild), lang)
        name = f"pf-trend-{ind.code}"
        # fast elements: eight cells of six components each were a millisecond of validation
        cells.append(el("Div", [el("Div", [el("H3", link(ind.name(lang), _indicator_href(ind.code, key, lang)),
                                              title=ind.name(lang)), menu], className="pf-trend-head"),
                                chart_box(graph(fig, config={"displayModeBar": False}, className="pf-trend-graph"), name),
                                *trend_alt(ind, lines, names, name, lang)],
                        className="pf-trend"))
    return cells or html.Div(t("empty.no_data", lang), className="empty-state"), trends_notes(lin, comparable, lang)


def trends_notes(lin: Lineage, comparable: Any, lang: str) -> list:
    """The notes above the trends: whether they show a merged province's comparable series (or
    can), or that a former province's data stop on 30 June 2025."""
    notes = []
    if controls.is_checked(comparable) and lin.kind == "merged" and bool(lin.formers):
        notes.append(t("prov.comparable_note", lang))
    elif lin.kind == "merged" and lin.formers:
        notes.append(t("prov.comparable_hint", lang))
    if lin.kind == "former":
        notes.append(t("prov.former_note", lang, date=fmt_date(OLD_ERA_LAST_DAY, lang)))
    return [el("Span", n, className="note") for n in notes]
