"""Issue 9: property tests (Hypothesis) over the intake's parsers and the whole pipeline: every
input is accepted or rejected with a reason, never a crash and never a partial write."""

from __future__ import annotations

import json
import math

import pytest
from babel.numbers import format_decimal
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ingest.formats import parse, parse_number
from ingest.issues import Findings

NUMBER_CHARS = st.text(alphabet="0123456789.,-+ eE\u00a0abc", max_size=24)


@given(NUMBER_CHARS)
@settings(max_examples=2000, deadline=None)
def test_fz001_parse_number_total(text):
    value, error = parse_number(text)
    assert (value is None) != (error is None)
    if value is not None:
        assert math.isfinite(value)
    else:
        assert error in ("bad_number", "ambiguous_number", "blank")


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from(["vi_VN", "en_US"]))
@settings(max_examples=1000, deadline=None)
def test_fz002_locale_numbers_round_trip(number, locale):
    """What Babel writes with two decimals in Vietnamese (1.234,50) or English (1,234.50) reads back."""
    text = format_decimal(number, format="#,##0.00", locale=locale)
    value, error = parse_number(text)
    assert error is None, text
    assert value == pytest.approx(float(number), abs=1e-9), text


@given(st.binary(max_size=2048), st.sampled_from([None, "a.csv", "a.xlsx", "a.json", "a.txt"]))
@example(b"\r\x01", "a.csv")  # once crashed the delimiter sniffing (csv.Error)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fz003_parse_never_crashes(payload, filename):
    findings = Findings()
    parsed = parse(payload, filename, findings, max_rows=10_000)
    if parsed is None:
        assert findings.errors, "a rejected file must say why"
        assert all(e.code and e.message_vi and e.message_en for e in findings.errors)


CSV_CELLS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@st.composite
def csv_payloads(draw):
    """Mostly well-formed long CSVs with fuzzed cells, sometimes raw junk."""
    header = draw(st.sampled_from(["indicator_code,area_code,period,value",
                                   "INDICATOR,REF_AREA,TIME_PERIOD,OBS_VALUE,OBS_STATUS",
                                   "indicator_code;area_code;period;value;status"]))
    sep = ";" if ";" in header else ","
    n = len(header.split(sep))
    codes = st.sampled_from(["CPI_YOY", "EXPORTS", "GDP_GROWTH", "NOPE", "'; DROP TABLE observation; --"])
    areas = st.sampled_from(["VN", "01", "79", "08", "08-63", "ZZ", "<script>"])
    periods = st.sampled_from(["202610", "2026Q3", "2026", "2026-11-20", "209901", "2026Q5", ""])
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        cells = [draw(codes), draw(areas), draw(periods), draw(st.one_of(NUMBER_CHARS, CSV_CELLS))]
        cells += [draw(st.sampled_from(["P", "O", "E", "X", ""])) for _ in range(n - 4)]
        rows.append(sep.join(c.replace(sep, " ").replace("\n", " ").replace('"', "") for c in cells))
    text = header + "\n" + "\n".join(rows) + "\n"
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig"])))


@pytest.fixture(scope="module")
def fuzz_engine(databases, tmp_path_factory):
    from data_access.engine import make_engine
    from tests.conftest import make_settings, seeded_sqlite_copy

    tmp = tmp_path_factory.mktemp("fuzz")
    engine = make_engine(make_settings(seeded_sqlite_copy(databases, tmp), tmp))
    yield engine
    engine.dispose()


def _counts(engine):
    from data_access import schema

    with engine.connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar()
                     for t in (schema.observation, schema.current_observation, schema.data_version))


@given(st.one_of(csv_payloads(), st.binary(max_size=512)))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@pytest.mark.slow  # 120 submissions
def test_fz004_submit_is_all_or_nothing(fuzz_engine, tmp_path_factory, payload):
    from data_access import schema
    from ingest.pipeline import submit

    before = _counts(fuzz_engine)
    with fuzz_engine.connect() as conn:
        version = conn.execute(select(schema.data_version.c.version)).scalar()
    report = submit(fuzz_engine, unit_code="TK", payload=payload, filename="fuzz.csv", channel="api",
                    submitted_by="fuzz", archive_dir=tmp_path_factory.getbasetemp() / "archive")
    after = _counts(fuzz_engine)
    assert report.status in ("accepted", "rejected", "duplicate")
    if report.status == "rejected":
        assert report.errors, "a rejection says why"
        assert after[:2] == before[:2]  # nothing written
        with fuzz_engine.connect() as conn:
            assert conn.execute(select(schema.data_version.c.version)).scalar() == version
    else:
        assert not report.errors
    json.dumps(report.as_dict() if hasattr(report, "as_dict") else str(report))  # the report serialises
