"""The binary COPY stream of a first load (ingest.pgcopy): every value as given, NULLs, texts of
several lengths in one column, dates before and after PostgreSQL's epoch; decoded here by an
independent reader of the format, and read back by PostgreSQL."""

from __future__ import annotations

import io
import struct
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import create_engine

from ingest.pgcopy import HEADER, Column, binary_copy, binary_copy_parts, pg_date, pg_timestamp

NOW = datetime(2026, 12, 3, 15, 40, 1, 123456)
IDS = np.array([5, 1, 4, 2, 3, 6])
PERIODS = np.array(["2021", "2021-01-31", "2021Q1", "202101", "2021", "2021-W05"], dtype=object)
DAYS = [date(2021, 1, 1), date(1999, 12, 31), date(2021, 1, 1), date(1970, 1, 1), date(2000, 1, 1), date(2021, 2, 1)]
VALUES = np.array([1.5, -2.25, 0.0, 1e300, 3.141592653589793, 7.0])
FLAGS = np.array([None, "implausible", None, None, "implausible", None], dtype=object)
NOTES = np.array([None, "ước tính", "", None, "sửa số liệu", "ước tính"], dtype=object)


def _columns() -> list[Column]:
    return [Column("int4", IDS), Column("text", PERIODS), Column("date", pg_date(DAYS)), Column("float8", VALUES),
            Column("text", "O"), Column("int4", 0), Column("int8", 12_345_678_901),
            Column("timestamp", pg_timestamp(NOW)), Column("text", FLAGS), Column("text", NOTES), Column("int2", None)]


def _decode(stream: bytes, kinds: list[str]) -> list[tuple]:
    """An independent reading of PostgreSQL's binary COPY format (its documentation, byte by byte)."""
    assert stream[:11] == b"PGCOPY\n\xff\r\n\x00" and stream[11:19] == bytes(8)
    at, rows = 19, []
    epoch = date(2000, 1, 1)
    while True:
        (count,) = struct.unpack_from(">h", stream, at)
        at += 2
        if count == -1:
            assert at == len(stream)
            return rows
        assert count == len(kinds)
        row = []
        for kind in kinds:
            (length,) = struct.unpack_from(">i", stream, at)
            at += 4
            if length == -1:
                row.append(None)
                continue
            raw = stream[at:at + length]
            at += length
            if kind == "text":
                row.append(raw.decode())
            elif kind == "date":
                row.append(epoch + timedelta(days=struct.unpack(">i", raw)[0]))
            elif kind == "timestamp":
                row.append(datetime(2000, 1, 1) + timedelta(microseconds=struct.unpack(">q", raw)[0]))
            else:
                row.append(struct.unpack({"int2": ">h", "int4": ">i", "int8": ">q", "float8": ">d"}[kind], raw)[0])
        rows.append(tuple(row))


def _expected() -> list[tuple]:
    return [(int(i), p, d, float(v), "O", 0, 12_345_678_901, NOW, f, n, None)
            for i, p, d, v, f, n in zip(IDS, PERIODS, DAYS, VALUES, FLAGS, NOTES, strict=True)]


def test_pgc001_every_value_as_given():
    cols = _columns()
    stream = binary_copy(cols, len(IDS))
    assert stream.startswith(HEADER)
    rows = _decode(stream, [c.kind for c in cols])
    assert sorted(rows) == sorted(_expected())
    # rows of one layout (the same NULLs and text lengths) keep their order
    layout = [tuple(None if v is None else len(str(v)) for v in (r[1], r[8], r[9])) for r in _expected()]
    for shape in set(layout):
        want = [r[0] for r, s in zip(_expected(), layout, strict=True) if s == shape]
        got = [r[0] for r in rows if tuple(None if v is None else len(str(v)) for v in (r[1], r[8], r[9])) == shape]
        assert got == want


def test_pgc002_one_layout_and_no_rows():
    n = 1000
    stream = binary_copy([Column("int4", np.arange(n)), Column("text", "2021"), Column("float8", np.arange(n) / 4)], n)
    assert _decode(stream, ["int4", "text", "float8"]) == [(i, "2021", i / 4) for i in range(n)]
    assert _decode(binary_copy([Column("int4", np.zeros(0, dtype=np.int64))], 0), ["int4"]) == []
    with pytest.raises(ValueError):
        binary_copy([], 1)


def test_pgc004_parts_are_the_streams_of_their_rows():
    """A stream per part of the rows (a first load's years): each decodes to exactly its rows, in
    their order, whether every row shares one layout (built once and cut) or not."""
    n = 10
    one = [Column("int4", np.arange(n)), Column("text", (np.arange(n) % 2, ["2021", "2022"])),
           Column("float8", np.arange(n) / 4), Column("text", None)]
    parts = binary_copy_parts(one, n, [0, 3, 4, 10])
    assert [_decode(p, ["int4", "text", "float8", "text"]) for p in parts] == [
        [(i, "2021" if i % 2 == 0 else "2022", i / 4, None) for i in range(lo, hi)] for lo, hi in ((0, 3), (3, 4), (4, 10))]
    several = _columns()  # texts of several lengths and NULLs: several layouts
    parts = binary_copy_parts(several, len(IDS), [0, 2, 6])
    kinds = [c.kind for c in several]
    assert [sorted(_decode(p, kinds)) for p in parts] == [sorted(_expected()[:2]), sorted(_expected()[2:])]
    assert binary_copy_parts(one, n, [0, n]) == [binary_copy(one, n)]


def test_pgc003_postgresql_reads_it(backend, empty_url):
    if backend != "postgresql":
        pytest.skip("PostgreSQL's COPY")
    engine = create_engine(empty_url)
    try:
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("CREATE TEMP TABLE t (id integer, period varchar(10), day date, value double precision, "
                        "status varchar(1), revision integer, sid bigint, at timestamp, flag varchar(16), note text, "
                        "small smallint)")
            cur.copy_expert("COPY t FROM STDIN (FORMAT binary)", io.BytesIO(binary_copy(_columns(), len(IDS))))
            cur.execute("SELECT * FROM t ORDER BY id")
            assert cur.fetchall() == sorted(_expected())
        finally:
            raw.rollback()
            raw.close()
    finally:
        engine.dispose()
