"""Issue 20's "a direction is overdue" alert rule on issue 19's directions: it fires exactly when a
direction is open past its current deadline on the centre's date (Asia/Ho_Chi_Minh), once per
occurrence, again once an extension's deadline has passed too, never for a closed, cancelled or
reported-done one; a confidential direction's alert reaches only the cleared. The rule pure, then
through the directions' service (SQLite and PostgreSQL) and on the scheduler with a faked clock."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from flask import g
from sqlalchemy import select

from alerts import store
from alerts.evaluate import on_directions
from alerts.text import alert_text
from data_access import schema
from data_access.alerts import alert_select
from directions import service
from domain import directions as dirs
from domain.alerts import Direction, Rule, direction_occurrences, rule_problems
from tests.auth_helpers import ORIGIN, csrf_from
from tests.conftest import BACKENDS, build_warehouse, module_warehouse

AT = datetime(2026, 12, 1, 3, 0)  # UTC: 10:00 in Hà Nội
ADMIN = store.Actor("pytest", "admin")
LEADER = service.Actor("lanh.dao", "leader", display="Phó Thủ tướng Nguyễn Văn A")
LEAD = service.Actor("bao.cao.bct", "reporter", unit="BCT")
DEADLINE = date(2026, 12, 15)
# the last minute of the deadline day in Hà Nội, and the first one after it (UTC, naive)
LAST_MINUTE, NEXT_DAY = datetime(2026, 12, 15, 16, 59), datetime(2026, 12, 15, 17, 0)


def keys(rule: Rule, directions: list[Direction], today: date) -> list[str]:
    return [o.key for o in direction_occurrences([rule], directions, today)]


# -- the rule, pure -------------------------------------------------------------------------------------


def test_ald001_fires_once_open_past_the_deadline_by_more_than_days():
    d = Direction(7, "NV-2026-00007", "Báo cáo nguyên nhân", 3, DEADLINE, dirs.ASSIGNED)
    any_late = Rule(1, "direction", days=0)
    assert keys(any_late, [d], DEADLINE) == []  # the deadline day itself is still in time
    assert keys(any_late, [d], date(2026, 12, 16)) == ["r1:7:2026-12-15"]
    assert keys(any_late, [d], date(2026, 12, 30)) == ["r1:7:2026-12-15"]  # the same occurrence every day
    three = Rule(2, "direction", days=3)
    assert keys(three, [d], date(2026, 12, 18)) == []  # 3 days: not more than 3
    [occ] = direction_occurrences([three], [d], date(2026, 12, 19))
    assert (occ.key, occ.value, occ.reference, occ.agency_id) == ("r2:7:2026-12-15", 4.0, 3.0, 3)
    assert occ.detail == {"direction_id": 7, "ref": "NV-2026-00007", "title": "Báo cáo nguyên nhân",
                          "deadline": "2026-12-15", "days": 4}
    # an extension moves the deadline: overdue again is a new occurrence
    extended = Direction(7, "NV-2026-00007", "Báo cáo nguyên nhân", 3, date(2026, 12, 31), dirs.IN_PROGRESS)
    assert keys(any_late, [extended], date(2026, 12, 30)) == []
    assert keys(any_late, [extended], date(2027, 1, 1)) == ["r1:7:2026-12-31"]


@pytest.mark.parametrize(("state", "fires"), [
    (dirs.ASSIGNED, True), (dirs.IN_PROGRESS, True), (dirs.RETURNED, True),
    (dirs.REPORTED_DONE, False), (dirs.CLOSED, False), (dirs.CANCELLED, False), (dirs.DRAFT, False)])
def test_ald002_only_open_directions(state, fires):
    d = Direction(7, "NV-2026-00007", "T", 3, DEADLINE, state)
    assert bool(keys(Rule(1, "direction", days=0), [d], date(2027, 1, 1))) is fires


def test_ald003_confidential_kept_and_other_kinds_ignored():
    d = Direction(7, "NV-2026-00007", "T" * 600, 3, DEADLINE, dirs.ASSIGNED, confidential=True)
    [occ] = direction_occurrences([Rule(1, "direction", days=0), Rule(2, "overdue", days=0)], [d], date(2027, 1, 1))
    assert occ.confidential and len(occ.detail["title"]) == 200
    assert rule_problems("direction", indicator_id=None, comparison=None, threshold=None, percent=None, days=None,
                         severity="warning") == ["alerts.err.days"]
    assert rule_problems("direction", indicator_id=None, comparison=None, threshold=None, percent=None, days=2,
                         severity="critical") == []


# -- through the service, on the centre's date ----------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request, databases, tmp_path_factory):
    _url, _tmp, eng = module_warehouse(request, databases, tmp_path_factory)
    yield eng
    eng.dispose()


def direction(conn, **over) -> str:
    fields = {"title": "Bộ Công Thương báo cáo nguyên nhân chỉ số sản xuất công nghiệp giảm",
              "form": "thong_bao_ket_luan", "issued_on": "2026-11-20", "lead_unit": "BCT", "deadline": "2026-12-15",
              "indicators": ["IIP_YOY"], **over}
    return service.create(conn, LEADER, fields, at=AT)


def raised(conn, rule_id: int) -> dict[str, tuple]:
    """The rule's alerts by direction ref: occurrence key, days overdue, confidential."""
    a = schema.alert
    rows = conn.execute(select(a.c.occurrence_key, a.c.value, a.c.confidential, a.c.detail)
                        .where(a.c.rule_id == rule_id).order_by(a.c.id)).all()
    return {json.loads(r.detail)["ref"]: (r.occurrence_key, r.value, r.confidential) for r in rows}


