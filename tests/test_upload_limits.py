"""Upload memory bombs: a few-KB file must not cost gigabytes or minutes. A sparse workbook (a
header and one cell at row 10,000,000), a zip bomb, a declared sheet dimension beyond the row limit,
a CSV of one 60 MB line, and the parse deadline: each is refused early with an intake error that
says what and where, with bounded memory, on every channel (API, upload page, CLI)."""

from __future__ import annotations

import base64
import io
import struct
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from ingest.bounds import ReadBudget
from ingest.formats import parse
from ingest.issues import Findings
from ingest.pipeline import IntakeLimits

HEADER = ("indicator_code", "area_code", "period", "value")
SHEET = "xl/worksheets/sheet1.xml"
MAX_ROWS = 2_000_000  # the default row limit
PEAK_BYTES = 50 * 1024 * 1024  # traced allocations while refusing a bomb
REFUSE_S = 2.0


def base_workbook(title: str = "Báo cáo") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(HEADER)
    ws.append(("CPI_YOY", "VN", "202510", 3.1))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def with_sheet(sheet_xml: bytes | None = None, *, chunks=None, title: str = "Báo cáo") -> bytes:
    """The openpyxl workbook with its sheet XML replaced by ``sheet_xml`` or by the byte strings
    ``chunks`` yields (streamed into the zip, so a huge member never sits in memory)."""
    src = zipfile.ZipFile(io.BytesIO(base_workbook(title)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != SHEET:
                dst.writestr(info.filename, src.read(info.filename))
                continue
            with dst.open(SHEET, "w", force_zip64=True) as f:
                for part in ([sheet_xml] if chunks is None else chunks):
                    f.write(part)
    return out.getvalue()


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows: list[tuple[int, list[str]]], dimension: str | None = None, tail: str = "</sheetData></worksheet>") -> bytes:
    head = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    if dimension:
        head += f'<dimension ref="{dimension}"/>'
    body = "".join(f'<row r="{r}">' + "".join(cell(f"{'ABCD'[i]}{r}", v) for i, v in enumerate(vals)) + "</row>"
                   for r, vals in rows)
    return (head + "<sheetData>" + body + tail).encode()


def header_row() -> tuple[int, list[str]]:
    return 1, list(HEADER)


def sparse_workbook() -> bytes:
    """A header and one cell at row 10,000,000, no declared dimension: a few KB."""
    return with_sheet(sheet_xml([header_row(), (10_000_000, ["CPI_YOY"])]))


def measured(payload: bytes, filename: str, budget: ReadBudget | None = None, max_rows: int = MAX_ROWS):
    """Parse under tracemalloc: (findings, parsed, seconds, peak traced bytes)."""
    findings = Findings()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        parsed = parse(payload, filename, findings, max_rows, budget=budget)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return findings, parsed, elapsed, peak


def codes(findings: Findings) -> list[str]:
    return [e.code for e in findings.errors]


# -- XLSX ---------------------------------------------------------------------------------------


@pytest.mark.heavy  # a heap measurement
def test_upl001_sparse_workbook_refused_quickly_with_bounded_memory():
    payload = sparse_workbook()
    assert len(payload) < 10_000
    findings, parsed, elapsed, peak = measured(payload, "sparse.xlsx")
    assert parsed is None and codes(findings) == ["sheet_too_many_rows"]
    issue = findings.errors[0]
    assert issue.row == 10_000_000
    assert "Báo cáo" in issue.message_vi and "Báo cáo" in issue.message_en
    assert "10000000" in issue.message_en and f"{MAX_ROWS}" in issue.message_en
    assert elapsed < REFUSE_S, elapsed
    assert peak < PEAK_BYTES, peak


def test_upl002_declared_dimension_beyond_the_limit_is_refused_up_front():
    # two real rows, but the sheet declares three million: refused before any row is read
    payload = with_sheet(sheet_xml([header_row(), (2, ["CPI_YOY", "VN", "202510", "3,1"])], dimension="A1:D3000000"))
    findings, parsed, elapsed, peak = measured(payload, "dim.xlsx")
    assert parsed is None and codes(findings) == ["sheet_dimension_too_large"]
    assert "A1:D3000000" in findings.errors[0].message_en and "Báo cáo" in findings.errors[0].message_vi
    assert elapsed < REFUSE_S and peak < PEAK_BYTES
    # a dimension within the limit reads as before
    ok = with_sheet(sheet_xml([header_row(), (2, ["CPI_YOY", "VN", "202510", "3,1"])], dimension="A1:D2"))
    findings = Findings()
    parsed = parse(ok, "ok.xlsx", findings, MAX_ROWS)
    assert findings.errors == [] and parsed.observations["value_text"].tolist() == ["3,1"]


def test_upl003_rows_counted_while_streaming_and_reading_stops_at_the_limit_plus_one():
    rows = [header_row()] + [(r, ["CPI_YOY", "VN", "202510", str(r)]) for r in range(2, 13)]
    # after row 12 (the 11th data row) the XML is broken: a reader that went on would call the file
    # unreadable; one that stopped at max_rows + 1 = 11 data rows says too many rows
    payload = with_sheet(sheet_xml(rows, tail='<row r="13"><c r="A13"><v>1</v></broken>'))
    findings = Findings()
    assert parse(payload, "rows.xlsx", findings, 10) is None
    assert codes(findings) == ["sheet_too_many_rows"] and findings.errors[0].row == 12
    # exactly at the limit: accepted
    findings = Findings()
    parsed = parse(with_sheet(sheet_xml(rows[:11])), "rows.xlsx", findings, 10)
    assert findings.errors == [] and len(parsed.observations) == 10


def test_upl004_zip_bomb_refused_by_ratio_before_parsing():
    spaces = b" " * (1 << 20)
    payload = with_sheet(chunks=[sheet_xml([header_row()], tail="")] + [spaces] * 256 + [b"</sheetData></worksheet>"])
    assert len(payload) < 2 * 1024 * 1024  # 256 MB of XML in a file of a few hundred KB
    findings, parsed, elapsed, peak = measured(payload, "bomb.xlsx")
    assert parsed is None and codes(findings) == ["zip_ratio_too_high"]
    assert SHEET in findings.errors[0].message_en and SHEET in findings.errors[0].message_vi
    assert elapsed < REFUSE_S and peak < PEAK_BYTES


def test_upl005_unzipped_size_checked_declared_and_counted_while_streaming():
    import random

    rnd = random.Random(5)
    rows = [header_row()] + [(r, ["CPI_YOY", "VN", "202510", str(rnd.random())]) for r in range(2, 20_000)]
    payload = with_sheet(sheet_xml(rows))
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(payload)).infolist())
    # declared total beyond the budget: refused before parsing
    findings = Findings()
    assert parse(payload, "big.xlsx", findings, MAX_ROWS, budget=ReadBudget(max_unzipped_bytes=declared - 1)) is None
    assert codes(findings) == ["zip_too_large"]
    # counted while streaming: the budget is spent by what is actually inflated, not what the
    # headers say; a budget that the headers satisfy but the bytes read so far exceed is refused
    budget = ReadBudget(max_unzipped_bytes=declared)
    budget.spend_unzipped(declared // 2, "earlier read")  # as if half had been read already
    findings = Findings()
    assert parse(payload, "big.xlsx", findings, MAX_ROWS, budget=budget) is None
    assert codes(findings) == ["zip_too_large"]


def _lie_about_size(payload: bytes, member: str, size: int) -> bytes:
    """Write ``size`` as the uncompressed size of ``member`` in its local and central headers."""
    data = bytearray(payload)
    info = zipfile.ZipFile(io.BytesIO(payload)).getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, size)  # local file header
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46:pos + 46 + name_len]) == member.encode():
            struct.pack_into("<I", data, pos + 24, size)  # central directory
        pos = data.find(b"PK\x01\x02", pos + 4)
    return bytes(data)


