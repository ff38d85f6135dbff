"""Annual targets and the status of a figure against its target; good and bad directions."""

from __future__ import annotations

import math

from domain.periods import PERIODS_PER_YEAR, Period

AT_RISK_TOLERANCE = 0.05
"""How far short of its target (a share of the target) a figure is still ``at_risk`` rather than
``off_track``."""

STATUSES = ("on_track", "at_risk", "off_track")


def target_status(value: float | None, target: float | None, comparison: str | None,
                  target_max: float | None = None) -> str | None:
    """The documented rule: the gap ``(value - target) / |target|``, signed so that positive is
    good (``at_least``: above is good; ``at_most``: below is good). On track when the gap is
    >= 0, at risk when it is within 5 % of the target, off track beyond. A ``range`` target
    (``target`` .. ``target_max``) is on track inside the range (bounds included); outside, the
    gap is measured from the bound passed (below the low bound as ``at_least`` it, above the high
    bound as ``at_most`` it)."""
    if value is None or target is None or comparison is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if comparison == "range":
        if target_max is None:
            return None
        if value > target_max:
            return target_status(value, target_max, "at_most")
        return target_status(value, target, "at_least")
    scale = abs(target) if target else 1.0
    gap = (value - target) / scale
    if comparison == "at_most":
        gap = -gap
    if gap >= 0:
        return "on_track"
    return "at_risk" if gap >= -AT_RISK_TOLERANCE else "off_track"


def year_share(p: Period) -> float:
    """The part of its year that period ``p`` closes (``2025Q3``: 3/4; a day: its day of the year
    over 365): the pro rata share of an annual target due by then."""
    index = p.index if p.periodicity != "D" else p.start.timetuple().tm_yday
    return index / PERIODS_PER_YEAR[p.periodicity]


def is_good_change(delta: float | None, direction: str) -> bool | None:
    """Whether a change ``delta`` is good for an indicator whose good ``direction`` is ``up`` or
    ``down``; None for no change to judge (None, or a ``neutral`` indicator)."""
    if delta is None or direction == "neutral":
        return None
    return (delta > 0) == (direction == "up")