def did(conn, ref: str) -> int:
    return int(conn.execute(select(schema.direction.c.id).where(schema.direction.c.ref == ref)).scalar())


def test_ald010_fires_on_the_centres_date_once_and_again_after_an_extension(engine):
    with engine.connect() as conn, conn.begin():
        rid = store.save_rule(conn, {"name": "Nhiệm vụ quá hạn", "kind": "direction", "days": 0}, ADMIN, AT)
        late = direction(conn)
        done = direction(conn)
        service.act(conn, LEAD, done, dirs.DONE, text="Đã hoàn thành", at=AT)
        closed = direction(conn)
        service.act(conn, LEAD, closed, dirs.DONE, text="Đã hoàn thành", at=AT)
        service.act(conn, LEADER, closed, dirs.CLOSE, at=AT)
        cancelled = direction(conn)
        service.act(conn, LEADER, cancelled, dirs.CANCEL, text="Không còn cần thiết", at=AT)
        assert on_directions(conn, LAST_MINUTE) == 0  # 23:59 on the deadline day in Hà Nội
        assert raised(conn, rid) == {}
        assert on_directions(conn, NEXT_DAY) == 1  # 00:00 the next day in Hà Nội (17:00 UTC)
        assert on_directions(conn, NEXT_DAY + timedelta(hours=1)) == 0  # every hour after: nothing new
        assert on_directions(conn, NEXT_DAY + timedelta(days=3)) == 0
        assert raised(conn, rid) == {late: (f"r{rid}:{did(conn, late)}:2026-12-15", 1.0, False)}
        # the extension is granted after the deadline: in time again, then overdue again once it passes
        service.act(conn, LEADER, late, dirs.EXTEND, text="Gia hạn", new_deadline=date(2026, 12, 31),
                    at=datetime(2026, 12, 17, 2, 0))
        assert on_directions(conn, datetime(2026, 12, 31, 16, 59)) == 0
        assert on_directions(conn, datetime(2026, 12, 31, 17, 0)) == 1
        assert raised(conn, rid)[late] == (f"r{rid}:{did(conn, late)}:2026-12-31", 1.0, False)
        assert len(conn.execute(select(schema.alert.c.id).where(schema.alert.c.rule_id == rid)).all()) == 2
        # the direction reported done, returned after its deadline: raised at once by the service
        service.act(conn, LEADER, done, dirs.RETURN, text="Chưa đạt", at=datetime(2026, 12, 20, 2, 0))
        assert raised(conn, rid)[done] == (f"r{rid}:{did(conn, done)}:2026-12-15", 5.0, False)
        assert closed not in raised(conn, rid) and cancelled not in raised(conn, rid)
        # created already past its deadline: raised by the creation
        old = direction(conn, issued_on="2026-11-01", deadline="2026-11-10")
        assert raised(conn, rid)[old][1] == 21.0  # 2026-12-01 in Hà Nội
        conn.rollback()


