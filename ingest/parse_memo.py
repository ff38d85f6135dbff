"""One parse of a published table for both the mapping step and the submission.

The mapping step (:func:`ingest.mappings.propose`) reads a file before its indicator is chosen
(the placeholder :data:`ingest.mappings.PENDING` in place of the code); the submission that
follows, with the confirmed mapping, would read the same bytes again (for a 1,000,000-cell table,
about a second and a half of CPU). :func:`parse` keeps the proposal's reading of a published shape
(one entry per process, for :data:`KEEP_SECONDS`, taken once) and hands it to the submission of
the same bytes, file name and reading limits, with the placeholder replaced by the chosen
indicator: exactly what a second reading with that mapping gives, since a published reader uses
the mapping's indicator only to fill the rows that carry none (:func:`ingest.published._need_indicator`,
the SDMX-ML fallback). Kept only when the reading added no finding (nothing to report twice or to
lose), and only for published shapes (a long file's indicator column is never the mapping's).
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from typing import Any

import numpy as np
import pandas as pd

from ingest import formats
from ingest.bounds import ReadBudget
from ingest.issues import Findings
from ingest.published import ImportMapping

KEEP_SECONDS = 900.0
_lock = threading.Lock()
_kept: dict[str, Any] = {}  # at most one entry: key, placeholder, parsed file, time kept


def _key(payload: bytes, filename: str | None, max_rows: int, budget: ReadBudget, mapping: ImportMapping | None) -> tuple:
    limits = (budget.max_rows, budget.max_unzipped_bytes, budget.max_zip_ratio, budget.max_zip_members,
              budget.max_line_bytes, budget.max_columns)
    group = mapping.column_group if mapping is not None else None
    return hashlib.sha256(payload).hexdigest(), filename, max_rows, limits, group


def _counted(findings: Findings) -> int:
    return findings.errors_total + findings.warnings_total + findings.notes_total


def parse(payload: bytes, filename: str | None, findings: Findings, max_rows: int, *, budget: ReadBudget,
          mapping: ImportMapping | None, keep: bool = False) -> formats.ParsedFile | None:
    """:func:`ingest.formats.parse`; with ``keep`` (the mapping step, ``mapping.indicator`` a
    placeholder) the reading of a published shape is kept for the submission; without, a kept
    reading of the same file and limits is taken (once) when ``mapping`` names an indicator."""
    if not keep and mapping is not None and mapping.indicator:
        with _lock:
            entry = _kept.pop("entry", None)
        if entry is not None and entry["key"] == _key(payload, filename, max_rows, budget, mapping) \
                and time.monotonic() - entry["at"] <= KEEP_SECONDS:
            return _with_indicator(entry["parsed"], entry["placeholder"], mapping.indicator)
    before = _counted(findings)
    parsed = formats.parse(payload, filename, findings, max_rows, budget=budget, mapping=mapping)
    if keep and parsed is not None and parsed.published and mapping is not None and mapping.indicator \
            and _counted(findings) == before:
        with _lock:
            _kept["entry"] = {"key": _key(payload, filename, max_rows, budget, mapping), "placeholder": mapping.indicator.strip().upper(), "parsed": parsed,
                              "at": time.monotonic()}
    return parsed


def forget() -> None:
    """Drop the kept reading (tests)."""
    with _lock:
        _kept.clear()


def _with_indicator(parsed: formats.ParsedFile, placeholder: str, indicator: str) -> formats.ParsedFile:
    column = parsed.observations["indicator_code"].to_numpy(dtype=object)
    codes = np.where(column == placeholder, indicator.strip().upper(), column).astype(object)
    return dataclasses.replace(parsed, observations=parsed.observations.assign(
        indicator_code=pd.Series(codes, index=parsed.observations.index, dtype=object)))
