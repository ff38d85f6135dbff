"""The one service behind every way of managing the configuration.

Every change — a whole package, or one record created, updated, retired or replaced — goes the
same way, :func:`apply_on`: the rows are parsed (:func:`domain.metadata.parse_record`), checked
against the configuration they would make (:func:`domain.metadata.validate`: every problem with
its kind, row, key, column, value and reason in both languages), and then either refused whole or
written whole, in the caller's transaction, with

* one version per changed record in ``metadata_history`` (before and after),
* one audit entry (``metadata.import`` / ``.create`` / ``.update`` / ``.retire`` / ``.reactivate`` /
  ``.replace``),
* the cache stamps of what changed: a change of targets only stamps their indicators (``i:<code>``,
  what the boards' target reads depend on); any other change stamps everything (``*``), as the
  reference data did;
* the values of the derived indicators it creates or whose formula, levels, periodicity or status
  it changes, computed over their whole history (:mod:`metadata.derived`).

A record equal to the stored one is no change, so importing the same package twice changes
nothing the second time. ``dry_run`` validates and returns the diff without writing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from auth import audit
from data_access import rollups, schema
from data_access.cache.scopes import TARGETS
from data_access.engine import bump_data_version
from directions.service import escalate_confidential
from domain.metadata import KINDS, Record, confusable_code, key_of, package_problems, parse_record
from domain.metadata_messages import Problem, problem
from domain.metadata_rules import Diff, diff, history_questions, validate
from metadata import derived, store
from metadata.package import Package, from_records

MAX_PROBLEMS = 1000  # listed in an answer; the total is always exact
AUDIT_RECORDS = 50  # records whose before/after an import's audit entry carries (all are in the history)


@dataclass(frozen=True)
class Actor:
    """Who changes the configuration, and through which door (``api``, ``cli``, ``page``, ``seed``)."""

    name: str
    role: str | None = None
    ip: str | None = None
    channel: str = "cli"


@dataclass
class Outcome:
    """What a change did or would do."""

    ok: bool
    applied: bool
    dry_run: bool
    diff: Diff = field(default_factory=Diff)
    problems: list[Problem] = field(default_factory=list)
    change_set: str | None = None
    data_version: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "applied": self.applied, "dry_run": self.dry_run, "change_set": self.change_set,
                "data_version": self.data_version, "counts": self.diff.counts(), "diff": self.diff.as_dict(),
                "problems": [p.as_dict() for p in self.problems[:MAX_PROBLEMS]],
                "problems_total": len(self.problems)}


# -- the doors --------------------------------------------------------------------------------------


def apply(engine: Engine, package: Package, *, actor: Actor, dry_run: bool = False,
          effective: date | None = None, retire_absent: bool = False) -> Outcome:
    """Validate all of ``package``, then apply all of it in one transaction, or nothing.
    ``retire_absent``: the package is the whole configuration of the kinds it holds: their records
    missing from it are retired (:func:`absent_retired`)."""
    with (engine.connect() if dry_run else engine.begin()) as conn:
        return apply_on(conn, package, actor=actor, dry_run=dry_run, effective=effective, retire_absent=retire_absent)


def create(engine: Engine, kind: str, row: Mapping[str, Any], *, actor: Actor, dry_run: bool = False) -> Outcome:
    """A new record of ``kind``; refused when its key is taken."""
    with (engine.connect() if dry_run else engine.begin()) as conn:
        key = key_of(kind, row)
        if key in store.read_config(conn, [kind])[kind]:
            return _refused(dry_run, problem("already_exists", kind, None, key, None, key))
        return apply_on(conn, from_records({kind: [dict(row)]}), actor=actor, dry_run=dry_run, action="create")


def update(engine: Engine, kind: str, key: str, changes: Mapping[str, Any], *, actor: Actor,
           dry_run: bool = False, action: str = "update") -> Outcome:
    """Change some fields of one record. Its key fields (code; a target's indicator, area and
    year) cannot change: retire it and create a new one (:func:`replace`)."""
    with (engine.connect() if dry_run else engine.begin()) as conn:
        before = store.read_config(conn, [kind])[kind].get(key)
        if before is None:
            return _refused(dry_run, problem("not_found", kind, None, key, None, key))
        row = {**before, **changes}
        if key_of(kind, row) != key:
            return _refused(dry_run, problem("code_immutable", kind, None, key, "code", key_of(kind, row)))
        return apply_on(conn, from_records({kind: [row]}), actor=actor, dry_run=dry_run, action=action)


def retire(engine: Engine, kind: str, key: str, *, actor: Actor, dry_run: bool = False) -> Outcome:
    """Retire one record: it stays with its history; refused while active records use it."""
    return update(engine, kind, key, {"status": "retired"}, actor=actor, dry_run=dry_run, action="retire")


def reactivate(engine: Engine, kind: str, key: str, *, actor: Actor, dry_run: bool = False) -> Outcome:
    """Bring a retired record back into use (status ``active``; a unit: ``agency.active`` again, so
    it is offered for upload, its submissions are accepted and it owes reports again). Judged by
    the same rules as any change (an indicator whose group is retired stays retired); a record
    already active is no change."""
    return update(engine, kind, key, {"status": "active"}, actor=actor, dry_run=dry_run, action="reactivate")


def replace(engine: Engine, kind: str, key: str, row: Mapping[str, Any], *, actor: Actor,
            dry_run: bool = False) -> Outcome:
    """Retire-and-replace: a new record (new key) and the old one retired, in one change. How a
    code, a periodicity or a unit's area changes once data hang on the old record."""
    with (engine.connect() if dry_run else engine.begin()) as conn:
        records = store.read_config(conn, [kind])[kind]
        before = records.get(key)
        if before is None:
            return _refused(dry_run, problem("not_found", kind, None, key, None, key))
        if key_of(kind, row) in records:
            return _refused(dry_run, problem("already_exists", kind, None, key_of(kind, row), None, key_of(kind, row)))
        package = from_records({kind: [dict(row), {**before, "status": "retired"}]})
        return apply_on(conn, package, actor=actor, dry_run=dry_run, action="replace")


