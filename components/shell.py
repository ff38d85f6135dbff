"""The app shell: header with navigation built from the page registry, the language switch,
the mark of the data set shown ("Dữ liệu minh họa" or "Số liệu chính thức"), and the page container. The language lives in the URL (``?lang=en``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus, urlencode

import dash
from dash import ClientsideFunction, Input, Output, callback, clientside_callback, dcc, html

from auth.shell_parts import admin_links, may_open, may_route, user_menu
from components.ids import page_ids
from components.stale_banner import stale_banner
from components.urlstate import as_text
from data_access.alerts import unread_count
from data_access.cache.backend import DATABASE_ERRORS
from data_access.cache.scopes import note_outage
from data_access.catalogue import dataset
from data_access.engine import OWN, REAL
from i18n import dataset_mark, t
from web.delivery import asset_url
from web.lang import lang_of_query
from web.responses import cacheable

ids = page_ids("shell", "location", "header", "footer", "lang_switch", "bell", "bell_count")
ALERTS_PATH = "/alerts"  # the notification centre (alerts.pages)
ids.main = "main-content"  # the skip link's target (also in auth/templates/auth/base.html)


def lang_from_search(search: str | None) -> str:
    return lang_of_query(search)


def with_lang(href: str, lang: str, **params) -> str:
    """A link that keeps the language (and adds ``params``) in its query string, as
    ``urlencode(..., doseq=True)`` writes it (a list or tuple: the name once per item). A board
    writes a hundred of these: a text value is quoted here directly."""
    parts = [_pair(k, v) for k, v in params.items() if v is not None and v != ""]
    if lang != "vi":
        parts.append(_pair("lang", lang))
    return href + ("?" + "&".join(parts) if parts else "")


def _pair(name: str, value: Any) -> str:
    """``name=value`` as ``urlencode(..., doseq=True)`` writes it."""
    if isinstance(value, str) and name.isidentifier() and name.isascii():
        return f"{name}={quote_plus(value)}"
    return urlencode({name: value}, doseq=True)  # a list (once per item), or what a forged request sent


def nav_pages() -> list[dict]:
    pages = [p for p in dash.page_registry.values() if p.get("nav") and may_open(p)]
    return sorted(pages, key=lambda p: p.get("nav_order", 99))


def header(pathname: str, search: str) -> list:
    lang = lang_from_search(search)
    other = "en" if lang == "vi" else "vi"
    links = [
        dcc.Link(
            t(p["nav"], lang),
            href=with_lang(p["path"], lang),
            className="nav-link" + (" active" if _is_active(p["path"], pathname) else ""),
        )
        for p in nav_pages()
    ] + admin_links(lang)
    return [
        skip_link(lang),
        html.Div(
            [
                html.Div(html.Img(src=asset_url("emblem.svg"), alt=""), className="brand-mark"),
                html.Div(
                    [html.Div(t("app.title", lang), className="brand-title"),
                     html.Div(t("app.subtitle", lang), className="brand-subtitle")],
                    className="brand-text",
                ),
            ],
            className="brand",
        ),
        html.Nav(links, className="nav", **{"aria-label": t("nav.label", lang)}),
        html.Div(
            [
                dataset_badge(lang),
                alert_bell(lang),
                html.Button(t("lang.switch", lang), id=ids.lang_switch, className="lang-switch", n_clicks=0,
                            lang=other, title=t("lang.switch", lang)),
            ],
            className="header-tools",
        ),
    ]


def dataset_badge(lang: str, *, wall: bool = False) -> html.Span:
    """The mark of the data set shown: "Dữ liệu minh họa", or "Số liệu chính thức" (its source as
    the title) on the official statistics; ``wall``: the wall's larger mark."""
    shown = shown_dataset()
    if shown is None:
        return html.Span()
    mark, note = dataset_mark(shown, lang)
    kind = {REAL: "official", OWN: "reported"}.get(shown, "illustrative")
    return html.Span(mark, className=f"wall-{kind}" if wall else f"badge-{kind}", title=note)


def alert_bell(lang: str) -> html.A | html.Span:
    """The bell: a link to the notification centre with the number of alerts not yet acknowledged
    that the viewer may see (nothing for those who may not open the centre, nor while the
    warehouse is away)."""
    if not may_route(ALERTS_PATH):
        return html.Span()
    try:
        n = unread_count()
    except DATABASE_ERRORS as exc:
        note_outage(exc)
        return html.Span()
    label = t("alerts.bell", lang, n=n)
    return html.A([html.Span("\N{BELL}", className="bell-icon", **{"aria-hidden": "true"}),
                   html.Span(str(n), id=ids.bell_count, className="bell-count")],
                  href=with_lang(ALERTS_PATH, lang), id=ids.bell, title=label, **{"aria-label": label},
                  className="alert-bell" + (" has-unread" if n else ""))


def shown_dataset() -> str | None:
    """The data set to mark, or None while the warehouse is away and has never said which (the
    header and footer need no data: they render without the mark, as a stale answer)."""
    try:
        return dataset()
    except DATABASE_ERRORS as exc:
        note_outage(exc)
        return None


def skip_link(lang: str) -> html.A:
    """The first focusable element of every page: straight to the main content (assets/keys.js
    moves the focus there without touching the URL)."""
    return html.A(t("a11y.skip", lang), href="#" + ids.main, className="skip-link")


def _is_active(path: str, pathname: str | None) -> bool:
    pathname = as_text(pathname, "/")
    if path == "/":
        return pathname == "/"
    # an indicator's page belongs to the catalogue, a province's profile to the provinces board
    return pathname.startswith(path) or pathname.startswith(path.rstrip("s") + "/")


def layout() -> html.Div:
    return html.Div(
        [
            dcc.Location(id=ids.location, refresh="callback-nav"),
            html.Header([html.Div(id=ids.header, className="app-header-main"), user_menu()], className="app-header"),
            stale_banner(),
            html.Main(dash.page_container, id=ids.main, className="app-main", tabIndex="-1"),
            html.Footer(id=ids.footer, className="app-footer"),
        ],
        className="app-shell",
    )


@cacheable
@callback(
    Output(ids.header, "children"),
    Output(ids.footer, "children"),
    Input(ids.location, "pathname"),
    Input(ids.location, "search"),
)
def render_chrome(pathname: str, search: str) -> tuple:
    lang = lang_from_search(search)
    return header(pathname, search), [
        html.Span(dataset_mark(shown, lang)[1] if (shown := shown_dataset()) else ""),
        html.Span(" · Nghị định 09/2019/NĐ-CP · Quyết định 293/QĐ-TTg", className="muted", lang="vi"),
    ]


# The language switch keeps the whole view: it toggles ``lang`` in the current URL and reloads.
clientside_callback(
    ClientsideFunction(namespace="occ", function_name="switchLang"),
    Output(ids.lang_switch, "title"),
    Input(ids.lang_switch, "n_clicks"),
    prevent_initial_call=True,
)
