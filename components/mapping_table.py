"""The upload page's mapping step as the officer reads it: a table of the names in the file, each
with the proposed code in a labelled select (its candidates, and "skip"), the number of rows and
the confidence in words (not by colour alone); rows unmatched or to check are highlighted. Pure:
the proposal (``ingest.mappings.FileProposal.as_dict()``) and the ids in, layout out."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from dash import dcc, html

from components.controls import dropdown_labels
from i18n import fmt_number, t

SKIP_VALUE = "__skip__"  # the select's value for "do not load these rows" (domain.mapping.SKIP)


def select_id_text(id_: dict[str, Any]) -> str:
    """The DOM id Dash gives a pattern-matching id (keys sorted, compact JSON): what a ``<label>``'s
    ``for`` names."""
    return json.dumps(id_, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _options(p: dict[str, Any], lang: str, area: bool) -> list[dict[str, str]]:
    options = [{"label": c["label"], "value": c["value"]} for c in p["candidates"]]
    if area:
        options.append({"label": t("map.skip", lang), "value": SKIP_VALUE})
    return options


def _value(p: dict[str, Any]) -> str | None:
    target = p.get("target")
    return SKIP_VALUE if target == "" else target


def _row(p: dict[str, Any], id_: dict[str, Any], kind: str, lang: str) -> html.Tr:
    status = p["status"]
    reason = t(p["reason"], lang) if p.get("reason") else ""
    confidence = f"{t('map.status.' + status, lang)} · {fmt_number(100 * p['confidence'], 0, lang)} %"
    select = html.Div([
        html.Label(t("map.select_for", lang, name=p["text"]), htmlFor=select_id_text(id_), className="visually-hidden"),
        dcc.Dropdown(id=id_, options=_options(p, lang, kind == "area"), value=_value(p), clearable=True,
                     searchable=True, placeholder=t("map.choose", lang), labels=dropdown_labels(lang),
                     className="dropdown", maxHeight=260),
    ], className="control map-select")
    return html.Tr([
        html.Td(t("map.kind_" + kind, lang)),
        html.Th(p["text"], scope="row"),
        html.Td(fmt_number(p.get("rows", 0), 0, lang), className="num"),
        html.Td(select),
        html.Td([html.Span(confidence, className="map-status"), html.Br() if reason else None,
                 html.Span(reason, className="muted") if reason else None]),
    ], className=f"map-row map-{status}")


def mapping_view(proposal: dict[str, Any], lang: str, *, area_id: Callable[[int], dict[str, Any]],
                 indicator_id: Callable[[int], dict[str, Any]], save_name: str, confirm: str,
                 save_value: str = "") -> html.Div:
    """The proposal as a form: the table, the optional name to save it under (``save_value``, else the
    saved mapping's name), the confirm button. ``area_id(i)`` / ``indicator_id(i)`` give the selects'
    ids (indicator ``-1``: the table's own)."""
    rows = []
    if proposal.get("indicator"):
        rows.append(_row(proposal["indicator"], indicator_id(-1), "indicator", lang))
    rows += [_row(p, indicator_id(i), "indicator", lang) for i, p in enumerate(proposal.get("indicators") or [])]
    rows += [_row(p, area_id(i), "area", lang) for i, p in enumerate(proposal.get("areas") or [])]
    every = ([proposal["indicator"]] if proposal.get("indicator") else []) + (proposal.get("indicators") or []) \
        + (proposal.get("areas") or [])
    to_check = sum(1 for p in every if p["status"] != "matched")
    head = html.Thead(html.Tr([html.Th(t(k, lang), scope="col") for k in
                               ("map.col_kind", "map.col_name", "map.col_rows", "map.col_code", "map.col_status")]))
    notes = [html.P(t("map.lede", lang))]
    if proposal.get("saved"):
        notes.append(html.P(t("map.saved_used", lang, name=proposal["saved"]), className="alert alert-info map-saved",
                            role="status"))
    if proposal.get("title"):
        notes.append(html.P(t("map.title_of_table", lang, title=proposal["title"]), className="muted"))
    if to_check:
        notes.append(html.P(t("map.unmatched_count", lang, n=to_check), className="map-to-check"))
    return html.Div([
        html.H2(t("map.title", lang)),
        *notes,
        html.Table([html.Caption(t("map.caption", lang), className="visually-hidden"), head, html.Tbody(rows)],
                   className="cmp-table map-table"),
        html.Div([
            html.Label(t("map.save_label", lang), htmlFor=save_name, className="control-label"),
            dcc.Input(id=save_name, type="text", value=save_value or proposal.get("saved") or "", maxLength=120, debounce=False,
                      className="text-input"),
        ], className="control map-save"),
        html.Button(t("map.confirm", lang), id=confirm, n_clicks=0, className="button-primary", type="button"),
    ], className="card sub-mapping", role="form", **{"aria-label": t("map.title", lang)})
