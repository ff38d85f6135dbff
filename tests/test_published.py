"""Issue 18: statistical tables as they are published (``tests/corpus/published/``) go through the
same validation and one-transaction load as a long CSV: a yearbook's wide table (title, unit row,
footnotes, "Sơ bộ" column, regional rows), a wide XLSX the other way round in another unit, a
PC-Axis file, a JSON-stat 2.0 dataset, an SDMX-ML generic data message and an SDMX-CSV file. Each
is checked value by value against the reading written out by hand below (not the importers' code).
Both backends."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from domain.units import factor, parse_unit
from ingest.pipeline import submit
from ingest.published import ImportMapping, period_label, unit_in
from tests.conftest import BACKENDS, counts, current_value, module_warehouse

HERE = Path(__file__).resolve().parent / "corpus" / "published"
RECEIVED = datetime(2025, 11, 20, 9, 0)

# the independent reading: (area key, period) -> (value in thousands of persons, status)
YEARBOOK = {
    ("VN", "2019"): (96484.0, "O"), ("VN", "2020"): (97411.8, "O"), ("VN", "2021"): (98504.4, "O"),
    ("VN", "2022"): (99474.4, "O"), ("VN", "2023"): (100309.2, "P"),
    ("01", "2019"): (8093.9, "O"), ("01", "2020"): (8246.6, "O"), ("01", "2021"): (8330.8, "O"),
    ("01", "2022"): (8435.7, "O"), ("01", "2023"): (8587.1, "P"),
    ("26-63", "2019"): (1154.8, "O"), ("26-63", "2020"): (1171.2, "O"), ("26-63", "2021"): (1191.8, "O"),
    ("26-63", "2022"): (1197.6, "O"), ("26-63", "2023"): (1211.9, "P"),
    ("27-63", "2019"): (1378.6, "O"), ("27-63", "2020"): (1419.1, "O"), ("27-63", "2021"): (1462.9, "O"),
    ("27-63", "2022"): (1488.2, "O"), ("27-63", "2023"): (1517.4, "P"),
    ("24-63", "2019"): (1810.4, "O"), ("24-63", "2020"): (1841.6, "O"), ("24-63", "2021"): (1860.0, "O"),
    ("24-63", "2022"): (1875.0, "O"), ("24-63", "2023"): (1891.2, "P"),
    ("46", "2019"): (1129.4, "O"), ("46", "2020"): (1133.7, "O"), ("46", "2021"): (1141.6, "O"),
    ("46", "2022"): (1160.2, "O"),  # 2023: ".." not reported
    ("79-63", "2019"): (8993.1, "O"), ("79-63", "2020"): (9227.6, "O"), ("79-63", "2021"): (9166.8, "O"),
    ("79-63", "2022"): (9389.7, "O"), ("79-63", "2023"): (9456.7, "P"),
    ("02-63", "2019"): (855.5, "O"), ("02-63", "2023"): (877.0, "P"),  # "-", "x", "…" not reported; "(1)" a footnote
}
PERSONS_XLSX = {  # persons in the file, thousands stored
    ("01", "2020"): (8246.6, "O"), ("01", "2021"): (8330.8, "O"), ("01", "2022"): (8435.7, "P"),
    ("79-63", "2020"): (9227.6, "O"), ("79-63", "2021"): (9166.8, "O"), ("79-63", "2022"): (9389.7, "P"),
    ("22", "2020"): (1337.6, "O"), ("22", "2022"): (1350.9, "P"),
}
PX = {
    ("01", "2019"): (8093.9, "O"), ("01", "2020"): (8246.6, "O"), ("01", "2021"): (8330.8, "O"), ("01", "2022"): (8435.7, "P"),
    ("24-63", "2019"): (1810.4, "O"), ("24-63", "2020"): (1841.6, "O"), ("24-63", "2022"): (1875.0, "P"),
    ("27-63", "2019"): (1378.6, "O"), ("27-63", "2020"): (1419.1, "O"), ("27-63", "2021"): (1462.9, "O"),
    ("27-63", "2022"): (1488.2, "P"),
}
JSONSTAT = {
    ("01", "2021"): (8330.8, "O"), ("01", "2022"): (8435.7, "O"), ("01", "2023"): (8587.1, "P"),
    ("46", "2021"): (1141.6, "O"), ("46", "2022"): (1160.2, "O"),
    ("79-63", "2021"): (9166.8, "O"), ("79-63", "2022"): (9389.7, "O"), ("79-63", "2023"): (9456.7, "P"),
}
SDMX_ML = {("VN", "2021"): (98504.4, "O"), ("VN", "2022"): (99474.4, "P"), ("22", "2021"): (1337.6, "O"),
           ("22", "2022"): (1350.9, "E")}
SDMX_CSV = {("33-63", "2021"): (1269.1, "O"), ("33-63", "2022"): (1280.4, "P"), ("VN", "2020"): (97411.8, "O")}

# PX-Web's own category codes ("0".."6", "0".."3") beside the labels: areas and periods read from the labels
PX_LABELS = {
    ("VN", "2020"): (97411.8, "O"), ("VN", "2021"): (98504.4, "O"), ("VN", "2022"): (99474.4, "O"),
    ("VN", "2023"): (100309.2, "P"),
    ("01", "2020"): (8246.6, "O"), ("01", "2021"): (8330.8, "O"), ("01", "2022"): (8435.7, "O"), ("01", "2023"): (8587.1, "P"),
    ("26-63", "2020"): (1171.2, "O"), ("26-63", "2021"): (1191.8, "O"), ("26-63", "2022"): (1197.6, "O"),
    ("26-63", "2023"): (1211.9, "P"),
    ("27-63", "2020"): (1419.1, "O"), ("27-63", "2021"): (1462.9, "O"), ("27-63", "2022"): (1488.2, "O"),
    ("27-63", "2023"): (1517.4, "P"),
    ("46", "2020"): (1133.7, "O"), ("46", "2021"): (1141.6, "O"), ("46", "2022"): (1160.2, "O"),  # 2023: ".."
    ("79-63", "2020"): (9227.6, "O"), ("79-63", "2021"): (9166.8, "O"), ("79-63", "2022"): (9389.7, "O"),
    ("79-63", "2023"): (9456.7, "P"),
}
# quarters read from "Quý 2/2025", "Sơ bộ quý 3/2025"; each name read in its quarter's era: "Bắc Ninh" is the
# former Bắc Ninh in Q2 and the new one (24) in Q3, "TP. Hồ Chí Minh" 79-63 then 79
LABOUR_JSONSTAT = {
    ("VN", "2025Q2"): (53215.4, "O"), ("VN", "2025Q3"): (53370.2, "P"),
    ("01", "2025Q2"): (4129.6, "O"), ("01", "2025Q3"): (4140.1, "P"),
    ("27-63", "2025Q2"): (812.4, "O"), ("24", "2025Q3"): (2035.7, "P"),
    ("22", "2025Q2"): (759.8, "O"), ("22", "2025Q3"): (761.3, "P"),
    ("79-63", "2025Q2"): (4923.5, "O"), ("79", "2025Q3"): (7104.9, "P"),
}
SDMX20_GENERIC = {("01", "2019"): (8093.9, "O"), ("01", "2020"): (8246.6, "O"), ("27-63", "2019"): (1378.6, "O"),
                  ("27-63", "2020"): (1419.1, "P")}
SDMX20_COMPACT = {("79-63", "2021"): (9166.8, "O"), ("79-63", "2022"): (9389.7, "E"), ("VN", "2021"): (98504.4, "O")}

CASES = [  # file, indicator mapping, expected values, rows not reported, format
    ("nien_giam_dan_so.csv", "POPULATION", YEARBOOK, 4, "wide-csv"),
    ("dan_so_nguoi.xlsx", "POPULATION", PERSONS_XLSX, 1, "wide-xlsx"),
    ("dan_so.px", "POPULATION", PX, 1, "px"),
    ("dan_so_jsonstat.json", "POPULATION", JSONSTAT, 1, "json-stat"),
    ("dan_so_sdmx_generic.xml", None, SDMX_ML, 0, "sdmx-ml"),
    ("dan_so_sdmx.csv", None, SDMX_CSV, 0, "csv"),
    ("dan_so_pxweb_nhan.px", "POPULATION", PX_LABELS, 1, "px"),
    ("luc_luong_lao_dong_jsonstat.json", "LABOUR_FORCE", LABOUR_JSONSTAT, 0, "json-stat"),
    ("dan_so_sdmx20_generic.xml", None, SDMX20_GENERIC, 0, "sdmx-ml"),
    ("dan_so_sdmx20_compact.xml", None, SDMX20_COMPACT, 1, "sdmx-ml"),
]


@pytest.fixture(scope="module", params=BACKENDS)
def wh(request, databases, tmp_path_factory):
    url, tmp, engine = module_warehouse(request, databases, tmp_path_factory)
    yield engine, tmp
    engine.dispose()


def _send(engine, tmp, name: str, indicator: str | None, unit: str = "TK"):
    return submit(engine, unit_code=unit, payload=(HERE / name).read_bytes(), filename=name, channel="cli",
                  submitted_by="pytest", received_at=RECEIVED, archive_dir=tmp / "archive",
                  mapping=ImportMapping(indicator) if indicator else None)


@pytest.mark.parametrize(("name", "indicator", "expected", "not_reported", "fmt"), CASES,
                         ids=[c[0] for c in CASES])
def test_pub001_published_file_loads_value_by_value(wh, name, indicator, expected, not_reported, fmt):
    engine, tmp = wh
    report = _send(engine, tmp, name, indicator)
    assert report.status in ("accepted", "duplicate"), report.errors
    if report.status == "duplicate":
        return
    assert report.format == fmt
    assert report.counts["valid"] == len(expected) and report.counts["not_reported"] == not_reported
    code = indicator or "POPULATION"
    for (area, period), (value, status) in expected.items():
        got = current_value(engine, code, area, period)
        assert got is not None, (area, period)
        assert got.value == pytest.approx(value, rel=1e-12), (area, period)
        assert got.status == status, (area, period)


def test_pub002_yearbook_findings(wh):
    """Regional rows are skipped with a note, names recorded as mappings with a warning each."""
    engine, tmp = wh
    report = _send(engine, tmp, "nien_giam_dan_so.csv", "POPULATION")
    report = report if report.status != "duplicate" else None
    if report is None:  # already accepted by pub001: send a copy that differs by one byte
        payload = (HERE / "nien_giam_dan_so.csv").read_bytes() + b"\n"
        report = submit(engine, unit_code="TK", payload=payload, filename="copy.csv", channel="cli",
                        submitted_by="pytest", received_at=RECEIVED, archive_dir=tmp / "archive",
                        mapping=ImportMapping("POPULATION"))
    assert report.status == "accepted", report.errors
    assert [(n.code, n.row, n.value) for n in report.notes if n.code == "region_row_skipped"] == [
        ("region_row_skipped", 6, "Đồng bằng sông Hồng")]
    assert report.mappings["area"] == {"CẢ NƯỚC - WHOLE COUNTRY": "VN", "Hà Nội": "01", "Vĩnh Phúc": "26-63",
                                       "Bắc Ninh": "27-63", "Bắc Giang": "24-63", "Thừa Thiên Huế": "46",
                                       "TP. Hồ Chí Minh": "79-63", "Hà Giang": "02-63"}


def test_pub003_what_a_published_file_cannot_say_is_asked(wh):
    engine, tmp = wh
    before = counts(engine)
    no_indicator = submit(engine, unit_code="TK", payload=(HERE / "dan_so.px").read_bytes() + b"\n", filename="a.px",
                          channel="cli", submitted_by="pytest", received_at=RECEIVED, archive_dir=tmp / "archive")
    assert [e.code for e in no_indicator.errors] == ["indicator_required"]
    wrong_unit = _send(engine, tmp, "nien_giam_dan_so.csv", "FOREST_COVER", unit="BNNMT")  # % against persons
    assert "table_unit_unknown" in [e.code for e in wrong_unit.errors]
    assert counts(engine)["observation"] == before["observation"]


def test_pub004_cell_and_unit_rules():
    assert period_label("Sơ bộ - Prel. 2023") == ("2023", True)
    assert period_label(2019.0) == ("2019", False) and period_label("Prel. 2024") == ("2024", True)
    assert period_label("2019 - 2023") is None and period_label("Hà Nội") is None
    assert unit_in(["Biểu 12", "Đơn vị tính: Nghìn người - Unit: Thous. persons"]) == "Nghìn người"
    assert unit_in(["Dân số trung bình (Nghìn người)"]) == "Nghìn người"
    assert parse_unit("Tỷ đồng") == (1e9, "vnd") and parse_unit("Thous. persons") == (1e3, "person")
    assert factor("Người", "nghìn người") == pytest.approx(0.001) and factor("Triệu đồng", "tỷ đồng") == 0.001
    assert factor("Nghìn người", "%") is None and factor("Gallon", "người") is None


def _resend(engine, tmp, name: str, indicator: str | None, suffix: bytes = b"\n"):
    """``name`` once more (a copy that differs by a trailing byte when pub001 already took it)."""
    report = _send(engine, tmp, name, indicator)
    if report.status != "duplicate":
        return report
    return submit(engine, unit_code="TK", payload=(HERE / name).read_bytes() + suffix, filename=name, channel="cli",
                  submitted_by="pytest", received_at=RECEIVED, archive_dir=tmp / "archive",
                  mapping=ImportMapping(indicator) if indicator else None)


def test_pub005_labels_are_read_where_the_codes_are_not_the_products(wh):
    """PX-Web's category codes ("2" beside "Hà Nội" would be 02 Hà Giang): each label read by the
    area-name matcher, a note naming the code set aside, a warning and a recorded mapping per name; a
    code that agrees with its label is kept ("1" beside "Hà Nội" is 01)."""
    engine, tmp = wh
    report = _resend(engine, tmp, "dan_so_pxweb_nhan.px", "POPULATION")
    assert report.status == "accepted", report.errors
    assert report.mappings["area"] == {"CẢ NƯỚC": "VN", "Hà Nội": "01", "Vĩnh Phúc": "26-63", "Bắc Ninh": "27-63",
                                       "Thừa Thiên Huế": "46", "TP.Hồ Chí Minh": "79-63"}
    read = [(n.value, n.message_en) for n in report.notes if n.code == "area_label_read"]
    assert [v for v, _ in read] == ["CẢ NƯỚC", "Đồng bằng sông Hồng", "Hà Nội", "Vĩnh Phúc", "Bắc Ninh",
                                    "Thừa Thiên Huế", "TP.Hồ Chí Minh"]
    assert "code '2'" in read[2][1] and "label 'Hà Nội'" in read[2][1]
    assert [n.value for n in report.notes if n.code == "region_row_skipped"] == ["Đồng bằng sông Hồng"]
    assert current_value(engine, "POPULATION", "02-63", "2020") is None  # never stored under Hà Giang
    labour = _resend(engine, tmp, "luc_luong_lao_dong_jsonstat.json", "LABOUR_FORCE")
    assert labour.status == "accepted", labour.errors
    # the report's mapping names the first reading of each name (its Q3 rows went to 24: pub001)
    assert labour.mappings["area"] == {"Cả nước": "VN", "Bắc Ninh": "27-63", "Tỉnh Quảng Ninh": "22",
                                       "TP. Hồ Chí Minh": "79-63"}
    assert [n.value for n in labour.notes if n.code == "area_label_read"] == [
        "Cả nước", "Bắc Ninh", "Tỉnh Quảng Ninh", "TP. Hồ Chí Minh"]  # "1" beside "Hà Nội" is 01: kept


def test_pub006_a_label_that_names_no_area_gets_a_did_you_mean(wh):
    engine, tmp = wh
    px = (HERE / "dan_so_pxweb_nhan.px").read_text(encoding="utf-8").replace('"Vĩnh Phúc"', '"Vinh Phuuc"')
    report = submit(engine, unit_code="TK", payload=px.encode(), filename="a.px", channel="cli", submitted_by="pytest",
                    received_at=RECEIVED, archive_dir=tmp / "archive", mapping=ImportMapping("POPULATION"))
    assert report.status == "rejected"
    assert {(e.code, e.value) for e in report.errors} == {("unknown_area", "Vinh Phuuc")}
    assert "Did you mean 26-63 Vĩnh Phúc" in report.errors[0].message_en


def test_pub007_sdmx_ml_messages_not_read_are_refused_naming_their_version(wh):
    engine, tmp = wh
    cross = (b'<?xml version="1.0"?><CrossSectionalData xmlns="http://www.SDMX.org/resources/SDMXML/schemas/v2_0/'
             b'message"><Header><ID>X</ID></Header></CrossSectionalData>')
    structure = (b'<?xml version="1.0"?><mes:Structure xmlns:mes="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/'
                 b'message"><mes:Header/></mes:Structure>')
    for payload, words in ((cross, "CrossSectionalData message of SDMX-ML 2.0"),
                           (structure, "Structure message of SDMX-ML 2.1")):
        report = submit(engine, unit_code="TK", payload=payload, filename="m.xml", channel="cli", submitted_by="pytest",
                        received_at=RECEIVED, archive_dir=tmp / "archive")
        assert [e.code for e in report.errors] == ["sdmx_message_unsupported"]
        assert words in report.errors[0].message_en and "SDMX-CSV" in report.errors[0].message_en


def test_pub008_period_labels():
    cases = {"Quý 1/2024": "2024Q1", "Quý IV năm 2024": "2024Q4", "Q1 2024": "2024Q1", "2024K2": "2024Q2",
             "Tháng 3/2024": "202403", "Tháng 03 năm 2024": "202403", "T12/2024": "202412", "2024-03": "202403",
             "6 tháng đầu năm 2024": "2024S1", "6 tháng cuối năm 2024": "2024S2", "Năm 2024": "2024"}
    for label, key in cases.items():
        assert period_label(label) == (key, False), label
    assert period_label("Sơ bộ quý 3/2025") == ("2025Q3", True) and period_label("Prel. Q2 2025") == ("2025Q2", True)
    for text in ("9 tháng năm 2024", "Quý 5/2024", "Tháng 13/2024", "Cả nước", "2019 - 2023"):
        assert period_label(text) is None, text


def _cell_by_hand(cell) -> tuple[str, float | None]:
    """One wide-table cell read by hand: a real number as it is, a missing mark as blank, text
    without a footnote mark at its end."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return "", float(cell)
    text = "" if cell is None else str(cell).strip()
    if text in ("", "..", "...", "…", "-", "x", ":"):
        return "", None
    for mark in ("(1)", "(2)", "*", "¹"):
        if text.endswith(mark):
            return text[: -len(mark)].strip(), None
    return text, None


