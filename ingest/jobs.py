"""The intake's scheduled job (:mod:`scheduler`: each occurrence runs once across every scheduler
process, in an app context):

* ``rollups.daily`` (every minute): the daily indicators' KPI tiles kept in the warehouse
  computed again where a reader would not use them today (:func:`data_access.rollups.refresh_daily`):
  after the day turns, and after a daily submission, whose own transaction refreshes every other
  rollup it changes but not these (they hold for one day). Until it has run, the boards compute
  those tiles; nothing at all while every one is current. PostgreSQL only (no rollups on SQLite).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app

from data_access import rollups
from scheduler.core import Occurrence, register

DAILY_TILES_SCHEDULE = "every 60s"

log = logging.getLogger("ingest.jobs")


def daily_tiles_job(occurrence: Occurrence) -> dict[str, Any]:
    """The daily indicators' tiles that are not current, computed again in one transaction."""
    engine = current_app.extensions["warehouse"].engine
    if not rollups.enabled_on(engine):
        return {"kpi_rows": 0}
    with engine.begin() as conn:
        done = rollups.refresh_daily(conn)
    if done["kpi"]["rows"]:
        log.info("rollups.daily: %s", rollups.summary(done))
    return {"kpi_rows": done["kpi"]["rows"], "indicators": done["kpi"]["indicators"], "seconds": done["seconds"]}


def init_intake_jobs(server: Flask) -> None:
    """Register the job (every process that may run the scheduler builds the app, so registers it)."""
    register("rollups.daily", DAILY_TILES_SCHEDULE, "ingest.jobs:daily_tiles_job")
