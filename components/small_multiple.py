"""One indicator as a small multiple of a board: name, latest value and period, the change on the
same period last year, a small trend chart, and the status against the annual target in colour,
icon AND words. The whole card is one link to ``/indicator/<code>`` (keyboard focusable).

All-in-one convention: the ids are named here once and used through :class:`ids`. A board shows
up to forty cards: they are built as fast elements (:mod:`components.fast`), not Dash components.
"""

from __future__ import annotations

from components.fast import el, link
from components.i18n import fmt_number, fmt_percent, format_period, t
from components.indicator_charts import spark_svg
from components.kpi import STATUS_ICON, STATUS_KEY, change_text
from domain.aggregation import is_flow, is_ytd_sum


class ids:
    card = staticmethod(lambda code: {"type": "sector-card", "code": code})
    chart = staticmethod(lambda code: {"type": "sector-chart", "code": code})


def direction_class(delta: float | None, direction: str) -> str:
    """``delta good`` / ``delta bad`` by the indicator's good direction; neutral when tiny."""
    if delta is None or direction == "neutral" or abs(delta) < 0.05:
        return "delta neutral"
    return "delta good" if (delta > 0) == (direction == "up") else "delta bad"


def target_is_level(ind) -> bool:
    """Whether the annual target compares with one period's value (so it can be drawn as a line):
    not for flows (the target is a yearly total) nor year-to-date sums (pro rata)."""
    return not is_flow(ind) and not is_ytd_sum(ind)


def marks(kpi, lang: str) -> list:
    out = []
    if kpi.status == "P":
        out.append(el("Span", t("mark.provisional", lang), className="mark mark-provisional"))
    if kpi.revised:
        out.append(el("Span", t("mark.revised", lang), className="mark mark-revised"))
    if kpi.flagged:
        out.append(el("Span", t("mark.flagged", lang), className="mark mark-flagged"))
    return out


def status_line(kpi, ind, lang: str, ytd: dict | None = None) -> dict:
    """Icon + words (+ what was compared): never colour alone."""
    status = kpi.target_status
    detail = []
    if ytd:
        detail = [el("Span", " · " + t("sec.ytd_share", lang, share=fmt_percent(ytd["share"], 1, lang)),
                     className="status-target")]
    elif kpi.target is not None:
        sign = "≥" if kpi.target_comparison == "at_least" else "≤"
        detail = [el("Span", f" · {t('kpi.target', lang)} {sign} {fmt_number(kpi.target, ind.decimals, lang)}",
                     className="status-target")]
    return el("Div", [el("Span", STATUS_ICON[status], className="status-icon", **{"aria-hidden": "true"}),
                      el("Span", t(STATUS_KEY[status], lang), className="status-text"), *detail],
              className="sm-status")


def spark_alt(kpi, ind, lang: str) -> str:
    """What the small chart shows, in words (for screen readers)."""
    first, last = kpi.spark_periods[0], kpi.spark_periods[-1]
    return t("sec.spark_alt", lang, first=format_period(first, lang), v0=fmt_number(kpi.spark[0], ind.decimals, lang),
             last=format_period(last, lang), v1=fmt_number(kpi.spark[-1], ind.decimals, lang))


def small_multiple(kpi, ind, lang: str, href: str, ytd: dict | None = None) -> dict:
    """The card of one indicator (``kpi``: :class:`data_access.queries.Kpi` at the nation), a
    ``dcc.Link`` as a fast element."""
    status = kpi.target_status
    head = el("Div", [el("H3", ind.name(lang), className="sm-name", title=ind.name(lang)),
                      el("Div", marks(kpi, lang), className="kpi-marks")], className="sm-head")
    if kpi.value is None:
        body = [head, el("Div", t("empty.no_data", lang), className="sm-empty")]
        return link(el("Div", body, className="sm-card status-none"), href, id=ids.card(ind.code), className="sm-link")
    change = change_text(kpi, ind, "last_year", lang)
    spark = spark_svg(list(kpi.spark), list(kpi.spark_periods), status=status, lang=lang,
                      target=kpi.target if target_is_level(ind) and kpi.target is not None else None)
    body = [
        head,
        el("Div", [
            el("Div", [el("Span", fmt_number(kpi.value, ind.decimals, lang), className="sm-value"),
                       el("Span", ind.unit(lang), className="sm-unit")], className="sm-figure"),
            el("Div", format_period(kpi.period, lang), className="sm-period"),
        ], className="sm-figure-row"),
        el("Div", [el("Span", change, className=direction_class(kpi.change_last_year, ind.direction)),
                   el("Span", " " + t("kpi.vs_last_year", lang), className="delta-label")]
           if change else el("Span", t("sec.no_change", lang), className="delta-label"), className="sm-delta"),
        el("Img", id=ids.chart(ind.code), src=spark, className="sm-chart", alt=spark_alt(kpi, ind, lang))
        if spark else el("Div", className="sm-chart"),
        status_line(kpi, ind, lang, ytd),
    ]
    return link(el("Div", body, className=f"sm-card status-{status or 'none'}"), href, id=ids.card(ind.code),
                className="sm-link", title=f"{ind.name(lang)} — {t('sec.open', lang)}")
