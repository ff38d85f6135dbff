"""Issue 5: loading — idempotent re-sends, revision history, two units at once, a load killed
midway, the archive, links to regimes and periods, daily items, formats end to end. Both backends."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from data_access import schema
from ingest import load
from settings import ROOT
from tests.conftest import build_warehouse, counts, csv_bytes, current_value, history_rows, make_settings, send
from tests.corpus.build_corpus import to_cp1258


@pytest.fixture
def wh(empty_url, tmp_path):
    engine = build_warehouse(empty_url, tmp_path)
    yield engine, tmp_path, empty_url
    engine.dispose()


def test_int201_same_content_again_is_a_duplicate(wh):
    engine, tmp, _ = wh
    payload = csv_bytes("CPI_YOY,VN,202510,3.1", "EXPORTS,VN,202510,40.5")
    first = send(engine, tmp, "TK", payload)
    assert first.status == "accepted" and first.counts["written"] == 2
    after_first = counts(engine)
    again = send(engine, tmp, "TK", payload, received_at=datetime(2025, 11, 21))
    assert again.status == "duplicate" and again.submission_id == first.submission_id == again.duplicate_of
    assert counts(engine) == after_first
    with engine.connect() as conn:
        n = conn.execute(select(schema.submission.c.id).where(schema.submission.c.sha256 == first.sha256)).all()
    assert len(n) == 1  # nothing recorded for the duplicate
    # the same values in another file: accepted, nothing new written, no new data_version
    reordered = send(engine, tmp, "TK", csv_bytes("EXPORTS,VN,202510,40.5", "CPI_YOY,VN,202510,3.1"))
    assert reordered.status == "accepted" and reordered.counts == {**reordered.counts, "written": 0, "unchanged": 2}
    assert reordered.data_version is None
    assert counts(engine) == {**after_first, "submission_period": after_first["submission_period"] + 1}  # a report received
    # another unit sending identical bytes is not a duplicate of TK's
    other = send(engine, tmp, "NHNN", payload)
    assert other.status == "rejected" and {e.code for e in other.errors} == {"not_responsible"}


def test_int202_revisions_keep_history(wh, tmp_path):
    engine, tmp, url = wh
    v0 = counts(engine)["data_version"]
    send(engine, tmp, "TK", csv_bytes("CPI_YOY,VN,202510,3.1,P", header="indicator_code,area_code,period,value,status"))
    assert current_value(engine, "CPI_YOY", "VN", "202510")[:3] == (3.1, 0, "P")
    changed = send(engine, tmp, "TK", csv_bytes("CPI_YOY,VN,202510,\"3,25\",P",
                                                header="indicator_code,area_code,period,value,status"))
    assert changed.counts["written"] == 1 and changed.counts["revised"] == 1
    cur = current_value(engine, "CPI_YOY", "VN", "202510")
    assert (cur.value, cur.revision, cur.submission_id) == (3.25, 1, changed.submission_id)
    official = send(engine, tmp, "TK", csv_bytes("CPI_YOY,VN,202510,3.25,official",
                                                 header="indicator_code,area_code,period,value,status"))
    assert official.counts["revised"] == 1  # provisional -> official is a revision too
    rows = history_rows(engine, "CPI_YOY", "VN", "202510")
    assert [(r.revision, r.value, r.status) for r in rows] == [(0, 3.1, "P"), (1, 3.25, "P"), (2, 3.25, "O")]
    assert counts(engine)["data_version"] == v0 + 3
    # the boards see the revision history and the revised mark
    from app import create_app
    from data_access.queries import revisions

    app = create_app(make_settings(url, tmp_path))
    with app.test_request_context():
        hist = revisions("CPI_YOY", "VN")
    app.extensions["warehouse"].dispose()
    assert hist[hist.period == "202510"]["revision"].tolist() == [2, 1, 0]


def test_int203_two_units_at_the_same_time(wh, monkeypatch):
    engine, tmp, _ = wh
    v0 = counts(engine)["data_version"]
    inside = threading.Event()

    def held(stage):
        def run(*args):
            stage(*args)
            if threading.current_thread().name == "A":  # unit A pauses inside its write transaction, B runs
                inside.set()
                time.sleep(1.0)
        return run

    for name in ("_copy_binary", "_copy_fresh", "_sqlite_insert"):  # rows staged or written (PostgreSQL's first
        # load), the write transaction still open
        monkeypatch.setattr(load, name, held(getattr(load, name)))
    results: dict[str, object] = {}
    a = threading.Thread(name="A", target=lambda: results.__setitem__("A", send(
        engine, tmp, "TK", csv_bytes("CPI_YOY,VN,202510,3.1", "RETAIL_SALES,VN,202510,300.5"))))
    b = threading.Thread(name="B", target=lambda: results.__setitem__("B", send(
        engine, tmp, "UB01", csv_bytes("RETAIL_SALES,01,202510,31.5", "CPI_YOY,01,202510,3.4"))))
    a.start()
    assert inside.wait(30)
    b.start()
    a.join(60)
    b.join(60)
    assert results["A"].status == "accepted" and results["B"].status == "accepted"
    assert counts(engine)["data_version"] == v0 + 2
    assert {results["A"].data_version, results["B"].data_version} == {v0 + 1, v0 + 2}
    assert current_value(engine, "RETAIL_SALES", "VN", "202510").value == 300.5
    assert current_value(engine, "RETAIL_SALES", "01", "202510").value == 31.5


def test_int204_same_file_twice_at_once_is_accepted_once(wh):
    engine, tmp, _ = wh
    payload = csv_bytes("EXPORTS,VN,202510,41.5")
    go = threading.Barrier(2)
    out: list = []

    def run():
        go.wait()
        out.append(send(engine, tmp, "TK", payload))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(r.status for r in out) == ["accepted", "duplicate"]
    assert out[0].submission_id == out[1].submission_id
    assert len(history_rows(engine, "EXPORTS", "VN", "202510")) == 1


_KILL_SCRIPT = """
import sys, time
sys.path.insert(0, {root!r})
from datetime import datetime
from pathlib import Path
from data_access.engine import make_engine
from ingest import load
from ingest.pipeline import submit
from settings import Settings

