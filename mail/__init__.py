"""Mail: ``send`` stores a message once under its key and hands it to SMTP (or, without
``SMTP_HOST``, to ``instance/outbox/``), retried with back-off by the scheduler until accepted."""

from flask import Flask

from mail.delivery import Delivery, backoff, deliver_due, get, outbox_dir, safe_key, send
from scheduler.core import Occurrence, register

__all__ = ["Delivery", "backoff", "deliver_due", "get", "init_mail", "outbox_dir", "retry_job", "safe_key", "send"]


def retry_job(occurrence: Occurrence) -> None:
    """The scheduler's job: attempt every delivery that is due (runs in an app context)."""
    from flask import current_app

    deliver_due(current_app.extensions["warehouse"].engine, current_app.config["SETTINGS"], occurrence.now)


def init_mail(server: Flask) -> None:
    """Register the retry job (every minute)."""
    register("mail.retry", "every 60s", "mail:retry_job")
