"""Period keys: parse, format, dates, navigation and the Decree 09 cut-off windows."""

from datetime import date

import pytest

from domain.periods import Period, PeriodError, parse, periods_between
from domain.regimes import deadline
from i18n import format_period


@pytest.mark.parametrize("key", ["2025", "2025S1", "2025S2", "2025Q3", "202507", "2025-07-14", "2024-02-29"])
def test_per001_round_trip(key):
    assert parse(key).key == key


@pytest.mark.parametrize(
    "key, start, end",
    [
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("2025S1", date(2025, 1, 1), date(2025, 6, 30)),
        ("2025S2", date(2025, 7, 1), date(2025, 12, 31)),
        ("2025Q3", date(2025, 7, 1), date(2025, 9, 30)),
        ("202402", date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-07-14", date(2025, 7, 14), date(2025, 7, 14)),
    ],
)
def test_per002_start_end(key, start, end):
    p = parse(key)
    assert (p.start, p.end) == (start, end)


@pytest.mark.parametrize(
    "key, window",
    [
        # monthly: 15th of the previous month to the 14th of the reporting month
        ("202507", (date(2025, 6, 15), date(2025, 7, 14))),
        ("202501", (date(2024, 12, 15), date(2025, 1, 14))),
        # quarterly: 15th of the month before the quarter to the 14th of its last month
        ("2025Q3", (date(2025, 6, 15), date(2025, 9, 14))),
        ("2025Q1", (date(2024, 12, 15), date(2025, 3, 14))),
        # half-year: 15/12 to 14/6, and 15/6 to 14/12
        ("2025S1", (date(2024, 12, 15), date(2025, 6, 14))),
        ("2025S2", (date(2025, 6, 15), date(2025, 12, 14))),
        # year: 15/12 of the previous year to 14/12
        ("2025", (date(2024, 12, 15), date(2025, 12, 14))),
        ("2025-07-14", (date(2025, 7, 14), date(2025, 7, 14))),
    ],
)
def test_per003_decree09_cutoff(key, window):
    assert parse(key).cutoff_window() == window


@pytest.mark.parametrize(
    "key, previous, last_year",
    [
        ("2025", "2024", "2024"),
        ("2025S1", "2024S2", "2024S1"),
        ("2025Q1", "2024Q4", "2024Q1"),
        ("202501", "202412", "202401"),
        ("2025-03-01", "2025-02-28", "2024-03-01"),
        ("2024-02-29", "2024-02-28", "2023-02-28"),
    ],
)
def test_per004_navigation(key, previous, last_year):
    p = parse(key)
    assert p.previous().key == previous
    assert p.same_period_last_year().key == last_year
    assert p.previous().next().key == key


@pytest.mark.parametrize("bad", ["", "2025Q5", "202513", "2025S3", "25Q1", "2025-02-30", "2025-7-1", "abc", "2025 Q1"])
def test_per005_rejects_bad_keys(bad):
    with pytest.raises(PeriodError):
        parse(bad)


def test_per006_range_and_ordering():
    keys = [p.key for p in periods_between("2024Q3", "2025Q2")]
    assert keys == ["2024Q3", "2024Q4", "2025Q1", "2025Q2"]
    assert parse("2024Q4") < parse("2025Q1")
    with pytest.raises(PeriodError):
        periods_between("2024Q3", "202501")


def test_per007_from_date_and_deadline():
    d = date(2025, 8, 20)
    assert Period.from_date("Q", d).key == "2025Q3"
    assert Period.from_date("S", d).key == "2025S2"
    assert Period.from_date("M", d).key == "202508"
    assert deadline("Q", parse("2025Q3")) == date(2025, 9, 25)


def test_per008_labels():
    assert format_period("2025Q3", "vi") == "Quý III/2025"
    assert format_period("202507", "vi") == "Tháng 7/2025"
    assert format_period("2025-07-14", "vi") == "14/07/2025"
    assert format_period("2025Q3", "en") == "Q3 2025"
    assert format_period("2025S1", "vi") == "6 tháng đầu năm 2025" and format_period("2025S2", "vi") == "6 tháng cuối năm 2025"
    assert format_period("2025S2", "en") == "H2 2025" and format_period("2025", "vi") == "Năm 2025"
    assert format_period("2025", "en") == "2025" and format_period("202507", "en") == "Jul 2025"
    assert format_period("2025-07-14", "en") == "14 Jul 2025" and format_period("2025Q4", "fr") == "Q4 2025"
    with pytest.raises(PeriodError):
        format_period(202507, "vi")


def test_per_as_date_reads_what_either_backend_returns():
    from datetime import date, datetime

    from domain.periods import as_date

    assert as_date(None) is None
    assert as_date(date(2025, 7, 1)) == as_date(datetime(2025, 7, 1, 8, 30)) == as_date("2025-07-01") == \
        as_date("2025-07-01 00:00:00") == date(2025, 7, 1)
    assert type(as_date(datetime(2025, 7, 1, 8, 30))) is date
