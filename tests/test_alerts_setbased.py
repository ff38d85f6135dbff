"""Issue 20: the rules evaluated set-based at intake (``alerts.evaluate.written_candidates``: the
(value, rule) pairs where a rule may fire, found in one statement; ``domain.alerts.
candidate_occurrences`` decides on them) raise exactly what the rules evaluated one by one on every
written value raise (``value_occurrences`` on ``written_facts``), on crafted series at the
boundaries of every rule type (floating-point rounding included), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime

import pytest
from sqlalchemy import select

import ingest.pipeline
from alerts import evaluate, store
from data_access import schema
from domain.alerts import VALUE_KINDS, Fact, Occurrence, Rule, candidate_occurrences, value_occurrences
from tests.conftest import build_warehouse, csv_bytes, send

NOW = datetime(2025, 11, 20, 9, 0)
ACTOR = store.Actor("pytest", "admin")
HEADER = "indicator_code,area_code,period,value,status"


def by_key(occurrences: list[Occurrence]) -> dict[str, list[Occurrence]]:
    out: dict[str, list[Occurrence]] = defaultdict(list)
    for occ in occurrences:
        out[occ.key].append(occ)
    return out


def assert_same(reference: list[Occurrence], got: list[Occurrence]) -> None:
    """``got`` is ``reference`` with one occurrence per key (raise_alerts keeps one per key)."""
    ref, mine = by_key(reference), by_key(got)
    assert set(mine) == set(ref), f"missing {sorted(set(ref) - set(mine))[:5]}, extra {sorted(set(mine) - set(ref))[:5]}"
    for key, found in mine.items():
        assert len(found) == 1, f"{key} raised {len(found)} times"
        assert found[0] in ref[key], f"{key}: {found[0]} is none of {ref[key]}"


def test_alr020_candidate_occurrences_one_per_key_the_last_that_fires():
    any_revision = Rule(1, "revision", percent=5)  # any indicator: the indicator is in the key
    line = Rule(2, "threshold", indicator_id=1, comparison="above", threshold=42)
    facts = [Fact(1, 7, "202510", 330.0, 1, former=300.0, former_status="P"),
             Fact(2, 7, "202510", 301.0, 1, former=300.0, former_status="P"),  # 0.3 %: does not fire
             Fact(1, 7, "202510", 200.0, 1, former=300.0, former_status="P"),  # the same key as the first
             Fact(1, 7, "202511", 43.0, 0, previous=41.0),
             Fact(3, 7, "202510", 250.0, 1, former=300.0, former_status="P")]  # another indicator: its own key
    pairs = [(any_revision, f) for f in facts[:3]] + [(line, facts[3]), (line, facts[0]), (any_revision, facts[4])]
    got = candidate_occurrences(pairs)
    assert [o.key for o in got] == ["r1:i1:7:202510:1", "r2:7:202511", "r2:7:202510", "r1:i3:7:202510:1"]  # pairs' order
    assert got[0].indicator_id == 1 and got[0].value == 200.0  # the last pair that fired
    assert_same(value_occurrences([any_revision, line], facts), got)
    # a pair on another area, or a rule that is not a value rule, raises nothing
    assert candidate_occurrences([(Rule(3, "threshold", indicator_id=1, area_id=8, comparison="above",
                                        threshold=1), facts[3]), (Rule(4, "overdue", days=1), facts[3])]) == []


@pytest.fixture
def wh(empty_url, tmp_path):
    engine = build_warehouse(empty_url, tmp_path)
    yield engine, tmp_path
    engine.dispose()


# (the file's rows, the day it arrives): values at the rules' edges, revisions of provisional values
# by exactly the percent as floating point computes it (215.6 -> 237.16 is 10.000000000000002 %),
# values on the line, a first value, an implausible one
SERIES = [
    (["EXPORTS,VN,202509,40,P", "EXPORTS,VN,202510,42,P", "CPI_YOY,VN,202509,899.9,P", "CPI_YOY,VN,202510,3.0,P",
      "RETAIL_SALES,VN,202509,215.6,P", "RETAIL_SALES,VN,202510,637.49,P", "RETAIL_SALES,01,202509,310,P",
      "EXPORTS,VN,202409,40,O", "EXPORTS,VN,202410,50,O"], datetime(2025, 11, 20)),
    (["EXPORTS,VN,202510,42.0000001,O", "CPI_YOY,VN,202510,989.89,P", "RETAIL_SALES,VN,202509,237.16,O",
      "RETAIL_SALES,VN,202510,847.8617,P", "EXPORTS,VN,202511,36,P", "CPI_YOY,VN,202511,4.95,P"],
     datetime(2025, 11, 25)),
    (["EXPORTS,VN,202511,39.6,O", "CPI_YOY,VN,202511,5.5,O", "RETAIL_SALES,VN,202510,847.8617,O",
      "RETAIL_SALES,01,202510,3100,P", "CPI_YOY,VN,202510,898.9,O", "EXPORTS,VN,202512,45,P"],
     datetime(2025, 12, 30)),
    (["EXPORTS,VN,202512,30,O", "RETAIL_SALES,01,202510,310,O", "CPI_YOY,VN,202512,4.9,P"], datetime(2026, 1, 30)),
]


def test_alr021_set_based_evaluation_equals_the_rules_one_by_one_through_the_intake(wh, monkeypatch):
    engine, tmp = wh
    with engine.connect() as conn:
        ind = dict(conn.execute(select(schema.indicator.c.code, schema.indicator.c.id)).all())
        area = dict(conn.execute(select(schema.area.c.key, schema.area.c.id)).all())
    with engine.begin() as conn:
        conn.execute(schema.target.insert().values(indicator_id=ind["EXPORTS"], area_id=area["VN"], year=2025,
                                                   value=41.0, comparison="at_least", source="test"))
        for n, values in enumerate([
            {"kind": "threshold", "indicator_id": ind["EXPORTS"], "comparison": "above", "threshold": 42.0},
            {"kind": "threshold", "indicator_id": ind["CPI_YOY"], "area_id": area["VN"], "comparison": "below",
             "threshold": 5.0},
            {"kind": "threshold", "indicator_id": ind["EXPORTS"], "area_id": area["01"], "comparison": "above",
             "threshold": 0.0},  # another area: never
            {"kind": "target", "indicator_id": ind["EXPORTS"]},
            {"kind": "worsen", "indicator_id": ind["CPI_YOY"], "comparison": "previous", "percent": 10.0},
            {"kind": "worsen", "indicator_id": ind["EXPORTS"], "comparison": "previous", "percent": 0.0},
            {"kind": "worsen", "indicator_id": ind["EXPORTS"], "comparison": "last_year", "percent": 10.0},
            {"kind": "worsen", "indicator_id": ind["RETAIL_SALES"], "comparison": "previous", "percent": 33.0},
            {"kind": "revision", "percent": 10.0},
            {"kind": "revision", "indicator_id": ind["RETAIL_SALES"], "percent": 33.0},
            {"kind": "implausible"},
            {"kind": "implausible", "indicator_id": ind["CPI_YOY"]},
        ]):
            store.save_rule(conn, {"name": f"quy tắc {n}", **values}, ACTOR, NOW)
    compared: list[tuple[list[Occurrence], list[Occurrence]]] = []
    original = ingest.pipeline.alert_rules.on_intake

    def both(conn, submission_id, rows, now):
        rules = [r for r in store.active_rules(conn) if r.kind in VALUE_KINDS]
        if rows is not None and not rows.empty:
            reference = value_occurrences(rules, evaluate.written_facts(conn, submission_id, rows, rules))
            got = candidate_occurrences(evaluate.written_candidates(conn, submission_id, rows, rules))
            compared.append((reference, got))
        return original(conn, submission_id, rows, now)

    monkeypatch.setattr(ingest.pipeline.alert_rules, "on_intake", both)
    raised = 0
    for n, (lines, received) in enumerate(SERIES):
        report = send(engine, tmp, "TK", csv_bytes(*lines, header=HEADER), filename=f"{n}.csv", received_at=received)
        assert report.accepted, report.error_codes()
        raised += report.alerts_raised
    assert len(compared) == len(SERIES)
    for reference, got in compared:
        assert_same(reference, got)
    kinds = {o.rule.kind for reference, _ in compared for o in reference}
    assert kinds == {"threshold", "target", "worsen", "revision", "implausible"}  # every kind fired somewhere
    # the intake raised them (once per key across the files: the 2nd file's re-fires are not new)
    a = schema.alert
    with engine.connect() as conn:
        stored = conn.execute(select(a.c.occurrence_key).where(a.c.kind != "overdue")).scalars().all()
        everything = conn.execute(select(a.c.id)).scalars().all()
    assert sorted(stored) == sorted({o.key for _, got in compared for o in got})
    assert raised == len(everything)


def test_alr022_raise_alerts_stores_each_occurrence_as_given_once(wh):
    """The alerts' rows (COPied on PostgreSQL) hold every field as the occurrence gave it: a detail
    with quotes, commas, a newline, a backslash and Vietnamese is its ``json.dumps``; None is NULL; an
    occurrence given twice is one alert; raised again, nothing."""
    engine, _ = wh
    a = schema.alert
    with engine.begin() as conn:
        rid = store.save_rule(conn, {"name": "ngưỡng", "kind": "revision", "percent": 5.0}, ACTOR, NOW)
        rule = next(r for r in store.active_rules(conn) if r.id == rid)
        ind = conn.execute(select(schema.indicator.c.id).limit(1)).scalar_one()
        area = conn.execute(select(schema.area.c.id).limit(1)).scalar_one()
        odd = {"title": 'Chỉ đạo "khẩn", số 1,\nhạn\\cuối', "percent": -7.5, "revision": 2}
        given = [Occurrence(rule, "r:odd", indicator_id=ind, area_id=area, period="2025-11", value=1.25e-7,
                            reference=None, detail=odd),
                 Occurrence(rule, "r:plain", agency_id=None, period=None, value=None, detail={}),
                 Occurrence(rule, "r:odd", indicator_id=ind, area_id=area, period="2025-11", value=1.25e-7,
                            reference=None, detail=odd)]
        assert store.raise_alerts(conn, given, NOW, submission_id=None) == 2
        assert store.raise_alerts(conn, given, NOW) == 0
        rows = {r.occurrence_key: r for r in conn.execute(select(a).where(a.c.rule_id == rid))}
    assert set(rows) == {"r:odd", "r:plain"}
    odd_row, plain = rows["r:odd"], rows["r:plain"]
    assert odd_row.detail == json.dumps(odd, ensure_ascii=False) and json.loads(odd_row.detail) == odd
    assert (odd_row.kind, odd_row.severity, odd_row.indicator_id, odd_row.area_id, odd_row.period, odd_row.value,
            odd_row.reference, odd_row.confidential, odd_row.raised_at) == (
        "revision", "warning", ind, area, "2025-11", 1.25e-7, None, False, NOW)
    assert (plain.detail, plain.indicator_id, plain.area_id, plain.agency_id, plain.period, plain.value) == (
        "{}", None, None, None, None, None)


def test_alr023_the_intake_rules_run_without_cyclic_collection(wh, monkeypatch):
    """The rules of an intake build and drop thousands of acyclic objects: the cyclic garbage
    collector is paused while they run (its collections walked the heap each time: 0.3 s of a
    10,000-value intake's 0.55 s of Python CPU), and on again after, also after an error."""
    import gc

    from runtime import gc_paused

    engine, tmp = wh
    with engine.begin() as conn:
        store.save_rule(conn, {"name": "sửa số liệu", "kind": "revision", "percent": 5.0}, ACTOR, NOW)
    seen: list[bool] = []
    original = evaluate.candidate_occurrences

    def watched(pairs):
        seen.append(gc.isenabled())
        return original(pairs)

    monkeypatch.setattr(evaluate, "candidate_occurrences", watched)
    assert gc.isenabled()
    report = send(engine, tmp, "TK", csv_bytes("EXPORTS,VN,202509,40,P", header=HEADER), filename="gc.csv",
                  received_at=NOW)
    assert report.accepted, report.error_codes()
    assert seen == [False] and gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()