def test_ald011_a_disabled_rule_or_a_longer_delay_raises_nothing(engine):
    with engine.connect() as conn, conn.begin():
        rid = store.save_rule(conn, {"name": "Quá hạn hơn 5 ngày", "kind": "direction", "days": 5}, ADMIN, AT)
        direction(conn)
        assert on_directions(conn, NEXT_DAY + timedelta(days=4)) == 0  # 5 days late on 12-20: not more than 5
        store.set_rule_active(conn, rid, False, ADMIN, AT)
        assert on_directions(conn, NEXT_DAY + timedelta(days=5)) == 0
        store.set_rule_active(conn, rid, True, ADMIN, AT)
        assert on_directions(conn, NEXT_DAY + timedelta(days=5)) == 1  # 6 days
        conn.rollback()


def test_ald012_a_confidential_directions_alert_reaches_only_the_cleared(engine):
    a, d = schema.alert, schema.alert_delivery
    with engine.connect() as conn, conn.begin():
        for name, role in (("leader1", "leader"), ("analyst1", "analyst")):
            conn.execute(schema.app_user.insert().values(username=name, role=role, password_hash="x", active=True,
                                                         created_at=AT, updated_at=AT, password_changed_at=AT))
        cleared, _ = store.create_webhook(conn, "Mật", "https://a.example/hook", True, ADMIN, AT)
        public, _ = store.create_webhook(conn, "Công khai", "https://b.example/hook", False, ADMIN, AT)
        rid = store.save_rule(conn, {"name": "Nhiệm vụ quá hạn", "kind": "direction", "days": 0, "webhooks": True,
                                     "recipients": "leader1, analyst1"}, ADMIN, AT)
        secret = direction(conn, indicators=["GDP_FLASH"])
        plain = direction(conn)
        assert on_directions(conn, NEXT_DAY) == 2
        found = raised(conn, rid)
        assert found[secret][2] is True and found[plain][2] is False
        ids = {ref: conn.execute(select(a.c.id).where(a.c.occurrence_key == key)).scalar()
               for ref, (key, _, _) in found.items()}
        sent = {ref: sorted(conn.execute(select(d.c.channel, d.c.target).where(d.c.alert_id == i)))
                for ref, i in ids.items()}
        assert sent[secret] == [("email", "leader1"), ("webhook", str(cleared))]
        assert sent[plain] == [("email", "analyst1"), ("email", "leader1"), ("webhook", str(cleared)),
                               ("webhook", str(public))]
        # acknowledging needs the clearance for the confidential one
        assert store.acknowledge(conn, list(ids.values()), ADMIN, AT, confidential=False) == 1
        assert store.acknowledge(conn, list(ids.values()), ADMIN, AT, confidential=True) == 1
        # what it says, in both languages
        row = conn.execute(alert_select().where(a.c.id == ids[plain])).mappings().one()
        vi, en = alert_text(row, "vi"), alert_text(row, "en")
        assert vi.startswith(f"Nhiệm vụ {plain} «Bộ Công Thương báo cáo") and "quá hạn 1 ngày (hạn 15/12/2026)" in vi
        assert "Bộ Công Thương" in vi and "Ministry of Industry and Trade" in en
        assert f"Direction {plain}" in en and "1 days overdue (deadline Dec 15, 2026)" in en
        conn.rollback()


# -- on the scheduler, with a faked clock; the bell, the centre, the wall's ticker, the rules' page ------


@pytest.fixture
def app_wh(empty_url, tmp_path):
    from tests.conftest import app_on

    engine = build_warehouse(empty_url, tmp_path)
    with app_on(empty_url, tmp_path) as server:
        yield server, engine
    engine.dispose()


