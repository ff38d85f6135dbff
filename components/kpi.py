"""KPI tiles: value, unit, period, changes, a sparkline, the status against the annual target
(colour AND icon AND words), provisional/revised marks and the "as of" time. Pure functions of
data (:class:`data_access.queries.Kpi` + :class:`data_access.catalogue.Indicator`)."""

from __future__ import annotations

from urllib.parse import quote

from components.fast import el, link
from components.i18n import fmt_datetime, fmt_number, fmt_signed, format_period, t
from components.shell import with_lang

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


def kpi_tile(kpi, ind, lang: str = "vi", href: str | None = None) -> dict:
    """One tile; a click opens the indicator page. Built as fast elements (see components/fast.py):
    a board renders dozens of them."""
    href = href or with_lang(f"/indicator/{ind.code}", lang)
    tile_id = ids.tile(ind.code)
    if kpi.value is None:
        body = [el("Div", ind.name(lang), className="kpi-name"), el("Div", t("empty.no_data", lang), className="kpi-empty")]
        return link(el("Div", body, className="kpi-tile status-none"), href, className="kpi-link", id=tile_id)
    marks = []
    if kpi.status == "P":
        marks.append(el("Span", t("mark.provisional", lang), className="mark mark-provisional"))
    if kpi.revised:
        marks.append(el("Span", t("mark.revised", lang), className="mark mark-revised"))
    if kpi.flagged:
        marks.append(el("Span", t("mark.flagged", lang), className="mark mark-flagged"))
    deltas = []
    for which, label in (("previous", "kpi.vs_previous"), ("last_year", "kpi.vs_last_year")):
        text = change_text(kpi, ind, which, lang)
        if text is None:
            continue
        delta = kpi.change_previous if which == "previous" else kpi.change_last_year
        deltas.append(el("Div", [el("Span", text, className=_direction_class(delta, ind.direction)),
                                 " " + t(label, lang)], className="kpi-delta"))
    if kpi.ytd is not None and kpi.ytd != kpi.value:  # flows: what the target is compared with
        deltas.append(el("Div", [t("kpi.ytd", lang) + ": ",
                                 el("Span", fmt_number(kpi.ytd, ind.decimals, lang), className="delta neutral")],
                         className="kpi-delta"))
    status = kpi.target_status
    status_line = [el("Span", STATUS_ICON[status], className="status-icon", **{"aria-hidden": "true"}),
                   t(STATUS_KEY[status], lang)]
    if kpi.target is not None:
        status_line.append(el("Span", f" · {t('kpi.target', lang)} {'≥' if kpi.target_comparison == 'at_least' else '≤'} "
                                      f"{fmt_number(kpi.target, ind.decimals, lang)}", className="status-target"))
    spark = sparkline_svg(kpi.spark)
    body = [
        el("Div", [el("Div", ind.name(lang), className="kpi-name"), el("Div", marks, className="kpi-marks")],
           className="kpi-head"),
        el("Div", [el("Span", fmt_number(kpi.value, ind.decimals, lang), className="kpi-value"),
                   el("Span", ind.unit(lang), className="kpi-unit")], className="kpi-figure"),
        el("Div", format_period(kpi.period, lang), className="kpi-period"),
        el("Div", deltas, className="kpi-deltas"),
    ]
    if spark:
        body.append(el("Img", src=spark, className="kpi-spark", alt=""))
    body += [el("Div", status_line, className="kpi-status"),
             el("Div", f"{t('data.as_of', lang)}: {fmt_datetime(kpi.updated_at, lang)}", className="kpi-asof")]
    return link(el("Div", body, className=f"kpi-tile status-{status or 'none'}"), href, className="kpi-link", id=tile_id)
