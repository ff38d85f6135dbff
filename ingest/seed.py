"""Write the reference facts, the demo's configuration (through the metadata service) and the
illustrative demo dataset into an empty warehouse, in one transaction (all or nothing)."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from datetime import date

import pandas as pd
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.engine import Connection, Engine

from data_access import rollups, schema
from data_access.engine import DEMO, REAL, bump_data_version, get_dataset, set_dataset
from data_access.setup_state import has_configuration, has_submissions
from domain.metadata import KINDS
from ingest.demo import DemoData, generate
from ingest.demo_directions import seed_directions
from ingest.reference import SEED_ACTOR, ReferenceError, demo_records, load_reference
from metadata import derived
from metadata.package import from_records
from metadata.service import apply_on

BATCH = 20_000


class WarehouseNotEmpty(RuntimeError):
    pass


def is_empty(conn: Connection) -> bool:
    """No configuration and no data: the geography alone (loaded on every first start, the demo's
    or an empty centre's) does not count."""
    return not has_configuration(conn) and not has_submissions(conn)


def _insert(conn: Connection, table, rows: list[dict]) -> None:
    if conn.dialect.name == "postgresql" and len(rows) > BATCH:
        copy_rows(conn, table, rows)
        return
    for i in range(0, len(rows), BATCH):
        conn.execute(table.insert(), rows[i : i + BATCH])


def copy_rows(conn: Connection, table, rows: list[dict]) -> None:
    """PostgreSQL COPY of ``rows`` (dicts with the same keys) inside the caller's transaction."""
    if not rows:
        return
    columns = list(rows[0].keys())
    buf = io.StringIO()
    writer = csv.writer(buf)
    for r in rows:
        writer.writerow(["\\N" if r[c] is None else r[c] for c in columns])
    buf.seek(0)
    cursor = conn.connection.dbapi_connection.cursor()
    cursor.copy_expert(
        f"COPY {table.name} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buf)


def seed_demo(engine: Engine, seed: int = 2020, until: date | None = None,
              echo: Callable[[str], None] = lambda _m: None) -> DemoData:
    """Load the reference facts, the demo's configuration package (its plan targets of the years
    up to ``until``, and the generated ones of later years), the generated demo data and the
    values of the package's derived indicators, computed from them. Raises
    :class:`WarehouseNotEmpty` if the warehouse already holds areas (a second start reuses it)."""
    data = generate(seed=seed, until=until)
    echo(f"generated {len(data.observations):,} observations, {len(data.submissions):,} submissions")
    with engine.begin() as conn:
        held = get_dataset(conn)
        if held == REAL:
            raise WarehouseNotEmpty("the real data set (Số liệu chính thức), never mixed with the demo")
        if not is_empty(conn):
            raise WarehouseNotEmpty("data")
        load_reference(conn, KINDS, targets_until=data.until.year)
        _later_targets(conn, data)
        write_demo(conn, data)
        derived.recompute(conn, codes=[d.code for d in derived.derived_indicators(conn)])
        echo(f"{seed_directions(conn, seed, data.until)} directions")
        set_dataset(conn, DEMO)
        bump_data_version(conn)
        if rollups.enabled(conn):
            echo(rollups.summary(rollups.refresh(conn)))
    return data


def _later_targets(conn: Connection, data: DemoData) -> None:
    """The generated plan targets of the years after the package's last one (a demo run after 2026)."""
    last = max(t["year"] for t in demo_records("targets"))
    later = [{"indicator": r.indicator, "area": r.area, "year": int(r.year), "comparison": r.comparison,
              "value": float(r.value), "source": r.source}
             for r in data.targets.itertuples(index=False) if int(r.year) > last]
    if later:
        outcome = apply_on(conn, from_records({"targets": later}), actor=SEED_ACTOR)
        if not outcome.ok:
            raise ReferenceError("; ".join(p.message_en for p in outcome.problems[:5]))


def write_demo(conn: Connection, data: DemoData) -> None:
    """The generated submissions, observations and daily items (the configuration is in place)."""
    area_id = dict(conn.execute(select(schema.area.c.key, schema.area.c.id)).all())
    agency_id = dict(conn.execute(select(schema.agency.c.code, schema.agency.c.id)).all())
    ind_id = dict(conn.execute(select(schema.indicator.c.code, schema.indicator.c.id)).all())
    regime_id = dict(conn.execute(select(schema.report_regime.c.code, schema.report_regime.c.id)).all())

    # Submissions: ids assigned here; the demo's refs are 1..n in order.
    base = conn.execute(select(func.coalesce(func.max(schema.submission.c.id), 0))).scalar()
    subs = data.submissions
    _insert(conn, schema.submission, [
        {
            "id": base + int(r.sub), "agency_id": agency_id[r.agency], "regime_id": regime_id[r.regime],
            "period": r.period, "received_at": r.received_at.to_pydatetime() if hasattr(r.received_at, "to_pydatetime") else r.received_at,
            "channel": "seed", "filename": f"demo-{r.agency}-{r.period}.json",
            "sha256": hashlib.sha256(f"demo:{data.seed}:{r.sub}".encode()).hexdigest(),
            "status": "accepted", "rows_total": 0, "rows_written": 0, "errors": 0, "warnings": 0,
            "submitted_by": "demo",
        }
        for r in subs.itertuples(index=False)
    ])

    if conn.dialect.name == "postgresql":  # explicit ids above: move the sequence past them
        conn.execute(text("SELECT setval(pg_get_serial_sequence('submission', 'id'), "
                          "(SELECT COALESCE(MAX(id), 1) FROM submission))"))

    obs = data.observations
    ind = obs["indicator"].map(ind_id).astype("int64").tolist()
    area = obs["area"].map(area_id).astype("int64").tolist()
    subs_ids = (obs["sub"] + base).astype("int64").tolist()
    recorded = [t.to_pydatetime() if isinstance(t, pd.Timestamp) else t for t in obs["recorded_at"]]
    rows = [
        {"indicator_id": i, "area_id": a, "period": p, "period_start": ps, "value": v, "status": s,
         "revision": rev, "submission_id": sid, "recorded_at": rec, "flag": f}
        for i, a, p, ps, v, s, rev, sid, rec, f in zip(
            ind, area, obs["period"], obs["period_start"], obs["value"], obs["status"], obs["revision"].astype(int),
            subs_ids, recorded, obs["flag"].where(obs["flag"].notna(), None), strict=False)
    ]
    _insert(conn, schema.observation, rows)
    # current values: the highest revision of each key
    latest: dict[tuple, dict] = {}
    for r in rows:
        k = (r["indicator_id"], r["area_id"], r["period"])
        if k not in latest or r["revision"] > latest[k]["revision"]:
            latest[k] = r
    _insert(conn, schema.current_observation, list(latest.values()))

    # rows per submission, for the compliance pages
    counts = obs.groupby("sub").size()
    stmt = (schema.submission.update().where(schema.submission.c.id == bindparam("sid"))
            .values(rows_total=bindparam("n"), rows_written=bindparam("n")))
    items = [{"sid": base + int(k), "n": int(v)} for k, v in counts.items()]
    for i in range(0, len(items), BATCH):
        conn.execute(stmt, items[i : i + BATCH])

    _insert(conn, schema.daily_item, [
        {"item_date": r.item_date, "agency_id": agency_id[r.agency], "category": r.category, "severity": r.severity,
         "title": r.title, "body": r.body,
         "recorded_at": r.recorded_at.to_pydatetime() if isinstance(r.recorded_at, pd.Timestamp) else r.recorded_at}
        for r in data.daily_items.itertuples(index=False)
    ])
