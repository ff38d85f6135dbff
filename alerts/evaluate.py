"""Evaluating the rules: on what an intake wrote (in the load's transaction, from the keys it
wrote — never by polling every indicator), on the reporting calendar for the time-based
``overdue`` rule (a scheduled job), and on the open directions past their deadline for the
``direction`` rule (a scheduled job, and one direction when its deadline or state changes). The rules themselves are :mod:`domain.alerts`; what fires is
written by :func:`alerts.store.raise_alerts`, once per occurrence."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import bindparam, select, text
from sqlalchemy.engine import Connection

from alerts.store import active_rules, raise_alerts
from data_access import schema
from domain.alerts import (
    VALUE_KINDS,
    Direction,
    Fact,
    Report,
    Rule,
    Target,
    candidate_occurrences,
    direction_occurrences,
    overdue_occurrences,
)
from domain.directions import OPEN_STATES, center_date
from domain.periods import parse as parse_period
from domain.regimes import deadline, due_by
from domain.targets import year_share
from runtime import gc_paused

# The values a submission wrote among the staged keys, with what the rules compare them with: the
# previous period, the same period a year before, the revision replaced (each joined only when a
# rule needs it; every join is a probe of a primary or unique key).
_FACTS = """
SELECT k.indicator_id, k.area_id, c.period, c.value, c.status, c.revision, c.flag,
       {previous} AS previous, {last_year} AS last_year, {former} AS former, {former_status} AS former_status
