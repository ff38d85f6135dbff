"""Issue 20: alert rules. Each rule type fires exactly when it should on crafted series, once per
occurrence (pure rules, then through the intake on SQLite and PostgreSQL); the time-based rule on
the calendar; acknowledgement; confidential indicators' alerts only for the cleared."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from sqlalchemy import select, text

from alerts import store
from alerts.evaluate import on_schedule
from data_access import schema
from domain.alerts import Fact, Report, Rule, Target, overdue_occurrences, rule_problems, value_occurrences
from tests.conftest import build_warehouse, csv_bytes, send

NOW = datetime(2025, 11, 20, 9, 0)
ACTOR = store.Actor("pytest", "admin")


def fired(rule: Rule, **fact) -> list[str]:
    base = {"indicator_id": 1, "area_id": 1, "period": "202510", "value": 10.0, "revision": 0}
    return [o.key for o in value_occurrences([rule], [Fact(**{**base, **fact})])]


# -- the rules, pure ------------------------------------------------------------------------------------


def test_alr001_threshold_fires_on_the_crossing_only():
    above = Rule(1, "threshold", indicator_id=1, comparison="above", threshold=42)
    assert fired(above, value=42.5, previous=41.5) == ["r1:1:202510"]
    assert fired(above, value=42.5, previous=None) == ["r1:1:202510"]  # the first value past the line
    assert fired(above, value=43, previous=42.5) == []  # already past: no new crossing
    assert fired(above, value=42, previous=41) == []  # on the line is not past it
    below = Rule(2, "threshold", indicator_id=1, comparison="below", threshold=5)
    assert fired(below, value=4.9, previous=5.0) == ["r2:1:202510"]
    assert fired(below, value=5.1, previous=6) == []
    assert fired(Rule(3, "threshold", indicator_id=2, comparison="above", threshold=1), value=5) == []  # another indicator
    assert fired(Rule(4, "threshold", indicator_id=1, area_id=9, comparison="above", threshold=1), value=5) == []


def test_alr002_target_fires_when_it_becomes_off_track():
    rule = Rule(1, "target", indicator_id=1)
    at_least = Target(41.0, "at_least")
    assert fired(rule, value=38, previous=40.9, target=at_least, previous_target=at_least) == ["r1:1:202510"]
    assert fired(rule, value=38, previous=37, target=at_least, previous_target=at_least) == []  # was off already
    assert fired(rule, value=40.5, previous=40.9, target=at_least, previous_target=at_least) == []  # at risk only
    assert fired(rule, value=38, previous=40.9) == []  # no target
    at_most = Target(4.0, "at_most")
    assert fired(rule, value=4.5, previous=3.9, target=at_most, previous_target=at_most) == ["r1:1:202510"]


@pytest.mark.parametrize(("direction", "value", "expected"), [
    ("up", 45.0, True),  # up is good: a fall of 10 % is worse
    ("up", 55.0, False),  # a rise is not
    ("down", 55.0, True),  # down is good: a rise of 10 % is worse
    ("down", 45.0, False),
    ("neutral", 45.0, True),  # either way
    ("neutral", 55.0, True),
    ("up", 46.0, False),  # 8 %: not more than 9 %
])
def test_alr003_worsen_respects_the_direction(direction, value, expected):
    rule = Rule(1, "worsen", indicator_id=1, comparison="previous", percent=9)
    assert bool(fired(rule, value=value, previous=50.0, direction=direction)) is expected
    by_year = Rule(2, "worsen", indicator_id=1, comparison="last_year", percent=9)
    assert bool(fired(by_year, value=value, previous=None, last_year=50.0, direction=direction)) is expected
    assert fired(by_year, value=value, previous=50.0, last_year=None, direction=direction) == []


def test_alr004_revision_of_a_provisional_value_only():
    rule = Rule(1, "revision", percent=5)  # any indicator
    assert fired(rule, value=320, revision=1, former=300, former_status="P") == ["r1:i1:1:202510:1"]
    assert fired(rule, value=280, revision=1, former=300, former_status="P") == ["r1:i1:1:202510:1"]
    assert fired(rule, value=310, revision=1, former=300, former_status="P") == []  # 3.3 %
    assert fired(rule, value=320, revision=1, former=300, former_status="O") == []  # not provisional
    assert fired(rule, value=320, revision=0) == []  # nothing revised
    # a rule on any indicator: two indicators revised for one area, period and revision are two alerts
    two = [Fact(indicator_id=i, area_id=1, period="202510", value=320.0, revision=1, former=300, former_status="P")
           for i in (1, 2)]
    assert [o.key for o in value_occurrences([rule], two)] == ["r1:i1:1:202510:1", "r1:i2:1:202510:1"]
    one = Rule(2, "revision", indicator_id=2, percent=5)  # a rule on one indicator: its key needs no indicator
    assert [o.key for o in value_occurrences([one], two)] == ["r2:1:202510:1"]


def test_alr005_implausible_and_overdue():
    assert fired(Rule(1, "implausible"), flag="implausible", revision=2) == ["r1:i1:1:202510:2"]
    assert fired(Rule(1, "implausible"), flag=None) == []
    rule = Rule(7, "overdue", days=20)
    reports = [Report(3, 5, "202510", "missing", 26), Report(4, 5, "202510", "late", 21),
               Report(5, 5, "202510", "missing", 20), Report(6, 5, "202510", "on_time", 0),
               Report(8, 5, "202510", "not_due", 0)]
    assert [o.key for o in overdue_occurrences([rule], reports)] == ["r7:3:5:202510", "r7:4:5:202510"]
    assert overdue_occurrences([Rule(8, "overdue", regime_id=99, days=0)], reports) == []


def test_alr006_rule_problems():
    assert rule_problems("threshold", indicator_id=None, comparison="sideways", threshold=None, percent=None,
                         days=None, severity="loud") == ["alerts.err.severity", "alerts.err.indicator",
                                                         "alerts.err.comparison", "alerts.err.threshold"]
    assert rule_problems("overdue", indicator_id=None, comparison=None, threshold=None, percent=None, days=3,
                         severity="critical") == []
    assert rule_problems("bogus", indicator_id=1, comparison=None, threshold=None, percent=None, days=None,
                         severity="warning") == ["alerts.err.kind"]


# -- through the intake --------------------------------------------------------------------------------


@pytest.fixture
def wh(empty_url, tmp_path):
    engine = build_warehouse(empty_url, tmp_path)
    yield engine, tmp_path
    engine.dispose()


def _ids(engine) -> tuple[dict[str, int], dict[str, int]]:
    with engine.connect() as conn:
        return (dict(conn.execute(select(schema.indicator.c.code, schema.indicator.c.id)).all()),
                dict(conn.execute(select(schema.area.c.key, schema.area.c.id)).all()))


def rule(engine, name: str, kind: str, **values) -> int:
    with engine.begin() as conn:
        return store.save_rule(conn, {"name": name, "kind": kind, **values}, ACTOR, NOW)


def alerts_of(engine, rule_id: int) -> list[tuple]:
    a = schema.alert
    with engine.connect() as conn:
        return conn.execute(select(a.c.occurrence_key, a.c.period, a.c.value, a.c.reference)
                            .where(a.c.rule_id == rule_id).order_by(a.c.id)).all()


def test_alr010_threshold_and_worsen_through_the_intake_once_per_occurrence(wh):
    engine, tmp = wh
    ind, area = _ids(engine)
    line = rule(engine, "Xuất khẩu trên 42", "threshold", indicator_id=ind["EXPORTS"], area_id=area["VN"],
                comparison="above", threshold=42.0)
    worse = rule(engine, "CPI tăng quá 10%", "worsen", indicator_id=ind["CPI_YOY"], comparison="previous", percent=10.0)
    first = send(engine, tmp, "TK", csv_bytes("EXPORTS,VN,202510,41.5", "CPI_YOY,VN,202510,3.0"), filename="a.csv")
    assert first.counts["flagged"] == 0
    assert first.accepted and first.alerts_raised == 1  # CPI: 2.6 -> 3.0 (+15 %, down is good)
    assert alerts_of(engine, line) == []
    assert [k for k, *_ in alerts_of(engine, worse)] == [f"r{worse}:{area['VN']}:202510"]
    second = send(engine, tmp, "TK", csv_bytes("EXPORTS,VN,202511,42.5"), filename="b.csv")
    assert second.alerts_raised == 1
    assert alerts_of(engine, line) == [(f"r{line}:{area['VN']}:202511", "202511", 42.5, 42.0)]
    # the same file again (a duplicate), the same value in another file (unchanged), a revision of the
    # same period still past the line, the next period still past it: no new alert
    assert send(engine, tmp, "TK", csv_bytes("EXPORTS,VN,202511,42.5"), filename="b.csv").status == "duplicate"
    assert send(engine, tmp, "TK", csv_bytes("EXPORTS,VN,202511,42.50"), filename="c.csv").alerts_raised == 0
    assert send(engine, tmp, "TK", csv_bytes("EXPORTS,VN,202511,43"), filename="d.csv").alerts_raised == 0
    later = datetime(2026, 3, 1)
    next_period = send(engine, tmp, "TK", csv_bytes("EXPORTS,VN,202512,44"), filename="e.csv", received_at=later)
    assert next_period.accepted and next_period.alerts_raised == 0
    assert len(alerts_of(engine, line)) == 1 and len(alerts_of(engine, worse)) == 1
    # a switched-off rule raises nothing
    with engine.begin() as conn:
        store.set_rule_active(conn, line, False, ACTOR, NOW)
    off = send(engine, tmp, "TK", csv_bytes("EXPORTS,VN,202601,40", "EXPORTS,VN,202602,45"), filename="f.csv",
               received_at=later)
    assert off.accepted and off.counts["written"] == 2 and off.alerts_raised == 0


def test_alr011_target_revision_implausible_through_the_intake(wh):
    engine, tmp = wh
    ind, area = _ids(engine)
    with engine.begin() as conn:
        conn.execute(schema.target.insert().values(indicator_id=ind["EXPORTS"], area_id=area["VN"], year=2025,
                                                   value=41.0, comparison="at_least", source="test"))
    plan = rule(engine, "Xuất khẩu không đạt kế hoạch", "target", indicator_id=ind["EXPORTS"])
    revised = rule(engine, "Số sơ bộ điều chỉnh quá 5%", "revision", percent=5.0)
    odd = rule(engine, "Giá trị bất thường", "implausible", indicator_id=ind["RETAIL_SALES"])
    send(engine, tmp, "TK", csv_bytes("EXPORTS,VN,202510,38,", "RETAIL_SALES,VN,202510,300,P",
                                      header="indicator_code,area_code,period,value,status"), filename="a.csv")
    assert [p for _, p, *_ in alerts_of(engine, plan)] == ["202510"]  # 40.9 at risk -> 38 off track
    assert alerts_of(engine, revised) == []  # a first value is no revision
    send(engine, tmp, "TK", csv_bytes("RETAIL_SALES,VN,202510,303,O",
                                      header="indicator_code,area_code,period,value,status"), filename="b.csv")
    assert alerts_of(engine, revised) == []  # 1 %
    send(engine, tmp, "TK", csv_bytes("RETAIL_SALES,VN,202511,280,P", header="indicator_code,area_code,period,value,status"),
         filename="c.csv")
    send(engine, tmp, "TK", csv_bytes("RETAIL_SALES,VN,202511,320,O", header="indicator_code,area_code,period,value,status"),
         filename="d.csv")
    assert alerts_of(engine, revised) == [(f"r{revised}:i{ind['RETAIL_SALES']}:{area['VN']}:202511:1", "202511", 320.0,
                                           280.0)]
    report = send(engine, tmp, "TK", csv_bytes("RETAIL_SALES,01,202510,3000"), filename="e.csv")
    assert report.counts["flagged"] == 1
    assert [k for k, *_ in alerts_of(engine, odd)] == [f"r{odd}:{area['01']}:202510:0"]


def test_alr012_overdue_at_intake_and_on_schedule(wh):
    engine, tmp = wh
    with engine.connect() as conn:
        regime = conn.execute(select(schema.report_regime.c.id).where(schema.report_regime.c.code == "TK-M")).scalar()
        tk = conn.execute(select(schema.agency.c.id).where(schema.agency.c.code == "TK")).scalar()
        ub = conn.execute(select(schema.agency.c.id).where(schema.agency.c.code == "UB01")).scalar()
    late = rule(engine, "Báo cáo chậm quá 20 ngày", "overdue", days=20, severity="critical")
    strict = rule(engine, "Báo cáo chậm quá 30 ngày", "overdue", days=30, regime_id=regime)
    # 202510 was due on 2025-10-25: received on 2025-11-20, 26 days late
    send(engine, tmp, "TK", csv_bytes("EXPORTS,VN,202510,41"), filename="a.csv")
    assert alerts_of(engine, late) == [(f"r{late}:{tk}:{regime}:202510", "202510", 26.0, 20.0)]
    assert alerts_of(engine, strict) == []
    # a later report of the same period is not a new occurrence
    send(engine, tmp, "TK", csv_bytes("EXPORTS,VN,202510,41.2"), filename="b.csv", received_at=datetime(2025, 12, 1))
    assert len(alerts_of(engine, late)) == 1
    # on schedule: the calendar's missing reports (and the one already raised at intake, again: nothing)
    calendar = pd.DataFrame([
        {"unit_code": "UB01", "regime_code": "UBND-M", "period": "202510", "state": "missing", "days_late": 31},
        {"unit_code": "TK", "regime_code": "TK-M", "period": "202510", "state": "late", "days_late": 26},
        {"unit_code": "UB01", "regime_code": "UBND-M", "period": "202511", "state": "missing", "days_late": 2},
    ])
    with engine.begin() as conn:
        assert on_schedule(conn, calendar, NOW) == 1
    with engine.begin() as conn:
        assert on_schedule(conn, calendar, NOW) == 0  # every refresh: nothing new
    with engine.connect() as conn:
        ubm = conn.execute(select(schema.report_regime.c.id).where(schema.report_regime.c.code == "UBND-M")).scalar()
    assert [k for k, *_ in alerts_of(engine, late)] == [f"r{late}:{tk}:{regime}:202510", f"r{late}:{ub}:{ubm}:202510"]
    assert alerts_of(engine, strict) == []  # UBND-M is not its regime


def test_alr013_acknowledge_and_clearance(wh):
    engine, tmp = wh
    ind, area = _ids(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE indicator SET confidential = :t WHERE code = 'EXPORTS'"), {"t": True})
    secret = rule(engine, "Mật", "threshold", indicator_id=ind["EXPORTS"], comparison="above", threshold=0.0,
                  recipients="leader1, analyst1, ghost")
    public = rule(engine, "Công khai", "threshold", indicator_id=ind["CPI_YOY"], comparison="above", threshold=0.0,
                  recipients="leader1, analyst1")
    with engine.begin() as conn:
        for name, role in (("leader1", "leader"), ("analyst1", "analyst")):
            conn.execute(schema.app_user.insert().values(username=name, role=role, password_hash="x", active=True,
                                                         created_at=NOW, updated_at=NOW, password_changed_at=NOW))
    # the first values past zero at the area where the history starts (no previous): both fire
    send(engine, tmp, "TK", csv_bytes("EXPORTS,01,202510,5", "CPI_YOY,01,202510,5"), filename="a.csv")
    a, d = schema.alert, schema.alert_delivery
    with engine.connect() as conn:
        rows = dict(conn.execute(select(a.c.rule_id, a.c.confidential)).all())
        deliveries = sorted(conn.execute(select(a.c.rule_id, d.c.target).join(a, a.c.id == d.c.alert_id)))
        ids = dict(conn.execute(select(a.c.rule_id, a.c.id)).all())
    assert rows == {secret: True, public: False}
    # the confidential alert's e-mail only to the leader; the ghost (no such user) to nobody
    assert deliveries == [(secret, "leader1"), (public, "analyst1"), (public, "leader1")]
    with engine.begin() as conn:
        assert store.acknowledge(conn, [ids[secret], ids[public]], ACTOR, NOW, confidential=False) == 1
    with engine.begin() as conn:
        assert store.acknowledge(conn, [ids[secret], ids[public]], ACTOR, NOW, confidential=True) == 1
    with engine.begin() as conn:
        assert store.acknowledge(conn, [ids[secret]], ACTOR, NOW, confidential=True) == 0  # once
        actions = conn.execute(select(schema.audit_log.c.action).order_by(schema.audit_log.c.id)).scalars().all()
    assert actions.count("alert.acknowledge") == 2 and actions.count("alert_rule.create") == 2


def test_alr014_rule_changes_are_checked_and_audited(wh):
    engine, _ = wh
    with engine.begin() as conn, pytest.raises(store.RuleError) as refused:
        store.save_rule(conn, {"name": "", "kind": "worsen", "comparison": "previous"}, ACTOR, NOW)
    assert refused.value.problems == ["alerts.err.indicator", "alerts.err.percent", "alerts.err.name"]
    rid = rule(engine, "Chậm", "overdue", days=3)
    with engine.begin() as conn:
        store.save_rule(conn, {"name": "Chậm quá 5 ngày", "kind": "overdue", "days": 5}, ACTOR, NOW, rid)
        store.set_rule_active(conn, rid, False, ACTOR, NOW)
    with engine.connect() as conn:
        log = conn.execute(select(schema.audit_log.c.action, schema.audit_log.c.detail)
                           .where(schema.audit_log.c.target == f"rule:{rid}").order_by(schema.audit_log.c.id)).all()
    assert [a for a, _ in log] == ["alert_rule.create", "alert_rule.update", "alert_rule.disable"]
    assert '"days": 3' in log[1][1] and '"days": 5' in log[1][1]
    assert store.active_rules(engine.connect()) == []


def test_alr015_large_files_chunked_path_raises_the_same(wh, monkeypatch):
    """On PostgreSQL a large file is validated in chunks while a thread loads them: the rules see
    every chunk's keys (forced here on five rows in chunks of two); on SQLite the same file takes
    the one-piece path."""
    from ingest import pipeline

    monkeypatch.setattr(pipeline, "PIPELINE_MIN_ROWS", 3)
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 2)
    engine, tmp = wh
    ind, area = _ids(engine)
    line = rule(engine, "Xuất khẩu trên 42", "threshold", indicator_id=ind["EXPORTS"], comparison="above",
                threshold=42.0)
    odd = rule(engine, "Mọi giá trị bất thường", "implausible")
    report = send(engine, tmp, "TK", csv_bytes("CPI_YOY,VN,202510,3.0", "EXPORTS,VN,202510,41", "CPI_YOY,VN,202511,3.1",
                                               "RETAIL_SALES,01,202510,3000", "EXPORTS,VN,202511,43"))
    assert report.accepted and report.alerts_raised == 2
    assert report.timings.get("chunks") == (3 if engine.dialect.name == "postgresql" else None)
    assert [k for k, *_ in alerts_of(engine, line)] == [f"r{line}:{area['VN']}:202511"]
    assert [k for k, *_ in alerts_of(engine, odd)] == [f"r{odd}:i{ind['RETAIL_SALES']}:{area['01']}:202510:0"]
