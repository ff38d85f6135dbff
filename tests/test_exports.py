# size: the tests of every export kind and format
"""Issue 7: briefing exports. Every chart kind in every format through the routes, the files read
back (PNG size, SVG parsed, PDF text, CSV and XLSX values equal to the data-access query behind
the chart), file names, packs (PPTX and PDF, a long table across pages), bad specs, the audit
hook, the persistent browser, the export menu and the briefing page's callback."""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import re
import signal
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import pandas as pd
import plotly.graph_objects as go
import pytest

from exports import specs as S

DAY = "2026-11-25"  # the seeded warehouse's latest daily figures
KIND_SPECS = {
    "trend": {"kind": "trend", "indicator": "EXPORTS", "areas": ["VN"], "start": "201501", "end": "202611"},
    "ranking": {"kind": "ranking", "indicator": "EXPORTS", "period": "202610"},
    "regional": {"kind": "regional", "indicator": "EXPORTS", "period": "202610"},
    "map": {"kind": "map", "indicator": "EXPORTS", "period": "202610"},
    "kpi_tiles": {"kind": "kpi_tiles", "area": "VN"},
    "daily": {"kind": "daily", "day": DAY},
}
TITLES_VI = {
    "trend": "Kim ngạch xuất khẩu hàng hóa",
    "ranking": "Kim ngạch xuất khẩu hàng hóa: xếp hạng các tỉnh, thành phố",
    "regional": "Kim ngạch xuất khẩu hàng hóa theo vùng",
    "map": "Kim ngạch xuất khẩu hàng hóa: bản đồ các tỉnh, thành phố",
    "kpi_tiles": "Các chỉ tiêu chủ yếu",
    "daily": "Chỉ tiêu hằng ngày",
}
STEMS = {
    "trend": "EXPORTS_VN_2015-01_2026-11", "ranking": "EXPORTS_PROVINCES_2026-10", "regional": "EXPORTS_REGIONS_2026-10",
    "map": "EXPORTS_MAP_2026-10", "kpi_tiles": "HEADLINE_VN", "daily": "DAILY_VN_2026-11-25",
}
TEN = [
    KIND_SPECS["trend"],
    {"kind": "trend", "indicator": "GDP_GROWTH", "areas": ["VN", "R1", "01"]},
    {"kind": "trend", "indicator": "CPI_YOY", "mode": "yoy"},
    {"kind": "ranking", "indicator": "GDP_GROWTH"},
    {"kind": "ranking", "indicator": "EXPORTS", "period": "202406"},
    {"kind": "ranking", "indicator": "GDP_GROWTH", "level": "region"},
    KIND_SPECS["regional"],
    KIND_SPECS["map"],
    KIND_SPECS["kpi_tiles"],
    KIND_SPECS["daily"],
]
FILE_NAME = re.compile(r'attachment; filename="([A-Za-z0-9_.-]+)"')


def words(text: str) -> str:
    return " ".join(text.split())


def get_file(client, spec: dict, fmt: str, lang: str = "vi"):
    res = client.get(f"/export/chart.{fmt}", query_string={"spec": S.encode_spec(spec), "lang": lang})
    assert res.status_code == 200, res.get_data(as_text=True)
    name = FILE_NAME.fullmatch(res.headers["Content-Disposition"]).group(1)
    return res.get_data(), name


# --- the query behind each chart, called directly ------------------------------------------------------------


def query_frame(kind: str, spec: dict) -> pd.DataFrame:
    """What the data access returns for the chart (in a request context), without the exports code."""
    from data_access import daily, queries
    from data_access.catalogue import indicators_frame
    from data_access.series import series_with_change

    if kind == "trend":
        return series_with_change(spec["indicator"], tuple(spec["areas"]), spec["start"], spec["end"], False)
    if kind in ("ranking", "map"):
        return queries.cross_section(spec["indicator"], spec["period"], "province")
    if kind == "regional":
        return queries.regional_aggregates(spec["indicator"], spec["period"])
    if kind == "daily":
        return daily.daily_indicators(date.fromisoformat(spec["day"]))
    codes = tuple(indicators_frame(headline=True)["code"])
    rows = [{f: getattr(k, f) for f in S.KPI_COLUMNS if hasattr(k, f)} for k in queries.kpi_snapshot(codes, "VN")]
    return pd.DataFrame(rows)


