"""Text folding for search and plain-ASCII names: what a user types without diacritics still finds
Vietnamese names."""

from __future__ import annotations

import unicodedata


def unaccent(text: str) -> str:
    """``text`` without diacritics, case kept: "Đà Nẵng" → "Da Nang" (đ is a letter of its own, not
    a mark, so it is mapped to d explicitly)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def fold(text: str) -> str:
    """Lower-case text without diacritics: "Tỷ lệ thất nghiệp" → "ty le that nghiep"."""
    if text.isascii():  # nothing to take off (the common case of codes, numbers and dates)
        return text.lower()
    return unaccent(text).lower()
