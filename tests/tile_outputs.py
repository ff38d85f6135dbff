"""Fingerprints of the tile and sparkline builders' outputs on the demo warehouse, so that a
rewrite of the builders can be checked against what the old ones produced
(``tests/data/tiles_golden.json``, recorded from the builders before they were merged)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import unquote

import plotly.utils

#: The tiles' "as of" time is when the demo was loaded: fixed so the fingerprints are stable.
STAMP = datetime(2026, 11, 26, 8, 30)
AREAS = ("VN", "01", "79")
SVG_URI = "data:image/svg+xml;utf8,"


def _decoded(node: Any) -> Any:
    """``node`` with every SVG data URI decoded (the image, however its characters are escaped)."""
    if isinstance(node, str) and node.startswith(SVG_URI):
        return SVG_URI + unquote(node[len(SVG_URI):])
    if isinstance(node, dict):
        return {k: _decoded(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_decoded(v) for v in node]
    return node


def fingerprint(outputs: list[Any]) -> str:
    """One digest of a list of layout trees (Dash components or fast elements) or strings."""
    text = json.dumps(outputs, cls=plotly.utils.PlotlyJSONEncoder, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(json.dumps(_decoded(json.loads(text)), sort_keys=True).encode()).hexdigest()


#: builder name → f(kpi, ind, lang, ytd) for each output recorded
Builders = dict[str, Callable[..., Any]]


def outputs(builders: Builders) -> Iterator[tuple[str, list[Any]]]:
    """(group, outputs) for every builder, area and language, over every indicator of the demo."""
    from data_access.catalogue import indicator_map
    from data_access.kpis import ytd_share
    from data_access.queries import kpi_snapshot

    imap = indicator_map()
    codes = tuple(sorted(c for c, i in imap.items() if not i.computed))  # the derived ones came later
    for area in AREAS:
        kpis = [dataclasses.replace(k, updated_at=STAMP) for k in kpi_snapshot(codes, area)]
        for lang in ("vi", "en"):
            for name, build in builders.items():
                yield (f"{name}/{area}/{lang}",
                       [build(k, imap[k.code], lang, ytd_share(k, imap[k.code])) for k in kpis])
