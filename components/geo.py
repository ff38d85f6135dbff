"""Province polygons of both administrative eras, read from ``assets/geo`` (built by scripts/build_geometry.py).

Era ``"63"``: the 63 provinces valid until 30 June 2025; era ``"34"``: the 34 provincial units valid from
1 July 2025. Each feature's ``id`` (and ``properties.code``) is the GSO code of its era, so a Plotly choropleth
uses ``locations=codes, featureidkey="id"``. The Hoàng Sa and Trường Sa archipelagos are parts of the
MultiPolygons of Đà Nẵng (48) and Khánh Hòa (56); :func:`archipelago_labels` gives where to write their names.

The files are read once per process and shared: treat the returned objects as read-only.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

GEO_DIR = Path(__file__).resolve().parent.parent / "assets" / "geo"
ERAS = ("63", "34")


def _check_era(era: str) -> str:
    era = str(era)
    if era not in ERAS:
        raise ValueError(f"unknown era {era!r}: expected one of {ERAS}")
    return era


@lru_cache(maxsize=len(ERAS))
def _load(era: str) -> dict[str, Any]:
    with open(GEO_DIR / f"provinces_{era}.geojson", encoding="utf-8") as fh:
        return json.load(fh)


def load_provinces(era: str) -> dict[str, Any]:
    """The GeoJSON FeatureCollection of an era ("63" or "34"); features carry ``code``, ``name``, ``region``."""
    return _load(_check_era(era))


def archipelago_labels(era: str) -> list[dict[str, Any]]:
    """Label positions of the archipelagos: dicts with name_vi, name_en, lon, lat, province_code."""
    out = []
    for feature in load_provinces(era)["features"]:
        for arch in feature["properties"].get("archipelagos", ()):
            out.append(
                {
                    "name_vi": arch["name_vi"],
                    "name_en": arch["name_en"],
                    "lon": arch["lon"],
                    "lat": arch["lat"],
                    "province_code": feature["properties"]["code"],
                }
            )
    return out
