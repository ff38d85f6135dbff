"""The mapping step of the intake (issue 18): for a file whose indicator or area names are not
codes, the product proposes a mapping (:func:`propose`, with the rules of :mod:`domain.mapping`),
the officer confirms or corrects it, and the file goes through the same intake command with it
(:func:`ingest.pipeline.submit` calls :func:`apply_mapping` right after reading the file; the
mapping is recorded in the submission's report). A confirmed mapping can be saved under a name for
the unit (:func:`save_mapping`, audited) and is proposed again for the next file of the same shape;
the API and the command line name a saved mapping (:func:`saved_import_mapping`) or pass one
explicitly (:func:`mapping_from_json`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from auth import audit
from data_access import schema
from data_access.mappings import SavedMapping, area_infos, indicator_infos, mapping_for_shape, saved_mapping
from domain.area_refs import REF_SEPARATOR, name_key
from domain.mapping import (
    MATCHED,
    SKIP,
    Candidate,
    Proposal,
    Shape,
    looks_like_code,
    propose_area,
    propose_indicator,
    representative_days,
)
from domain.periods import PeriodError
from domain.periods import parse as parse_period
from domain.text import fold
from ingest import formats, parse_memo
from ingest.bounds import ReadBudget
from ingest.issues import Findings, Issue, make_issue
from ingest.published import ImportMapping
from ingest.validate import load_catalogue

PENDING = "?"  # the indicator of a published table read before its indicator is chosen
NAME_MAX = 120


class MappingError(ValueError):
    """A mapping that cannot be used: ``code`` (``mapping_not_found``, ``mapping_invalid``) and the
    message in both languages."""

    def __init__(self, code: str, vi: str, en: str):
        super().__init__(en)
        self.code, self.message_vi, self.message_en = code, vi, en


def _cell(x: Any) -> str:
    text = "" if x is None or (isinstance(x, float) and np.isnan(x)) else str(x).strip()
    return "0" + text if len(text) == 1 and text.isascii() and text.isdigit() else text


@dataclass
class FileProposal:
    """What the product proposes for one file: the ``indicator`` of a file that names none (a
    published table), the ``indicators`` and ``areas`` it names by names instead of codes, the
    ``signature`` of its shape and the ``saved`` mapping of the unit for that shape (already
    applied to the proposals). ``errors``: the file cannot be read at all (the intake says why)."""

    unit: str
    format: str | None = None
    title: str = ""
    table_unit: str | None = None
    signature: str = ""
    indicator: Proposal | None = None
    indicators: list[Proposal] = field(default_factory=list)
    areas: list[Proposal] = field(default_factory=list)
    saved: SavedMapping | None = None
    errors: list[Issue] = field(default_factory=list)

    @property
    def needs_mapping(self) -> bool:
        return not self.errors and (self.indicator is not None or bool(self.indicators) or bool(self.areas))

    def mapping(self) -> ImportMapping:
        """The proposal confirmed as it is (unmatched names left as written)."""
        return ImportMapping(
            indicator=self.indicator.target if self.indicator is not None else None,
            areas={p.text: p.target for p in self.areas if p.target is not None},
            indicators={p.text: p.target for p in self.indicators if p.target is not None},
            name=self.saved.name if self.saved is not None else None,
            source="saved" if self.saved is not None else "confirmed")

    def as_dict(self) -> dict[str, Any]:
        def one(p: Proposal) -> dict[str, Any]:
            return {"text": p.text, "target": p.target, "status": p.status, "confidence": p.confidence,
                    "reason": p.reason, "rows": p.rows,
                    "candidates": [{"value": c.value, "label": c.label, "score": c.score} for c in p.candidates]}

        return {"unit": self.unit, "format": self.format, "title": self.title, "table_unit": self.table_unit,
                "signature": self.signature, "indicator": one(self.indicator) if self.indicator else None,
                "indicators": [one(p) for p in self.indicators], "areas": [one(p) for p in self.areas],
                "saved": self.saved.name if self.saved is not None else None,
                "errors": [e.as_dict() for e in self.errors]}


def propose(conn: Connection, unit_code: str, payload: bytes, filename: str | None, *, max_rows: int = 2_000_000,
            budget: ReadBudget | None = None) -> FileProposal:
    """Read the file and propose its mapping for unit ``unit_code`` (see :class:`FileProposal`)."""
    out = FileProposal(unit=(unit_code or "").strip().upper())
    findings = Findings(limit=20)
    parsed = parse_memo.parse(payload, filename, findings, max_rows, budget=budget or ReadBudget(max_rows=max_rows),
                              mapping=ImportMapping(indicator=PENDING), keep=True)
    if parsed is None:
        out.errors = list(findings.errors)
        return out
    cat = load_catalogue(conn)
    unit = cat.units.get(out.unit)
    obs = parsed.observations
    out.format, out.title, out.table_unit = parsed.format, parsed.title or "", parsed.measure_unit
    ind_counts = _counts(obs["indicator_code"])
    infos = indicator_infos(conn)
    for text, n in list(ind_counts.items())[:200]:  # a long file names a few hundred at most
        if text == PENDING:
            out.indicator = propose_indicator(out.title, out.table_unit, infos, rows=int(n))
        elif text and text.upper() not in cat.indicators and not looks_like_code(text):
            out.indicators.append(propose_indicator(text, out.table_unit, infos, rows=int(n)))
    area_counts = _counts(obs["area_code"])
    days: list[date] = []
    for key in pd.unique(obs["period"].astype(str)):
        try:
            days.append(parse_period(str(key).strip().upper()).end)
        except (PeriodError, TypeError, ValueError):
            continue
    extra = [unit.valid_from, unit.valid_to + timedelta(days=1) if unit.valid_to else None] if unit else []
    rep = representative_days(days, cat.names, extra)
    areas = area_infos(conn)
    labels = list(area_counts)
    for text in labels:
        if not text or cat.knows_area(text) or REF_SEPARATOR in text or looks_like_code(text) or not rep:
            continue
        out.areas.append(propose_area(text, rep, cat.names, areas, unit.valid_from if unit else None,
                                      unit.valid_to if unit else None, rows=int(area_counts[text])))
    out.signature = Shape(out.title, out.table_unit or "", tuple(labels) + tuple(p.text for p in out.indicators)).signature()
    out.saved = mapping_for_shape(conn, out.unit, out.signature) if unit is not None else None
    if out.saved is not None:
        _apply_saved(out, out.saved.mapping)
    return out


def _counts(column: pd.Series) -> dict[str, int]:
    """Rows per distinct cell text (as the validation reads it), counted on the distinct values."""
    codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=False)
    per = np.bincount(codes, minlength=len(uniques)) if len(codes) else np.zeros(0, dtype=np.int64)
    out: dict[str, int] = {}
    for text, n in zip(uniques, per, strict=True):
        key = _cell(text)
        out[key] = out.get(key, 0) + int(n)
    return out


def _apply_saved(out: FileProposal, saved: dict[str, Any]) -> None:
    """The saved mapping's choices in place of the proposals (confidence 1, reason ``map.saved``)."""
    areas, indicators = _keyed(saved.get("areas") or {}, name_key), _keyed(saved.get("indicators") or {}, _ind_key)

    def chosen(p: Proposal, target: str | None) -> Proposal:
        if target is None:
            return p
        label = next((c.label for c in p.candidates if c.value == target), target or "—")
        others = tuple(c for c in p.candidates if c.value != target)
        return Proposal(p.text, target, MATCHED, 1.0, (Candidate(target, label, 1.0),) + others, "map.saved", p.rows)

    out.areas = [chosen(p, areas.get(name_key(p.text))) for p in out.areas]
    out.indicators = [chosen(p, indicators.get(_ind_key(p.text))) for p in out.indicators]
    if out.indicator is not None and saved.get("indicator"):
        out.indicator = chosen(out.indicator, str(saved["indicator"]))