write_rows = load.write_rows

def written_then_pause(*args):  # every row is in observation and current_observation, not committed
    result = write_rows(*args)
    print("READY", flush=True)
    time.sleep(300)
    return result

load.write_rows = written_then_pause
{setup}
engine = make_engine(Settings(database_url={url!r}, instance_dir=Path({tmp!r})))
submit(engine, unit_code="NHNN", payload=Path({payload!r}).read_bytes(), filename="big.csv", channel="cli",
       submitted_by="killed", received_at=datetime(2025, 11, 20, 9), archive_dir=Path({tmp!r}) / "archive")
print("COMMITTED", flush=True)
"""


def killed_mid_load(engine, url: str, tmp: Path, payload_path: Path, setup: str = "") -> dict[str, int]:
    """Submit ``payload_path`` from another process (``setup``: code run there first), SIGKILL it
    once its rows are written but not committed, and wait until the server has dropped the dead
    client's transaction: the counts are back to what they were, which it returns."""
    before = counts(engine)
    script = _KILL_SCRIPT.format(root=str(ROOT), url=url, tmp=str(tmp), payload=str(payload_path), setup=setup)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=str(ROOT), env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        line = proc.stdout.readline()
        assert line.strip() == "READY", proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 30
    while counts(engine) != before and time.monotonic() < deadline:  # the server notices the dead client
        time.sleep(0.2)
    assert counts(engine) == before
    return before


