"""CLI for wall display tokens: ``flask --app app create-display-token`` and friends."""

from __future__ import annotations

import click
from flask import Flask, current_app

from data_access.engine import make_engine
from ingest.displays import create_display_token, list_display_tokens, revoke_display_token
from settings import ConfigError


def _engine():
    try:
        return make_engine(current_app.config["SETTINGS"])
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("create-display-token")
@click.option("--label", required=True, help='Where the wall is, e.g. "Phòng họp trực tuyến tầng 3".')
@click.option("--days", type=int, default=None, help="Expire after this many days (default: never).")
@click.option("--base-url", default="http://127.0.0.1:8050", show_default=True, help="Printed in the wall's URL.")
def create_display_token_cmd(label: str, days: int | None, base_url: str) -> None:
    """Create a read-only display token for a wall screen and print its URL (shown once)."""
    token_id, token = create_display_token(_engine(), label, days)
    click.echo(f"Display token {token_id} ({label}) created. Open on the wall screen (shown once):")
    click.echo(f"{base_url.rstrip('/')}/wall?token={token}")


@click.command("revoke-display-token")
@click.argument("token_id", type=int)
def revoke_display_token_cmd(token_id: int) -> None:
    """Revoke display token TOKEN_ID; its wall stops on its next refresh."""
    if not revoke_display_token(_engine(), token_id):
        raise click.ClickException(f"no active display token {token_id}")
    click.echo(f"Display token {token_id} revoked.")


@click.command("list-display-tokens")
def list_display_tokens_cmd() -> None:
    """List display tokens (never their values)."""
    for tok in list_display_tokens(_engine()):
        state = "revoked" if tok.revoked_at else ("expires " + tok.expires_at.isoformat() if tok.expires_at else "active")
        click.echo(f"{tok.id:4d}  {tok.label}  created {tok.created_at:%Y-%m-%d}  {state}")


def register_display_commands(server: Flask) -> None:
    for command in (create_display_token_cmd, revoke_display_token_cmd, list_display_tokens_cmd):
        server.cli.add_command(command)
