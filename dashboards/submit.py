"""The upload page for reporting officers ("Gửi báo cáo"): choose the reporting unit, download the
XLSX form of what it owes for a period, upload a filled CSV/XLSX/JSON file, and read the
validation report (row, column, value, reason) in the page. A thin shell over the same intake
command as the API and the CLI (:func:`ingest.pipeline.submit`).

A reporter (a user bound to one unit) is offered its own unit only, and the callbacks hold it to
that unit on the server (:func:`auth.current_unit`), whatever the page sends. A submission records
the signed-in user who sent it (``submitted_by``; the audit log's actor)."""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, dcc, html

from auth import current_unit
from components.controls import control, dropdown
from components.ids import page_ids
from components.mapping_table import SKIP_VALUE, mapping_view
from components.urlstate import as_text
from data_access.catalogue import agencies
from domain.regimes import latest_due
from i18n import fmt_number, format_period, norm_lang, t
from ingest.mappings import FileProposal, MappingError
from ingest.published import ImportMapping
from views.submit import propose_upload, save_upload_mapping, submit_upload

dash.register_page(__name__, path="/submit", title="Gửi báo cáo", nav="nav.submit", nav_order=7)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


ids = page_ids("sub", "unit", "period", "template", "upload", "upload_text", "result", "lang", "map_save", "map_confirm",
               map_area=lambda i: {"type": "sub-map-area", "index": i},
               map_indicator=lambda i: {"type": "sub-map-indicator", "index": i})


def unit_options(lang: str, today: date) -> list[dict]:
    """Active units that report (a reporter: its own unit only)."""
    df = agencies()
    valid = df[((df["valid_to"].isna()) | (df["valid_to"] >= today)) & df["active"].astype(bool)]
    valid = valid[valid["kind"] != "government"]
    own = current_unit()
    if own:
        valid = valid[valid["code"] == own]
    name = "name_en" if lang == "en" else "name_vi"
    return [{"label": f"{r[name]} ({r['code']})", "value": r["code"]} for _, r in valid.iterrows()]


def layout(unit: str | None = None, period: str | None = None, lang: str | None = None, **_params) -> html.Div:
    lang = norm_lang(lang)
    today = date.today()
    units = unit_options(lang, today)
    codes = {u["value"] for u in units}
    unit = current_unit() or unit
    unit = unit if unit in codes else None
    month = latest_due("M", today).next()
    periods = [month.shift(-i).key for i in range(0, 13)]
    periods += [latest_due("Q", today).next().key, latest_due("Y", today).next().key, latest_due("Q", today).key,
                latest_due("Y", today).key]
    period = period if period in periods else latest_due("M", today).key
    return html.Div(
        [
            dcc.Store(id=ids.lang, data=lang),
            html.H1(t("nav.submit", lang), className="page-title"),
            html.P(t("sub.lede", lang), className="page-lede"),
            html.Div([
                dropdown(ids.unit, units, unit, label=t("sub.unit", lang), lang=lang, className="control-wide",
                         placeholder=t("sub.choose_unit", lang)),
                dropdown(ids.period, [{"label": format_period(p, lang), "value": p} for p in periods], period,
                         label=t("sub.period", lang), lang=lang),
                control(t("sub.template", lang), html.A(t("sub.download_template", lang), id=ids.template,
                                                        className="button-link", href="", download="")),
            ], className="control-bar"),
            dcc.Upload(id=ids.upload, children=html.Div([
                html.Div("⇪", className="upload-icon", **{"aria-hidden": "true"}),
                html.Div(t("sub.drop", lang), className="upload-text", id=ids.upload_text),  # names the file input (assets/a11y.js)
                html.Div(t("sub.formats", lang), className="muted"),
            ]), className="upload-zone", max_size=MAX_UPLOAD_BYTES, multiple=False),
            dcc.Loading(html.Div(id=ids.result), type="dot"),
        ],
        className="page page-submit",
    )


@callback(Output(ids.template, "href"), Input(ids.unit, "value"), Input(ids.period, "value"))
def template_link(unit: str | None, period: str | None) -> str:
    own = current_unit()
    if own and unit != own:
        unit = own if not unit else None
    if not unit or not period:
        return ""
    return f"/api/v1/templates/{unit}/{period}.xlsx"