@pytest.mark.fault
def test_int205_killed_midway_leaves_nothing(wh, monkeypatch):
    engine, tmp, url = wh
    bulk_paths: list[bool] = []
    original = load._batched_ri
    monkeypatch.setattr(load, "_batched_ri", lambda *a: bulk_paths.append(original(*a)) or bulk_paths[-1])
    first = date(1995, 1, 1)  # 2 x 11,280 days: above load.BATCHED_RI_MIN_ROWS, the bulk path on PostgreSQL
    days = [(first + timedelta(days=i)).isoformat() for i in range((date(2025, 11, 19) - first).days + 1)]
    rows = [f"{code},VN,{d},{25000 + i % 700 if code == 'USDVND_CENTRAL' else 3 + (i % 50) / 10}"
            for code in ("USDVND_CENTRAL", "INTERBANK_ON_RATE") for i, d in enumerate(days)]
    assert len(rows) > load.BATCHED_RI_MIN_ROWS
    payload_path = tmp / "big.csv"
    payload_path.write_bytes(csv_bytes(*rows))
    before = killed_mid_load(engine, url, tmp, payload_path)
    with engine.connect() as conn:
        assert not conn.execute(select(schema.submission.c.id).where(schema.submission.c.filename == "big.csv")).all()
    # the warehouse is still usable: the same file loads completely now
    report = send(engine, tmp, "NHNN", payload_path.read_bytes(), filename="big.csv")
    assert report.status == "accepted" and report.counts["written"] == len(rows)
    after = counts(engine)
    assert after["observation"] == before["observation"] + len(rows)
    assert after["current"] == before["current"] + len(rows)
    assert after["data_version"] == before["data_version"] + 1
    # every value revised in one go: the upsert path of a large load
    revised = [r.rsplit(",", 1)[0] + "," + str(float(r.rsplit(",", 1)[1]) + 1) for r in rows]
    report = send(engine, tmp, "NHNN", csv_bytes(*revised), filename="big-revised.csv")
    assert (report.counts["written"], report.counts["revised"]) == (len(rows), len(rows))
    assert counts(engine)["current"] == after["current"]
    assert current_value(engine, "USDVND_CENTRAL", "VN", "1995-01-01")[:2] == (25001.0, 1)
    assert bulk_paths == ([True, True] if engine.dialect.name == "postgresql" else [])  # test server: superuser
    # foreign keys are enforced again after the bulk path (PostgreSQL checks them per key during it)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(schema.current_observation.insert().values(
            indicator_id=999_999, area_id=1, period_start=date(2025, 1, 1), period="202501", value=1.0, status="O",
            revision=0, recorded_at=datetime(2025, 1, 2)))


def test_int206_archive_links_and_submission_row(wh):
    engine, tmp, _ = wh
    payload = csv_bytes("RETAIL_SALES,01,202509,31.2", "RETAIL_SALES,01,202510,31.9", "GDP_GROWTH,01,2025Q3,7.1")
    report = send(engine, tmp, "UB01", payload, filename="hanoi.csv")
    assert report.status == "accepted"
    archived = tmp / "archive" / "2025" / "11" / hashlib.sha256(payload).hexdigest()
    assert archived.read_bytes() == payload
    with engine.connect() as conn:
        sub = conn.execute(select(schema.submission).where(schema.submission.c.id == report.submission_id)).one()
        links = conn.execute(select(schema.report_regime.c.code, schema.submission_period.c.period,
                                    schema.submission_period.c.rows)
                             .join(schema.report_regime, schema.report_regime.c.id == schema.submission_period.c.regime_id)
                             .where(schema.submission_period.c.submission_id == report.submission_id)
                             .order_by(schema.submission_period.c.period)).all()
    assert sub.archive_path == f"2025/11/{report.sha256}" and sub.channel == "cli" and sub.filename == "hanoi.csv"
    assert (sub.rows_total, sub.rows_written, sub.errors, sub.warnings) == (3, 3, 0, 0)
    assert sub.period is None and sub.regime_id is None  # several periods and regimes: see the links
    assert [tuple(x) for x in links] == [("UBND-M", "202509", 1), ("UBND-M", "202510", 1), ("UBND-Q", "2025Q3", 1)]
    stored = json.loads(sub.report)
    assert stored["status"] == "accepted" and stored["submission_id"] == report.submission_id
    single = send(engine, tmp, "UB01", csv_bytes("RETAIL_SALES,01,202508,30.8"))
    with engine.connect() as conn:
        row = conn.execute(select(schema.submission.c.period, schema.report_regime.c.code)
                           .join(schema.report_regime, schema.report_regime.c.id == schema.submission.c.regime_id)
                           .where(schema.submission.c.id == single.submission_id)).one()
    assert tuple(row) == ("202508", "UBND-M")
    rejected = send(engine, tmp, "UB01", csv_bytes("RETAIL_SALES,01,202508,abc"), filename="bad.csv")
    assert (tmp / "archive" / rejected.archive_path).exists()  # rejected files are archived too


