"""Warehouse status for the health check and the "data as of" stamps."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from data_access import schema
from data_access.engine import Warehouse, get_data_version, get_versions


@dataclass(frozen=True)
class WarehouseStatus:
    database: str
    data_version: int
    updated_at: datetime | None
    observations: int
    latest_period: str | None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["updated_at"] = self.updated_at.isoformat() if self.updated_at else None
        return d


def warehouse_status(wh: Warehouse) -> WarehouseStatus:
    """Counts and the newest period. ``observations`` counts every stored revision."""
    with wh.engine.connect() as conn:
        version = get_data_version(conn)
        updated = conn.execute(select(schema.data_version.c.updated_at)).scalar()
        count = conn.execute(select(func.count()).select_from(schema.observation)).scalar() or 0
        latest = conn.execute(
            select(schema.current_observation.c.period)
            .order_by(schema.current_observation.c.period_start.desc())
            .limit(1)
        ).scalar()
    return WarehouseStatus(wh.engine.dialect.name, version, updated, int(count), latest)


def replica_status(wh: Warehouse, primary_version: int) -> dict[str, Any] | None:
    """The read replica as the health check sees it (None without ``DATABASE_READ_URL``):
    ``state`` (``ok``, ``lagging``: it had not replayed what a request needed in time, ``down``),
    ``reads_from`` (``replica``, or ``primary`` while it is down or lagging), the version it has
    replayed and how many versions it is behind the primary."""
    router = wh.router
    if router is None:
        return None
    replayed = router.check(primary_version, lambda conn: get_versions(conn)[0])
    state = router.state
    return {"state": state.state, "reads_from": router.reads_from(),
            "since": datetime.fromtimestamp(state.since).isoformat(timespec="seconds"),
            "replayed_version": replayed,
            "lag_versions": None if replayed is None else max(0, primary_version - replayed)}