@callback(
    Output(ids.result, "children"),
    Input(ids.upload, "contents"),
    State(ids.upload, "filename"),
    State(ids.unit, "value"),
    State(ids.lang, "data"),
    prevent_initial_call=True,
)
def upload(contents: str | None, filename: str | None, unit: str | None, lang: str) -> Any:
    """Read the uploaded file: names instead of codes are shown with the proposed mapping to
    confirm; a file of codes goes through the intake command at once (its report shown)."""
    lang = norm_lang(lang)
    if not contents:
        return dash.no_update
    unit, payload, refusal = _unit_and_payload(contents, unit, lang)
    if refusal is not None:
        return refusal
    proposal = propose_upload(unit, payload, filename)
    if proposal.needs_mapping:
        return mapping_view(proposal.as_dict(), lang, area_id=ids.map_area, indicator_id=ids.map_indicator,
                            save_name=ids.map_save, confirm=ids.map_confirm)
    return report_view(submit_upload(unit, payload, filename), lang)


@callback(
    Output(ids.result, "children", allow_duplicate=True),
    Input(ids.map_confirm, "n_clicks"),
    State(ids.upload, "contents"),
    State(ids.upload, "filename"),
    State(ids.unit, "value"),
    State(ids.lang, "data"),
    State(ids.map_area(ALL), "value"),
    State(ids.map_indicator(ALL), "value"),
    State(ids.map_save, "value"),
    prevent_initial_call=True,
)
def confirm(n_clicks: int | None, contents: str | None, filename: str | None, unit: str | None, lang: str,
            areas: list | None, indicators: list | None, save_name: str | None) -> Any:
    """The officer's mapping (the proposal with the selects' choices) through the intake command;
    saved under ``save_name`` for the unit when one is given and only once the file is accepted (a
    mapping saved with a rejected file would be proposed again for the next file, unverified). A
    rejected file: the page says the mapping was not saved and shows the choices again to correct."""
    lang = norm_lang(lang)
    if not n_clicks or not isinstance(contents, str) or not contents:
        return dash.no_update
    unit, payload, refusal = _unit_and_payload(contents, as_text(unit), lang)
    if refusal is not None:
        return refusal
    filename = as_text(filename)
    proposal = propose_upload(unit, payload, filename)  # the file again: the page's own copy is not trusted
    mapping = confirmed_mapping(proposal, areas if isinstance(areas, list) else [],
                                indicators if isinstance(indicators, list) else [])
    report = submit_upload(unit, payload, filename, mapping)
    name = as_text(save_name, "").strip()
    if report["status"] != "accepted":  # nothing loaded: nothing saved, and the choices stay to correct
        kept = html.Div(t("map.not_saved", lang, name=name), className="alert alert-duplicate map-not-saved",
                        role="status") if name and not proposal.errors else None
        form = mapping_view(chosen_view(proposal, mapping), lang, area_id=ids.map_area, indicator_id=ids.map_indicator,
                            save_name=ids.map_save, confirm=ids.map_confirm, save_value=name) \
            if proposal.needs_mapping and report["status"] == "rejected" else None
        return html.Div([kept, report_view(report, lang), form])
    saved = None
    if name and not proposal.errors:
        try:
            save_upload_mapping(unit, name, proposal.signature, mapping)
            saved = html.Div(t("map.saved_ok", lang, name=name), className="alert alert-info", role="status")
        except MappingError as exc:
            saved = html.Div(exc.message_en if lang == "en" else exc.message_vi, className="alert alert-error",
                             role="alert")
    return html.Div([saved, report_view(report, lang)])


def chosen_view(proposal: FileProposal, mapping: ImportMapping) -> dict[str, Any]:
    """The proposal as the page shows it, with the officer's choices (``mapping``) as the selects' values."""
    view = proposal.as_dict()
    if view["indicator"] is not None:
        view["indicator"]["target"] = mapping.indicator
    for key, chosen in (("areas", mapping.areas), ("indicators", mapping.indicators)):
        for row in view[key]:
            row["target"] = chosen.get(row["text"])
    return view