def test_int207_daily_items_and_daily_values(wh):
    engine, tmp, _ = wh
    before = counts(engine)
    doc = {"unit": "NHNN", "observations": [
        {"indicator_code": "USDVND_CENTRAL", "area_code": "VN", "period": "2025-11-19", "value": 25105},
        {"indicator_code": "INTERBANK_ON_RATE", "area_code": "VN", "period": "2025-11-19", "value": "4,15"}],
        "daily_items": [{"date": "2025-11-19", "category": "kinh_te", "severity": "notice",
                         "title": "Tỷ giá trung tâm ổn định", "body": "Biến động trong biên độ cho phép."},
                        {"date": "2025-11-20", "category": "kinh_te", "severity": "INFO", "title": "Thị trường"}]}
    report = send(engine, tmp, "NHNN", json.dumps(doc, ensure_ascii=False).encode(), filename="api.json",
                  channel="api")
    assert report.status == "accepted", report.errors
    assert report.counts["written"] == 2 and report.counts["daily_items"] == 2
    after = counts(engine)
    assert after["daily_item"] == before["daily_item"] + 2 and after["data_version"] == before["data_version"] + 1
    with engine.connect() as conn:
        items = conn.execute(select(schema.daily_item.c.item_date, schema.daily_item.c.severity, schema.daily_item.c.title,
                                    schema.agency.c.code, schema.daily_item.c.submission_id)
                             .join(schema.agency, schema.agency.c.id == schema.daily_item.c.agency_id)
                             .order_by(schema.daily_item.c.item_date)).all()
    assert [(i.item_date, i.severity, i.code, i.submission_id) for i in items] == [
        (date(2025, 11, 19), "notice", "NHNN", report.submission_id), (date(2025, 11, 20), "info", "NHNN", report.submission_id)]
    assert current_value(engine, "INTERBANK_ON_RATE", "VN", "2025-11-19").value == 4.15
    only_items = send(engine, tmp, "UB01", json.dumps({"daily_items": [
        {"date": "2025-11-20", "category": "thien_tai", "severity": "warning", "title": "Mưa lớn"}]}).encode(),
        filename="items.json")
    assert only_items.status == "accepted" and only_items.counts["daily_items"] == 1 and only_items.periods == []


def test_int208_formats_end_to_end(wh):
    engine, tmp, _ = wh
    sdmx = csv_bytes("DF_293,EXPORTS,VN,202510,\"40,25\",P", "DF_293,IMPORTS,VN,202510,39.5,A",
                     header="DATAFLOW,INDICATOR,REF_AREA,TIME_PERIOD,OBS_VALUE,OBS_STATUS")
    assert send(engine, tmp, "TK", sdmx, filename="sdmx.csv").status == "accepted"
    assert current_value(engine, "EXPORTS", "VN", "202510")[:3] == (40.25, 0, "P")
    assert current_value(engine, "IMPORTS", "VN", "202510")[:3] == (39.5, 0, "O")
    numbers = csv_bytes("RETAIL_SALES,VN,202510,\"1.234,5\"", "RETAIL_SALES,VN,202509,\"1,234.5\"",
                        "RETAIL_SALES,VN,202508,\"1.234.567\"", "RETAIL_SALES,VN,202507,1234.5")
    report = send(engine, tmp, "TK", numbers)
    assert report.status == "accepted"
    assert [current_value(engine, "RETAIL_SALES", "VN", p).value for p in ("202510", "202509", "202508", "202507")] == [
        1234.5, 1234.5, 1234567.0, 1234.5]
    vn = to_cp1258("indicator_code,area_code,period,value,note\nRETAIL_SALES,01,202510,\"31,75\",Hà Nội ước tính\n")
    report = send(engine, tmp, "UB01", vn, filename="hanoi-1258.csv")
    assert report.status == "accepted" and report.encoding == "cp1258"
    o = schema.observation
    with engine.connect() as conn:
        note = conn.execute(select(o.c.note).where(o.c.submission_id == report.submission_id)).scalar()
    assert note == "Hà Nội ước tính"
    assert current_value(engine, "RETAIL_SALES", "01", "202510").value == 31.75


