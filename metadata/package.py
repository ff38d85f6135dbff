"""The metadata package as a document: the whole configuration in one file.

JSON (for machines) is canonical: ``{"format": "occ-metadata", "version": 1, "groups": [...],
"units": [...], "indicators": [...], "regimes": [...], "targets": [...]}`` with every record in
canonical form (:mod:`domain.metadata`), records sorted by key, keys sorted, UTF-8, one field per
line: exporting the same configuration gives the same bytes. XLSX (for people) has a sheet per
kind (header: the field names; lists as codes separated by ``;``; empty cell: no value) and a
``package`` sheet with the format and version, written by :mod:`exports.sheets` so that every
text cell is neutralised.

:class:`Package` is what an import reads, whatever the file: per kind, the rows as written with
the row number the user sees, and the file-level problems.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.metadata import FIELD_NAMES, KINDS, Config, key_of
from domain.metadata_messages import Problem, problem
from exports import sheets

FORMAT = "occ-metadata"
VERSION = 1
INFO_SHEET = "package"


@dataclass
class Package:
    """Rows as written, per kind: (row number, {column: value}); and file-level problems."""

    rows: dict[str, list[tuple[int | None, dict[str, Any]]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(len(v) for v in self.rows.values())


def document(config: Config) -> dict[str, Any]:
    """The canonical document of a configuration."""
    return {"format": FORMAT, "version": VERSION,
            **{kind: [config[kind][k] for k in sorted(config[kind])] for kind in KINDS}}


def json_bytes(doc: Mapping[str, Any]) -> bytes:
    """Canonical JSON: sorted keys, records in the document's order, UTF-8, a final newline."""
    return (json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1, allow_nan=False) + "\n").encode("utf-8")


def from_document(doc: Any) -> Package:
    """A package from a parsed JSON document; its structure checked, not its records."""
    out = Package()
    if not isinstance(doc, dict):
        out.problems.append(problem("not_a_package", detail="an object with format, version and the kinds expected"))
        return out
    if doc.get("format") != FORMAT:
        out.problems.append(problem("not_a_package", value=doc.get("format"), detail=f'"format" must be "{FORMAT}"'))
    if doc.get("version") != VERSION:
        out.problems.append(problem("unsupported_version", value=doc.get("version"), supported=str(VERSION)))
    for name, records in doc.items():
        if name in ("format", "version"):
            continue
        if name not in KINDS:
            out.problems.append(problem("unknown_kind", value=name))
            continue
        if not isinstance(records, list):
            out.problems.append(problem("not_a_list", name))
            continue
        rows = out.rows.setdefault(name, [])
        for i, record in enumerate(records, start=1):
            if isinstance(record, dict):
                rows.append((i, record))
            else:
                out.problems.append(problem("not_a_record", name, i))
    return out


def from_records(records: Mapping[str, list[dict[str, Any]]]) -> Package:
    """A package of records given in code (the service's single changes, the benchmark)."""
    return Package({kind: [(i, dict(r)) for i, r in enumerate(rows, start=1)] for kind, rows in records.items()})


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(value)
    return value


def xlsx_bytes(doc: Mapping[str, Any]) -> bytes:
    """The document as a workbook for people: a ``package`` sheet, then one sheet per kind."""
    book = sheets.workbook()
    info = book.active
    info.title = INFO_SHEET
    sheets.append(info, ["format", doc["format"]])
    sheets.append(info, ["version", doc["version"]])
    for kind in KINDS:
        ws = book.create_sheet(kind)
        sheets.append(ws, list(FIELD_NAMES[kind]))
        for record in doc.get(kind, []):
            sheets.append(ws, [_cell(record.get(name)) for name in FIELD_NAMES[kind]])
        ws.freeze_panes = "A2"
    return sheets.xlsx_bytes(book)


def keys(package: Package, kind: str) -> list[str]:
    """The keys a package names for one kind, in its order."""
    return [key_of(kind, row) for _, row in package.rows.get(kind, [])]