def history(engine: Engine, kind: str, key: str) -> list[dict[str, Any]]:
    """Every version of one record, oldest first."""
    with engine.connect() as conn:
        return store.history_of(conn, kind, key)


# -- the one way ----------------------------------------------------------------------------------


def _refused(dry_run: bool, *problems: Problem) -> Outcome:
    return Outcome(ok=False, applied=False, dry_run=dry_run, problems=list(problems))


def parse_package(package: Package, base: Mapping[str, Mapping[str, Record]]
                  ) -> tuple[dict[str, dict[str, Record]], dict[tuple[str, str], int | None], list[Problem]]:
    """The package's records by kind and key, the row of each, and the problems of its rows."""
    problems = list(package.problems)
    changes: dict[str, dict[str, Record]] = {}
    rows: dict[tuple[str, str], int | None] = {}
    for kind in KINDS:
        parsed: list[tuple[int | None, Record]] = []
        known = list(base[kind]) + [key_of(kind, r) for _, r in package.rows.get(kind, [])]
        for row, raw in package.rows.get(kind, []):
            record, found = parse_record(kind, raw, row)
            if record is None:
                problems += [_confusable(p, known) for p in found]
                continue
            parsed.append((row, record))
        problems += package_problems(kind, parsed, base[kind])
        for row, record in parsed:
            key = key_of(kind, record)
            if key not in changes.get(kind, {}):
                changes.setdefault(kind, {})[key] = record
                rows[(kind, key)] = row
    return changes, rows, problems


def absent_retired(base: Mapping[str, Mapping[str, Record]], changes: Mapping[str, Mapping[str, Record]],
                   package: Package) -> dict[str, dict[str, Record]]:
    """``changes`` plus, for every kind the package holds (even as an empty list), the stored
    records it does not name, retired (those already retired stay as they are). A kind the package
    does not hold is left alone. The rules then judge the result like any change: an active record
    of the package that uses a retired one is refused with its row."""
    out = {kind: dict(records) for kind, records in changes.items()}
    for kind in KINDS:
        if kind not in package.rows:
            continue
        named = out.setdefault(kind, {})
        for key, record in base[kind].items():
            if key not in named and record["status"] != "retired":
                named[key] = {**record, "status": "retired"}
    return out


def _confusable(p: Problem, known: list[str]) -> Problem:
    """A malformed code that is another code with other case or diacritics says so."""
    if p.code != "bad_code" or p.value is None:
        return p
    other = confusable_code(p.value, known)
    return p if other is None else problem("code_confusable", p.kind, p.row, p.key, p.column, p.value, other=other)