FROM alert_keys k
JOIN current_observation c ON c.indicator_id = k.indicator_id AND c.area_id = k.area_id
     AND c.period_start = k.period_start AND c.submission_id = :sid
{joins}
"""
_JOINS = {
    "previous": ("p.value", """LEFT JOIN current_observation p ON p.indicator_id = k.indicator_id
     AND p.area_id = k.area_id AND p.period_start = k.prev_start"""),
    "last_year": ("y.value", """LEFT JOIN current_observation y ON y.indicator_id = k.indicator_id
     AND y.area_id = k.area_id AND y.period_start = k.ly_start"""),
}
# The revision replaced: a probe of observation's unique key per value, correlated so that the plan
# cannot probe by indicator and area only (with the written rows misjudged as one, a left join did:
# the 200 revisions of every key read per value, 0.75 s for 10,000 values). On PostgreSQL one
# lateral probe for both columns; SQLite (no LATERAL) a scalar subquery each.
_REPLACED_WHERE = """FROM observation o WHERE o.indicator_id = c.indicator_id AND o.area_id = c.area_id
     AND o.period = c.period AND o.revision = c.revision - 1 AND o.period_start = c.period_start AND c.revision > 0"""
# (LIMIT 1, the key being unique, keeps the planner from flattening the lateral probe into a join)
_REPLACED_LATERAL = f"LEFT JOIN LATERAL (SELECT o.value, o.status {_REPLACED_WHERE} LIMIT 1) o ON TRUE"
_NEEDS = {"threshold": ("previous",), "target": ("previous",), "revision": ("former",), "implausible": ("former",)}
_NO_NUMBER = "CAST(NULL AS DOUBLE PRECISION)"

# Set-based, the (fact, rule) pairs where the rule may fire: one of the rules of the evaluation
# holds a necessary condition of :func:`domain.alerts.value_occurrences` firing on the fact. It is
# a superset (the previous period's line, the direction and a target's status are left to the
# domain's rules; the percentages have a margin of 1e-9 against rounding), so a pair left out is a
# pair on which the rule does not fire, and the domain's rules decide on the others: the result is
# value_occurrences' on every fact and rule (tests/test_alerts_setbased.py). Two joins: the rules
# of the fact's indicator (a hash join on PostgreSQL) and the rules of any indicator (few).
_MAY_FIRE = """(r.area_id IS NULL OR r.area_id = f.area_id) AND (
    (r.kind = 'threshold' AND CASE WHEN r.comparison = 'above' THEN f.value > r.threshold
                                   ELSE f.value < r.threshold END)
    OR r.kind = 'target'
    OR (r.kind = 'worsen' AND {worse_by})
    OR (r.kind = 'revision' AND f.revision > 0 AND f.former_status = 'P' AND {revised_by})
    OR (r.kind = 'implausible' AND f.flag = 'implausible'))"""
_CHANGED_BY = ("({base} IS NOT NULL AND {base} <> 0 AND ABS(f.value - {base}) * 100 "
               ">= COALESCE(r.percent, 0) * ABS({base}) * (1 - 1e-9))")
_RULE_COLUMNS = "id, kind, indicator_id, area_id, comparison, threshold, percent"
_CANDIDATES = """WITH f AS ({facts}),
one AS {materialized}(SELECT {columns} FROM alert_rule WHERE id IN ({ids}) AND indicator_id IS NOT NULL),
every AS {materialized}(SELECT {columns} FROM alert_rule WHERE id IN ({ids}) AND indicator_id IS NULL)
SELECT f.*, r.id AS rule_id FROM f JOIN one r ON r.indicator_id = f.indicator_id AND {may_fire}
UNION ALL
SELECT f.*, r.id AS rule_id FROM f JOIN every r ON {may_fire}"""


def _facts_sql(rules: list[Rule], postgresql: bool = False, *, pairs: bool = True) -> str:
    """:data:`_FACTS` with the joins ``rules`` need (worsen: its comparison's); with ``pairs``, the
    (fact, rule id) pairs where a rule may fire (:data:`_CANDIDATES`; on PostgreSQL the rules read
    once, not once per fact)."""
    needed: set[str] = set()
    for r in rules:
        needed.update(("last_year",) if r.kind == "worsen" and r.comparison == "last_year"
                      else ("previous",) if r.kind == "worsen" else _NEEDS.get(r.kind, ()))
    cols = {name: (_JOINS[name][0] if name in needed else _NO_NUMBER) for name in _JOINS}
    joins = [_JOINS[name][1] for name in _JOINS if name in needed]
    former, former_status = _NO_NUMBER, "CAST(NULL AS VARCHAR(1))"
    if "former" in needed and postgresql:
        former, former_status = "o.value", "o.status"
        joins.append(_REPLACED_LATERAL)
    elif "former" in needed:
        former, former_status = (f"(SELECT o.{column} {_REPLACED_WHERE})" for column in ("value", "status"))
    facts = _FACTS.format(previous=cols["previous"], last_year=cols["last_year"], former=former,
                          former_status=former_status, joins="\n".join(joins))
    if not pairs:
        return facts
    worse_by = (f"CASE WHEN r.comparison = 'last_year' THEN {_CHANGED_BY.format(base='f.last_year')} "
                f"ELSE {_CHANGED_BY.format(base='f.previous')} END")
    may_fire = _MAY_FIRE.format(worse_by=worse_by, revised_by=_CHANGED_BY.format(base="f.former"))
    return _CANDIDATES.format(facts=facts, columns=_RULE_COLUMNS, materialized="MATERIALIZED " if postgresql else "",
                              ids=", ".join(str(int(r.id)) for r in rules), may_fire=may_fire)


def on_intake(conn: Connection, submission_id: int, rows: pd.DataFrame | None, now: datetime) -> dict[str, Any]:
    """Evaluate the active rules on what submission ``submission_id`` wrote (``rows``: the
    validated rows it loaded, of which the written ones are those whose current value now carries
    the submission) and on the reports it delivered; in the caller's transaction. Returns the
    number raised and the seconds spent."""
    started, cpu = time.perf_counter(), time.process_time()
    with gc_paused():  # thousands of short-lived rows, facts and occurrences: see runtime.gc_paused
        raised = _evaluate_intake(conn, submission_id, rows, now)
    return {"raised": raised, "seconds": round(time.perf_counter() - started, 4),
            "cpu_seconds": round(time.process_time() - cpu, 4)}


def _evaluate_intake(conn: Connection, submission_id: int, rows: pd.DataFrame | None, now: datetime) -> int:
    rules = active_rules(conn)
    occurrences = []
    value_rules = [r for r in rules if r.kind in VALUE_KINDS]
    if value_rules and rows is not None and not rows.empty:
        keys = _keys_to_read(rows, value_rules)
        if not keys.empty:
            occurrences += candidate_occurrences(written_candidates(conn, submission_id, keys, value_rules))
    overdue_rules = [r for r in rules if r.kind == "overdue"]
    if overdue_rules:
        occurrences += overdue_occurrences(overdue_rules, delivered_reports(conn, submission_id))
    return raise_alerts(conn, occurrences, now, submission_id=submission_id) if occurrences else 0


def _keys_to_read(rows: pd.DataFrame, rules: list[Rule]) -> pd.DataFrame:
    """The written rows some rule may fire on: those of the indicators with a rule, the flagged
    ones for an any-indicator ``implausible`` rule, all of them for an any-indicator ``revision``."""
    anywhere = {r.kind for r in rules if r.indicator_id is None}
    if anywhere - {"implausible"}:
        return rows
    mask = rows["indicator_id"].isin([r.indicator_id for r in rules if r.indicator_id is not None])
    if anywhere:
        mask |= rows["flag"] == "implausible"
    return rows[mask]


def _shifted_starts(periods: pd.Series) -> tuple[dict[str, date], dict[str, date]]:
    """The start of the previous period and of the same period a year before, per period key."""
    prev, ly = {}, {}
    for key in pd.unique(periods):
        p = parse_period(str(key))
        prev[key], ly[key] = p.previous().start, p.same_period_last_year().start
    return prev, ly


def _pg_array(values: Any) -> str:
    """A PostgreSQL array literal of numbers or ISO dates (one text parameter, cast by the statement:
    a list would be adapted element by element, a cast per date)."""
    return "{" + ",".join(map(str, values)) + "}"


def _stage_keys(conn: Connection, keys: pd.DataFrame) -> None:
    """The keys to read, in the temporary table ``alert_keys`` (dropped at commit on PostgreSQL)."""
    pg = conn.dialect.name == "postgresql"
    conn.exec_driver_sql("DROP TABLE IF EXISTS alert_keys" if pg else "DROP TABLE IF EXISTS temp.alert_keys")
    conn.exec_driver_sql("CREATE TEMP TABLE alert_keys (indicator_id INTEGER NOT NULL, area_id INTEGER NOT NULL, "
                         "period_start DATE NOT NULL, prev_start DATE NOT NULL, ly_start DATE NOT NULL)"
                         + (" ON COMMIT DROP" if pg else ""))
    prev, ly = _shifted_starts(keys["period"])
    if pg:  # one statement: the columns as arrays
        starts = pd.to_datetime(keys["period_start"]).to_numpy().astype("datetime64[D]").astype(str)
        columns = (keys["indicator_id"].astype(int).to_numpy(), keys["area_id"].astype(int).to_numpy(), starts,
                   keys["period"].map({k: d.isoformat() for k, d in prev.items()}).to_numpy(),
                   keys["period"].map({k: d.isoformat() for k, d in ly.items()}).to_numpy())
        conn.execute(text("INSERT INTO alert_keys SELECT * FROM unnest(CAST(:i AS integer[]), CAST(:a AS integer[]), "
                          "CAST(:s AS date[]), CAST(:p AS date[]), CAST(:y AS date[]))"),
                     {name: _pg_array(column) for name, column in zip("iaspy", columns, strict=True)})
        conn.exec_driver_sql("ANALYZE alert_keys")  # a plan for its real size, not a temporary table's guess
        return
    columns = (keys["indicator_id"].astype(int).tolist(), keys["area_id"].astype(int).tolist(),
               keys["period_start"].tolist(), keys["period"].map(prev).tolist(), keys["period"].map(ly).tolist())
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        rows = zip(*columns, strict=True)
        cursor.executemany("INSERT INTO alert_keys VALUES (?, ?, ?, ?, ?)",
                           [(i, a, s.isoformat(), p.isoformat(), y.isoformat()) for i, a, s, p, y in rows])
    finally:
        cursor.close()


def written_candidates(conn: Connection, submission_id: int, rows: pd.DataFrame,
                       rules: list[Rule]) -> list[tuple[Rule, Fact]]:
    """The values submission ``submission_id`` wrote among ``rows``' keys, each paired with a rule of
    ``rules`` that may fire on it (found set-based, :data:`_CANDIDATES`): :func:`written_facts`
    narrowed to what :func:`domain.alerts.candidate_occurrences` needs to decide."""
    by_id = {r.id: r for r in rules}
    found = _read_facts(conn, submission_id, rows, rules, pairs=True)
    return [(by_id[row[-1]], fact) for row, fact in zip(found, _facts_of(conn, found, rules), strict=True)]


def written_facts(conn: Connection, submission_id: int, rows: pd.DataFrame, rules: list[Rule]) -> list[Fact]:
    """The values submission ``submission_id`` wrote among ``rows``' keys, each with its previous
    period, the same period a year before, the revision it replaced and, for target rules, the
    targets of its year and of the previous period's (every one: what the rules are evaluated on
    one by one, the reference of :func:`written_candidates`)."""
    return _facts_of(conn, _read_facts(conn, submission_id, rows, rules, pairs=False), rules)


def _read_facts(conn: Connection, submission_id: int, rows: pd.DataFrame, rules: list[Rule], *,
                pairs: bool) -> list[Any]:
    keys = rows[["indicator_id", "area_id", "period", "period_start"]].drop_duplicates(["indicator_id", "area_id",
                                                                                        "period_start"])
    if keys.empty or not rules:
        return []
    _stage_keys(conn, keys)
    sql = _facts_sql(rules, conn.dialect.name == "postgresql", pairs=pairs)
    return conn.execute(text(sql), {"sid": submission_id}).all()


def _facts_of(conn: Connection, found: list[Any], rules: list[Rule]) -> list[Fact]:
    """The facts of the rows of :func:`_facts_sql`, with their indicator's direction and targets."""
    if not found:
        return []
    ind_ids = sorted({int(r.indicator_id) for r in found})
    i = schema.indicator
    meta = {r.id: r for r in conn.execute(select(i.c.id, i.c.direction, i.c.cumulative)
                                          .where(i.c.id.in_(bindparam("ids", expanding=True))), {"ids": ind_ids})}
    targets = _targets(conn, ind_ids) if any(r.kind == "target" for r in rules) else {}
    if not targets:  # the common case, without a period's parse per row (the columns in _FACTS' order)
        direction = {k: m.direction for k, m in meta.items()}
        return [Fact(ind, area, period, value, revision, direction[ind], status, flag, previous, last_year, former,
                     former_status)
                for ind, area, period, value, status, revision, flag, previous, last_year, former, former_status, *_
                in found]
    periods = {key: parse_period(key) for key in {r.period for r in found}}
    facts = []
    for r in found:
        ind = meta[r.indicator_id]
        p = periods[r.period]
        facts.append(Fact(
            indicator_id=r.indicator_id, area_id=r.area_id, period=r.period, value=r.value,
            revision=r.revision, direction=ind.direction, status=r.status, flag=r.flag,
            previous=r.previous, last_year=r.last_year, former=r.former, former_status=r.former_status,
            target=_target_for(targets, r.indicator_id, r.area_id, p, ind.cumulative),
            previous_target=_target_for(targets, r.indicator_id, r.area_id, p.previous(), ind.cumulative)))
    return facts


