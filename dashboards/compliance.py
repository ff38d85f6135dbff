"""Reporting compliance ("Tình hình báo cáo"): for a report regime, the units × periods matrix (on
time / late / missing / not yet due), completeness and on-time rates per unit, per group of units
and overall (as DHIS2 computes reporting rates), the overdue reports, and a unit's submissions
with their validation reports (``?unit=UB01``).

A reporter (a user bound to one unit) sees its own unit only: the callbacks read the unit from the
signed-in user on the server (:func:`auth.current_unit`), whatever the page sends."""

from __future__ import annotations

from datetime import date

import dash
from dash import Input, Output, callback, dcc, html

from auth import current_unit
from components.controls import dropdown
from components.directions import assign_link
from components.fast import el, link, static
from components.ids import page_ids
from components.shell import with_lang
from components.urlstate import as_text, url_sync, url_sync_stores
from data_access.compliance import (
    MatrixRow,
    Overdue,
    Rates,
    UnitRates,
    owed_regimes,
    regime_compliance,
    unit_submissions,
)
from domain.periods import Period
from domain.regimes import latest_due
from i18n import fmt_date, fmt_datetime, fmt_number, format_period, norm_lang, t
from views import directions
from web.responses import cacheable

dash.register_page(__name__, path="/compliance", title="Tình hình báo cáo", nav="nav.compliance", nav_order=6)

PAGE = "compliance"
DEFAULT_REGIME = "UBND-M"
WINDOW = {"D": 14, "M": 12, "Q": 8, "S": 6, "Y": 5}
STATE_ICON = {"on_time": "✔", "late": "⏱", "missing": "✖", "not_due": "…", None: ""}
STATE_KEY = {"on_time": "cmp.on_time", "late": "cmp.late", "missing": "cmp.missing", "not_due": "cmp.not_due"}


ids = page_ids("cmp", "regime", "group", "unit", "lang", "summary", "matrix", "overdue", "detail")


BINDINGS = [(ids.regime, "value", "regime"), (ids.group, "value", "group")]
url_sync(PAGE, BINDINGS)


def layout(regime: str | None = None, group: str | None = None, unit: str | None = None, lang: str | None = None,
           **_params) -> html.Div:
    lang = norm_lang(lang)
    unit = current_unit() or unit  # a reporter: its own unit's submissions
    regs = owed_regimes(current_unit())  # a reporter: the regimes its unit owes
    codes = {r.code for r in regs}
    regime = regime if regime in codes else (DEFAULT_REGIME if DEFAULT_REGIME in codes else
                                             (regs[0].code if regs else None))
    options = [{"label": f"{r.name_en if lang == 'en' else r.name_vi} ({r.code})", "value": r.code} for r in regs]
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


@cacheable
@callback(
    Output(ids.summary, "children"),
    Output(ids.matrix, "children"),
    Output(ids.overdue, "children"),
    Input(ids.regime, "value"),
    Input(ids.group, "value"),
    Input(ids.lang, "data"),
)
def render(regime: str | None, group: str | None, lang: str) -> tuple:
    lang = norm_lang(lang)
    regime = as_text(regime)
    own = current_unit()  # a reporter: every table holds its own unit only
    regs = {r.code: r for r in owed_regimes(own)}
    if not regime:  # none chosen, or none configured (a data set without report regimes)
        empty = html.Div(t("empty.no_data" if regs else "cmp.no_regimes", lang), className="empty-state")
        return empty, empty, overdue_list((), lang)
    today = date.today()
    frequency = regs[regime].frequency if regime in regs else "M"
    periods = matrix_periods(frequency, today)
    start = Period.from_date(frequency, today).shift(-WINDOW.get(frequency, 12)).start
    view = regime_compliance(regime, periods, start, today, own)  # one calendar for every table
    matrix, overdue = view.matrix, view.overdue
    if group in ("ministries", "provinces"):
        matrix = [r for r in matrix if r.unit_group == group]
        overdue = [r for r in overdue if r.unit_group == group]
    if own:
        by_group: tuple[Rates, ...] = ()
        label = _name(view.by_unit[0], lang) if view.by_unit else own
    else:
        by_group, label = view.by_group, None
    # each a single component (fast.static): the matrix alone is ~1,500 elements
    return (static(summary_cards(view.overall, by_group, lang, title=label)),
            static(matrix_table(matrix, view.by_unit, periods, lang, regime, directions.unit_open(),
                                directions.may_create())),
            static(overdue_list(overdue, lang)))


def _name(row: MatrixRow | UnitRates | Overdue, lang: str) -> str:
    return row.unit_name_en if lang == "en" else row.unit_name_vi


def summary_cards(overall: Rates, by_group: tuple[Rates, ...], lang: str, title: str | None = None) -> list:
    """Rates overall (under ``title``, default "all units") and per group of units."""
    cards = []
    for label, row in [(title or t("cmp.group.all", lang), overall)] + [
            (t(f"cmp.group.{r.key}", lang), r) for r in by_group]:
        cards.append(el("Div", [
            el("Div", label, className="cmp-card-label"),
            el("Div", [el("Span", fmt_number(row.completeness, 1, lang) + "%", className="cmp-card-value"),
                       el("Span", " " + t("cmp.completeness", lang), className="muted")]),
            el("Div", [el("Strong", fmt_number(row.timeliness, 1, lang) + "%"),
                       el("Span", " " + t("cmp.timeliness", lang), className="muted")]),
            el("Div", t("cmp.counts", lang, expected=row.expected, received=row.received, late=row.late,
                        missing=row.missing), className="cmp-card-counts"),
        ], className="card cmp-card"))
    return cards