def test_upl006_member_whose_header_lies_about_its_size_is_refused():
    payload = with_sheet(chunks=[sheet_xml([header_row()], tail="")] + [b" " * (1 << 20)] * 64
                         + [b"</sheetData></worksheet>"])
    with zipfile.ZipFile(io.BytesIO(payload)) as zf:
        assert zf.getinfo(SHEET).file_size == (64 << 20) + len(sheet_xml([header_row()], tail="")) + 24
    liar = _lie_about_size(payload, SHEET, 4000)  # says 4 KB, inflates to 64 MB
    findings, parsed, elapsed, peak = measured(liar, "liar.xlsx")
    assert parsed is None and codes(findings) == ["zip_damaged"]
    assert SHEET in findings.errors[0].message_en
    assert elapsed < REFUSE_S and peak < PEAK_BYTES


def test_upl007_too_many_zip_members_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for i in range(20):
            zf.writestr(f"x/{i}.xml", b"<a/>")
    findings = Findings()
    assert parse(out.getvalue(), "many.xlsx", findings, MAX_ROWS, budget=ReadBudget(max_zip_members=10)) is None
    assert codes(findings) == ["zip_too_many_members"]


# -- CSV -----------------------------------------------------------------------------------------


def test_upl010_csv_of_one_60_mb_line_refused_without_building_it():
    payload = b"a," * (30 * 1024 * 1024)  # 60 MB, one line of 31 million fields
    findings, parsed, elapsed, peak = measured(payload, "line.csv")
    assert parsed is None and codes(findings) == ["line_too_long"]
    assert findings.errors[0].row == 1 and "1048576" in findings.errors[0].message_en
    assert elapsed < REFUSE_S and peak < PEAK_BYTES


