"""What the configuration's admin pages show, built from the fields of each kind
(:data:`domain.metadata.FIELDS`): the list (search without diacritics, filters, sort, pages), the
form's controls (a fitting control per field type, the posted or stored values, the service's
reasons beside the field they name), a posted form as the row the service takes, and a version's
before/after as a field-by-field diff. No request, no database: data in, view models out."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from werkzeug.datastructures import MultiDict

from domain.metadata import CODE_LIMITS, FIELDS, LEVELS, RETIRED, Field, Record, key_of
from domain.metadata_messages import Problem
from domain.text import fold
from i18n import t

KINDS_SHOWN = ("groups", "indicators", "units", "regimes", "targets")  # the order of the pages
PER_PAGE = 50
# The columns of each kind's list ("name": the name in the page's language) and its filters.
COLUMNS: dict[str, tuple[str, ...]] = {
    "groups": ("code", "name", "sort", "status"),
    "indicators": ("code", "name", "group", "periodicity", "aggregation", "agency", "confidential", "status"),
    "units": ("code", "name", "kind", "area", "status"),
    "regimes": ("code", "name", "frequency", "receiver", "status"),
    "targets": ("indicator", "area", "year", "comparison", "value", "value_max", "status"),
}
FILTERS: dict[str, tuple[str, ...]] = {
    "groups": ("status",), "indicators": ("status", "group", "periodicity", "confidential"), "units": ("status", "kind"),
    "regimes": ("status", "frequency"), "targets": ("status", "year"),
}
_CHOICE_KEYS = {"frequency": "periodicity"}  # fields whose choices share another field's words
_LONG_TEXT = 1000  # a text field this long or longer is a text area


def field_of(kind: str, name: str) -> Field:
    return next(f for f in FIELDS[kind] if f.name == name)


def record_url(kind: str, key: str, tail: str = "") -> str:
    """The address of one record's page (a target's key ``CODE|AREA|YEAR`` quoted)."""
    return f"/admin/metadata/{kind}/{quote(key, safe='')}{tail}"


def label(name: str, lang: str) -> str:
    return t(f"meta.field.{name}", lang)


def column_label(name: str, lang: str) -> str:
    """A list's column header: the field's short words where its form label is long."""
    if name == "name":
        return t("meta.col.name", lang)
    try:
        return t(f"meta.short.{name}", lang)
    except KeyError:
        return label(name, lang)


def choice_text(name: str, value: str, lang: str) -> str:
    """The words of one choice of a choice field (its code when there are none)."""
    key = f"meta.choice.{_CHOICE_KEYS.get(name, name)}.{value}"
    try:
        return t(key, lang)
    except KeyError:
        return value


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def shown(kind: str, name: str, value: Any, lang: str) -> str:
    """A stored value as a person reads it."""
    if value is None or value == "" or value == []:
        return "–"
    f = field_of(kind, name)
    if f.type == "bool":
        return t("meta.yes" if value else "meta.no", lang)
    if f.type == "choice":
        return choice_text(name, str(value), lang)
    if f.type == "levels":
        return ", ".join(choice_text("levels", v, lang) for v in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return _number(value) if isinstance(value, int | float) else str(value)


# -- the list ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """One page of a kind's records: (key, record) pairs, how many matched, the page, the pages."""

    rows: list[tuple[str, Record]]
    total: int
    page: int
    pages: int
    sort: str
    descending: bool


def _search_text(record: Record) -> str:
    return " ".join(fold(" ".join(str(v) for v in record.values() if isinstance(v, str | int)
                                  and not isinstance(v, bool))).split())


def _sort_value(kind: str, record: Record, column: str, lang: str) -> tuple[int, Any]:
    value = record.get(_name_field(lang) if column == "name" else column)
    if value is None:
        return (1, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, value)
    return (0, fold(str(value)))


def _name_field(lang: str) -> str:
    return "name_en" if lang == "en" else "name_vi"


