"""The mapping step of a file whose indicator or area names are not codes: what the product
proposes for each name, how sure it is, and the signature of a file's shape under which a
confirmed mapping is saved.

The rules, pure:

* **Areas** (:func:`propose_area`): a label is matched as a name (:func:`domain.area_refs.match_name`)
  on every period of the file, across both eras: one area on every period is proposed as that area;
  a name that designates different areas in different periods ("Bắc Ninh" in 2024 and in 2025Q3)
  is kept as written and read period by period; a name that the reporting unit, which did not exist
  in that period, would read as another area in its own era is not proposed (the officer chooses
  between the former area and the back-cast, as the intake asks); a name matching nothing offers
  the closest names, the first proposed only when it is close enough (``uncertain``).
* **Indicators** (:func:`rank_indicators`): the words of an indicator's name (either language,
  without diacritics) found in the file's title or label, a unit stated by the table checked
  against the indicator's unit with the scaling rules (:func:`domain.units.factor`): an indicator
  whose unit no known factor reaches falls far down the list.
* **Confidence** is a number from 0 to 1 and a ``status``: ``matched`` (proposed, nothing to
  check), ``uncertain`` (proposed, to check) or ``unmatched`` (nothing proposed: the officer picks).
* **Shape** (:func:`shape_signature`): a file's title without its numbers, its unit and its labels
  (by :func:`domain.area_refs.name_key`), so that next year's table of the same unit, with one
  more column and another year in its title, has the same signature.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from domain.area_refs import AreaName, match_name, name_key, unit_era_day
from domain.text import fold
from domain.units import factor

MATCHED, UNCERTAIN, UNMATCHED = "matched", "uncertain", "unmatched"
_CODE_SHAPED = re.compile(r"[A-Z0-9][A-Z0-9_-]*")


def looks_like_code(text: str) -> bool:
    """Whether ``text`` is written as a code ("NOPE", "99", "24-63"), not as a name ("Ha Noi",
    "Dân số"): an unknown code is the validation's to report (row, column, value and its "did you
    mean"), not a name for the officer to map."""
    return _CODE_SHAPED.fullmatch(text) is not None
SKIP = ""
"""The target of a label whose rows are not loaded (a row the reader took for data by mistake)."""

CLOSE_ENOUGH = 0.85  # a name matching nothing: its closest name is proposed (uncertain) from this ratio
INDICATOR_SURE = 0.75  # an indicator scoring at least this, with a margin, is matched
INDICATOR_MARGIN = 0.15
INDICATOR_FLOOR = 0.3  # below this, an indicator is no proposal
UNIT_PENALTY = 0.25  # the score of an indicator whose unit the table's unit cannot reach is multiplied by this

_WORD = re.compile(r"[a-z%]+")
_STOP = frozenset({
    "bieu", "phan", "theo", "dia", "phuong", "tinh", "thanh", "pho", "don", "vi", "dvt", "unit", "nam", "cua",
    "va", "cac", "so", "lieu", "by", "of", "the", "and", "in", "province", "provinces", "city", "year", "table",
    "ca", "nuoc", "whole", "country", "prel", "bo", "nguon", "ghi", "chu", "source", "note",
})
# "so" (number) and "dan so" (population) share a word: keep "so" in the indicator's words, but do
# not let it alone make a match (it is a stop word of titles only)
_KEEP_IN_NAMES = frozenset({"so"})


@dataclass(frozen=True)
class Candidate:
    """A possible target: ``value`` (an area key, an area reference read by period, or an
    indicator code), its ``label`` as the officer reads it, and the ``score`` (0..1)."""

    value: str
    label: str
    score: float


@dataclass(frozen=True)
class Proposal:
    """What the product proposes for one name of the file: ``target`` (None: nothing proposed),
    ``status`` (matched, uncertain, unmatched), ``confidence`` (0..1), the ``candidates`` (best
    first, the target among them), and ``reason`` (a message key: why it is uncertain or
    unmatched)."""

    text: str
    target: str | None
    status: str
    confidence: float
    candidates: tuple[Candidate, ...] = ()
    reason: str = ""
    rows: int = 0


@dataclass(frozen=True)
class AreaInfo:
    """What the proposal needs of an area: its key, label and validity."""

    key: str
    label: str
    valid_from: date | None
    valid_to: date | None


