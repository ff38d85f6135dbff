"""Subscriptions (issue 20): a user has the daily brief, a briefing pack, a board or an indicator
mailed on a schedule (``model``), delivered by the scheduler with the owner's rights (``deliver``);
the ``/subscriptions`` pages and the unsubscribe link (``views``)."""

from __future__ import annotations

from flask import Blueprint, Flask

from scheduler.core import register

bp = Blueprint("subscriptions", __name__, template_folder="templates")

from subscriptions import views  # noqa: E402,F401 - the routes, on bp

__all__ = ["bp", "init_subscriptions"]


def init_subscriptions(server: Flask) -> None:
    """Mount the pages and register the delivery job (every minute)."""
    server.register_blueprint(bp)
    register("subscriptions.dispatch", "every 60s", "subscriptions.deliver:dispatch")
