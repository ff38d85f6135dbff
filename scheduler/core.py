"""Periodic jobs run exactly once across any number of scheduler processes.

Every process (the one ``python app.py`` starts in its own thread, and each ``flask --app app
scheduler``) wakes every ``SCHEDULER_TICK_SECONDS`` and calls :func:`tick`: for each registered job
it works out the latest occurrence due by now and *claims* it by inserting ``(job, due_at)`` into
``job_run``, whose unique constraint lets exactly one insert succeed. The process whose insert
succeeded runs the job; the others see nothing to do. A job whose occurrences passed while no
scheduler ran (a stop, a deploy) runs once for the latest of them when a scheduler comes back,
marked ``late``; the older ones are not replayed.

The occurrence times come from APScheduler's triggers (cron lines in Vietnam time, or a fixed
interval); APScheduler's background scheduler only drives the tick. Times in the tables are UTC.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine

from data_access import schema

log = logging.getLogger("scheduler")

#: The time zone of cron lines (a leader's "07:00" is Hà Nội's).
LOCAL_TZ = "Asia/Ho_Chi_Minh"
#: Interval jobs count their occurrences from this instant, so every process agrees on them.
EPOCH = datetime(2000, 1, 3, tzinfo=UTC)
#: How far back a job's missed occurrences are looked for (a daily job missed for a year runs once).
LOOKBACK = timedelta(days=400)


@dataclass(frozen=True)
class Job:
    """A registered periodic job."""

    name: str
    schedule: str  # a five-field crontab line (Vietnam time) or "every <n>s"
    function_path: str  # "package.module:function", called with the Occurrence


@dataclass(frozen=True)
class Occurrence:
    """What a job function is called with."""

    job: str
    due_at: datetime  # UTC, naive
    late: bool  # the scheduler was away when it was due
    now: datetime  # UTC, naive: the tick's clock (faked in tests)


_REGISTRY: dict[str, Job] = {}


def utcnow() -> datetime:
    """The current UTC time, naive, to the microsecond (the tables' convention)."""
    return datetime.now(UTC).replace(tzinfo=None)


def process_name() -> str:
    """host:pid, recorded on the claims this process makes."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def trigger_of(schedule: str) -> BaseTrigger:
    """The APScheduler trigger of a schedule text: ``"every 60s"`` or a crontab line."""
    text = schedule.strip()
    if text.startswith("every ") and text.endswith("s"):
        seconds = float(text[6:-1])
        if seconds <= 0:
            raise ValueError(f"an interval must be positive: {schedule!r}")
        return IntervalTrigger(seconds=seconds, start_date=EPOCH, timezone=UTC)
    return CronTrigger.from_crontab(text, timezone=LOCAL_TZ)


def register(job_name: str, schedule: str, function_path: str) -> Job:
    """Register (or re-register, idempotently) a periodic job in this process. Every scheduler
    process must register the same jobs: do it where the app is built."""
    trigger_of(schedule)  # a bad schedule fails at registration, not at the first tick
    module, _, attr = function_path.partition(":")
    if not module or not attr:
        raise ValueError(f"function_path must be 'package.module:function', got {function_path!r}")
    job = Job(job_name, schedule, function_path)
    _REGISTRY[job_name] = job
    return job


def registered() -> dict[str, Job]:
    """The jobs registered in this process, by name."""
    return dict(_REGISTRY)


def latest_due(schedule: str, after: datetime, now: datetime) -> datetime | None:
    """The latest occurrence of ``schedule`` in ``(after, now]`` (naive UTC), or None."""
    trigger = trigger_of(schedule)
    start = max(after, now - LOOKBACK).replace(tzinfo=UTC)
    end = now.replace(tzinfo=UTC)
    if isinstance(trigger, IntervalTrigger):
        step = trigger.interval.total_seconds()
        n = int((end - EPOCH).total_seconds() // step)
        due = EPOCH + timedelta(seconds=n * step)
        return due.replace(tzinfo=None) if due > start else None
    found: datetime | None = None
    nxt = trigger.get_next_fire_time(None, start + timedelta(microseconds=1))
    while nxt is not None and nxt <= end:
        found = nxt
        nxt = trigger.get_next_fire_time(None, nxt + timedelta(seconds=1))
    return found.astimezone(UTC).replace(tzinfo=None) if found else None


def _insert(conn: Connection, table: Any) -> Any:
    return (postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table)


def claim(conn: Connection, job_name: str, due_at: datetime, *, late: bool = False,
          now: datetime | None = None) -> bool:
    """Claim one occurrence in the caller's transaction: True for the one caller, across every
    process, whose claim was first; False for every other (and for a second claim)."""
    stmt = _insert(conn, schema.job_run).values(
        job=job_name[:200], due_at=due_at, late=late, claimed_by=process_name(),
        claimed_at=now or utcnow(), state="running",
    ).on_conflict_do_nothing(index_elements=["job", "due_at"])
    return conn.execute(stmt).rowcount == 1


def finish(conn: Connection, job_name: str, due_at: datetime, error: str | None = None,
           *, now: datetime | None = None) -> None:
    """Record the end of a claimed occurrence (done, or failed with its error)."""
    conn.execute(update(schema.job_run)
                 .where(schema.job_run.c.job == job_name[:200], schema.job_run.c.due_at == due_at)
                 .values(state="failed" if error else "done", error=error, finished_at=now or utcnow()))


def run_once(job_name: str, due_at: datetime, *, late: bool = False, engine: Engine | None = None) -> bool:
    """Claim ``(job_name, due_at)`` in its own transaction: True exactly once across every process,
    so the caller does the work; then :func:`finish` it. Without ``engine``, the current app's."""
    if engine is None:
        from data_access.engine import current_warehouse

        engine = current_warehouse().engine
    with engine.begin() as conn:
        return claim(conn, job_name, due_at, late=late)


def _ensure_rows(engine: Engine, jobs: list[Job], now: datetime) -> dict[str, datetime]:
    """Each job's ``since`` (its first registration anywhere) and latest claimed occurrence."""
    t = schema.scheduled_job
    with engine.begin() as conn:
        for job in jobs:
            conn.execute(_insert(conn, t).values(name=job.name, schedule=job.schedule,
                                                 function_path=job.function_path, since=now)
                         .on_conflict_do_nothing(index_elements=["name"]))
        since = dict(conn.execute(select(t.c.name, t.c.since)).all())
        last = dict(conn.execute(select(schema.job_run.c.job, func.max(schema.job_run.c.due_at))
                                 .where(schema.job_run.c.job.in_([j.name for j in jobs]))
                                 .group_by(schema.job_run.c.job)).all())
    return {name: max(since[name], last.get(name) or since[name]) for name in since}


def _function(path: str) -> Callable[[Occurrence], Any]:
    module, _, attr = path.partition(":")
    fn: Callable[[Occurrence], Any] = getattr(importlib.import_module(module), attr)
    return fn


def tick(app: Flask, now: datetime | None = None, *, grace: timedelta | None = None) -> list[Occurrence]:
    """One pass: claim and run every registered job's latest due occurrence that no process has
    claimed yet. Returns the occurrences this process ran. ``grace``: how long after its time an
    occurrence still counts as on time (default: three ticks, at least 90 s)."""
    now = now or utcnow()
    settings = app.config["SETTINGS"]
    grace = grace or timedelta(seconds=max(90.0, 3 * settings.scheduler_tick_seconds))
    engine = app.extensions["warehouse"].engine
    jobs = list(_REGISTRY.values())
    if not jobs:
        return []
    after = _ensure_rows(engine, jobs, now)
    ran: list[Occurrence] = []
    for job in jobs:
        due = latest_due(job.schedule, after.get(job.name, now), now)
        if due is None:
            continue
        occurrence = Occurrence(job.name, due, late=now - due > grace, now=now)
        with engine.begin() as conn:
            if not claim(conn, job.name, due, late=occurrence.late, now=now):
                continue
        ran.append(occurrence)
        error: str | None = None
        try:
            with app.app_context():
                _function(job.function_path)(occurrence)
        except Exception as exc:  # noqa: BLE001 - one job's failure is recorded, the others still run
            log.exception("scheduled job %s (%s) failed", job.name, due)
            error = f"{type(exc).__name__}: {exc}"[:2000]
        with engine.begin() as conn:
            finish(conn, job.name, due, error, now=utcnow())
    return ran
