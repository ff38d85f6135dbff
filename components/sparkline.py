"""The one sparkline: the last periods of an indicator as an inline SVG (a data URI), light enough
for forty cards on one screen (no plotting library, no graph component per card).

Two variants share the geometry and the drawing:

* ``"card"`` — the small multiple of the sectors board (320x112): a 10 % pad around the values, a
  base line, the annual target dashed (levels only), the last point in the status colour, the
  first and last periods as labels.
* ``"tile"`` — the strip under a desk KPI tile (160x36, stretched to the tile's width): the line
  and its last point, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Literal

from components.charts import MUTED_INK
from components.indicator_charts import TARGET_COLOUR, short_period
from components.status import STATUS_COLOUR

LINE_COLOUR = "#0b5cad"
FONT_SVG = "Inter, Segoe UI, Noto Sans, Roboto, Arial, sans-serif"
SPARK_W, SPARK_H = 320, 112  # the card's viewBox

Variant = Literal["card", "tile"]


@dataclass(frozen=True)
class _Style:
    width: int
    height: int
    top: float  # the plot box inside the viewBox (y of the largest and smallest value)
    bottom: float
    side: float  # the margin left and right
    padded: bool  # a 10 % pad around the values (else they touch the box)
    digits: int  # coordinates rounded to this many decimals
    line_width: str
    dot: str  # the last point's circle attributes beyond its centre
    svg_attrs: str  # on the <svg> element, after the viewBox


_STYLES: dict[str, _Style] = {
    "card": _Style(SPARK_W, SPARK_H, 8, 88, 6, True, 2, "2.2", "r='5' fill='{colour}' stroke='#fff' stroke-width='2'",
                   f" font-family='{FONT_SVG}'"),
    "tile": _Style(160, 36, 3, 33, 0, False, 1, "2", "r='3' fill='{colour}'", " preserveAspectRatio='none'"),
}

#: What must be escaped in an SVG data URI ('#' would start a fragment, '%' an escape), in this order
#: ('%' first: the others bring their own); other text goes as it is (a browser encodes non-ASCII
#: letters itself). Six ``str.replace`` passes: ``str.translate`` with strings for values walked the
#: text a character at a time, most of a sparkline's cost.
_DATA_URI_ESCAPES = (("%", "%25"), ("#", "%23"), ("<", "%3C"), (">", "%3E"), ('"', "%22"), ("\n", "%0A"))


def data_uri_text(text: str) -> str:
    """``text`` escaped for an SVG data URI (see :data:`_DATA_URI_ESCAPES`)."""
    for char, escaped in _DATA_URI_ESCAPES:
        text = text.replace(char, escaped)
    return text


def spark_points(values: list[float], *, target: float | None = None, width: float = SPARK_W,
                 top: float = 8, bottom: float = 88, left: float = 6, right: float = 6, padded: bool = True,
                 digits: int = 2) -> tuple[list[tuple[float, float]], float | None]:
    """Map values (and the target) to SVG coordinates: x evenly spaced, y linear (larger values
    higher), with a 10 % pad when ``padded``. Returns ([(x, y), ...], target_y)."""
    lo, hi = min(values), max(values)
    if target is not None:
        lo, hi = min(lo, target), max(hi, target)
    if padded:
        pad = (hi - lo) * 0.1 or abs(hi) * 0.05 or 1.0
        lo, hi = lo - pad, hi + pad
    span = (hi - lo) or 1.0  # flat and unpadded: the line at the bottom
    step = (width - left - right) / max(len(values) - 1, 1)

    def y(v: float) -> float:
        return round(bottom - (v - lo) / span * (bottom - top), digits)

    return [(round(left + i * step, digits), y(v)) for i, v in enumerate(values)], (y(target) if target is not None else None)


def spark_svg(values: list[float] | tuple[float, ...], periods: list[str] | tuple[str, ...] = (), *,
              variant: Variant = "card", status: str | None = None, lang: str = "vi",
              target: float | None = None) -> str:
    """The sparkline of ``values`` (oldest first) as a data URI; "" with fewer than two values.
    ``periods`` (their keys) label the card's ends; ``status`` colours the card's last point;
    ``target`` (a level) is drawn on the card as a dashed line.

    A pure function of its arguments, whose text is remembered per process (:func:`_drawn`): a
    tile's last periods rarely change from one view to the next (a submission changes some
    indicators, the others' tiles are drawn from the same values), and drawing forty of them was
    a tenth of the sectors board's answer."""
    if len(values) < 2:
        return ""
    return _drawn(tuple(values), tuple(periods), variant, status, lang, target)


@lru_cache(maxsize=4096)  # a few kB each: every tile of every board, in both languages
def _drawn(values: tuple[float, ...], periods: tuple[str, ...], variant: Variant, status: str | None, lang: str,
           target: float | None) -> str:
    """:func:`spark_svg` of two values or more. Values equal as floats draw the same text: the
    sign of a zero never reaches it (every coordinate is an offset from the box's edge inside the
    box, never a negative zero), so the cache may take 0.0 and -0.0 for one another."""
    st = _STYLES[variant]
    card = variant == "card"
    pts, ty = spark_points(list(values), target=target if card else None, width=st.width, top=st.top,
                           bottom=st.bottom, left=st.side, right=st.side, padded=st.padded, digits=st.digits)
    colour = STATUS_COLOUR.get(status, LINE_COLOUR) if card and status else LINE_COLOUR
    x_last, y_last = pts[-1]
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {st.width} {st.height}'{st.svg_attrs}>"]
    if card:
        parts.append(f"<line x1='0' y1='88.5' x2='{st.width}' y2='88.5' stroke='#e6eaef' stroke-width='1'/>")
    if ty is not None:
        parts.append(f"<line x1='0' y1='{ty}' x2='{st.width}' y2='{ty}' stroke='{TARGET_COLOUR}' stroke-width='1.5' "
                     "stroke-dasharray='6 4'/>")
    parts += [f"<polyline fill='none' stroke='{LINE_COLOUR}' stroke-width='{st.line_width}' stroke-linejoin='round' "
              f"points='{' '.join(f'{x},{y}' for x, y in pts)}'/>",
              f"<circle cx='{x_last}' cy='{y_last}' {st.dot.format(colour=colour)}/>"]
    if card:
        parts += [f"<text x='2' y='106' font-size='11' fill='{MUTED_INK}'>{escape(short_period(periods[0], lang))}</text>",
                  f"<text x='{st.width - 2}' y='106' font-size='11' fill='{MUTED_INK}' text-anchor='end'>"
                  f"{escape(short_period(periods[-1], lang))}</text>"]
    parts.append("</svg>")
    return "data:image/svg+xml;utf8," + data_uri_text("".join(parts))