def test_upl011_csv_with_one_huge_field_refused():
    payload = b"indicator_code,area_code,period,value,note\nCPI_YOY,VN,202510,3.1," + b"x" * (20 * 1024 * 1024) + b"\n"
    findings, parsed, elapsed, peak = measured(payload, "field.csv")
    assert parsed is None and codes(findings) == ["line_too_long"] and findings.errors[0].row == 2
    assert elapsed < REFUSE_S and peak < PEAK_BYTES
    # a quoted field that spans many short lines is caught on the field's own length
    quoted = b'indicator_code,area_code,period,value,note\nCPI_YOY,VN,202510,3.1,"' + b"x\n" * (600 * 1024) + b'"\n'
    findings = Findings()
    assert parse(quoted, "quoted.csv", findings, MAX_ROWS, budget=ReadBudget(max_line_bytes=1 << 20)) is None
    assert codes(findings) == ["field_too_long"]
    assert findings.errors[0].row == 2 and findings.errors[0].column == "note"


def test_upl012_csv_header_wider_than_the_column_limit_refused():
    payload = (",".join(list(HEADER) + [f"c{i}" for i in range(2000)]) + "\nCPI_YOY,VN,202510,3.1\n").encode()
    findings = Findings()
    assert parse(payload, "wide.csv", findings, MAX_ROWS) is None
    assert codes(findings) == ["too_many_columns"] and "1000" in findings.errors[0].message_en


def test_upl013_csv_rows_counted_on_the_bytes_before_decoding():
    payload = ("indicator_code,area_code,period,value\n" + "CPI_YOY,VN,202510,3.1\n" * 50).encode()
    findings = Findings()
    assert parse(payload, "rows.csv", findings, 10) is None
    assert codes(findings) == ["too_many_rows"]


# -- the deadline -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_upl020_parse_deadline_checked_while_reading(kind):
    rows = [header_row()] + [(r, ["CPI_YOY", "VN", "202510", str(r)]) for r in range(2, 200)]
    if kind == "xlsx":
        payload = with_sheet(sheet_xml(rows))
    else:
        payload = "\n".join(",".join(v) for _, v in rows).encode()
    findings = Findings()
    assert parse(payload, f"slow.{kind}", findings, MAX_ROWS, budget=ReadBudget(parse_seconds=0.0)) is None
    assert codes(findings) == ["parse_timeout"]
    assert "0" in findings.errors[0].message_en
    findings = Findings()
    assert parse(payload, f"slow.{kind}", findings, MAX_ROWS, budget=ReadBudget(parse_seconds=30.0)) is not None


