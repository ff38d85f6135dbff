"""Aggregation rules of indicators, and flows against stocks.

Each indicator names the rule by which province values make a regional or national figure:

* ``sum`` — add up (volumes, counts);
* ``last`` — stocks at a date (population at year end): also add up across areas;
* ``mean`` — the plain average of the provinces;
* ``weighted`` — the average weighted by another indicator (the weight indicator);
* ``ratio`` — the ratio of the sums of a numerator and a denominator indicator;
* ``none`` — not aggregated (national-only figures).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from typing import Protocol

AGGREGATIONS = ("sum", "mean", "weighted", "ratio", "last", "none")

REBUILD_RULES = ("sum", "last", "weighted", "ratio")
"""The rules by which a total can be rebuilt from parts (a new province from its former ones)."""


class Aggregated(Protocol):
    """What the flow rule needs of an indicator."""

    @property
    def aggregation(self) -> str: ...

    @property
    def cumulative(self) -> bool: ...

    @property
    def periodicity(self) -> str: ...


def is_flow(ind: Aggregated) -> bool:
    """Monthly/quarterly/half-yearly sums that are not already year-to-date: their annual target
    is a total for the year, so it compares with the year-to-date sum, never with one period."""
    return ind.aggregation == "sum" and not ind.cumulative and ind.periodicity in ("M", "Q", "S")


def is_ytd_sum(ind: Aggregated) -> bool:
    """Sums reported already cumulated from the start of the year."""
    return bool(ind.cumulative) and ind.aggregation == "sum"


def aggregate(rule: str, values: Mapping[str, float | None], weights: Mapping[str, float | None] | None = None,
              num: Mapping[str, float | None] | None = None, den: Mapping[str, float | None] | None = None) -> float:
    """Combine province values (area key → value, missing ones absent or None) by an aggregation
    rule: ``sum`` and ``last`` (stocks at a date) add up; ``mean`` averages; ``weighted`` uses
    ``weights`` (the weight indicator's values); ``ratio`` divides the sums of the numerator and
    denominator indicators, scaled by the unit factor seen in the provinces' own ratios."""
    if rule in ("sum", "last", "mean"):  # the values alone (a regional series makes hundreds of calls)
        reported = [v for v in values.values() if v is not None and v == v]
        if not reported:
            return math.nan
        total = sum(reported)
        return float(total / len(reported) if rule == "mean" else total)
    vals = {k: v for k, v in values.items() if v is not None and v == v}
    if not vals:
        return math.nan
    if rule == "weighted" and weights is not None:
        pairs = [(v, w) for k, v in vals.items() if (w := weights.get(k)) is not None]
        total = sum(w for _, w in pairs)
        return float(sum(v * w for v, w in pairs) / total) if total else math.nan
    if rule == "ratio" and num is not None and den is not None:
        parts = {k: (n, d) for k in vals if (n := num.get(k)) is not None and (d := den.get(k))}
        if not parts:
            return math.nan
        total = sum(n for n, _ in parts.values()) / sum(d for _, d in parts.values())
        # the unit factor: the median of the provinces' own ratio over their parts' (a province
        # whose numerator is 0 says nothing of it; a sum of nothing but zeros is 0 whatever it is)
        seen = [vals[k] / (n / d) for k, (n, d) in parts.items() if n]
        if not seen:
            return float(total)
        if any(f != f for f in seen):
            return math.nan
        return float(total * statistics.median(seen))  # a handful of values: no array needed
    return math.nan


def rebuild(rule: str, values: Mapping[str, float | None], expected: int,
            weights: Mapping[str, float | None] | None = None, num: Mapping[str, float | None] | None = None,
            den: Mapping[str, float | None] | None = None) -> float:
    """A new province's value from its former provinces' ``values`` (and their components): NaN
    unless all ``expected`` formers reported, since a partial sum is no honest total."""
    if len(values) < expected:
        return math.nan
    w, n, d = (None if x is None else {k: x.get(k) for k in values} for x in (weights, num, den))
    return aggregate(rule, values, w, n, d)
