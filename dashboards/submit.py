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
from dash import Input, Output, State, callback, dcc, html

from auth import current_unit
from components.controls import control, dropdown
from components.ids import page_ids
from data_access.catalogue import agencies
from domain.regimes import latest_due
from i18n import fmt_number, format_period, norm_lang, t
from views.submit import submit_upload

dash.register_page(__name__, path="/submit", title="Gửi báo cáo", nav="nav.submit", nav_order=7)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


ids = page_ids("sub", "unit", "period", "template", "upload", "upload_text", "result", "lang")


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
    """Decode the uploaded file and run the intake command; show its report."""
    lang = norm_lang(lang)
    if not contents:
        return dash.no_update
    own = current_unit()
    if own:  # a reporter submits for its own unit only
        if unit not in (None, "", own):
            return html.Div(t("sub.other_unit", lang), className="alert alert-error", role="alert")
        unit = own
    if not unit:
        return html.Div(t("sub.need_unit", lang), className="alert alert-error", role="alert")
    try:
        payload = base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (IndexError, binascii.Error):
        return html.Div(t("sub.unreadable", lang), className="alert alert-error", role="alert")
    return report_view(submit_upload(unit, payload, filename), lang)


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
        return html.Div([html.H3(f"{t(title_key, lang)} ({fmt_number(total, 0, lang)})"),
                         html.Table([head, html.Tbody(rows)], className="cmp-table sub-issues")])

    periods = ", ".join(format_period(p, lang) for p in report.get("periods") or [])
    facts = html.Ul([html.Li(f"{t('sub.rows', lang)}: {fmt_number(counts.get('rows', 0), 0, lang)}"),
                     html.Li(f"{t('sub.periods', lang)}: {periods or '–'}"),
                     html.Li(f"{t('sub.format', lang)}: {report.get('format') or '–'} · {report.get('encoding') or '–'}"),
                     html.Li(f"SHA-256: {report['sha256'][:16]}…")], className="sub-facts")
    return html.Div([
        html.Div(banner, className=f"alert alert-{status}", role="status"),
        facts,
        table(report.get("errors") or [], "sub.errors", report.get("errors_total", 0)),
        table(report.get("warnings") or [], "sub.warnings", report.get("warnings_total", 0)),
    ], className="card sub-report")

