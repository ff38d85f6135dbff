"""Command-line entry points on the Flask server: ``flask --app app <command>``."""

from __future__ import annotations

import time
from datetime import date

import click
from flask import Flask, current_app

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
    """Create or upgrade the warehouse schema (Alembic migrations) in DATABASE_URL."""
    engine = _engine()
    migrate(engine, revision)
    click.echo(f"Warehouse at {engine.url.render_as_string(hide_password=True)} migrated to {revision}.")


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
    except WarehouseNotEmpty:
        raise click.ClickException(
            "the warehouse already holds data; seed-demo only fills an empty warehouse "
            "(point DATABASE_URL at a new database)"
        ) from None
    click.echo(f"Loaded {len(data.observations):,} observations in {time.perf_counter() - started:.1f} s.")


def register_commands(server: Flask) -> None:
    for command in (init_db, seed_demo_cmd):
        server.cli.add_command(command)
