"""The HTTP API (``/api/v1``): health now; submissions and read endpoints grow here."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy.exc import SQLAlchemyError

from data_access.engine import current_warehouse
from data_access.status import warehouse_status
from settings import ConfigError

api_v1 = Blueprint("api_v1", __name__, url_prefix="/api/v1")


@api_v1.get("/health")
def health():
    """Liveness and warehouse status. 200 when the warehouse answers, 503 otherwise."""
    wh = current_warehouse()
    try:
        status = warehouse_status(wh)
    except (SQLAlchemyError, ConfigError) as exc:
        # the public answer names no host, port or user; the log keeps the details
        logging.getLogger(__name__).warning("health: warehouse unavailable: %s", str(exc).splitlines()[0])
        body = {"status": "unavailable", "database": wh.settings.database_url.split(":", 1)[0].split("+", 1)[0],
                "error": "warehouse unavailable"}
        return jsonify(body), 503
    return jsonify({"status": "ok", **status.as_dict()})

# Route modules register on ``api_v1`` when imported.
from api import directions, intake, live, metadata  # noqa: E402,F401
