"""PostgreSQL's binary COPY format built column by column with numpy (no Python loop per row).

A binary COPY stream is a header, then per row a 16-bit field count and per field a 32-bit length
(-1 for NULL) followed by the value in network byte order; then a 16-bit -1. Fixed-width values
(integers, doubles, dates, timestamps) are scattered into one byte buffer at each row's offsets;
text columns are factorized first (a load has few distinct periods, statuses and flags; notes are
rare) and written per distinct length. Used by :mod:`ingest.load` to write a
first load straight into ``observation`` and ``current_observation``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
TRAILER = (-1).to_bytes(2, "big", signed=True)
_PG_EPOCH_DAY = np.datetime64("2000-01-01", "D")
_PG_EPOCH_US = np.datetime64("2000-01-01", "us")
_FIXED = {"int2": ">i2", "int4": ">i4", "int8": ">i8", "float8": ">f8", "date": ">i4", "timestamp": ">i8"}


@dataclass(frozen=True)
class Column:
    """One field of every row: ``kind`` one of int2, int4, int8, float8, date, timestamp, text;
    ``values`` an array of ``n`` values (text: str or None for NULL) or one value for every row
    (None: NULL everywhere). A text column may come factorized: ``values`` a pair (codes, the
    distinct texts), code -1 for NULL."""

    kind: str
    values: Any


def _fixed(kind: str, values: Any) -> Any:
    """The values as numbers PostgreSQL's binary format holds (dates and timestamps from its epoch)."""
    if kind == "date":
        return (np.asarray(values, dtype="datetime64[D]") - _PG_EPOCH_DAY).astype(np.int64)
    if kind == "timestamp":
        return (np.asarray(values, dtype="datetime64[us]") - _PG_EPOCH_US).astype(np.int64)
    return values


class _Text:
    """A text column factorized: each row's byte length (-1: NULL) and the encoded distinct values."""

    def __init__(self, values: Any, n: int):
        if values is None or isinstance(values, str):
            codes = np.full(n, -1 if values is None else 0, dtype=np.int64)
            uniques = [] if values is None else [values]
        elif isinstance(values, tuple):
            codes, uniques = np.asarray(values[0], dtype=np.int64), list(values[1])
        else:
            codes, uniq = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
            uniques = list(uniq)
        self.codes = codes
        self.encoded = [str(u).encode() for u in uniques]
        self.unique_len = np.array([len(b) for b in self.encoded] + [-1], dtype=np.int64)  # [-1]: NULL
        self.lengths = self.unique_len[codes]  # code -1 takes the last entry

    def values(self, rows: np.ndarray | slice, width: int) -> np.ndarray:
        """The bytes of ``rows`` (all of length ``width``) as fixed-width bytes (``S<width>``)."""
        members = np.flatnonzero(self.unique_len[:-1] == width)
        table = np.array([self.encoded[m] for m in members], dtype=f"S{width}")
        where = np.zeros(len(self.encoded), dtype=np.int64)
        where[members] = np.arange(len(members))
        return table[where[self.codes[rows]]]


def binary_copy(columns: Sequence[Column], n: int) -> bytes:
    """The binary COPY stream (header, ``n`` rows, trailer) of ``columns`` in their order.

    Rows whose fields have the same lengths (NULLs, lengths of the texts) share a layout; each
    layout's rows are written as one block, a numpy structured array whose fields are the
    lengths and values at their offsets (big-endian), filled a field at a time. Rows keep their
    order within a layout; the layouts follow each other by their first row (a load usually has
    one, with the odd flagged or annotated row in another)."""
    fields, groups = _layouts(columns, n)
    chunks = [HEADER]
    if n:
        chunks += [_block(fields, rows, n) for rows in groups]
    chunks.append(TRAILER)
    return b"".join(chunks)


