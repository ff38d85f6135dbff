"""The reference facts and the demo's configuration, and how they enter the warehouse.

* Facts (CSV in ``data_access/reference/``): the areas of both eras, their region membership and
  the 2025 succession. Geography, not configuration: loaded as they are (:func:`load_geography`).
* The demo's configuration (indicator groups, reporting units, the indicator catalogue, report
  regimes, plan targets) is a metadata package, ``data_access/reference/metadata-demo.json``,
  loaded through the metadata service like any other package (:func:`load_reference`). How the
  demo generator makes synthetic values from it is the generator's own business
  (``ingest/demo_parameters.csv``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from data_access import schema
from metadata.package import from_records
from metadata.service import Actor, apply_on

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data_access" / "reference"
DEMO_PACKAGE = REFERENCE_DIR / "metadata-demo.json"
REFERENCE_KINDS = ("groups", "units", "indicators")  # what :func:`load_reference` loads by default
SEED_ACTOR = Actor("seed", channel="seed")


class ReferenceError(RuntimeError):
    """The shipped configuration was refused by the metadata service (a broken package file)."""


def read_csv(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


@cache
def reference_rows(name: str) -> tuple[dict[str, str], ...]:
    """The rows of one reference file (read once per process; the files are immutable facts)."""
    return tuple(read_csv(name))


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _columns(row: dict[str, str], *names: str) -> dict[str, str]:
    """The columns of a reference row that go into the database as they are (text)."""
    return {name: row[name] for name in names}


@cache
def _demo_document() -> dict[str, Any]:
    with open(DEMO_PACKAGE, encoding="utf-8") as fh:
        doc: dict[str, Any] = json.load(fh)
    return doc


def demo_records(kind: str) -> tuple[dict[str, Any], ...]:
    """The records of one kind of the demo's configuration package (read once; do not mutate)."""
    return tuple(_demo_document()[kind])


def load_reference(conn: Connection, kinds: Iterable[str] = REFERENCE_KINDS, *,
                   targets_until: int | None = None) -> None:
    """Load the geography (when the warehouse has none) and ``kinds`` of the demo's configuration
    through the metadata service, in the caller's transaction; ``targets_until``: only the plan
    targets of the years up to it."""
    ensure_geography(conn)
    records = {kind: list(demo_records(kind)) for kind in kinds}
    if "targets" in records and targets_until is not None:
        records["targets"] = [t for t in records["targets"] if t["year"] <= targets_until]
    outcome = apply_on(conn, from_records(records), actor=SEED_ACTOR)
    if not outcome.ok:
        raise ReferenceError("; ".join(p.message_en for p in outcome.problems[:5]))


def ensure_geography(conn: Connection) -> bool:
    """Load the geography into a warehouse that has none (an empty centre importing its first
    package); True when it did."""
    if conn.execute(select(func.count()).select_from(schema.area)).scalar():
        return False
    load_geography(conn)
    return True


def load_geography(conn: Connection) -> None:
    """Insert the areas of both eras, their region membership and the 2025 succession."""
    areas = reference_rows("areas.csv")
    conn.execute(
        schema.area.insert(),
        [
            {
                **_columns(r, "key", "code", "name_vi", "name_en", "level"),
                "valid_from": _date(r["valid_from"]),
                "valid_to": _date(r["valid_to"]),
                "sort": int(r["sort"] or 0),
            }
            for r in areas
        ],
    )
    area_id = dict(conn.execute(select(schema.area.c.key, schema.area.c.id)).all())
    for r in areas:
        if r["parent_key"]:
            conn.execute(
                schema.area.update().where(schema.area.c.id == area_id[r["key"]]).values(parent_id=area_id[r["parent_key"]])
            )
    conn.execute(
        schema.area_membership.insert(),
        [
            {
                "area_id": area_id[r["area_key"]],
                "region_id": area_id[r["region_key"]],
                "valid_from": _date(r["valid_from"]),
                "valid_to": _date(r["valid_to"]),
            }
            for r in reference_rows("area_membership.csv")
        ],
    )
    conn.execute(
        schema.area_succession.insert(),
        [
            {"old_area_id": area_id[r["old_key"]], "new_area_id": area_id[r["new_key"]]}
            for r in reference_rows("area_succession.csv")
        ],
    )
