"""Command-line entry points on the Flask server: ``flask --app app <command>``."""

from __future__ import annotations

import time
from datetime import date

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from data_access import rollups
from data_access.engine import make_engine, migrate
from ingest.seed import WarehouseNotEmpty, seed_demo
from settings import ConfigError


def _settings():
    return current_app.config["SETTINGS"]


def _engine():
    try:
        return make_engine(_settings())
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("init-db")
@click.option("--revision", default="head", show_default=True, help="Alembic revision to upgrade to.")
def init_db(revision: str) -> None:
    """Create or upgrade the warehouse schema (Alembic migrations) in DATABASE_URL; at the head,
    also compute again the rollups this release reads (as ``refresh-rollups``)."""
    engine = _engine()
    migrate(engine, revision)
    click.echo(f"Warehouse at {engine.url.render_as_string(hide_password=True)} migrated to {revision}.")
    if revision == "head" and rollups.enabled_on(engine):
        with engine.begin() as conn:
            click.echo(rollups.summary(rollups.refresh(conn)))


@click.command("seed-demo")
@click.option("--seed", type=int, default=None, help="Random seed; same seed, same data (default: DEMO_SEED or 2020).")
@click.option("--until", "until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day of the demo data, YYYY-MM-DD (default: today).")
def seed_demo_cmd(seed: int | None, until) -> None:
    """Migrate, then load the illustrative demo data (Dữ liệu minh họa) into an EMPTY warehouse."""
    settings = _settings()
    engine = _engine()
    migrate(engine)
    started = time.perf_counter()
    until_date: date | None = until.date() if until else None
    try:
        data = seed_demo(engine, seed=settings.demo_seed if seed is None else seed, until=until_date, echo=click.echo)
    except WarehouseNotEmpty as exc:
        raise click.ClickException(
            f"the warehouse already holds {exc}; seed-demo only fills an empty warehouse "
            "(point DATABASE_URL at a new database)"
        ) from None
    click.echo(f"Loaded {len(data.observations):,} observations in {time.perf_counter() - started:.1f} s.")


@click.command("import-real")
def import_real_cmd() -> None:
    """Migrate, then load the real data set (Số liệu chính thức): the General Statistics Office's
    published province tables shipped in data/gso/ (see data/gso/SOURCE.md), into a warehouse of
    their own.

    Applies their configuration (indicator groups, the unit TCTK, 14 annual indicators) through the
    metadata service, then submits each table as published through the intake pipeline (wide-table
    reader, area names matched to codes, validation, one-transaction load). Whole-country rows are
    stored as the national figure (and compared with the sum of the provinces, printed), regional
    rows skipped (computed from the provinces), "Ha Tay" skipped (no area of its own since 2008).
    Running it again changes nothing. A warehouse holding the demo data is refused: point
    DATABASE_URL at a new database, e.g. DATABASE_URL=sqlite:///real.db SEED_DEMO=0.
    """
    from pathlib import Path

    from ingest.pipeline import IntakeLimits
    from ingest.real import NationalGap, RealDataRefused, import_real, national_gaps

    settings = _settings()
    engine = _engine()
    try:
        migrate(engine)
        started = time.perf_counter()
        outcome = import_real(engine, archive_dir=Path(settings.instance_dir) / "archive",
                              limits=IntakeLimits.from_settings(settings), echo=click.echo)
        click.echo(f"Real data set (Số liệu chính thức): {outcome.written:,} values written in "
                   f"{time.perf_counter() - started:.1f} s.")
        # before 2008 the tables' whole country includes the former Hà Tây, whose rows are not loaded
        worst: dict[tuple[str, bool], NationalGap] = {}
        for gap in national_gaps(engine):
            key = (gap.indicator, int(gap.period[:4]) >= 2008)
            if key not in worst or gap.relative > worst[key].relative:
                worst[key] = gap
        click.echo("Whole country as published against the sum of the provinces (largest gap; before 2008 "
                   "without the former Hà Tây):")
        for (code, recent), gap in sorted(worst.items()):
            click.echo(f"  {code:<20} {'2008 on' if recent else 'before 2008':<12} {gap.relative:.2%} ({gap.period})")
    except RealDataRefused as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()


# -- report intake -------------------------------------------------------------------------------


def _print_issues(title: str, issues, total: int) -> None:
    if not total:
        return
    click.echo(f"\n{title} ({total}{', first ' + str(len(issues)) + ' shown' if len(issues) < total else ''}):")
    click.echo(f"  {'row':>7}  {'column':<18} {'code':<26} {'value':<22} message")
    for i in issues:
        value = (i.value or "")[:22]
        row = "" if i.row is None else str(i.row)
        click.echo(f"  {row:>7}  {(i.column or ''):<18} {i.code:<26} {value:<22} {i.message_vi}")
        click.echo(f"  {'':>7}  {'':<18} {'':<26} {'':<22} {i.message_en}")


