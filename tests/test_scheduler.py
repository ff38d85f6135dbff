"""The scheduler (``scheduler/``): every occurrence runs once, across processes; a missed one runs
once when a scheduler comes back, marked late. The clock is faked: ``tick(app, now=...)``."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from data_access import schema
from data_access.engine import make_engine, migrate
from scheduler import core
from tests.conftest import app_on

RAN: list[core.Occurrence] = []


def record(occurrence: core.Occurrence) -> None:
    RAN.append(occurrence)


def explode(occurrence: core.Occurrence) -> None:
    raise RuntimeError("boom")


@pytest.fixture
def sched_app(empty_url, tmp_path, monkeypatch):
    from tests.conftest import make_settings

    engine = make_engine(make_settings(empty_url, tmp_path))
    migrate(engine)
    engine.dispose()
    monkeypatch.setattr(core, "_REGISTRY", {})
    RAN.clear()
    with app_on(empty_url, tmp_path) as server:
        core._REGISTRY.clear()  # only this test's jobs
        yield server


def runs(server, job: str) -> list[tuple]:
    t = schema.job_run
    with server.extensions["warehouse"].engine.connect() as conn:
        return conn.execute(select(t.c.due_at, t.c.late, t.c.state, t.c.error).where(t.c.job == job)
                            .order_by(t.c.due_at)).tuples().all()


def test_sch001_daily_job_runs_at_its_time_once(sched_app):
    core.register("brief", "0 7 * * *", "tests.test_scheduler:record")  # 07:00 in Hà Nội = 00:00 UTC
    start = datetime(2026, 12, 2, 12, 0)
    assert core.tick(sched_app, now=start) == []  # registered now: yesterday's 07:00 is not replayed
    assert core.tick(sched_app, now=datetime(2026, 12, 2, 23, 59, 30)) == []
    ran = core.tick(sched_app, now=datetime(2026, 12, 3, 0, 0, 20))
    assert [(o.due_at, o.late) for o in ran] == [(datetime(2026, 12, 3, 0, 0), False)]
    assert core.tick(sched_app, now=datetime(2026, 12, 3, 0, 0, 50)) == []  # the same occurrence: once
    assert runs(sched_app, "brief") == [(datetime(2026, 12, 3, 0, 0), False, "done", None)]


def test_sch002_missed_occurrences_run_once_marked_late(sched_app):
    core.register("brief", "0 7 * * *", "tests.test_scheduler:record")
    core.tick(sched_app, now=datetime(2026, 12, 1, 12, 0))
    # the scheduler was away for three days: three 07:00s passed; the latest runs, once, late
    ran = core.tick(sched_app, now=datetime(2026, 12, 4, 9, 0))
    assert [(o.due_at, o.late) for o in ran] == [(datetime(2026, 12, 4, 0, 0), True)]
    assert core.tick(sched_app, now=datetime(2026, 12, 4, 9, 1)) == []
    assert [r[:2] for r in runs(sched_app, "brief")] == [(datetime(2026, 12, 4, 0, 0), True)]


def test_sch003_a_second_process_never_runs_a_claimed_occurrence(sched_app, tmp_path):
    core.register("every-minute", "every 60s", "tests.test_scheduler:record")
    now = datetime(2026, 12, 3, 8, 0, 5)
    core.tick(sched_app, now=now - timedelta(minutes=5))
    with app_on(sched_app.config["SETTINGS"].database_url, tmp_path) as other:  # another process's app
        first = core.tick(sched_app, now=now)
        second = core.tick(other, now=now)
    assert len(first) == 1 and second == []
    assert core.run_once("alert:x:1", datetime(2026, 12, 3), engine=sched_app.extensions["warehouse"].engine)
    assert not core.run_once("alert:x:1", datetime(2026, 12, 3), engine=sched_app.extensions["warehouse"].engine)


def test_sch004_a_failing_job_is_recorded_and_not_rerun(sched_app):
    core.register("bad", "every 60s", "tests.test_scheduler:explode")
    core.register("good", "every 60s", "tests.test_scheduler:record")
    core.tick(sched_app, now=datetime(2026, 12, 3, 8, 0, 5))
    ran = core.tick(sched_app, now=datetime(2026, 12, 3, 8, 1, 5))
    assert {o.job for o in ran} == {"bad", "good"}
    assert runs(sched_app, "bad")[-1][2:] == ("failed", "RuntimeError: boom")
    assert runs(sched_app, "good")[-1][2] == "done"


def test_sch005_bad_schedules_fail_at_registration():
    with pytest.raises(ValueError):
        core.register("x", "every -5s", "tests.test_scheduler:record")
    with pytest.raises(ValueError):
        core.register("x", "61 7 * * *", "tests.test_scheduler:record")
    with pytest.raises(ValueError):
        core.register("x", "every 60s", "no_function_here")
