"""How an indicator stands, said the same way everywhere: the status against the annual target
(icon, words and colour — never colour alone) and whether a change is good or bad.

The one place in the UI for these rules (the tiles, the sparkline, the pages and the exports read
them from here).
"""

from __future__ import annotations

from typing import Literal

#: target status → icon / message key / colour (None: no target)
STATUS_ICON = {"on_track": "✔", "at_risk": "▲", "off_track": "✖", None: "–"}
STATUS_KEY = {"on_track": "status.on_track", "at_risk": "status.at_risk", "off_track": "status.off_track",
              None: "status.no_target"}
#: the same colours as the desk theme's --good/--warn/--bad/--neutral (assets/style.css): text colours, 4.5:1 on
#: white and on every status tint
STATUS_COLOUR = {"on_track": "#17703f", "at_risk": "#945800", "off_track": "#b3261e", None: "#56616f"}

#: A change smaller than this shows as 0,0 and is called neither good nor bad.
DEAD_BAND = 0.05

Direction = Literal["good", "bad", "neutral"]


def direction(delta: float | None, good_direction: str, *, dead_band: float = DEAD_BAND) -> Direction:
    """Whether a change is good, bad or neutral for an indicator whose good direction is ``up``,
    ``down`` or ``neutral``. The wall calls with ``dead_band=0`` (it colours every change)."""
    if delta is None or good_direction == "neutral" or abs(delta) < dead_band:
        return "neutral"
    return "good" if (delta > 0) == (good_direction == "up") else "bad"


def direction_class(delta: float | None, good_direction: str) -> str:
    """The CSS classes of a change on the desk: ``delta good`` / ``delta bad`` / ``delta neutral``."""
    return "delta " + direction(delta, good_direction)
