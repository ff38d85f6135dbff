"""Alert rules, as pure functions: when a rule fires on a value the intake wrote or on a report of
the calendar, and the key of that occurrence.

Every occurrence has one key (:func:`occurrence_key`); the warehouse keeps it unique, so a rule
fires once per occurrence whatever re-reads or re-submits it:

* ``threshold`` — a value crosses a line (``above`` or ``below`` ``threshold``): the period's value
  is past the line and the previous period's was not (or there is none). Key: rule, area, period.
* ``target`` — a value crosses its plan target: the period is off track (:func:`domain.targets.
  target_status`) and the previous period was not. Key: rule, area, period.
* ``worsen`` — a value worsens by more than ``percent`` % against the ``previous`` period or the
  same period ``last_year``, in the indicator's bad direction (``up`` is good: a fall; ``down`` is
  good: a rise; ``neutral``: a change either way). Key: rule, area, period.
* ``revision`` — a provisional value (status ``P``) is replaced by one differing by more than
  ``percent`` %. Key: rule, area, period, revision.
* ``implausible`` — a value arrived flagged implausible by the intake's plausibility check. Key:
  rule, area, period, revision.
* ``overdue`` — a unit's report is overdue by more than ``days`` days (Decree 09 calendar: still
  missing, or received that late). Key: rule, unit, regime, period.
* ``direction`` — a leader's direction (issue 19) still open more than ``days`` days after its
  current deadline, on the centre's date (:func:`domain.directions.days_overdue`). Key: rule,
  direction, current deadline: an extension moves the deadline, so overdue again is a new
  occurrence. Confidential when the direction is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from domain.directions import days_overdue
from domain.targets import target_status

KINDS = ("threshold", "target", "worsen", "revision", "implausible", "overdue", "direction")
DAYS_KINDS = frozenset({"overdue", "direction"})
VALUE_KINDS = frozenset({"threshold", "target", "worsen", "revision", "implausible"})
INDICATOR_REQUIRED = frozenset({"threshold", "target", "worsen"})
SEVERITIES = ("notice", "warning", "critical")
COMPARISONS = {"threshold": ("above", "below"), "worsen": ("previous", "last_year")}


@dataclass(frozen=True)
class Rule:
    id: int
    kind: str
    indicator_id: int | None = None
    area_id: int | None = None
    regime_id: int | None = None
    comparison: str | None = None
    threshold: float | None = None
    percent: float | None = None
    days: int | None = None
    severity: str = "warning"

    def applies_to(self, indicator_id: int | None, area_id: int | None) -> bool:
        return ((self.indicator_id is None or self.indicator_id == indicator_id)
                and (self.area_id is None or self.area_id == area_id))


@dataclass(frozen=True)
class Target:
    value: float
    comparison: str
    value_max: float | None = None

    def status(self, value: float | None) -> str | None:
        return target_status(value, self.value, self.comparison, self.value_max)


class Fact(NamedTuple):
    """One value an intake wrote, with what the rules compare it with (a tuple: an intake builds
    thousands)."""

    indicator_id: int
    area_id: int
    period: str
    value: float
    revision: int
    direction: str = "neutral"  # up | down | neutral
    status: str = "O"
    flag: str | None = None
    previous: float | None = None  # the previous period's value
    last_year: float | None = None  # the same period a year before
    former: float | None = None  # the revision it replaced
    former_status: str | None = None
    target: Target | None = None  # the period's target (pro rata for a cumulative indicator)
    previous_target: Target | None = None


@dataclass(frozen=True)
class Report:
    """One expected report of the calendar (:mod:`domain.regimes`)."""

    unit_id: int
    regime_id: int
    period: str
    state: str  # on_time | late | missing | not_due
    days_late: int


@dataclass(frozen=True)
class Direction:
    """One direction as the ``direction`` rule reads it (:mod:`domain.directions`)."""

    id: int
    ref: str
    title: str
    agency_id: int  # the lead unit
    deadline: date  # the current one (extensions move it)
    state: str
    confidential: bool = False


@dataclass(frozen=True)
class Occurrence:
    rule: Rule
    key: str
    indicator_id: int | None = None
    area_id: int | None = None
    agency_id: int | None = None
    period: str | None = None
    value: float | None = None
    reference: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    confidential: bool = False  # besides a confidential indicator's: a confidential direction's


def occurrence_key(rule: Rule, *parts: object) -> str:
    return ":".join((f"r{rule.id}", *map(str, parts)))


def _number(x: float | None) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def change_percent(value: float, base: float | None) -> float | None:
    """``(value - base) / |base|`` in per cent; None without a base (or a zero one)."""
    if not _number(base) or base == 0:
        return None
    assert base is not None
    return (value - base) / abs(base) * 100


def past_line(value: float | None, rule: Rule) -> bool:
    if not _number(value) or rule.threshold is None:
        return False
    assert value is not None
    return value > rule.threshold if rule.comparison == "above" else value < rule.threshold


def worse_by(change: float | None, direction: str) -> float | None:
    """How much worse (in per cent, positive) a change is for the ``direction``; None if not worse."""
    if change is None:
        return None
    bad = -change if direction == "up" else change if direction == "down" else abs(change)
    return bad if bad > 0 else None


PER_REVISION = frozenset({"revision", "implausible"})  # kinds whose occurrence is one revision's


def value_key(rule: Rule, fact: Fact) -> str:
    """The key of the occurrence ``rule`` raises on ``fact`` if it fires: the rule, (for a rule on
    any indicator, the indicator,) the area, the period (and, per revision, the revision)."""
    which = () if rule.indicator_id is not None else (f"i{fact.indicator_id}",)
    if rule.kind in PER_REVISION:
        return occurrence_key(rule, *which, fact.area_id, fact.period, fact.revision)
    return occurrence_key(rule, *which, fact.area_id, fact.period)


def _value_occurrence(rule: Rule, fact: Fact, key: str | None = None) -> Occurrence | None:
    """The occurrence ``rule`` raises on ``fact`` (its key ``key`` when the caller has it), or None."""
    kind = rule.kind
    if kind == "threshold":
        if not past_line(fact.value, rule) or past_line(fact.previous, rule):
            return None
        reference: float | None = rule.threshold
        detail: dict[str, Any] = {"comparison": rule.comparison}
    elif kind == "target":
        if fact.target is None or fact.target.status(fact.value) != "off_track":
            return None
        if fact.previous_target is not None and fact.previous_target.status(fact.previous) == "off_track":
            return None
        reference, detail = fact.target.value, {"comparison": fact.target.comparison}
    elif kind == "worsen":
        reference = fact.last_year if rule.comparison == "last_year" else fact.previous
        bad = worse_by(change_percent(fact.value, reference), fact.direction)
        if bad is None or bad <= (rule.percent or 0):
            return None
        detail = {"comparison": rule.comparison or "previous", "percent": round(bad, 1)}
    elif kind == "revision":
        if fact.revision == 0 or fact.former_status != "P":
            return None
        change = change_percent(fact.value, fact.former)
        if change is None or abs(change) <= (rule.percent or 0):
            return None
        reference, detail = fact.former, {"percent": round(change, 1), "revision": fact.revision}
    elif kind == "implausible":
        if fact.flag != "implausible":
            return None
        reference, detail = fact.former, {"revision": fact.revision}
    else:
        return None
    return Occurrence(rule, key or value_key(rule, fact), indicator_id=fact.indicator_id, area_id=fact.area_id, period=fact.period,
                      value=fact.value, reference=reference, detail=detail)


def value_occurrences(rules: list[Rule], facts: list[Fact]) -> list[Occurrence]:
    """What ``rules`` raise on the values an intake wrote (each rule on the facts it applies to)."""
    by_indicator: dict[int | None, list[Rule]] = {}
    for rule in rules:
        if rule.kind in VALUE_KINDS:
            by_indicator.setdefault(rule.indicator_id, []).append(rule)
    if not by_indicator:
        return []
    anywhere = by_indicator.get(None, [])
    out: list[Occurrence] = []
    for fact in facts:
        for rule in (*by_indicator.get(fact.indicator_id, ()), *anywhere):
            if rule.applies_to(fact.indicator_id, fact.area_id):
                occ = _value_occurrence(rule, fact)
                if occ is not None:
                    out.append(occ)
    return out


def candidate_occurrences(pairs: list[tuple[Rule, Fact]]) -> list[Occurrence]:
    """What each rule raises on the fact it is paired with, one occurrence per key (the last pair's
    that fires, as :func:`alerts.store.raise_alerts` keeps it): :func:`value_occurrences` when the
    pairs left out are pairs on which the rule cannot fire (found set-based by the caller). The pairs
    are read from the last, so a key that fired is not evaluated again."""
    fired: set[str] = set()
    out: list[Occurrence] = []
    for rule, fact in reversed(pairs):
        if rule.kind not in VALUE_KINDS or not rule.applies_to(fact.indicator_id, fact.area_id):
            continue
        key = value_key(rule, fact)
        if key in fired:
            continue
        occ = _value_occurrence(rule, fact, key)
        if occ is not None:
            fired.add(occ.key)
            out.append(occ)
    out.reverse()
    return out


def overdue_occurrences(rules: list[Rule], reports: list[Report]) -> list[Occurrence]:
    """What the ``overdue`` rules raise on the calendar's reports: missing or received more than
    ``days`` days after the deadline."""
    out: list[Occurrence] = []
    for rule in rules:
        if rule.kind != "overdue":
            continue
        for r in reports:
            if rule.regime_id not in (None, r.regime_id) or r.state not in ("missing", "late"):
                continue
            if r.days_late > (rule.days or 0):
                out.append(Occurrence(rule, occurrence_key(rule, r.unit_id, r.regime_id, r.period),
                                      agency_id=r.unit_id, period=r.period, value=float(r.days_late),
                                      reference=float(rule.days or 0),
                                      detail={"state": r.state, "days": r.days_late, "regime_id": r.regime_id}))
    return out


TITLE_KEPT = 200  # the title an alert keeps (its sentence names the direction by ref and title)


def direction_occurrences(rules: list[Rule], directions: list[Direction], today: date) -> list[Occurrence]:
    """What the ``direction`` rules raise on ``directions`` on the centre's date ``today``: those
    still open more than ``days`` days after their current deadline (closed, reported done,
    cancelled and drafts never)."""
    out: list[Occurrence] = []
    for rule in rules:
        if rule.kind != "direction":
            continue
        for d in directions:
            late = days_overdue(d.state, d.deadline, today)
            if late > (rule.days or 0):
                out.append(Occurrence(
                    rule, occurrence_key(rule, d.id, d.deadline.isoformat()), agency_id=d.agency_id,
                    value=float(late), reference=float(rule.days or 0), confidential=d.confidential,
                    detail={"direction_id": d.id, "ref": d.ref, "title": d.title[:TITLE_KEPT],
                            "deadline": d.deadline.isoformat(), "days": late}))
    return out


def rule_problems(kind: str, *, indicator_id: int | None, comparison: str | None, threshold: float | None,
                  percent: float | None, days: int | None, severity: str) -> list[str]:
    """The message keys of what is wrong with a rule's fields (empty: valid)."""
    problems = []
    if kind not in KINDS:
        return ["alerts.err.kind"]
    if severity not in SEVERITIES:
        problems.append("alerts.err.severity")
    if kind in INDICATOR_REQUIRED and indicator_id is None:
        problems.append("alerts.err.indicator")
    if kind in COMPARISONS and comparison not in COMPARISONS[kind]:
        problems.append("alerts.err.comparison")
    if kind == "threshold" and threshold is None:
        problems.append("alerts.err.threshold")
    if kind in ("worsen", "revision") and (percent is None or percent < 0):
        problems.append("alerts.err.percent")
    if kind in DAYS_KINDS and (days is None or days < 0):
        problems.append("alerts.err.days")
    return problems
