"""Number formatting follows Babel's locale data exactly (``fmt_number`` formats without going
through Babel's pattern machinery at every call, so it is checked against it)."""

from __future__ import annotations

import random

import pytest
from babel.numbers import format_decimal

from i18n import _LOCALE, fmt_number, fmt_signed

EDGES = [0.0, -0.0, -0.04, 0.05, 0.25, 2.675, 1.005, 0.5, 1.5, 2.5, -2.5, 999.95, -999.95, 7, -3, 10**12,
         1e15, -1234567.891, 123456789012.345, 1e-7, -1e-7, 5e-324]


def _values() -> list[float]:
    rnd = random.Random(2025)
    return EDGES + [rnd.uniform(-1e7, 1e7) for _ in range(2000)] + [round(rnd.uniform(-100, 100), 3)
                                                                    for _ in range(2000)] + \
        [rnd.randint(-10**9, 10**9) for _ in range(500)]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("decimals", [0, 1, 2, 3])
def test_i18n001_fmt_number_equals_babel(lang, decimals):
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    wrong = [(v, fmt_number(v, decimals, lang), format_decimal(v, format=pattern, locale=_LOCALE[lang]))
             for v in _values()
             if fmt_number(v, decimals, lang) != format_decimal(v, format=pattern, locale=_LOCALE[lang])]
    assert wrong == []


def test_i18n002_locale_separators_missing_values_and_signs():
    assert fmt_number(1234567.25, 1, "vi") == "1.234.567,2"  # half to even, Vietnamese separators
    assert fmt_number(1234567.35, 1, "en") == "1,234,567.4"
    assert fmt_number(-0.5, 0, "vi") == "-0"  # as Babel: the sign of the value, not of the rounding
    assert fmt_number(None) == fmt_number(float("nan")) == "–"
    assert fmt_number(float("inf"), 1, "vi") == "∞"
    assert fmt_number(12.5, 1, "xx") == "12,5"  # an unknown language reads as Vietnamese
    assert fmt_signed(-1234.56, 1, "vi") == "−1.234,6" and fmt_signed(0.01, 1, "en") == "±0.0"


def test_i18n003_a_remembered_float_is_written_as_it_was_the_first_time():
    """``fmt_number`` remembers the text of a float (other than zero) per decimals and language:
    every later call gives what the Decimal path gives, and neither a zero's sign nor an int is
    confused with another value by the memo's key."""
    from i18n import _fmt_decimal, _fmt_float

    _fmt_float.cache_clear()
    values = _values()
    shapes = [(d, lang) for d in (0, 1, 2) for lang in ("vi", "en")]
    first = [[fmt_number(v, d, lang) for v in values] for d, lang in shapes]
    info = _fmt_float.cache_info()
    assert info.currsize > 0
    again = [[fmt_number(v, d, lang) for v in values] for d, lang in shapes]
    assert _fmt_float.cache_info().hits > info.hits
    assert again == first == [[_fmt_decimal(v, d, lang) for v in values] for d, lang in shapes]
    assert [fmt_number(-0.0, 1, "vi"), fmt_number(0.0, 1, "vi"), fmt_number(-0.0, 1, "vi")] == ["-0,0", "0,0", "-0,0"]
    assert fmt_number(7.0, 1, "en") == fmt_number(7, 1, "en") == "7.0" and fmt_number(7.25, 1, None) == "7,2"
