"""The values of derived indicators: a formula (:mod:`domain.formulas`) evaluated at every area and
period of the indicator's levels where its inputs exist.

Each level is computed from the inputs at that level, never from the derived values below it:

* the nation and a province: the inputs' values stored at that area;
* a region: each input aggregated from the region's provinces of the period's era by the input's
  own rule (:func:`domain.aggregation.aggregate`), then the formula: a per capita figure of a
  region is the sum of its numerators over the sum of its denominators (a ratio of sums, never a
  sum or mean of the provinces' ratios). An input that is itself derived is read as stored at the
  region (it was computed the same way).

``last_year(CODE)`` reads the input in the same period one year earlier at the same area. An area
that did not exist then (a province or region of the 34 after 2025-07-01, in a period of the 63)
takes the value of its territory: the former provinces it is made of, combined by the input's
rule and only when all of them reported (:func:`domain.aggregation.rebuild`, as the comparable
series do); a value stored under the new area itself for that period (a back-cast) wins.

The status of a derived value is the weakest of the inputs it read at its own period:
provisional (P) if any is, else estimated (E) if any is, else official (O).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from domain.aggregation import REBUILD_RULES, aggregate, rebuild
from domain.eras import OLD_ERA_LAST_DAY, Era, era_of, valid_on
from domain.formulas import compile_formula
from domain.periods import Period

Stored = Mapping[tuple[str, str, date], tuple[float, str]]
"""(indicator code, area key, period start) → (value, status): what the warehouse holds."""

_STATUS_ORDER = {"P": 0, "E": 1, "O": 2}


@dataclass(frozen=True)
class Rule:
    """How an input aggregates across areas: its rule and components (codes or None), and
    whether it is itself derived (then its regional values are stored)."""

    aggregation: str
    weight: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    derived: bool = False

    @property
    def components(self) -> tuple[str | None, str | None, str | None]:
        return (self.weight if self.aggregation == "weighted" else None,
                self.numerator if self.aggregation == "ratio" else None,
                self.denominator if self.aggregation == "ratio" else None)


@dataclass(frozen=True)
class AreaFacts:
    """The areas of both eras: level and validity of each key, the provinces of each region in
    each era, and the 2025 crosswalk (old province → new province)."""

    level: Mapping[str, str]
    validity: Mapping[str, tuple[date | None, date | None]]
    members: Mapping[Era, Mapping[str, tuple[str, ...]]]
    successor: Mapping[str, str]
    _formers: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def valid(self, key: str, d: date) -> bool:
        start, end = self.validity.get(key, (None, None))
        return valid_on(start, end, d)

    def areas(self, levels: Iterable[str], d: date) -> list[str]:
        """The areas of ``levels`` valid on ``d``, sorted."""
        wanted = set(levels)
        return sorted(k for k, lvl in self.level.items() if lvl in wanted and self.valid(k, d))

    def formers(self, key: str) -> tuple[str, ...]:
        """The provinces of the 63 that make the territory of ``key`` (a province or region of the
        34): itself when it spans both eras, else its predecessors by the crosswalk."""
        if key not in self._formers:
            if self.level.get(key) == "region":
                found = [f for p in self.members.get("34", {}).get(key, ()) for f in self.formers(p)]
            elif self.valid(key, OLD_ERA_LAST_DAY):
                found = [key]
            else:
                found = [old for old, new in self.successor.items() if new == key]
            self._formers[key] = tuple(sorted(found))
        return self._formers[key]


@dataclass
class _Reader:
    stored: Stored
    rules: Mapping[str, Rule]
    facts: AreaFacts
    statuses: list[str] = field(default_factory=list)

    def at(self, code: str, area: str, p: Period, *, record: bool) -> float | None:
        """``code`` at ``area`` in ``p``, as stored or aggregated to a region."""
        got = self.stored.get((code, area, p.start))
        rule = self.rules.get(code, Rule("none"))
        if got is None and self.facts.level.get(area) == "region" and not rule.derived:
            provinces = self.facts.members.get(era_of(p.end), {}).get(area, ())
            return self._combined(code, rule, provinces, p, record=record, expected=None)
        if got is None:
            return None
        if record:
            self.statuses.append(got[1])
        return got[0]

    def last_year(self, code: str, area: str, p: Period) -> float | None:
        q = p.same_period_last_year()
        if self.facts.valid(area, q.end) or (code, area, q.start) in self.stored:
            return self.at(code, area, q, record=False)
        rule = self.rules.get(code, Rule("none"))
        formers = self.facts.formers(area)
        if not formers or rule.aggregation not in REBUILD_RULES or rule.derived:
            return None
        return self._combined(code, rule, formers, q, record=False, expected=len(formers))

    def _combined(self, code: str, rule: Rule, provinces: Iterable[str], p: Period, *, record: bool,
                  expected: int | None) -> float | None:
        keys = list(provinces)
        values: dict[str, float | None] = {}
        for k in keys:
            got = self.stored.get((code, k, p.start))
            if got is not None:
                values[k] = got[0]
                if record:
                    self.statuses.append(got[1])
        parts = [None if c is None else {k: self._value(c, k, p) for k in keys} for c in rule.components]
        if expected is None:
            result = aggregate(rule.aggregation, values, *parts)
        else:
            result = rebuild(rule.aggregation, values, expected, *parts)
        return None if result != result else result

    def _value(self, code: str, area: str, p: Period) -> float | None:
        got = self.stored.get((code, area, p.start))
        return None if got is None else got[0]


@dataclass(frozen=True)
class DerivedValue:
    area: str
    period: Period
    value: float
    status: str


def derive(formula: str, levels: Iterable[str], periods: Iterable[Period], stored: Stored,
           rules: Mapping[str, Rule], facts: AreaFacts) -> list[DerivedValue]:
    """The values of ``formula`` at the areas of ``levels`` valid in each of ``periods`` where its
    inputs give one (``stored``: the inputs' values; ``rules``: their aggregation)."""
    compiled = compile_formula(formula)
    wanted = tuple(levels)
    out: list[DerivedValue] = []
    for p in periods:
        for area in facts.areas(wanted, p.end):
            reader = _Reader(stored, rules, facts)

            def lookup(code: str, earlier: bool, area: str = area, p: Period = p,
                       reader: _Reader = reader) -> float | None:
                return reader.last_year(code, area, p) if earlier else reader.at(code, area, p, record=True)

            value = compiled(lookup)
            if value is not None:
                status = min(reader.statuses, key=_STATUS_ORDER.__getitem__, default="O")
                out.append(DerivedValue(area, p, value, status))
    return out
