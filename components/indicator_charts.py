"""Figures of the indicator page and the sectors board: pure functions from DataFrames to Plotly
figures, in the UI's language (Babel numbers, Plotly separators, period labels from
:func:`i18n.format_period`).

* :func:`series_figure` — one line per area over time, the annual target as a dashed step, the
  2025-07-01 break of provinces and regions, and the "not comparable" stretch.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING

from components.charts import PALETTE, by_area, empty_figure, figure, layout_dict
from domain.eras import ERA_SWITCH
from domain.periods import Period, parse
from i18n import fmt_number, format_period, t

if TYPE_CHECKING:
    import pandas as pd

TARGET_COLOUR = "#4a5565"
BREAK_COLOUR = "#768293"
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def short_period(key: str, lang: str) -> str:
    """A compact axis label: ``T7/2025`` / ``Jul 2025``, ``Quý III/2025`` / ``Q3 2025``, ``2025``."""
    p = parse(key)
    if p.periodicity == "M":
        return f"T{p.index}/{p.year}" if lang == "vi" else p.start.strftime("%b %Y")
    if p.periodicity == "Q":
        return f"Quý {_ROMAN[p.index]}/{p.year}" if lang == "vi" else f"Q{p.index} {p.year}"
    if p.periodicity == "S":
        return f"{p.index}/{p.year}" if lang == "vi" else f"H{p.index} {p.year}"
    if p.periodicity == "D":
        return p.start.strftime("%d/%m/%Y") if lang == "vi" else p.start.strftime("%b %d, %Y")
    return str(p.year)


def era_break_x(periodicity: str) -> date:
    """Where the 2025-07-01 break goes on a date axis: half-way between the last period of the
    63-province era and the first of the 34-province era (a period belongs to the era of its end)."""
    first_new = Period.from_date(periodicity, ERA_SWITCH)
    if first_new.end < ERA_SWITCH:
        first_new = first_new.next()
    last_old = first_new.previous()
    return last_old.start + (first_new.start - last_old.start) / 2


def _ticks(periods: list[str], lang: str, max_ticks: int = 10) -> tuple[list, list[str]]:
    step = max(1, math.ceil(len(periods) / max_ticks))
    if periods and parse(periods[0]).periodicity == "M" and step > 1:
        step = next(s for s in (2, 3, 4, 6, 12, 24) if s >= step)  # whole quarters, halves, years
    last = len(periods) - 1
    chosen = [p for i, p in enumerate(periods) if (last - i) % step == 0]
    return [parse(p).start for p in chosen], [short_period(p, lang) for p in chosen]


def series_figure(df: pd.DataFrame, y: str, *, names: dict[str, str], unit: str, decimals: int, lang: str,
                  targets: list[tuple[int, float, str]] | None = None, era_break: bool = False,
                  not_comparable: list[str] | None = None, zero_line: bool = False, height: int | None = None,
                  colours: dict[str, str] | None = None) -> dict:
    """Lines of column ``y`` over ``period_start``, one per ``area_key`` in the frame's order.

    ``targets``: (year, value, comparison sign) drawn as a dashed step over each year's periods,
    the latest labelled. ``era_break``: a dotted vertical line and the note "From 1 Jul 2025: 34
    provinces". ``not_comparable``: names of the areas whose 63-province stretch cannot be
    rebuilt; that stretch is shaded and marked "not comparable: <names>". Provisional values (``status`` "P") have hollow markers.
    Returns the JSON form (see :func:`components.charts.figure`)."""
    if df is None or df.empty or df[y].notna().sum() == 0:
        return empty_figure(lang)
    data: list[dict] = []
    fmt = ",." + str(decimals) + "f"
    has_status = "status" in df
    for i, (key, grp) in enumerate(by_area(df, ("period_start", "period", y, *(("status",) if has_status else ())))):
        colour = (colours or {}).get(key, PALETTE[i % len(PALETTE)])
        n = len(grp["period"])
        provisional = [isinstance(s, str) and s == "P" for s in grp["status"]] if has_status else [False] * n
        data.append({
            "type": "scatter", "x": grp["period_start"], "y": [None if v != v else v for v in grp[y]],
            "name": names.get(key, key), "mode": "lines+markers" if n <= 60 else "lines", "connectgaps": False,
            "line": {"width": 3 if i == 0 else 2.2, "color": colour},
            "marker": {"size": 6, "color": colour, "symbol": ["circle-open" if p else "circle" for p in provisional],
                       "line": {"width": 2, "color": colour}},
            "customdata": [format_period(p, lang) for p in grp["period"]],
            "hovertemplate": "%{customdata}: <b>%{y:" + fmt + "}</b> " + unit + "<extra>%{fullData.name}</extra>",
            "meta": {"area_key": key},
        })
    periods = sorted(set(df["period"]), key=lambda p: parse(p).start)
    layout = layout_dict(lang, height=height)
    layout["shapes"], layout["annotations"] = [], []
    if targets:
        _add_targets(data, layout, targets, periods, decimals, lang)
    if era_break:
        _add_era_break(layout, periods, lang, not_comparable=not_comparable)
    tickvals, ticktext = _ticks(periods, lang)
    layout["xaxis"].update(tickvals=tickvals, ticktext=ticktext, showgrid=False)
    layout["yaxis"].update(title={"text": unit}, tickformat=f",.{decimals}~f", zeroline=zero_line,
                           zerolinecolor="#9aa5b1", zerolinewidth=1.5)
    layout.update(margin={"l": 64, "r": 24, "t": 48, "b": 48}, hovermode="x unified", showlegend=True,
                  legend={"orientation": "h", "yanchor": "bottom", "y": 1.04, "x": 0, "font": {"size": 13}})
    return figure(data, layout)


def _add_targets(data: list[dict], layout: dict, targets: list[tuple[int, float, str]], periods: list[str],
                 decimals: int, lang: str) -> None:
    by_year: dict[int, list[date]] = {}
    for p in periods:
        q = parse(p)
        by_year.setdefault(q.year, []).append(q.start)
    xs: list = []
    ys: list = []
    labels: list = []
    shown = [(yr, v, s) for yr, v, s in targets if yr in by_year]
    for yr, value, sign in shown:
        days = by_year[yr]
        label = f"{t('ind.target_year', lang, year=yr)}: {sign} {fmt_number(value, decimals, lang)}"
        xs += [min(days), max(days), None]
        ys += [value, value, None]
        labels += [label, label, None]
    if not shown:
        return
    single = all(len(by_year[yr]) == 1 for yr, _, _ in shown)  # annual data: one period per year
    if single:  # a segment of one point is invisible: a bar-shaped marker per year instead
        data.append({
            "type": "scatter", "x": [by_year[yr][0] for yr, _, _ in shown], "y": [v for _, v, _ in shown],
            "mode": "markers", "name": t("ind.target_line", lang),
            "marker": {"symbol": "line-ew-open", "size": 22, "color": TARGET_COLOUR,
                       "line": {"width": 3, "color": TARGET_COLOUR}},
            "customdata": [lb for lb in labels if lb is not None][::2], "hovertemplate": "%{customdata}<extra></extra>",
            "meta": {"role": "target"},
        })
        return
    data.append({
        "type": "scatter", "x": xs, "y": ys, "mode": "lines", "name": t("ind.target_line", lang),
        "line": {"dash": "dash", "width": 2, "color": TARGET_COLOUR},
        "customdata": labels, "hovertemplate": "%{customdata}<extra></extra>", "meta": {"role": "target"},
    })
    yr, value, sign = shown[-1]
    layout["annotations"].append({
        "x": max(by_year[yr]), "y": value, "xanchor": "right", "yanchor": "bottom", "showarrow": False,
        "text": f"{t('ind.target_year', lang, year=yr)}: {sign} {fmt_number(value, decimals, lang)}",
        "font": {"size": 12, "color": TARGET_COLOUR}, "bgcolor": "rgba(255,255,255,.85)"})


def _add_era_break(layout: dict, periods: list[str], lang: str, *, not_comparable: list[str] | None) -> None:
    x = era_break_x(parse(periods[0]).periodicity)
    first, last = parse(periods[0]).start, parse(periods[-1]).start
    right_side = last > first and (x - first) / (last - first) > 0.7  # keep the note inside the plot
    layout["shapes"].append({"type": "line", "x0": x, "x1": x, "y0": 0, "y1": 1, "yref": "paper", "layer": "below",
                             "line": {"color": BREAK_COLOUR, "width": 2, "dash": "dot"}})
    layout["annotations"].append({
        "x": x, "y": 1, "yref": "paper", "xanchor": "right" if right_side else "left", "yanchor": "top",
        "showarrow": False, "xshift": -6 if right_side else 6, "text": t("ind.era_break", lang),
        "font": {"size": 12, "color": "#4a5565"}, "bgcolor": "rgba(255,255,255,.9)"})
    if not_comparable:
        x0 = parse(periods[0]).start
        layout["shapes"].append({"type": "rect", "x0": x0, "x1": x, "y0": 0, "y1": 1, "yref": "paper",
                                 "layer": "below", "line": {"width": 0}, "fillcolor": "rgba(118,130,147,.10)"})
        layout["annotations"].append({
            "x": x, "y": 0.5, "yref": "paper", "xanchor": "right", "showarrow": False, "xshift": -8,
            "text": t("ind.not_comparable_band", lang, names=", ".join(not_comparable)),
            "font": {"size": 12, "color": "#4a5565"}, "bgcolor": "rgba(255,255,255,.85)"})
