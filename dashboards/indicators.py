"""The indicator catalogue ("Chỉ tiêu"): every indicator the viewer may see, by Decision 293
group, searchable with or without diacritics ("ty le that nghiep" finds "Tỷ lệ thất nghiệp").
Each name opens ``/indicator/<code>``. The URL keeps the search: ``/indicators?q=...&group=G05``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import dash
from dash import Input, Output, State, callback, dcc, html

from components import controls
from components.fast import el, link, static
from components.ids import page_ids
from components.shell import with_lang
from components.urlstate import as_text, one_of, url_sync, url_sync_stores
from data_access.catalogue import indicator_groups, indicators_frame, search_indicators
from i18n import norm_lang, t
from web.responses import cacheable

if TYPE_CHECKING:
    import pandas as pd

dash.register_page(__name__, path="/indicators", title="Chỉ tiêu", nav="nav.indicators", nav_order=4)

PAGE = "indicators"


ids = page_ids("cat", "lang", "query", "group", "count", "results")


BINDINGS = [(ids.query, "value", "q"), (ids.group, "value", "group")]
url_sync(PAGE, BINDINGS)


def layout(q: str | None = None, group: str | None = None, lang: str | None = None, **_params) -> html.Div:
    lang = norm_lang(lang)
    groups = indicator_groups()
    group = one_of(group, set(groups["code"]))
    return html.Div(
        [
            dcc.Store(id=ids.lang, data=lang),
            *url_sync_stores(PAGE, BINDINGS),
            html.H1(t("ind.catalogue_title", lang), className="page-title"),
            html.P(t("ind.catalogue_lede", lang), className="page-lede"),
            html.Section(
                [
                    controls.control(t("ind.search", lang),
                                     dcc.Input(id=ids.query, type="search", value=q or "", debounce=0.3,
                                               placeholder=t("ind.search_placeholder", lang), autoComplete="off",
                                               className="text-input"),
                                     html_for=ids.query, className="control-search"),
                    controls.dropdown(ids.group, controls.group_options(groups, lang), group, label=t("ind.group", lang),
                                      lang=lang, clearable=True, searchable=False, placeholder=t("ind.all_groups", lang),
                                      className="control-wide"),
                    html.Div(id=ids.count, className="cat-count", **{"aria-live": "polite"}),
                ],
                className="card control-bar cat-controls",
            ),
            html.Div(id=ids.results, className="cat-results"),
        ],
        className="page page-catalogue",
    )


def matching(q: str | None, group: str | None) -> pd.DataFrame:
    """The indicators matching the search words and the group (catalogue order)."""
    q, group = as_text(q, ""), as_text(group)
    frame = search_indicators(q, limit=1000) if q.strip() else indicators_frame()
    if group and not frame.empty:
        frame = frame[frame["group_code"] == group]
    return frame


@cacheable
@callback(
    Output(ids.results, "children"),
    Output(ids.count, "children"),
    Input(ids.query, "value"),
    Input(ids.group, "value"),
    State(ids.lang, "data"),
    prevent_initial_call=False,
)
def update_results(q: Any, group: Any, lang: Any) -> tuple:
    frame = matching(q, group)
    if frame.empty:
        return html.Div(t("ind.no_results", lang), className="empty-state"), t("ind.n_results", lang, n=0)
    groups = indicator_groups().set_index("code")
    sections = []
    for code, rows in frame.groupby("group_code", sort=False):
        name = groups.loc[code, "name_en" if lang == "en" else "name_vi"] if code in groups.index else code
        items = [
            el("Li",
               [link(r.name_en if lang == "en" else r.name_vi, with_lang(f"/indicator/{r.code}", lang),
                     className="cat-link"),
                el("Span", r.unit_en if lang == "en" else r.unit_vi, className="cat-unit"),
                el("Span", t(f"ind.periodicity_{r.periodicity}", lang), className="cat-period"),
                el("Span", r.agency_en if lang == "en" else r.agency_vi, className="cat-agency")],
               className="cat-item")
            for r in rows.itertuples()
        ]
        sections.append(el("Section", [el("H2", [name, el("Span", f" · {len(items)}", className="muted")]),
                                       el("Ul", items, className="cat-list")], className="card cat-group"))
    # the whole catalogue as one component (fast.static): ~700 elements
    return static(sections), t("ind.n_results", lang, n=len(frame))
