"""The export menu of a chart ("Tải xuống"), an All-in-One component.

``chart_menu(spec, lang)`` is a small dropdown (``<details>``: keyboard-accessible, no server
round trip) with download links for PNG, SVG, PDF, CSV and XLSX built from the chart's spec
(:mod:`exports.specs`), and an "Add to briefing pack" button. It is built as fast elements
(:mod:`components.fast`): a profile's trends carry eight menus of fourteen elements each, and
as Dash components they cost more than the charts. ``TakePageAIO(page, lang)`` adds every chart
of the page at once. The basket lives in the browser (``localStorage``, see
``assets/export.js``): adding costs the server nothing, and ``/briefing`` reads it back.

Ids are named once, in :class:`ids`, and used through pattern matching; both callbacks are
clientside. Viewers who may not export (see :func:`auth.may_export`) get no menu.
"""

from __future__ import annotations

import hashlib
import json

import dash
from dash import ALL, MATCH, ClientsideFunction, Input, Output, State, clientside_callback, dcc, html

from components.fast import el, link, store
from data_access.cache.memo import reference_data
from exports.files import FORMATS
from exports.specs import describe, encode_pack, encode_spec, validate
from i18n import t

BASKET_KEY = "occ-briefing-basket"  # the localStorage key (also in assets/export.js)


class ids:
    add = staticmethod(lambda aio_id: {"type": "export-add", "aio_id": aio_id})
    item = staticmethod(lambda aio_id: {"type": "export-item", "aio_id": aio_id})
    status = staticmethod(lambda aio_id: {"type": "export-status", "aio_id": aio_id})
    take = staticmethod(lambda page: {"type": "export-take", "page": page})
    take_words = staticmethod(lambda page: {"type": "export-take-words", "page": page})
    take_status = staticmethod(lambda page: {"type": "export-take-status", "page": page})


def spec_id(spec: dict) -> str:
    """A stable short id of a spec (one menu per chart on a page)."""
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def export_url(spec: dict | str, fmt: str, lang: str) -> str:
    """The download address of a chart in ``fmt``; ``spec`` as a dict or as its :func:`encode_spec` text."""
    encoded = spec if isinstance(spec, str) else encode_spec(spec)
    path = f"/export/chart.{fmt}?spec={encoded}" + (f"&lang={lang}" if lang != "vi" else "")
    try:
        return dash.get_relative_path(path)
    except Exception:  # noqa: BLE001 - outside a Dash app (unit tests): the plain path
        return path


def subscribe_url(title: str, specs: list[dict], lang: str) -> str:
    """The subscriptions page with its form filled for these charts ("Đăng ký nhận": a pack of them)."""
    from urllib.parse import urlencode

    query = {"kind": "pack", "target": encode_pack(title, specs), **({"lang": lang} if lang != "vi" else {})}
    return f"/subscriptions?{urlencode(query)}"


def _may_export() -> bool:
    try:
        from auth import may_export
    except ImportError:
        return True
    try:
        return may_export()
    except RuntimeError:  # no app context (pure unit tests)
        return True


def chart_menu(spec: dict, lang: str = "vi", *, title: str | None = None, aio_id: str | None = None,
               className: str = "") -> dict:
    """The download menu of one chart. ``title``: what the basket calls the chart (default: a
    title made from the spec)."""
    if not _may_export():
        return el("Div", className="export-menu export-menu-none", hidden=True)
    return _menu(json.dumps(spec, ensure_ascii=False, separators=(",", ":")), lang, title, aio_id,
                 className)


@reference_data  # the same menu for every view of a chart until the catalogue changes (~0.5 ms each)
def _menu(raw: str, lang: str, title: str | None, aio_id: str | None, className: str) -> dict:
    """:func:`chart_menu` of a viewer who may export, the spec as its JSON text. Callers never
    change the elements it returns."""
    spec = validate(raw)
    encoded = encode_spec(spec)
    aio_id = aio_id or spec_id(spec)
    title = title or describe(spec, lang)
    links = [el("A", t(f"exp.fmt.{fmt}", lang), href=export_url(encoded, fmt, lang), download="",
                className=f"export-link export-{fmt}", **{"data-format": fmt}) for fmt in FORMATS]
    item = {"spec": spec, "title": title,
            "words": {"added": t("exp.added", lang, n="{n}"), "already": t("exp.already", lang, n="{n}")}}
    summary = el("Summary", [el("Span", "⤓", className="export-icon", **{"aria-hidden": "true"}), t("exp.download", lang)],
                 className="export-summary", title=t("exp.menu_label", lang, title=title))
    panel = el("Div", [
        el("Div", links, className="export-links"),
        el("Button", t("exp.add", lang), id=ids.add(aio_id), n_clicks=0, className="export-add", type="button"),
        el("Div", id=ids.status(aio_id), className="export-status", role="status"),
        link(t("exp.open_pack", lang), "/briefing" + ("?lang=en" if lang == "en" else ""), className="export-open"),
        el("A", t("subs.subscribe", lang), href=subscribe_url(title, [spec], lang), className="export-subscribe",
           title=t("subs.subscribe_hint", lang)),
    ], className="export-panel")
    return el("Div", [el("Details", [summary, panel], className="export-details"), store(ids.item(aio_id), item)],
              className=("export-menu " + className).strip(), **{"data-spec": encoded})


class TakePageAIO(html.Div):
    """"Add this page to the briefing pack": every :func:`chart_menu` of the page at once."""

    ids = ids

    def __init__(self, page: str, lang: str = "vi", className: str = ""):
        if not _may_export():
            super().__init__(className="export-take export-menu-none", hidden=True)
            return
        words = {"took": t("exp.took_page", lang, added="{added}", n="{n}")}
        super().__init__(
            [
                html.Button([html.Span("+", className="export-icon", **{"aria-hidden": "true"}),
                             t("exp.take_page", lang)], id=ids.take(page), n_clicks=0, className="export-take-button",
                            type="button"),
                dcc.Store(id=ids.take_words(page), data=words),
                html.Span(id=ids.take_status(page), className="export-status", role="status"),
            ],
            className=("export-take " + className).strip(),
        )


clientside_callback(
    ClientsideFunction(namespace="occexport", function_name="add"),
    Output(ids.status(MATCH), "children"),
    Input(ids.add(MATCH), "n_clicks"),
    State(ids.item(MATCH), "data"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction(namespace="occexport", function_name="takePage"),
    Output(ids.take_status(MATCH), "children"),
    Input(ids.take(MATCH), "n_clicks"),
    State(ids.item(ALL), "data"),
    State(ids.take_words(MATCH), "data"),
    prevent_initial_call=True,
)