def apply_on(conn: Connection, package: Package, *, actor: Actor, dry_run: bool = False,
             effective: date | None = None, action: str = "import", retire_absent: bool = False) -> Outcome:
    """:func:`apply` inside the caller's transaction (the demo seed loads its package with the rest)."""
    if not dry_run and conn.dialect.name == "postgresql":  # one change of the configuration at a time
        conn.execute(select(schema.data_version.c.id).where(schema.data_version.c.id == 1).with_for_update())
    base = store.read_config(conn)
    changes, rows, problems = parse_package(package, base)
    if problems:
        return Outcome(ok=False, applied=False, dry_run=dry_run, problems=problems)
    if retire_absent:
        changes = absent_retired(base, changes, package)
    found, effective_changes = diff(base, changes)
    history_facts = store.ask_history(conn, history_questions(base, effective_changes))
    problems = validate(base, effective_changes, rows, store.read_areas(conn), history_facts)
    if problems:
        return Outcome(ok=False, applied=False, dry_run=dry_run, diff=found, problems=problems)
    if dry_run or found.empty:
        return Outcome(ok=True, applied=False, dry_run=dry_run, diff=found)
    change_set = uuid.uuid4().hex
    now = datetime.now().replace(microsecond=0)
    store.write(conn, base, effective_changes)
    escalate_confidential(conn, _newly_confidential(conn, base, effective_changes))
    derived.recompute(conn, codes=_to_compute(base, effective_changes))
    store.record_history(conn, base, effective_changes, actor=actor.name, channel=actor.channel,
                         change_set=change_set, at=now, effective=effective or now.date())
    audit.record(conn, f"metadata.{action}", actor=actor.name, role=actor.role, ip=actor.ip, at=now,
                 target=_target(found), detail=_audit_detail(found, base, effective_changes, change_set, actor))
    scopes = _scopes(effective_changes)
    version = bump_data_version(conn, scopes)
    rollups.refresh(conn, None if scopes is None else _ids_of(conn, scopes))
    return Outcome(ok=True, applied=True, dry_run=False, diff=found, change_set=change_set, data_version=version)


def _ids_of(conn: Connection, scopes: list[str]) -> list[int]:
    """The indicators of the ``i:<code>`` scopes."""
    codes = [s[2:] for s in scopes if s.startswith("i:")]
    i = schema.indicator
    return list(conn.execute(select(i.c.id).where(i.c.code.in_(codes))).scalars()) if codes else []


_COMPUTED_BY = ("formula", "levels", "periodicity", "status")


def _newly_confidential(conn: Connection, base: Mapping[str, Mapping[str, Record]],
                        changes: Mapping[str, Mapping[str, Record]]) -> list[int]:
    """The ids of the existing indicators this change makes confidential: the directions and alerts
    about them follow (:func:`directions.service.escalate_confidential`)."""
    codes = [code for code, after in changes.get("indicators", {}).items()
             if after["confidential"] and code in base["indicators"] and not base["indicators"][code]["confidential"]]
    if not codes:
        return []
    ind = schema.indicator
    return list(conn.execute(select(ind.c.id).where(ind.c.code.in_(codes))).scalars())


def _to_compute(base: Mapping[str, Mapping[str, Record]], changes: Mapping[str, Mapping[str, Record]]) -> list[str]:
    """Derived indicators created, or whose formula, levels, periodicity or status changed: their
    whole history is computed in the change's transaction (:mod:`metadata.derived`)."""
    out = []
    for code, after in changes.get("indicators", {}).items():
        before = base["indicators"].get(code)
        if after["formula"] and (before is None or any(before[c] != after[c] for c in _COMPUTED_BY)):
            out.append(code)
    return sorted(out)


def _scopes(changes: Mapping[str, Mapping[str, Record]]) -> list[str] | None:
    """Targets only: their indicators' stamps and the targets' own; anything else: everything."""
    if any(changes.get(kind) for kind in KINDS if kind != "targets"):
        return None
    return sorted({TARGETS, *(f"i:{r['indicator']}" for r in changes.get("targets", {}).values())})


def _target(found: Diff) -> str:
    keys = [(kind, key) for part in (found.added, found.changed, found.retired) for kind in KINDS
            for key in part[kind]]
    return f"{keys[0][0]}:{keys[0][1]}" if len(keys) == 1 else f"package:{len(keys)} records"


def _audit_detail(found: Diff, base: Mapping[str, Mapping[str, Record]], changes: Mapping[str, Mapping[str, Record]],
                  change_set: str, actor: Actor) -> dict[str, Any]:
    records = [{"kind": kind, "key": key, "before": base[kind].get(key), "after": after}
               for kind in KINDS for key, after in sorted(changes.get(kind, {}).items())]
    counts = {kind: {k: n for k, n in c.items() if n} for kind, c in found.counts().items() if any(c.values())}
    return {"change_set": change_set, "channel": actor.channel, "counts": counts,
            "records": records[:AUDIT_RECORDS], "records_total": len(records)}
