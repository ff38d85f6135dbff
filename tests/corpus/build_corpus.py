"""Writes the corpus of bad submissions and its manifest (``manifest.csv``).

Run from the repository root: ``python tests/corpus/build_corpus.py``. The files are committed;
the tests read them (and the manifest), they do not rebuild them.

Manifest columns: ``file``, ``unit`` (the submitting unit), ``code``, ``row``, ``column`` (the
expected error; a file with several expected errors has several lines; empty row/column for
file-level errors), ``case`` (what the file exercises). Every file is submitted as received on
2025-11-20 09:00 to the intake test warehouse (reference data, the catalogue's regimes and a
little history) and must be rejected with exactly these errors, writing nothing.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
H = "indicator_code,area_code,period,value"
SHAPE_MARKS = {"\u0302", "\u0306", "\u031b"}


def to_cp1258(text: str) -> bytes:
    """Windows-1258 bytes: base letters with their shape marks precomposed, tone marks combining."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        base = d[0] + "".join(m for m in d[1:] if m in SHAPE_MARKS)
        tones = "".join(m for m in d[1:] if m not in SHAPE_MARKS)
        out += unicodedata.normalize("NFC", base).encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


def lines(*rows: str, header: str = H) -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode("utf-8")


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Dữ liệu"
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def js(doc) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


CASES: list[tuple[str, bytes, str, list[tuple[str, str, str]], str]] = []


def case(name: str, payload: bytes, unit: str, expected: list[tuple], what: str) -> None:
    CASES.append((name, payload, unit, [tuple("" if v is None else str(v) for v in e) for e in expected], what))


# -- file level --------------------------------------------------------------------------------------
case("empty.csv", b"", "TK", [("empty_file", None, None)], "zero bytes")
case("blank_lines.csv", b"\n \r\n\t\n", "TK", [("empty_file", None, None)], "only blank lines")
case("header_only.csv", lines(), "TK", [("no_rows", None, None)], "a header and no rows")
case("utf16.csv", lines("CPI_YOY,VN,202510,3.1").decode().encode("utf-16"), "TK", [("bad_encoding", None, None)],
     "UTF-16 with BOM")
case("tcvn3_note.csv", (H + ",note\nCPI_YOY,VN,202510,3.1,").encode() + b"Th\xb5nh ph\xe8 H\xe5 Ch\xb8 Minh, H\xb5 N\xe9i\n",
     "TK", [("bad_encoding", None, None)], "legacy TCVN3 bytes in a note")
case("shift_jis.csv", (H + ",note\nCPI_YOY,VN,202510,3.1,東京都の統計\n").encode("shift_jis"), "TK",
     [("bad_encoding", None, None)], "Shift-JIS")
case("binary.csv", bytes(range(256)) * 4, "TK", [("bad_encoding", None, None)], "binary bytes")
case("corrupt.xlsx", b"PK\x03\x04" + b"\x00garbage" * 50, "TK", [("unreadable_file", None, None)],
     "a zip header and garbage")
case("truncated.json", b'{"unit": "TK", "observations": [{"indicator_code": "CPI_YOY"', "TK",
     [("unreadable_file", None, None)], "JSON cut off")
case("json_list_of_numbers.json", b"[1, 2, 3]", "TK", [("bad_structure", None, None)],
     "a top-level array of numbers")
case("json_observations_object.json", js({"unit": "TK", "observations": {"indicator_code": "CPI_YOY"}}), "TK",
     [("bad_structure", None, None)], "observations is not an array")
case("json_empty.json", js({"unit": "TK", "observations": []}), "TK", [("no_rows", None, None)], "nothing to accept")
case("missing_value_column.csv", lines("CPI_YOY,VN,202510", header="indicator_code,area_code,period"), "TK",
     [("missing_column", None, "value")], "no value column")
case("sdmx_missing_time_period.csv", lines("DF_293,CPI_YOY,VN,3.1", header="DATAFLOW,INDICATOR,REF_AREA,OBS_VALUE"),
     "TK", [("missing_column", None, "period")], "SDMX-CSV without TIME_PERIOD")
case("duplicate_column.csv", lines("CPI_YOY,VN,202510,3.1,3.2", header=H + ",OBS_VALUE"), "TK",
     [("duplicate_column", None, "OBS_VALUE")], "value and OBS_VALUE both present")
case("ragged.csv", lines("CPI_YOY,VN,202510,3.1", "CPI_YOY,VN,202509,3.0,extra,cells"), "TK",
     [("unreadable_file", None, None)], "a row with more cells than the header")
