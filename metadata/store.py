"""The configuration in the warehouse: read it as canonical records (:mod:`domain.metadata`),
write changed records, and keep every version in ``metadata_history``.

Nothing is deleted: a retired record keeps its row (``status = 'retired'``; a unit:
``active = false``) and its history. The links of a regime to its units and indicators are part
of the regime's record: a change replaces them, and the history keeps the lists before and after.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from data_access import schema
from domain.metadata import KINDS, Config, Record, key_of
from domain.metadata_rules import History
from domain.text import fold

g, ag, ar, ind, reg = schema.indicator_group, schema.agency, schema.area, schema.indicator, schema.report_regime
ri, ru, tg, hist = schema.regime_indicator, schema.regime_unit, schema.target, schema.metadata_history
CHUNK = 5000


def _iso(value: date | datetime | str | None) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()[:10]


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


# -- read ---------------------------------------------------------------------------------------------


def read_config(conn: Connection, kinds: Iterable[str] = KINDS) -> Config:
    """The whole configuration (or only ``kinds``; the others empty) as canonical records."""
    wanted = set(kinds)
    return {kind: (_READERS[kind](conn) if kind in wanted else {}) for kind in KINDS}


def _groups(conn: Connection) -> dict[str, Record]:
    rows = conn.execute(select(g.c.code, g.c.name_vi, g.c.name_en, g.c.sort, g.c.status))
    return {r.code: {**r._mapping, "sort": int(r.sort or 0)} for r in rows}


def _units(conn: Connection) -> dict[str, Record]:
    rows = conn.execute(select(ag.c.code, ag.c.name_vi, ag.c.name_en, ag.c.short_vi, ag.c.short_en, ag.c.kind,
                               ar.c.key.label("area"), ag.c.valid_from, ag.c.valid_to, ag.c.active)
                        .outerjoin(ar, ar.c.id == ag.c.area_id))
    out = {}
    for r in rows:
        m = dict(r._mapping)
        active = m.pop("active")
        out[r.code] = {**m, "valid_from": _iso(r.valid_from), "valid_to": _iso(r.valid_to),
                       "status": "active" if active else "retired"}
    return out


def _indicators(conn: Connection) -> dict[str, Record]:
    w, n, d = aliased(ind), aliased(ind), aliased(ind)
    stmt = (select(ind.c.code, ind.c.name_vi, ind.c.name_en, ind.c.definition_vi, ind.c.definition_en,
                   ind.c.group_code.label("group"), ind.c.unit_vi, ind.c.unit_en, ind.c.periodicity, ind.c.levels,
                   ind.c.aggregation, w.c.code.label("weight"), n.c.code.label("numerator"),
                   d.c.code.label("denominator"), ind.c.formula, ind.c.direction, ind.c.decimals, ind.c.cumulative,
                   ind.c.confidential, ag.c.code.label("agency"), ind.c.headline, ind.c.valid_from, ind.c.valid_to,
                   ind.c.status)
            .join(ag, ag.c.id == ind.c.agency_id).outerjoin(w, w.c.id == ind.c.agg_weight_id)
            .outerjoin(n, n.c.id == ind.c.agg_num_id).outerjoin(d, d.c.id == ind.c.agg_den_id))
    out = {}
    for r in conn.execute(stmt):
        levels = (r.levels or "nation").split(";")
        out[r.code] = {**r._mapping, "levels": [lvl for lvl in ("nation", "region", "province") if lvl in levels],
                       "decimals": int(r.decimals), "cumulative": bool(r.cumulative),
                       "confidential": bool(r.confidential), "formula": r.formula or None,
                       "valid_from": _iso(r.valid_from), "valid_to": _iso(r.valid_to)}
    return out


def _regimes(conn: Connection) -> dict[str, Record]:
    units: dict[int, list[str]] = {}
    for rid, code in conn.execute(select(ru.c.regime_id, ag.c.code).join(ag, ag.c.id == ru.c.agency_id)):
        units.setdefault(rid, []).append(code)
    carried: dict[int, list[str]] = {}
    for rid, code in conn.execute(select(ri.c.regime_id, ind.c.code).join(ind, ind.c.id == ri.c.indicator_id)):
        carried.setdefault(rid, []).append(code)
    stmt = (select(reg.c.id, reg.c.code, reg.c.name_vi, reg.c.name_en, reg.c.content_vi, reg.c.content_en,
                   reg.c.frequency, ag.c.code.label("receiver"), reg.c.channel, reg.c.cutoff_day,
                   reg.c.cutoff_month_offset, reg.c.deadline_day, reg.c.deadline_month_offset, reg.c.legal_basis,
                   reg.c.valid_from, reg.c.valid_to, reg.c.status)
            .join(ag, ag.c.id == reg.c.receiving_agency_id))
    out = {}
    for r in conn.execute(stmt):
        m = dict(r._mapping)
        rid = m.pop("id")
        out[r.code] = {**m, "units": sorted(units.get(rid, [])), "indicators": sorted(carried.get(rid, [])),
                       "valid_from": _iso(r.valid_from), "valid_to": _iso(r.valid_to)}
    return out


def _targets(conn: Connection) -> dict[str, Record]:
    stmt = (select(ind.c.code.label("indicator"), ar.c.key.label("area"), tg.c.year, tg.c.comparison, tg.c.value,
                   tg.c.value_max, tg.c.source, tg.c.status)
            .join(ind, ind.c.id == tg.c.indicator_id).join(ar, ar.c.id == tg.c.area_id))
    out = {}
    for r in conn.execute(stmt):
        record = {**r._mapping, "year": int(r.year), "value": float(r.value),
                  "value_max": None if r.value_max is None else float(r.value_max)}
        out[key_of("targets", record)] = record
    return out


_READERS = {"groups": _groups, "units": _units, "indicators": _indicators, "regimes": _regimes, "targets": _targets}


def read_areas(conn: Connection) -> dict[str, str]:
    """Area key → level (``nation``, ``region``, ``province``)."""
    return dict(conn.execute(select(ar.c.key, ar.c.level)).all())


def ask_history(conn: Connection, questions: Mapping[str, set[str]]) -> History:
    """Which of the asked keys hold history (observations, submissions, received reports)."""
    found: dict[str, frozenset[str]] = {}
    s, sp = schema.submission, schema.submission_period
    for kind, keys in questions.items():
        codes = sorted(keys)
        if kind == "indicators":
            stmt = select(ind.c.code).where(ind.c.code.in_(codes), select(schema.observation.c.id).where(
                schema.observation.c.indicator_id == ind.c.id).exists())
        elif kind == "units":
            stmt = select(ag.c.code).where(ag.c.code.in_(codes), select(s.c.id).where(s.c.agency_id == ag.c.id).exists())
        else:
            stmt = select(reg.c.code).where(reg.c.code.in_(codes), (
                select(sp.c.submission_id).where(sp.c.regime_id == reg.c.id).exists()
                | select(s.c.id).where(s.c.regime_id == reg.c.id).exists()))
        found[kind] = frozenset(conn.execute(stmt).scalars())
    return History(**found)


# -- write ----------------------------------------------------------------------------------------------


def _ids(conn: Connection, table: Table, column: str = "code") -> dict[str, int]:
    return dict(conn.execute(select(table.c[column], table.c.id)).all())


def _executemany(conn: Connection, stmt: Any, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), CHUNK):
        conn.execute(stmt, rows[i:i + CHUNK])


def _upsert(conn: Connection, table: Table, key: str, rows: list[dict[str, Any]], existing: set[str]) -> None:
    """Insert the rows whose ``key`` is new, update the others (keyed by ``key``)."""
    new = [r for r in rows if r[key] not in existing]
    old = [{**r, "b_key": r[key]} for r in rows if r[key] in existing]
    if new:
        _executemany(conn, table.insert(), new)
    if old:  # the SET clause is made of the rows' other keys (SQLAlchemy's executemany form)
        _executemany(conn, update(table).where(table.c[key] == bindparam("b_key")), [
            {c: v for c, v in r.items() if c != key} for r in old])


def write(conn: Connection, base: Config, changes: Mapping[str, Mapping[str, Record]]) -> None:
    """Write the changed records (kind → key → record), in the order references need."""
    if changes.get("groups"):
        _upsert(conn, g, "code", [{c: r[c] for c in ("code", "name_vi", "name_en", "sort", "status")}
                                  for r in changes["groups"].values()], set(base["groups"]))
    if changes.get("units"):
        areas = _ids(conn, ar, "key")
        _upsert(conn, ag, "code", [
            {"code": r["code"], "name_vi": r["name_vi"], "name_en": r["name_en"], "short_vi": r["short_vi"],
             "short_en": r["short_en"], "kind": r["kind"], "area_id": areas.get(r["area"]) if r["area"] else None,
             "valid_from": _date(r["valid_from"]), "valid_to": _date(r["valid_to"]), "active": r["status"] != "retired"}
            for r in changes["units"].values()], set(base["units"]))
    if changes.get("indicators"):
        _write_indicators(conn, base, changes["indicators"])
    if changes.get("regimes"):
        _write_regimes(conn, base, changes["regimes"])
    if changes.get("targets"):
        _write_targets(conn, base, changes["targets"])


def _write_indicators(conn: Connection, base: Config, records: Mapping[str, Record]) -> None:
    agencies = _ids(conn, ag)
    rows = [{"code": r["code"], "name_vi": r["name_vi"], "name_en": r["name_en"], "group_code": r["group"],
             "unit_vi": r["unit_vi"], "unit_en": r["unit_en"], "periodicity": r["periodicity"],
             "agency_id": agencies[r["agency"]], "aggregation": r["aggregation"], "direction": r["direction"],
             "levels": ";".join(r["levels"]), "decimals": r["decimals"], "confidential": r["confidential"],
             "cumulative": r["cumulative"], "headline": r["headline"], "definition_vi": r["definition_vi"],
             "definition_en": r["definition_en"], "formula": r["formula"], "status": r["status"],
             "valid_from": _date(r["valid_from"]), "valid_to": _date(r["valid_to"]),
             "search_text": fold(" ".join([r["code"], r["name_vi"], r["name_en"]]))}
            for r in records.values()]
    _upsert(conn, ind, "code", rows, set(base["indicators"]))
    ids = _ids(conn, ind)
    links = [{"b_key": r["code"], "agg_weight_id": ids.get(r["weight"]), "agg_num_id": ids.get(r["numerator"]),
              "agg_den_id": ids.get(r["denominator"])} for r in records.values()]
    _executemany(conn, update(ind).where(ind.c.code == bindparam("b_key")), links)


def _write_regimes(conn: Connection, base: Config, records: Mapping[str, Record]) -> None:
    agencies = _ids(conn, ag)
    columns = ("code", "name_vi", "name_en", "content_vi", "content_en", "frequency", "channel", "cutoff_day",
               "cutoff_month_offset", "deadline_day", "deadline_month_offset", "legal_basis", "status")
    _upsert(conn, reg, "code", [{**{c: r[c] for c in columns}, "receiving_agency_id": agencies[r["receiver"]],
                                 "valid_from": _date(r["valid_from"]), "valid_to": _date(r["valid_to"])}
                                for r in records.values()], set(base["regimes"]))
    regimes, indicators = _ids(conn, reg), _ids(conn, ind)
    for table, column, field, ids in ((ru, "agency_id", "units", agencies), (ri, "indicator_id", "indicators", indicators)):
        gone, added = [], []
        for code, r in records.items():
            before = set(base["regimes"][code][field]) if code in base["regimes"] else set()
            after = set(r[field])
            gone += [{"b_regime": regimes[code], "b_other": ids[x]} for x in sorted(before - after)]
            added += [{"regime_id": regimes[code], column: ids[x]} for x in sorted(after - before)]
        if gone:
            _executemany(conn, table.delete().where(table.c.regime_id == bindparam("b_regime"),
                                                    table.c[column] == bindparam("b_other")), gone)
        if added:
            _executemany(conn, table.insert(), added)


def _write_targets(conn: Connection, base: Config, records: Mapping[str, Record]) -> None:
    indicators, areas = _ids(conn, ind), _ids(conn, ar, "key")
    new, old = [], []
    for key, r in records.items():
        values = {"value": r["value"], "value_max": r["value_max"], "comparison": r["comparison"],
                  "source": r["source"], "status": r["status"]}
        ids = {"indicator_id": indicators[r["indicator"]], "area_id": areas[r["area"]], "year": r["year"]}
        if key in base["targets"]:
            old.append({**values, **{"b_" + k: v for k, v in ids.items()}})
        else:
            new.append({**values, **ids, "revision": 0})
    if new:
        _executemany(conn, tg.insert(), new)
    if old:
        _executemany(conn, update(tg).where(tg.c.indicator_id == bindparam("b_indicator_id"),
                                            tg.c.area_id == bindparam("b_area_id"), tg.c.year == bindparam("b_year"))
                     .values(revision=tg.c.revision + 1), old)


# -- history ------------------------------------------------------------------------------------------------


def record_history(conn: Connection, base: Config, changes: Mapping[str, Mapping[str, Record]], *, actor: str,
                   channel: str, change_set: str, at: datetime, effective: date) -> None:
    """One version per changed record: before and after (JSON), who, when, from when it holds."""
    rows = []
    for kind in KINDS:
        records = changes.get(kind) or {}
        if not records:
            continue
        versions: dict[str, int] = {}
        if any(key in base[kind] for key in records):
            stmt = (select(hist.c.key, func.max(hist.c.version)).where(hist.c.kind == kind)
                    .group_by(hist.c.key))
            versions = {k: int(v) for k, v in conn.execute(stmt)}
        for key, after in sorted(records.items()):
            before = base[kind].get(key)
            action = "create" if before is None else "retire" if after["status"] == "retired" != before["status"] \
                else "update"
            rows.append({"kind": kind, "key": key, "version": versions.get(key, 0) + 1, "action": action,
                         "before": None if before is None else _json(before), "after": _json(after), "actor": actor,
                         "channel": channel, "change_set": change_set, "at": at, "effective_from": effective})
    _executemany(conn, hist.insert(), rows)


def _json(record: Record) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def history_of(conn: Connection, kind: str, key: str) -> list[dict[str, Any]]:
    """Every version of one record, oldest first, before/after as dicts."""
    rows = conn.execute(select(hist).where(hist.c.kind == kind, hist.c.key == key).order_by(hist.c.version))
    return [{**r._mapping, "before": json.loads(r.before) if r.before else None, "after": json.loads(r.after)}
            for r in rows]