def _targets(conn: Connection, ind_ids: list[int]) -> dict[tuple[int, int, int], Target]:
    t = schema.target
    rows = conn.execute(select(t.c.indicator_id, t.c.area_id, t.c.year, t.c.value, t.c.comparison, t.c.value_max)
                        .where(t.c.indicator_id.in_(bindparam("ids", expanding=True)), t.c.status == "active"),
                        {"ids": ind_ids})
    return {(r.indicator_id, r.area_id, r.year): Target(float(r.value), r.comparison, r.value_max) for r in rows}


def _target_for(targets: dict[tuple[int, int, int], Target], indicator_id: int, area_id: int, period: Any,
                cumulative: bool) -> Target | None:
    """The target of the period's year; for a cumulative indicator, the part of it due by then."""
    found = targets.get((indicator_id, area_id, period.year))
    if found is None or not cumulative:
        return found
    share = year_share(period)
    return Target(found.value * share, found.comparison, None if found.value_max is None else found.value_max * share)


def delivered_reports(conn: Connection, submission_id: int) -> list[Report]:
    """The reports submission ``submission_id`` delivered first (no earlier accepted submission of
    its unit for that regime and period), late or on time, with the days after the deadline."""
    s, sp, rg = schema.submission, schema.submission_period, schema.report_regime
    sub = conn.execute(select(s.c.agency_id, s.c.received_at, s.c.status).where(s.c.id == submission_id)).first()
    if sub is None or sub.status != "accepted" or sub.agency_id is None:
        return []
    links = conn.execute(select(sp.c.regime_id, sp.c.period, rg.c.frequency, rg.c.deadline_day,
                                rg.c.deadline_month_offset)
                         .join(rg, rg.c.id == sp.c.regime_id).where(sp.c.submission_id == submission_id)).all()
    out = []
    for link in links:
        earlier = conn.execute(
            select(sp.c.submission_id).join(s, s.c.id == sp.c.submission_id)
            .where(sp.c.regime_id == link.regime_id, sp.c.period == link.period, s.c.agency_id == sub.agency_id,
                   s.c.status == "accepted", s.c.id != submission_id, s.c.received_at <= sub.received_at).limit(1)
        ).first()
        if earlier is not None:
            continue
        due = deadline(link.frequency, parse_period(link.period), link.deadline_day, link.deadline_month_offset)
        late = sub.received_at > due_by(due)
        out.append(Report(int(sub.agency_id), int(link.regime_id), link.period, "late" if late else "on_time",
                          max((sub.received_at.date() - due).days, 0)))
    return out