case("xlsx_missing_column.xlsx", xlsx([["indicator_code", "area_code", "value"], ["CPI_YOY", "VN", 3.1]]), "TK",
     [("missing_column", None, "period")], "XLSX without a period column")
case("unknown_unit.csv", lines("CPI_YOY,VN,202510,3.1"), "ZZ_NOBODY", [("unknown_unit", None, None)],
     "a unit that is not in the catalogue")
case("unit_mismatch.json", js({"unit": "UB79", "observations": [
    {"indicator_code": "RETAIL_SALES", "area_code": "01", "period": "202510", "value": 31.5}]}), "UB01",
     [("unit_mismatch", None, None)], "the JSON declares another unit")

# -- rows -----------------------------------------------------------------------------------------------
case("unknown_indicator.csv", lines("CPI_YOY,VN,202510,3.1", "CPI_YOYY,VN,202510,3.1"), "TK",
     [("unknown_indicator", 3, "indicator_code")], "a misspelt indicator code")
case("unknown_area.csv", lines("CPI_YOY,VN,202510,3.1", "RETAIL_SALES,99,202510,3.1"), "TK",
     [("unknown_area", 3, "area_code")], "an area code nobody has")
case("old_province_new_period.csv", lines("RETAIL_SALES,08,202510,41.2", "RETAIL_SALES,02,202510,9.1"), "UB08",
     [("area_not_valid_for_period", 3, "area_code")], "Hà Giang (02) no longer exists in 2025-10")
case("national_only_at_province.csv", lines("CPI_MOM,VN,202510,0.2", "CPI_MOM,01,202510,0.3"), "TK",
     [("wrong_area_level", 3, "area_code")], "a national-only indicator with a province value")
case("region_value.csv", lines("RETAIL_SALES,VN,202510,280", "RETAIL_SALES,R2,202510,80"), "TK",
     [("wrong_area_level", 3, "area_code")], "regional figures are computed, not submitted")
case("wrong_periodicity.csv", lines("CPI_YOY,VN,202510,3.1", "CPI_YOY,VN,2025Q3,3.0"), "TK",
     [("wrong_periodicity", 3, "period")], "a quarter for a monthly indicator")
case("bad_period.csv", lines("CPI_YOY,VN,2025-13,3.1", "CPI_YOY,VN,2025Q5,3.0", "CPI_YOY,VN,Oct 2025,3.0"), "TK",
     [("bad_period", 2, "period"), ("bad_period", 3, "period"), ("bad_period", 4, "period")], "not period keys")
case("future_period.csv", lines("CPI_YOY,VN,202510,3.1", "CPI_YOY,VN,202512,3.3"), "TK",
     [("future_period", 3, "period")], "December 2025 has not started on 20 November")
case("daily_future_day.csv", lines("USDVND_CENTRAL,VN,2025-11-20,25100", "USDVND_CENTRAL,VN,2025-11-21,25110"), "NHNN",
     [("future_period", 3, "period")], "tomorrow's daily value")
case("daily_wrong_periodicity.csv", lines("USDVND_CENTRAL,VN,202510,25100"), "NHNN",
     [("wrong_periodicity", 2, "period")], "a month for a daily indicator")
case("bad_number.csv", lines("CPI_YOY,VN,202510,abc", "CPI_YOY,VN,202509,\"5,2%\"", "CPI_YOY,VN,202508,1.2.3"), "TK",
     [("bad_number", 2, "value"), ("bad_number", 3, "value"), ("bad_number", 4, "value")], "not numbers")
case("ambiguous_dot.csv", lines("RETAIL_SALES,VN,202510,1234.5", "RETAIL_SALES,VN,202509,1.234"), "TK",
     [("ambiguous_number", 3, "value")], "1.234 alone")
case("ambiguous_comma.csv", lines("RETAIL_SALES,VN,202510,\"1.234,5\"", "RETAIL_SALES,VN,202509,\"12,345\""), "TK",
     [("ambiguous_number", 3, "value")], "12,345 alone")
case("duplicate_key.csv", lines("CPI_YOY,VN,202510,3.1", "CPI_YOY,VN,202510,3.1"), "TK",
     [("duplicate_key", 3, "indicator_code")], "the same key twice")
case("not_responsible_ministry.csv", lines("CPI_YOY,VN,202510,3.1"), "BTC",
     [("not_responsible", 2, "indicator_code")], "the Ministry of Finance sending the statistics office's CPI")
case("not_responsible_province.csv", lines("RETAIL_SALES,01,202510,31.5", "RETAIL_SALES,79,202510,55.0"), "UB01",
     [("not_responsible", 3, "area_code")], "Hà Nội sending Hồ Chí Minh City's value")
