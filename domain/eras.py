"""The two eras of Vietnam's administrative map and validity in time.

On 2025-07-01 (Resolution 202/2025/QH15) the 63 provinces became 34 and the six socio-economic
regions were redrawn (Resolution 306). Areas, region memberships and reporting units carry
``valid_from`` / ``valid_to`` (inclusive, None: open); a thing belongs to a period when it is
valid on the period's END date. This is the one place the date of the switch is written.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from domain.periods import parse

ERA_SWITCH = date(2025, 7, 1)
"""The first day of the 34 provinces."""

OLD_ERA_LAST_DAY = ERA_SWITCH - timedelta(days=1)
"""The last day of the 63 provinces."""

Era = Literal["63", "34"]

ERA_DAY: dict[Era, date] = {"63": OLD_ERA_LAST_DAY, "34": ERA_SWITCH}
"""A day inside each era: what is valid on it is what the era holds."""


def era_of(d: date) -> Era:
    """``"63"`` for dates before the switch (63 provinces), ``"34"`` from then on."""
    return "63" if d < ERA_SWITCH else "34"


def valid_on(valid_from: date | None, valid_to: date | None, d: date) -> bool:
    """Whether something valid from ``valid_from`` to ``valid_to`` (inclusive; None: open) is
    valid on ``d``."""
    return (valid_from is None or valid_from <= d) and (valid_to is None or d <= valid_to)


def crosses_switch(start: str, end: str) -> bool:
    """Whether the periods from key ``start`` to key ``end`` include both eras (a period belongs
    to the era of its end)."""
    return parse(start).end < ERA_SWITCH <= parse(end).end