def test_upl021_budget_from_settings_and_environment(monkeypatch):
    from settings import Settings

    monkeypatch.setenv("INTAKE_PARSE_SECONDS", "12.5")
    monkeypatch.setenv("INTAKE_MAX_UNZIPPED_BYTES", "1000000")
    monkeypatch.setenv("INTAKE_MAX_ZIP_RATIO", "40")
    monkeypatch.setenv("INTAKE_MAX_LINE_BYTES", "5000")
    monkeypatch.setenv("INTAKE_MAX_COLUMNS", "30")
    monkeypatch.setenv("INTAKE_MAX_ROWS", "77")
    settings = Settings.from_env()
    limits = IntakeLimits.from_settings(settings)
    assert (limits.parse_seconds, limits.max_unzipped_bytes, limits.max_zip_ratio, limits.max_line_bytes,
            limits.max_columns, limits.max_rows) == (12.5, 1_000_000, 40, 5000, 30, 77)
    budget = limits.read_budget()
    assert budget.max_rows == 77 and budget.max_line_bytes == 5000 and 12 < budget.remaining() <= 12.5
    # the test settings' extra still overrides
    assert IntakeLimits.from_settings(settings.with_(extra={"intake_max_rows": 5})).max_rows == 5


# -- every channel -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def channels_app(databases, tmp_path_factory):
    from app import create_app
    from tests.conftest import build_warehouse, make_settings

    url = databases.new("sqlite")
    tmp = tmp_path_factory.mktemp("upload-limits")
    engine = build_warehouse(url, tmp)
    app = create_app(make_settings(url, tmp))
    yield app, tmp
    app.extensions["warehouse"].dispose()
    engine.dispose()


def test_upl030_every_channel_refuses_the_sparse_workbook(channels_app):
    import re

    from dashboards.submit import upload

    app, tmp = channels_app
    payload = sparse_workbook()
    runner = app.test_cli_runner()
    made = runner.invoke(args=["create-token", "--unit", "TK"])
    token = made.output.strip().splitlines()[-1]
    # API, raw body and multipart
    client = app.test_client()
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    res = client.post("/api/v1/submissions?filename=sparse.xlsx", data=payload, content_type=xlsx,
                      headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 422 and [e["code"] for e in res.json["errors"]] == ["sheet_too_many_rows"]
    res = client.post("/api/v1/submissions", data={"file": (io.BytesIO(payload), "sparse.xlsx")},
                      headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 422 and res.json["errors"][0]["row"] == 10_000_000
    # the upload page's callback
    contents = "data:application/octet-stream;base64," + base64.b64encode(payload).decode()
    with app.test_request_context("/_dash-update-component", method="POST"):
        view = upload(contents, "sparse.xlsx", "TK", "en")
    assert re.search(r"Row 10000000 of sheet 'Báo cáo'", str(view)), str(view)[:2000]
    # the CLI
    path = tmp / "sparse.xlsx"
    path.write_bytes(payload)
    result = runner.invoke(args=["ingest", str(path), "--unit", "TK"])
    assert result.exit_code == 1 and "sheet_too_many_rows" in result.output, result.output


def test_upl031_every_channel_applies_the_environment_budget(channels_app, monkeypatch):
    """The row limit of the settings reaches the reader through the API as through the CLI."""
    app, tmp = channels_app
    payload = with_sheet(sheet_xml([header_row()] + [(r, ["CPI_YOY", "VN", "202510", "1"]) for r in range(2, 8)]))
    small = app.config["SETTINGS"].with_(extra={"intake_max_rows": 3})
    monkeypatch.setitem(app.config, "SETTINGS", small)
    token = app.test_cli_runner().invoke(args=["create-token", "--unit", "TK"]).output.strip().splitlines()[-1]
    res = app.test_client().post("/api/v1/submissions", data={"file": (io.BytesIO(payload), "rows.xlsx")},
                                 headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 422 and [(e["code"], e["row"]) for e in res.json["errors"]] == [("sheet_too_many_rows", 5)]