@click.command("ingest")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--unit", "unit_code", required=True, help="Code of the reporting unit (agency), e.g. TK or UB01.")
@click.option("--by", "submitted_by", default=None, help="Who submits (free text, stored with the submission).")
@click.option("--indicator", default=None,
              help="Indicator code of a published table that names none (wide table, PC-Axis, JSON-stat).")
@click.option("--mapping", "mapping_ref", default=None, metavar="NAME|FILE.json",
              help="Names to codes: a mapping the unit saved on the upload page, or a JSON file "
                   '{"indicator": CODE, "areas": {NAME: AREA}, "indicators": {NAME: CODE}}.')
def ingest_cmd(file: str, unit_code: str, submitted_by: str | None, indicator: str | None = None,
               mapping_ref: str | None = None) -> None:
    """Submit FILE (CSV, SDMX-CSV, XLSX, JSON; published shapes: wide tables, PC-Axis .px,
    JSON-stat 2.0, SDMX-ML 2.0/2.1 data) as unit --unit.

    The whole file is validated and loaded in one transaction: accepted whole or rejected whole.
    Prints the report (errors and warnings with row, column, value and reason). Exit status 0
    when accepted or a duplicate of an accepted submission, 1 when rejected.
    """
    import getpass
    from pathlib import Path

    from ingest.pipeline import ACCEPTED, DUPLICATE, IntakeLimits, submit

    settings = _settings()
    engine = _engine()
    path = Path(file)
    try:
        mapping = _cli_mapping(engine, unit_code, mapping_ref, indicator)
        report = submit(engine, unit_code=unit_code, payload=path.read_bytes(), filename=path.name, channel="cli",
                        submitted_by=submitted_by or getpass.getuser(),
                        archive_dir=Path(settings.instance_dir) / "archive", limits=IntakeLimits.from_settings(settings),
                        mapping=mapping)
    finally:
        engine.dispose()
    labels = {ACCEPTED: "ACCEPTED / ĐÃ NHẬN", DUPLICATE: "DUPLICATE / ĐÃ NHẬN TRƯỚC ĐÓ", "rejected": "REJECTED / BỊ TỪ CHỐI"}
    click.echo(f"Submission {report.submission_id}: {labels[report.status]}  "
               f"(unit {report.unit}, {report.format or '?'}, sha256 {report.sha256[:12]}…)")
    if report.status == DUPLICATE:
        click.echo(f"The same file was already accepted as submission {report.duplicate_of}; nothing changed.")
        return
    c = report.counts
    if c:
        click.echo(f"rows {c['rows']}, valid {c['valid']}, not reported {c['not_reported']}, written {c['written']} "
                   f"(revised {c['revised']}), unchanged {c['unchanged']}, flagged {c['flagged']}, "
                   f"daily items {c['daily_items']}")
    if report.periods:
        click.echo(f"periods: {', '.join(report.periods[:12])}{' …' if len(report.periods) > 12 else ''}"
                   f"   regimes: {', '.join(report.regimes) or '—'}")
    _print_issues("Errors / Lỗi", report.errors, report.errors_total)
    _print_issues("Warnings / Cảnh báo", report.warnings, report.warnings_total)
    if report.status != ACCEPTED:
        raise SystemExit(1)


def _cli_mapping(engine, unit_code: str, ref: str | None, indicator: str | None):
    """``--mapping``: a JSON file when it names one, else the unit's saved mapping of that name;
    ``--indicator`` where it names none."""
    import dataclasses
    from pathlib import Path

    from ingest.mappings import MappingError, mapping_from_json, saved_import_mapping
    from ingest.published import ImportMapping

    indicator = (indicator or "").strip().upper() or None
    if not ref:
        return ImportMapping(indicator=indicator) if indicator else None
    try:
        if Path(ref).is_file():
            mapping = mapping_from_json(Path(ref).read_text(encoding="utf-8"))
        else:
            with engine.connect() as conn:
                mapping = saved_import_mapping(conn, unit_code.strip().upper(), ref)
    except MappingError as exc:
        raise click.ClickException(f"{exc.message_en} / {exc.message_vi}") from None
    return dataclasses.replace(mapping, indicator=indicator) if indicator else mapping


@click.command("refresh-rollups")
@with_appcontext
def refresh_rollups_cmd() -> None:
    """Compute again every province's scorecard rows and every area's KPI tiles kept in the
    warehouse (PostgreSQL), in one transaction: after a deployment (rows computed by other code are not used) or a change of the
    catalogue. Accepted submissions refresh what they change by themselves; until a row is
    refreshed, the scorecard computes it on each view."""
    engine = _engine()
    migrate(engine)
    if not rollups.enabled_on(engine):
        click.echo("Rollups are kept on PostgreSQL only; on SQLite every scorecard and tile is computed.")
        return
    with engine.begin() as conn:
        click.echo(rollups.summary(rollups.refresh(conn)))


def register_commands(server: Flask) -> None:
    from ingest.metadata_cli import metadata_group

    for command in (init_db, seed_demo_cmd, import_real_cmd, ingest_cmd, refresh_rollups_cmd, metadata_group):
        server.cli.add_command(command)
