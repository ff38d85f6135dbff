"""National overview ("Tổng quan"): the leadership's headline indicators."""

from __future__ import annotations

import dash
from dash import html

from components.i18n import norm_lang, t

dash.register_page(__name__, path="/", title="Tổng quan", nav="nav.overview", nav_order=1)


def layout(lang: str | None = None, **_params) -> html.Div:
    lang = norm_lang(lang)
    return html.Div([html.H1(t("nav.overview", lang), className="page-title")], className="page")