def area_label(area: AreaInfo) -> str:
    """"27-63 Bắc Ninh (–30/06/2025)": the label with the validity of an area of one era."""
    if area.valid_from is None and area.valid_to is None:
        return area.label
    since = area.valid_from.strftime("%d/%m/%Y") if area.valid_from else ""
    until = area.valid_to.strftime("%d/%m/%Y") if area.valid_to else ""
    return f"{area.label} ({since}–{until})"


def representative_days(days: Iterable[date], names: Mapping[str, Sequence[AreaName]],
                        extra: Iterable[date | None] = ()) -> list[date]:
    """One day of each span between the validity boundaries of ``names`` (and ``extra`` days,
    such as a unit's validity) among ``days``: two days of a span read every name alike."""
    bounds: set[date] = {d for d in extra if d is not None}
    for uses in names.values():
        for n in uses:
            if n.valid_from is not None:
                bounds.add(n.valid_from)
            if n.valid_to is not None and n.valid_to < date.max:
                bounds.add(n.valid_to + timedelta(days=1))
    edges = sorted(bounds)
    out: dict[int, date] = {}
    for d in sorted(set(days)):
        out.setdefault(bisect.bisect_right(edges, d), d)
    return list(out.values())


def propose_area(text: str, days: Sequence[date], names: Mapping[str, Sequence[AreaName]],
                 areas: Mapping[str, AreaInfo], unit_from: date | None = None, unit_to: date | None = None,
                 rows: int = 0) -> Proposal:
    """The proposal for the area label ``text`` over the periods ending on ``days`` (one per span:
    :func:`representative_days`), reported by a unit valid from ``unit_from`` to ``unit_to``."""
    labels = {k: a.label for k, a in areas.items()}
    found = [match_name(text, names, d, labels) for d in days]
    keys = {m.area_key for m in found if m.kind == "unique" and m.area_key}
    if keys and all(m.kind == "unique" for m in found):
        for d, m in zip(days, found, strict=True):  # the unit's own era: ask, never guess
            unit_day = unit_era_day(unit_from, unit_to, d)
            theirs = match_name(text, names, unit_day, labels) if unit_day is not None else None
            if unit_day is not None and theirs is not None and theirs.kind == "unique" and theirs.area_key != m.area_key:
                return _changed_meaning(text, m.area_key or "", theirs.area_key or "", unit_day, areas, rows)
        if len(keys) == 1:
            key = keys.pop()
            exact = any(n.name.strip() == text.strip() for m in found for n in m.candidates)
            score = 1.0 if exact else 0.95
            return Proposal(text, key, MATCHED, score, (Candidate(key, area_label(areas[key]), score),), rows=rows)
        per_period = Candidate(text, " / ".join(area_label(areas[k]) for k in sorted(keys)), 0.9)
        return Proposal(text, text, MATCHED, 0.9, (per_period,) + tuple(
            Candidate(k, area_label(areas[k]), 0.5) for k in sorted(keys)), "map.by_period", rows)
    key = name_key(text)
    offered: dict[str, Candidate] = {}
    for m in found:
        for c in m.candidates:
            if c.area_key and c.area_key in areas and c.area_key not in offered:
                ratio = difflib.SequenceMatcher(None, key, c.key).ratio() if m.kind == "none" else 0.5
                offered[c.area_key] = Candidate(c.area_key, area_label(areas[c.area_key]), round(ratio, 3))
    ranked = tuple(sorted(offered.values(), key=lambda c: -c.score))
    kinds = {m.kind for m in found}
    reason = "map.ambiguous" if "ambiguous" in kinds else "map.not_in_use" if kinds & {"not_in_use", "merged"} \
        else "map.no_match"
    if ranked and kinds == {"none"} and ranked[0].score >= CLOSE_ENOUGH:
        return Proposal(text, ranked[0].value, UNCERTAIN, ranked[0].score, ranked, "map.close", rows)
    return Proposal(text, None, UNMATCHED, ranked[0].score if ranked else 0.0, ranked, reason, rows)


def _changed_meaning(text: str, then: str, theirs: str, unit_day: date, areas: Mapping[str, AreaInfo],
                     rows: int) -> Proposal:
    """A name the unit reads as another area in its own era: both readings offered, none chosen."""
    code = theirs.split("-", 1)[0]
    backcast = f"{code}@{unit_day.year}"
    return Proposal(text, None, UNMATCHED, 0.5, (
        Candidate(then, area_label(areas[then]), 0.5),
        Candidate(backcast, f"{areas[theirs].label} ({unit_day.year}, back-cast)", 0.5),
    ), "map.changed_meaning", rows)


