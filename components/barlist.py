"""A ranking drawn as an HTML list of bars: rank, name (a link), bar, value, one row per area.

Where a ranking is read on a board's first screen (the provinces board), it is drawn as plain
elements instead of a Plotly chart: no chart library has to start and measure 34 names before the
page is usable (plotly.js spent 0.13-0.18 s on the ranking alone), every name is a real link (a
keyboard or a screen reader follows it as any other), the text is the page's own (selectable,
zoomable, translated by the browser) and it prints as it shows. The exported image of the same
ranking is still Plotly's (``components.charts.ranking_figure``, drawn on the server): an image
has no links to follow.

The piece is one component (``components.fast.static``): nothing in it is updated on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from components.charts import RankRow
from components.fast import el, link, static
from i18n import fmt_number


def bar_geometry(values: Sequence[float]) -> tuple[list[tuple[float, float]], float | None]:
    """Each value's bar as (left, width) in percent of the track, and the zero line's place (None
    when every value is on one side of zero: the bars start at the track's edge)."""
    lo, hi = min(0.0, *values), max(0.0, *values)
    span = (hi - lo) or 1.0
    bars = [((min(0.0, v) - lo) / span * 100, abs(v) / span * 100) for v in values]
    zero = (0 - lo) / span * 100 if lo < 0 < hi else None
    return bars, zero


def _pct(x: float) -> str:
    return f"{x:.2f}%"


def bar_list(rows: Sequence[RankRow], *, label: str, unit: str, decimals: int, lang: str,
             href: Callable[[str], str] | None = None, focus: Collection[str] = (), highlight: str | None = None,
             name_head: str = "", **props: object) -> dict:
    """``rows`` (rank, key, name, value; best first, as ``components.charts.ranking_rows`` gives)
    as a list named ``label``; ``href(key)``: where a name leads (none: plain text); ``focus``: only
    these areas keep their colour, the others are greyed (the chosen region); ``highlight``: the
    area in focus, in the accent colour and marked as the current one. Values in the
    locale's format with ``decimals``; the unit heads the value column."""
    bars, zero = bar_geometry([r[3] for r in rows]) if rows else ([], None)
    items = []
    for (rank, key, name, value), (left, width) in zip(rows, bars, strict=True):
        faded = bool(focus) and key not in focus
        marked = key == highlight
        current = {"aria-current": "true"} if marked else {}
        name_el = (link(name, href(key), className="bar-list-name", title=name, **current) if href
                   else el("Span", name, className="bar-list-name", title=name, **current))
        bar = el("Span", None, className="bar-list-bar" + (" neg" if value < 0 else ""),
                 style={"left": _pct(left), "width": _pct(max(width, 0.4))})
        track = [bar] if zero is None else [el("Span", None, className="bar-list-zero", style={"left": _pct(zero)}),
                                             bar]
        items.append(el("Li", [el("Span", f"{rank}.", className="bar-list-rank"), name_el,
                               el("Span", track, className="bar-list-track", **{"aria-hidden": "true"}),
                               el("Span", fmt_number(value, decimals, lang), className="bar-list-value")],
                        className="faded" if faded else "highlight" if marked else None, **{"data-key": key}))
    head = el("Div", [el("Span", "#", className="bar-list-rank"), el("Span", name_head, className="bar-list-name"),
                      el("Span", None, className="bar-list-track"), el("Span", unit, className="bar-list-value")],
              className="bar-list-head", **{"aria-hidden": "true"})
    return static(el("Div", [head, el("Ol", items, **{"aria-label": label})], className="bar-list"), **props)
