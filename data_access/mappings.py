"""Reads of the mapping step (issue 18): a unit's saved mappings (by name, by the shape of a file),
and what the proposal compares names with (the indicators' names and units, the areas' labels and
validity). On the caller's connection: the intake reads them in its own snapshot, outside the
cached reads of the boards."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from data_access import schema
from domain.mapping import AreaInfo, IndicatorInfo


@dataclass(frozen=True)
class SavedMapping:
    """A confirmed mapping saved by a unit: ``mapping`` is ``{"indicator": code or None, "areas":
    {name: area reference or ""}, "indicators": {name: code}}``."""

    id: int
    unit: str
    name: str
    signature: str
    mapping: dict[str, Any]
    created_by: str
    updated_at: datetime


def _saved(conn: Connection, unit_code: str | None, *where: Any) -> list[SavedMapping]:
    """The saved mappings of ``unit_code`` (None: of every unit) that pass ``where``, the latest first."""
    m, g = schema.import_mapping, schema.agency
    stmt = (select(m.c.id, g.c.code, m.c.name, m.c.signature, m.c.mapping, m.c.created_by, m.c.updated_at)
            .join(g, g.c.id == m.c.agency_id).where(*([g.c.code == unit_code] if unit_code is not None else []), *where)
            .order_by(m.c.updated_at.desc(), m.c.id.desc()))
    return [SavedMapping(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6]) for r in conn.execute(stmt)]


def saved_mapping(conn: Connection, unit_code: str, name: str) -> SavedMapping | None:
    """The mapping ``name`` of unit ``unit_code`` (None: that unit has none of that name; another
    unit's mapping of the same name is never found)."""
    found = _saved(conn, unit_code, schema.import_mapping.c.name == name.strip())
    return found[0] if found else None


def mapping_for_shape(conn: Connection, unit_code: str, signature: str) -> SavedMapping | None:
    """The unit's latest mapping saved for a file of this shape (``domain.mapping.shape_signature``)."""
    found = _saved(conn, unit_code, schema.import_mapping.c.signature == signature)
    return found[0] if found else None


def unit_mappings(conn: Connection, unit_code: str) -> list[SavedMapping]:
    """Every mapping of the unit, the latest first."""
    return _saved(conn, unit_code)


def all_mappings(conn: Connection, unit_code: str = "") -> list[SavedMapping]:
    """The saved mappings of every unit (of ``unit_code`` only when given), by unit then name."""
    return sorted(_saved(conn, unit_code or None), key=lambda m: (m.unit, m.name))


def indicator_infos(conn: Connection) -> list[IndicatorInfo]:
    """The indicators that take data (not retired), with their names and units in both languages."""
    i = schema.indicator
    stmt = (select(i.c.code, i.c.name_vi, i.c.name_en, i.c.unit_vi, i.c.unit_en)
            .where(i.c.status != "retired").order_by(i.c.code))
    return [IndicatorInfo(r[0], r[1] or "", r[2] or "", r[3] or "", r[4] or "") for r in conn.execute(stmt)]


def area_infos(conn: Connection) -> dict[str, AreaInfo]:
    """The nation, the regions and the provinces of both eras by key: label ("27-63 Bắc Ninh") and
    validity."""
    a = schema.area
    stmt = (select(a.c.key, a.c.name_vi, a.c.valid_from, a.c.valid_to)
            .where(a.c.level.in_(("nation", "region", "province"))).order_by(a.c.sort, a.c.key))
    return {r[0]: AreaInfo(r[0], f"{r[0]} {r[1]}", r[2], r[3]) for r in conn.execute(stmt)}