def test_ald021_an_overdue_direction_once_on_the_ticker_whether_or_not_a_rule_raised_it(app_wh):
    """The wall's ticker names each overdue direction once: by its alert when a ``direction`` rule
    raised one, by the directions' own overdue item otherwise (never both)."""
    from views.wall import alerts as ticker

    server, engine = app_wh
    now = datetime.utcnow().replace(microsecond=0)
    today = dirs.center_date(now)
    with engine.begin() as conn:
        raised_ref = direction(conn, title="Nhiệm vụ có cảnh báo: báo cáo giải ngân", issued_on=(today - timedelta(days=20)).isoformat(),
                               deadline=(today - timedelta(days=4)).isoformat())
        direction(conn, title="Nhiệm vụ chưa có cảnh báo: báo cáo xuất khẩu", issued_on=(today - timedelta(days=20)).isoformat(),
                  deadline=(today - timedelta(days=3)).isoformat())

    def shown() -> list[str]:
        with server.app_context():
            return [text for _, text in ticker("vi")]

    before = shown()
    assert sum("Nhiệm vụ có cảnh báo" in t for t in before) == 1 and sum("Nhiệm vụ chưa có cảnh báo" in t for t in before) == 1
    with engine.begin() as conn:
        store.save_rule(conn, {"name": "Nhiệm vụ quá hạn", "kind": "direction", "days": 3}, ADMIN, now)
        assert on_directions(conn, now) == 1  # 4 days late: raised; 3 days: not yet
    after = shown()
    assert sum("Nhiệm vụ có cảnh báo" in t for t in after) == 1, after
    assert any(raised_ref in t for t in after)  # the alert's sentence (by ref), not the plain item
    assert sum("Nhiệm vụ chưa có cảnh báo" in t for t in after) == 1


def test_ald022_an_indicator_made_confidential_takes_its_directions_and_alerts_with_it(app_wh):
    """The catalogue marks an indicator confidential: the directions about it become confidential
    (gone from an uncleared viewer's list and measures), and so do the alerts about it and the
    ``direction`` alerts of those directions; made public again, they stay confidential."""
    from data_access.directions import DirectionFilters, direction_measures, list_directions
    from metadata import service as catalogue

    server, engine = app_wh
    now = datetime.utcnow().replace(microsecond=0)
    today = dirs.center_date(now)
    with engine.begin() as conn:
        about = direction(conn, issued_on=(today - timedelta(days=20)).isoformat(), deadline=(today - timedelta(days=2)).isoformat())
        other = direction(conn, indicators=["CPI_YOY"], title="Báo cáo chỉ số giá tiêu dùng",
                          issued_on=(today - timedelta(days=20)).isoformat(), deadline=(today - timedelta(days=2)).isoformat())
        store.save_rule(conn, {"name": "Nhiệm vụ quá hạn", "kind": "direction", "days": 0}, ADMIN, now)
        assert on_directions(conn, now) == 2
        iip = conn.execute(select(schema.indicator.c.id).where(schema.indicator.c.code == "IIP_YOY")).scalar()
        rid = store.save_rule(conn, {"name": "IIP thấp", "kind": "threshold", "indicator_id": iip,
                                     "comparison": "below", "threshold": 5}, ADMIN, now)
        conn.execute(schema.alert.insert().values(rule_id=rid, occurrence_key="t:iip", kind="threshold", severity="warning",
                                                  indicator_id=iip, period="202611", value=3.0, reference=5.0, raised_at=now))
    uncleared = dirs.Viewer("analyst", None, False)

    def seen() -> tuple[set[str], int]:
        with server.test_request_context("/"):
            rows = list_directions(DirectionFilters(), page_size=100, viewer=uncleared, today=today).rows
            measures = direction_measures(uncleared, 3, today)
            return {r.ref for r in rows}, int(measures.loc[measures["month"] == measures["month"].max(), "open_load"].sum())

    def confidential() -> dict[str, bool]:
        with engine.connect() as conn:
            d = schema.direction
            flags = dict(conn.execute(select(d.c.ref, d.c.confidential)).all())
            alerts = conn.execute(select(schema.alert.c.kind, schema.alert.c.detail, schema.alert.c.confidential)).all()
        flags |= {f"alert:{k}:{json.loads(det).get('ref', '')}": c for k, det, c in alerts}
        return flags

    assert seen() == ({about, other}, 2)
    assert not any(confidential().values())
    actor = catalogue.Actor("t.admin", "admin", None, "cli")
    assert catalogue.update(engine, "indicators", "IIP_YOY", {"confidential": True}, actor=actor).applied
    assert seen() == ({other}, 1)
    assert confidential() == {about: True, other: False, f"alert:direction:{about}": True,
                              f"alert:direction:{other}": False, "alert:threshold:": True}
    assert catalogue.update(engine, "indicators", "IIP_YOY", {"confidential": False}, actor=actor).applied
    assert confidential()[about] and seen() == ({other}, 1)  # not made public again


