"""Issue 22: a large long CSV read a chunk at a time while the chunks before are written
(ingest.csv_stream): the same outcome as the whole-file reading, errors in a later chunk rejecting
everything, the deadline and the indicator codes checked; a large file archived by a thread before
its row commits. Both backends (SQLite reads whole)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests import test_intake_load as loads
from tests.conftest import build_warehouse, counts, csv_bytes, current_value, send

wh, chunked = loads.wh, loads.chunked  # the fixtures of the load tests

def _streamed_file() -> bytes:
    """A long CSV with what a reader can trip on: a mark, CRLF line ends, a quoted value with a
    comma, a column the intake ignores, a blank line between chunks, Vietnamese notes, an
    implausible value, a row not reported and a revision of an earlier load."""
    header = "\ufeffindicator_code;area_code;period;value;ghi_chu_noi_bo;note"
    rows = [f"RETAIL_SALES;{a};2023{m:02d};{(30 if a == '01' else 280) + m};x;{'ước tính' if m == 4 else ''}"
            for a in ("VN", "01") for m in range(1, 7)]
    rows[3] = ""  # a blank line in the second chunk
    rows += ['EXPORTS;VN;202301;"40,5";;', "EXPORTS;VN;202302;;;", "RETAIL_SALES;VN;202307;29000;;",
             "CPI_YOY;VN;202301;3.3;;"]
    return ("\r\n".join((header, *rows)) + "\r\n").encode("utf-8")


def test_int216_a_streamed_csv_loads_as_the_whole_file_reading(wh, chunked, databases, backend, monkeypatch):
    """PostgreSQL reads a large long CSV a chunk at a time while the chunks before are written
    (ingest.csv_stream): the same counts, findings with the same rows, values and tables as the
    whole-file reading gives in a second warehouse."""
    from ingest import csv_stream

    def run(engine, tmp):
        first = send(engine, tmp, "TK", csv_bytes("CPI_YOY,VN,202301,3.1"), filename="first.csv")
        report = send(engine, tmp, "TK", _streamed_file(), filename="stream.csv", received_at=datetime(2023, 8, 25))
        assert first.status == "accepted" and report.status == "accepted", report.errors
        return report

    engine, tmp, _ = wh
    streamed = run(engine, tmp)
    assert bool(streamed.timings.get("streamed")) is (backend == "postgresql")
    if backend == "postgresql":
        assert streamed.timings["chunks"] == 6  # 16 lines (the blank one among them) in chunks of 3
    monkeypatch.setattr(csv_stream, "open_stream", lambda *a, **k: None)
    other = build_warehouse(databases.new(backend), tmp / "other")
    try:
        whole = run(other, tmp / "other")
        assert not whole.timings.get("streamed")
        assert streamed.counts == whole.counts == {"rows": 15, "valid": 14, "not_reported": 1, "written": 14,
                                                   "revised": 1, "unchanged": 0, "flagged": 1, "daily_items": 0}
        for kind in ("errors", "warnings", "notes"):
            assert [(f.code, f.row, f.column, f.value) for f in getattr(streamed, kind)] == \
                [(f.code, f.row, f.column, f.value) for f in getattr(whole, kind)]
        assert [(w.code, w.row) for w in streamed.warnings] == [("implausible_value", 16)]
        assert ("ignored_column", None, "ghi_chu_noi_bo") in {(n.code, n.row, n.column) for n in streamed.notes}
        assert (streamed.format, streamed.encoding, streamed.regimes, streamed.periods) == \
            (whole.format, whole.encoding, whole.regimes, whole.periods)
        assert loads._tables(engine) == loads._tables(other)
        assert current_value(engine, "EXPORTS", "VN", "202301").value == 40.5
        assert current_value(engine, "CPI_YOY", "VN", "202301")[:2] == (3.3, 1)
    finally:
        other.dispose()


def _bad_line_file(lines: int = 12) -> bytes:
    rows = [f"EXPORTS,VN,{2000 + i // 12}{i % 12 + 1:02d},{30 + i}" for i in range(lines)]
    rows[9] += ",extra,cells"  # in the fourth chunk of three rows
    return csv_bytes(*rows)


def test_int217_a_streamed_csv_unreadable_in_a_later_chunk_is_rejected_whole(wh, chunked, backend):
    """A line the tokenizer cannot read after three chunks were written: the submission is rejected,
    the error names the line, and nothing of the chunks before stays; the same file read whole gives
    the same error."""
    engine, tmp, _ = wh
    before = counts(engine)
    report = send(engine, tmp, "TK", _bad_line_file())
    assert report.status == "rejected"
    assert [e.code for e in report.errors] == ["unreadable_file"]
    assert "line 11" in report.errors[0].message_en  # the header is line 1
    assert bool(report.timings.get("streamed")) is (backend == "postgresql")
    after = counts(engine)
    assert {k: after[k] for k in ("observation", "current", "data_version")} == \
        {k: before[k] for k in ("observation", "current", "data_version")}
    from ingest import formats
    from ingest.issues import Findings

    findings = Findings()
    assert formats.parse(_bad_line_file(), "x.csv", findings, 100) is None
    assert [e.code for e in findings.errors] == ["unreadable_file"] and "line 11" in findings.errors[0].message_en


def test_int218_a_streamed_csv_stops_at_its_deadline_and_checks_its_codes(wh, chunked, backend, monkeypatch):
    """The reading's deadline is checked between chunks (rejected, nothing written); and a chunk
    naming an indicator the first reading did not see (never, but rows of an indicator not locked
    must never be written) stops the submission with nothing written."""
    if backend != "postgresql":
        pytest.skip("the streamed path is PostgreSQL's")
    from ingest import csv_stream
    from ingest.bounds import ReadBudget

    engine, tmp, _ = wh
    before = counts(engine)
    rows = [f"EXPORTS,VN,{2000 + i // 12}{i % 12 + 1:02d},{30 + i}" for i in range(12)]
    calls = []
    real_check = ReadBudget.check_time

    def late_deadline(self):
        calls.append(1)
        if len(calls) > 3:  # the line scan, the first reading and the first chunk pass, the second chunk not
            self.parse_seconds = 0.0
        real_check(self)

    monkeypatch.setattr(ReadBudget, "check_time", late_deadline)
    report = send(engine, tmp, "TK", csv_bytes(*rows))
    assert report.status == "rejected" and [e.code for e in report.errors] == ["parse_timeout"], report.errors
    assert report.timings["streamed"] and report.counts["rows"] > 0  # some chunks were validated first
    monkeypatch.setattr(ReadBudget, "check_time", real_check)

    real_open = csv_stream.open_stream

    def forgetful(*a, **k):
        stream = real_open(*a, **k)
        stream.codes = frozenset()
        return stream

    monkeypatch.setattr(csv_stream, "open_stream", forgetful)
    with pytest.raises(RuntimeError, match="EXPORTS"):
        send(engine, tmp, "TK", csv_bytes(*rows))
    after = counts(engine)
    assert {k: after[k] for k in ("observation", "current", "data_version")} == \
        {k: before[k] for k in ("observation", "current", "data_version")}


def test_int219_a_large_files_archive_is_stored_before_its_row_commits(wh, monkeypatch):
    """The raw bytes of a large file are stored by a thread while the file is read and loaded; the
    submission's row commits only once they are stored, and when storing fails nothing is written
    (the error is raised, as a failed archive always was)."""
    import time

    from ingest import load

    engine, tmp, _ = wh
    monkeypatch.setattr(load, "ARCHIVE_THREAD_BYTES", 1)  # every file by the thread
    payload = csv_bytes("EXPORTS,VN,202301,30.5", "EXPORTS,VN,202302,31.5")
    report = send(engine, tmp, "TK", payload)
    assert report.status == "accepted" and (tmp / "archive" / report.archive_path).read_bytes() == payload
    assert not list((tmp / "archive").rglob(".incoming-*"))
    before = counts(engine)
    real_archive = load.archive

    def full_disk(*args):
        time.sleep(0.3)  # the load is done long before
        real_archive(*args)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(load, "archive", full_disk)
    with pytest.raises(OSError, match="No space left"):
        send(engine, tmp, "TK", csv_bytes("EXPORTS,VN,202303,32.5"))
    assert counts(engine) == before  # no submission row, no value


def test_int220_a_streamed_duplicate_found_under_the_lock(wh, chunked, backend, monkeypatch):
    """The same file sent twice at once: the second finds the first under its unit's lock (after
    its stream was opened) and answers duplicate, with nothing written and its reader closed."""
    if backend != "postgresql":
        pytest.skip("the streamed path is PostgreSQL's")
    from ingest import csv_stream, load

    engine, tmp, _ = wh
    rows = [f"EXPORTS,VN,{2000 + i // 12}{i % 12 + 1:02d},{30 + i}" for i in range(12)]
    first = send(engine, tmp, "TK", csv_bytes(*rows))
    assert first.status == "accepted" and first.timings["streamed"]
    before = counts(engine)
    real_find, calls, closed = load.find_accepted, [], []

    def late_find(*args):  # the first look (before reading) misses: the other send had not committed
        calls.append(1)
        return None if len(calls) == 1 else real_find(*args)

    monkeypatch.setattr(load, "find_accepted", late_find)
    real_close = csv_stream.CsvStream.close
    monkeypatch.setattr(csv_stream.CsvStream, "close", lambda self: closed.append(1) or real_close(self))
    again = send(engine, tmp, "TK", csv_bytes(*rows))
    assert again.status == "duplicate" and again.duplicate_of == first.submission_id
    assert len(calls) == 2 and closed == [1]  # not seen before reading, seen under the lock
    assert counts(engine) == before
