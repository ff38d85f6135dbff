"""Metadata as data: the records of the configuration (indicator groups, reporting units,
indicators, report regimes, plan targets), their canonical form, and the rules a change must
keep. Pure: the service (:mod:`metadata`) reads the warehouse, asks these functions, and writes.

A **record** is a dict in canonical form (what the JSON package holds): texts, ints, floats,
booleans, ISO dates as text, sorted lists of codes, ``None`` for an empty optional field. Its
**key** is its code, or ``indicator|area|year`` for a target. A **configuration** maps each kind
to its records by key.

:func:`parse_record` turns a row as written (JSON values, or the text of an XLSX cell) into a
record with row-level problems; :func:`package_problems` finds repeated and confusable keys. The
rules of a whole configuration and of a change are in :mod:`domain.metadata_rules`; the messages
in :mod:`domain.metadata_messages`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeAlias

from domain.aggregation import AGGREGATIONS
from domain.formulas import FormulaError, formula_inputs
from domain.metadata_messages import Problem, problem
from domain.periods import PERIODICITIES
from domain.text import fold

Record: TypeAlias = dict[str, Any]
Config: TypeAlias = dict[str, dict[str, Record]]

KINDS = ("groups", "units", "indicators", "regimes", "targets")
LEVELS = ("nation", "region", "province")
DIRECTIONS = ("up", "down", "neutral")
UNIT_KINDS = ("ministry", "ministry_level", "statistics", "government", "province")
COMPARISONS = ("at_least", "at_most", "range")
STATUSES = {"groups": ("active", "retired"), "units": ("active", "retired"), "indicators": ("draft", "active", "retired"),
            "regimes": ("active", "retired"), "targets": ("active", "retired")}
RETIRED = "retired"
CODE_LIMITS = {"groups": 8, "units": 24, "indicators": 40, "regimes": 32}
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")
_INDICATOR_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_]*$")  # formulas name indicators, so no '-'
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRUE, _FALSE = frozenset({"true", "1", "yes", "có", "x"}), frozenset({"false", "0", "no", "không", ""})


@dataclass(frozen=True)
class Field:
    """One column of a kind: its type (text, code, ref, refs, choice, int, float, bool, date,
    levels, formula), whether it must be filled, its choices or bounds, and what it refers to."""

    name: str
    type: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    limit: int = 300
    ref: str | None = None  # the kind a ref/refs field names
    default: Any = None


def _text(name: str, required: bool = False, limit: int = 300) -> Field:
    return Field(name, "text", required, limit=limit, default="")


def _status(kind: str) -> Field:
    return Field("status", "choice", choices=STATUSES[kind], default="active")


FIELDS: dict[str, tuple[Field, ...]] = {
    "groups": (Field("code", "code", True), _text("name_vi", True), _text("name_en", True),
               Field("sort", "int", low=0, high=1_000_000, default=0), _status("groups")),
    "units": (Field("code", "code", True), _text("name_vi", True), _text("name_en", True), _text("short_vi"),
              _text("short_en"), Field("kind", "choice", True, UNIT_KINDS), Field("area", "ref", ref="areas"),
              Field("valid_from", "date"), Field("valid_to", "date"), _status("units")),
    "indicators": (
        Field("code", "code", True), _text("name_vi", True), _text("name_en", True),
        _text("definition_vi", limit=4000), _text("definition_en", limit=4000),
        Field("group", "ref", True, ref="groups"), _text("unit_vi", True, 60), _text("unit_en", True, 60),
        Field("periodicity", "choice", True, PERIODICITIES), Field("levels", "levels", True),
        Field("aggregation", "choice", True, AGGREGATIONS), Field("weight", "ref", ref="indicators"),
        Field("numerator", "ref", ref="indicators"), Field("denominator", "ref", ref="indicators"),
        Field("formula", "formula", limit=500), Field("direction", "choice", True, DIRECTIONS),
        Field("decimals", "int", low=0, high=6, default=1), Field("cumulative", "bool", default=False),
        Field("confidential", "bool", default=False), Field("agency", "ref", True, ref="units"),
        Field("headline", "int", low=1, high=999), Field("valid_from", "date"), Field("valid_to", "date"),
        _status("indicators")),
    "regimes": (
        Field("code", "code", True), _text("name_vi", True, 500), _text("name_en", True, 500),
        _text("content_vi", limit=4000), _text("content_en", limit=4000),
        Field("frequency", "choice", True, PERIODICITIES), Field("receiver", "ref", True, ref="units"),
        Field("units", "refs", ref="units", default=()), Field("indicators", "refs", ref="indicators", default=()),
        _text("channel", limit=200), Field("cutoff_day", "int", low=1, high=31, default=14),
        Field("cutoff_month_offset", "int", low=-12, high=12, default=0),
        Field("deadline_day", "int", low=1, high=31, default=25),
        Field("deadline_month_offset", "int", low=-12, high=12, default=0),
        _text("legal_basis", limit=1000), Field("valid_from", "date"), Field("valid_to", "date"), _status("regimes")),
    "targets": (
        Field("indicator", "ref", True, ref="indicators"), Field("area", "ref", True, ref="areas"),
        Field("year", "int", True, low=1900, high=2200), Field("comparison", "choice", True, COMPARISONS),
        Field("value", "float", True), Field("value_max", "float"), _text("source", limit=1000), _status("targets")),
}
FIELD_NAMES = {kind: tuple(f.name for f in fields) for kind, fields in FIELDS.items()}
REF_VI = {"groups": "Nhóm chỉ tiêu", "units": "Đơn vị", "indicators": "Chỉ tiêu", "areas": "Địa bàn"}
REF_EN = {"groups": "Indicator group", "units": "Unit", "indicators": "Indicator", "areas": "Area"}


def key_of(kind: str, record: Mapping[str, Any]) -> str:
    """A record's key: its code; a target's ``indicator|area|year``."""
    if kind == "targets":
        return f"{record.get('indicator')}|{record.get('area')}|{record.get('year')}"
    return str(record.get("code"))


def is_retired(record: Mapping[str, Any] | None) -> bool:
    return record is None or record.get("status") == RETIRED


# -- one row as written → one record ---------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell(f: Field, value: Any) -> tuple[Any, tuple[str, dict[str, Any]] | None]:
    """(canonical value, None) or (None, (problem code, params)) for one cell."""
    if f.type in ("text", "formula"):
        text = str(value).strip()
        if len(text) > f.limit:
            return None, ("too_long", {"length": len(text), "limit": f.limit})
        if _CONTROL.search(text):
            return None, ("control_characters", {})
        if f.type == "formula":
            try:
                formula_inputs(text)
            except FormulaError as exc:
                return None, ("bad_formula", {"detail": str(exc)})
        return text, None
    if f.type in ("code", "ref"):
        return str(value).strip(), None
    if f.type == "choice":
        text = str(value).strip()
        return (text, None) if text in f.choices else (None, ("bad_choice", {"choices": ", ".join(f.choices)}))
    if f.type == "int":
        number = _integer(value)
        if number is None:
            return None, ("bad_integer", {})
        return _bounded(f, number)
    if f.type == "float":
        real = _real(value)
        return (real, None) if real is not None else (None, ("bad_number", {}))
    if f.type == "bool":
        text = str(value).strip().lower() if not isinstance(value, bool) else str(value).lower()
        return (True, None) if text in _TRUE else (False, None) if text in _FALSE else (None, ("bad_boolean", {}))
    if f.type == "date":
        return _iso_date(value)
    return _codes(f, value)  # refs, levels


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    real = _real(value)
    return int(real) if real is not None and real.is_integer() else None


def _real(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        real = float(value) if isinstance(value, int | float) else float(str(value).strip())
    except (TypeError, ValueError, OverflowError):
        return None
    return real if math.isfinite(real) else None


def _bounded(f: Field, number: int) -> tuple[Any, tuple[str, dict[str, Any]] | None]:
    if (f.low is not None and number < f.low) or (f.high is not None and number > f.high):
        return None, ("out_of_range", {"low": _num(f.low), "high": _num(f.high)})
    return number, None


def _num(x: float | None) -> str:
    return "?" if x is None else str(int(x)) if float(x).is_integer() else str(x)


def _iso_date(value: Any) -> tuple[Any, tuple[str, dict[str, Any]] | None]:
    if isinstance(value, date):
        return value.isoformat()[:10], None
    text = str(value).strip()[:10] if re.match(r"^\d{4}-\d{2}-\d{2}(T00:00(:00)?)?$", str(value).strip()) else ""
    try:
        return date.fromisoformat(text).isoformat(), None
    except ValueError:
        return None, ("bad_date", {})


def _codes(f: Field, value: Any) -> tuple[Any, tuple[str, dict[str, Any]] | None]:
    if isinstance(value, str):
        items: list[Any] = [x for x in re.split(r"[;,\n]", value)]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        return None, ("bad_list", {})
    if not all(isinstance(x, str) for x in items):
        return None, ("bad_list", {})
    codes = [x.strip() for x in items if x.strip()]
    seen: set[str] = set()
    for c in codes:
        if c in seen:
            return None, ("duplicate_in_list", {"value": c})
        seen.add(c)
    if f.type == "levels":
        wrong = [c for c in codes if c not in LEVELS]
        if wrong:
            return None, ("bad_choice", {"value": wrong[0], "choices": ", ".join(LEVELS)})
        return [lvl for lvl in LEVELS if lvl in seen], None
    return sorted(codes), None


def parse_record(kind: str, row: Mapping[str, Any], row_number: int | None) -> tuple[Record | None, list[Problem]]:
    """A row as written (JSON values or XLSX cell texts; a missing optional column takes its
    default) as a canonical record, or None with the row's problems."""
    fields = FIELDS[kind]
    problems: list[Problem] = []
    key = key_of(kind, row)
    for name in row:
        if name not in FIELD_NAMES[kind]:
            problems.append(problem("unknown_field", kind, row_number, key, str(name)))
    record: Record = {}
    for f in fields:
        value = row.get(f.name)
        if _blank(value) or (f.type in ("refs", "levels") and value in ([], ())):
            if f.required:
                problems.append(problem("missing_value", kind, row_number, key, f.name))
            record[f.name] = list(f.default) if isinstance(f.default, tuple) else f.default
            continue
        parsed, wrong = _cell(f, value)
        if wrong is not None:
            code, params = wrong
            shown = params.pop("value", value)
            problems.append(problem(code, kind, row_number, key, f.name, shown, **params))
            continue
        if f.type == "code" and not (_INDICATOR_CODE if kind == "indicators" else _CODE).match(parsed):
            problems.append(problem("bad_code", kind, row_number, key, f.name, parsed, limit=CODE_LIMITS[kind]))
            continue
        if f.type == "code" and len(parsed) > CODE_LIMITS[kind]:
            problems.append(problem("bad_code", kind, row_number, key, f.name, parsed, limit=CODE_LIMITS[kind]))
            continue
        record[f.name] = parsed
    if problems:
        return None, problems
    if kind == "units":
        record["short_vi"] = record["short_vi"] or record["name_vi"]
        record["short_en"] = record["short_en"] or record["name_en"]
    return record, []


def confusable_code(code: str, known: Iterable[str]) -> str | None:
    """A known code that ``code`` differs from only by case or diacritics (None if none)."""
    folded = fold(code)
    return next((k for k in known if k != code and fold(k) == folded), None)


def package_problems(kind: str, rows: Sequence[tuple[int | None, Record]], base: Mapping[str, Record]
                     ) -> list[Problem]:
    """Keys repeated within one kind of a package, and codes that differ from another code of
    the package or the warehouse only by case or diacritics."""
    out: list[Problem] = []
    first: dict[str, int | None] = {}
    folded: dict[str, str] = {fold(k): k for k in base}
    for row, record in rows:
        key = key_of(kind, record)
        if key in first:
            out.append(problem("duplicate_key", kind, row, key, "code" if kind != "targets" else None, key,
                               first=first[key] if first[key] is not None else "?"))
            continue
        first[key] = row
        if kind != "targets":
            other = folded.get(fold(key))
            if other is not None and other != key:
                out.append(problem("code_confusable", kind, row, key, "code", key, other=other))
            folded.setdefault(fold(key), key)
    return out
