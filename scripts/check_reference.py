# size: a one-off check of the reference CSVs against the published lists, run by hand
"""Check the reference CSV files in ``data_access/reference/`` and the demo's configuration package
(``metadata-demo.json``: agencies, groups, indicators, read here in their former CSV shape, with the
generator's parameters from ``ingest/demo_parameters.csv``) against their invariants.

Loads every file with the standard ``csv`` module (no database; of the project only the pure rules
of ``domain.eras``) and checks:

* areas: unique keys, valid levels and dates, parents that exist and are valid in the child's
  era; 63 provinces valid on 2025-06-30 and 34 on 2025-07-01, 11 of them spanning both eras;
  key convention (``code`` for spanning and new provinces, ``code-63`` for the other old ones);
* optionally against the 2025 crosswalk: every old and new province and its region;
* area_membership: every province belongs to exactly one region of the right era for every
  era it is valid in (spanning provinces get one row per era);
* area_succession: 63 rows, from exactly the old provinces onto exactly the 34 new ones;
* agencies: unique codes, the central agencies, one provincial People's Committee per province
  row with the same validity;
* indicator_groups / indicators: all ten groups with at least 6 indicators each, at least 90
  indicators, 30 at province level and 6 daily; every agency, group, weight, numerator and
  denominator resolves (weights and ratio parts at the same periodicity and levels); headline
  orders unique; generator parameters parse.

Exits 0 when everything holds, 1 with the first failures otherwise.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the project's pure rules (stdlib only) are importable

from domain.eras import ERA_SWITCH, OLD_ERA_LAST_DAY  # noqa: E402
from domain.eras import valid_on as valid_between  # noqa: E402

DEFAULT_DIR = ROOT / "data_access" / "reference"
DEFAULT_CROSSWALK = Path("/work/shared/reference/provinces_2025_crosswalk.csv")

OLD_LAST_DAY = OLD_ERA_LAST_DAY
NEW_FIRST_DAY = ERA_SWITCH
OLD, NEW = OLD_LAST_DAY.isoformat(), NEW_FIRST_DAY.isoformat()  # as the CSV files write them

HEADERS = {
    "areas.csv": ["key", "code", "name_vi", "name_en", "level", "parent_key", "valid_from", "valid_to", "sort"],
    "area_membership.csv": ["area_key", "region_key", "valid_from", "valid_to"],
    "area_succession.csv": ["old_key", "new_key"],
    "agencies.csv": ["code", "name_vi", "name_en", "short_vi", "short_en", "kind", "area_key", "valid_from", "valid_to"],
    "indicator_groups.csv": ["code", "name_vi", "name_en", "sort"],
    "indicators.csv": [
        "code", "name_vi", "name_en", "group_code", "unit_vi", "unit_en", "periodicity", "agency_code",
        "aggregation", "agg_weight", "agg_num", "agg_den", "direction", "levels", "decimals", "confidential",
        "cumulative", "headline", "definition_vi", "definition_en", "gen_base", "gen_trend", "gen_season",
        "gen_noise", "gen_min", "gen_max", "gen_shock",
    ],
}

CENTRAL_AGENCIES = {
    "BQP": "ministry", "BCA": "ministry", "BNG": "ministry", "BNV": "ministry", "BTP": "ministry", "BTC": "ministry",
    "BCT": "ministry", "BNNMT": "ministry", "BXD": "ministry", "BVHTTDL": "ministry", "BKHCN": "ministry",
    "BGDDT": "ministry", "BYT": "ministry", "BDTTG": "ministry", "NHNN": "ministry_level", "TTCP": "ministry_level",
    "VPCP": "government", "TK": "statistics",
}
GROUP_CODES = [f"G{i:02d}" for i in range(1, 11)]
PROVINCE_LEVELS = "nation;region;province"
HEADLINE_REQUIRED = [
    "GDP_GROWTH", "CPI_YOY", "IIP_YOY", "RETAIL_SALES", "EXPORTS", "IMPORTS", "TRADE_BALANCE", "FDI_DISBURSED",
    "BUDGET_REVENUE", "PUBLIC_INV_DISB", "NEW_ENTERPRISES", "UNEMPLOYMENT", "INTL_VISITORS", "CREDIT_GROWTH",
]
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


class Checker:
    def __init__(self, limit: int) -> None:
        self.failures: list[str] = []
        self.limit = limit

    def check(self, ok: bool, message: str) -> bool:
        if not ok:
            self.failures.append(message)
        return ok


def unique_rows(rows: list[dict], column: str, what: str, c: Checker, quote: bool = False) -> dict[str, dict]:
    """The rows by ``column``, each value checked to stand once (``what`` names file and column)."""
    for k, n in Counter(r[column] for r in rows).items():
        c.check(n == 1, f"{what} {repr(k) if quote else k} appears {n} times")
    return {r[column]: r for r in rows}


def from_package(package: Path, parameters: Path) -> tuple[list[dict[str, str]], ...]:
    """Agencies, groups and indicators of the configuration package, as the former CSV rows."""
    import json

    doc = json.loads(package.read_text(encoding="utf-8"))

    def text(value) -> str:
        return "" if value is None else "1" if value is True else "0" if value is False else str(value)

    agencies = [{**{k: text(u[k]) for k in HEADERS["agencies.csv"] if k in u}, "area_key": text(u["area"])}
                for u in doc["units"]]
    groups = [{k: text(g[k]) for k in HEADERS["indicator_groups.csv"]} for g in doc["groups"]]
    with open(parameters, encoding="utf-8", newline="") as fh:
        gen = {r["code"]: r for r in csv.DictReader(fh)}
    renamed = {"group_code": "group", "agency_code": "agency", "agg_weight": "weight", "agg_num": "numerator",
               "agg_den": "denominator"}
    indicators = [{**{k: text(i[renamed.get(k, k)]) for k in HEADERS["indicators.csv"] if not k.startswith("gen_")},
                   "levels": ";".join(i["levels"]), **{k: v for k, v in gen.get(i["code"], {}).items() if k != "code"}}
                  for i in doc["indicators"]]
    return agencies, groups, indicators


def read(path: Path, c: Checker) -> list[dict[str, str]]:
    name = path.name
    if not c.check(path.exists(), f"{name}: file missing ({path})"):
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        c.check(False, f"{name}: not valid UTF-8 ({exc})")
        return []
    c.check(not text.startswith("\ufeff"), f"{name}: starts with a byte-order mark")
    reader = csv.DictReader(text.splitlines())
    c.check(reader.fieldnames == HEADERS[name], f"{name}: header is {reader.fieldnames}, expected {HEADERS[name]}")
    rows = []
    for n, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            c.check(False, f"{name} line {n}: wrong number of fields")
            continue
        for k, v in row.items():
            c.check(v == v.strip(), f"{name} line {n}: {k} has surrounding whitespace")
            c.check(unicodedata.is_normalized("NFC", v), f"{name} line {n}: {k} is not NFC-normalised")
        rows.append(row)
    return rows


def parse_date(text: str, where: str, c: Checker) -> date | None:
    if text == "":
        return None
    if not c.check(bool(ISO_DATE.match(text)), f"{where}: date {text!r} is not ISO (YYYY-MM-DD)"):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        c.check(False, f"{where}: invalid date {text!r}")
        return None


def valid_on(row: dict, day: date) -> bool:
    """Whether an area row (with its parsed ``_from`` / ``_to``) is valid on ``day``."""
    return valid_between(row["_from"], row["_to"], day)


def eras(row: dict) -> list[str]:
    """The eras ('old' = up to 2025-06-30, 'new' = from 2025-07-01) in which an area row is valid."""
    out = []
    if valid_on(row, OLD_LAST_DAY):
        out.append("old")
    if valid_on(row, NEW_FIRST_DAY):
        out.append("new")
    return out


def check_areas(areas: list[dict], c: Checker) -> dict[str, dict]:
    by_key = unique_rows(areas, "key", "areas.csv: key", c, quote=True)
    for r in areas:
        where = f"areas.csv key {r['key']}"
        r["_from"] = parse_date(r["valid_from"], where, c)
        r["_to"] = parse_date(r["valid_to"], where, c)
        if r["_from"] and r["_to"]:
            c.check(r["_from"] <= r["_to"], f"{where}: valid_from after valid_to")
        c.check(r["level"] in ("nation", "region", "province"), f"{where}: level {r['level']!r} not nation/region/province")
        c.check(r["name_vi"] != "" and r["name_en"] != "", f"{where}: empty name")
        c.check(r["name_en"].isascii(), f"{where}: name_en {r['name_en']!r} is not plain ASCII")
        c.check(re.fullmatch(r"-?\d+", r["sort"]) is not None, f"{where}: sort {r['sort']!r} is not an integer")
        if r["level"] == "nation":
            c.check(r["parent_key"] == "", f"{where}: the nation has a parent")
        else:
            c.check(r["parent_key"] in by_key, f"{where}: parent {r['parent_key']!r} does not exist")
    nations = [r for r in areas if r["level"] == "nation"]
    c.check([r["key"] for r in nations] == ["VN"], f"areas.csv: expected one nation row 'VN', got {[r['key'] for r in nations]}")
    if nations:
        c.check(nations[0]["valid_from"] == "" and nations[0]["valid_to"] == "", "areas.csv: VN must have open validity")

    regions = [r for r in areas if r["level"] == "region"]
    old_regions = sorted(r["key"] for r in regions if r["valid_to"] == OLD and r["valid_from"] == "")
    new_regions = sorted(r["key"] for r in regions if r["valid_from"] == NEW and r["valid_to"] == "")
    c.check(old_regions == [f"R{i}-63" for i in range(1, 7)], f"areas.csv: old regions are {old_regions}, expected R1-63..R6-63 valid to {OLD}")
    c.check(new_regions == [f"R{i}" for i in range(1, 7)], f"areas.csv: new regions are {new_regions}, expected R1..R6 valid from {NEW}")
    c.check(len(regions) == 12, f"areas.csv: {len(regions)} regions, expected 12")
    for r in regions:
        c.check(r["code"] == r["key"], f"areas.csv region {r['key']}: code {r['code']!r} differs from key")
        c.check(r["parent_key"] == "VN", f"areas.csv region {r['key']}: parent must be VN")

    provinces = [r for r in areas if r["level"] == "province"]
    old = [r for r in provinces if valid_on(r, OLD_LAST_DAY)]
    new = [r for r in provinces if valid_on(r, NEW_FIRST_DAY)]
    spanning = [r for r in provinces if r["valid_from"] == "" and r["valid_to"] == ""]
    c.check(len(old) == 63, f"areas.csv: {len(old)} provinces valid on {OLD}, expected 63")
    c.check(len(new) == 34, f"areas.csv: {len(new)} provinces valid on {NEW}, expected 34")
    c.check(len(spanning) == 11, f"areas.csv: {len(spanning)} provinces span both eras, expected 11")
    c.check(len(provinces) == 63 + 34 - 11, f"areas.csv: {len(provinces)} province rows, expected 86")
    for era, rows in ((OLD, old), (NEW, new)):
        codes = Counter(r["code"] for r in rows)
        for code, n in codes.items():
            c.check(n == 1, f"areas.csv: province code {code} is used {n} times among provinces valid on {era}")
    for r in provinces:
        where = f"areas.csv province {r['key']}"
        c.check(re.fullmatch(r"\d{2}", r["code"]) is not None, f"{where}: code {r['code']!r} is not two digits")
        if r["valid_from"] == "" and r["valid_to"] == "":
            c.check(r["key"] == r["code"], f"{where}: a spanning province's key must equal its code")
        elif r["valid_to"] == OLD and r["valid_from"] == "":
            c.check(r["key"] == f"{r['code']}-63", f"{where}: an old province's key must be code-63")
        elif r["valid_from"] == NEW and r["valid_to"] == "":
            c.check(r["key"] == r["code"], f"{where}: a new province's key must equal its code")
        else:
            c.check(False, f"{where}: validity {r['valid_from']!r}..{r['valid_to']!r} is none of the three eras")
        parent = by_key.get(r["parent_key"])
        if parent is not None:
            c.check(parent["level"] == "region", f"{where}: parent {parent['key']} is not a region")
            # the parent is the region of the province's latest era
            latest = NEW_FIRST_DAY if valid_on(r, NEW_FIRST_DAY) else OLD_LAST_DAY
            c.check(valid_on(parent, latest), f"{where}: parent {parent['key']} is not valid in the province's latest era")
    sorts = Counter(r["sort"] for r in areas)
    for s, n in sorts.items():
        c.check(n == 1, f"areas.csv: sort value {s} used {n} times")
    return by_key


def check_crosswalk(by_key: dict[str, dict], path: Path, c: Checker) -> None:
    with open(path, encoding="utf-8", newline="") as fh:
        xw = list(csv.DictReader(fh))
    c.check(len(xw) == 63, f"crosswalk: {len(xw)} rows, expected 63")
    provinces = [r for r in by_key.values() if r["level"] == "province"]
    old_by_code = {r["code"]: r for r in provinces if valid_on(r, OLD_LAST_DAY)}
    new_by_code = {r["code"]: r for r in provinces if valid_on(r, NEW_FIRST_DAY)}
    members: dict[str, list[str]] = {}
    for x in xw:
        members.setdefault(x["new_code"], []).append(x["old_code"])
    expected_spanning = {x["old_code"] for x in xw if x["new_code"] == x["old_code"] and members[x["new_code"]] == [x["old_code"]]}
    actual_spanning = {r["code"] for r in provinces if r["valid_from"] == "" and r["valid_to"] == ""}
    c.check(actual_spanning == expected_spanning,
            f"crosswalk: spanning provinces {sorted(actual_spanning)} differ from the crosswalk's {sorted(expected_spanning)}")
    c.check(set(old_by_code) == {x["old_code"] for x in xw}, "crosswalk: old province codes differ from areas.csv")
    c.check(set(new_by_code) == set(members), "crosswalk: new province codes differ from areas.csv")
    region_name = {r["key"]: r["name_vi"] for r in by_key.values() if r["level"] == "region"}
    for x in xw:
        o = old_by_code.get(x["old_code"])
        n = new_by_code.get(x["new_code"])
        if not c.check(o is not None, f"crosswalk: old province {x['old_code']} {x['old_name']} has no area row"):
            continue
        if o["code"] not in expected_spanning:
            c.check(o["name_vi"] == x["old_name"], f"crosswalk: old {x['old_code']} is named {o['name_vi']!r}, crosswalk says {x['old_name']!r}")
            c.check(region_name.get(o["parent_key"]) == x["old_region"],
                    f"crosswalk: old {o['key']} parent {o['parent_key']} is not {x['old_region']!r}")
        if c.check(n is not None, f"crosswalk: new province {x['new_code']} {x['new_name']} has no area row"):
            c.check(n["name_vi"] == x["new_name"], f"crosswalk: new {x['new_code']} is named {n['name_vi']!r}, crosswalk says {x['new_name']!r}")
            c.check(region_name.get(n["parent_key"]) == x["new_region"],
                    f"crosswalk: new {n['key']} parent {n['parent_key']} is not {x['new_region']!r}")
    by_key["_crosswalk"] = {"rows": xw}  # type: ignore[assignment]


def check_membership(rows: list[dict], by_key: dict[str, dict], c: Checker) -> None:
    provinces = {k: r for k, r in by_key.items() if not k.startswith("_") and r["level"] == "province"}
    covered: dict[tuple[str, str], list[str]] = defaultdict(list)
    xw = by_key.get("_crosswalk", {}).get("rows")  # type: ignore[union-attr]
    for n, m in enumerate(rows, start=2):
        where = f"area_membership.csv line {n}"
        a, reg = by_key.get(m["area_key"]), by_key.get(m["region_key"])
        if not c.check(a is not None and a["level"] == "province", f"{where}: area {m['area_key']!r} is not a province"):
            continue
        if not c.check(reg is not None and reg["level"] == "region", f"{where}: region {m['region_key']!r} is not a region"):
            continue
        vf = parse_date(m["valid_from"], where, c)
        vt = parse_date(m["valid_to"], where, c)
        span = {"_from": vf, "_to": vt}
        # the membership must lie within the province's validity and within the region's
        c.check(a["_from"] is None or (vf is not None and vf >= a["_from"]), f"{where}: starts before {a['key']} exists")
        c.check(a["_to"] is None or (vt is not None and vt <= a["_to"]), f"{where}: ends after {a['key']} ends")
        c.check(reg["_from"] is None or (vf is not None and vf >= reg["_from"]), f"{where}: starts before region {reg['key']} exists")
        c.check(reg["_to"] is None or (vt is not None and vt <= reg["_to"]), f"{where}: ends after region {reg['key']} ends")
        for era in eras(span):
            covered[(a["key"], era)].append(reg["key"])
    for key, p in provinces.items():
        for era in eras(p):
            regs = covered.get((key, era), [])
            c.check(len(regs) == 1, f"area_membership.csv: province {key} has {len(regs)} region rows in the {era} era, expected 1")
    for (key, era) in covered:
        c.check(era in eras(provinces[key]), f"area_membership.csv: {key} has a membership in the {era} era where it is not valid")
    for key, p in provinces.items():
        latest = eras(p)[-1] if eras(p) else None
        regs = covered.get((key, latest), []) if latest else []
        if len(regs) == 1:
            c.check(p["parent_key"] == regs[0], f"areas.csv: {key} parent {p['parent_key']} differs from its {latest}-era membership {regs[0]}")
    if xw:
        region_name = {r["key"]: r["name_vi"] for k, r in by_key.items() if not k.startswith("_") and r["level"] == "region"}
        old_key = {r["code"]: k for k, r in provinces.items() if valid_on(r, OLD_LAST_DAY)}
        new_key = {r["code"]: k for k, r in provinces.items() if valid_on(r, NEW_FIRST_DAY)}
        for x in xw:
            regs = covered.get((old_key.get(x["old_code"], ""), "old"), [])
            c.check([region_name.get(r) for r in regs] == [x["old_region"]],
                    f"area_membership.csv: old {x['old_code']} should belong to {x['old_region']!r}, has {regs}")
            regs = covered.get((new_key.get(x["new_code"], ""), "new"), [])
            c.check([region_name.get(r) for r in regs] == [x["new_region"]],
                    f"area_membership.csv: new {x['new_code']} should belong to {x['new_region']!r}, has {regs}")


def check_succession(rows: list[dict], by_key: dict[str, dict], c: Checker) -> None:
    provinces = {k: r for k, r in by_key.items() if not k.startswith("_") and r["level"] == "province"}
    old = {k for k, r in provinces.items() if valid_on(r, OLD_LAST_DAY)}
    new = {k for k, r in provinces.items() if valid_on(r, NEW_FIRST_DAY)}
    c.check(len(rows) == 63, f"area_succession.csv: {len(rows)} rows, expected 63")
    olds = unique_rows(rows, "old_key", "area_succession.csv: old key", c)
    c.check(set(olds) == old, f"area_succession.csv: old keys differ from the 63 old provinces: "
                              f"missing {sorted(old - set(olds))}, extra {sorted(set(olds) - old)}")
    targets = {r["new_key"] for r in rows}
    c.check(targets == new, f"area_succession.csv: targets differ from the 34 new provinces: "
                            f"missing {sorted(new - targets)}, extra {sorted(targets - new)}")
    for r in rows:
        p = provinces.get(r["old_key"])
        if p is not None and p["valid_from"] == "" and p["valid_to"] == "":
            c.check(r["new_key"] == r["old_key"], f"area_succession.csv: spanning {r['old_key']} must map onto itself")
    xw = by_key.get("_crosswalk", {}).get("rows")  # type: ignore[union-attr]
    if xw:
        old_key = {p["code"]: k for k, p in provinces.items() if k in old}
        new_key = {p["code"]: k for k, p in provinces.items() if k in new}
        mapping = {r["old_key"]: r["new_key"] for r in rows}
        for x in xw:
            ok = old_key.get(x["old_code"])
            c.check(ok is not None and mapping.get(ok) == new_key.get(x["new_code"]),
                    f"area_succession.csv: old {x['old_code']} ({ok}) should map to new {x['new_code']}, maps to {mapping.get(ok or '')}")


def check_agencies(rows: list[dict], by_key: dict[str, dict], c: Checker) -> dict[str, dict]:
    agencies = unique_rows(rows, "code", "agencies.csv: code", c)
    kinds = {"ministry", "ministry_level", "government", "statistics", "province"}
    for r in rows:
        where = f"agencies.csv {r['code']}"
        c.check(r["kind"] in kinds, f"{where}: kind {r['kind']!r} not in {sorted(kinds)}")
        c.check(re.fullmatch(r"[A-Z][A-Z0-9-]*", r["code"]) is not None, f"{where}: code is not uppercase ASCII")
        for col in ("name_vi", "name_en", "short_vi", "short_en"):
            c.check(r[col] != "", f"{where}: empty {col}")
        c.check(r["area_key"] == "" or r["area_key"] in by_key, f"{where}: area {r['area_key']!r} does not exist")
        parse_date(r["valid_from"], where, c)
        parse_date(r["valid_to"], where, c)
    for code, kind in CENTRAL_AGENCIES.items():
        a = agencies.get(code)
        if c.check(a is not None, f"agencies.csv: central agency {code} missing"):
            c.check(a["kind"] == kind, f"agencies.csv: {code} has kind {a['kind']!r}, expected {kind!r}")
    ministries = [r for r in rows if r["kind"] == "ministry"]
    c.check(len(ministries) == 14, f"agencies.csv: {len(ministries)} ministries, expected 14")
    provinces = {k: r for k, r in by_key.items() if not k.startswith("_") and r["level"] == "province"}
    units = [r for r in rows if r["kind"] == "province"]
    c.check(len(units) == len(provinces) == 86, f"agencies.csv: {len(units)} provincial People's Committees for {len(provinces)} province rows, expected 86")
    unit_areas = Counter(r["area_key"] for r in units)
    for key, p in provinces.items():
        c.check(unit_areas.get(key) == 1, f"agencies.csv: province {key} has {unit_areas.get(key, 0)} People's Committees, expected 1")
        a = agencies.get(f"UB{key}")
        if c.check(a is not None, f"agencies.csv: UB{key} missing"):
            c.check(a["kind"] == "province" and a["area_key"] == key, f"agencies.csv: UB{key} must be kind province for area {key}")
            c.check((a["valid_from"], a["valid_to"]) == (p["valid_from"], p["valid_to"]),
                    f"agencies.csv: UB{key} validity {a['valid_from']!r}..{a['valid_to']!r} differs from province {key}")
    return agencies


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def check_indicators(groups: list[dict], rows: list[dict], agencies: dict[str, dict], c: Checker) -> None:
    gcodes = [g["code"] for g in groups]
    c.check(sorted(gcodes) == GROUP_CODES, f"indicator_groups.csv: codes {gcodes}, expected {GROUP_CODES}")
    for g in groups:
        c.check(re.fullmatch(r"-?\d+", g["sort"]) is not None, f"indicator_groups.csv {g['code']}: sort is not an integer")
        c.check(g["name_vi"] != "" and g["name_en"] != "", f"indicator_groups.csv {g['code']}: empty name")

    by_code = unique_rows(rows, "code", "indicators.csv: code", c)
    for r in rows:
        where = f"indicators.csv {r['code']}"
        c.check(re.fullmatch(r"[A-Z][A-Z0-9_]*", r["code"]) is not None and len(r["code"]) <= 40,
                f"{where}: code must be uppercase ASCII with underscores, at most 40 characters")
        for col in ("name_vi", "name_en", "unit_vi", "unit_en"):
            c.check(r[col] != "", f"{where}: empty {col}")
        for col in ("definition_vi", "definition_en"):
            c.check(r[col] != "" and r[col].endswith("."), f"{where}: {col} must be a sentence ending with a full stop")
        c.check(r["group_code"] in gcodes, f"{where}: group {r['group_code']!r} does not exist")
        c.check(r["periodicity"] in ("D", "M", "Q", "S", "Y"), f"{where}: periodicity {r['periodicity']!r} not in D M Q S Y")
        a = agencies.get(r["agency_code"])
        if c.check(a is not None, f"{where}: agency {r['agency_code']!r} does not exist"):
            c.check(a["kind"] != "province", f"{where}: the owning agency must be central, not a People's Committee")
        c.check(r["direction"] in ("up", "down", "neutral"), f"{where}: direction {r['direction']!r}")
        c.check(r["levels"] in ("nation", PROVINCE_LEVELS), f"{where}: levels {r['levels']!r} must be 'nation' or '{PROVINCE_LEVELS}'")
        c.check(r["decimals"] in ("0", "1", "2"), f"{where}: decimals {r['decimals']!r} not 0-2")
        c.check(r["confidential"] in ("0", "1"), f"{where}: confidential must be 0 or 1")
        c.check(r["cumulative"] in ("0", "1"), f"{where}: cumulative must be 0 or 1")
        c.check(r["headline"] == "" or re.fullmatch(r"[1-9]\d*", r["headline"]) is not None, f"{where}: headline {r['headline']!r} not a positive integer")

        agg = r["aggregation"]
        c.check(agg in ("sum", "mean", "weighted", "ratio", "last", "none"), f"{where}: aggregation {agg!r}")
        national_only = r["levels"] == "nation"
        if national_only:
            c.check(agg in ("none", "last"), f"{where}: a national-only indicator must have aggregation none (or last for a snapshot)")
        else:
            c.check(agg in ("sum", "mean", "weighted", "ratio"), f"{where}: a province-level indicator needs a roll-up rule, not {agg!r}")
        if r["periodicity"] == "D":
            c.check(national_only, f"{where}: daily indicators must be national only")
        if agg == "weighted":
            c.check(r["agg_num"] == "" and r["agg_den"] == "", f"{where}: weighted must not set agg_num/agg_den")
            w = by_code.get(r["agg_weight"])
            if c.check(w is not None, f"{where}: weight {r['agg_weight']!r} is not in the catalogue"):
                c.check(w["periodicity"] == r["periodicity"] and w["levels"] == r["levels"],
                        f"{where}: weight {w['code']} has periodicity/levels {w['periodicity']}/{w['levels']}, expected {r['periodicity']}/{r['levels']}")
                c.check(w["aggregation"] == "sum", f"{where}: weight {w['code']} must be additive (aggregation sum)")
                c.check(w["code"] != r["code"], f"{where}: weighted by itself")
        elif agg == "ratio":
            c.check(r["agg_weight"] == "", f"{where}: ratio must not set agg_weight")
            parts = []
            for col in ("agg_num", "agg_den"):
                p = by_code.get(r[col])
                if c.check(p is not None, f"{where}: {col} {r[col]!r} is not in the catalogue"):
                    c.check(p["periodicity"] == r["periodicity"] and p["levels"] == r["levels"],
                            f"{where}: {col} {p['code']} has periodicity/levels {p['periodicity']}/{p['levels']}, expected {r['periodicity']}/{r['levels']}")
                    c.check(p["aggregation"] == "sum", f"{where}: {col} {p['code']} must be additive (aggregation sum)")
                    parts.append(p)
            if len(parts) == 2:
                num, den = (_float(p["gen_base"]) for p in parts)
                base = _float(r["gen_base"])
                if num and den and base:
                    # units are chosen so that sum(num)/sum(den) is the indicator itself (factor 1)
                    c.check(abs(num / den / base - 1) < 0.03,
                            f"{where}: gen_base {base} is not num/den = {num / den:.3f}; units of ratio parts must give the indicator's unit")
        else:
            c.check(r["agg_weight"] == r["agg_num"] == r["agg_den"] == "", f"{where}: aggregation {agg} must not set weight/num/den")

        # generator parameters
        trend = r["gen_trend"]
        additive = trend.startswith("+")
        c.check(re.fullmatch(r"\+\d+(\.\d+)?|-?\d+(\.\d+)?", trend) is not None,
                f"{where}: gen_trend {trend!r} must be '+x' (additive, non-negative) or a signed growth rate")
        c.check(_float(trend) is not None, f"{where}: gen_trend {trend!r} does not parse as a number")
        for col in ("gen_base", "gen_season", "gen_noise", "gen_shock"):
            c.check(NUMBER.match(r[col]) is not None, f"{where}: {col} {r[col]!r} is not a number")
        for col in ("gen_min", "gen_max"):
            c.check(r[col] == "" or NUMBER.match(r[col]) is not None, f"{where}: {col} {r[col]!r} is not a number or empty")
        base, noise = _float(r["gen_base"]), _float(r["gen_noise"])
        lo, hi = _float(r["gen_min"]) if r["gen_min"] else None, _float(r["gen_max"]) if r["gen_max"] else None
        if base is not None:
            c.check((lo is None or lo <= base) and (hi is None or base <= hi), f"{where}: gen_base {base} outside [gen_min, gen_max]")
        if noise is not None:
            c.check(noise >= 0, f"{where}: gen_noise must not be negative")
            if not additive:
                c.check(noise < 1, f"{where}: multiplicative gen_noise {noise} is a relative SD and must be below 1")
        shock = _float(r["gen_shock"])
        if shock is not None:
            c.check(-1 < shock < 1, f"{where}: gen_shock {shock} must be a fraction in (-1, 1)")
        if not additive and r["unit_vi"] != "%" and base is not None and r["code"] != "TRADE_BALANCE":
            c.check(base > 0, f"{where}: a multiplicative series needs a positive gen_base")

    # catalogue-wide counts
    c.check(len(rows) >= 90, f"indicators.csv: {len(rows)} indicators, expected at least 90")
    per_group = Counter(r["group_code"] for r in rows)
    for g in GROUP_CODES:
        c.check(per_group.get(g, 0) >= 6, f"indicators.csv: group {g} has {per_group.get(g, 0)} indicators, expected at least 6")
    province = [r for r in rows if r["levels"] == PROVINCE_LEVELS]
    c.check(len(province) >= 30, f"indicators.csv: {len(province)} province-level indicators, expected at least 30")
    monthly_province = [r for r in province if r["periodicity"] == "M"]
    c.check(len(monthly_province) >= 5, f"indicators.csv: {len(monthly_province)} monthly province-level indicators, expected several (5+)")
    daily = [r for r in rows if r["periodicity"] == "D"]
    c.check(len(daily) >= 6, f"indicators.csv: {len(daily)} daily indicators, expected at least 6")
    conf = [r for r in rows if r["confidential"] == "1"]
    c.check(3 <= len(conf) <= 5, f"indicators.csv: {len(conf)} confidential indicators, expected 3-5")
    headlines = [int(r["headline"]) for r in rows if r["headline"].isdigit()]
    dup = [h for h, n in Counter(headlines).items() if n > 1]
    c.check(not dup, f"indicators.csv: headline orders used more than once: {sorted(dup)}")
    c.check(sorted(headlines) == list(range(1, 17)), f"indicators.csv: headline orders are {sorted(headlines)}, expected 1..16")
    for code in HEADLINE_REQUIRED:
        c.check(code in by_code and by_code[code]["headline"] != "", f"indicators.csv: {code} must be a headline indicator")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Check the reference CSV files (areas, membership, succession, agencies, indicator groups "
                    "and indicators) against their invariants; exit 1 with the first failures.")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"reference directory (default: {DEFAULT_DIR})")
    parser.add_argument("--crosswalk", type=Path, default=DEFAULT_CROSSWALK,
                        help="the 2025 province crosswalk CSV to check areas against; skipped with a note when "
                             f"missing (default: {DEFAULT_CROSSWALK})")
    parser.add_argument("--limit", type=int, default=25, help="how many failures to print (default: 25)")
    args = parser.parse_args(argv)

    c = Checker(args.limit)
    d = args.dir
    areas = read(d / "areas.csv", c)
    membership = read(d / "area_membership.csv", c)
    succession = read(d / "area_succession.csv", c)
    agencies, groups, indicators = from_package(d / "metadata-demo.json", ROOT / "ingest" / "demo_parameters.csv")

    notes = []
    by_key = check_areas(areas, c) if areas else {}
    if by_key:
        if args.crosswalk.exists():
            check_crosswalk(by_key, args.crosswalk, c)
        else:
            notes.append(f"crosswalk {args.crosswalk} not found: crosswalk checks skipped")
        check_membership(membership, by_key, c)
        check_succession(succession, by_key, c)
    agency_map = check_agencies(agencies, by_key, c) if agencies and by_key else {}
    check_indicators(groups, indicators, agency_map, c)

    for note in notes:
        print(f"note: {note}")
    if c.failures:
        print(f"FAILED: {len(c.failures)} problem(s) in {d}", file=sys.stderr)
        for msg in c.failures[: args.limit]:
            print(f"  - {msg}", file=sys.stderr)
        if len(c.failures) > args.limit:
            print(f"  ... and {len(c.failures) - args.limit} more", file=sys.stderr)
        return 1
    provinces = [r for r in areas if r["level"] == "province"]
    print(
        f"OK: {len(areas)} areas ({len(provinces)} province rows: "
        f"{sum(valid_on(r, OLD_LAST_DAY) for r in provinces)} on {OLD}, "
        f"{sum(valid_on(r, NEW_FIRST_DAY) for r in provinces)} on {NEW}), "
        f"{len(membership)} memberships, {len(succession)} successions, {len(agencies)} agencies, "
        f"{len(groups)} groups, {len(indicators)} indicators "
        f"({sum(r['levels'] == PROVINCE_LEVELS for r in indicators)} province-level, "
        f"{sum(r['periodicity'] == 'D' for r in indicators)} daily)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
