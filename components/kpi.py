"""KPI tiles: value, unit, period, changes, a sparkline, the status against the annual target
(colour AND icon AND words), provisional/revised marks and the "as of" time. Pure functions of
data (:class:`data_access.queries.Kpi` + :class:`data_access.catalogue.Indicator`)."""

from __future__ import annotations

from urllib.parse import quote

from dash import dcc, html

from components.i18n import fmt_datetime, fmt_number, fmt_signed, t
from components.shell import with_lang
from data_access.periods import format_period

STATUS_ICON = {"on_track": "✔", "at_risk": "▲", "off_track": "✖", None: "–"}
STATUS_KEY = {"on_track": "status.on_track", "at_risk": "status.at_risk", "off_track": "status.off_track",
              None: "status.no_target"}


class ids:
    tile = staticmethod(lambda code: {"type": "kpi-tile", "code": code})


def is_rate(unit_vi: str) -> bool:
    """Rates (%, points) change in percentage points; levels change in per cent."""
    return unit_vi.strip().startswith("%") or "điểm" in unit_vi


def change_text(kpi, ind, which: str, lang: str) -> str | None:
    """``+1,2 điểm %`` for rates, ``+6,5%`` for levels; None when not computable."""
    abs_change = kpi.change_previous if which == "previous" else kpi.change_last_year
    pct = kpi.pct_previous if which == "previous" else kpi.pct_last_year
    if is_rate(ind.unit_vi) or (kpi.spark and min(kpi.spark) < 0):  # rates and balances: absolute change
        if abs_change is None:
            return None
        if is_rate(ind.unit_vi):
            return f"{fmt_signed(abs_change, 1, lang)} {'điểm %' if lang == 'vi' else 'pp'}"
        return f"{fmt_signed(abs_change, ind.decimals, lang)} {ind.unit(lang)}"
    if pct is None:
        return None
    return f"{fmt_signed(pct, 1, lang)}%"


def _direction_class(delta: float | None, direction: str) -> str:
    if delta is None or direction == "neutral" or abs(delta) < 0.05:  # what shows as 0,0
        return "delta neutral"
    good = (delta > 0) == (direction == "up")
    return "delta good" if good else "delta bad"


def sparkline_svg(values: tuple[float, ...], width: int = 160, height: int = 36) -> str:
    """An inline SVG data URI: light, no graph component per tile."""
    if len(values) < 2:
        return ""
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    step = width / (len(values) - 1)
    pts = " ".join(f"{i * step:.1f},{height - 3 - (v - lo) / span * (height - 6):.1f}" for i, v in enumerate(values))
    last_x, last_y = pts.split(" ")[-1].split(",")
    svg = (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' preserveAspectRatio='none'>"
           f"<polyline fill='none' stroke='#0b5cad' stroke-width='2' stroke-linejoin='round' points='{pts}'/>"
           f"<circle cx='{last_x}' cy='{last_y}' r='3' fill='#0b5cad'/></svg>")
    return "data:image/svg+xml;utf8," + quote(svg)


def kpi_tile(kpi, ind, lang: str = "vi", href: str | None = None) -> dcc.Link:
    """One tile; a click opens the indicator page."""
    href = href or with_lang(f"/indicator/{ind.code}", lang)
    if kpi.value is None:
        body = [html.Div(ind.name(lang), className="kpi-name"), html.Div(t("empty.no_data", lang), className="kpi-empty")]
        return dcc.Link(html.Div(body, className="kpi-tile status-none"), href=href, className="kpi-link",
                        id=ids.tile(ind.code))
    marks = []
    if kpi.status == "P":
        marks.append(html.Span(t("mark.provisional", lang), className="mark mark-provisional"))
    if kpi.revised:
        marks.append(html.Span(t("mark.revised", lang), className="mark mark-revised"))
    if kpi.flagged:
        marks.append(html.Span(t("mark.flagged", lang), className="mark mark-flagged"))
    deltas = []
    for which, label in (("previous", "kpi.vs_previous"), ("last_year", "kpi.vs_last_year")):
        text = change_text(kpi, ind, which, lang)
        if text is None:
            continue
        delta = kpi.change_previous if which == "previous" else kpi.change_last_year
        deltas.append(html.Div([html.Span(text, className=_direction_class(delta, ind.direction)),
                                html.Span(" " + t(label, lang), className="delta-label")], className="kpi-delta"))
    if kpi.ytd is not None and kpi.ytd != kpi.value:  # flows: what the target is compared with
        deltas.append(html.Div([html.Span(t("kpi.ytd", lang) + ": ", className="delta-label"),
                                html.Span(fmt_number(kpi.ytd, ind.decimals, lang), className="delta neutral")],
                               className="kpi-delta"))
    status = kpi.target_status
    status_line = html.Div(
        [html.Span(STATUS_ICON[status], className="status-icon", **{"aria-hidden": "true"}),
         html.Span(t(STATUS_KEY[status], lang), className="status-text")]
        + ([html.Span(f" · {t('kpi.target', lang)} {'≥' if kpi.target_comparison == 'at_least' else '≤'} "
                      f"{fmt_number(kpi.target, ind.decimals, lang)}", className="status-target")]
           if kpi.target is not None else []),
        className="kpi-status",
    )
    spark = sparkline_svg(kpi.spark)
    return dcc.Link(
        html.Div(
            [
                html.Div([html.Div(ind.name(lang), className="kpi-name"), html.Div(marks, className="kpi-marks")],
                         className="kpi-head"),
                html.Div([html.Span(fmt_number(kpi.value, ind.decimals, lang), className="kpi-value"),
                          html.Span(ind.unit(lang), className="kpi-unit")], className="kpi-figure"),
                html.Div(format_period(kpi.period, lang), className="kpi-period"),
                html.Div(deltas, className="kpi-deltas"),
                html.Img(src=spark, className="kpi-spark", alt="") if spark else None,
                status_line,
                html.Div(f"{t('data.as_of', lang)}: {fmt_datetime(kpi.updated_at, lang)}", className="kpi-asof"),
            ],
            className=f"kpi-tile status-{status or 'none'}",
        ),
        href=href,
        className="kpi-link",
        id=ids.tile(ind.code),
    )