def test_int209_inside_a_callers_transaction(wh):
    engine, tmp, _ = wh
    before = counts(engine)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        report = send(conn, tmp, "TK", csv_bytes("EXPORTS,VN,202510,44.4"))
        assert report.status == "accepted"
        raise RuntimeError("the caller rolls back")
    assert counts(engine) == before
    with engine.connect() as conn:  # a connection outside a transaction: submit commits itself
        report = send(conn, tmp, "TK", csv_bytes("EXPORTS,VN,202510,44.4"))
    assert report.status == "accepted" and current_value(engine, "EXPORTS", "VN", "202510").value == 44.4


@pytest.fixture
def chunked(monkeypatch):
    """Force the chunked, overlapped path of large PostgreSQL loads on small files (chunks of 3
    rows); on SQLite the same files take the one-piece path, and every assertion is the same."""
    from ingest import pipeline

    monkeypatch.setattr(pipeline, "PIPELINE_MIN_ROWS", 5)
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 3)
    return pipeline


def test_int210_chunked_load_equals_one_piece(wh, chunked):
    engine, tmp, _ = wh
    send(engine, tmp, "TK", csv_bytes("CPI_YOY,VN,202510,3.1"))
    before = counts(engine)
    rows = ["CPI_YOY,VN,202510,3.3",  # a revision (chunk 1)
            "RETAIL_SALES,VN,202510,290.5", "EXPORTS,VN,202510,41.2",
            "RETAIL_SALES,VN,202511,29000",  # implausible (chunk 2)
            "EXPORTS,VN,202511,", "IMPORTS,VN,202510,\"40,5\"",
            "IMPORTS,VN,202511,41.0", "CPI_YOY,VN,202511,3.0", "GDP_GROWTH,VN,2025Q3,7.9"]  # chunks 3 and 4
    report = send(engine, tmp, "TK", csv_bytes(*rows), received_at=datetime(2025, 11, 25))
    assert report.status == "accepted", report.errors
    if engine.dialect.name == "postgresql":
        assert report.timings["chunks"] == 3
    assert report.counts == {"rows": 9, "valid": 8, "not_reported": 1, "written": 8, "revised": 1, "unchanged": 0,
                             "flagged": 1, "daily_items": 0}
    assert [(w.code, w.row) for w in report.warnings] == [("implausible_value", 5)]
    assert [(n.code, n.row) for n in report.notes] == [("not_reported", 6)]
    assert report.regimes == ["TK-M", "TK-Q"] and report.periods == ["202510", "202511", "2025Q3"]
    assert current_value(engine, "CPI_YOY", "VN", "202510")[:2] == (3.3, 1)
    assert current_value(engine, "RETAIL_SALES", "VN", "202511").flag == "implausible"
    assert current_value(engine, "IMPORTS", "VN", "202510").value == 40.5
    after = counts(engine)
    assert after["observation"] == before["observation"] + 8 and after["current"] == before["current"] + 7
    assert after["data_version"] == before["data_version"] + 1
    with engine.connect() as conn:
        links = conn.execute(select(schema.submission_period.c.period, schema.submission_period.c.rows)
                             .where(schema.submission_period.c.submission_id == report.submission_id)
                             .order_by(schema.submission_period.c.period)).all()
    assert [tuple(x) for x in links] == [("202510", 4), ("202511", 3), ("2025Q3", 1)]
    again = send(engine, tmp, "TK", csv_bytes(*rows), received_at=datetime(2025, 11, 26))
    assert again.status == "duplicate" and again.submission_id == report.submission_id