case("not_responsible_national.csv", lines("RETAIL_SALES,VN,202510,280"), "UB01",
     [("not_responsible", 2, "indicator_code")], "a province sending a national value")
case("bad_status.csv", lines("CPI_YOY,VN,202510,3.1,X", "CPI_YOY,VN,202509,3.0,official", header=H + ",status"),
     "TK", [("bad_status", 2, "status")], "status X")
case("empty_indicator_cell.csv", lines("CPI_YOY,VN,202510,3.1", ",VN,202509,3.0"), "TK",
     [("empty_cell", 3, "indicator_code")], "a value without indicator")
case("empty_period_cell.csv", lines("CPI_YOY,VN,,3.1"), "TK", [("empty_cell", 2, "period")], "a value without period")
case("all_blank_values.csv", lines("CPI_YOY,VN,202510,", "CPI_YOY,VN,202509, "), "TK", [("no_rows", None, None)],
     "every value blank: nothing reported")
case("sdmx_unknown_area.csv", lines("DF_293,CPI_YOY,VN,202510,3.1,A", "DF_293,CPI_YOY,XX,202510,3.1,A",
                                    header="DATAFLOW,INDICATOR,REF_AREA,TIME_PERIOD,OBS_VALUE,OBS_STATUS"),
     "TK", [("unknown_area", 3, "REF_AREA")], "SDMX-CSV: the error names the file's column")
case("semicolon_bad_number.csv", b"indicator_code;area_code;period;value\nRETAIL_SALES;VN;202510;1.234,5\n"
     b"RETAIL_SALES;VN;202509;1,2,3\n", "TK", [("bad_number", 3, "value")], "semicolon separated")
case("xlsx_unknown_indicator.xlsx", xlsx([["indicator_code", "area_code", "period", "value"],
                                          ["CPI_YOY", "VN", "202510", 3.1], ["NOPE", "VN", "202510", 3.1]]),
     "TK", [("unknown_indicator", 3, "indicator_code")], "XLSX rows are spreadsheet rows")
case("xlsx_text_ambiguous.xlsx", xlsx([["indicator_code", "area_code", "period", "value"],
                                       ["RETAIL_SALES", "VN", "202510", 1234.5],
                                       ["RETAIL_SALES", "VN", "202509", "1.234"]]),
     "TK", [("ambiguous_number", 3, "value")], "XLSX: a number typed as text is ambiguous; a real number is not")
case("json_ambiguous_string.json", js({"unit": "TK", "observations": [
    {"indicator_code": "RETAIL_SALES", "area_code": "VN", "period": "202510", "value": 1.234},
    {"indicator_code": "RETAIL_SALES", "area_code": "VN", "period": "202509", "value": "1.234"}]}), "TK",
     [("ambiguous_number", 2, "value")], "JSON: 1.234 as a number is fine, as a string ambiguous")
case("json_nan_string.json", js({"observations": [
    {"indicator_code": "CPI_YOY", "area_code": "VN", "period": "202510", "value": "NaN"}]}), "TK",
     [("non_finite_number", 1, "value")], "NaN")
# issue 18: JSON's non-numbers and non-objects, macro workbooks, oversized notes
case("json_nan_literal.json", b'{"observations": [{"indicator_code": "CPI_YOY", "area_code": "VN", "period": "202509", '
     b'"value": 3.1}, {"indicator_code": "CPI_YOY", "area_code": "VN", "period": "202510", "value": NaN}]}', "TK",
     [("non_finite_number", 2, "value")], "the literal NaN (Python's reader takes it; never 'not reported')")
case("json_infinity_literal.json", b'[{"indicator_code": "CPI_YOY", "area_code": "VN", "period": "202510", '
     b'"value": Infinity}, {"indicator_code": "EXPORTS", "area_code": "VN", "period": "202510", "value": -Infinity}]',
     "TK", [("non_finite_number", 1, "value"), ("non_finite_number", 2, "value")], "Infinity and -Infinity literals")
case("json_top_string.json", b'"CPI_YOY,VN,202510,3.1"', "TK", [("json_wrong_type", None, None)],
     "a JSON string, never read as a CSV")
case("json_top_number.json", b"42", "TK", [("json_wrong_type", None, None)], "a JSON number")
case("json_top_null.json", b"null", "TK", [("json_wrong_type", None, None)], "JSON null")
case("note_too_long.csv", lines("CPI_YOY,VN,202510,3.1,ghi chú", "CPI_YOY,VN,202509,3.0," + "x" * 2001,
                                header=H + ",note"), "TK", [("too_long", 3, "note")], "a note over 2,000 characters")