def test_ald020_hourly_job_on_the_centres_date_once_and_shown(app_wh):
    from components.shell import alert_bell
    from scheduler.core import tick
    from views.wall import alerts as ticker

    server, engine = app_wh
    with engine.begin() as conn:
        rid = store.save_rule(conn, {"name": "Nhiệm vụ quá hạn", "kind": "direction", "days": 0}, ADMIN, AT)
        ref = direction(conn)
        secret = direction(conn, indicators=["GDP_FLASH"], title="Báo cáo số liệu mật")
    a = schema.alert

    def count() -> int:
        with engine.connect() as conn:
            return len(conn.execute(select(a.c.id).where(a.c.rule_id == rid)).all())

    start = datetime(2026, 12, 15, 15, 0)  # UTC: 22:00 on the deadline day in Hà Nội
    tick(server, start)
    assert "alerts.directions" in [o.job for o in tick(server, start + timedelta(hours=1, minutes=30))]  # 23:30
    assert count() == 0
    assert "alerts.directions" in [o.job for o in tick(server, start + timedelta(hours=2, minutes=10))]  # 00:10
    assert count() == 2
    assert "alerts.directions" in [o.job for o in tick(server, start + timedelta(hours=3, minutes=10))]
    assert count() == 2  # the next hour: nothing new
    with engine.begin() as conn:
        service.act(conn, LEADER, ref, dirs.EXTEND, text="Gia hạn", new_deadline=date(2026, 12, 20),
                    at=datetime(2026, 12, 16, 2, 0))
    # the scheduler away for days: the one missed run, late, on the new deadline's next day
    assert "alerts.directions" in [o.job for o in tick(server, datetime(2026, 12, 20, 17, 10))]
    assert count() == 3
    with server.app_context():  # outside a request: the public clearance, as a wall's token
        public = [t for _, t in ticker("vi")]
    assert any(f"Nhiệm vụ {ref}" in t for t in public) and not any(secret in t for t in public)

    def bell(clearance: str | None) -> str:
        with server.test_request_context("/"):
            server.preprocess_request()
            if clearance:
                g.occ_clearance = clearance  # what the guard sets for a cleared viewer
            return alert_bell("vi").children[1].children

    assert (bell("all"), bell(None)) == ("3", "2")  # the confidential direction's only for the cleared
    centre = server.test_client().get("/alerts").get_data(as_text=True)  # access control off: public clearance
    assert f"Nhiệm vụ {ref}" in centre and "quá hạn 1 ngày" in centre and secret not in centre


def test_ald021_rules_page_offers_and_saves_the_kind(app_wh):
    server, engine = app_wh
    c = server.test_client()
    page = c.get("/alerts/rules").get_data(as_text=True)
    assert 'value="direction"' in page and "Nhiệm vụ quá hạn N ngày" in page
    assert "Direction overdue by N days" in c.get("/alerts/rules?lang=en").get_data(as_text=True)
    bad = c.post("/alerts/rules", data={"csrf_token": csrf_from(page), "action": "save", "name": "Nhiệm vụ",
                                        "kind": "direction"}, headers={"Origin": ORIGIN})
    assert bad.status_code == 400 and "Cần một số ngày không âm" in bad.get_data(as_text=True)
    ok = c.post("/alerts/rules", data={"csrf_token": csrf_from(page), "action": "save", "name": "Nhiệm vụ quá hạn",
                                       "kind": "direction", "days": "2", "severity": "critical"},
                headers={"Origin": ORIGIN})
    assert ok.status_code == 303
    with engine.connect() as conn:
        assert [(r.kind, r.days) for r in store.active_rules(conn)] == [("direction", 2)]