def matrix_table(matrix: list[MatrixRow] | tuple[MatrixRow, ...], by_unit: tuple[UnitRates, ...],
                 periods: tuple[str, ...], lang: str, regime: str,
                 open_directions: dict[str, tuple[int, int]] | None = None, assign: bool = False) -> list:
    """The units of ``regime`` x periods with each unit's completeness and timeliness (fast
    elements: hundreds of cells), beside its open directions (``open_directions``: unit code ->
    (open, overdue)) and, with ``assign``, its "Giao nhiệm vụ" link."""
    open_directions = open_directions or {}
    title = el("H2", t("cmp.matrix", lang))
    if not matrix:
        return [title, el("Div", t("empty.no_data", lang), className="empty-state")]
    rates = {u.unit_code: u.rates for u in by_unit}
    head = el("Thead", el("Tr", [el("Th", t("cmp.unit", lang), scope="col")]
                          + [el("Th", format_period(p, lang), scope="col", className="cmp-period") for p in periods]
                          + [el("Th", t("cmp.completeness", lang), scope="col"),
                             el("Th", t("cmp.timeliness", lang), scope="col"),
                             el("Th", t("dir.cmp.col", lang), scope="col")]))
    cell = {state: (STATE_ICON.get(state, ""), f"cmp-cell st-{state or 'none'}",
                    t(STATE_KEY[state], lang) if state in STATE_KEY else "") for state in STATE_ICON}
    percent: dict[float, str] = {}

    def pct(value: float) -> str:
        if value not in percent:
            percent[value] = fmt_number(value, 0, lang) + "%"
        return percent[value]

    rows = []
    for r in matrix:
        cells = [el("Th", link(_name(r, lang), with_lang("/compliance", lang, unit=r.unit_code, regime=regime)),
                    scope="row")]
        for state in r.states:
            icon, css, title_ = cell.get(state, cell[None])
            cells.append(el("Td", icon, className=css, title=title_))
        rate = rates.get(r.unit_code)
        cells += [el("Td", pct(rate.completeness) if rate is not None else "–", className="num"),
                  el("Td", pct(rate.timeliness) if rate is not None else "–", className="num"),
                  el("Td", open_cell(r, open_directions.get(r.unit_code), lang, assign), className="cmp-dirs")]
        rows.append(el("Tr", cells))
    legend = el("Div", [el("Span", [el("Span", STATE_ICON[s], className=f"cmp-cell st-{s}"), " " + t(k, lang)],
                           className="cmp-legend-item") for s, k in STATE_KEY.items()], className="cmp-legend")
    return [title, legend, el("Div", el("Table", [head, el("Tbody", rows)], className="cmp-table"), className="cmp-scroll")]


def open_cell(row: MatrixRow, counts: tuple[int, int] | None, lang: str, assign: bool) -> list:
    """A unit's open directions (and how many are overdue), linked to its list; its "Giao nhiệm vụ"."""
    n_open, n_overdue = counts or (0, 0)
    words = t("dir.cmp.cell", lang, open=n_open, overdue=n_overdue)
    shown: list = [link(words, with_lang("/directions", lang, unit=row.unit_code),
                        className="dir-count" + (" dir-count-overdue" if n_overdue else ""))
                   if n_open else el("Span", "–", className="muted")]
    if assign:
        shown.append(assign_link(directions.assign_href("compliance", lang, unit=row.unit_code), lang,
                                 label=t("dir.cmp.assign_unit", lang, unit=_name(row, lang)), className="assign-compact"))
    return shown


def overdue_list(overdue: list[Overdue] | tuple[Overdue, ...], lang: str) -> list:
    items = [el("Li", [el("Strong", _name(r, lang)),
                       el("Span", f" · {format_period(r.period, lang)} · "
                                  f"{t('cmp.deadline', lang)} {fmt_date(r.deadline, lang)} · "
                                  f"{t('cmp.days_overdue', lang, days=r.days_late)}", className="muted")])
             for r in overdue[:30]]
    return [el("H2", [t("cmp.overdue", lang), el("Span", f" ({len(overdue)})", className="muted")]),
            el("Ul", items, className="cmp-overdue") if items else el("P", t("wall.none_overdue", lang), className="muted")]


@cacheable
@callback(Output(ids.detail, "children"), Input(ids.unit, "data"), Input(ids.lang, "data"))
def unit_detail(unit: str | None, lang: str) -> html.Div | None:
    """The unit's submissions with their validation reports (a reporter: its own unit's, always)."""
    lang = norm_lang(lang)
    unit = current_unit() or (unit if isinstance(unit, str) else None)
    if not unit:
        return None
    subs = unit_submissions(unit, viewer_unit=current_unit())  # findings redacted for an uncleared viewer
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