def test_int211_chunked_errors_anywhere_reject_everything(wh, chunked):
    engine, tmp, _ = wh
    before = counts(engine)
    rows = ["EXPORTS,VN,202501,30.5", "EXPORTS,VN,202502,31.5", "EXPORTS,VN,202503,32.5",
            "EXPORTS,VN,202504,33.5", "EXPORTS,VN,202505,34.5", "EXPORTS,VN,202506,35.5",
            "EXPORTS,VN,202507,36.5", "EXPORTS,XX,202508,37.5", "EXPORTS,VN,202502,31.5"]  # errors in chunk 3 only
    report = send(engine, tmp, "TK", csv_bytes(*rows))
    assert report.status == "rejected"
    assert {(e.code, e.row, e.column) for e in report.errors} == {
        ("unknown_area", 9, "area_code"), ("duplicate_key", 10, "indicator_code")}
    assert "row 3" in next(e for e in report.errors if e.code == "duplicate_key").message_en
    assert counts(engine) == before  # chunks 1 and 2 were loaded, then rolled back
    with engine.connect() as conn:
        statuses = conn.execute(select(schema.submission.c.status, schema.submission.c.rows_total)
                                .where(schema.submission.c.sha256 == report.sha256)).all()
    assert [tuple(x) for x in statuses] == [("rejected", 9)]
    fixed = send(engine, tmp, "TK", csv_bytes(*rows[:7]))
    assert fixed.status == "accepted" and fixed.counts["written"] == 7


@pytest.mark.fault
def test_int212_chunked_load_killed_after_the_first_chunk(wh):
    """The chunked path of large PostgreSQL loads: killed once its first chunk is written (the
    second is being validated), nothing is left."""
    engine, tmp, url = wh
    if engine.dialect.name != "postgresql":
        pytest.skip("the chunked path is PostgreSQL's")
    rows = [f"USDVND_CENTRAL,VN,{(date(2000, 1, 1) + timedelta(days=i)).isoformat()},{24000 + i % 900}"
            for i in range(600)]
    payload_path = tmp / "chunks.csv"
    payload_path.write_bytes(csv_bytes(*rows))
    killed_mid_load(engine, url, tmp, payload_path,
                    setup="from ingest import pipeline\npipeline.PIPELINE_MIN_ROWS = 100\npipeline.CHUNK_ROWS = 200")
    report = send(engine, tmp, "NHNN", payload_path.read_bytes(), filename="chunks.csv")
    assert report.status == "accepted" and report.counts["written"] == 600


def _tables(engine) -> dict[str, list[tuple]]:
    """observation and current_observation, every column but the time of recording, in key order."""
    out = {}
    for table in (schema.observation, schema.current_observation):
        cols = [c for c in table.c if c.name not in ("id", "recorded_at")]
        with engine.connect() as conn:
            out[table.name] = [tuple(r) for r in conn.execute(
                select(*cols).order_by(table.c.indicator_id, table.c.area_id, table.c.period_start, table.c.revision))]
    return out


