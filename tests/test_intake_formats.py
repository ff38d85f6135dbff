"""Issue 5: the pure parts of the intake: the number rule, encodings, formats, deadlines and the
calendar arithmetic (no database)."""

from __future__ import annotations

import io
import json
import unicodedata
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from data_access.compliance import calendar_frame, rates
from domain.periods import Period
from domain.periods import parse as parse_period
from domain.regimes import (
    RegimeRow,
    UnitRow,
    count_rates,
    deadline,
    expected_reports,
    percent,
    periods_due_between,
    regime_periods,
    state_of,
)
from ingest.formats import decode, parse, parse_number, parse_numbers, sniff_format
from ingest.issues import Findings
from ingest.regimes import submission_links
from tests.corpus.build_corpus import to_cp1258


@pytest.mark.parametrize("text, value", [
    ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("1234.5", 1234.5), ("1234,5", 1234.5), ("1.234.567", 1234567),
    ("1,234,567", 1234567), ("1.234.567,89", 1234567.89), ("1,234,567.89", 1234567.89), ("1 234 567,5", 1234567.5),
    ("0,125", 0.125), ("0.125", 0.125), ("12,5", 12.5), ("-1.234,5", -1234.5), ("+7", 7), ("1234", 1234),
    ("123.4567", 123.4567), ("1.5e3", 1500), ("  42  ", 42), ("3.14159", 3.14159), ("1234,567", 1234.567),
])
def test_int101_numbers_vietnamese_and_english(text, value):
    got, code = parse_number(text)
    assert code is None and got == pytest.approx(value)


@pytest.mark.parametrize("text, code", [
    ("1.234", "ambiguous_number"), ("1,234", "ambiguous_number"), ("12.345", "ambiguous_number"),
    ("-123,456", "ambiguous_number"), ("abc", "bad_number"), ("12%", "bad_number"), ("1.2.3", "bad_number"),
    ("1,2,3", "bad_number"), ("1.23.456", "bad_number"), ("inf", "bad_number"), ("nan", "bad_number"),
    ("١٢٣", "bad_number"), ("1_000", "bad_number"), ("1.234,5.6", "bad_number"),
])
def test_int102_ambiguous_and_bad_numbers(text, code):
    assert parse_number(text) == (None, code)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(repr),
    st.integers(min_value=-10**9, max_value=10**9).map(str),
    st.decimals(min_value=-9999, max_value=9999, places=3).map(str),
    st.text(alphabet="0123456789.,- ", min_size=1, max_size=10),
), min_size=1, max_size=40))
def test_int103_vectorised_parse_equals_the_rule(texts):
    """The fast path (C-speed parsing, numeric pre-filter for ambiguity) gives exactly what the
    per-cell rule gives."""
    values, codes = parse_numbers(pd.Series(texts, dtype=object))
    for text, v, c in zip(texts, values, codes, strict=True):
        if not text.strip():
            assert c == "blank"
            continue
        want, want_code = parse_number(text)
        assert c == want_code, text
        if want_code is None:
            assert v == pytest.approx(want), text
        else:
            assert np.isnan(v)


def test_int104_encodings():
    text = "indicator_code,area_code,period,value,note\nRETAIL_SALES,01,202510,31,Hà Nội ước tính; Thừa Thiên Huế\n"
    decoded, enc = decode(to_cp1258(text))
    assert enc == "cp1258" and decoded == text  # tone marks recomposed (NFC)
    assert decode(b"\xef\xbb\xbf" + text.encode()) == (text, "utf-8")
    assert decode(unicodedata.normalize("NFD", "Hà Nội").encode())[0] == "Hà Nội"  # macOS-style NFD
    assert decode(text.encode("utf-16")) is None
    assert decode(text.encode("utf-16-le")) is None
    assert decode("東京都".encode("shift_jis")) is None
    assert decode("Привет, мир".encode("cp1251")) is None


