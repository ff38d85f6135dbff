"""The briefing pack ("Bộ tài liệu"): the charts collected with "Add to briefing pack" on any page,
in order, with a title; downloaded as PowerPoint or PDF (``/export/pack.pptx|pdf``). The download is a background job
(``assets/export.js``, :mod:`exports.jobs`): the status line shows its place in the queue of the
render gate ("Đang xếp hàng (vị trí 2)…") until the file is ready.

The basket lives in the browser (``localStorage``, ``assets/export.js``): the page reads it when it
renders, and reordering or removing is clientside. The server only describes each chart (titles
in the page's language, a spec that can no longer be exported is flagged) and builds the files
when the form is sent."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import dash
from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from components.ids import page_ids
from components.urlstate import as_dict, as_text
from exports.menu import subscribe_url
from exports.specs import SpecError, describe
from i18n import fmt_date, norm_lang, t

dash.register_page(__name__, path="/briefing", title="Bộ tài liệu", nav="nav.briefing", nav_order=6)


ids = page_ids("brief", "config", "basket", "saved", "title", "heading", "items", "specs", "form", "pptx", "pdf", "clear",
               "subscribe",
               up=lambda i: {"type": "brief-up", "index": i},
               down=lambda i: {"type": "brief-down", "index": i},
               remove=lambda i: {"type": "brief-remove", "index": i})


def _path(path: str) -> str:
    try:
        return dash.get_relative_path(path)
    except Exception:  # noqa: BLE001 - outside a Dash app (unit tests)
        return path


def layout(lang: str | None = None, **_params) -> html.Div:
    lang = norm_lang(lang)
    return html.Div(
        [
            dcc.Store(id=ids.config, data={"lang": lang,
                                           "default_title": t("brief.default_title", lang, date=fmt_date(date.today(), lang))}),
            dcc.Store(id=ids.basket),
            dcc.Store(id=ids.saved),
            html.H1(t("nav.briefing", lang), className="page-title"),
            html.P(t("brief.lede", lang), className="page-lede"),
            html.Form(
                [
                    html.Div([
                        html.Label(t("brief.title_label", lang), htmlFor=ids.title, className="control-label"),
                        dcc.Input(id=ids.title, name="title", type="text", maxLength=200, debounce=True,
                                  className="brief-title-input"),
                    ], className="control brief-title"),
                    dcc.Input(id=ids.specs, name="specs", type="hidden", value="[]"),
                    dcc.Input(name="lang", type="hidden", value=lang, id="brief-lang-field"),
                    html.Div([
                        html.Button(t("brief.download_pptx", lang), id=ids.pptx, type="submit",
                                    formAction=_path("/export/pack.pptx"), className="brief-download", disabled=True),
                        html.Button(t("brief.download_pdf", lang), id=ids.pdf, type="submit",
                                    formAction=_path("/export/pack.pdf"), className="brief-download", disabled=True),
                        html.Button(t("brief.clear", lang), id=ids.clear, type="button", n_clicks=0,
                                    className="brief-clear"),
                    ], className="brief-actions"),
                    html.Div(className="brief-status", role="status"),
                ],
                id=ids.form, method="POST", action=_path("/export/pack.pptx"), className="card brief-form",
                **{"data-preparing": t("brief.preparing", lang), "data-failed": t("exp.failed", lang)},
            ),
            html.A(t("subs.subscribe", lang), id=ids.subscribe, href="/subscriptions?kind=pack", hidden=True,
                   className="brief-subscribe", title=t("subs.subscribe_hint", lang)),
            html.Section([html.H2(id=ids.heading, className="section-title"),
                          html.Ol(id=ids.items, className="brief-items")], className="brief-list"),
            html.P(t("brief.stored", lang), className="muted brief-note"),
        ],
        className="page page-briefing",
    )


# The basket and its title are read from the browser when the page renders.
clientside_callback(
    ClientsideFunction(namespace="occexport", function_name="loadBasket"),
    Output(ids.basket, "data"),
    Output(ids.title, "value"),
    Input(ids.config, "data"),
)

# Move up, move down, remove, remove all: clientside, written back to the browser's storage.
clientside_callback(
    ClientsideFunction(namespace="occexport", function_name="edit"),
    Output(ids.basket, "data", allow_duplicate=True),
    Input(ids.up(ALL), "n_clicks"),
    Input(ids.down(ALL), "n_clicks"),
    Input(ids.remove(ALL), "n_clicks"),
    Input(ids.clear, "n_clicks"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction(namespace="occexport", function_name="saveTitle"),
    Output(ids.saved, "data"),
    Input(ids.title, "value"),
    prevent_initial_call=True,
)


@callback(
    Output(ids.items, "children"),
    Output(ids.heading, "children"),
    Output(ids.specs, "value"),
    Output(ids.pptx, "disabled"),
    Output(ids.pdf, "disabled"),
    Input(ids.basket, "data"),
    Input(ids.config, "data"),
)
def render(basket: dict | None, config: dict) -> tuple:
    """The list of the basket's charts, titled in the page's language; the specs the form sends.
    The basket comes from the browser's storage: anything malformed in it is listed as invalid."""
    lang = norm_lang(as_dict(config).get("lang"))
    items = as_dict(basket).get("items")
    items = items if isinstance(items, list) else []
    rows, specs = [], []
    for i, item in enumerate(items):
        item = as_dict(item)
        spec = item.get("spec")
        try:
            title, problem = describe(spec, lang), None
            specs.append(spec)
        except SpecError as exc:
            title, problem = as_text(item.get("title"), "?"), str(exc)
        rows.append(item_row(i, len(items), title, problem, lang))
    heading = t("brief.items", lang, n=len(specs))
    if not rows:
        rows = [html.Li(t("brief.empty", lang), className="empty-state brief-empty")]
    return rows, heading, json.dumps(specs, ensure_ascii=False), not specs, not specs