def test_int213_first_loads_skip_the_comparison_with_the_same_outcome(wh, chunked, databases, backend, monkeypatch):
    """PostgreSQL writes staged keys with no current value in their box (indicators × areas × period
    range) straight into both tables: the same revisions, values, statuses, flags, notes and counts
    as the comparison with the current values gives (forced in a second warehouse), through new
    keys, revisions, unchanged rows and chunks meeting the rows of earlier chunks."""
    header = "indicator_code,area_code,period,value,status,note"
    loads = [
        [f"RETAIL_SALES,{a},2021{m:02d},{(30 if a == '01' else 280) + m},{'P' if m == 2 else ''},{'ước' if m == 5 else ''}"
         for a in ("VN", "01") for m in range(1, 7)] + ["RETAIL_SALES,VN,202107,29000,,"],  # implausible
        ["RETAIL_SALES,VN,202103,284.5,,", "RETAIL_SALES,VN,202104,284,,", "RETAIL_SALES,01,202102,32,,",
         "CPI_YOY,VN,202101,2.1,,", "CPI_YOY,VN,202102,2.2,,", "RETAIL_SALES,VN,202108,289,,",
         "RETAIL_SALES,01,202107,37,P,"],
        [f"RETAIL_SALES,{a},2021{m:02d},{(30 if a == '01' else 280) + m + 0.5},,sửa" for a in ("VN", "01")
         for m in range(1, 9)] + ["CPI_YOY,VN,202101,2.1,,", "CPI_YOY,VN,202103,2.3,,"],
    ]
    fresh: list[bool] = []
    original = load.has_current
    monkeypatch.setattr(load, "has_current", lambda *a: fresh.append(not original(*a)) or not fresh[-1])

    def run(engine, tmp) -> list[dict[str, int]]:
        return [send(engine, tmp, "TK", csv_bytes(*rows, header=header), filename=f"load{i}.csv").counts
                for i, rows in enumerate(loads)]

    engine, tmp, _ = wh
    reports = run(engine, tmp)
    assert [(c["written"], c["revised"], c["unchanged"], c["flagged"]) for c in reports] == [
        (13, 0, 0, 1), (6, 2, 1, 0), (17, 15, 1, 0)]
    if backend == "postgresql":
        assert True in fresh and False in fresh  # both ways were taken
    monkeypatch.setattr(load, "has_current", lambda *a: True)  # always compare with the current values
    other = build_warehouse(databases.new(backend), tmp / "other")
    try:
        assert run(other, tmp / "other") == reports
        mine, theirs = _tables(engine), _tables(other)
        assert mine == theirs
        assert [(r.revision, r.value, r.status) for r in history_rows(engine, "RETAIL_SALES", "01", "202102")] == [
            (0, 32.0, "P"), (1, 32.0, "O"), (2, 32.5, "O")]
    finally:
        other.dispose()


def test_int214_first_loads_by_copy_recompute_derived_indicators_the_same(wh, chunked, databases, backend,
                                                                          monkeypatch):
    """A first load written by COPY (PostgreSQL) recomputes the derived indicators reading it as the
    comparison path does: TRADE_TURNOVER (EXPORTS + IMPORTS) value by value in both warehouses,
    then through a revision and an unchanged re-send."""
    loads = [[f"{code},01,2022{m:02d},{base + m}" for code, base in (("EXPORTS", 40), ("IMPORTS", 30))
              for m in range(1, 5)],
             ["EXPORTS,01,202202,45.5", "IMPORTS,01,202203,33", "EXPORTS,01,202205,50"]]
    fresh: list[bool] = []
    original = load.has_current
    monkeypatch.setattr(load, "has_current", lambda *a: fresh.append(not original(*a)) or not fresh[-1])

    def run(engine, tmp) -> list[tuple[int, int, int]]:
        out = []
        for i, rows in enumerate(loads):
            c = send(engine, tmp, "TK", csv_bytes(*rows), filename=f"trade{i}.csv").counts
            out.append((c["written"], c["revised"], c["unchanged"]))
        return out

    engine, tmp, _ = wh
    assert run(engine, tmp) == [(8, 0, 0), (2, 1, 1)]
    if backend == "postgresql":
        assert fresh[:2] == [True, True]  # the first load's chunks went by COPY
    assert [current_value(engine, "TRADE_TURNOVER", "01", f"2022{m:02d}").value for m in (1, 2, 3, 4)] == \
        pytest.approx([72, 77.5, 76, 78])
    monkeypatch.setattr(load, "has_current", lambda *a: True)  # always compare with the current values
    other = build_warehouse(databases.new(backend), tmp / "other")
    try:
        assert run(other, tmp / "other") == [(8, 0, 0), (2, 1, 1)]
        assert _tables(engine) == _tables(other)  # computed rows included
    finally:
        other.dispose()


def test_int215_chunks_start_small_and_double():
    """The chunked path's chunks: contiguous, covering every row, the first of FIRST_CHUNK_ROWS and
    each next one twice the one before up to CHUNK_ROWS (the server starts early, and Python keeps
    ahead of it)."""
    from ingest.pipeline import chunk_bounds

    assert chunk_bounds(0) == [] and chunk_bounds(7) == [(0, 7)]
    assert [hi - lo for lo, hi in chunk_bounds(1_000_000)] == [50_000, 100_000, 200_000, 200_000, 200_000, 200_000,
                                                               50_000]
    bounds = chunk_bounds(777_777)
    assert bounds[0][0] == 0 and bounds[-1][1] == 777_777 and all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
