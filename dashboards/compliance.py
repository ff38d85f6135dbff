"""Reporting compliance ("Tình hình báo cáo"): for a report regime, the units × periods matrix (on
time / late / missing / not yet due), completeness and on-time rates per unit, per group of units
and overall (as DHIS2 computes reporting rates), the overdue reports, and a unit's submissions
with their validation reports (``?unit=UB01``).

A reporter (a user bound to one unit) sees its own unit only: the callbacks read the unit from the
signed-in user on the server (:func:`auth.current_unit`), whatever the page sends."""

from __future__ import annotations

from datetime import date

import dash
import pandas as pd
from dash import Input, Output, callback, dcc, html

from auth import current_unit
from components.controls import dropdown
from components.i18n import fmt_date, fmt_datetime, fmt_number, norm_lang, t
from components.shell import with_lang
from components.urlstate import as_text, url_sync, url_sync_stores
from data_access.compliance import compliance_matrix, overdue_reports, reporting_rates, unit_submissions
from data_access.periods import Period, format_period, latest_due

dash.register_page(__name__, path="/compliance", title="Tình hình báo cáo", nav="nav.compliance", nav_order=6)

PAGE = "compliance"
DEFAULT_REGIME = "UBND-M"
WINDOW = {"D": 14, "M": 12, "Q": 8, "S": 6, "Y": 5}
STATE_ICON = {"on_time": "✔", "late": "⏱", "missing": "✖", "not_due": "…", None: ""}
STATE_KEY = {"on_time": "cmp.on_time", "late": "cmp.late", "missing": "cmp.missing", "not_due": "cmp.not_due"}


class ids:
    regime = "cmp-regime"
    group = "cmp-group"
    unit = "cmp-unit"
    lang = "cmp-lang"
    summary = "cmp-summary"
    matrix = "cmp-matrix"
    overdue = "cmp-overdue"
    detail = "cmp-detail"


BINDINGS = [(ids.regime, "value", "regime"), (ids.group, "value", "group")]
url_sync(PAGE, BINDINGS)


def regimes_frame() -> pd.DataFrame:
    from data_access.compliance import reporting_calendar

    cal = reporting_calendar(unit_code=current_unit())  # a reporter: the regimes its unit owes
    return cal.drop_duplicates("regime_code")[["regime_code", "regime_name_vi", "regime_name_en", "frequency"]]


def layout(regime: str | None = None, group: str | None = None, unit: str | None = None, lang: str | None = None,
           **_params) -> html.Div:
    lang = norm_lang(lang)
    unit = current_unit() or unit  # a reporter: its own unit's submissions
    regs = regimes_frame().sort_values("regime_code")
    codes = set(regs["regime_code"])
    regime = regime if regime in codes else (DEFAULT_REGIME if DEFAULT_REGIME in codes else next(iter(codes), None))
    name_col = "regime_name_en" if lang == "en" else "regime_name_vi"
    options = [{"label": f"{r[name_col]} ({r['regime_code']})", "value": r["regime_code"]} for _, r in regs.iterrows()]
    groups = [{"label": t("cmp.group.all", lang), "value": "all"},
              {"label": t("cmp.group.ministries", lang), "value": "ministries"},
              {"label": t("cmp.group.provinces", lang), "value": "provinces"}]
    return html.Div(
        [
            dcc.Store(id=ids.lang, data=lang),
            dcc.Store(id=ids.unit, data=unit),
            *url_sync_stores(PAGE, BINDINGS),
            html.H1(t("nav.compliance", lang), className="page-title"),
            html.P(t("cmp.lede", lang), className="page-lede"),
            html.Div([
                dropdown(ids.regime, options, regime, label=t("cmp.regime", lang), lang=lang, className="control-wide"),
                dropdown(ids.group, groups, group if group in ("ministries", "provinces") else "all",
                         label=t("cmp.group", lang), lang=lang),
            ], className="control-bar"),
            html.Div(id=ids.summary, className="cmp-summary"),
            html.Div([html.Section(id=ids.matrix, className="card cmp-matrix-card"),
                      html.Section(id=ids.overdue, className="card cmp-overdue-card")], className="cmp-grid"),
            html.Section(id=ids.detail),
        ],
        className="page page-compliance",
    )