def test_int105_formats_and_rows():
    f = Findings()
    csv_payload = b"DATAFLOW,INDICATOR,REF_AREA,TIME_PERIOD,OBS_VALUE,OBS_STATUS\nDF,CPI_YOY,VN,202510,\"3,1\",A\n\n" \
                  b"DF,CPI_YOY,VN,202509,2.9,P\n"
    parsed = parse(csv_payload, "x.csv", f, 100)
    assert parsed.format == "csv" and not f.has_errors
    assert parsed.observations["row"].tolist() == [2, 4]  # the blank line 3 keeps the numbering
    assert parsed.column("area_code") == "REF_AREA" and parsed.column("value") == "OBS_VALUE"
    assert parsed.observations["value_text"].tolist() == ["3,1", "2.9"]

    wb = Workbook()
    ws = wb.active
    ws.append(["Indicator_Code", "AREA_CODE", "period", "indicator_name", "value", "extra"])
    ws.append(["CPI_YOY", 1, 202510, "Chỉ số giá", 1.234, "x"])
    ws.append([None, None, None, None, None, None])
    ws.append(["CPI_YOY", "01", "2025-10-14", "", "1.234", None])
    buf = io.BytesIO()
    wb.save(buf)
    f = Findings()
    parsed = parse(buf.getvalue(), "upload.bin", f, 100)
    obs = parsed.observations
    assert parsed.format == "xlsx" and obs["row"].tolist() == [2, 4]
    assert obs["area_code"].tolist() == ["1", "01"] and obs["period"].tolist() == ["202510", "2025-10-14"]
    assert obs["value_num"].tolist()[0] == 1.234 and obs["value_text"].tolist() == ["", "1.234"]
    assert [n.code for n in f.notes] == ["ignored_column"] and f.notes[0].column == "extra"

    doc = {"unit": "UB01", "observations": [{"indicator_code": "X", "area_code": "01", "period": "2025", "value": 1.234},
                                            {"INDICATOR_CODE": "Y", "area_code": "01", "period": "2025", "value": "2,5"}],
           "daily_items": [{"date": "2025-11-19", "category": "c", "severity": "info", "title": "t"}]}
    f = Findings()
    parsed = parse(json.dumps(doc).encode(), None, f, 100)
    assert parsed.format == "json" and parsed.declared_unit == "UB01"
    assert parsed.observations["row"].tolist() == [1, 2] and parsed.observations["indicator_code"].tolist() == ["X", "Y"]
    assert parsed.daily_items[0]["row"] == 1 and parsed.daily_items[0]["severity"] == "info"
    assert sniff_format(b"\xef\xbb\xbf  {", None) == "json" and sniff_format(b"PK\x03\x04..", "a.csv") == "xlsx"
    semicolon = parse(b"indicator_code;area_code;period;value\nA;VN;2025;1.234,5\n", "x.csv", Findings(), 10)
    assert semicolon.observations["value_text"].tolist() == ["1.234,5"]


