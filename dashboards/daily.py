"""The daily brief ("Thông tin hằng ngày"): the day's daily indicators against the day before and a
week before, and the daily information items from ministries and provinces by category and
severity, with what is new since the day before. Also a board of the wall."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import dash
from dash import Input, Output, callback, dcc, html

from components.controls import control, dropdown
from components.directions import assign_link, daily_section
from components.fast import el, static
from components.ids import page_ids
from components.tiles import tile
from components.urlstate import as_date, one_of, url_sync, url_sync_stores
from components.wallboards import CATEGORY_KEY, SEVERITY_KEY
from data_access.catalogue import indicator_map
from data_access.daily import daily_indicator_records, daily_item_records, latest_day
from exports.menu import chart_menu
from i18n import fmt_date, fmt_signed, norm_lang, t
from views import directions
from web.responses import cacheable

if TYPE_CHECKING:
    from collections.abc import Iterable

dash.register_page(__name__, path="/daily", title="Thông tin hằng ngày", nav="nav.daily", nav_order=5,
                   chunks=("dcc/async-datepicker.js",))  # its date picker: linked with the page (web.delivery)

PAGE = "daily"


ids = page_ids("daily", "day", "category", "severity", "lang", "content")


BINDINGS = [(ids.day, "date", "day"), (ids.category, "value", "category"), (ids.severity, "value", "severity")]
url_sync(PAGE, BINDINGS)


def layout(day: str | None = None, category: str | None = None, severity: str | None = None,
           lang: str | None = None, **_params) -> html.Div:
    lang = norm_lang(lang)
    newest = latest_day()
    chosen = as_date(day, newest)
    cats = [{"label": t(k, lang), "value": v} for v, k in CATEGORY_KEY.items()]
    sevs = [{"label": t(k, lang), "value": v} for v, k in SEVERITY_KEY.items()]
    return html.Div(
        [
            dcc.Store(id=ids.lang, data=lang),
            *url_sync_stores(PAGE, BINDINGS),
            html.H1(t("nav.daily", lang), className="page-title"),
            html.P(t("daily.lede", lang), className="page-lede"),
            html.Div([
                control(t("daily.day", lang), dcc.DatePickerSingle(
                    id=ids.day, date=chosen.isoformat() if chosen else None,
                    display_format="DD/MM/YYYY" if lang == "vi" else "MMM D, YYYY", placeholder=t("daily.pick_day", lang),
                    max_date_allowed=newest.isoformat() if newest else None, first_day_of_week=1), html_for=ids.day),
                dropdown(ids.category, cats, one_of(category, CATEGORY_KEY),
                         label=t("daily.category", lang), lang=lang, clearable=True, placeholder=t("daily.all", lang),
                         className="control-wide"),
                dropdown(ids.severity, sevs, one_of(severity, SEVERITY_KEY),
                         label=t("daily.severity", lang), lang=lang, clearable=True, placeholder=t("daily.all", lang)),
            ], className="control-bar"),
            html.Div(id=ids.content),
        ],
        className="page page-daily",
    )


@cacheable
@callback(
    Output(ids.content, "children"),
    Input(ids.day, "date"),
    Input(ids.category, "value"),
    Input(ids.severity, "value"),
    Input(ids.lang, "data"),
)
def render(day: str | None, category: str | None, severity: str | None, lang: str) -> Any:
    lang = norm_lang(lang)
    if not day:
        return html.Div(t("empty.no_data", lang), className="empty-state")
    d = as_date(day) or latest_day()  # not a date: the newest day, as the layout does
    if d is None:
        return html.Div(t("empty.no_data", lang), className="empty-state")
    category, severity = one_of(category, CATEGORY_KEY), one_of(severity, SEVERITY_KEY)
    due, overdue, today = directions.daily(d, lang, current=d == latest_day())
    return [indicator_tiles(daily_indicator_records(d), lang, d),
            el("Div", static([daily_section(due, overdue, lang, today),
                              items_section(d, category, severity, lang, assign=directions.may_create())]))]


def indicator_tiles(records: Iterable[dict[str, Any]], lang: str, d: date | None = None) -> html.Section:
    """The day's daily indicators (:func:`~data_access.daily.daily_indicator_records`) as tiles (those
    reported that day), with their export menu."""
    known = indicator_map()
    tiles = [tile(r, known[r["code"]], lang, "daily") for r in records
             if r["value"] == r["value"] and r["code"] in known]  # NaN: not reported that day
    body = html.Div(static(tiles), className="kpi-grid") if tiles else html.Div(t("empty.no_data", lang), className="empty-state")
    menu = chart_menu({"kind": "daily", "day": d.isoformat()}, lang, title=f"{t('daily.indicators', lang)} · "
                         f"{fmt_date(d, lang)}") if tiles and d else None
    return html.Section([html.Div([html.H2(t("daily.indicators", lang), className="section-title"), menu],
                                  className="section-head"), body])


def items_section(d: date, category: str | None, severity: str | None, lang: str, *, assign: bool = False) -> dict:
    """The day's information items (filtered), with counts per category against the day before;
    ``assign``: each with its "Giao nhiệm vụ" link (to the unit that sent it)."""
    items = [r for r in daily_item_records(d, days=2)
             if (not category or r["category"] == category) and (not severity or r["severity"] == severity)]
    today = [r for r in items if r["item_date"] == d]
    yesterday = [r for r in items if r["item_date"] == d - timedelta(days=1)]
    counts = []
    for cat, key in CATEGORY_KEY.items():
        n, m = sum(r["category"] == cat for r in today), sum(r["category"] == cat for r in yesterday)
        if n or m:
            counts.append(el("Li", [el("Span", t(key, lang)), el("Strong", str(n)),
                                    el("Span", f"({fmt_signed(n - m, 0, lang)} {t('daily.vs_yesterday', lang)})",
                                       className="muted")]))
    rows = [el("Li", [
        el("Span", t(SEVERITY_KEY.get(r["severity"], "daily.sev.info"), lang), className=f"sev-badge sev-{r['severity']}"),
        el("Div", [el("Div", [el("Strong", r["title"]), el("Span", " " + t("daily.new", lang), className="mark mark-new")]),
                   el("Div", r["body"], className="item-body"),
                   el("Div", f"{r['agency_en'] if lang == 'en' else r['agency_vi']} · "
                             f"{t(CATEGORY_KEY.get(r['category'], 'daily.cat.admin'), lang)} · "
                             f"{fmt_date(r['item_date'], lang)}", className="item-meta"),
                   assign_link(directions.assign_href("daily", lang, unit=r["agency_code"], item=r["title"]), lang,
                               label=t("dir.assign_about", lang, what=r["title"])) if assign else None],
           className="item-main"),
    ], className="daily-item") for r in today]
    return el("Section", [
        el("H2", [t("daily.items", lang), el("Span", f" · {t('daily.new_since', lang)}: {len(today)}", className="muted")],
           className="section-title"),
        el("Ul", counts, className="daily-counts") if counts else None,
        el("Ul", rows, className="daily-items") if rows else el("Div", t("daily.no_items", lang), className="empty-state"),
    ])
