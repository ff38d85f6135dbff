"""A page's (or a shared piece's) component ids, each named once: ``page_ids("prov", "map_data")``
gives ``ids.map_data == "prov-map-data"``. The prefix keeps the pages' ids apart in the one DOM of
the app; pattern-matching ids (functions returning a dict id) are given as keywords, as they are."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any


def page_ids(prefix: str, *names: str, **patterns: Callable[..., dict[str, Any]]) -> SimpleNamespace:
    """``names`` as ids ``<prefix>-<name with hyphens>``, and ``patterns``, as attributes."""
    return SimpleNamespace(**{name: f"{prefix}-{name.replace('_', '-')}" for name in names}, **patterns)