# -- indicators ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInfo:
    """What the ranking needs of an indicator."""

    code: str
    name_vi: str
    name_en: str
    unit_vi: str
    unit_en: str


def words(text: str, keep: frozenset[str] = frozenset()) -> list[str]:
    """The words of ``text`` folded, without numbers and the words every title has."""
    return [w for w in _WORD.findall(fold(text)) if w not in _STOP or w in keep]


def name_score(name: str, title_words: set[str], title_pairs: set[tuple[str, str]]) -> float:
    """How much of an indicator's name the title says: its words found (80 %) and its word pairs
    found in order (20 %)."""
    own = words(name, _KEEP_IN_NAMES)
    if not own:
        return 0.0
    found = sum(1 for w in own if w in title_words) / len(own)
    pairs = list(zip(own, own[1:], strict=False))
    in_order = sum(1 for p in pairs if p in title_pairs) / len(pairs) if pairs else found
    return 0.8 * found + 0.2 * in_order


def unit_fits(table_unit: str | None, ind: IndicatorInfo) -> bool | None:
    """Whether a table's unit reaches the indicator's by a known factor (None: no unit stated)."""
    if not table_unit:
        return None
    return factor(table_unit, ind.unit_vi) is not None or bool(ind.unit_en and factor(table_unit, ind.unit_en) is not None)


def rank_indicators(title: str, table_unit: str | None, indicators: Iterable[IndicatorInfo],
                    limit: int = 8) -> tuple[Candidate, ...]:
    """The indicators the ``title`` (and ``table_unit``) most likely means, best first."""
    tw = words(title, _KEEP_IN_NAMES)
    title_words, title_pairs = set(tw), set(zip(tw, tw[1:], strict=False))
    scored = []
    for ind in indicators:
        score = max(name_score(ind.name_vi, title_words, title_pairs), name_score(ind.name_en, title_words, title_pairs))
        if fold(title).strip() == fold(ind.code).strip() or title.strip().upper() == ind.code:
            score = 1.0
        if unit_fits(table_unit, ind) is False:
            score *= UNIT_PENALTY
        if score > 0:
            scored.append(Candidate(ind.code, f"{ind.code} – {ind.name_vi} ({ind.unit_vi})", round(score, 3)))
    scored.sort(key=lambda c: (-c.score, c.value))
    return tuple(scored[:limit])


def propose_indicator(text: str, table_unit: str | None, indicators: Sequence[IndicatorInfo],
                      rows: int = 0) -> Proposal:
    """The proposal for the indicator named by ``text`` (a title, or a cell of the indicator column)."""
    ranked = rank_indicators(text, table_unit, indicators)
    if not ranked or ranked[0].score < INDICATOR_FLOOR:
        return Proposal(text, None, UNMATCHED, ranked[0].score if ranked else 0.0, ranked, "map.no_indicator", rows)
    best = ranked[0]
    margin = best.score - (ranked[1].score if len(ranked) > 1 else 0.0)
    sure = best.score >= INDICATOR_SURE and margin >= INDICATOR_MARGIN
    return Proposal(text, best.value, MATCHED if sure else UNCERTAIN, best.score, ranked,
                    "" if sure else "map.indicator_uncertain", rows)


# -- the shape of a file ------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """What identifies a file's layout for a saved mapping: its title (numbers dropped), unit and
    labels (areas, and indicator names when the file has an indicator column)."""

    title: str = ""
    unit: str = ""
    labels: tuple[str, ...] = field(default_factory=tuple)

    def signature(self) -> str:
        return shape_signature(self.title, self.unit, self.labels)


def shape_signature(title: str, unit: str, labels: Iterable[str]) -> str:
    """A short hash of the file's shape: the title's words without numbers, the unit folded, and
    the labels' name keys (sorted, so the order of rows does not matter)."""
    keys = sorted({name_key(lbl) for lbl in labels if lbl.strip()})
    text = "|".join([" ".join(words(title, _KEEP_IN_NAMES)), " ".join(fold(unit).split()), *keys])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

