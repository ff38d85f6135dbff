"""National overview ("Tổng quan"): the leadership's headline indicators as tiles."""

from __future__ import annotations

import dash
from dash import html

from components.fast import static
from components.tiles import tile
from data_access.catalogue import headline_codes, indicator_map
from data_access.queries import kpi_snapshot
from exports.menu import chart_menu
from i18n import norm_lang, t
from views import directions

dash.register_page(__name__, path="/", title="Tổng quan", nav="nav.overview", nav_order=1)


def layout(lang: str | None = None, **_params) -> html.Div:
    lang = norm_lang(lang)
    imap = indicator_map()
    kpis = kpi_snapshot(headline_codes(), "VN")
    tiles = directions.tiles_with_assign([tile(k, imap[k.code], lang) for k in kpis], kpis, lang, "VN")
    return html.Div(
        [
            html.H1(t("nav.overview", lang), className="page-title"),
            html.P(t("overview.lede", lang), className="page-lede"),
            html.Div(chart_menu({"kind": "kpi_tiles", "area": "VN"}, lang, title=t("exp.title.kpi", lang)),
                     className="export-bar") if tiles else None,
            html.Div(static(tiles), className="kpi-grid") if tiles else html.Div(t("empty.no_data", lang), className="empty-state"),
        ],
        className="page",
    )
