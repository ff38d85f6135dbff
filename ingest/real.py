"""The real-data starter: the statistics office's published province tables (``data/gso/``) and
their configuration, loaded into a warehouse of their own.

:func:`import_real` applies the configuration package ``data/gso/metadata-gso.json`` (indicator
groups, the reporting unit TCTK, the indicators; no regimes, no targets) through the metadata
service, records the warehouse as holding the official statistics (``data_version.dataset``), and
submits each table of ``data/gso/manifest.csv`` as it was published through the one intake
pipeline (:func:`ingest.pipeline.submit`): the wide-table reader, the area-name matcher, the
validation and the one-transaction load. Nothing is converted by hand; what a table does not say
(its indicator, the rows of the former Hà Tây, the group of columns to read of the average
population's Total/Male/Female/Urban/Rural) is the file's mapping (:class:`ImportMapping`).

What the tables' rows become: a province row (a name without diacritics, "Ha Noi") is the
old-era province it names (the warning ``area_name_matched``); the " WHOLE COUNTRY" row is the
national figure, stored as published; regional rows are skipped (``region_row_skipped``: the
boards compute regions from the provinces); "Ha Tay" (merged into Hà Nội on 1 August 2008; the
warehouse holds no area of it) is skipped as the manifest says (the mapping's ``areas``:
``mapping_row_skipped``). After the
load, each national figure of a summed indicator is compared with the sum of its provinces
(:func:`national_gaps`).

Running it again changes nothing: the package applies no change and every table is answered as a
duplicate of its accepted submission. A warehouse holding the demo data is refused.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from data_access import schema
from data_access.engine import DEMO, REAL, get_dataset, set_dataset
from domain.mapping import SKIP
from ingest.pipeline import ACCEPTED, DUPLICATE, IntakeLimits, SubmissionReport, submit
from ingest.published import ImportMapping
from ingest.reference import ensure_geography
from metadata.package import from_document
from metadata.service import Actor, apply_on

GSO_DIR = Path(__file__).resolve().parent.parent / "data" / "gso"
PACKAGE = GSO_DIR / "metadata-gso.json"
MANIFEST = GSO_DIR / "manifest.csv"
UNIT = "TCTK"
ACTOR = Actor("import-real", channel="cli")


class RealDataRefused(RuntimeError):
    """The warehouse cannot take the real data set (it holds the demo), or a table was refused."""


@dataclass(frozen=True)
class Table:
    """One published table of the manifest: its file, the indicator of its values, the rows not
    to load, the group of columns to read (a table of several: "Total 1995" … "Male 1995" …)."""

    file: str
    indicator: str
    skip_areas: tuple[str, ...] = ()
    column_group: str | None = None

    @property
    def path(self) -> Path:
        return GSO_DIR / self.file


@dataclass
class ImportOutcome:
    configured: bool = False  # the configuration package changed something
    reports: list[tuple[Table, SubmissionReport]] = field(default_factory=list)

    @property
    def written(self) -> int:
        return sum(r.counts.get("written", 0) for _, r in self.reports if r.status == ACCEPTED)


def manifest() -> list[Table]:
    """The tables of ``data/gso/manifest.csv`` (file, indicator, skip_areas separated by ``;``,
    column_group)."""
    with open(MANIFEST, encoding="utf-8", newline="") as fh:
        return [Table(r["file"], r["indicator"], tuple(a.strip() for a in r["skip_areas"].split(";") if a.strip()),
                      r["column_group"].strip() or None) for r in csv.DictReader(fh)]


def holds_other_data(engine: Engine) -> bool:
    """Whether the warehouse holds anything but the real data set (the demo, or observations of a
    data set it does not record)."""
    with engine.connect() as conn:
        recorded = get_dataset(conn)
        if recorded is not None:
            return recorded != REAL
        return bool(conn.execute(select(func.count()).select_from(schema.observation)).scalar())


def import_real(engine: Engine, *, archive_dir: Path, limits: IntakeLimits | None = None,
                echo: Callable[[str], None] = lambda _m: None) -> ImportOutcome:
    """Configure and load the real data set into ``engine`` (migrated); see the module docstring.
    Raises :class:`RealDataRefused` on a warehouse holding the demo data or a refused table."""
    if holds_other_data(engine):
        raise RealDataRefused(f"the warehouse holds the {DEMO} data (Dữ liệu minh họa); the real data set is "
                              "never mixed with it: point DATABASE_URL at a new database")
    outcome = ImportOutcome()
    with engine.begin() as conn:
        ensure_geography(conn)
        with open(PACKAGE, encoding="utf-8") as fh:
            applied = apply_on(conn, from_document(json.load(fh)), actor=ACTOR)
        if not applied.ok:
            raise RealDataRefused("configuration refused: " + "; ".join(p.message_en for p in applied.problems[:5]))
        outcome.configured = applied.applied
        set_dataset(conn, REAL)
    echo("Configuration: " + ("applied" if outcome.configured else "unchanged") + f" ({PACKAGE.name}).")
    for table in manifest():
        report = submit(engine, unit_code=UNIT, payload=table.path.read_bytes(), filename=table.file, channel="cli",
                        submitted_by=ACTOR.name, archive_dir=archive_dir, limits=limits,
                        mapping=ImportMapping(indicator=table.indicator, areas={a: SKIP for a in table.skip_areas},
                                              column_group=table.column_group))
        outcome.reports.append((table, report))
        if report.status not in (ACCEPTED, DUPLICATE):
            first = "; ".join(f"row {e.row}: {e.message_en}" for e in report.errors[:3])
            raise RealDataRefused(f"{table.file} ({table.indicator}) was refused: {first}")
        c = report.counts
        echo(f"  {table.indicator:<20} {report.status:<9} " + (
            f"written {c['written']}, unchanged {c['unchanged']}, not reported {c['not_reported']}"
            if report.status == ACCEPTED else f"same file as submission {report.duplicate_of}"))
    return outcome


@dataclass(frozen=True)
class NationalGap:
    """A summed indicator's published national figure against the sum of its provinces."""

    indicator: str
    period: str
    national: float
    provinces: float
    count: int  # provinces reported

    @property
    def relative(self) -> float:
        return abs(self.provinces - self.national) / abs(self.national) if self.national else 0.0


def national_gaps(engine: Engine) -> list[NationalGap]:
    """For each summed indicator of the real set and each period: the whole-country row as
    published against the sum of the provinces stored (the product's own aggregation)."""
    o, i, a = schema.current_observation, schema.indicator, schema.area
    level_sum = func.sum(o.c.value)
    stmt = (select(i.c.code, o.c.period, a.c.level, level_sum, func.count())
            .join(i, i.c.id == o.c.indicator_id).join(a, a.c.id == o.c.area_id)
            .where(i.c.aggregation == "sum", i.c.agency_id == select(schema.agency.c.id)
                   .where(schema.agency.c.code == UNIT).scalar_subquery(), a.c.level.in_(("nation", "province")))
            .group_by(i.c.code, o.c.period, a.c.level))
    sums: dict[tuple[str, str], dict[str, tuple[float, int]]] = {}
    with engine.connect() as conn:
        for code, period, level, total, n in conn.execute(stmt):
            sums.setdefault((code, period), {})[level] = (float(total), int(n))
    return [NationalGap(code, period, v["nation"][0], v["province"][0], v["province"][1])
            for (code, period), v in sorted(sums.items()) if "nation" in v and "province" in v]
