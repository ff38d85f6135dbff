"""Issue 16: the theme's colours meet WCAG 2.1 AA contrast by construction. Secondary text and the
status colours (text on the desk: "Đạt kế hoạch", changes, dates) reach 4.5:1 on every light
background of the desk's style sheets (the page, cards, status tints, badges); the lines and bars
of charts reach 3:1 on the card (1.4.11). The browser test (tests/browser/test_a11y.py) checks the
rendered pages; this one names the colour that broke it without a browser."""

from __future__ import annotations

import re

import pytest

from components.charts import DARK_PALETTE, FADED_EDGE, MUTED_INK, PALETTE
from components.status import STATUS_COLOUR
from settings import ROOT

ASSETS = ROOT / "assets"
DESK_SHEETS = sorted(p for p in ASSETS.glob("*.css") if p.name != "wall.css") + [ROOT / "auth" / "static" / "auth.css"]
HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")


def luminance(colour: str) -> float:
    h = colour.lstrip("#")
    h = "".join(c * 2 for c in h) if len(h) == 3 else h
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def theme() -> dict[str, str]:
    text = (ASSETS / "style.css").read_text()
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", text))


def light_backgrounds() -> set[str]:
    """Every pale background the desk's style sheets paint (tints, cards, the page)."""
    found = set()
    for sheet in DESK_SHEETS:
        for value in re.findall(r"background(?:-color)?:\s*([^;}]+)", sheet.read_text()):
            found.update(c.lower() for c in HEX.findall(value) if luminance(c) > 0.75)
    return found | {theme()["bg"], theme()["surface"]}


def test_con001_secondary_text_and_status_colours_on_every_light_background():
    colours = theme()
    texts = {"--ink-2": colours["ink-2"], "--ink-3": colours["ink-3"], "--accent": colours["accent"],
             "--good": colours["good"], "--warn": colours["warn"], "--bad": colours["bad"],
             "--neutral": colours["neutral"], "chart MUTED_INK": MUTED_INK,
             **{f"STATUS_COLOUR[{k}]": v for k, v in STATUS_COLOUR.items()}}
    backgrounds = light_backgrounds()
    assert len(backgrounds) >= 10, backgrounds  # the tints were found
    low = {(name, fg, bg): round(contrast(fg, bg), 2) for name, fg in texts.items() for bg in backgrounds
           if contrast(fg, bg) < 4.5}
    assert low == {}


def test_con002_status_colours_are_the_theme_colours():
    colours = theme()
    assert STATUS_COLOUR == {"on_track": colours["good"], "at_risk": colours["warn"], "off_track": colours["bad"],
                             None: colours["neutral"]}


@pytest.mark.parametrize("colour", [*PALETTE, FADED_EDGE])
def test_con003_chart_marks_stand_out_from_the_card(colour):
    assert contrast(colour, "#ffffff") >= 3, colour


@pytest.mark.parametrize("colour", DARK_PALETTE)
def test_con004_wall_chart_marks_stand_out_from_the_dark_board(colour):
    assert contrast(colour, "#121b28") >= 3, colour