def with_vba(payload: bytes, member: str = "xl/vbaProject.bin") -> bytes:
    """A workbook with a VBA project added (what Excel saves as .xlsm)."""
    import zipfile

    buf = io.BytesIO(payload)
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr(member, b"\xd0\xcf\x11\xe0" + b"\x00" * 60)
    return buf.getvalue()


_GOOD = [["indicator_code", "area_code", "period", "value"], ["CPI_YOY", "VN", "202510", 3.1]]
case("macro.xlsm", with_vba(xlsx(_GOOD)), "TK", [("macro_workbook", None, None)], "a macro-enabled workbook")
case("macro_renamed.xlsx", with_vba(xlsx(_GOOD)), "TK", [("macro_workbook", None, None)],
     "a VBA project inside a file named .xlsx")
case("daily_bad_severity.json", js({"unit": "UB01", "daily_items": [
    {"date": "2025-11-19", "category": "thien_tai", "severity": "urgent", "title": "Mưa lớn", "body": ""}]}), "UB01",
     [("bad_severity", 1, "daily_items.severity")], "severity outside info/notice/warning/critical")
case("daily_future_date.json", js({"unit": "UB01", "daily_items": [
    {"date": "2025-11-19", "category": "kinh_te", "severity": "info", "title": "Ổn định"},
    {"date": "2025-11-25", "category": "kinh_te", "severity": "info", "title": "Chưa xảy ra"}]}), "UB01",
     [("future_date", 2, "daily_items.date")], "a daily item dated after the day received")
case("daily_missing_title.json", js({"unit": "UB01", "daily_items": [
    {"date": "2025-11-19", "category": "y_te", "severity": "notice", "title": "  "}]}), "UB01",
     [("empty_cell", 1, "daily_items.title")], "a daily item without title")

# -- combinations ------------------------------------------------------------------------------------------
case("combo_duplicate_and_ambiguous.csv", lines("RETAIL_SALES,VN,202510,280.5", "RETAIL_SALES,VN,202510,1.234"),
     "TK", [("duplicate_key", 3, "indicator_code"), ("ambiguous_number", 3, "value")],
     "a duplicate key that is also an ambiguous number")
case("combo_cp1258_unknown_area.csv", to_cp1258(H + ",note\nRETAIL_SALES,VN,202510,280,Hà Nội ước tính\n"
                                                "RETAIL_SALES,XX,202510,30,Thừa Thiên Huế sơ bộ\n"), "TK",
     [("unknown_area", 3, "area_code")], "Windows-1258 is read; the unknown area is still found")
case("combo_utf16_and_bad_rows.csv", lines("NOPE,XX,2025Q9,abc").decode().encode("utf-16-le"), "TK",
     [("bad_encoding", None, None)], "the encoding error stops before the rows are read")
case("combo_many_rows.csv", lines("CPI_YOY,VN,202510,3.1", "URBAN_CLEAN_WATER,01,2024,3.1", "CPI_YOY,VN,2025Q3,3.1",
                                   "CPI_YOY,VN,202601,3.1", "GDP_GROWTH,VN,2025Q3,\"7,5%\"",
                                   "RETAIL_SALES,VN,202510,12.345", "RETAIL_SALES,R1,202510,4"), "TK",
     [("not_responsible", 3, "indicator_code"), ("wrong_periodicity", 4, "period"), ("future_period", 5, "period"),
      ("bad_number", 6, "value"), ("ambiguous_number", 7, "value"), ("wrong_area_level", 8, "area_code")],
     "one error of each kind in one file")
case("combo_json_rows_and_daily.json", js({"unit": "UB01", "observations": [
    {"indicator_code": "RETAIL_SALES", "area_code": "01", "period": "202510", "value": "31,5"},
    {"indicator_code": "RETAIL_SALES", "area_code": "01", "period": "202510", "value": 31.5}],
    "daily_items": [{"date": "19/11/2025", "category": "kinh_te", "severity": "info", "title": "Ổn định"}]}),
     "UB01", [("duplicate_key", 2, "indicator_code"), ("bad_date", 1, "daily_items.date")],
     "JSON: a duplicate key and a daily item with a Vietnamese-style date")


def main() -> None:
    names = set()
    with open(HERE / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["file", "unit", "code", "row", "column", "case"])
        for name, payload, unit, expected, what in CASES:
            assert name not in names, name
            names.add(name)
            (HERE / name).write_bytes(payload)
            for code, row, column in expected:
                w.writerow([name, unit, code, row, column, what])
    print(f"{len(CASES)} files, manifest written")


if __name__ == "__main__":
    main()
