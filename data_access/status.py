"""Warehouse status for the health check and the "data as of" stamps."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from data_access import schema
from data_access.engine import Warehouse, get_data_version


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
