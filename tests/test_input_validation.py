"""The readers of values that come back from the browser (components/urlstate.py) and of period
keys (domain/periods.clean_key): any JSON value gives the expected type or the default, and
nothing raises."""

from datetime import date, datetime

import pytest

from components.controls import first_value
from components.urlstate import as_date, as_datetime, as_dict, as_text, one_of, parse_list
from domain.periods import PeriodError, clean_key, parse

HOSTILE = ("'; DROP TABLE observation; --", "<script>alert(1)</script>", "", " ", "\u0000\u202e", 123, -1.5, True,
           None, ["<b>", 1], {"a": {"b": 1}}, [[1]], "x" * 10_000)


def test_val001_parse_list_reads_urls_and_multi_selects():
    assert parse_list("01,79") == ["01", "79"]
    assert parse_list(["01", "79"]) == ["01", "79"]
    assert parse_list("VN,,R2,VN") == ["VN", "R2"]  # empty items and repeats dropped, order kept
    assert parse_list(["VN", 1, None, ["R2"], {"k": "R3"}, "R2"]) == ["VN", "R2"]
    assert parse_list(("VN",)) == ["VN"]
    for value in (None, "", 123, True, {"a": 1}):
        assert parse_list(value) == []
    assert parse_list("overview,<script>,daily", allowed=("overview", "daily")) == ["overview", "daily"]


def test_val002_as_text_and_one_of():
    assert as_text("G03") == "G03"
    assert as_text("<script>alert(1)</script>") == "<script>alert(1)</script>"  # text stays text
    for value in ("", None, 1, 1.5, True, ["G03"], {"code": "G03"}):
        assert as_text(value) is None
        assert as_text(value, "G01") == "G01"
    allowed = ("ministries", "provinces")
    assert one_of("provinces", allowed) == "provinces"
    assert one_of("all", allowed, "all") == "all"
    for value in ("Provinces", ["provinces"], {"provinces": 1}, 1, None):
        assert one_of(value, allowed) is None
        assert one_of(value, {"provinces": "x"}) is None  # a dict (or set) of allowed keys works too


def test_val003_as_dict():
    assert as_dict({"lang": "en"}) == {"lang": "en"}
    for value in ("{}", ["lang"], None, 0, True):
        assert as_dict(value) == {}


def test_val004_dates():
    assert as_date("2026-11-26") == date(2026, 11, 26)
    assert as_date("2026-11-26T00:00:00") == date(2026, 11, 26)
    newest = date(2026, 11, 25)
    for value in ("2026-02-30", "26/11/2026", "<script>", "", None, 20261126, ["2026-11-26"], {"d": 1}):
        assert as_date(value) is None
        assert as_date(value, newest) == newest
    assert as_datetime("2026-11-26T08:30:00") == datetime(2026, 11, 26, 8, 30)
    for value in ("2026-11-26T25:00", "yesterday", None, 1764145800, {"updated_at": "2026-11-26"}, "2" * 100):
        assert as_datetime(value) is None


def test_val005_clean_key():
    assert clean_key("202507") == "202507"
    assert clean_key(" 2025Q3 ") == "2025Q3"
    assert clean_key("2025Q3", "Q") == "2025Q3"
    assert clean_key("2025Q3", "M") is None  # a key of another periodicity
    for value in ("202513", "2025Q5", "2025-02-30", "1800", "banana", "", None, 202507, ["202507"], {"p": 1}):
        assert clean_key(value) is None


def test_val006_first_value_of_options_sent_back():
    assert first_value([{"label": "a", "value": "G01"}, {"label": "b", "value": "G02"}]) == "G01"
    assert first_value(["G01", {"label": "x", "value": 1}, {"value": "G02"}]) == "G02"  # well-formed ones only
    for value in ([], None, "G01", {"value": "G01"}, [{"label": "a"}], 1):
        assert first_value(value) is None


@pytest.mark.parametrize("value", HOSTILE)
def test_val007_nothing_raises_on_hostile_values(value):
    parse_list(value), as_text(value), one_of(value, ("a",)), as_dict(value)
    as_date(value), as_datetime(value), clean_key(value), clean_key(value, "M"), first_value(value)
    if not (isinstance(value, str) and value.strip().isdigit()):
        with pytest.raises(PeriodError):  # never a TypeError, even for a list (the parser is cached by key)
            parse(value)