def matrix_periods(frequency: str, today: date) -> tuple[str, ...]:
    """The last periods of the regime's frequency, up to the first one not yet due."""
    last = latest_due(frequency, today).next()
    n = WINDOW.get(frequency, 12)
    return tuple(last.shift(-i).key for i in range(n - 1, -1, -1))


@callback(
    Output(ids.summary, "children"),
    Output(ids.matrix, "children"),
    Output(ids.overdue, "children"),
    Input(ids.regime, "value"),
    Input(ids.group, "value"),
    Input(ids.lang, "data"),
)
def render(regime: str | None, group: str | None, lang: str):
    lang = norm_lang(lang)
    regime = as_text(regime)
    if not regime:
        empty = html.Div(t("empty.no_data", lang), className="empty-state")
        return empty, empty, ""
    today = date.today()
    own = current_unit()  # a reporter: every table holds its own unit only
    regs = regimes_frame().set_index("regime_code")
    frequency = regs.loc[regime, "frequency"] if regime in regs.index else "M"
    periods = matrix_periods(frequency, today)
    matrix = compliance_matrix(regime, periods, today, unit_code=own)
    if group in ("ministries", "provinces"):
        matrix = matrix[matrix["unit_group"] == group]
    start = Period.from_date(frequency, today).shift(-WINDOW.get(frequency, 12)).start
    overall = reporting_rates(regime, start=start, today=today, by="overall", unit_code=own)
    by_unit = reporting_rates(regime, start=start, today=today, by="unit", unit_code=own)
    if own:
        by_group = by_unit.iloc[0:0]
        label = by_unit.iloc[0]["unit_name_en" if lang == "en" else "unit_name_vi"] if len(by_unit) else own
    else:
        by_group = reporting_rates(regime, start=start, today=today, by="group")
        label = None
    overdue = overdue_reports(today, since=start, regime_code=regime, unit_code=own)
    if group in ("ministries", "provinces"):
        overdue = overdue[overdue["unit_group"] == group]
    return (summary_cards(overall, by_group, lang, title=label),
            matrix_table(matrix, by_unit, periods, lang),
            overdue_list(overdue, lang))


def summary_cards(overall: pd.DataFrame, by_group: pd.DataFrame, lang: str, title: str | None = None) -> list:
    """Rates overall (under ``title``, default "all units") and per group of units."""
    cards = []
    for label, row in [(title or t("cmp.group.all", lang), overall.iloc[0] if len(overall) else None)] + [
            (t(f"cmp.group.{r['key']}", lang), r) for _, r in by_group.iterrows()]:
        if row is None:
            continue
        cards.append(html.Div([
            html.Div(label, className="cmp-card-label"),
            html.Div([html.Span(fmt_number(row["completeness"], 1, lang) + "%", className="cmp-card-value"),
                      html.Span(" " + t("cmp.completeness", lang), className="muted")]),
            html.Div([html.Strong(fmt_number(row["timeliness"], 1, lang) + "%"),
                      html.Span(" " + t("cmp.timeliness", lang), className="muted")]),
            html.Div(t("cmp.counts", lang, expected=int(row["expected"]), received=int(row["received"]),
                       late=int(row["late"]), missing=int(row["missing"])), className="cmp-card-counts"),
        ], className="card cmp-card"))
    return cards


