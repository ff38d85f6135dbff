"""How a report names an area, and what the name means: official codes (which repeat across the
2025 reorganisation), a code read at a stated date (the explicit back-cast form ``24@2025``), and
names as officials write them ("Hà Nội", "Ha Noi", "TP. Hồ Chí Minh", "Thừa Thiên Huế", "Hà Tây").

The rules, pure:

* **A code belongs to an era.** ``24`` meant Bắc Giang until 2025-06-30 and means the new Bắc Ninh
  from 2025-07-01. A bare code is read on the period's end date (the rule of :mod:`domain.eras`),
  except when that reading differs from the reading in the reporting unit's own era, which the
  unit cannot have meant without saying so: then the product asks instead of guessing
  (:func:`unit_era_day`; the intake refuses the row with ``area_code_changed_meaning``).
* **``CODE@WHEN``** (:func:`split_ref`) reads the code on a stated day (a year means its 31
  December, as a period belongs to the era of its end). When the period lies before that area
  existed, the value is the area's territory **back-cast**: the new province's territory measured
  in an earlier period.
* **A back-cast is read only as territory.** A value stored under an area for a period that ended
  before the area existed (:func:`first_own_start`) is that territory measured back in time: the
  comparable series uses it instead of summing the former provinces; every plain read (series,
  tiles, cross-sections, the periods provinces reported, the read API's plain ``area=``) leaves it
  out, so it is never shown as a value of the earlier era's areas nor counted beside them.
* **Names** are compared by :func:`name_key`: without diacritics, case, punctuation, spaces and the
  prefixes "Tỉnh", "Thành phố", "TP.", "TP" (and the English "Province", "City"), so that "TP. Hồ
  Chí Minh", "Thanh pho Ho Chi Minh" and "Ho Chi Minh City" are one key. :func:`match_name` picks
  the area a name designated on a day, among names that carry validity dates (historic names such
  as "Thừa Thiên Huế" until 2024-12-31, "Hà Tây" until 2008-07-31), and offers the closest names
  when none matches.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from domain.eras import valid_on
from domain.periods import Period
from domain.text import fold

REF_SEPARATOR = "@"
_BILINGUAL = re.compile(r"\s+[-–/]\s+")

_PUNCTUATION = re.compile(r"[.,;:\-–—_/\\()'\"’]+")
_LEADING = (("thanh", "pho"), ("thu", "do"), ("tinh",), ("tp",), ("t",))
_TRAILING = (("province",), ("city",))


def name_key(text: str) -> str:
    """The comparison key of an area name: folded (:func:`domain.text.fold`), punctuation and the
    administrative prefixes removed, words joined: "TP. Hồ Chí Minh" → "hochiminh", "Tỉnh Bà Rịa -
    Vũng Tàu" → "bariavungtau", "Hanoi" and "Hà Nội" → "hanoi"."""
    words = _PUNCTUATION.sub(" ", fold(text)).split()
    changed = True
    while changed and len(words) > 1:
        changed = False
        for prefix in _LEADING:
            if tuple(words[: len(prefix)]) == prefix and len(words) > len(prefix):
                words = words[len(prefix):]
                changed = True
                break
        for suffix in _TRAILING:
            if tuple(words[-len(suffix):]) == suffix and len(words) > len(suffix):
                words = words[: -len(suffix)]
                changed = True
                break
    return "".join(words)


def split_ref(text: str) -> tuple[str, date] | None:
    """``(code, day)`` of the explicit form ``CODE@YYYY`` (31 December of that year) or
    ``CODE@YYYY-MM-DD``; None when ``text`` has no ``@``. Raises ValueError for a malformed form."""
    if REF_SEPARATOR not in text:
        return None
    code, _, when = (part.strip() for part in text.partition(REF_SEPARATOR))
    if not code or not when:
        raise ValueError(text)
    if re.fullmatch(r"\d{4}", when):
        return code, date(int(when), 12, 31)
    return code, date.fromisoformat(when)


def unit_era_day(valid_from: date | None, valid_to: date | None, period_end: date) -> date | None:
    """The day on which a reporting unit valid from ``valid_from`` to ``valid_to`` reads codes,
    when it did not exist on ``period_end`` (a new province's unit reporting 2019, a former
    province's unit reporting after its end); None when it existed then (it wrote the codes of
    that time)."""
    if valid_on(valid_from, valid_to, period_end):
        return None
    if valid_from is not None and period_end < valid_from:
        return valid_from
    return valid_to


