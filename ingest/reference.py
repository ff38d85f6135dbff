"""Load the reference facts kept as CSV files in ``data_access/reference/`` into the warehouse:
indicator groups, areas of both eras with their region membership and the 2025 succession,
agencies (reporting units) and the indicator catalogue."""

from __future__ import annotations

import csv
from datetime import date
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Connection

from data_access import schema
from domain.text import fold

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data_access" / "reference"


def read_csv(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


@cache
def reference_rows(name: str) -> tuple[dict[str, str], ...]:
    """The rows of one reference file (read once per process; the files are immutable facts)."""
    return tuple(read_csv(name))


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _int(text: str, default: int | None = None) -> int | None:
    return int(text) if text not in ("", None) else default


def _columns(row: dict[str, str], *names: str) -> dict[str, str]:
    """The columns of a reference row that go into the database as they are (text)."""
    return {name: row[name] for name in names}


def load_reference(conn: Connection) -> None:
    """Insert all reference facts. Expects empty reference tables (first seed)."""
    conn.execute(
        schema.indicator_group.insert(),
        [
            {"code": r["code"], "name_vi": r["name_vi"], "name_en": r["name_en"], "sort": int(r["sort"])}
            for r in reference_rows("indicator_groups.csv")
        ],
    )

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

    conn.execute(
        schema.agency.insert(),
        [
            {
                **_columns(r, "code", "name_vi", "name_en", "short_vi", "short_en", "kind"),
                "area_id": area_id.get(r["area_key"]) if r["area_key"] else None,
                "valid_from": _date(r["valid_from"]),
                "valid_to": _date(r["valid_to"]),
            }
            for r in reference_rows("agencies.csv")
        ],
    )
    agency_id = dict(conn.execute(select(schema.agency.c.code, schema.agency.c.id)).all())

    indicators = reference_rows("indicators.csv")
    conn.execute(
        schema.indicator.insert(),
        [
            {
                **_columns(r, "code", "name_vi", "name_en", "group_code", "unit_vi", "unit_en", "periodicity",
                           "aggregation", "direction", "levels", "definition_vi", "definition_en"),
                "agency_id": agency_id[r["agency_code"]],
                "decimals": _int(r["decimals"], 1),
                "confidential": r["confidential"] == "1",
                "cumulative": r["cumulative"] == "1",
                "headline": _int(r["headline"]),
                "search_text": fold(" ".join([r["code"], r["name_vi"], r["name_en"]])),
            }
            for r in indicators
        ],
    )
    ind_id = dict(conn.execute(select(schema.indicator.c.code, schema.indicator.c.id)).all())
    for r in indicators:
        links = {
            col: ind_id[r[src]]
            for col, src in (("agg_weight_id", "agg_weight"), ("agg_num_id", "agg_num"), ("agg_den_id", "agg_den"))
            if r[src]
        }
        if links:
            conn.execute(schema.indicator.update().where(schema.indicator.c.id == ind_id[r["code"]]).values(**links))