@callback(
    Output(ids.subscribe, "href"),
    Output(ids.subscribe, "hidden"),
    Input(ids.specs, "value"),
    Input(ids.title, "value"),
    State(ids.config, "data"),
)
def subscribe_link(specs: Any, title: Any, config: Any) -> tuple[str, bool]:
    """"Đăng ký nhận" for the current basket: the subscriptions page's form filled with it (a pack).
    Any of the three may be hostile (a forged request): anything but a JSON list is no basket."""
    config = as_dict(config)
    try:
        charts = json.loads(as_text(specs, "[]") or "[]")
    except ValueError:
        charts = []
    charts = charts if isinstance(charts, list) else []
    name = as_text(title) or as_text(config.get("default_title")) or ""
    return _path(subscribe_url(name, charts, norm_lang(config.get("lang")))), not charts


def item_row(i: int, n: int, title: str, problem: str | None, lang: str) -> html.Li:
    def button(id_: dict, text: str, symbol: str, disabled: bool = False) -> html.Button:
        return html.Button(symbol, id=id_, n_clicks=0, type="button", className="brief-button", title=text,
                           disabled=disabled, **{"aria-label": f"{text}: {title}"})

    return html.Li(
        [
            html.Span(f"{i + 1}.", className="brief-number"),
            html.Div([html.Div(title, className="brief-item-title"),
                      html.Div(t("brief.invalid", lang, reason=problem), className="brief-invalid") if problem else None],
                     className="brief-item-main"),
            html.Div([button(ids.up(i), t("brief.up", lang), "↑", disabled=i == 0),
                      button(ids.down(i), t("brief.down", lang), "↓", disabled=i == n - 1),
                      button(ids.remove(i), t("brief.remove", lang), "✕")], className="brief-item-buttons"),
        ],
        className="brief-item" + (" brief-item-invalid" if problem else ""),
    )
