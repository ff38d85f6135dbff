"""The rules of a configuration of metadata records (:mod:`domain.metadata`) and of a change to it.

:func:`check` finds what is wrong in a whole configuration; :func:`validate` compares a
configuration before and after a change and keeps the problems the change brings (pre-existing
ones do not block an unrelated change), with the history rules (a periodicity does not change
under observations...); :func:`diff` lists what is added, changed and retired.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.formulas import FormulaError, formula_cycles, formula_inputs
from domain.metadata import FIELDS, KINDS, REF_EN, REF_VI, RETIRED, Config, Record, is_retired
from domain.metadata_messages import Problem, problem
from domain.periods import Period
from domain.regimes import deadline


@dataclass(frozen=True)
class Finding:
    """A problem of one record, before it is tied to a row: ``code``, ``column``, ``value`` and
    the message's params. ``changed_only``: a rule about what a change may introduce (a target
    for a retired indicator), not held against records the change left alone."""

    kind: str
    key: str
    code: str
    column: str | None = None
    value: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    changed_only: bool = False

    @property
    def ident(self) -> tuple[str, str, str, str | None, str]:
        return self.kind, self.key, self.code, self.column, str(self.value)


def check(config: Config, areas: Mapping[str, str]) -> list[Finding]:
    """Everything wrong in ``config`` (``areas``: area key → level)."""
    out: list[Finding] = []
    groups, units, inds = config["groups"], config["units"], config["indicators"]
    for key, r in groups.items():
        out += _reference_findings("groups", key, r, config, areas)
    for key, r in units.items():
        out += _dates("units", key, r) + _reference_findings("units", key, r, config, areas)
        if r["kind"] == "province" and not r["area"] and not is_retired(r):
            out.append(Finding("units", key, "unit_area_missing", "area"))
        elif r["kind"] == "province" and r["area"] and areas.get(r["area"], "province") != "province":
            out.append(Finding("units", key, "unit_area_level", "area", r["area"], {"level": areas[r["area"]]}))
    headline: dict[int, str] = {}
    for key, r in sorted(inds.items()):
        out += _dates("indicators", key, r) + _reference_findings("indicators", key, r, config, areas)
        out += _aggregation(key, r, inds)
        if r["headline"] is not None and not is_retired(r):
            if r["headline"] in headline:
                out.append(Finding("indicators", key, "headline_duplicate", "headline", r["headline"],
                                   {"other": headline[r["headline"]]}))
            headline.setdefault(r["headline"], key)
    out += _formulas(inds)
    for key, r in config["regimes"].items():
        out += _dates("regimes", key, r) + _reference_findings("regimes", key, r, config, areas) + _regime(key, r, inds)
    for key, r in config["targets"].items():
        out += _reference_findings("targets", key, r, config, areas) + _target(key, r, inds, areas)
    return out


def _dates(kind: str, key: str, r: Record) -> list[Finding]:
    if r.get("valid_from") and r.get("valid_to") and r["valid_to"] < r["valid_from"]:
        return [Finding(kind, key, "dates_reversed", "valid_to", r["valid_to"], {"start": r["valid_from"]})]
    return []


def _reference_findings(kind: str, key: str, r: Record, config: Config, areas: Mapping[str, str]) -> list[Finding]:
    """Unknown references, and an active record using a retired one."""
    out: list[Finding] = []
    active = not is_retired(r)
    for f in FIELDS[kind]:
        if f.ref is None or r.get(f.name) in (None, "", []):
            continue
        names = r[f.name] if f.type == "refs" else [r[f.name]]
        params = {"ref_vi": REF_VI[f.ref], "ref_en": REF_EN[f.ref]}
        for name in names:
            if f.ref == "areas":
                if name not in areas:
                    out.append(Finding(kind, key, "unknown_reference", f.name, name, params))
                continue
            target = config[f.ref].get(name)
            if target is None:
                out.append(Finding(kind, key, "unknown_reference", f.name, name, params))
            elif active and is_retired(target) and not (kind == "regimes" and f.name == "units"):
                if kind == "targets":
                    out.append(Finding(kind, key, "target_retired_indicator", f.name, name, changed_only=True))
                else:
                    out.append(Finding(kind, key, "retired_reference", f.name, name, params))
    return out


_COMPONENTS = {"weight": "weighted", "numerator": "ratio", "denominator": "ratio"}


def _aggregation(key: str, r: Record, inds: Mapping[str, Record]) -> list[Finding]:
    out: list[Finding] = []
    for column, rule in _COMPONENTS.items():
        value = r[column]
        if value is None:
            if r["aggregation"] == rule:
                out.append(Finding("indicators", key, "missing_component", column, None, {"aggregation": rule}))
            continue
        if r["aggregation"] != rule:
            out.append(Finding("indicators", key, "stray_component", column, value,
                               {"needed": rule, "aggregation": r["aggregation"]}))
        elif value == key:
            out.append(Finding("indicators", key, "self_reference", column, value))
        elif value in inds and inds[value]["periodicity"] != r["periodicity"]:
            out.append(Finding("indicators", key, "component_periodicity", column, value,
                               {"other": inds[value]["periodicity"], "periodicity": r["periodicity"]}))
    return out


def _formulas(inds: Mapping[str, Record]) -> list[Finding]:
    out: list[Finding] = []
    inputs: dict[str, frozenset[str]] = {}
    for key, r in sorted(inds.items()):
        if not r.get("formula"):
            continue
        try:
            inputs[key] = formula_inputs(r["formula"])
        except FormulaError as exc:  # a stored formula the grammar no longer takes
            out.append(Finding("indicators", key, "bad_formula", "formula", r["formula"], {"detail": str(exc)}))
            continue
        params = {"ref_vi": REF_VI["indicators"], "ref_en": REF_EN["indicators"]}
        for code in sorted(inputs[key]):
            other = inds.get(code)
            if other is None:
                out.append(Finding("indicators", key, "unknown_reference", "formula", code, params))
            elif is_retired(other) and not is_retired(r):
                out.append(Finding("indicators", key, "retired_reference", "formula", code, params))
            elif other["periodicity"] != r["periodicity"]:
                out.append(Finding("indicators", key, "formula_periodicity", "formula", code,
                                   {"other": other["periodicity"], "periodicity": r["periodicity"]}))
    for cycle in formula_cycles(inputs):
        for key in cycle:
            out.append(Finding("indicators", key, "formula_cycle", "formula", inds[key]["formula"],
                               {"cycle": " → ".join([*cycle, cycle[0]])}))
    return out


def _regime(key: str, r: Record, inds: Mapping[str, Record]) -> list[Finding]:
    out = _deadline(key, r)
    if is_retired(r):
        return out
    if not r["units"]:
        out.append(Finding("regimes", key, "regime_no_units", "units"))
    if not r["indicators"]:
        out.append(Finding("regimes", key, "regime_no_indicators", "indicators"))
    for code in r["indicators"]:
        other = inds.get(code)
        if other is not None and other["periodicity"] != r["frequency"]:
            out.append(Finding("regimes", key, "regime_periodicity", "indicators", code,
                               {"frequency": r["frequency"], "other": other["periodicity"]}))
    return out


def _deadline(key: str, r: Record) -> list[Finding]:
    """Art. 12/13: the deadline comes after the cut-off, in every period of a sample year."""
    frequency = r["frequency"]
    if frequency == "D":
        return []
    p = Period.from_date(frequency, date(2025, 1, 1))
    for _ in range(12 if frequency == "M" else 4):
        cut = deadline(frequency, p, r["cutoff_day"], r["cutoff_month_offset"])
        due = deadline(frequency, p, r["deadline_day"], r["deadline_month_offset"])
        if due <= cut:
            return [Finding("regimes", key, "deadline_before_cutoff", "deadline_day", r["deadline_day"],
                            {"deadline": due.isoformat(), "cutoff": cut.isoformat(), "period": p.key})]
        p = p.next()
    return []


def _target(key: str, r: Record, inds: Mapping[str, Record], areas: Mapping[str, str]) -> list[Finding]:
    out: list[Finding] = []
    if r["comparison"] == "range":
        if r["value_max"] is None:
            out.append(Finding("targets", key, "range_needs_max", "value_max"))
        elif r["value_max"] < r["value"]:
            out.append(Finding("targets", key, "range_reversed", "value_max", r["value_max"], {"low": r["value"]}))
    elif r["value_max"] is not None:
        out.append(Finding("targets", key, "max_without_range", "value_max", r["value_max"]))
    ind = inds.get(r["indicator"])
    level = areas.get(r["area"])
    if ind is None or level is None or is_retired(r):
        return out
    if level not in ind["levels"]:
        out.append(Finding("targets", key, "target_level", "area", r["area"], {"indicator": ind["code"], "level": level}))
    start, end = ind["valid_from"], ind["valid_to"]
    if (start and r["year"] < int(start[:4])) or (end and r["year"] > int(end[:4])):
        out.append(Finding("targets", key, "target_outside_validity", "year", r["year"],
                           {"indicator": ind["code"], "start": start or "…", "end": end or "…"}))
    return out


# -- a change -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    """What the warehouse holds that a change must not orphan: keys of indicators with
    observations, units with submissions, regimes that received reports (only those a change
    touches need to be asked: see :func:`history_questions`)."""

    indicators: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()
    regimes: frozenset[str] = frozenset()


LOCKED = {"indicators": (("periodicity",), "periodicity_locked"), "regimes": (("frequency",), "frequency_locked"),
          "units": (("area", "kind"), "unit_locked")}


def history_questions(base: Config, changes: Mapping[str, Mapping[str, Record]]) -> dict[str, set[str]]:
    """Per kind, the keys whose history decides whether the change may be made (a changed
    periodicity, frequency, area or unit kind)."""
    out: dict[str, set[str]] = {}
    for kind, (columns, _) in LOCKED.items():
        for key, after in changes.get(kind, {}).items():
            before = base[kind].get(key)
            if before is not None and any(before[c] != after[c] for c in columns):
                out.setdefault(kind, set()).add(key)
    return out


def _transitions(base: Config, changes: Mapping[str, Mapping[str, Record]], history: History) -> list[Finding]:
    out: list[Finding] = []
    for kind, records in changes.items():
        for key, after in records.items():
            before = base[kind].get(key)
            if before is None:
                continue
            if before["status"] != "draft" and after["status"] == "draft":
                out.append(Finding(kind, key, "status_backwards", "status", "draft", {"before": before["status"]}))
            if kind in LOCKED and key in getattr(history, kind):
                columns, code = LOCKED[kind]
                for c in columns:
                    if before[c] != after[c]:
                        out.append(Finding(kind, key, code, c, after[c], {"before": before[c]}))
    return out


def merged(base: Config, changes: Mapping[str, Mapping[str, Record]]) -> Config:
    """``base`` with the changed records in place (shallow: records are not copied)."""
    return {kind: ({**base[kind], **changes[kind]} if changes.get(kind) else base[kind]) for kind in KINDS}


def validate(base: Config, changes: Mapping[str, Mapping[str, Record]], rows: Mapping[tuple[str, str], int | None],
             areas: Mapping[str, str], history: History) -> list[Problem]:
    """The problems ``changes`` (kind → key → new record) would bring into ``base``: every
    problem of a changed record, and the new problems of records the change left alone (a group
    retired under active indicators); ``rows``: (kind, key) → row in the package."""
    after = merged(base, changes)
    changed = {(kind, key) for kind, records in changes.items() for key in records}
    known_before = {f.ident for f in check(base, areas)}
    out: list[Problem] = []
    for f in check(after, areas) + _transitions(base, changes, history):
        is_changed = (f.kind, f.key) in changed
        if (f.changed_only and not is_changed) or (not is_changed and f.ident in known_before):
            continue
        out.append(problem(f.code, f.kind, rows.get((f.kind, f.key)), f.key, f.column, f.value, **f.params))
    return sorted(out, key=_order)


def _order(p: Problem) -> tuple[int, int, str, str]:
    return KINDS.index(p.kind) if p.kind in KINDS else -1, p.row or 0, p.key or "", p.column or ""


@dataclass
class Diff:
    """What a change does, per kind: keys added, changed (and not retired), retired."""

    added: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})
    changed: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})
    retired: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})

    @property
    def empty(self) -> bool:
        return not any(v for part in (self.added, self.changed, self.retired) for v in part.values())

    def counts(self) -> dict[str, dict[str, int]]:
        return {k: {"added": len(self.added[k]), "changed": len(self.changed[k]), "retired": len(self.retired[k])}
                for k in KINDS}

    def as_dict(self) -> dict[str, dict[str, list[str]]]:
        return {k: {"added": self.added[k], "changed": self.changed[k], "retired": self.retired[k]} for k in KINDS}


def diff(base: Config, changes: Mapping[str, Mapping[str, Record]]) -> tuple[Diff, dict[str, dict[str, Record]]]:
    """The :class:`Diff` of ``changes`` against ``base`` and the records that really change
    (a record equal to the stored one is no change: importing a package twice changes nothing)."""
    out = Diff()
    effective: dict[str, dict[str, Record]] = {}
    for kind in KINDS:
        for key, after in sorted(changes.get(kind, {}).items()):
            before = base[kind].get(key)
            if before == after:
                continue
            effective.setdefault(kind, {})[key] = after
            if before is None:
                out.added[kind].append(key)
            elif after["status"] == RETIRED and before["status"] != RETIRED:
                out.retired[kind].append(key)
            else:
                out.changed[kind].append(key)
    return out, effective


