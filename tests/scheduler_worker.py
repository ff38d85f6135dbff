"""A scheduler process for ``tests/test_scheduler.py``: ``flask --app app scheduler``'s own command
(APScheduler's blocking scheduler calling ``scheduler.core.tick``), with the clock read from a file
the test writes, so the test drives time and several such processes race for the same occurrences.

    python -m tests.scheduler_worker <database url> <folder> <jobs>

It registers ``<jobs>`` jobs (``job.000`` …): a third every minute, a third every two minutes, a
third on the cron line ``*/3 * * * *``. Each run inserts a row into ``sched_effect`` (the job's
side effect, which the test counts). ``job.000``'s occurrence at ``<folder>/stall_at`` (if that
file exists) never returns, so the test can kill the process in the middle of it. After each tick
at a new time the process writes that time to ``<folder>/ack.<pid>``.
"""

from __future__ import annotations

import os
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from scheduler.core import Occurrence

SCHEDULES = ("every 60s", "every 120s", "*/3 * * * *")


def schedule_of(index: int) -> str:
    """The schedule of job ``index`` (the test computes the expected occurrences from it)."""
    return SCHEDULES[index % len(SCHEDULES)]


def work(occurrence: Occurrence) -> None:
    """The jobs' function: one ``sched_effect`` row per run (in its own transaction, before any stall)."""
    from flask import current_app

    with current_app.extensions["warehouse"].engine.begin() as conn:
        conn.execute(text("INSERT INTO sched_effect (job, due_at, pid, late) VALUES (:j, :d, :p, :l)"),
                     {"j": occurrence.job, "d": occurrence.due_at, "p": os.getpid(), "l": occurrence.late})
    stall = Path(current_app.config["SETTINGS"].instance_dir) / "stall_at"
    if occurrence.job == "job.000" and stall.exists() and occurrence.due_at.isoformat() == stall.read_text().strip():
        threading.Event().wait()  # mid-run until the test kills this process


def main(url: str, folder: Path, jobs: int) -> None:
    from app import create_app
    from scheduler import core, runner
    from tests.conftest import make_settings

    server = create_app(make_settings(url, folder, scheduler_tick_seconds=0.1))
    core._REGISTRY.clear()  # only the test's jobs, not the app's own
    for i in range(jobs):
        core.register(f"job.{i:03d}", schedule_of(i), "tests.scheduler_worker:work")
    ticked: list[datetime] = []
    tick = runner.tick

    def driven_tick(app: Any, now: datetime | None = None) -> list[Occurrence]:
        told = (folder / "clock").read_text().strip()
        now = datetime.fromisoformat(told)
        if ticked and ticked[-1] == now:
            return []
        ran = tick(app, now=now)
        ticked.append(now)
        partial = folder / f"ack.{os.getpid()}.tmp"
        partial.write_text(told)
        partial.replace(folder / f"ack.{os.getpid()}")
        return ran

    runner.tick = driven_tick
    with server.app_context():
        runner.scheduler_command.main([], standalone_mode=False)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))