def test_int106_deadlines_and_states():
    assert deadline("M", parse_period("202509")) == date(2025, 9, 25)
    assert deadline("Q", parse_period("2025Q3")) == date(2025, 9, 25)
    assert deadline("S", parse_period("2025S1")) == date(2025, 6, 25)
    assert deadline("Y", parse_period("2025")) == date(2025, 12, 25)
    assert deadline("D", parse_period("2025-07-14")) == date(2025, 7, 15)
    assert deadline("M", parse_period("202502"), deadline_day=31) == date(2025, 2, 28)
    assert deadline("M", parse_period("202512"), deadline_day=5, month_offset=1) == date(2026, 1, 5)
    due = date(2025, 9, 25)
    assert state_of(datetime(2025, 9, 25, 23, 59), due, date(2025, 10, 1)) == "on_time"
    assert state_of(datetime(2025, 9, 26, 0, 0), due, date(2025, 10, 1)) == "late"
    assert state_of(None, due, date(2025, 9, 25)) == "not_due"
    assert state_of(None, due, date(2025, 9, 26)) == "missing"
    keys = [p.key for p in periods_due_between("M", date(2025, 7, 1), date(2025, 9, 30))]
    assert keys == ["202507", "202508", "202509"]
    assert [p.key for p in periods_due_between("Q", date(2025, 1, 1), date(2025, 12, 31))] == [
        "2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert [p.key for p in periods_due_between("D", date(2025, 7, 2), date(2025, 7, 3))] == ["2025-07-01", "2025-07-02"]


def build_calendar(regimes, members, received, today, periods, region_of):
    """The calendar of the given ``periods`` (each for the regimes of its periodicity)."""
    plan = [(regime, regime_periods(regime, periods=periods)) for regime in regimes]
    return calendar_frame(expected_reports(plan, members, received, today, region_of))


def test_int107_calendar_and_rates_by_hand():
    regime = RegimeRow(1, "UBND-Q", "Báo cáo quý", "Quarterly report", "Q", 25, 0)
    old = UnitRow(10, "UB08-63", "UBND Tuyên Quang (cũ)", "Tuyen Quang (former)", "province", "provinces", None,
                  date(2025, 6, 30), 1)
    new = UnitRow(11, "UB08", "UBND Tuyên Quang", "Tuyen Quang", "province", "provinces", date(2025, 7, 1), None, 2)
    same = UnitRow(12, "UB01", "UBND Hà Nội", "Ha Noi", "province", "provinces", None, None, 3)
    received = {(10, 1, "2025Q2"): (datetime(2025, 6, 20, 10), 100), (12, 1, "2025Q2"): (datetime(2025, 7, 2, 8), 101),
                (12, 1, "2025Q3"): (datetime(2025, 9, 1, 8), 102)}
    cal = build_calendar([regime], {1: [old, new, same]}, received, today=date(2025, 10, 1),
                         periods=[Period("Q", 2025, 2), Period("Q", 2025, 3), Period("Q", 2025, 4)],
                         region_of=lambda u, d: "R1")
    states = {(r.unit_code, r.period): r.state for r in cal.itertuples()}
    assert states == {("UB08-63", "2025Q2"): "on_time", ("UB01", "2025Q2"): "late", ("UB08", "2025Q3"): "missing",
                      ("UB01", "2025Q3"): "on_time", ("UB08", "2025Q4"): "not_due", ("UB01", "2025Q4"): "not_due"}
    late = cal[(cal.unit_code == "UB01") & (cal.period == "2025Q2")].iloc[0]
    assert late.days_late == 7 and late.submission_id == 101
    missing = cal[(cal.unit_code == "UB08") & (cal.period == "2025Q3")].iloc[0]
    assert missing.days_late == 6  # 25 Sep to 1 Oct
    overall = rates(cal, None).iloc[0]
    assert (overall.expected, overall.received, overall.on_time, overall.late, overall.missing, overall.not_due) == (
        4, 3, 2, 1, 1, 2)
    assert overall.completeness == 75.0 and overall.timeliness == 50.0
    by_unit = rates(cal, "unit_code").set_index("key")
    assert by_unit.loc["UB01", "completeness"] == 100.0 and by_unit.loc["UB01", "timeliness"] == 50.0
    assert np.isnan(rates(cal[cal.state == "not_due"], "unit_code").set_index("key").loc["UB08", "completeness"])



def test_int107b_rates_counted_in_python_round_as_pandas():
    """The rates are counted without pandas; their rounding is pandas' (the value times ten rounded
    half to even), e.g. 100 * 3 / 2000 = 0.15 gives 0.2 where round(0.15, 1) gives 0.1."""
    parts = pd.Series([p for w in range(1, 301) for p in range(w + 1)], dtype="int64")
    wholes = pd.Series([w for w in range(1, 301) for _ in range(w + 1)], dtype="int64")
    expected = (100.0 * parts / wholes.astype(float)).round(1)
    assert [percent(p, w) for p, w in zip(parts, wholes, strict=True)] == expected.tolist()
    assert percent(3, 2000) == 0.2 and np.isnan(percent(0, 0))
    pairs = [("b", "on_time"), ("a", "late"), (None, "missing"), (float("nan"), "late"), ("b", "missing"),
             ("a", "not_due")]
    assert [tuple(r) for r in count_rates(pairs)] == [("a", 1, 1, 0, 1, 0, 1, 100.0, 0.0),
                                                      ("b", 2, 1, 1, 0, 1, 0, 50.0, 50.0)]
    cal = pd.DataFrame({"region": ["R1", None, "R2", "R1"], "state": ["on_time", "late", "not_due", "missing"]})
    by_region = rates(cal, "region")
    assert list(by_region["key"]) == ["R1", "R2"] and list(by_region["expected"]) == [2, 0]
    assert np.isnan(by_region["completeness"].iloc[1]) and str(by_region["expected"].dtype) == "int64"
    assert rates(cal.iloc[0:0], None).iloc[0].tolist()[:7] == ["all", 0, 0, 0, 0, 0, 0]

def test_int108_submission_links():
    rows = pd.DataFrame({"indicator_id": [1, 1, 2, 3], "period": ["202509", "202510", "202510", "202510"]})
    carrying = {1: [7], 2: [7, 8], 3: []}
    links = submission_links(rows, 5, lambda unit, ind: carrying[ind])
    assert links == [(7, "202509", 1), (7, "202510", 2), (8, "202510", 1)]


def test_int109_demo_regimes_follow_the_catalogue():
    """The demo's regimes (shipped in its configuration package): one per responsible agency and
    periodicity carrying exactly that agency's indicators of that periodicity, reported by the
    agency; one per periodicity for the provincial People's Committees carrying every indicator
    of that periodicity reported at province level. Derived indicators (a formula) are computed by
    the product, so no regime carries them."""
    from ingest.reference import demo_records

    indicators = [i for i in demo_records("indicators") if not i["formula"]]
    units = demo_records("units")
    regimes = {r["code"]: r for r in demo_records("regimes")}
    provinces = sorted(u["code"] for u in units if u["kind"] == "province")
    expected: dict[str, tuple[list[str], list[str]]] = {}
    for ind in indicators:
        expected.setdefault(f"{ind['agency']}-{ind['periodicity']}", ([ind["agency"]], []))[1].append(ind["code"])
        if "province" in ind["levels"]:
            expected.setdefault(f"UBND-{ind['periodicity']}", (provinces, []))[1].append(ind["code"])
    assert set(regimes) == set(expected)
    for code, (owing, carried) in expected.items():
        assert regimes[code]["units"] == sorted(owing) and regimes[code]["indicators"] == sorted(carried), code
        assert regimes[code]["frequency"] == code.rsplit("-", 1)[1] and regimes[code]["receiver"] == "VPCP"
