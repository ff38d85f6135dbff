"""Reading an uploaded metadata package (JSON or XLSX) within the intake's limits.

The same budget as a report file (:class:`ingest.pipeline.IntakeLimits`, :mod:`ingest.bounds`):
the file's size, the zip checked before anything is inflated and every inflated byte counted,
rows counted while the sheets are streamed, the wall-clock deadline. What comes out is a
:class:`metadata.package.Package` (rows as written, with the row numbers the user sees) for the
metadata service to validate and apply; a file that cannot be read is a package with only
file-level problems, in the intake's words.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.engine import Engine

from domain.metadata import KINDS
from domain.metadata_messages import Problem, problem
from ingest.bounds import BudgetExceeded, ReadBudget
from ingest.formats import FileError, _check_dimension, _open_workbook, _sheet_rows, decode
from ingest.issues import make_issue
from ingest.pipeline import IntakeLimits
from ingest.reference import ensure_geography
from metadata.package import INFO_SHEET, Package, from_document
from metadata.service import Actor, Outcome, apply_on

XLSX_MAGIC = b"PK\x03\x04"


def import_package(engine: Engine, payload: bytes, *, actor: Actor, dry_run: bool = False,
                   limits: IntakeLimits | None = None, retire_absent: bool = False) -> Outcome:
    """Read ``payload`` and apply it through the metadata service: the one import of the command
    line and the API. A warehouse without geography gets it first (an empty centre); a dry run
    does that in a transaction it rolls back, so it writes nothing either. ``retire_absent``: the
    records of the package's kinds that it does not name are retired
    (:func:`metadata.service.absent_retired`)."""
    package = read_package(payload, limits)
    if package.problems:
        return Outcome(ok=False, applied=False, dry_run=dry_run, problems=package.problems)
    with engine.connect() as conn:
        tx = conn.begin()
        try:
            ensure_geography(conn)
            outcome = apply_on(conn, package, actor=actor, dry_run=dry_run, retire_absent=retire_absent)
        except BaseException:
            tx.rollback()
            raise
        if dry_run or not outcome.applied:
            tx.rollback()
        else:
            tx.commit()
    return outcome


def _file_problem(code: str, **params: Any) -> Problem:
    """A file-level problem in the intake's words (``ingest.issues``)."""
    issue = make_issue(code, **params)
    return Problem(code, None, None, None, None, None, issue.message_vi, issue.message_en)


def read_package(payload: bytes, limits: IntakeLimits | None = None) -> Package:
    """The package in ``payload`` (XLSX when it is a zip, else JSON)."""
    limits = limits or IntakeLimits.from_settings()
    if not payload:
        return Package(problems=[_file_problem("empty_file")])
    if len(payload) > limits.max_bytes:
        return Package(problems=[_file_problem("file_too_large", size=len(payload), limit=limits.max_bytes)])
    budget = limits.read_budget()
    try:
        return _xlsx(payload, budget) if payload.startswith(XLSX_MAGIC) else _json(payload)
    except BudgetExceeded as exc:
        return Package(problems=[_file_problem(exc.code, **exc.params)])
    except FileError as exc:
        return Package(problems=[Problem(exc.issue.code, None, None, None, None, None, exc.issue.message_vi,
                                         exc.issue.message_en)])


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json(payload: bytes) -> Package:
    decoded = decode(payload)
    if decoded is None:
        return Package(problems=[_file_problem("bad_encoding")])
    try:
        doc = json.loads(decoded[0], parse_constant=_not_json)
    except (ValueError, RecursionError) as exc:
        return Package(problems=[problem("not_a_package", detail=f"not JSON ({str(exc)[:120]})")])
    return from_document(doc)


def _xlsx(payload: bytes, budget: ReadBudget) -> Package:
    """One sheet per kind (its first row the field names), and the ``package`` sheet."""
    wb = _open_workbook(payload, budget)
    doc: dict[str, Any] = {}
    rows: dict[str, list[tuple[int | None, dict[str, Any]]]] = {}
    try:
        for ws in wb.worksheets:
            _check_dimension(ws, budget.max_rows)
            if ws.title == INFO_SHEET:
                for _, cells in _sheet_rows(ws, budget):
                    if cells.get(1) in ("format", "version"):
                        doc[cells[1]] = cells.get(2)
                continue
            if ws.title not in KINDS:
                doc[ws.title] = None  # from_document names it as an unknown kind
                continue
            rows[ws.title] = _records(ws, budget)
    finally:
        wb.close()
    package = from_document(doc)
    for kind, records in rows.items():
        package.rows[kind] = records
    return package


def _records(ws: Any, budget: ReadBudget) -> list[tuple[int | None, dict[str, Any]]]:
    header: dict[int, str] = {}
    out: list[tuple[int | None, dict[str, Any]]] = []
    for number, cells in _sheet_rows(ws, budget):
        budget.check_time()
        if not header:
            if len(cells) > budget.max_columns:
                raise BudgetExceeded("too_many_columns", count=len(cells), limit=budget.max_columns)
            header = {col: str(name).strip() for col, name in cells.items() if name not in (None, "")}
            continue
        if number - 1 > budget.max_rows:
            raise BudgetExceeded("sheet_too_many_rows", sheet=ws.title, row=number, limit=budget.max_rows)
        record = {header[col]: _unneutralised(value) for col, value in cells.items() if col in header}
        if any(v not in (None, "") for v in record.values()):
            out.append((number, record))
    return out


def _unneutralised(value: Any) -> Any:
    """A text cell as it was before :func:`exports.sheets.neutralise` put an apostrophe in front of
    a leading ``= + - @``."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r＝＋－＠":
        return value[1:]
    return value