def listing(kind: str, records: Mapping[str, Record], *, query: str, filters: Mapping[str, str], sort: str,
            page: int, lang: str) -> Listing:
    """The records of ``kind`` matching every word of ``query`` (without diacritics: "dan so"
    finds "Dân số"; spaces as one) and the ``filters`` (field → value), sorted by ``sort`` (a column, ``-`` in
    front: descending), cut to ``page``."""
    phrase = " ".join(fold(query).split())
    found = [(key, r) for key, r in records.items()
             if all(_filter_text(r.get(name)) == value for name, value in filters.items() if value)
             and (not phrase or phrase in _search_text(r))]
    descending = sort.startswith("-")
    column = sort.lstrip("-")
    if column not in COLUMNS[kind]:
        column, descending = COLUMNS[kind][0], False
    found.sort(key=lambda item: (_sort_value(kind, item[1], column, lang), item[0]), reverse=descending)
    pages = max(1, math.ceil(len(found) / PER_PAGE))
    page = min(max(1, page), pages)
    return Listing(found[(page - 1) * PER_PAGE:page * PER_PAGE], len(found), page, pages,
                   column, descending)


def _filter_text(value: Any) -> str:
    """A stored value as a filter's choice names it (a flag: ``true`` / ``false``)."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


Names = Mapping[str, Mapping[str, str]]  # referenced kind (groups, units, indicators, areas) → code → name


def _named(f: Field, value: Any, names: Names) -> str | None:
    name = names.get(f.ref or "", {}).get(str(value)) if f.type == "ref" else None
    return None if name is None else f"{value} · {name}"


def filter_choices(kind: str, name: str, records: Mapping[str, Record], lang: str,
                   names: Names) -> list[tuple[str, str]]:
    """A filter's (value, text) choices: a choice field's choices, else the values the records hold
    (a reference shown with the name of what it names, from ``names``)."""
    f = field_of(kind, name)
    if f.type == "bool":
        return [("true", t("meta.yes", lang)), ("false", t("meta.no", lang))]
    values = list(f.choices) if f.type == "choice" else sorted({str(r[name]) for r in records.values()
                                                                 if r.get(name) is not None})
    return [(v, choice_text(name, v, lang) if f.type == "choice" else _named(f, v, names) or v) for v in values]


def cell(kind: str, column: str, record: Record, lang: str, names: Names | None = None) -> str:
    """One cell of the list; a reference with the name of what it names."""
    if column == "name":
        return str(record[_name_field(lang)])
    value = record.get(column)
    return (_named(field_of(kind, column), value, names) if names else None) or shown(kind, column, value, lang)


# -- the form ----------------------------------------------------------------------------------------


@dataclass
class Control:
    """One field of the form as it is drawn."""

    name: str
    widget: str  # input, textarea, number, date, checkbox, select, checks, formula
    label: str
    required: bool
    value: Any  # text; a list of codes for checks; a bool for a checkbox
    options: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    readonly: bool = False
    help: str | None = None
    limit: int | None = None
    step: str | None = None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Choices:
    """What the form's selects offer: per referenced kind (groups, units, indicators, areas), the
    active records as (code, text), in order."""

    by_ref: Mapping[str, Sequence[tuple[str, str]]]


def choices(config: Mapping[str, Mapping[str, Record]], areas: Sequence[tuple[str, str]], lang: str) -> Choices:
    """The selects' options from the configuration (active records only) and the areas (key, name)."""
    name = _name_field(lang)
    out: dict[str, list[tuple[str, str]]] = {"areas": [(k, f"{k} · {n}") for k, n in areas]}
    for kind in ("groups", "units", "indicators"):
        records = config.get(kind) or {}
        out[kind] = [(code, f"{code} · {r[name]}") for code, r in sorted(records.items())
                     if r.get("status") != RETIRED]
    return Choices(out)


def _widget(f: Field) -> str:
    if f.type == "text":
        return "textarea" if f.limit >= _LONG_TEXT else "input"
    return {"code": "input", "ref": "select", "choice": "select", "int": "number", "float": "number", "bool": "checkbox",
            "date": "date", "refs": "checks", "levels": "checks", "formula": "formula"}[f.type]


