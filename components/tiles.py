"""The one KPI tile: an indicator's latest value, unit, period, change, status against the annual
target (colour AND icon AND words) and marks, in three variants:

* ``"desk"`` — the overview and province boards: both changes, the year-to-date sum of a flow, a
  sparkline strip, the target and the "as of" time; a link to the indicator page.
* ``"sector"`` — the sectors board's small multiple: the change on last year, the card sparkline
  (periods labelled, target dashed), the year-to-date share of a flow's target; a link.
* ``"daily"`` — the daily brief: a daily indicator's value on the day and its change on the day
  before and on a week before (``kpi``: a row of :func:`data_access.daily.daily_indicators`); a link.
* ``"wall"`` — readable from across the room: a large numeral, the change on last year coloured
  even when tiny, status by icon and word; no link (the wall has no navigation).

Pure functions of data (:class:`data_access.queries.Kpi` + :class:`data_access.catalogue.Indicator`).
A board shows up to forty tiles: they are built as fast elements (:mod:`components.fast`), not Dash
components. All-in-one convention: the ids are named here once (:class:`ids`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from components.chart_alt import spark_summary
from components.fast import el, link
from components.shell import with_lang
from components.sparkline import spark_svg
from components.status import STATUS_ICON, STATUS_KEY, direction, direction_class
from domain.aggregation import is_flow, is_ytd_sum
from i18n import fmt_datetime, fmt_number, fmt_percent, fmt_signed, format_period, t

Variant = Literal["desk", "sector", "daily", "wall"]


class ids:
    tile = staticmethod(lambda code: {"type": "kpi-tile", "code": code})
    card = staticmethod(lambda code: {"type": "sector-card", "code": code})
    chart = staticmethod(lambda code: {"type": "sector-chart", "code": code})


# --- the rules a tile shows ----------------------------------------------------------------------


def is_rate(unit_vi: str) -> bool:
    """Rates (%, points) change in percentage points; levels change in per cent."""
    return unit_vi.strip().startswith("%") or "điểm" in unit_vi


def change_text(kpi: Any, ind: Any, which: str, lang: str) -> str | None:
    """``+1,2 điểm %`` for rates, ``+6,5%`` for levels; None when not computable. ``which``:
    ``previous`` or ``last_year``."""
    abs_change = kpi.change_previous if which == "previous" else kpi.change_last_year
    pct = kpi.pct_previous if which == "previous" else kpi.pct_last_year
    if is_rate(ind.unit_vi) or (kpi.spark and min(kpi.spark) < 0):  # rates and balances: absolute change
        if abs_change is None:
            return None
        if is_rate(ind.unit_vi):
            return f"{fmt_signed(abs_change, 1, lang)} {t('unit.pp', lang)}"
        return f"{fmt_signed(abs_change, ind.decimals, lang)} {ind.unit(lang)}"
    if pct is None:
        return None
    return f"{fmt_signed(pct, 1, lang)}%"


def target_is_level(ind: Any) -> bool:
    """Whether the annual target compares with one period's value (so it can be drawn as a line):
    not for flows (the target is a yearly total) nor year-to-date sums (pro rata)."""
    return not is_flow(ind) and not is_ytd_sum(ind)


def marks(kpi: Any, lang: str, ind: Any = None) -> list[dict]:
    """Computed (a derived indicator's value: the product computes it from its formula) /
    provisional / revised / under review, as badges."""
    out = []
    if getattr(ind, "computed", False):
        out.append(el("Span", t("mark.computed", lang), className="mark mark-computed",
                      title=f"{t('ind.formula', lang)}: {ind.formula}"))
    if kpi.status == "P":
        out.append(el("Span", t("mark.provisional", lang), className="mark mark-provisional"))
    if kpi.revised:
        out.append(el("Span", t("mark.revised", lang), className="mark mark-revised"))
    if kpi.flagged:
        out.append(el("Span", t("mark.flagged", lang), className="mark mark-flagged"))
    return out


def target_words(comparison: str | None, value: float, value_max: float | None, decimals: int, lang: str) -> str:
    """``≥ 6,5``, ``≤ 4`` or, for a range, ``6,5 – 7``: a target as the boards write it."""
    if comparison == "range" and value_max is not None:
        return f"{fmt_number(value, decimals, lang)} – {fmt_number(value_max, decimals, lang)}"
    return f"{'≤' if comparison == 'at_most' else '≥'} {fmt_number(value, decimals, lang)}"


def target_steps(targets: Iterable[Any]) -> list[tuple[int, float, str]]:
    """(year, value, sign) for a chart's dashed target steps from rows with a year, value,
    comparison and value_max (:func:`data_access.kpis.indicator_target_rows`): a range gives both
    of its bounds."""
    out = []
    for row in targets:
        year, value, comparison, value_max = row.year, row.value, row.comparison, row.value_max
        if comparison == "range" and value_max is not None and value_max == value_max:
            out += [(int(year), float(value), "≥"), (int(year), float(value_max), "≤")]
        else:
            out.append((int(year), float(value), "≤" if comparison == "at_most" else "≥"))
    return out


def target_text(kpi: Any, ind: Any, lang: str) -> str:
    """`` · Kế hoạch ≥ 6,5`` (what the status compares with); "" without a target."""
    if kpi.target is None:
        return ""
    words = target_words(kpi.target_comparison, kpi.target, getattr(kpi, "target_max", None), ind.decimals, lang)
    return f" · {t('kpi.target', lang)} {words}"


def status_line(kpi: Any, ind: Any, lang: str, ytd: dict | None = None) -> dict:
    """The sector card's status: icon + words (+ what was compared), never colour alone."""
    status = kpi.target_status
    detail = []
    if ytd:
        detail = [el("Span", " · " + t("sec.ytd_share", lang, share=fmt_percent(ytd["share"], 1, lang)),
                     className="status-target")]
    elif kpi.target is not None:
        detail = [el("Span", target_text(kpi, ind, lang), className="status-target")]
    return el("Div", [el("Span", STATUS_ICON[status], className="status-icon", **{"aria-hidden": "true"}),
                      el("Span", t(STATUS_KEY[status], lang), className="status-text"), *detail],
              className="sm-status")


def spark_alt(kpi: Any, ind: Any, lang: str) -> str:
    """What the small chart shows, in words (for screen readers): its span, the latest value, the
    highest and the lowest."""
    return spark_summary(kpi.spark, kpi.spark_periods, unit=ind.unit(lang), decimals=ind.decimals, lang=lang)


def _figure(value: float | None, ind: Any, lang: str, prefix: str) -> dict:
    """The value and its unit (classes ``<prefix>-value``, ``-unit``, ``-figure``)."""
    return el("Div", [el("Span", fmt_number(value, ind.decimals, lang), className=f"{prefix}-value"),
                      el("Span", ind.unit(lang), className=f"{prefix}-unit")], className=f"{prefix}-figure")


# --- the tile ------------------------------------------------------------------------------------


def tile(kpi: Any, ind: Any, lang: str = "vi", variant: Variant = "desk", *, href: str | None = None,
         ytd: dict | None = None) -> dict:
    """The tile of one indicator in the given variant (see the module's docstring). ``href``: where
    a desk or sector tile leads (the indicator page by default); ``ytd``: a sector card's
    year-to-date share (:func:`data_access.kpis.ytd_share`)."""
    if variant == "wall":
        return _wall(kpi, ind, lang)
    href = href or with_lang(f"/indicator/{ind.code}", lang)
    if variant == "daily":
        return _daily(kpi, ind, lang, href)
    return _sector(kpi, ind, lang, href, ytd) if variant == "sector" else _desk(kpi, ind, lang, href)


def _desk(kpi: Any, ind: Any, lang: str, href: str) -> dict:
    tile_id = ids.tile(ind.code)
    if kpi.value is None:
        body = [el("Div", ind.name(lang), className="kpi-name"), el("Div", t("empty.no_data", lang), className="kpi-empty")]
        return link(el("Div", body, className="kpi-tile status-none"), href, className="kpi-link", id=tile_id)
    deltas = []
    for which, label in (("previous", "kpi.vs_previous"), ("last_year", "kpi.vs_last_year")):
        text = change_text(kpi, ind, which, lang)
        if text is None:
            continue
        delta = kpi.change_previous if which == "previous" else kpi.change_last_year
        deltas.append(el("Div", [el("Span", text, className=direction_class(delta, ind.direction)),
                                 " " + t(label, lang)], className="kpi-delta"))
    if kpi.ytd is not None and kpi.ytd != kpi.value:  # flows: what the target is compared with
        deltas.append(el("Div", [t("kpi.ytd", lang) + ": ",
                                 el("Span", fmt_number(kpi.ytd, ind.decimals, lang), className="delta neutral")],
                         className="kpi-delta"))
    status = kpi.target_status
    status_words = [el("Span", STATUS_ICON[status], className="status-icon", **{"aria-hidden": "true"}),
                    t(STATUS_KEY[status], lang)]
    if kpi.target is not None:
        status_words.append(el("Span", target_text(kpi, ind, lang), className="status-target"))
    spark = spark_svg(kpi.spark, variant="tile")
    body = [
        el("Div", [el("Div", ind.name(lang), className="kpi-name"), el("Div", marks(kpi, lang, ind), className="kpi-marks")],
           className="kpi-head"),
        _figure(kpi.value, ind, lang, "kpi"),
        el("Div", format_period(kpi.period, lang), className="kpi-period"),
        el("Div", deltas, className="kpi-deltas"),
    ]
    if spark:
        body.append(el("Img", src=spark, className="kpi-spark", alt=""))
    body += [el("Div", status_words, className="kpi-status"),
             el("Div", f"{t('data.as_of', lang)}: {fmt_datetime(kpi.updated_at, lang)}", className="kpi-asof")]
    return link(el("Div", body, className=f"kpi-tile status-{status or 'none'}"), href, className="kpi-link", id=tile_id)


def _sector(kpi: Any, ind: Any, lang: str, href: str, ytd: dict | None) -> dict:
    status = kpi.target_status
    head = el("Div", [el("H3", ind.name(lang), className="sm-name", title=ind.name(lang)),
                      el("Div", marks(kpi, lang, ind), className="kpi-marks")], className="sm-head")
    if kpi.value is None:
        body = [head, el("Div", t("empty.no_data", lang), className="sm-empty")]
        return link(el("Div", body, className="sm-card status-none"), href, id=ids.card(ind.code), className="sm-link")
    change = change_text(kpi, ind, "last_year", lang)
    spark = spark_svg(kpi.spark, kpi.spark_periods, status=status, lang=lang,
                      target=kpi.target if target_is_level(ind) and kpi.target is not None else None)
    body = [
        head,
        el("Div", [_figure(kpi.value, ind, lang, "sm"), el("Div", format_period(kpi.period, lang), className="sm-period")],
           className="sm-figure-row"),
        el("Div", [el("Span", change, className=direction_class(kpi.change_last_year, ind.direction)),
                   el("Span", " " + t("kpi.vs_last_year", lang), className="delta-label")]
           if change else el("Span", t("sec.no_change", lang), className="delta-label"), className="sm-delta"),
        el("Img", id=ids.chart(ind.code), src=spark, className="sm-chart", alt=spark_alt(kpi, ind, lang))
        if spark else el("Div", className="sm-chart"),
        status_line(kpi, ind, lang, ytd),
    ]
    return link(el("Div", body, className=f"sm-card status-{status or 'none'}"), href, id=ids.card(ind.code),
                className="sm-link", title=f"{ind.name(lang)} — {t('sec.open', lang)}")


def _daily(day: Any, ind: Any, lang: str, href: str) -> dict:
    changes = []
    for key, label in (("pct_day", "daily.vs_yesterday"), ("pct_week", "daily.vs_week")):
        pct = day[key]
        shown = el("Span", "–", className="delta neutral") if pct != pct else \
            el("Span", fmt_signed(pct, 1, lang) + "%", className=direction_class(pct, ind.direction))
        changes.append(el("Div", [shown, el("Span", " " + t(label, lang), className="delta-label")]))
    body = [el("Div", ind.name(lang), className="kpi-name"),
            _figure(day["value"], ind, lang, "kpi"), *changes]
    return link(el("Div", body, className="kpi-tile status-none daily-tile"), href, className="kpi-link")


def _wall(kpi: Any, ind: Any, lang: str) -> dict:
    if kpi.value is None:
        return el("Div", [el("Div", ind.name(lang), className="wt-name"),
                          el("Div", t("empty.no_data", lang), className="wt-empty")], className="wall-tile status-none")
    change = change_text(kpi, ind, "last_year", lang)
    status = kpi.target_status
    shown = " · ".join(x for x in (t("mark.provisional", lang) if kpi.status == "P" else "",
                                   t("mark.revised", lang) if kpi.revised else "") if x)
    return el("Div", [
        el("Div", ind.name(lang), className="wt-name"),
        _figure(kpi.value, ind, lang, "wt"),
        el("Div", [el("Span", format_period(kpi.period, lang), className="wt-period"),
                   el("Span", shown, className="wt-marks")], className="wt-meta"),
        el("Div", [el("Span", change or "–",
                      className="wt-delta " + direction(kpi.change_last_year, ind.direction, dead_band=0)),
                   el("Span", " " + t("kpi.vs_last_year", lang), className="wt-delta-label")]),
        el("Div", [el("Span", STATUS_ICON[status], className="wt-icon"), el("Span", t(STATUS_KEY[status], lang))],
           className="wt-status"),
    ], className=f"wall-tile status-{status or 'none'}")
