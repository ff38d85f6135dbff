"""``flask --app app metadata ...``: the configuration package out and in, a record's history, and
retiring a record — the command-line door of the metadata service (the same as the API's)."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from domain.metadata import KINDS
from ingest.metadata_files import import_package
from ingest.pipeline import IntakeLimits
from metadata import service, store
from metadata.package import document, json_bytes, xlsx_bytes
from metadata.service import Outcome


def _engine():
    from ingest.cli import _engine as engine

    return engine()


def _actor(by: str | None) -> service.Actor:
    return service.Actor(by or getpass.getuser(), None, None, "cli")


def _report(outcome: Outcome) -> None:
    """The diff (or every problem) as lines; exit status 1 when refused."""
    state = ("DRY RUN / CHẠY THỬ" if outcome.dry_run else "APPLIED / ĐÃ ÁP DỤNG" if outcome.applied
             else "NO CHANGE / KHÔNG CÓ THAY ĐỔI") if outcome.ok else "REFUSED / BỊ TỪ CHỐI"
    click.echo(state + (f"  (change set {outcome.change_set})" if outcome.change_set else ""))
    for kind, counts in outcome.diff.counts().items():
        if any(counts.values()):
            click.echo(f"  {kind:<11} added {counts['added']:>6}  changed {counts['changed']:>6}  "
                       f"retired {counts['retired']:>6}")
    if outcome.problems:
        click.echo(f"\nProblems / Lỗi ({len(outcome.problems)}):")
        click.echo(f"  {'kind':<11} {'row':>6}  {'key':<24} {'column':<20} message")
        for p in outcome.problems[:200]:
            row = "" if p.row is None else str(p.row)
            click.echo(f"  {(p.kind or ''):<11} {row:>6}  {(p.key or '')[:24]:<24} {(p.column or ''):<20} {p.message_vi}")
            click.echo(f"  {'':<11} {'':>6}  {'':<24} {'':<20} {p.message_en}")
    if not outcome.ok:
        raise SystemExit(1)


metadata_group = AppGroup("metadata", help="The configuration: indicator groups, units, indicators, report "
                                           "regimes, plan targets (admins' work; every change is audited).")


@metadata_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "xlsx"]), default="json", show_default=True,
              help="JSON for machines (canonical, byte-stable) or XLSX for people (a sheet per kind).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="File to write (default: standard output; XLSX needs a file).")
def export_cmd(fmt: str, output: str | None) -> None:
    """Write the whole configuration as one metadata package."""
    engine = _engine()
    try:
        with engine.connect() as conn:
            doc = document(store.read_config(conn))
    finally:
        engine.dispose()
    data = xlsx_bytes(doc) if fmt == "xlsx" else json_bytes(doc)
    if output:
        Path(output).write_bytes(data)
        click.echo(f"{sum(len(doc[k]) for k in KINDS)} records written to {output}", err=True)
    elif fmt == "xlsx":
        raise click.UsageError("--format xlsx needs --output FILE")
    else:
        sys.stdout.buffer.write(data)


@metadata_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--dry-run", is_flag=True, help="Only validate and print the diff (added, changed, retired); write nothing.")
@click.option("--retire-absent", is_flag=True,
              help="The package is the whole configuration of the kinds it holds: retire their records it does not "
                   "name (shown as retired in the diff).")
@click.option("--by", "by", default=None, help="Who makes the change, for the audit log (default: the operator).")
def import_cmd(file: str, dry_run: bool, retire_absent: bool, by: str | None) -> None:
    """Validate the package FILE (JSON or XLSX), then apply all of it in one transaction, or nothing.

    Prints the diff per kind, or every problem with its kind, row, key, column and reason (exit
    status 1). Importing the same package again changes nothing. With --retire-absent, the records
    of the package's kinds that it does not name are retired (never deleted).
    """
    engine = _engine()
    try:
        outcome = import_package(engine, Path(file).read_bytes(), actor=_actor(by), dry_run=dry_run,
                                 limits=IntakeLimits.from_settings(current_app.config["SETTINGS"]),
                                 retire_absent=retire_absent)
    finally:
        engine.dispose()
    _report(outcome)


@metadata_group.command("history")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("key")
def history_cmd(kind: str, key: str) -> None:
    """Print every version of one record (KEY: its code; a target: INDICATOR|AREA|YEAR) as JSON lines."""
    engine = _engine()
    try:
        versions = service.history(engine, kind, key)
    finally:
        engine.dispose()
    if not versions:
        raise click.ClickException(f"no history of {kind} {key!r}")
    for v in versions:
        click.echo(json.dumps(v, ensure_ascii=False, default=str, sort_keys=True))


@metadata_group.command("retire")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("key")
@click.option("--dry-run", is_flag=True, help="Only check whether it may be retired.")
@click.option("--by", "by", default=None, help="Who makes the change, for the audit log (default: the operator).")
def retire_cmd(kind: str, key: str, dry_run: bool, by: str | None) -> None:
    """Retire one record: it stays, with its history; refused while active records use it."""
    engine = _engine()
    try:
        outcome = service.retire(engine, kind, key, actor=_actor(by), dry_run=dry_run)
    finally:
        engine.dispose()
    _report(outcome)