def calendar_reports(calendar: pd.DataFrame, conn: Connection) -> list[Report]:
    """The calendar's overdue rows (``data_access.compliance.overdue_reports``) as reports."""
    if calendar.empty:
        return []
    units = dict(conn.execute(select(schema.agency.c.code, schema.agency.c.id)).all())
    regimes = dict(conn.execute(select(schema.report_regime.c.code, schema.report_regime.c.id)).all())
    return [Report(units[r.unit_code], regimes[r.regime_code], r.period, r.state, int(r.days_late))
            for r in calendar.itertuples() if r.unit_code in units and r.regime_code in regimes]


def on_schedule(conn: Connection, calendar: pd.DataFrame, now: datetime) -> int:
    """Evaluate the ``overdue`` rules on the reporting calendar (the reports still missing); the
    number raised. In the caller's transaction."""
    rules = [r for r in active_rules(conn) if r.kind == "overdue"]
    if not rules:
        return 0
    occurrences = overdue_occurrences(rules, calendar_reports(calendar, conn))
    return raise_alerts(conn, occurrences, now) if occurrences else 0


def overdue_window(today: date, rules: list[Rule]) -> date:
    """From when the calendar is read: the longest rule's days plus a year of reports."""
    return today - timedelta(days=365 + max((r.days or 0) for r in rules))


