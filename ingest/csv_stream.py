"""A long CSV read a chunk at a time, for the chunked intake (:func:`ingest.pipeline._submit_chunked`).

:func:`ingest.formats.parse` reads a whole file before anything of it is validated: for a
1,000,000-row CSV about a second in which the database server has nothing to write. A
:class:`CsvStream` hands the intake its rows a chunk at a time instead, so that the server writes
the first chunk while the next ones are read and validated.

The write transaction locks every indicator the file names and reads their plausibility history
before its first row is written, so the codes must be known before the rows are: :func:`open_stream`
reads the indicator column alone first (the same tokenizer on the same text, so the same cells;
about a third of a full reading), then the chunks are read from the start. The intake checks that
every chunk's codes are among them (:meth:`CsvStream.check_codes`).

Only plain long CSV files take this path; anything else (another format, a wide published table,
a file the first reading cannot read, a header the long format does not name) gets ``None`` and
the whole-file reading, which reports its problems as before. Every check of the whole-file
reading is kept: the line scan and row limit before anything is decoded, the header's columns, the
field lengths of a quoted file, the deadline (checked between chunks), blank rows dropped, row
numbers as the user sees them. A problem found in a later chunk (a line the tokenizer cannot read,
the deadline) is raised by :meth:`CsvStream.frames` as :class:`ingest.formats.FileError` or
:class:`ingest.bounds.BudgetExceeded`, for the intake to reject the submission whole.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ingest import formats
from ingest.bounds import BudgetExceeded, ReadBudget, scan_lines
from ingest.issues import Findings


@dataclass
class CsvStream:
    """``parsed``: the file's description (format, encoding, column names) with no observations;
    ``codes``: the indicator codes of its rows, stripped and upper-cased; ``lines``: an upper bound
    of its data rows (line breaks after the header)."""

    parsed: formats.ParsedFile
    codes: frozenset[str]
    lines: int
    _reader: Any = field(repr=False)
    _positions: dict[str, int] = field(repr=False)
    _shown: dict[str, str] = field(repr=False)
    _budget: ReadBudget = field(repr=False)
    _check_fields: bool = field(repr=False)

    def frames(self, sizes: Iterable[int]) -> Iterator[pd.DataFrame]:
        """The observations, a frame per chunk of ``sizes`` raw rows (then of the last size until the
        end; blank rows dropped, so a frame can be shorter; an empty one is not yielded). Index: the
        position among the file's non-blank rows, as in the whole-file reading."""
        row, kept, last = 2, 0, formats.CSV_CHUNK_ROWS
        try:
            for size in [*sizes, None]:
                while True:
                    last = size or last
                    try:
                        raw = self._reader.get_chunk(last)
                    except StopIteration:
                        return
                    self._budget.check_time()
                    obs = formats.csv_observations(raw, row, self._positions, self._shown, self._budget,
                                                   self._check_fields)
                    row += len(raw)
                    obs = formats.drop_blank(obs)
                    obs.index = pd.RangeIndex(kept, kept + len(obs))
                    kept += len(obs)
                    if len(obs):
                        yield obs
                    if size is not None:
                        break
        except (pd.errors.ParserError, ValueError) as exc:
            raise formats.FileError(formats.unreadable_csv(exc)) from None
        finally:
            self._reader.close()

    def close(self) -> None:
        """Let the reader go (a submission that ends before reading its chunks)."""
        self._reader.close()

    def check_codes(self, obs: pd.DataFrame) -> None:
        """Raise if a chunk names an indicator code the first reading did not see (it cannot, the two
        readings being the same tokenizer's on the same text: a safeguard, since rows of an
        indicator not locked must never be written)."""
        seen = {str(c).strip().upper() for c in pd.unique(obs["indicator_code"].to_numpy(dtype=object))} - {""}
        if not seen <= self.codes:
            raise RuntimeError(f"indicator codes not in the first reading: {sorted(seen - self.codes)[:5]}")


def open_stream(payload: bytes, filename: str | None, findings: Findings, max_rows: int, budget: ReadBudget,
                min_rows: int) -> CsvStream | None:
    """A :class:`CsvStream` of ``payload`` when it is a plain long CSV of at least ``min_rows`` lines
    that the first reading reads; otherwise None, with nothing added to ``findings`` (the
    whole-file reading then reports what there is to report)."""
    if not payload.strip(b" \t\r\n\xef\xbb\xbf") or formats.sniff_format(payload, filename) != "csv" or b"\x00" in payload:
        return None
    try:
        lines = scan_lines(payload, budget) - formats.trailing_breaks(payload)
    except BudgetExceeded:
        return None
    if not min_rows <= lines <= max_rows:
        return None
    first = payload[:payload.find(b"\n")] if b"\n" in payload else payload
    if 1 + max(first.count(b","), first.count(b";"), first.count(b"\t")) > budget.max_columns:
        return None
    ascii_only = payload.isascii()
    if ascii_only:  # the bytes are the text (no mark, nothing to normalise): no decoded copy
        text, encoding = None, "utf-8"
        header_line = first.decode("ascii")
    else:
        decoded = formats.decode(payload)
        if decoded is None:
            return None
        text, encoding = decoded
        header_line = text[:text.find("\n")] if "\n" in text else text
    if not formats.long_header(header_line):
        return None
    delimiter = formats.sniff_delimiter(header_line)

    def source() -> io.IOBase:
        return io.BytesIO(payload) if text is None else io.StringIO(text)

    options = {**formats.CSV_READ, "sep": delimiter}
    try:
        header = formats.header_names(pd.read_csv(source(), nrows=1, **options))
        if formats.map_header(header, Findings()) is None:
            return None
        positions, shown = formats.map_header(header, findings)  # type: ignore[misc]  # its notes (ignored columns)
        column = pd.read_csv(source(), usecols=[positions["indicator_code"]], **options).iloc[1:, 0]
        budget.check_time()
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, BudgetExceeded):
        return None
    codes = frozenset(str(c).strip().upper() for c in pd.unique(column.to_numpy(dtype=object)) if isinstance(c, str))
    del column
    reader = pd.read_csv(source(), chunksize=formats.CSV_CHUNK_ROWS, **options)
    try:
        reader.get_chunk(1)  # the header
    except (pd.errors.ParserError, ValueError, StopIteration):
        reader.close()
        return None
    return CsvStream(formats.long_csv_file(positions, shown, encoding=encoding), codes, lines, reader, positions,
                     shown, budget, b'"' in payload)

