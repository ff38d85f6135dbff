"""Charts' text alternatives: a summary sentence (what the chart shows, the latest value, the
range and its extremes, in the UI's language with the locale's numbers) and the data table behind
the chart, behind a "Xem bảng số liệu" / "Show data table" disclosure right after it.

Pure functions of the data a page's callback already has (no query): the lines of a trend
(:data:`components.charts.Line`, :func:`components.charts.lines_of`) or the rows of a ranking
(:func:`components.charts.ranking_rows`). A chart is
wrapped by :func:`chart_box` (``role="img"``, named by its summary) and followed by
:func:`chart_alt` (the summary, hidden from view but naming the chart, and the disclosure); both
take the same ``name``. Built as fast elements (:mod:`components.fast`): a profile draws eight.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dash import html

from components.fast import el, static
from i18n import fmt_number, format_period, t

if TYPE_CHECKING:
    from components.charts import Line, RankRow

MAX_LINES = 4  # lines described in the sentence; the table has all of them


def summary_id(name: str) -> str:
    """The id of a chart's summary (what names the chart)."""
    return f"{name}-summary"


def chart_box(graph: Any, name: str, className: str = "", *, min_height: int | None = None,
              image: bool = True, **props: Any) -> dict:
    """The chart inside an image named by its summary (``aria-labelledby``): a screen reader
    reads the sentence instead of the plot's shapes. ``min_height`` (px): the room the chart will
    take, kept while plotly.js loads and draws it, so what is below does not move (and a part
    below the first screen is not taken for one on it: components.fast.deferred). ``image=False``:
    the chart names its own drawing (a chart with controls of its own, such as a line chart's
    legend buttons, cannot sit inside an image)."""
    if min_height:
        props["style"] = {**props.get("style", {}), "minHeight": f"{min_height}px"}
    named = {"role": "img", "aria-labelledby": summary_id(name)} if image else {}
    return el("Div", graph, className=("chart-box " + className).strip(), **named, **props)


def _with_unit(value: float, decimals: int, unit: str, lang: str) -> str:
    return f"{fmt_number(value, decimals, lang)} {unit}".strip()


def _points(line: Line) -> list[tuple[str, float]]:
    return [(period, float(v)) for period, _, v in line[1] if v is not None and v == v]


def series_summary(title: str, lines: Sequence[Line], *, names: dict[str, str], unit: str, decimals: int,
                   lang: str) -> str:
    """The sentence of a line chart: its span, then for each line (at most :data:`MAX_LINES`) the
    latest value and the highest and lowest with their periods."""
    described = [(key, pts) for key, pts in ((line[0], _points(line)) for line in lines) if pts]
    if not described:
        return t("a11y.no_data", lang, title=title)
    periods = sorted({p for _, pts in described for p, _ in pts})
    parts = [t("a11y.series", lang, title=title, first=format_period(periods[0], lang),
               last=format_period(periods[-1], lang))]
    for key, pts in described[:MAX_LINES]:
        top = max(pts, key=lambda p: p[1])
        bottom = min(pts, key=lambda p: p[1])
        parts.append(t("a11y.line", lang, name=names.get(key, key), period=format_period(pts[-1][0], lang),
                       value=_with_unit(pts[-1][1], decimals, unit, lang),
                       max=_with_unit(top[1], decimals, unit, lang), max_period=format_period(top[0], lang),
                       min=_with_unit(bottom[1], decimals, unit, lang), min_period=format_period(bottom[0], lang)))
    if len(described) > MAX_LINES:
        parts.append(t("a11y.more_lines", lang, n=len(described) - MAX_LINES))
    return " ".join(parts)


def spark_summary(values: Sequence[float], periods: Sequence[str], *, unit: str, decimals: int, lang: str) -> str:
    """The words of a sparkline (its span, latest value, highest and lowest)."""
    pts = [(p, float(v)) for p, v in zip(periods, values, strict=True) if v is not None and v == v]
    if not pts:
        return ""
    top = max(pts, key=lambda p: p[1])
    bottom = min(pts, key=lambda p: p[1])
    return t("a11y.spark", lang, first=format_period(pts[0][0], lang), last=format_period(pts[-1][0], lang),
             value=_with_unit(pts[-1][1], decimals, unit, lang), max=_with_unit(top[1], decimals, unit, lang),
             max_period=format_period(top[0], lang), min=_with_unit(bottom[1], decimals, unit, lang),
             min_period=format_period(bottom[0], lang))


