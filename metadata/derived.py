"""Writing the values of derived indicators (those defined by a formula), computed by the product.

The values are computed by :func:`domain.derived.derive` and stored like reported ones, marked
``computed``, so the boards read them as they read any value (no formula is evaluated on a read).
:func:`recompute` runs inside the caller's transaction:

* a change of the configuration that creates a derived indicator or changes its formula, levels,
  periodicity or status computes its whole history (:mod:`metadata.service`);
* an accepted submission recomputes the derived indicators reading what it wrote, for the periods
  it wrote and, where a formula reads ``last_year``, the same periods one year later
  (:mod:`ingest.pipeline`), in the load's own transaction: a load that fails leaves them as
  they were;
* the demo seed computes them all once its data are in.

A derived indicator that reads another is computed after it. A value equal to the stored one is
no revision; a value that no longer exists (an input revised to zero under a division) leaves
``current_observation`` (its revisions stay in ``observation``). Each write is a new revision in
``observation`` with the submission that caused it (None for a configuration change or the seed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from data_access import schema
from domain.derived import AreaFacts, DerivedValue, Rule, Stored, derive
from domain.eras import ERA_DAY, valid_on
from domain.formulas import FormulaError, formula_cycles, formula_inputs, uses_last_year
from domain.periods import PERIODS_PER_YEAR, Period

ind, ar, cur, obs = schema.indicator, schema.area, schema.current_observation, schema.observation
Periods = frozenset[date] | None  # period starts; None: the whole history


@dataclass(frozen=True)
class Derived:
    id: int
    code: str
    formula: str
    periodicity: str
    levels: tuple[str, ...]
    inputs: frozenset[str]
    last_year: bool


def derived_indicators(conn: Connection) -> list[Derived]:
    """The derived indicators that are not retired, each after the derived ones it reads."""
    rows = conn.execute(select(ind.c.id, ind.c.code, ind.c.formula, ind.c.periodicity, ind.c.levels)
                        .where(ind.c.formula.is_not(None), ind.c.formula != "", ind.c.status != "retired"))
    found: dict[str, Derived] = {}
    for r in rows:
        try:
            inputs = formula_inputs(r.formula)
        except FormulaError:  # refused by the service; never computed
            continue
        found[r.code] = Derived(int(r.id), r.code, r.formula, r.periodicity, tuple((r.levels or "nation").split(";")),
                                inputs, uses_last_year(r.formula))
    cyclic = {c for group in formula_cycles({k: d.inputs for k, d in found.items()}) for c in group}
    ordered: list[Derived] = []
    placed: set[str] = set()
    todo = sorted(k for k in found if k not in cyclic)
    while todo:
        ready = [k for k in todo if not (found[k].inputs & (set(found) - placed))]
        if not ready:
            break
        ordered += [found[k] for k in ready]
        placed.update(ready)
        todo = [k for k in todo if k not in placed]
    return ordered


def affected_ids(conn: Connection, input_ids: Iterable[int]) -> list[int]:
    """The derived indicators reading (directly or through another derived one) the indicators
    ``input_ids``: what a load of those has to lock and recompute."""
    ids = {int(i) for i in input_ids}
    everything = derived_indicators(conn)
    if not everything or not ids:
        return []
    codes = set(conn.execute(select(ind.c.code).where(ind.c.id.in_(sorted(ids)))).scalars())
    out = []
    for d in everything:
        if d.inputs & codes:
            codes.add(d.code)
            out.append(d.id)
    return out


def recompute(conn: Connection, *, written: Mapping[int, Iterable[date]] | None = None,
              codes: Iterable[str] = (), submission_id: int | None = None, now: datetime | None = None) -> list[int]:
    """Recompute the derived indicators ``codes`` over their whole history, and those reading the
    indicators of ``written`` (indicator id → period starts written) for those periods; then the
    derived ones reading those. Returns the ids of the derived indicators whose values changed."""
    everything = derived_indicators(conn)
    if not everything:
        return []
    now = now or datetime.now().replace(microsecond=0)
    touched: dict[str, Periods] = {}
    if written:
        names = dict(conn.execute(select(ind.c.id, ind.c.code).where(ind.c.id.in_(sorted(written)))).all())
        touched = {names[i]: frozenset(starts) for i, starts in written.items() if i in names}
    whole = set(codes)
    facts: AreaFacts | None = None
    changed: list[int] = []
    for d in everything:
        periods = _periods_of(d, touched, whole)
        if periods is not None and not periods and d.code not in whole:
            continue
        facts = facts or area_facts(conn)
        wanted = _wanted_periods(conn, d, periods)
        if _write(conn, d, wanted, _compute(conn, d, wanted, facts), submission_id, now):
            changed.append(d.id)
        touched[d.code] = None if periods is None else frozenset(p.start for p in wanted)
    return changed


def _periods_of(d: Derived, touched: Mapping[str, Periods], whole: set[str]) -> Periods:
    """The period starts of ``d`` to recompute: None for all; empty for none."""
    if d.code in whole or any(c in touched and touched[c] is None for c in d.inputs):
        return None
    starts: set[date] = set()
    for c in d.inputs & set(touched):
        for s in touched[c] or ():
            starts.add(s)
            if d.last_year:
                starts.add(_year_later(Period.from_date(d.periodicity, s)).start)
    return frozenset(starts)


def _year_later(p: Period) -> Period:
    """The same period one year later (a day: the same date, 28 February for the 29th)."""
    if p.periodicity != "D":
        return p.shift(PERIODS_PER_YEAR[p.periodicity])
    d = p.start
    return Period.from_date("D", date(d.year + 1, d.month, 28 if (d.month, d.day) == (2, 29) else d.day))


def _wanted_periods(conn: Connection, d: Derived, periods: Periods) -> list[Period]:
    if periods is None:  # every period any input has, and the year after where last_year reads them
        ids = select(ind.c.id).where(ind.c.code.in_(sorted(d.inputs)))
        starts = set(conn.execute(select(cur.c.period_start).where(cur.c.indicator_id.in_(ids)).distinct()).scalars())
        starts |= set(conn.execute(select(cur.c.period_start).where(cur.c.indicator_id == d.id).distinct()).scalars())
    else:
        starts = set(periods)
    found = {Period.from_date(d.periodicity, s) for s in starts}
    if periods is None and d.last_year:
        found |= {_year_later(p) for p in found}
    return sorted(found, key=lambda p: p.start)


def area_facts(conn: Connection) -> AreaFacts:
    """The areas of both eras as :class:`domain.derived.AreaFacts`."""
    rows = conn.execute(select(ar.c.id, ar.c.key, ar.c.level, ar.c.valid_from, ar.c.valid_to)).all()
    key = {r[0]: r[1] for r in rows}
    m, s = schema.area_membership, schema.area_succession
    members: dict[str, dict[str, list[str]]] = {"63": {}, "34": {}}
    for area_id, region_id, vf, vt in conn.execute(select(m.c.area_id, m.c.region_id, m.c.valid_from, m.c.valid_to)):
        for era, day in ERA_DAY.items():
            if valid_on(vf, vt, day):
                members[era].setdefault(key[region_id], []).append(key[area_id])
    return AreaFacts(level={r[1]: r[2] for r in rows}, validity={r[1]: (r[3], r[4]) for r in rows},
                     members={era: {k: tuple(sorted(v)) for k, v in regions.items()} for era, regions in members.items()},
                     successor={key[o]: key[n] for o, n in conn.execute(select(s.c.old_area_id, s.c.new_area_id))})


def _rules(conn: Connection, codes: set[str]) -> dict[str, Rule]:
    w, n, dn = aliased(ind), aliased(ind), aliased(ind)
    stmt = (select(ind.c.code, ind.c.aggregation, w.c.code, n.c.code, dn.c.code, ind.c.formula)
            .outerjoin(w, w.c.id == ind.c.agg_weight_id).outerjoin(n, n.c.id == ind.c.agg_num_id)
            .outerjoin(dn, dn.c.id == ind.c.agg_den_id).where(ind.c.code.in_(sorted(codes))))
    return {c: Rule(agg, wc, nc, dc, bool(f)) for c, agg, wc, nc, dc, f in conn.execute(stmt)}


def _compute(conn: Connection, d: Derived, periods: list[Period], facts: AreaFacts) -> list[DerivedValue]:
    if not periods:
        return []
    rules = _rules(conn, set(d.inputs))
    needed = set(d.inputs) | {c for r in rules.values() for c in r.components if c}
    starts = {p.start for p in periods} | {p.same_period_last_year().start for p in periods}
    stmt = (select(ind.c.code, ar.c.key, cur.c.period_start, cur.c.value, cur.c.status)
            .join(ind, ind.c.id == cur.c.indicator_id).join(ar, ar.c.id == cur.c.area_id)
            .where(ind.c.code.in_(sorted(needed))))
    if len(starts) <= 400:
        stmt = stmt.where(cur.c.period_start.in_(sorted(starts)))
    stored: Stored = {(c, a, s): (float(v), st) for c, a, s, v, st in conn.execute(stmt)}
    return derive(d.formula, d.levels, periods, stored, rules, facts)


_DELETE_CURRENT = cur.delete().where(cur.c.indicator_id == bindparam("b_ind"), cur.c.area_id == bindparam("b_area"),
                                     cur.c.period_start == bindparam("b_start"))


def _write(conn: Connection, d: Derived, periods: list[Period], values: list[DerivedValue], submission_id: int | None,
           now: datetime) -> bool:
    """Store what changed among ``values`` for ``periods``; True when anything did."""
    if not periods:
        return False
    area_id = dict(conn.execute(select(ar.c.key, ar.c.id)).all())
    where = [cur.c.indicator_id == d.id]
    starts = sorted({p.start for p in periods})
    if len(starts) <= 400:
        where.append(cur.c.period_start.in_(starts))
    before = {(a, s): (v, st, rev) for a, s, v, st, rev in conn.execute(
        select(cur.c.area_id, cur.c.period_start, cur.c.value, cur.c.status, cur.c.revision).where(*where))}
    wanted = set(starts)
    after = {(area_id[x.area], x.period.start): x for x in values}
    new_rows, gone = [], []
    for key, x in after.items():
        old = before.get(key)
        if old is not None and old[0] == x.value and old[1] == x.status:
            continue
        new_rows.append((key, x))
    gone = [key for key in before if key[1] in wanted and key not in after]
    if not new_rows and not gone:
        return False
    revisions = {key: old[2] + 1 for key, old in before.items()}
    fresh = [key for key, _ in new_rows if key not in revisions]
    if fresh:  # a key whose value once left current_observation keeps counting its revisions
        stmt = (select(obs.c.area_id, obs.c.period_start, func.max(obs.c.revision)).where(obs.c.indicator_id == d.id)
                .group_by(obs.c.area_id, obs.c.period_start))
        earlier = {(a, s): int(r) + 1 for a, s, r in conn.execute(stmt)}
        revisions.update({key: earlier.get(key, 0) for key in fresh})
    rows = [{"indicator_id": d.id, "area_id": a, "period": x.period.key, "period_start": s, "value": x.value,
             "status": x.status, "revision": revisions[(a, s)], "submission_id": submission_id, "recorded_at": now,
             "flag": None, "computed": True} for (a, s), x in new_rows]
    drop = [{"b_ind": d.id, "b_area": a, "b_start": s} for a, s in [*(k for k, _ in new_rows if k in before), *gone]]
    if drop:
        conn.execute(_DELETE_CURRENT, drop)
    if rows:
        conn.execute(obs.insert(), [{**r, "note": None} for r in rows])
        conn.execute(cur.insert(), rows)
    return True
