"""Units of measure as statistical tables write them, and the factor between two of them.

A unit is a scale word and a base: "Nghìn người" is 1,000 × "người", "Tỷ đồng" 10⁹ × "đồng",
"Thous. persons" 1,000 × "persons". :func:`factor` gives the number to multiply a value in one unit
by to express it in another when both have the same base (folded: without diacritics and case), and
None when they do not or a unit is unknown: an unknown unit is refused, never guessed.
"""

from __future__ import annotations

import re

from domain.text import fold

SCALES: dict[str, float] = {
    "nghin": 1e3, "ngan": 1e3, "thous": 1e3, "thousand": 1e3, "thousands": 1e3,
    "trieu": 1e6, "mill": 1e6, "million": 1e6, "millions": 1e6, "mn": 1e6,
    "ty": 1e9, "bill": 1e9, "billion": 1e9, "billions": 1e9, "bn": 1e9,
    "nghin ty": 1e12, "trillion": 1e12,
    "van": 1e4, "tram": 1e2, "hundred": 1e2,
}
# the same base written in the two languages of the tables
BASES: dict[str, str] = {
    "nguoi": "person", "persons": "person", "person": "person", "pers": "person",
    "dong": "vnd", "vnd": "vnd", "dong viet nam": "vnd",
    "usd": "usd", "dollars": "usd", "us dollars": "usd",
    "ha": "ha", "hectares": "ha", "hecta": "ha",
    "ho": "household", "households": "household",
    "doanh nghiep": "enterprise", "enterprises": "enterprise",
    "tan": "tonne", "tonnes": "tonne", "tons": "tonne",
    "luot nguoi": "person-times", "luot khach": "visits", "%": "%", "phan tram": "%", "percent": "%",
}
_WORDS = re.compile(r"[^\w%/²]+")


def parse_unit(text: str) -> tuple[float, str] | None:
    """``(scale, base)`` of a unit text: "Nghìn người" → (1000, "person"), "%" → (1, "%"), "Tỷ đồng"
    → (1e9, "vnd"); None when the base is not known."""
    words = " ".join(_WORDS.sub(" ", fold(text)).split())
    if not words:
        return None
    scale = 1.0
    for word in sorted(SCALES, key=len, reverse=True):
        if words == word or words.startswith(word + " "):
            scale, words = SCALES[word], words[len(word):].strip()
            break
    if words in BASES:
        return scale, BASES[words]
    return None


def factor(source: str, target: str) -> float | None:
    """What a value in unit ``source`` is multiplied by to be in unit ``target`` (1.0 when they are
    the same unit); None when the bases differ or either unit is unknown."""
    if fold(source).strip() == fold(target).strip():
        return 1.0
    a, b = parse_unit(source), parse_unit(target)
    if a is None or b is None or a[1] != b[1]:
        return None
    return a[0] / b[0]