def _ind_key(text: str) -> str:
    return " ".join(fold(text).split())


def _keyed(mapping: dict[str, Any], key: Any) -> dict[str, str]:
    return {key(str(k)): ("" if v is None else str(v)) for k, v in mapping.items()}


# -- applying a mapping in the intake ---------------------------------------------------------------


def apply_mapping(parsed: formats.ParsedFile, mapping: ImportMapping | None, findings: Findings,
                  record: dict[str, dict[str, str]]) -> formats.ParsedFile:
    """The file's names replaced by the mapping's codes, before the validation; rows of a label
    mapped to nothing (:data:`domain.mapping.SKIP`) are dropped with a note. ``record`` receives
    what was applied (``{"area": {label: reference}, "indicator": {text: code}}``), for the report."""
    if mapping is None or not (mapping.areas or mapping.indicators):
        return parsed
    obs = parsed.observations
    keep = np.ones(len(obs), dtype=bool)
    if mapping.areas:
        obs = obs.copy()
        targets = _keyed(dict(mapping.areas), name_key)
        codes, raw = pd.factorize(obs["area_code"].to_numpy(dtype=object), use_na_sentinel=False)
        uniques = np.array([_cell(x) for x in raw], dtype=object)
        new = []
        for text in uniques:
            target = targets.get(name_key(text)) if text else None
            if target is None:
                new.append(text)
                continue
            record.setdefault("area", {})[text] = target
            new.append(target)
            if target == SKIP:
                first = int(np.flatnonzero(uniques[codes] == text)[0])
                findings.note(make_issue("mapping_row_skipped", row=int(obs["row"].iat[first]),
                                         column=parsed.column("area_code"), value=text))
                keep &= uniques[codes] != text
        obs["area_code"] = np.asarray(new, dtype=object)[codes] if len(codes) else obs["area_code"]
    if mapping.indicators:
        obs = obs if mapping.areas else obs.copy()
        targets = _keyed(dict(mapping.indicators), _ind_key)
        codes, raw = pd.factorize(obs["indicator_code"].to_numpy(dtype=object), use_na_sentinel=False)
        texts = [_cell(x) for x in raw]
        found = {t: targets[_ind_key(t)] for t in texts if t and _ind_key(t) in targets}
        if found:
            record.setdefault("indicator", {}).update(found)
            obs["indicator_code"] = np.asarray([found.get(t, t) for t in texts], dtype=object)[codes]
    parsed.observations = obs if keep.all() else obs[keep].reset_index(drop=True)
    return parsed