def binary_copy_parts(columns: Sequence[Column], n: int, bounds: Sequence[int]) -> list[bytes]:
    """One binary COPY stream per part of the rows: rows ``bounds[i]`` to ``bounds[i + 1]`` (``bounds``
    rising from 0 to ``n``), each what :func:`binary_copy` gives for those rows alone. When every
    row has the same layout (the usual case) the rows are built once and cut; otherwise each
    part is built on its own."""
    fields, groups = _layouts(columns, n)
    parts = list(zip(bounds[:-1], bounds[1:], strict=True))
    if n and len(groups) == 1 and isinstance(groups[0], slice):
        body = _block(fields, groups[0], n)
        width = len(body) // n
        return [b"".join((HEADER, body[lo * width:hi * width], TRAILER)) for lo, hi in parts]
    return [binary_copy([take(c, slice(lo, hi)) for c in columns], hi - lo) for lo, hi in parts]


def take(column: Column, rows: np.ndarray | slice) -> Column:
    """``column`` for the rows ``rows`` only (indices or a slice; one value for every row stays
    as it is)."""
    values = column.values
    if isinstance(values, tuple):
        return Column(column.kind, (np.asarray(values[0])[rows], values[1]))
    if values is not None and not isinstance(values, str) and np.ndim(values):
        return Column(column.kind, np.asarray(values)[rows])
    return column


def _layouts(columns: Sequence[Column], n: int) -> tuple[list[tuple[str, Any, int]], list[Any]]:
    """The fields of ``columns`` as :func:`_block` takes them and the rows of each layout (a
    slice of every row when they share one)."""
    if not columns:
        raise ValueError("a row needs at least one field")
    fields: list[tuple[str, Any, int]] = []  # (kind, values, width or -1 for NULL / text)
    varying: list[np.ndarray] = []
    for col in columns:
        if col.kind == "text":
            text = _Text(col.values, n)
            fields.append(("text", text, -1))
            varying.append(text.lengths)
        elif col.values is None:
            fields.append(("null", None, -1))
        else:
            fields.append((col.kind, _fixed(col.kind, col.values), np.dtype(_FIXED[col.kind]).itemsize))
    layout = np.zeros(n, dtype=np.int64)
    for lengths in varying:
        codes, uniques = pd.factorize(lengths)
        layout = layout * len(uniques) + codes
    if n and layout.min() != layout.max():
        order = np.argsort(layout, kind="stable")
        groups: list[Any] = np.split(order, np.flatnonzero(np.diff(layout[order])) + 1)
    else:
        groups = [slice(0, n)]  # one layout: every row in its place, no copy
    return fields, groups


def _block(fields: list[tuple[str, Any, int]], rows: np.ndarray | slice, n: int) -> bytes:
    """The rows ``rows`` (of one layout) as consecutive binary COPY rows."""
    first = rows.start if isinstance(rows, slice) else int(rows[0])
    count = rows.stop - rows.start if isinstance(rows, slice) else len(rows)
    names, formats, offsets, fill = ["n"], [">i2"], [0], []
    at = 2
    for i, (kind, data, width) in enumerate(fields):
        if kind == "text":
            width = int(data.lengths[first])
        names.append(f"l{i}"), formats.append(">i4"), offsets.append(at)
        fill.append((f"l{i}", width))
        at += 4
        if width > 0:
            names.append(f"v{i}"), formats.append(f"S{width}" if kind == "text" else _FIXED[kind]), offsets.append(at)
            if kind == "text":
                fill.append((f"v{i}", data.values(rows, width)))
            else:
                fill.append((f"v{i}", data[rows] if np.ndim(data) else data))
            at += width
    block = np.empty(count, dtype=np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": at}))
    block["n"] = len(fields)
    for name, values in fill:
        block[name] = values
    return block.tobytes()


def pg_date(values: Sequence[date] | np.ndarray) -> np.ndarray:
    """Dates (``datetime.date`` objects or datetime64) as datetime64[D]."""
    return np.asarray(values, dtype="datetime64[D]")


def pg_timestamp(moment: datetime) -> np.datetime64:
    """A naive ``datetime`` as one datetime64[us] (a ``timestamp without time zone``)."""
    return np.datetime64(moment, "us")