def local(utc: datetime) -> datetime:
    """A naive UTC instant as naive local time (the alerts' ``raised_at`` convention: the
    warehouse's local clock, as the intake stamps it)."""
    return utc.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def open_past_deadline(conn: Connection, before: date, direction_id: int | None = None) -> list[Direction]:
    """The open directions whose current deadline is before ``before`` (on PostgreSQL a range of
    ``ix_direction_state_deadline`` per open state); only ``direction_id`` when given."""
    d = schema.direction
    where = [d.c.state.in_(sorted(OPEN_STATES)), d.c.deadline < before]
    if direction_id is not None:
        where.append(d.c.id == direction_id)
    rows = conn.execute(select(d.c.id, d.c.ref, d.c.title, d.c.lead_agency_id, d.c.deadline, d.c.state,
                               d.c.confidential).where(*where).order_by(d.c.id)).all()
    return [Direction(int(r.id), r.ref, r.title, int(r.lead_agency_id), r.deadline, r.state, bool(r.confidential))
            for r in rows]


def on_directions(conn: Connection, at: datetime, direction_id: int | None = None) -> int:
    """Evaluate the ``direction`` rules on the open directions past their deadline on the centre's
    date at ``at`` (naive UTC; only ``direction_id`` when given: a deadline or state just
    changed); the number raised. In the caller's transaction."""
    rules = [r for r in active_rules(conn) if r.kind == "direction"]
    if not rules:
        return 0
    today = center_date(at)
    before = today - timedelta(days=min(r.days or 0 for r in rules))
    occurrences = direction_occurrences(rules, open_past_deadline(conn, before, direction_id), today)
    return raise_alerts(conn, occurrences, local(at)) if occurrences else 0
