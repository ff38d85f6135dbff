"""Bilingual messages from templates: how a value is shown in a message and how the placeholders
of a (Vietnamese, English) pair are filled. Shared by the intake's findings (``ingest.issues``) and
the metadata problems (``domain.metadata_messages``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# a periodicity in a message: "kỳ tháng" / "reported monthly"
PERIODICITY_VI = {"D": "ngày", "M": "tháng", "Q": "quý", "S": "6 tháng", "Y": "năm"}
PERIODICITY_EN = {"D": "daily", "M": "monthly", "Q": "quarterly", "S": "half-yearly", "Y": "annually"}


class Placeholders(dict[str, Any]):
    """Template values; a placeholder without a value shows as ``?``."""

    def __missing__(self, key: str) -> str:
        return "?"


def shown(value: Any) -> str:
    """``value`` as a message shows it: an integral float without ``.0``, at most 200 characters."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."


def fill(pair: tuple[str, str], values: Mapping[str, Any]) -> tuple[str, str]:
    """Both templates of ``pair`` with ``values`` put in."""
    params = Placeholders(values)
    return pair[0].format_map(params), pair[1].format_map(params)
