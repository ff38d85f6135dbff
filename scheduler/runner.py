"""What drives :func:`scheduler.core.tick`: APScheduler's background scheduler inside ``python
app.py``, its blocking scheduler in ``flask --app app scheduler`` (any number of them)."""

from __future__ import annotations

import logging
from typing import Any

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app

from scheduler.core import tick

log = logging.getLogger("scheduler")


def _safe_tick(app: Flask) -> None:
    try:
        tick(app)
    except Exception:  # noqa: BLE001 - the database may be away; the next tick tries again
        log.exception("scheduler tick failed")


def _configure(scheduler: BaseScheduler, app: Flask) -> BaseScheduler:
    seconds = app.config["SETTINGS"].scheduler_tick_seconds
    scheduler.add_job(_safe_tick, "interval", args=[app], seconds=seconds, id="occ-tick",
                      max_instances=1, coalesce=True)  # (next_run_time=None would add it paused)
    scheduler.add_job(_safe_tick, args=[app], id="occ-first-tick")  # at start: missed occurrences now
    return scheduler


def start_in_process(app: Flask) -> BackgroundScheduler:
    """Start the scheduler in a daemon thread of this process (``python app.py``)."""
    scheduler = BackgroundScheduler(daemon=True, timezone="UTC")
    _configure(scheduler, app)
    scheduler.start()
    app.extensions["scheduler"] = scheduler
    return scheduler


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the scheduler in the foreground (gunicorn deployments; start as many as you like)."""
    app: Any = current_app._get_current_object()  # type: ignore[attr-defined]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per tick
    click.echo(f"scheduler: checking every {app.config['SETTINGS'].scheduler_tick_seconds:g} s (Ctrl+C to stop)")
    _configure(BlockingScheduler(timezone="UTC"), app).start()


def init_scheduler(server: Flask) -> None:
    """Add ``flask --app app scheduler`` to the app's commands."""
    server.cli.add_command(scheduler_command)