def _options(kind: str, f: Field, picks: Choices, lang: str, current: Any) -> list[tuple[str, str]]:
    if f.type == "choice":
        return [(c, choice_text(f.name, c, lang)) for c in f.choices]
    if f.type == "levels":
        return [(c, choice_text("levels", c, lang)) for c in LEVELS]
    if f.ref is None:
        return []
    options = list(picks.by_ref.get(f.ref, ()))
    held = current if isinstance(current, list) else [current] if current else []
    offered = {o[0] for o in options}
    return options + [(c, c) for c in held if c not in offered]  # a retired record still named stays visible


def _value_of(f: Field, value: Any) -> Any:
    """A stored or posted value as the control takes it."""
    if f.type in ("refs", "levels"):
        return list(value or [])
    if f.type == "bool":
        return bool(value) and str(value).lower() not in ("false", "0", "")
    return "" if value is None else _number(value) if isinstance(value, int | float) else str(value)


def controls(kind: str, values: Mapping[str, Any], picks: Choices, lang: str, *, problems: Sequence[Problem] = (),
             key_fixed: bool = False) -> list[Control]:
    """The form of ``kind`` holding ``values`` (a record, or what was posted), each field with the
    reasons of ``problems`` that name it. ``key_fixed``: the key fields cannot change (an edit)."""
    key_fields = ("indicator", "area", "year") if kind == "targets" else ("code",)
    out = []
    for f in FIELDS[kind]:
        current = values.get(f.name, f.default if f.default is not None else None)
        help_text = t("meta.formula_help", lang) if f.type == "formula" else \
            t("meta.refs_help", lang) if f.type == "refs" else \
            t("meta.key_fixed", lang) if key_fixed and f.name in key_fields else None
        out.append(Control(
            name=f.name, widget=_widget(f), label=label(f.name, lang), required=f.required,
            value=_value_of(f, current), options=_options(kind, f, picks, lang, current),
            problems=[p.message_en if lang == "en" else p.message_vi for p in problems if p.column == f.name],
            readonly=key_fixed and f.name in key_fields, help=help_text,
            limit=CODE_LIMITS[kind] if f.type == "code" else f.limit if f.type in ("text", "formula") else None,
            step="any" if f.type == "float" else "1" if f.type == "int" else None, low=f.low, high=f.high))
    return out


def row_from_form(kind: str, form: MultiDict[str, str]) -> dict[str, Any]:
    """A posted form as the row the service takes (the cells as written: the service parses them)."""
    row: dict[str, Any] = {}
    for f in FIELDS[kind]:
        if f.type == "bool":
            row[f.name] = "true" if form.get(f.name) == "true" else "false"
        elif f.type in ("refs", "levels"):
            row[f.name] = [v[:100] for v in form.getlist(f.name)[:5000]]
        else:
            row[f.name] = (form.get(f.name) or "")[:max(f.limit, 100) + 1]
    return row


def form_key(kind: str, row: Mapping[str, Any]) -> str:
    """The key a posted row names (as the service will read it)."""
    if kind == "targets":
        return key_of(kind, {k: str(row.get(k) or "").strip() for k in ("indicator", "area", "year")})
    return str(row.get("code") or "").strip()


def split_problems(kind: str, key: str, problems: Sequence[Problem]) -> tuple[list[Problem], list[Problem]]:
    """The problems of the record on the form (drawn beside their field) and the others (the record
    as a whole, or other records the change would break)."""
    names = {f.name for f in FIELDS[kind]}
    mine = [p for p in problems if p.kind in (kind, None) and p.key in (key, None) and p.column in names]
    return mine, [p for p in problems if p not in mine]


# -- the history -------------------------------------------------------------------------------------


def field_diff(kind: str, before: Record | None, after: Record, lang: str) -> list[tuple[str, str, str]]:
    """(field's words, before, after) for each field a version changed (a creation: each field it filled)."""
    out = []
    for f in FIELDS[kind]:
        old = None if before is None else before.get(f.name)
        new = after.get(f.name)
        if old == new or (before is None and new in (None, "", [])):
            continue
        out.append((label(f.name, lang), "" if before is None else shown(kind, f.name, old, lang),
                    shown(kind, f.name, new, lang)))
    return out