def norm(value):
    """One comparable form for a cell of the frame, the XLSX or the CSV."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    return value


def same(got, want, from_csv: bool = False) -> bool:
    """``want`` is :func:`norm` of the frame's cell; ``got`` the file's cell (raw text for a CSV)."""
    if from_csv:
        if want is None:
            return got == ""
        if isinstance(want, bool):
            return got == str(want)
        if isinstance(want, float):
            return math.isclose(float(got), want, rel_tol=1e-12, abs_tol=1e-12)
        return got == str(want)
    if isinstance(got, datetime) and isinstance(want, str) and len(want) == 10:  # a date cell reads back as midnight
        got = got.date()
    got = norm(got)
    if isinstance(got, float) and isinstance(want, float):
        return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12)
    return got == want


def assert_table_equals_query(header: list[str], rows: list[list], frame: pd.DataFrame, *, from_csv: bool = False,
                              lang: str = "vi") -> None:
    from exports.files import column_label

    assert len(rows) == len(frame) > 0
    for column in frame.columns:
        j = header.index(column_label(column, lang))
        for i, expected in enumerate(frame[column].tolist()):
            assert same(rows[i][j], norm(expected), from_csv), (column, i, rows[i][j], expected)


# --- specs without a database ---------------------------------------------------------------------------------


def test_exp001_specs_validate_without_a_database():
    # the directions' measures are built and exported in tests/test_directions_screens.py::test_dsc022
    assert set(S.KINDS) == set(KIND_SPECS) | {"direction_measures"}, "a new chart kind needs its line in KIND_SPECS"
    assert S.validate('{"kind": "trend", "indicator": "EXPORTS", "start": "202501 "}')["start"] == "202501"
    assert S.validate({"kind": "trend", "indicator": "X", "areas": "VN,R1"})["areas"] == ["VN", "R1"]
    bad = [
        ("[1]", None), ("{", None), ({"kind": "pie"}, "kind"), ({"kind": "trend"}, "indicator"),
        ({"kind": "trend", "indicator": "EXPORTS", "colour": "red"}, "colour"),
        ({"kind": "trend", "indicator": "EXPORTS", "start": "2025-13"}, "start"),
        ({"kind": "trend", "indicator": "EXPORTS", "areas": []}, "areas"),
        ({"kind": "trend", "indicator": "EXPORTS", "areas": ["VN"] * 20 + ["X" + str(i) for i in range(13)]}, "areas"),
        ({"kind": "trend", "indicator": "a b"}, "indicator"), ({"kind": "trend", "indicator": "EXPORTS", "mode": "x"}, "mode"),
        ({"kind": "trend", "indicator": "EXPORTS", "comparable": "yes"}, "comparable"),
        ({"kind": "daily", "day": "25/11/2026"}, "day"), ({"kind": "ranking", "indicator": "X", "level": "x"}, "level"),
        ("x" * 5000, None),
    ]
    for raw, field in bad:
        with pytest.raises(S.SpecError) as err:
            S.validate(raw)
        assert err.value.field == field, raw


def test_exp002_spec_and_pack_transport_round_trip():
    spec = {"kind": "trend", "indicator": "EXPORTS", "areas": ["VN", "01"], "start": "201501", "end": "202611"}
    text = S.encode_spec(spec)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", text)
    assert S.validate(S.decode_spec(text)) == spec
    assert S.decode_spec(json.dumps(spec)) == json.dumps(spec)
    title, specs = S.decode_pack(S.encode_pack("Báo cáo giao ban ngày 29/11/2026", TEN))
    assert title == "Báo cáo giao ban ngày 29/11/2026" and specs == TEN
    for bad in ("%%%", S.encode_spec({"t": 1})):
        with pytest.raises(S.SpecError):
            S.decode_pack(bad)


def test_exp003_decorated_figure_keeps_title_notes_and_source_apart():
    """Pure: the export look puts the title in the top margin and the notes and source line in the
    bottom margin (below the plot area), in pixels that add up."""
    import plotly.graph_objects as go

    from exports.figures import HEIGHT, decorate

    meta = S.Meta(kind="trend", lang="vi", title="Kim ngạch xuất khẩu hàng hóa", unit="tỷ USD", period="Tháng 11/2026",
                  area="Cả nước", source="Cục Thống kê", as_of=datetime(2026, 11, 26, 7), notes=("Số liệu sơ bộ: …",))
    fig = decorate(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])).update_xaxes(title_text="x"), meta)
    layout = fig.layout
    assert layout.width == 1920 and layout.height == HEIGHT
    assert "Kim ngạch xuất khẩu hàng hóa" in layout.title.text
    assert layout.title.subtitle.text == "Đơn vị tính: tỷ USD · Kỳ: Tháng 11/2026 · Địa bàn: Cả nước"
    foot = [a for a in layout.annotations if a.name == "export-footer"]
    assert [a.text for a in foot] == [meta.source_line(), "Số liệu sơ bộ: …"]
    assert "Nguồn: Cục Thống kê" in foot[0].text and "07:00 26/11/2026" in foot[0].text and "Dữ liệu minh họa" in foot[0].text
    plot_h = HEIGHT - layout.margin.t - layout.margin.b
    for a in foot:  # inside the bottom margin, under the x axis and its title
        assert -layout.margin.b / plot_h < a.y < -100 / plot_h
    assert layout.margin.t >= 150 and layout.font.size > 13


# --- every kind in every format, through the routes -------------------------------------------------------------


@pytest.fixture
def sqlite_app(databases, tmp_path):
    from app import create_app
    from tests.conftest import make_settings, seeded_url_for

    server = create_app(make_settings(seeded_url_for("sqlite", databases), tmp_path))
    yield server
    server.extensions["warehouse"].dispose()


@pytest.mark.parametrize("kind", sorted(KIND_SPECS))
@pytest.mark.render
def test_exp004_every_kind_in_every_format(sqlite_app, kind):
    from PIL import Image
    from pypdf import PdfReader

    client = sqlite_app.test_client()
    spec, title, today = KIND_SPECS[kind], TITLES_VI[kind], date.today().isoformat()

    png, name = get_file(client, spec, "png")
    assert name == f"{STEMS[kind]}_{today}.png"
    image = Image.open(io.BytesIO(png))
    assert image.size == (3840, 2160)
    assert len(set(image.convert("L").resize((64, 36)).getdata())) > 3  # something was drawn

    svg, name = get_file(client, spec, "svg")
    assert name == f"{STEMS[kind]}_{today}.svg"
    text = "".join(ET.fromstring(svg).itertext())
    assert title in text and "Dữ liệu minh họa" in text and "Nguồn:" in text

    pdf, name = get_file(client, spec, "pdf")
    reader = PdfReader(io.BytesIO(pdf))
    assert name.endswith(".pdf") and len(reader.pages) == 1
    page = words(reader.pages[0].extract_text())
    assert title in page and "Dữ liệu minh họa" in page

    body, name = get_file(client, spec, "csv")
    assert name == f"{STEMS[kind]}_{today}.csv"
    assert body.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header, rows = table[0], table[1:]

    xlsx, name = get_file(client, spec, "xlsx")
    assert name == f"{STEMS[kind]}_{today}.xlsx"
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == ["Dữ liệu", "Thông tin"]
    data = list(book["Dữ liệu"].iter_rows(values_only=True))
    assert list(data[0]) == header  # the same columns in both files
    meta = {r[0]: r[1] for r in book["Thông tin"].iter_rows(values_only=True)}
    assert meta["Biểu đồ"] == title
    for label in ("Chỉ tiêu", "Khái niệm, phương pháp tính", "Đơn vị tính", "Nguồn số liệu", "Kỳ số liệu", "Địa bàn",
                  "Số liệu cập nhật", "Ghi chú"):
        assert meta.get(label), label
    assert meta["Dữ liệu minh họa"].startswith("Số liệu trên hệ thống là dữ liệu tổng hợp minh họa")
    if kind in ("trend", "ranking", "regional", "map"):
        assert meta["Chỉ tiêu"] == "Kim ngạch xuất khẩu hàng hóa (EXPORTS)"
        assert meta["Nguồn số liệu"] == "Cục Thống kê (Bộ Tài chính)"
        assert meta["Đơn vị tính"] == "tỷ USD"
    with sqlite_app.test_request_context("/"):
        frame = query_frame(kind, spec)
    assert_table_equals_query(header, rows, frame, from_csv=True)
    assert_table_equals_query(list(data[0]), [list(r) for r in data[1:]], frame)


@pytest.mark.parametrize("kind", ["trend", "ranking", "kpi_tiles"])
def test_exp005_data_files_equal_the_query_on_both_backends(seeded_app, kind):
    """CSV and XLSX are built from the same query on PostgreSQL as on SQLite (no browser needed)."""
    from openpyxl import load_workbook

    client = seeded_app.test_client()
    body, _ = get_file(client, KIND_SPECS[kind], "csv")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    xlsx, _ = get_file(client, KIND_SPECS[kind], "xlsx")
    data = list(load_workbook(io.BytesIO(xlsx))["Dữ liệu"].iter_rows(values_only=True))
    with seeded_app.test_request_context("/"):
        frame = query_frame(kind, KIND_SPECS[kind])
    assert_table_equals_query(table[0], table[1:], frame, from_csv=True)
    assert_table_equals_query(list(data[0]), [list(r) for r in data[1:]], frame)


@pytest.mark.render
def test_exp006_english_exports(sqlite_app):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    client = sqlite_app.test_client()
    body, _ = get_file(client, KIND_SPECS["trend"], "csv", "en")
    header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header[:4] == ["Area key", "Area", "Period", "Period label"]
    book = load_workbook(io.BytesIO(get_file(client, KIND_SPECS["trend"], "xlsx", "en")[0]))
    assert book.sheetnames == ["Data", "About"]
    assert book["Data"]["D2"].value == "Jan 2015"
    pdf, _ = get_file(client, KIND_SPECS["ranking"], "pdf", "en")
    text = words(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert "Merchandise exports: provinces ranked" in text and "Illustrative data" in text


def test_exp007_bad_specs_are_400_with_json(sqlite_app):
    client = sqlite_app.test_client()
    cases = [
        ("/export/chart.png", {}, "spec"),
        ("/export/chart.png", {"spec": "eyJ"}, None),
        ("/export/chart.csv", {"spec": '{"kind": "trend", "indicator": "NOPE"}'}, "indicator"),
        ("/export/chart.csv", {"spec": '{"kind": "pie"}'}, "kind"),
        ("/export/chart.csv", {"spec": '{"kind": "trend", "indicator": "EXPORTS", "start": "2025Q1"}'}, "start"),
        ("/export/chart.csv", {"spec": '{"kind": "trend", "indicator": "EXPORTS", "areas": ["XX"]}'}, "areas"),
        ("/export/chart.csv", {"spec": '{"kind": "trend", "indicator": "INFLATION_TARGET_X"}'}, "indicator"),
        ("/export/chart.csv", {"spec": '{"kind": "ranking", "indicator": "FX_RESERVES"}'}, "indicator"),
        ("/export/chart.csv", {"spec": '{"kind": "map", "indicator": "EXPORTS", "region": "R9"}'}, "region"),
        ("/export/chart.xlsx", {"spec": '{"kind": "kpi_tiles", "area": "R1"}'}, "area"),
        ("/export/pack.pdf", {"pack": "!!"}, None),
        ("/export/pack.pdf", {}, "pack"),
    ]
    for path, query, field in cases:
        res = client.get(path, query_string=query)
        assert res.status_code == 400, (path, query, res.status_code)
        body = res.get_json()
        assert body["error"] == "bad_spec" and body["message"] and body["field"] == field, body
    res = client.get("/export/chart.gif", query_string={"spec": S.encode_spec(KIND_SPECS["trend"])})
    assert res.status_code == 404 and res.get_json()["error"] == "unknown_format"
    for body in ({"specs": []}, {"specs": [KIND_SPECS["daily"]] * 31}, {"specs": "x"},
                 {"specs": [KIND_SPECS["daily"], {"kind": "trend", "indicator": "NOPE"}]}):
        res = client.post("/export/pack.pptx", json=body)
        assert res.status_code == 400 and res.get_json()["error"] == "bad_spec", body
    assert "chart 2" in res.get_json()["message"]


# --- packs -----------------------------------------------------------------------------------------------------------


@pytest.mark.render
def test_exp008_ten_chart_pptx(sqlite_app):
    from pptx import Presentation

    client = sqlite_app.test_client()
    res = client.post("/export/pack.pptx", json={"title": "Báo cáo giao ban ngày 29/11/2026", "specs": TEN, "lang": "vi"})
    assert res.status_code == 200, res.get_data(as_text=True)
    name = FILE_NAME.fullmatch(res.headers["Content-Disposition"]).group(1)
    assert name == f"BRIEFING_Bao-cao-giao-ban-ngay-29-11-2026_{date.today().isoformat()}.pptx"
    prs = Presentation(io.BytesIO(res.get_data()))
    slides = list(prs.slides)
    assert len(slides) == 11
    cover = " ".join(s.text_frame.text for s in slides[0].shapes if s.has_text_frame)
    assert "Báo cáo giao ban ngày 29/11/2026" in cover and "DỮ LIỆU MINH HỌA" in cover
    assert date.today().strftime("%d/%m/%Y") in cover
    with sqlite_app.test_request_context("/"):
        metas = [S.build(s, "vi").meta for s in TEN]
    for slide, meta in zip(slides[1:], metas, strict=True):
        assert slide.shapes.title.text == meta.title and "Click to add" not in slide.shapes.title.text
        pictures = [s for s in slide.shapes if s.shape_type == 13]
        assert len(pictures) == 1 and pictures[0].image.content_type == "image/png"
        notes = slide.notes_slide.notes_text_frame.text
        assert meta.source_line() in notes and all(n in notes for n in meta.notes)
        assert f"Nguồn: {meta.source}" in notes and "Số liệu cập nhật:" in notes
        body = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        assert meta.subtitle() in body and "Dữ liệu minh họa" in body
    assert slides[1].shapes.title.text == "Kim ngạch xuất khẩu hàng hóa"


@pytest.mark.render
def test_exp009_ten_chart_pdf(sqlite_app):
    from pypdf import PdfReader

    client = sqlite_app.test_client()
    res = client.post("/export/pack.pdf", data={"title": "Giao ban sáng thứ Hai", "specs": json.dumps(TEN), "lang": "vi"},
                      headers={"Origin": "http://localhost"})
    assert res.status_code == 200, res.get_data(as_text=True)
    reader = PdfReader(io.BytesIO(res.get_data()))
    pages = [words(p.extract_text()) for p in reader.pages]
    assert len(pages) > 11  # cover, ten charts, the appendix
    assert "Giao ban sáng thứ Hai" in pages[0] and "DỮ LIỆU MINH HỌA" in pages[0]
    with sqlite_app.test_request_context("/"):
        metas = [S.build(s, "vi").meta for s in TEN]
    for page, meta in zip(pages[1:11], metas, strict=True):  # one chart a page, in order, fully drawn
        assert meta.title in page and "Dữ liệu minh họa" in page
    assert "Kim ngạch xuất khẩu hàng hóa" in pages[1]
    appendix = " ".join(pages[11:])
    assert "Phụ lục: bảng số liệu" in appendix
    for meta in metas:
        assert meta.title in appendix
    for i, page in enumerate(pages, start=1):
        assert f"Trang {i}/{len(pages)}" in page  # footer with page numbers on every page


@pytest.mark.render
def test_exp010_long_table_continues_across_pages_with_its_header(sqlite_app):
    """A trend of the nation, Hà Nội and the five first regions of the 63-province era: 916 rows."""
    from pypdf import PdfReader

    spec = {"kind": "trend", "indicator": "EXPORTS", "areas": ["VN", "01", "R1-63", "R2-63", "R3-63", "R4-63", "R5-63"],
            "start": "201501", "end": "202611"}
    client = sqlite_app.test_client()
    res = client.get("/export/pack.pdf", query_string={"pack": S.encode_pack("Bảng dài", [spec])})
    assert res.status_code == 200, res.get_data(as_text=True)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(res.get_data())).pages]
    table_pages = pages[2:]  # after the cover and the chart
    assert len(table_pages) > 10
    header = "Địa bàn Kỳ Giá trị (tỷ USD) Cùng kỳ năm trước Thay đổi so với cùng kỳ (%) Tình trạng số liệu"
    for page in table_pages:
        assert header in words(page)  # the header repeats on every page of the table
    with sqlite_app.test_request_context("/"):
        chart = S.build(spec, "vi")
    rows = chart.table.rows
    assert len(rows) > 900
    lines = [words(line) for page in table_pages for line in page.splitlines()]
    row_lines = [line for line in lines if re.match(r"^.+ Tháng \d{1,2}/\d{4} [\d.]+,\d\d( |$)", line)]
    assert len(row_lines) == len(rows)  # every row once: none lost, none cut in two
    last = rows[-1]
    assert last[1] == "Tháng 6/2025" and "(trước 07/2025)" in last[0]  # the last region of the 63-province era
    assert words(" ".join(v for v in last if v)) in words(pages[-1])  # the last row, whole, on the last page


@pytest.mark.render
def test_exp011_english_pack_and_get_link(sqlite_app):
    from pptx import Presentation

    client = sqlite_app.test_client()
    res = client.get("/export/pack.pptx", query_string={"pack": S.encode_pack("", TEN[:2]), "lang": "en"})
    assert res.status_code == 200
    slides = list(Presentation(io.BytesIO(res.get_data())).slides)
    assert slides[0].shapes.title.text == "Briefing pack"
    assert slides[1].shapes.title.text == "Merchandise exports"
    assert "Source: National Statistics Office" in slides[1].notes_slide.notes_text_frame.text


# --- the audit hook ---------------------------------------------------------------------------------------------------


@pytest.mark.render
def test_exp012_every_export_is_recorded(sqlite_app, caplog):
    from sqlalchemy import select

    from data_access import schema

    client = sqlite_app.test_client()
    caplog.set_level(logging.INFO, logger="exports.audit")
    get_file(client, KIND_SPECS["daily"], "csv")
    client.post("/export/pack.pptx", json={"title": "T", "specs": [KIND_SPECS["daily"]]})
    entries = [json.loads(r.getMessage().removeprefix("export ")) for r in caplog.records if r.name == "exports.audit"]
    assert [(e["kind"], e["format"]) for e in entries] == [("daily", "csv"), ("pack", "pptx")]
    assert entries[0]["spec"] == {"kind": "daily", "day": DAY} and entries[0]["who"] == "anonymous"
    assert entries[1]["spec"]["specs"] == [{"kind": "daily", "day": DAY}]
    engine = sqlite_app.extensions["warehouse"].engine
    with engine.connect() as conn:
        rows = conn.execute(select(schema.audit_log.c.action, schema.audit_log.c.target)
                            .where(schema.audit_log.c.action == "export")).all()
    assert ("export", "daily.csv") in rows and ("export", "pack.pptx") in rows


# --- the persistent browser -----------------------------------------------------------------------------------------


@pytest.mark.render
def test_exp013_browser_is_kept_shared_by_threads_and_restarted_when_it_dies():
    import plotly.graph_objects as go
    from PIL import Image

    from exports.render import renderer

    r = renderer()
    fig = go.Figure(go.Bar(x=["Hà Nội", "Huế"], y=[1, 2]))
    r.image(fig, "png", width=300, height=200)
    starts, pid = r.starts, r.browser_pid

    def render(width: int) -> tuple[int, tuple[int, int]]:
        return width, Image.open(io.BytesIO(r.image(fig, "png", width=width, height=200))).size

    with ThreadPoolExecutor(4) as pool:
        for width, size in pool.map(render, [200 + 10 * i for i in range(8)]):
            assert size == (width, 200)  # each thread got its own image
    assert (r.starts, r.browser_pid) == (starts, pid)  # one browser for all of them

    os.kill(pid, signal.SIGKILL)  # the browser this test's renderer started
    png = r.image(fig, "png", width=320, height=200)
    assert Image.open(io.BytesIO(png)).size == (320, 200)
    assert r.starts == starts + 1 and r.browser_pid != pid


# --- the export menu and the briefing page ---------------------------------------------------------------------------


def _props(node) -> dict:
    """The properties of a component or of a fast element."""
    return node["props"] if isinstance(node, dict) and "props" in node else getattr(node, "__dict__", {})


def _find(node, cls: str) -> list:
    out = []
    props = _props(node)
    if cls in (props.get("className") or "").split():
        out.append(node)
    children = props.get("children")
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, str):
            out.extend(_find(child, cls))
    return out


def test_exp014_export_menu_links_and_basket_item(sqlite_app):
    from exports.menu import chart_menu, ids

    spec = KIND_SPECS["trend"]
    with sqlite_app.test_request_context("/"):
        menu = chart_menu(spec, "vi")
    links = [_props(link) for link in _find(menu, "export-link")]
    assert [link["children"] for link in links] == ["Ảnh PNG", "Ảnh SVG", "PDF", "Dữ liệu CSV", "Dữ liệu Excel (XLSX)"]
    for link, fmt in zip(links, ["png", "svg", "pdf", "csv", "xlsx"], strict=True):
        path, _, query = link["href"].partition("?")
        assert path == f"/export/chart.{fmt}" and link["download"] == ""
        encoded = dict(p.split("=", 1) for p in query.split("&"))["spec"]
        assert S.validate(S.decode_spec(encoded)) == spec
    store = [_props(c) for c in _props(menu)["children"] if (_props(c).get("id") or {}).get("type") == "export-item"][0]
    assert menu["namespace"] == "dash_html_components" and menu["type"] == "Div"
    assert store["data"]["spec"] == spec and store["data"]["title"].startswith("Kim ngạch xuất khẩu hàng hóa · Cả nước")
    add = _props(_find(menu, "export-add")[0])
    assert add["id"] == ids.add(store["id"]["aio_id"]) and add["children"] == "Thêm vào bộ tài liệu"
    # every link the menu builds is a file the server serves
    client = sqlite_app.test_client()
    assert client.get(links[3]["href"]).status_code == 200


def test_exp015_menu_hidden_from_viewers_who_may_not_export(seeded_url, tmp_path):
    from flask import g

    from app import create_app
    from auth.policy import Principal
    from exports.menu import chart_menu
    from tests.conftest import make_settings

    server = create_app(make_settings(seeded_url, tmp_path, auth_required=True))
    try:
        with server.test_request_context("/"):
            g.occ_principal = Principal(kind="user", role="reporter", name="r1")
            assert _props(chart_menu(KIND_SPECS["daily"], "vi"))["hidden"] is True
            g.occ_principal = Principal(kind="user", role="analyst", name="a1")
            assert _find(chart_menu(KIND_SPECS["daily"], "vi"), "export-link")
    finally:
        server.extensions["warehouse"].dispose()


def test_exp016_overview_and_daily_carry_their_menus(sqlite_app):
    from dashboards import daily, overview

    with sqlite_app.test_request_context("/"):
        page = overview.layout(lang="vi")
        tiles, _ = daily.render(DAY, None, None, "vi")
    menus = _find(page, "export-menu")
    assert len(menus) == 1 and S.decode_spec(_props(menus[0])["data-spec"])
    assert json.loads(S.decode_spec(_props(menus[0])["data-spec"])) == {"kind": "kpi_tiles", "area": "VN"}
    menus = _find(tiles, "export-menu")
    assert len(menus) == 1
    assert json.loads(S.decode_spec(_props(menus[0])["data-spec"])) == {"kind": "daily", "day": DAY}


def test_exp017_briefing_list_describes_the_basket(sqlite_app):
    from dashboards.briefing import render

    basket = {"items": [{"spec": KIND_SPECS["trend"], "title": "x"}, {"spec": {"kind": "trend", "indicator": "NOPE"},
                                                                      "title": "Biểu đồ cũ"},
                        {"spec": KIND_SPECS["daily"], "title": "y"}]}
    with sqlite_app.test_request_context("/"):
        rows, heading, specs, no_pptx, no_pdf = render(basket, {"lang": "vi"})
        empty = render({"items": []}, {"lang": "en"})
    assert heading == "Các biểu đồ (2)" and (no_pptx, no_pdf) == (False, False)
    assert json.loads(specs) == [KIND_SPECS["trend"], KIND_SPECS["daily"]]
    titles = [r.children[1].children[0].children for r in rows]
    assert titles[0] == "Kim ngạch xuất khẩu hàng hóa · Cả nước · Tháng 1/2015 – Tháng 11/2026"
    assert titles[1] == "Biểu đồ cũ" and "brief-item-invalid" in rows[1].className
    assert titles[2] == "Chỉ tiêu hằng ngày · 25/11/2026"
    assert rows[0].children[2].children[0].disabled is True  # the first cannot move up
    assert empty[1] == "Charts (0)" and empty[3] is True and "empty" in empty[0][0].className


def _menu_spec(node) -> dict:
    return json.loads(S.decode_spec(_props(node)["data-spec"]))


def test_exp018_colleagues_pages_carry_menus_with_the_specs_of_what_they_show(sqlite_app):
    """The indicator page (trend and breakdown), the provinces board (map, ranking, regions), the
    sectors board (the group's tiles) and a province's profile (its headline tiles)."""
    from dashboards import indicator, province, provinces, sectors

    with sqlite_app.test_request_context("/"):
        trend, breakdown = indicator.export_menus(["VN", "R2"], "202611", "202401", "yoy", ["on"], "VN", "EXPORTS", "vi")
        assert _menu_spec(trend) == {"kind": "trend", "indicator": "EXPORTS", "areas": ["VN", "R2"], "start": "202401",
                                     "end": "202611", "mode": "yoy", "comparable": True}
        assert _menu_spec(breakdown) == {"kind": "ranking", "indicator": "EXPORTS", "period": "202611", "level": "region"}
        _, breakdown = indicator.export_menus(["VN"], "202401", "202611", "value", [], "R2", "EXPORTS", "vi")
        assert _menu_spec(breakdown) == {"kind": "ranking", "indicator": "EXPORTS", "period": "202611",
                                         "level": "province", "region": "R2"}
        trend, breakdown = indicator.export_menus(["VN"], "202401", "202611", "value", [], "VN", "CPI_MOM", "vi")
        assert breakdown is None and _menu_spec(trend)["comparable"] is False

        map_, ranking, regional = provinces.export_menus("GDP_GROWTH", "2026Q3", "R4", "vi")
        assert _menu_spec(map_) == {"kind": "map", "indicator": "GDP_GROWTH", "period": "2026Q3", "region": "R4"}
        assert _menu_spec(ranking) == {"kind": "ranking", "indicator": "GDP_GROWTH", "period": "2026Q3", "level": "province"}
        assert _menu_spec(regional) == {"kind": "regional", "indicator": "GDP_GROWTH", "period": "2026Q3"}

        group = sectors.export_menu("G03", None, "vi")
        assert _menu_spec(group) == {"kind": "kpi_tiles", "area": "VN", "group": "G03"}
        big = sectors.export_menu(None, "TK", "vi")  # 38 indicators: one image, 8 tiles to a row
        assert _menu_spec(big) == {"kind": "kpi_tiles", "area": "VN", "agency": "TK"}

        page = province.layout(key="01", lang="vi")
        menus = [m for m in _find(page, "export-menu") if _menu_spec(m)["kind"] == "kpi_tiles"]
        assert len(menus) == 1 and _menu_spec(menus[0])["area"] == "01"
        assert len(_find(page, "export-menu")) == 1  # the trends' come with them, once scrolled to
        trends = province.update_trends(True, None, "01", "vi")[0]
        assert [len(_find(cell, "export-menu")) for cell in trends] == [1] * len(trends) and trends  # one each
        # every one of these specs builds
        for spec in (_menu_spec(m) for m in (trend, breakdown or trend, map_, ranking, regional, group, menus[0])):
            S.build(spec, "vi")

        # the profile's trend charts: one menu each, the same window, areas and rebuild as the chart
        cells, _ = province.update_trends(True, ["on"], "08", "vi")
        for cell in cells:
            (menu,) = _find(cell, "export-menu")
            spec = _menu_spec(menu)
            box = _props(cell)["children"][1]  # the graph, inside its chart box (fast elements)
            graph = go.Figure(_props(_props(box)["children"])["figure"])
            assert spec["kind"] == "trend" and spec["comparable"] is True and spec["areas"][0] == "08"
            assert len(spec["areas"]) == len(graph.data)  # the province, and the nation for rates and means
            chart = S.build(spec, "vi")
            own = chart.data[chart.data["area_key"] == "08"]
            shown = next(tr for tr in graph.data if tr.name == "Tuyên Quang")
            assert [float(v) for v in own["value"].dropna()] == pytest.approx([float(v) for v in shown.y if v is not None])


def test_exp019_tile_sets_of_a_group_and_a_ministry(sqlite_app):
    from data_access.catalogue import indicators_frame

    with sqlite_app.test_request_context("/"):
        group = S.build({"kind": "kpi_tiles", "group": "G03"}, "vi")
        codes = list(indicators_frame(group="G03")["code"])
        agency = S.build({"kind": "kpi_tiles", "agency": "NHNN"}, "en")
        province = S.build({"kind": "kpi_tiles", "area": "01", "indicators": ["EXPORTS", "GDP_GROWTH"]}, "vi")
        largest = S.build({"kind": "kpi_tiles", "agency": "TK"}, "vi")  # the largest ministry's set: 8 to a row
        tk_codes = list(indicators_frame(agency="TK")["code"])
        every = list(indicators_frame()["code"])
        with pytest.raises(S.SpecError) as err:
            S.build({"kind": "kpi_tiles", "indicators": every[:S.MAX_INDICATORS + 1]}, "vi")
        assert err.value.field == "indicators" and f"1 to {S.MAX_INDICATORS} codes" in str(err.value)
        with pytest.raises(S.SpecError):
            S.build({"kind": "kpi_tiles", "group": "G03", "agency": "TK"}, "vi")
    assert group.meta.title == "Ổn định kinh tế vĩ mô" and list(group.data["code"]) == codes
    assert len(tk_codes) > S.COMPACT_TILES and list(largest.data["code"]) == tk_codes
    assert len(largest.figure.layout.shapes) == 2 * len(tk_codes)
    assert any("✔ Đạt kế hoạch" in n and "✖" in n for n in largest.meta.notes)  # the legend of the compact tiles
    assert not any("✔ Đạt kế hoạch ·" in n for n in group.meta.notes)
    assert group.meta.stem == "GROUP-G03_VN" and len(group.figure.layout.shapes) == 2 * len(codes)
    assert agency.meta.title.startswith("Indicators of the ") and agency.meta.stem == "AGENCY-NHNN_VN"
    assert province.meta.title == "Các chỉ tiêu chủ yếu" and province.meta.area == "Hà Nội"
    assert list(province.data["code"]) == ["EXPORTS", "GDP_GROWTH"]


def test_exp040_a_renderers_scratch_folder_goes_with_it():
    """Each renderer prints PDFs from a scratch folder of its own: removed with the renderer, and
    by a process that exits (one per worker was left behind in /tmp)."""
    import gc
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from exports.render import Renderer

    r = Renderer()
    folder = r._tmp
    assert folder.is_dir()
    del r
    gc.collect()
    assert not folder.exists()
    out = subprocess.run([sys.executable, "-c", "from exports.render import Renderer; print(Renderer()._tmp)"],
                         cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().startswith(tempfile.gettempdir()) and not Path(out.stdout.strip()).exists()