# -- saved mappings -------------------------------------------------------------------------------------


def mapping_from_json(doc: Any, *, name: str | None = None, source: str = "explicit") -> ImportMapping:
    """An explicit mapping (a JSON object: ``indicator``, ``areas``, ``indicators``), checked."""
    if isinstance(doc, (str, bytes)):
        try:
            doc = json.loads(doc)
        except ValueError:
            raise _invalid("không phải JSON hợp lệ", "not valid JSON") from None
    if not isinstance(doc, dict) or set(doc) - {"indicator", "areas", "indicators", "name"}:
        raise _invalid("phải là một đối tượng với các khóa indicator, areas, indicators",
                       "must be an object with the keys indicator, areas, indicators")
    indicator = doc.get("indicator")
    areas, indicators = doc.get("areas") or {}, doc.get("indicators") or {}
    if indicator is not None and not isinstance(indicator, str):
        raise _invalid("indicator phải là một mã chỉ tiêu", "indicator must be an indicator code")
    for part in (areas, indicators):
        if not isinstance(part, dict) or not all(isinstance(k, str) and (v is None or isinstance(v, str))
                                                 for k, v in part.items()):
            raise _invalid("areas và indicators phải ánh xạ tên sang mã", "areas and indicators must map names to codes")
    return ImportMapping(indicator=(indicator or "").strip().upper() or None,
                         areas={k: (v or "").strip() for k, v in areas.items()},
                         indicators={k: (v or "").strip().upper() for k, v in indicators.items()},
                         name=name, source=source)


def _invalid(vi: str, en: str) -> MappingError:
    return MappingError("mapping_invalid", f"Cách đối chiếu không hợp lệ: {vi}.", f"The mapping is not valid: {en}.")


def saved_import_mapping(conn: Connection, unit_code: str, name: str) -> ImportMapping:
    """The saved mapping ``name`` of unit ``unit_code`` as an :class:`ImportMapping`; a name the
    unit has not saved (another unit's included) raises :class:`MappingError`."""
    found = saved_mapping(conn, (unit_code or "").strip().upper(), name)
    if found is None:
        raise MappingError("mapping_not_found",
                           f"Đơn vị {unit_code} không có cách đối chiếu đã lưu tên “{name}”.",
                           f"Unit {unit_code} has no saved mapping named '{name}'.")
    return mapping_from_json(found.mapping, name=found.name, source="saved")


def save_mapping(engine: Engine, unit_code: str, name: str, signature: str, mapping: ImportMapping, *,
                 actor: str, role: str | None = None, channel: str = "upload") -> int:
    """Save ``mapping`` as the unit's mapping ``name`` (replacing one of the same name) for files
    of ``signature``; audited (``mapping.save``). Returns its id."""
    name = " ".join((name or "").split())[:NAME_MAX]
    if not name:
        raise _invalid("cần một tên", "it needs a name")
    body = json.dumps({"indicator": mapping.indicator, "areas": dict(mapping.areas),
                       "indicators": dict(mapping.indicators)}, ensure_ascii=False, sort_keys=True)
    now = datetime.now()
    m, g = schema.import_mapping, schema.agency
    with engine.begin() as conn:
        unit_id = conn.execute(select(g.c.id).where(g.c.code == unit_code)).scalar()
        if unit_id is None:
            raise MappingError("unknown_unit", f"Không có đơn vị {unit_code}.", f"No unit {unit_code}.")
        found = conn.execute(select(m.c.id).where(m.c.agency_id == unit_id, m.c.name == name)).scalar()
        if found is None:
            found = conn.execute(m.insert().values(agency_id=unit_id, name=name, signature=signature, mapping=body,
                                                   created_by=actor, created_at=now, updated_at=now)).inserted_primary_key[0]
        else:
            conn.execute(m.update().where(m.c.id == found).values(signature=signature, mapping=body, updated_at=now))
        audit.record(conn, "mapping.save", actor=actor, role=role, target=f"{unit_code}/{name}",
                     detail={"signature": signature, "channel": channel, "areas": len(mapping.areas),
                             "indicator": mapping.indicator})
    return int(found)
