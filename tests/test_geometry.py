"""The committed province geometry (assets/geo), built by scripts/build_geometry.py: codes, names, the 2025
dissolve, the archipelagos and validity. Reads the files only; it does not rerun the build."""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from components import geo

ROOT = Path(__file__).resolve().parent.parent
GEO_DIR = ROOT / "assets" / "geo"
CROSSWALK = ROOT.parent / "shared" / "reference" / "provinces_2025_crosswalk.csv"

# Where the archipelagos are (generous boxes) and which province holds them in both eras.
HOANG_SA = {"province": "48", "name_vi": "Quần đảo Hoàng Sa", "box": (110.9, 15.5, 113.2, 17.4)}
TRUONG_SA = {"province": "56", "name_vi": "Quần đảo Trường Sa", "box": (111.3, 7.2, 116.3, 11.8)}


def _crosswalk() -> list[dict[str, str]]:
    with open(CROSSWALK, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _collection(era: str) -> dict:
    with open(GEO_DIR / f"provinces_{era}.geojson", encoding="utf-8") as fh:
        return json.load(fh)


def _by_code(era: str) -> dict[str, dict]:
    return {f["id"]: f for f in _collection(era)["features"]}


def equal_area(geom) -> float:
    """Planar area on (lon * cos(lat), lat): roughly proportional to true area at this latitude range."""
    return shapely.transform(geom, lambda xy: np.column_stack([xy[:, 0] * np.cos(np.radians(xy[:, 1])), xy[:, 1]])).area


def _parts(feature: dict):
    geom = shape(feature["geometry"])
    return list(geom.geoms) if hasattr(geom, "geoms") else [geom]


def _in_box(poly, box) -> bool:
    minx, miny, maxx, maxy = poly.bounds
    return minx >= box[0] and miny >= box[1] and maxx <= box[2] and maxy <= box[3]


def _codes_match_crosswalk(era: str, column: str) -> list[dict]:
    """The era's features: one per province (``era`` of them), each keyed by the crosswalk's ``column``."""
    features = _collection(era)["features"]
    codes = [f["id"] for f in features]
    assert len(codes) == int(era) == len(set(codes))
    assert set(codes) == {r[column] for r in _crosswalk()}
    for f in features:
        assert f["properties"]["code"] == f["id"]
    return features


def test_geo001_old_codes_match_crosswalk():
    for f in _codes_match_crosswalk("63", "old_code"):
        assert len(f["id"]) == 2 and f["id"].isdigit()


def test_geo002_new_codes_match_crosswalk():
    _codes_match_crosswalk("34", "new_code")


def test_geo003_names_and_regions_with_diacritics():
    old, new = _by_code("63"), _by_code("34")
    for row in _crosswalk():
        assert old[row["old_code"]]["properties"]["name"] == row["old_name"]
        assert old[row["old_code"]]["properties"]["region"] == row["old_region"]
        assert new[row["new_code"]]["properties"]["name"] == row["new_name"]
        assert new[row["new_code"]]["properties"]["region"] == row["new_region"]
    # the source's broken or misnamed features
    assert old["87"]["properties"]["name"] == "Đồng Tháp"
    assert old["06"]["properties"]["name"] == "Bắc Kạn"
    assert old["33"]["properties"]["name"] == "Hưng Yên"
    assert old["75"]["properties"]["name"] == "Đồng Nai"
    assert old["01"]["properties"]["name"] == "Hà Nội"
    for f in [*old.values(), *new.values()]:
        name = f["properties"]["name"]
        assert "?" not in name and "\u00d0" not in name, name  # no lost character, no Icelandic eth for Đ


def test_geo004_new_areas_are_sums_of_old_areas():
    old, new = _by_code("63"), _by_code("34")
    members = defaultdict(list)
    for row in _crosswalk():
        members[row["new_code"]].append(row["old_code"])
    for code, olds in members.items():
        whole = equal_area(shape(new[code]["geometry"]))
        parts = sum(equal_area(shape(old[c]["geometry"])) for c in olds)
        assert whole == pytest.approx(parts, rel=1e-3), (code, olds)
    # and the country is the same in both eras
    total_old = sum(equal_area(shape(f["geometry"])) for f in old.values())
    total_new = sum(equal_area(shape(f["geometry"])) for f in new.values())
    assert total_new == pytest.approx(total_old, rel=1e-3)


def test_geo005_no_overlaps_between_provinces():
    for era in geo.ERAS:
        geoms = [shape(f["geometry"]) for f in _collection(era)["features"]]
        union = shapely.union_all(geoms)
        assert union.area == pytest.approx(sum(g.area for g in geoms), rel=1e-6), era


@pytest.mark.parametrize("era", geo.ERAS)
@pytest.mark.parametrize("arch", [HOANG_SA, TRUONG_SA], ids=["hoang_sa", "truong_sa"])
def test_geo006_archipelagos_in_both_eras(era, arch):
    features = _by_code(era)
    home = features[arch["province"]]
    islands = [p for p in _parts(home) if _in_box(p, arch["box"])]
    assert len(islands) >= 5, "several islands drawn"
    for p in islands:
        minx, miny, maxx, maxy = p.bounds
        assert maxy - miny >= 0.08, "big enough to see on a national map"
    # no other province has land there
    for code, f in features.items():
        if code != arch["province"]:
            assert not any(_in_box(p, arch["box"]) for p in _parts(f)), code
    # labelled, with the label near the islands
    labels = [a for a in home["properties"]["archipelagos"] if a["name_vi"] == arch["name_vi"]]
    assert len(labels) == 1
    box = arch["box"]
    assert box[0] <= labels[0]["lon"] <= box[2] and box[1] <= labels[0]["lat"] <= box[3]


def test_geo007_polygons_valid_ccw_and_rounded():
    for era in geo.ERAS:
        for f in _collection(era)["features"]:
            geom = shape(f["geometry"])
            assert geom.is_valid, (era, f["id"], shapely.is_valid_reason(geom))
            for poly in _parts(f):
                assert poly.exterior.is_ccw, (era, f["id"])
            for poly in f["geometry"]["coordinates"]:
                for ring in poly:
                    for x, y in ring:
                        assert round(x, 4) == x and round(y, 4) == y
                        assert 102 < x < 117 and 7 < y < 24


def test_geo008_files_small_and_noticed():
    for era in geo.ERAS:
        assert (GEO_DIR / f"provinces_{era}.geojson").stat().st_size < 400_000
    notice = (GEO_DIR / "NOTICE.md").read_text(encoding="utf-8")
    assert "Copyright (c) 2012 Mark DiMarco" in notice
    assert "Natural Earth" in notice and "public domain" in notice
    assert "Hoàng Sa" in notice and "Trường Sa" in notice


def test_geo009_loader():
    assert geo.load_provinces("63") is geo.load_provinces("63")  # read once
    assert len(geo.load_provinces("34")["features"]) == 34
    with pytest.raises(ValueError):
        geo.load_provinces("64")
    for era in geo.ERAS:
        labels = {a["name_vi"]: a for a in geo.archipelago_labels(era)}
        assert set(labels) == {"Quần đảo Hoàng Sa", "Quần đảo Trường Sa"}
        assert labels["Quần đảo Hoàng Sa"]["province_code"] == "48"
        assert labels["Quần đảo Trường Sa"]["province_code"] == "56"
        assert labels["Quần đảo Trường Sa"]["name_en"] == "Spratly Islands"
        assert all(math.isfinite(a["lon"]) and math.isfinite(a["lat"]) for a in labels.values())
