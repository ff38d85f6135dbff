"""Reads of the area-name reference service: every name by which the nation and the provinces of
both eras are or were known, with validity dates, for :func:`domain.area_refs.match_name`.

Names come from two places: the ``area`` table (each area's Vietnamese and English name, valid
while the area is) and the reference file ``reference/area_names.csv`` (historic names and common
forms, each with its source: "Thừa Thiên Huế" until 2024-12-31, "Hà Tây" until 2008-07-31, then
part of Hà Nội; "HCM", "Toàn quốc"). A row of that file names an official code and holds for every
area that carried the code, within both validities; a merged territory names its successor's code.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Connection

from data_access import schema
from data_access.cache.memo import reference_data
from data_access.catalogue import NotFound, area_map, resolve_area
from data_access.engine import current_connection
from domain.area_refs import AreaName, index_names, split_ref

NAMES_FILE = Path(__file__).resolve().parent / "reference" / "area_names.csv"
LEVELS = ("nation", "region", "province")


@functools.cache
def _extra_names() -> tuple[dict[str, str], ...]:
    with open(NAMES_FILE, encoding="utf-8", newline="") as fh:
        return tuple({k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh))


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _later(a: date | None, b: date | None) -> date | None:
    return a if b is None else b if a is None else max(a, b)


def _earlier(a: date | None, b: date | None) -> date | None:
    return a if b is None else b if a is None else min(a, b)


def names_of(areas: Iterable[tuple[str, str, str, str, date | None, date | None]]) -> tuple[AreaName, ...]:
    """Every name of ``areas`` (key, code, name_vi, name_en, valid_from, valid_to of the nation and
    the provinces) and of the reference file, as :class:`~domain.area_refs.AreaName`."""
    rows = list(areas)
    out: list[AreaName] = []
    for key, _code, name_vi, name_en, since, until in rows:
        label = f"{key} {name_vi}"
        out += [AreaName(name_vi, key, since, until, label), AreaName(name_en, key, since, until, label)]
    for extra in _extra_names():
        since, until = _day(extra["valid_from"]), _day(extra["valid_to"])
        if extra["area_code"]:
            for key, code, name_vi, _en, a_since, a_until in rows:
                start, end = _later(since, a_since), _earlier(until, a_until)
                if code == extra["area_code"] and (start is None or end is None or start <= end):
                    out.append(AreaName(extra["name"], key, start, end, f"{key} {name_vi}"))
        else:
            successor = next((key for key, code, *_rest, a_until in rows
                              if code == extra["successor_code"] and a_until is None), None)
            out.append(AreaName(extra["name"], None, since, until, extra["name"], successor))
    return tuple(out)


def read_area_names(conn: Connection) -> tuple[AreaName, ...]:
    """:func:`names_of` the warehouse's nation and provinces, read on ``conn`` (the intake's
    snapshot, outside the cached reads)."""
    a = schema.area
    stmt = (select(a.c.key, a.c.code, a.c.name_vi, a.c.name_en, a.c.valid_from, a.c.valid_to)
            .where(a.c.level.in_(LEVELS)).order_by(a.c.sort, a.c.key))
    return names_of((r[0], r[1], r[2], r[3], r[4], r[5]) for r in conn.execute(stmt))


def labels_of(names: Sequence[AreaName]) -> Mapping[str, str]:
    """Area key → its label ("01 Hà Nội"), for suggestions."""
    return {n.area_key: n.label for n in names if n.area_key is not None}


@reference_data
def area_name_index() -> dict[str, tuple[AreaName, ...]]:
    """Name key → the names with that key (:func:`domain.area_refs.index_names`), for the boards
    and the API. Do not mutate."""
    return index_names(read_area_names(current_connection()))


class AreaParamError(ValueError):
    """An ``area=`` parameter that names no area, or a code that meant different areas within the
    periods asked for; ``meanings`` lists the areas (key, label, valid from, valid to) it could be."""

    def __init__(self, text: str, meanings: tuple[tuple[str, str, date | None, date | None], ...] = ()):
        super().__init__(text)
        self.text, self.meanings = text, meanings


def area_param(text: str, first: date | None, last: date | None) -> tuple[str, bool]:
    """What the read API's ``area=`` means, for periods from ``first`` to ``last`` (ends of
    periods, None: open): ``(area key, territory)``.

    * an area key (``08-63``) or a code that always meant one area (``01``, ``02``): that area;
    * a code that meant different areas (``08``, ``24``): the one area it meant within the periods
      asked for; :class:`AreaParamError` when the periods cross its change (ask, never guess);
    * ``CODE@WHEN`` (``24@2025``): the area the code meant that day, with ``territory`` True: its
      territory through time (a current province's comparable series, back-casts included)."""
    amap = area_map()
    try:
        ref = split_ref(text)
    except ValueError:
        raise AreaParamError(text) from None
    if ref is not None:
        try:
            return resolve_area(ref[0], ref[1]).key, True
        except NotFound:
            raise AreaParamError(text) from None
    meanings = [a for a in amap.values() if a.code == text]
    if text in amap and (len(meanings) <= 1 or "-" in text):
        return text, False
    if len(meanings) == 1:
        return meanings[0].key, False
    inside = [a for a in meanings if (first is None or a.valid_to is None or first <= a.valid_to)
              and (last is None or a.valid_from is None or a.valid_from <= last)]
    if len(inside) == 1:
        return inside[0].key, False
    raise AreaParamError(text, tuple((a.key, f"{a.code} {a.name_vi}", a.valid_from, a.valid_to) for a in meanings))
