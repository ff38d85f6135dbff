"""The budget of reading one upload: rows, unpacked bytes, line and field lengths, columns and a
wall-clock deadline, checked while the file is read so that a small file cannot cost gigabytes or
minutes (a sparse workbook, a zip bomb, a CSV of one 60 MB line).

* **XLSX** is a zip. Before anything is parsed, :func:`check_zip` refuses a file with too many
  members, whose members declare more than ``max_unzipped_bytes`` in all, or whose member (of more
  than 1 MiB) unpacks more than ``max_zip_ratio`` times its packed size. Then every byte openpyxl
  or the reader inflates goes through :class:`GuardedZip`: counted against the same
  ``max_unzipped_bytes`` (the headers are not trusted alone) and checked against the deadline at
  each read. Python's zipfile stops inflating a member at its declared size and checks its CRC, so
  a member whose header lies about its size is refused as damaged.
* **CSV**: :func:`scan_lines` measures the lines on the bytes, in 4 MiB windows, before anything
  is decoded: a line longer than ``max_line_bytes`` or more than ``max_rows`` data lines are
  refused without building a string or a frame.
* **Rows** are counted while reading; the XLSX reader stops at the first row beyond
  ``max_rows`` after the header (and refuses a sheet whose declared dimension is beyond it) before
  materialising anything after it.

The values come from :class:`ingest.pipeline.IntakeLimits` (settings and environment, see
``settings.py``); the memory a refusal costs is bounded by these buffers, not by the file.
"""

from __future__ import annotations

import time
import zipfile
from dataclasses import dataclass, field

import numpy as np

RATIO_FLOOR = 1 << 20  # members smaller than this are not judged by their compression ratio
SCAN_WINDOW = 4 << 20


class BudgetExceeded(Exception):
    """A limit of the budget was reached; ``code`` and ``params`` make the intake issue."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class ReadBudget:
    """Limits of reading one file and the state spent so far (one per request)."""

    max_rows: int = 2_000_000
    max_unzipped_bytes: int = 1 << 30
    max_zip_ratio: int = 100
    max_zip_members: int = 1000
    max_line_bytes: int = 1 << 20
    max_columns: int = 1000
    parse_seconds: float = 45.0
    started: float = field(default_factory=time.monotonic)
    unzipped: int = 0

    def remaining(self) -> float:
        return self.parse_seconds - (time.monotonic() - self.started)

    def check_time(self) -> None:
        if self.remaining() <= 0:
            raise BudgetExceeded("parse_timeout", seconds=float(self.parse_seconds))

    def spend_unzipped(self, n: int, member: str) -> None:
        """Count ``n`` bytes inflated from ``member``; refuse beyond ``max_unzipped_bytes``."""
        self.unzipped += n
        if self.unzipped > self.max_unzipped_bytes:
            raise BudgetExceeded("zip_too_large", member=member, size=self.unzipped, limit=self.max_unzipped_bytes)


# -- zip -----------------------------------------------------------------------------------------


def check_zip(zf: zipfile.ZipFile, budget: ReadBudget) -> None:
    """Refuse a zip by its directory before anything is inflated (declared sizes and ratios)."""
    infos = zf.infolist()
    if len(infos) > budget.max_zip_members:
        raise BudgetExceeded("zip_too_many_members", count=len(infos), limit=budget.max_zip_members)
    total = 0
    for info in infos:
        total += info.file_size
        if total > budget.max_unzipped_bytes:
            raise BudgetExceeded("zip_too_large", member=info.filename, size=total, limit=budget.max_unzipped_bytes)
        if info.file_size > RATIO_FLOOR:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > budget.max_zip_ratio:
                raise BudgetExceeded("zip_ratio_too_high", member=info.filename, ratio=int(ratio),
                                     limit=budget.max_zip_ratio)


class _GuardedStream:
    """A member being inflated: every read is counted and checks the deadline."""

    def __init__(self, raw, member: str, budget: ReadBudget):
        self._raw, self._member, self._budget = raw, member, budget

    def read(self, n: int = -1) -> bytes:
        self._budget.check_time()
        try:
            data = self._raw.read(n)
        except zipfile.BadZipFile:
            raise BudgetExceeded("zip_damaged", member=self._member) from None
        self._budget.spend_unzipped(len(data), self._member)
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class GuardedZip(zipfile.ZipFile):
    """A read-only ZipFile whose members are inflated under ``budget`` (``read`` goes through
    ``open`` in the standard library, so both are guarded)."""

    def __init__(self, file, budget: ReadBudget):
        super().__init__(file, "r")
        self.budget = budget

    def open(self, name, mode="r", pwd=None, *, force_zip64=False):  # noqa: D102 - ZipFile.open
        raw = super().open(name, mode, pwd, force_zip64=force_zip64)
        if mode != "r":
            return raw
        member = name.filename if isinstance(name, zipfile.ZipInfo) else str(name)
        return _GuardedStream(raw, member, self.budget)


# -- CSV lines -----------------------------------------------------------------------------------


def scan_lines(payload: bytes, budget: ReadBudget) -> int:
    """The number of line breaks of ``payload``; refuses a line longer than ``max_line_bytes``
    (``line_too_long`` with its line number) while scanning windows of the bytes, so that no
    copy of the file is made."""
    view = np.frombuffer(payload, dtype=np.uint8)
    breaks = 0
    line_start = 0  # offset of the current line's first byte
    limit = budget.max_line_bytes
    for lo in range(0, len(view), SCAN_WINDOW):
        budget.check_time()
        window = view[lo:lo + SCAN_WINDOW]
        ends = np.flatnonzero(window == 10) + lo
        if len(ends):
            starts = np.empty(len(ends), dtype=np.int64)
            starts[0] = line_start
            starts[1:] = ends[:-1] + 1
            lengths = ends - starts
            long = np.flatnonzero(lengths > limit)
            if len(long):
                raise BudgetExceeded("line_too_long", row=breaks + int(long[0]) + 1, limit=limit)
            breaks += len(ends)
            line_start = int(ends[-1]) + 1
        if lo + len(window) - line_start > limit:
            raise BudgetExceeded("line_too_long", row=breaks + 1, limit=limit)
    return breaks
