"""PostgreSQL's binary COPY format built column by column with numpy (no Python loop per row).

A binary COPY stream is a header, then per row a 16-bit field count and per field a 32-bit length
(-1 for NULL) followed by the value in network byte order; then a 16-bit -1. Fixed-width values
(integers, doubles, dates, timestamps) are scattered into one byte buffer at each row's offsets;
text columns are factorized first (a load has few distinct periods, statuses and flags; notes are
rare) and their bytes are scattered per distinct length. Used by :mod:`ingest.load` to write a
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
    (None: NULL everywhere)."""

    kind: str
    values: Any


def _fixed_bytes(kind: str, values: Any, n: int) -> np.ndarray:
    """The values as an (n, width) uint8 matrix in network byte order."""
    if kind == "date":
        values = (np.asarray(values, dtype="datetime64[D]") - _PG_EPOCH_DAY).astype(np.int64)
    elif kind == "timestamp":
        values = (np.asarray(values, dtype="datetime64[us]") - _PG_EPOCH_US).astype(np.int64)
    arr = np.empty(n, dtype=_FIXED[kind])
    arr[:] = values
    return arr.view(np.uint8).reshape(n, arr.dtype.itemsize)


class _Text:
    """A text column factorized: each row's byte length (-1: NULL) and the encoded distinct values."""

    def __init__(self, values: Any, n: int):
        if values is None or isinstance(values, str):
            codes = np.full(n, -1 if values is None else 0, dtype=np.int64)
            uniques = [] if values is None else [values]
        else:
            codes, uniq = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
            uniques = list(uniq)
        self.codes = codes
        self.encoded = [str(u).encode() for u in uniques]
        self.unique_len = np.array([len(b) for b in self.encoded] + [-1], dtype=np.int64)  # [-1]: NULL
        self.lengths = self.unique_len[codes]  # code -1 takes the last entry

    def matrix(self, rows: np.ndarray | slice, width: int) -> np.ndarray:
        """The bytes of ``rows`` (all of length ``width``) as a (len(rows), width) uint8 matrix."""
        members = np.flatnonzero(self.unique_len[:-1] == width)
        table = np.frombuffer(b"".join(self.encoded[m] for m in members), dtype=np.uint8).reshape(-1, width)
        where = np.zeros(len(self.encoded), dtype=np.int64)
        where[members] = np.arange(len(members))
        return table[where[self.codes[rows]]]


def binary_copy(columns: Sequence[Column], n: int) -> bytes:
    """The binary COPY stream (header, ``n`` rows, trailer) of ``columns`` in their order.

    Rows whose fields have the same lengths (NULLs, lengths of the texts) share a layout; each
    layout's rows are written as one block, a (rows, row length) matrix filled a field at a time.
    Rows keep their order within a layout; the layouts follow each other by their first row (a
    load usually has one, with the odd flagged or annotated row in another)."""
    if not columns:
        raise ValueError("a row needs at least one field")
    fields: list[tuple[str, Any, int]] = []  # (kind, data, width or -1 for text)
    varying: list[np.ndarray] = []
    for col in columns:
        if col.kind == "text":
            text = _Text(col.values, n)
            fields.append(("text", text, -1))
            varying.append(text.lengths)
        elif col.values is None:
            fields.append(("null", None, -1))
        else:
            data = _fixed_bytes(col.kind, col.values, n)
            fields.append(("fixed", data, data.shape[1]))
    layout = np.zeros(n, dtype=np.int64)
    for lengths in varying:
        codes, uniques = pd.factorize(lengths)
        layout = layout * len(uniques) + codes
    if n and layout.min() != layout.max():
        order = np.argsort(layout, kind="stable")
        groups: list[Any] = np.split(order, np.flatnonzero(np.diff(layout[order])) + 1)
    else:
        groups = [slice(0, n)]  # one layout: every row in its place, no copy
    chunks = [HEADER]
    if n:
        chunks += [_block(fields, rows) for rows in groups]
    chunks.append(TRAILER)
    return b"".join(chunks)


def _block(fields: list[tuple[str, Any, int]], rows: np.ndarray | slice) -> bytes:
    """The rows ``rows`` (of one layout) as consecutive binary COPY rows."""
    first = rows.start if isinstance(rows, slice) else int(rows[0])
    count = len(rows) if not isinstance(rows, slice) else rows.stop - rows.start
    widths = []
    for kind, data, width in fields:
        widths.append(int(data.lengths[first]) if kind == "text" else width)
    row_len = 2 + 4 * len(fields) + sum(max(w, 0) for w in widths)
    block = np.empty((count, row_len), dtype=np.uint8)
    block[:, 0:2] = np.array([len(fields)], dtype=">i2").view(np.uint8)
    at = 2
    for (kind, data, _), width in zip(fields, widths, strict=True):
        block[:, at:at + 4] = np.array([width], dtype=">i4").view(np.uint8)
        at += 4
        if width > 0:
            block[:, at:at + width] = data[rows] if kind == "fixed" else data.matrix(rows, width)
            at += width
    return block.tobytes()


def pg_date(values: Sequence[date] | np.ndarray) -> np.ndarray:
    """Dates (``datetime.date`` objects or datetime64) as datetime64[D]."""
    return np.asarray(values, dtype="datetime64[D]")


def pg_timestamp(moment: datetime) -> np.datetime64:
    """A naive ``datetime`` as one datetime64[us] (a ``timestamp without time zone``)."""
    return np.datetime64(moment, "us")