def test_pub009_wide_tables_are_read_column_wise_as_cell_by_cell():
    """A wide table's block of cells is read column-wise (both orientations): the long rows are
    those of reading each cell by hand, in the sheet's reading order (row by row: area by area
    when areas are rows, period by period when periods are), value by value."""
    import math

    from ingest.bounds import ReadBudget
    from ingest.published import read_wide

    text = [["12.5", "..", " 7 ", "3(1)"], ["-", "1.234,5", "x", "4*"], ["9", " ", "2.5", "TRUE"], ["…", "", "1¹", "8 (2)"]]
    mixed = [*text[:2], [9, None, 2.5, True], text[3]]  # a workbook's cells: numbers, empty, a boolean
    areas, periods = ["Hà Nội", "Thừa Thiên Huế", "01", "Hà Tây"], ["2019", "2020", "Sơ bộ 2021", "2022"]
    title = [(1, ["Dân số (Nghìn người)"])]
    for cells in (text, mixed):
        expected = [(area, key, *_cell_by_hand(cells[i][j]), "P" if j == 2 else "")
                    for i, area in enumerate(areas) for j, key in enumerate(["2019", "2020", "2021", "2022"])]
        by_rows = title + [(2, ["Tỉnh", *periods])] + [(3 + i, [a, *cells[i]]) for i, a in enumerate(areas)] + [
            (9, ["(1) Ghi chú"])]
        by_columns = title + [(2, ["Năm", *areas])] + [(3 + j, [p, *(cells[i][j] for i in range(4))])
                                                       for j, p in enumerate(periods)] + [(9, ["Nguồn: TCTK"])]
        by_period = sorted(expected, key=lambda r: ["2019", "2020", "2021", "2022"].index(r[1]))  # stable
        assert by_period != expected
        for grid, reading in ((by_rows, expected), (by_columns, by_period)):
            rows, unit = read_wide(grid, ImportMapping("X"), ReadBudget(), "CSV")
            cols = rows.columns()
            got = [(a, p, t, None if math.isnan(v) else v, s) for a, p, t, v, s in
                   zip(cols["area_code"], cols["period"], cols["value_text"], cols["value_num"], cols["status"],
                       strict=True)]
            assert got == reading and unit == "Nghìn người"
            assert set(cols["indicator_code"]) == {"X"} and set(cols["note"]) == set(cols["area_label"]) == {""}
    rows, _ = read_wide(by_rows, ImportMapping("X"), ReadBudget(), "CSV")
    assert list(rows.columns()["row"]) == [3 + i for i in range(4) for _ in range(4)]  # each cell's own row
    rows, _ = read_wide(by_columns, ImportMapping("X"), ReadBudget(), "CSV")
    assert list(rows.columns()["row"]) == [3 + j for j in range(4) for _ in range(4)]
    with pytest.raises(Exception) as refused:  # the row budget is counted on the block
        read_wide(by_rows, ImportMapping("X"), ReadBudget(max_rows=15), "CSV")
    assert refused.value.params == {"rows": 16, "limit": 15}