def matrix_table(matrix: pd.DataFrame, by_unit: pd.DataFrame, periods: tuple[str, ...], lang: str) -> list:
    title = html.H2(t("cmp.matrix", lang))
    if matrix.empty:
        return [title, html.Div(t("empty.no_data", lang), className="empty-state")]
    rates = by_unit.set_index("key") if not by_unit.empty else pd.DataFrame()
    name_col = "unit_name_en" if lang == "en" else "unit_name_vi"
    head = html.Thead(html.Tr([html.Th(t("cmp.unit", lang), scope="col")]
                              + [html.Th(format_period(p, lang), scope="col", className="cmp-period") for p in periods]
                              + [html.Th(t("cmp.completeness", lang), scope="col"),
                                 html.Th(t("cmp.timeliness", lang), scope="col")]))
    rows = []
    for _, r in matrix.iterrows():
        cells = [html.Th(dcc.Link(r[name_col], href=with_lang("/compliance", lang, unit=r["unit_code"],
                                                                regime=r["regime_code"])), scope="row")]
        for p in periods:
            state = r.get(p)
            cells.append(html.Td(STATE_ICON.get(state, ""), className=f"cmp-cell st-{state or 'none'}",
                                 title=t(STATE_KEY[state], lang) if state in STATE_KEY else ""))
        rate = rates.loc[r["unit_code"]] if r["unit_code"] in rates.index else None
        cells += [html.Td(fmt_number(rate["completeness"], 0, lang) + "%" if rate is not None else "–", className="num"),
                  html.Td(fmt_number(rate["timeliness"], 0, lang) + "%" if rate is not None else "–", className="num")]
        rows.append(html.Tr(cells))
    legend = html.Div([html.Span([html.Span(STATE_ICON[s], className=f"cmp-cell st-{s}"), " " + t(k, lang)],
                                 className="cmp-legend-item") for s, k in STATE_KEY.items()], className="cmp-legend")
    return [title, legend, html.Div(html.Table([head, html.Tbody(rows)], className="cmp-table"), className="cmp-scroll")]


def overdue_list(overdue: pd.DataFrame, lang: str) -> list:
    name_col = "unit_name_en" if lang == "en" else "unit_name_vi"
    items = [html.Li([html.Strong(r[name_col]),
                      html.Span(f" · {format_period(r['period'], lang)} · "
                                f"{t('cmp.deadline', lang)} {fmt_date(r['deadline'], lang)} · "
                                f"{t('cmp.days_overdue', lang, days=int(r['days_late']))}", className="muted")])
             for _, r in overdue.head(30).iterrows()]
    return [html.H2([t("cmp.overdue", lang), html.Span(f" ({len(overdue)})", className="muted")]),
            html.Ul(items, className="cmp-overdue") if items else html.P(t("wall.none_overdue", lang), className="muted")]


@callback(Output(ids.detail, "children"), Input(ids.unit, "data"), Input(ids.lang, "data"))
def unit_detail(unit: str | None, lang: str):
    """The unit's submissions with their validation reports (a reporter: its own unit's, always)."""
    lang = norm_lang(lang)
    unit = current_unit() or (unit if isinstance(unit, str) else None)
    if not unit:
        return None
    subs = unit_submissions(unit)
    head = html.H2(t("cmp.submissions_of", lang, unit=unit))
    if subs.empty:
        return html.Div([head, html.P(t("cmp.no_submissions", lang), className="muted")], className="card")
    rows = []
    for _, s in subs.head(50).iterrows():
        report = s["report"] or {}
        issues = (report.get("errors") or []) + (report.get("warnings") or [])
        detail = None
        if issues:
            msg = "message_en" if lang == "en" else "message_vi"
            detail = html.Details([html.Summary(t("cmp.report", lang, errors=int(s["errors"]), warnings=int(s["warnings"]))),
                                   html.Ul([html.Li(f"{t('cmp.row', lang)} {i.get('row') or '–'} · {i.get('column') or '–'}"
                                                    f" · {i.get('value') or ''} · {i.get(msg) or i.get('code')}")
                                            for i in issues[:100]])])
        rows.append(html.Tr([html.Td(fmt_datetime(s["received_at"], lang)), html.Td(s["channel"]),
                             html.Td(s["submitted_by"] or "–"),
                             html.Td(s["filename"] or "–"), html.Td(", ".join(s["periods"]) or "–"),
                             html.Td(t(f"cmp.status.{s['status']}", lang), className=f"sub-{s['status']}"),
                             html.Td(fmt_number(s["rows_written"], 0, lang), className="num"), html.Td(detail)]))
    head_row = html.Thead(html.Tr([html.Th(t(k, lang)) for k in ("cmp.received", "cmp.channel", "cmp.submitted_by", "cmp.file",
                                                                    "cmp.periods", "cmp.status", "cmp.rows", "cmp.details")]))
    return html.Div([head, html.Table([head_row, html.Tbody(rows)], className="cmp-table cmp-subs")], className="card")