def confirmed_mapping(proposal: FileProposal, areas: list, indicators: list) -> ImportMapping:
    """The proposal with the officer's choices: ``areas`` and ``indicators`` are the selects' values in
    the order of the proposal's rows (the table's own indicator first); a cleared select keeps the
    name as written (the intake then reads it, or refuses it with the closest names)."""
    missing = object()  # a select the page did not send: the proposal stands
    ind_values = list(indicators)
    main = proposal.indicator.target if proposal.indicator is not None else None
    if proposal.indicator is not None and ind_values:
        main = as_text(ind_values.pop(0))
    chosen_areas = {}
    for p, v in zip(proposal.areas, areas + [missing] * len(proposal.areas), strict=False):
        value = p.target if v is missing else as_text(v, "")
        if value is not None and (value or v is missing):
            chosen_areas[p.text] = "" if value == SKIP_VALUE else value
    chosen_ind = {}
    for p, v in zip(proposal.indicators, ind_values + [missing] * len(proposal.indicators), strict=False):
        value = p.target if v is missing else as_text(v, "").upper()
        if value:
            chosen_ind[p.text] = value
    return ImportMapping(indicator=(main or "").upper() or None, areas=chosen_areas, indicators=chosen_ind,
                         name=proposal.saved.name if proposal.saved is not None else None,
                         source="saved" if proposal.saved is not None else "confirmed")


def _unit_and_payload(contents: str, unit: str | None, lang: str) -> tuple[str, bytes, html.Div | None]:
    """The unit the upload is for (a reporter: its own, whatever the page sends) and the file's bytes;
    or the refusal to show."""
    own = current_unit()
    if own:  # a reporter submits for its own unit only
        if unit not in (None, "", own):
            return "", b"", html.Div(t("sub.other_unit", lang), className="alert alert-error", role="alert")
        unit = own
    if not unit:
        return "", b"", html.Div(t("sub.need_unit", lang), className="alert alert-error", role="alert")
    try:
        return unit, base64.b64decode(contents.split(",", 1)[1], validate=True), None
    except (IndexError, binascii.Error):
        return "", b"", html.Div(t("sub.unreadable", lang), className="alert alert-error", role="alert")


def report_view(report: dict, lang: str) -> html.Div:
    """The validation report as the officer reads it."""
    status = report["status"]
    counts = report.get("counts") or {}
    if status == "accepted":
        banner = t("sub.accepted", lang, id=report["submission_id"], written=counts.get("written", 0),
                   revised=counts.get("revised", 0), unchanged=counts.get("unchanged", 0))
    elif status == "duplicate":
        banner = t("sub.duplicate", lang, id=report.get("duplicate_of") or "–")
    else:
        banner = t("sub.rejected", lang, errors=report.get("errors_total", 0))
    msg = "message_en" if lang == "en" else "message_vi"

    def table(issues: list[dict], title_key: str, total: int) -> html.Div | None:
        if not issues:
            return None
        head = html.Thead(html.Tr([html.Th(t(k, lang)) for k in ("cmp.row", "sub.column", "sub.value", "sub.reason")]))
        rows = [html.Tr([html.Td(i.get("row") or "–", className="num"), html.Td(i.get("column") or "–"),
                         html.Td(str(i.get("value") if i.get("value") is not None else "")), html.Td(i.get(msg) or "")])
                for i in issues]
        return html.Div([html.H2(f"{t(title_key, lang)} ({fmt_number(total, 0, lang)})"),
                         html.Table([head, html.Tbody(rows)], className="cmp-table sub-issues")])

    periods = ", ".join(format_period(p, lang) for p in report.get("periods") or [])
    facts = html.Ul([html.Li(f"{t('sub.rows', lang)}: {fmt_number(counts.get('rows', 0), 0, lang)}"),
                     html.Li(f"{t('sub.periods', lang)}: {periods or '–'}"),
                     html.Li(f"{t('sub.format', lang)}: {report.get('format') or '–'} · {report.get('encoding') or '–'}"),
                     html.Li(f"SHA-256: {report['sha256'][:16]}…"), _mapping_fact(report, lang)], className="sub-facts")
    return html.Div([
        html.Div(banner, className=f"alert alert-{status}", role="status"),
        facts,
        table(report.get("errors") or [], "sub.errors", report.get("errors_total", 0)),
        table(report.get("warnings") or [], "sub.warnings", report.get("warnings_total", 0)),
    ], className="card sub-report")


def _mapping_fact(report: dict, lang: str) -> html.Li | None:
    """The mapping the file was loaded with (recorded in its report), as one line."""
    given = report.get("mapping")
    if not given:
        return None
    name = f" “{given['name']}”" if given.get("name") else ""
    return html.Li(t("map.applied", lang, source=t(f"map.source.{given.get('source') or 'explicit'}", lang), name=name),
                   className="sub-mapping-applied")