@lru_cache(maxsize=256)
def first_own_start(periodicity: str, valid_from: date) -> date:
    """The start of the first period of ``periodicity`` that holds values of an area valid from
    ``valid_from`` as its own: the period containing that day (a period belongs to the era of its
    end, so 2025 is the new provinces' year). A value stored under the area for a period starting
    earlier ended before the area existed: a back-cast."""
    return Period.from_date(periodicity, valid_from).start


# -- names -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaName:
    """One name by which an area is or was known.

    ``area_key``: the area it designates (None for a territory the warehouse has no area of,
    such as Hà Tây before 2008); ``valid_from``/``valid_to``: when the name was in use
    (inclusive, None: open); ``successor``: the area key whose territory now holds it (for a
    name of a territory that was merged away); ``label``: how a suggestion shows it ("01 Hà Nội")."""

    name: str
    area_key: str | None
    valid_from: date | None
    valid_to: date | None
    label: str
    successor: str | None = None

    @property
    def key(self) -> str:
        return name_key(self.name)


@dataclass(frozen=True)
class NameMatch:
    """What a name designated on a day.

    ``kind``: ``unique`` (``area_key`` is the area), ``ambiguous`` (several areas: ``candidates``),
    ``not_in_use`` (the name is known, but not on that day: ``candidates`` are its other uses),
    ``merged`` (a territory merged away, the warehouse has no area of it: ``candidates`` holds the
    successor), ``none`` (``candidates`` are the closest names)."""

    kind: str
    area_key: str | None = None
    candidates: tuple[AreaName, ...] = ()

    def suggestion(self, limit: int = 3) -> str:
        """"01 Hà Nội" or "01 Hà Nội, 79 Hồ Chí Minh": the candidates' labels."""
        return ", ".join(dict.fromkeys(c.label for c in self.candidates[:limit]))


def index_names(names: Iterable[AreaName]) -> dict[str, tuple[AreaName, ...]]:
    """Names grouped by :func:`name_key` (the index :func:`match_name` reads)."""
    out: dict[str, list[AreaName]] = {}
    for n in names:
        k = n.key
        if k:
            out.setdefault(k, []).append(n)
    return {k: tuple(v) for k, v in out.items()}


def match_name(text: str, index: Mapping[str, Sequence[AreaName]], day: date,
               labels: Mapping[str, str] | None = None) -> NameMatch:
    """The area ``text`` designated on ``day`` (see :class:`NameMatch`). ``labels``: area key →
    label, for the successor of a merged territory."""
    key = name_key(text)
    uses = index.get(key, ())
    if not uses and _BILINGUAL.search(text):  # "CẢ NƯỚC - WHOLE COUNTRY": the first language's name
        first = _BILINGUAL.split(text)[0]
        if name_key(first) in index:
            return match_name(first, index, day, labels)
    if uses:
        current = [n for n in uses if valid_on(n.valid_from, n.valid_to, day)]
        areas = {n.area_key for n in current if n.area_key is not None}
        if len(areas) == 1:
            return NameMatch("unique", areas.pop(), tuple(current))
        if len(areas) > 1:
            return NameMatch("ambiguous", None, tuple(current))
        if current:  # a territory without an area of its own
            return NameMatch("merged", None, _successors(current, labels))
        renamed = tuple(n for n in uses if n.area_key is not None and n.valid_to is not None and n.valid_to < day)
        later = tuple(AreaName(n.label, n.area_key, None, None, (labels or {}).get(n.area_key or "", n.label))
                      for n in renamed if n.area_key in {u.area_key for u in index_all(index, n.area_key, day)})
        return NameMatch("not_in_use", None, _successors(uses, labels) or later)
    close = difflib.get_close_matches(key, list(index), n=6, cutoff=0.6)
    ranked: list[AreaName] = []
    for k in close:
        names = index[k]
        now = [n for n in names if n.area_key is not None and valid_on(n.valid_from, n.valid_to, day)]
        ranked.extend(now or list(_successors(names, labels)))
    return NameMatch("none", None, tuple(ranked))


def index_all(index: Mapping[str, Sequence[AreaName]], area_key: str | None, day: date) -> list[AreaName]:
    """The names of ``area_key`` in use on ``day`` (a renamed area that still exists)."""
    return [n for names in index.values() for n in names if n.area_key == area_key
            and valid_on(n.valid_from, n.valid_to, day)]


def _successors(names: Iterable[AreaName], labels: Mapping[str, str] | None) -> tuple[AreaName, ...]:
    out = []
    for n in names:
        if n.successor is not None:
            label = (labels or {}).get(n.successor, n.successor)
            out.append(AreaName(label, n.successor, None, None, label))
    return tuple(out)
