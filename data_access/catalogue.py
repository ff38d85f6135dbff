"""Reads of the reference catalogue: indicators, groups, agencies, areas of both eras.

Every function is memoized under the warehouse ``data_version`` (see :mod:`data_access.cache`).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.orm import aliased

from data_access import schema
from data_access.cache.memo import reference_data
from data_access.cache.scopes import current_clearance
from data_access.engine import OWN, current_connection, get_dataset, rows_of
from domain.eras import ERA_DAY, Era, era_of, valid_on
from domain.text import fold


class NotFound(LookupError):
    """A code or key that the warehouse does not know."""


@dataclass(frozen=True)
class Indicator:
    id: int
    code: str
    name_vi: str
    name_en: str
    group_code: str
    unit_vi: str
    unit_en: str
    periodicity: str
    agency_code: str
    agency_vi: str
    agency_en: str
    aggregation: str
    weight_code: str | None
    num_code: str | None
    den_code: str | None
    direction: str
    levels: tuple[str, ...]
    decimals: int
    confidential: bool
    cumulative: bool
    headline: int | None
    definition_vi: str
    definition_en: str
    formula: str | None = None  # a derived indicator's formula: its values are computed by the product

    @property
    def computed(self) -> bool:
        """Whether the product computes the values (from the formula) rather than a unit reporting them."""
        return bool(self.formula)

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi

    def unit(self, lang: str) -> str:
        return self.unit_en if lang == "en" else self.unit_vi

    def agency(self, lang: str) -> str:
        return self.agency_en if lang == "en" else self.agency_vi

    def definition(self, lang: str) -> str:
        return self.definition_en if lang == "en" else self.definition_vi

    @property
    def provincial(self) -> bool:
        return "province" in self.levels


@dataclass(frozen=True)
class Area:
    id: int
    key: str
    code: str
    name_vi: str
    name_en: str
    level: str
    parent_key: str | None
    valid_from: date | None
    valid_to: date | None

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


def _connection() -> nullcontext[Connection]:
    return nullcontext(current_connection())


@reference_data
def dataset() -> str:
    """Which data set the boards show: ``"real"`` (the official statistics of ``import-real``),
    ``"demo"`` (the illustrative data of the demo seed) or ``"own"`` (neither recorded: a centre
    fed by its own units' reports)."""
    with _connection() as conn:
        return get_dataset(conn) or OWN


def _visible(clearance: str) -> ColumnElement[bool] | None:
    """Confidential indicators only for viewers cleared for them (``all``, ``admin``); draft ones
    (being prepared, taking no data yet) only for admins."""
    i = schema.indicator
    if clearance == "admin":
        return None
    not_draft = i.c.status != "draft"
    return not_draft if clearance == "all" else and_(not_draft, i.c.confidential.is_(False))


def _indicator_select() -> Select[*tuple[Any, ...]]:
    i, a = schema.indicator, schema.agency
    w, n, d = aliased(i), aliased(i), aliased(i)
    return (
        select(
            i.c.id, i.c.code, i.c.name_vi, i.c.name_en, i.c.group_code, i.c.unit_vi, i.c.unit_en, i.c.periodicity,
            a.c.code.label("agency_code"), a.c.name_vi.label("agency_vi"), a.c.name_en.label("agency_en"),
            i.c.aggregation, w.c.code.label("weight_code"), n.c.code.label("num_code"), d.c.code.label("den_code"),
            i.c.direction, i.c.levels, i.c.decimals, i.c.confidential, i.c.cumulative, i.c.headline,
            i.c.definition_vi, i.c.definition_en, i.c.formula,
        )
        .join(a, a.c.id == i.c.agency_id)
        .outerjoin(w, w.c.id == i.c.agg_weight_id)
        .outerjoin(n, n.c.id == i.c.agg_num_id)
        .outerjoin(d, d.c.id == i.c.agg_den_id)
    )


def _to_indicator(row: Row[*tuple[Any, ...]]) -> Indicator:
    m = dict(row._mapping)
    m["levels"] = tuple((m["levels"] or "nation").split(";"))
    m["confidential"] = bool(m["confidential"])
    m["cumulative"] = bool(m["cumulative"])
    m["formula"] = m["formula"] or None
    return Indicator(**m)


@reference_data
def _all_indicators(clearance: str) -> tuple[Indicator, ...]:
    stmt = _indicator_select().order_by(schema.indicator.c.group_code, schema.indicator.c.code)
    cond = _visible(clearance)
    if cond is not None:
        stmt = stmt.where(cond)
    with _connection() as conn:
        return tuple(_to_indicator(r) for r in conn.execute(stmt))


def all_indicators() -> tuple[Indicator, ...]:
    """Every indicator the viewer may see, ordered by group and code."""
    return _all_indicators(current_clearance())


@reference_data
def indicator_map() -> dict[str, Indicator]:
    """Code → indicator, for the viewer's clearance. Do not mutate."""
    return {i.code: i for i in all_indicators()}


def get_indicator(code: str) -> Indicator:
    """The indicator ``code``; :class:`NotFound` if unknown (or not a string) or not visible to
    the viewer."""
    found = indicator_map().get(code) if isinstance(code, str) else None
    if found is None:
        raise NotFound(f"indicator {code!r}")
    return found


@reference_data
def confidential_codes() -> frozenset[str]:
    """Codes of the confidential indicators, whatever the viewer's clearance: what text derived
    from values must be redacted for (:func:`data_access.compliance.report_for_viewer`). Not for
    display: the catalogue of an uncleared viewer does not list these."""
    i = schema.indicator
    with _connection() as conn:
        return frozenset(r.code for r in conn.execute(select(i.c.code).where(i.c.confidential.is_(True))))


def indicators_of(group: str | None = None, agency: str | None = None, headline: bool = False) -> list[Indicator]:
    """The indicators the viewer may see, in catalogue order, filtered by group code, agency
    code, headline (the list itself: a board that only needs the codes builds no frame;
    :func:`indicators_frame` also puts headline indicators in their headline order)."""
    return [i for i in all_indicators()
            if (group is None or i.group_code == group) and (agency is None or i.agency_code == agency)
            and (not headline or i.headline is not None)]


def _in_headline_order(found: list[Indicator]) -> list[Indicator]:
    return sorted(found, key=lambda i: i.headline or 0)


def headline_codes() -> tuple[str, ...]:
    """The codes of the headline indicators the viewer may see, in their headline order (as
    :func:`indicators_frame` with ``headline`` orders them, without building the frame: the
    overview and the wall only need the codes)."""
    return tuple(i.code for i in _in_headline_order(indicators_of(headline=True)))


def indicators_frame(group: str | None = None, agency: str | None = None, headline: bool = False) -> pd.DataFrame:
    """Columns: every :class:`Indicator` field; filtered as :func:`indicators_of` (headline
    indicators in their headline order)."""
    found = indicators_of(group, agency, headline)
    return _frame(_in_headline_order(found) if headline else found)


def search_indicators(query: str, limit: int = 50) -> pd.DataFrame:
    """Indicators whose code or names contain every word of ``query``, with or without
    diacritics ("ty le that nghiep" finds "Tỷ lệ thất nghiệp"). Columns as :func:`indicators_frame`."""
    words = fold(query or "").split()
    searchable = _search_texts(current_clearance())
    hits = [code for code, text in searchable if all(w in text for w in words)]
    imap = indicator_map()
    return _frame(imap[c] for c in hits[:limit] if c in imap)


def _frame(found: Iterable[Indicator]) -> pd.DataFrame:
    """Indicators as rows, with every column even when there are none (an empty catalogue)."""
    return pd.DataFrame([i.__dict__ for i in found], columns=[f.name for f in fields(Indicator)])


@reference_data
def _search_texts(clearance: str) -> tuple[tuple[str, str], ...]:
    i = schema.indicator
    stmt = select(i.c.code, i.c.search_text).order_by(i.c.group_code, i.c.code)
    cond = _visible(clearance)
    if cond is not None:
        stmt = stmt.where(cond)
    with _connection() as conn:
        return tuple((r.code, r.search_text) for r in conn.execute(stmt))


@reference_data  # every board reads it: kept in the process, not unpickled per request
def indicator_groups() -> pd.DataFrame:
    """Columns: code, name_vi, name_en, sort. Callers never change the frame (it is shared)."""
    g = schema.indicator_group
    with _connection() as conn:
        return pd.read_sql(select(g).order_by(g.c.sort), conn)


@reference_data  # kept in the process: unpickling its frame cost ~0.7 ms of each sectors board
def agencies(kind: str | None = None) -> pd.DataFrame:
    """Columns: id, code, name_vi, name_en, short_vi, short_en, kind, area_key, valid_from, valid_to, active
    (False: deactivated, submits nothing). Callers never change the frame (it is shared)."""
    a, ar = schema.agency, schema.area
    stmt = select(a.c.id, a.c.code, a.c.name_vi, a.c.name_en, a.c.short_vi, a.c.short_en, a.c.kind,
                  ar.c.key.label("area_key"), a.c.valid_from, a.c.valid_to, a.c.active).outerjoin(ar, ar.c.id == a.c.area_id)
    if kind:
        stmt = stmt.where(a.c.kind == kind)
    with _connection() as conn:
        return pd.read_sql(stmt.order_by(a.c.kind, a.c.code), conn)


#: The agencies a board of sectors offers: the government, the statistics office, the ministries.
OWNER_KINDS = ("government", "statistics", "ministry", "ministry_level")


class Owner(NamedTuple):
    """An agency that owns indicators the viewer may see, with their number."""

    code: str
    name_vi: str
    name_en: str
    indicators: int


@reference_data
def indicator_owners() -> tuple[Owner, ...]:
    """The agencies of :data:`OWNER_KINDS` owning at least one indicator the viewer may see, in
    the order of :func:`agencies` (kind, code), each with how many: the sectors board's choice of
    ministry (kept in the process, not counted again on every view)."""
    counts: dict[str, int] = {}
    for i in indicators_of():
        if i.agency_code is not None:
            counts[i.agency_code] = counts.get(i.agency_code, 0) + 1
    frame = agencies()
    return tuple(Owner(code, vi, en, counts[code])
                 for code, vi, en, kind in zip(frame["code"], frame["name_vi"], frame["name_en"], frame["kind"],
                                               strict=True)
                 if kind in OWNER_KINDS and code in counts)


@reference_data
def _areas() -> tuple[Area, ...]:
    a = schema.area
    p = aliased(a)
    stmt = (select(a.c.id, a.c.key, a.c.code, a.c.name_vi, a.c.name_en, a.c.level, p.c.key.label("parent_key"),
                   a.c.valid_from, a.c.valid_to)
            .outerjoin(p, p.c.id == a.c.parent_id).order_by(a.c.sort, a.c.key))
    with _connection() as conn:
        return tuple(Area(**dict(r._mapping)) for r in conn.execute(stmt))


@reference_data
def area_map() -> dict[str, Area]:
    """Key → area. Do not mutate."""
    return {a.key: a for a in _areas()}


@reference_data
def area_ids() -> dict[int, str]:
    """Surrogate id → area key. Do not mutate."""
    return {a.id: a.key for a in _areas()}


def get_area(key: str) -> Area:
    """The area ``key``; :class:`NotFound` if unknown (or not a string)."""
    found = area_map().get(key) if isinstance(key, str) else None
    if found is None:
        raise NotFound(f"area {key!r}")
    return found


def resolve_area(code: str, d: date) -> Area:
    """The area with key or official ``code`` valid on ``d`` (codes repeat across eras)."""
    amap = area_map()
    if code in amap and valid_on(amap[code].valid_from, amap[code].valid_to, d):
        return amap[code]
    for a in _areas():
        if a.code == code and valid_on(a.valid_from, a.valid_to, d):
            return a
    raise NotFound(f"area {code!r} on {d.isoformat()}")


@reference_data
def _membership() -> tuple[tuple[str, str, date | None, date | None], ...]:
    m, a, r = schema.area_membership, schema.area, aliased(schema.area)
    stmt = (select(a.c.key, r.c.key.label("region"), m.c.valid_from, m.c.valid_to)
            .join(a, a.c.id == m.c.area_id).join(r, r.c.id == m.c.region_id))
    with _connection() as conn:
        return tuple((key, region, vf, vt) for key, region, vf, vt in rows_of(conn.execute(stmt)))


def region_of(province_key: str, d: date) -> str | None:
    """The region a province belonged to on ``d``."""
    for key, region, vf, vt in _membership():
        if key == province_key and valid_on(vf, vt, d):
            return region
    return None


def region_members(d: date) -> dict[str, list[str]]:
    """Region key → province keys, for the regions valid on ``d`` (ordered as the areas). Do not mutate."""
    return _region_members_era(era_of(d))


@reference_data
def _region_members_era(era: Era) -> dict[str, list[str]]:
    d = ERA_DAY[era]
    order = {a.key: i for i, a in enumerate(_areas())}
    out: dict[str, list[str]] = {}
    for key, region, vf, vt in sorted(_membership(), key=lambda m: (order[m[1]], order[m[0]])):
        if valid_on(vf, vt, d):
            out.setdefault(region, []).append(key)
    return out


def areas_on(level: str, d: date) -> list[Area]:
    """Areas of ``level`` valid on ``d`` (63 provinces before 2025-07-01, 34 after). Do not mutate."""
    return _areas_era(level, era_of(d))


@reference_data
def _areas_era(level: str, era: Era) -> list[Area]:
    d = ERA_DAY[era]
    return [a for a in _areas() if a.level == level and valid_on(a.valid_from, a.valid_to, d)]


@reference_data
def successors() -> dict[str, str]:
    """Old province key → new province key (the 2025 crosswalk)."""
    s, o, n = schema.area_succession, schema.area, aliased(schema.area)
    stmt = select(o.c.key, n.c.key.label("new")).select_from(s).join(o, o.c.id == s.c.old_area_id).join(
        n, n.c.id == s.c.new_area_id)
    with _connection() as conn:
        return {r.key: r.new for r in conn.execute(stmt)}