def ranking_summary(title: str, rows: Sequence[RankRow], *, unit: str, decimals: int, lang: str,
                    kind: str = "ranking", missing: Sequence[str] = ()) -> str:
    """The sentence of a ranking (``kind="ranking"``: first and last) or of a map (``"map"``:
    highest and lowest), with the range and the areas that did not report."""
    if not rows:
        return t("a11y.no_data", lang, title=title)
    values = [r[3] for r in rows]

    def shown(v: float) -> str:
        return _with_unit(v, decimals, unit, lang)

    if kind == "map":
        top = max(rows, key=lambda r: r[3])
        bottom = min(rows, key=lambda r: r[3])
        text = t("a11y.map", lang, title=title, n=len(rows), min=shown(min(values)), max=shown(max(values)),
                 top=top[2], top_value=shown(top[3]), bottom=bottom[2], bottom_value=shown(bottom[3]))
    else:
        text = t("a11y.ranking", lang, title=title, n=len(rows), min=shown(min(values)), max=shown(max(values)),
                 first=rows[0][2], first_value=shown(rows[0][3]), last=rows[-1][2], last_value=shown(rows[-1][3]))
    if missing:
        text += " " + t("a11y.not_reported", lang, names=", ".join(missing))
    return text


# --- the data tables ----------------------------------------------------------------------------------


def _table(caption: str, head: list[str], body: list[tuple[str, list[str]]], numeric_from: int) -> dict:
    """A table with its caption, column headers and a row header per row."""
    heads = [el("Th", h, scope="col", **({"className": "num"} if i >= numeric_from else {}))
             for i, h in enumerate(head)]
    rows = [el("Tr", [el("Th", first, scope="row"), *[el("Td", c, className="num") for c in cells]])
            for first, cells in body]
    return el("Table", [el("Caption", caption), el("Thead", el("Tr", heads)), el("Tbody", rows)],
              className="chart-table")


def series_table(title: str, lines: Sequence[Line], *, names: dict[str, str], unit: str, decimals: int,
                 lang: str) -> dict:
    """The values of a line chart: a row per period (oldest first), a column per line."""
    columns = [(line[0], dict(_points(line))) for line in lines]
    periods = sorted({p for _, values in columns for p in values})
    head = [t("a11y.col_period", lang)] + [f"{names.get(key, key)} ({unit})" if unit else names.get(key, key)
                                           for key, _ in columns]
    body = [(format_period(p, lang), [fmt_number(values.get(p), decimals, lang) for _, values in columns])
            for p in periods]
    return _table(t("a11y.table_caption", lang, title=title), head, body, 1)


def ranking_table(title: str, rows: Sequence[RankRow], *, unit: str, decimals: int, lang: str) -> dict:
    """The values of a ranking or a map: rank, area, value, best first."""
    head = [t("a11y.col_area", lang), t("a11y.col_rank", lang), t("a11y.col_value", lang, unit=unit)]
    body = [(name, [str(rank), fmt_number(value, decimals, lang)]) for rank, _, name, value in rows]
    return _table(t("a11y.table_caption", lang, title=title), head, body, 1)


def chart_alt(name: str, summary: str, table: dict | None, lang: str) -> list[dict]:
    """What follows a chart: its summary (hidden from view; it names the chart's :func:`chart_box`)
    and the "Xem bảng số liệu" disclosure holding ``table``."""
    out = [el("P", summary, id=summary_id(name), hidden=True)]
    if table is not None:  # one component however long the table (fast.static)
        out.append(static(el("Details", [el("Summary", t("a11y.show_table", lang), className="chart-data-toggle"),
                                         el("Div", table, className="chart-table-wrap")], className="chart-data")))
    return out


def alt_id(name: str) -> str:
    """The id of the container a callback fills with :func:`chart_alt`."""
    return f"{name}-alt"


def alt_region(name: str, children: Any = None) -> html.Div:
    """The container of a chart's :func:`chart_alt`, right after the chart."""
    return html.Div(children, id=alt_id(name), className="chart-alt")
