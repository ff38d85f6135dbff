"""The scheduler (``scheduler/``): every occurrence runs once, across processes; a missed one runs
once when a scheduler comes back, marked late. The clock is faked: ``tick(app, now=...)``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text

from data_access import schema
from data_access.engine import make_engine, migrate
from scheduler import core
from settings import ROOT
from tests import scheduler_worker
from tests.conftest import app_on
from tests.utils import until

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
                            .order_by(t.c.due_at)).all()


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


# -- two real scheduler processes on one PostgreSQL -----------------------------------------------------

JOBS = 200
MINUTES = 10
T0 = datetime(2026, 12, 3, 8, 0, 5)  # UTC; every job is first seen at T0, then the clock moves a minute a step
STALL_STEP = 4  # job.000's occurrence at this step never returns: its process is killed in the middle of it


def expected_occurrences() -> set[tuple[str, datetime]]:
    """Every (job, due time) of the run, worked out by hand from the workers' schedules: a job every
    minute is due at each step, every two minutes at even minutes, ``*/3`` at minutes 3, 6, 9."""
    every = {"every 60s": 1, "every 120s": 2, "*/3 * * * *": 3}
    due = set()
    for i in range(JOBS):
        n = every[scheduler_worker.schedule_of(i)]
        due |= {(f"job.{i:03d}", T0.replace(second=0) + timedelta(minutes=k))
                for k in range(1, MINUTES + 1) if k % n == 0}
    return due


class Workers:
    """Scheduler processes (``tests.scheduler_worker``) on one clock file."""

    def __init__(self, url: str, folder: Any) -> None:
        self.folder = folder
        self.procs: dict[int, subprocess.Popen] = {}
        self.url = url

    def start(self, n: int) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for i in range(n):
            out = (self.folder / f"worker{i}.log").open("wb")
            proc = subprocess.Popen([sys.executable, "-m", "tests.scheduler_worker", self.url, str(self.folder),
                                     str(JOBS)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
            self.procs[proc.pid] = proc

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(self.folder.glob("worker*.log")))

    def set_clock(self, now: datetime) -> None:
        partial = self.folder / "clock.tmp"
        partial.write_text(now.isoformat())
        partial.replace(self.folder / "clock")

    def acked(self, pid: int, now: datetime) -> bool:
        ack = self.folder / f"ack.{pid}"
        assert self.procs[pid].poll() is None, f"scheduler process {pid} stopped:\n{self.logs()}"
        return ack.exists() and ack.read_text() == now.isoformat()

    def wait_ticked(self, now: datetime, pids: list[int] | None = None) -> None:
        """Until every process in ``pids`` (all that run) has finished a tick at ``now``."""
        pids = list(self.procs) if pids is None else pids
        until(lambda: all(self.acked(pid, now) for pid in pids), timeout=120, what=f"a tick at {now}")

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)
        self.procs.pop(pid).wait(30)

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            proc.wait(30)


@pytest.mark.slow
@pytest.mark.fault
def test_sch006_two_scheduler_processes_200_jobs_each_occurrence_once_even_when_one_is_killed(databases, tmp_path):
    url = databases.new("postgresql")  # skipped without the test PostgreSQL (scripts/test.sh starts one)
    engine = create_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE sched_effect (job text, due_at timestamp, pid int, late boolean)"))
    stall_due = T0.replace(second=0) + timedelta(minutes=STALL_STEP)
    (tmp_path / "stall_at").write_text(stall_due.isoformat())
    workers = Workers(url, tmp_path)
    workers.set_clock(T0)
    workers.start(2)
    try:
        workers.wait_ticked(T0)  # both registered their jobs; nothing is due yet
        for step in range(1, MINUTES + 1):
            now = T0 + timedelta(minutes=step)
            workers.set_clock(now)
            if step != STALL_STEP:
                workers.wait_ticked(now)
                continue
            # one process is stuck in job.000's occurrence; the other finishes the tick without it
            def stuck() -> int | None:
                with engine.connect() as conn:
                    return conn.execute(text("SELECT pid FROM sched_effect WHERE job = 'job.000' AND due_at = :d"),
                                        {"d": stall_due}).scalar()
            victim = until(stuck, timeout=120, what="job.000 to be under way")
            survivor = next(pid for pid in workers.procs if pid != victim)
            workers.wait_ticked(now, [survivor])
            workers.kill(victim)
        with engine.connect() as conn:
            effects = conn.execute(text("SELECT job, due_at, pid, late FROM sched_effect")).all()
            claims = conn.execute(text("SELECT job, due_at, state, claimed_by FROM job_run")).all()
    finally:
        workers.stop()
        engine.dispose()
    expected = expected_occurrences()
    ran = [(job, due) for job, due, _, _ in effects]
    assert len(ran) == len(set(ran)), "an occurrence ran twice"
    assert set(ran) == expected, f"missing {sorted(expected - set(ran))[:5]}, extra {sorted(set(ran) - expected)[:5]}"
    assert {(job, due) for job, due, _, _ in claims} == expected and len(claims) == len(expected)
    assert not any(late for *_, late in effects)
    pids_before = {pid for _, due, pid, _ in effects if due < stall_due}
    pids_after = {pid for _, due, pid, _ in effects if due > stall_due}
    assert pids_after == {survivor}  # the other carried on alone …
    assert pids_before | {victim} == {victim, survivor}
    states = {(job, due): (state, by) for job, due, state, by in claims}
    assert states[("job.000", stall_due)][0] == "running"  # … and did not run the killed one's occurrence again
    assert states[("job.000", stall_due)][1].endswith(f":{victim}")
    assert {state for key, (state, _) in states.items() if key != ("job.000", stall_due)} == {"done"}
