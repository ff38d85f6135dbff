"""Builders shared by the intake tests (``tests/test_intake_*.py``); this module holds no tests.

The intake warehouse: migrated, the reference catalogue, the report regimes the catalogue implies
(:func:`ingest.regimes.catalogue_regimes`, the same as the demo seed's) and a little history (24
months of a few series) for the plausibility checks. Much smaller and faster than the demo
warehouse, and each test module or test gets its own, so writes never leak between tests.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from data_access import schema
from data_access.engine import bump_data_version, make_engine, migrate
from domain.periods import Period
from ingest.pipeline import IntakeLimits, SubmissionReport, submit
from ingest.reference import load_reference, reference_rows
from ingest.regimes import catalogue_regimes
from tests.conftest import BACKENDS, _require_pg, make_settings

RECEIVED = datetime(2025, 11, 20, 9, 0)
HISTORY_MONTHS = [Period("M", 2023, 10).shift(i) for i in range(24)]  # 202310 .. 202509
# (indicator, area key, base value, trend per month, alternating wiggle): series for the plausibility checks
HISTORY = [
    ("RETAIL_SALES", "VN", 270.0, 1.5, 2.0),
    ("RETAIL_SALES", "01", 30.0, 0.2, 0.5),
    ("CPI_YOY", "VN", 3.0, 0.0, 0.4),
    ("EXPORTS", "VN", 35.0, 0.3, 1.0),
]


def build_warehouse(url: str, tmp: Path) -> Engine:
    engine = make_engine(make_settings(url, tmp))
    migrate(engine)
    with engine.begin() as conn:
        load_reference(conn)
        regimes, carries, units = catalogue_regimes(list(reference_rows("indicators.csv")),
                                                    list(reference_rows("agencies.csv")))
        receiver = conn.execute(select(schema.agency.c.id).where(schema.agency.c.code == "VPCP")).scalar()
        conn.execute(schema.report_regime.insert(), [{**r, "receiving_agency_id": receiver} for r in regimes])
        rid = dict(conn.execute(select(schema.report_regime.c.code, schema.report_regime.c.id)).all())
        iid = dict(conn.execute(select(schema.indicator.c.code, schema.indicator.c.id)).all())
        aid = dict(conn.execute(select(schema.agency.c.code, schema.agency.c.id)).all())
        conn.execute(schema.regime_indicator.insert(), [{"regime_id": rid[r], "indicator_id": iid[i]} for r, i in carries])
        conn.execute(schema.regime_unit.insert(), [{"regime_id": rid[r], "agency_id": aid[u]} for r, u in units])
        area = dict(conn.execute(select(schema.area.c.key, schema.area.c.id)).all())
        rows = []
        for code, key, base, step, wiggle in HISTORY:
            for i, p in enumerate(HISTORY_MONTHS):
                rows.append({"indicator_id": iid[code], "area_id": area[key], "period": p.key, "period_start": p.start,
                             "value": round(base + step * i + wiggle * (-1) ** i, 3), "status": "O", "revision": 0,
                             "recorded_at": datetime(2025, 10, 1)})
        conn.execute(schema.observation.insert(), rows)
        conn.execute(schema.current_observation.insert(), [{k: v for k, v in r.items()} for r in rows])
        bump_data_version(conn)
    return engine


def counts(engine: Engine) -> dict[str, int]:
    """Row counts of everything an accepted submission writes (a rejected one may add only its
    ``submission`` row)."""
    with engine.connect() as conn:
        def n(table):
            return int(conn.execute(select(func.count()).select_from(table)).scalar())

        return {
            "observation": n(schema.observation),
            "current": n(schema.current_observation),
            "daily_item": n(schema.daily_item),
            "submission_period": n(schema.submission_period),
            "data_version": int(conn.execute(select(schema.data_version.c.version)).scalar() or 0),
        }


def send(engine: Engine, tmp: Path, unit: str, payload: bytes, filename: str = "test.csv",
         received_at: datetime = RECEIVED, limits: IntakeLimits | None = None, channel: str = "cli") -> SubmissionReport:
    return submit(engine, unit_code=unit, payload=payload, filename=filename, channel=channel, submitted_by="pytest",
                  received_at=received_at, archive_dir=tmp / "archive", limits=limits)


def csv_bytes(*rows: str, header: str = "indicator_code,area_code,period,value") -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode("utf-8")


def current_value(engine: Engine, code: str, area_key: str, period: str):
    c, i, a = schema.current_observation, schema.indicator, schema.area
    with engine.connect() as conn:
        return conn.execute(
            select(c.c.value, c.c.revision, c.c.status, c.c.flag, c.c.submission_id)
            .join(i, i.c.id == c.c.indicator_id).join(a, a.c.id == c.c.area_id)
            .where(i.c.code == code, a.c.key == area_key, c.c.period == period)).first()


def history_rows(engine: Engine, code: str, area_key: str, period: str) -> list:
    o, i, a = schema.observation, schema.indicator, schema.area
    with engine.connect() as conn:
        return conn.execute(
            select(o.c.revision, o.c.value, o.c.status, o.c.submission_id, o.c.flag)
            .join(i, i.c.id == o.c.indicator_id).join(a, a.c.id == o.c.area_id)
            .where(i.c.code == code, a.c.key == area_key, o.c.period == period).order_by(o.c.revision)).all()


def module_warehouse(request, databases, tmp_path_factory):
    """Body of a module-scoped, backend-parametrised warehouse fixture (``params=BACKENDS``)."""
    if request.param == "postgresql":
        _require_pg()
    url = databases.new(request.param)
    tmp = tmp_path_factory.mktemp(f"intake-{request.param}")
    engine = build_warehouse(url, tmp)
    return url, tmp, engine


__all__ = ["BACKENDS", "RECEIVED", "build_warehouse", "counts", "send", "csv_bytes", "current_value", "history_rows",
           "module_warehouse", "date", "pytest"]
