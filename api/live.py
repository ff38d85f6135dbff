"""The one cheap value live pages poll: the warehouse ``data_version``."""

from __future__ import annotations

from flask import current_app, jsonify
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from api import api_v1
from data_access import schema
from data_access.engine import current_warehouse
from settings import ConfigError


def min_poll_seconds() -> float:
    """Walls may not poll more often than this (``WALL_MIN_POLL_SECONDS``, default 15 s); the wall
    page clamps its interval to it whatever its URL says."""
    return float(current_app.config["SETTINGS"].wall_min_poll_s)


@api_v1.get("/version")
def data_version():
    """``{"data_version", "updated_at", "min_interval_s"}``; one primary-key read. 503 with
    ``Retry-After`` when the warehouse cannot be reached (the wall then shows "connection lost")."""
    try:
        with current_warehouse().engine.connect() as conn:
            row = conn.execute(select(schema.data_version.c.version, schema.data_version.c.updated_at)).first()
    except (SQLAlchemyError, ConfigError):
        res = jsonify({"error": "warehouse unavailable", "min_interval_s": min_poll_seconds()})
        res.status_code = 503
        res.headers["Retry-After"] = str(int(min_poll_seconds()))
        return res
    res = jsonify({"data_version": int(row.version) if row else 0,
                   "updated_at": row.updated_at.isoformat() if row and row.updated_at else None,
                   "min_interval_s": min_poll_seconds()})
    res.headers["Cache-Control"] = "no-store"
    return res
