"""The alerts' scheduled jobs (:mod:`scheduler`: each occurrence runs once across every scheduler
process, in an app context):

* ``alerts.overdue`` (hourly): the ``overdue`` rules on the reporting calendar (the reports still
  missing past their deadline, Decree 09), raising what was not raised before;
* ``alerts.directions`` (hourly): the ``direction`` rules on the open directions past their
  deadline on the centre's date (Asia/Ho_Chi_Minh), raising what was not raised before;
* ``alerts.deliver`` (every 30 s): the webhook and e-mail deliveries due (:mod:`alerts.delivery`).

The alerts' times are the warehouse's local ones (the intake's clock); the scheduler's UTC instant
is turned into local time here, so a faked scheduler clock fakes these too.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.engine import Engine

from alerts.delivery import alert_record, dispatch_due, mail_message
from alerts.evaluate import local, on_directions, on_schedule
from alerts.store import active_rules
from data_access import schema
from data_access.compliance import overdue_reports
from mail import send
from scheduler.core import Occurrence, register

OVERDUE_SCHEDULE = "5 * * * *"  # every hour, five minutes past (Vietnam time)
DIRECTIONS_SCHEDULE = "7 * * * *"  # every hour, seven minutes past
DELIVER_SCHEDULE = "every 30s"


def _engine() -> Engine:
    return current_app.extensions["warehouse"].engine


def overdue_job(occurrence: Occurrence) -> int:
    """Raise the ``overdue`` alerts of the calendar as it stands; the number raised."""
    now = local(occurrence.now)
    engine = _engine()
    with engine.connect() as conn:
        if not any(r.kind == "overdue" for r in active_rules(conn)):
            return 0
    calendar = overdue_reports(now.date())
    with engine.begin() as conn:
        return on_schedule(conn, calendar, now)


def directions_job(occurrence: Occurrence) -> int:
    """Raise the ``direction`` alerts of the directions overdue on the centre's date; the number raised."""
    with _engine().begin() as conn:
        return on_directions(conn, occurrence.now)


def mail_alert(engine: Engine, row: Any) -> None:
    """Hand one e-mail delivery (``row.target``: a user name) to :func:`mail.send`, keyed by alert
    and user (stored once, never sent twice); a user without an address (or no longer active) is
    an error logged on the delivery."""
    u = schema.app_user
    with engine.connect() as conn:
        user = conn.execute(select(u.c.email, u.c.active).where(u.c.username == row.target)).first()
        if user is None or not user.active or not user.email:
            raise LookupError(f"no e-mail address for {row.target}")
        record = alert_record(conn, row.alert_id)
    settings = current_app.config["SETTINGS"]
    link = f"{settings.public_url.rstrip('/')}/alerts"
    send(engine, settings, mail_message(record, user.email, link), f"alert-{row.alert_id}-{row.target}")


def deliver_job(occurrence: Occurrence) -> dict[str, int]:
    return dispatch_due(_engine(), local(occurrence.now), mailer=mail_alert)


def init_alert_jobs(server: Flask) -> None:
    """Register the jobs (every process that may run the scheduler builds the app, so registers them)."""
    register("alerts.overdue", OVERDUE_SCHEDULE, "alerts.jobs:overdue_job")
    register("alerts.directions", DIRECTIONS_SCHEDULE, "alerts.jobs:directions_job")
    register("alerts.deliver", DELIVER_SCHEDULE, "alerts.jobs:deliver_job")
