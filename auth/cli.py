"""Credential commands: ``flask --app app create-user|set-password|set-role|disable-user|enable-user|
unlock-user|list-users|audit``, the units' API tokens (``create-token|revoke-token|list-tokens``), admins'
tokens for the configuration API (``create-admin-token|revoke-admin-token|list-admin-tokens``) and the
walls' display tokens (``create-display-token|revoke-display-token|list-display-tokens``). Every change
is written to the audit log with the operating-system user as actor (``cli:<name>``)."""

from __future__ import annotations

import functools
import getpass
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import Engine

from auth import audit, throttle
from auth.admin_tokens import create_admin_token, list_admin_tokens, revoke_admin_token
from auth.displays import create_display_token, list_display_tokens, revoke_display_token
from auth.passwords import PasswordRuleError, random_password
from auth.policy import ROLES
from auth.tokens import TokenError, create_token, list_tokens, revoke_token
from auth.users import UserError, create_user, list_users, set_password, update_user
from data_access.engine import make_engine
from settings import ConfigError


def _actor() -> str:
    try:
        return "cli:" + getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _engine() -> Engine:
    try:
        return make_engine(current_app.config["SETTINGS"])
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _run(fn: Callable[[Engine], Any]) -> Any:
    engine = _engine()
    try:
        return fn(engine)
    except (UserError, PasswordRuleError) as exc:
        raise click.ClickException(exc.message_en) from None
    finally:
        engine.dispose()


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", "display_name", default="", help="Full name shown in the header.")
@click.option("--unit", "unit_code", default=None, help="A reporter's reporting unit (agency code, e.g. TK).")
@click.option("--confidential", is_flag=True, help="Grant an analyst the confidential indicators.")
@click.option("--password", default=None, help="Default: a random password, printed once. Prefer the prompt-less "
              "default; a password on the command line stays in the shell history.")
def create_user_cmd(username: str, role: str, display_name: str, unit_code: str | None, confidential: bool,
                    password: str | None) -> None:
    """Create a user. Prints the password once when it is generated."""
    generated = password is None
    password = password or random_password()
    user = _run(lambda e: create_user(e, username, password, role, display_name=display_name, unit_code=unit_code,
                                      confidential=confidential, actor=_actor()))
    click.echo(f"User {user.username} ({user.role}{', unit ' + user.unit_code if user.unit_code else ''}) created.")
    if generated:
        click.echo(f"Password (shown once): {password}")


@click.command("set-password")
@with_appcontext
@click.argument("username")
@click.option("--random", "random_", is_flag=True, help="Generate a password and print it once.")
def set_password_cmd(username: str, random_: bool) -> None:
    """Set a user's password (prompted twice, or --random). Ends the user's sessions."""
    password = random_password() if random_ else click.prompt("New password", hide_input=True,
                                                              confirmation_prompt=True)
    _run(lambda e: set_password(e, username, password, actor=_actor()))
    click.echo(f"Password of {username.lower()} changed; the user's sessions have ended.")
    if random_:
        click.echo(f"Password (shown once): {password}")


@click.command("set-role")
@with_appcontext
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--unit", "unit_code", default=None, help="The reporter's unit.")
@click.option("--confidential/--no-confidential", default=False, help="An analyst's confidential grant.")
def set_role_cmd(username: str, role: str, unit_code: str | None, confidential: bool) -> None:
    """Change a user's role, unit and confidential grant. Ends the user's sessions."""
    user = _run(lambda e: update_user(e, username, role=role, unit_code=unit_code, confidential=confidential,
                                      actor=_actor()))
    click.echo(f"User {user.username}: {user.role}{', unit ' + user.unit_code if user.unit_code else ''}"
               f"{', confidential' if user.confidential else ''}.")


@click.command("disable-user")
@with_appcontext
@click.argument("username")
def disable_user_cmd(username: str) -> None:
    """Disable a user: refused from the next request on."""
    _set_active(username, False)


@click.command("enable-user")
@with_appcontext
@click.argument("username")
def enable_user_cmd(username: str) -> None:
    """Enable a disabled user."""
    _set_active(username, True)


def _set_active(username: str, active: bool) -> None:
    """Enable or disable a user and say so (the two commands differ only in the flag)."""
    _run(lambda e: update_user(e, username, active=active, actor=_actor()))
    click.echo(f"User {username.lower()} {'enabled' if active else 'disabled'}.")


@click.command("unlock-user")
@with_appcontext
@click.argument("username", required=False)
@click.option("--address", default=None, help="Lift the throttle of a client address (e.g. a shared proxy's).")
@click.option("--show", is_flag=True, help="Only list the current counters (all of them without a name or address).")
def unlock_user_cmd(username: str | None, address: str | None, show: bool) -> None:
    """Lift the sign-in throttle of a user name (every client) and/or an address: the waits end
    and the failures are forgotten. Audited as signin.unlock."""
    def fmt(row: throttle.Throttled) -> str:
        until = f"waits until {row.wait_until:%Y-%m-%d %H:%M:%S}" if row.wait_until else "no wait"
        return f"{row.scope:<8} {row.username or '-':<22} {row.address or '-':<16} {row.failures:>5} failures, {until}"

    engine = _engine()
    try:
        if show:
            with engine.connect() as conn:
                rows = throttle.current(conn, username=username, address=address)
            for row in rows:
                click.echo(fmt(row))
            click.echo(f"({len(rows)} counters)")
            return
        if not username and not address:
            raise click.UsageError("Give a USERNAME, --address or both.")
        removed = throttle.unlock(engine, username=username, address=address)
        for target in filter(None, (username and throttle.norm_name(username), address and address.strip())):
            audit.write(engine, "signin.unlock", actor=_actor(), target=target, detail={"counters": removed})
    finally:
        engine.dispose()
    what = " and ".join(filter(None, (username and throttle.norm_name(username), address and f"address {address}")))
    click.echo(f"Sign-in throttle of {what} lifted ({removed} counters removed).")


@click.command("list-users")
@with_appcontext
def list_users_cmd() -> None:
    """List users: name, role, unit, grant, state, last sign-in. Never passwords."""
    def fmt(d: datetime | None) -> str:
        return d.strftime("%Y-%m-%d %H:%M") if d else "-"

    engine = _engine()
    try:
        with engine.connect() as conn:
            users = list_users(conn)
    finally:
        engine.dispose()
    click.echo(f"{'user':<22} {'role':<9} {'unit':<8} {'conf.':<6} {'state':<9} {'last sign-in':<16} name")
    for u in users:
        click.echo(f"{u.username:<22} {u.role:<9} {u.unit_code or '-':<8} {'yes' if u.confidential else '-':<6} "
                   f"{'active' if u.active else 'disabled':<9} {fmt(u.last_sign_in_at):<16} {u.display_name}")


@click.command("audit")
@with_appcontext
@click.option("--actor", default="")
@click.option("--action", default="")
@click.option("--text", default="")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
def audit_cmd(actor: str, action: str, text: str, limit: int) -> None:
    """Show the newest audit log entries (filters as on /admin/audit)."""
    engine = _engine()
    try:
        with engine.connect() as conn:
            entries, total = audit.search(conn, audit.AuditQuery(actor=actor, action=action, text=text,
                                                                 per_page=limit))
    finally:
        engine.dispose()
    for e in entries:
        click.echo(f"{e.id:>7} {e.at:%Y-%m-%d %H:%M:%S} {e.actor:<20} {e.action:<22} {e.target or '':<28} "
                   f"{e.ip or '':<15} {e.detail or ''}")
    click.echo(f"({len(entries)} of {total})")


# -- tokens ------------------------------------------------------------------------------------------


def _audited(action: str, target: Callable[[dict[str, Any]], object]) -> Callable[[Callable], Callable]:
    """Write ``action`` to the audit log once the command has succeeded (a failing command raises:
    nothing to record), with the command's options as detail (never a token)."""
    def wrap(callback: Callable) -> Callable:
        @functools.wraps(callback)
        def run(*args: Any, **kwargs: Any) -> Any:
            result = callback(*args, **kwargs)
            engine = _engine()
            try:
                audit.write(engine, action, actor=_actor(), target=str(target(kwargs)),
                            detail={k: v for k, v in kwargs.items() if k != "token"})
            finally:
                engine.dispose()
            return result

        return run

    return wrap


def _fmt_time(d: datetime | None) -> str:
    return d.strftime("%Y-%m-%d %H:%M:%S") if d else "-"


def _token_call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(engine, ...)`` of a token module; its ``TokenError`` as the command's error."""
    engine = _engine()
    try:
        return fn(engine, *args, **kwargs)
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()


def _print_created(what: str, info: Any, token: str) -> None:
    expires = info.expires_at.isoformat(sep=" ") if info.expires_at else "never"
    click.echo(f"{what} (expires {expires}). Store it now; it is not shown again:")
    click.echo(token)


def _print_tokens(tokens: list[Any], owner: str, owner_of: Callable[[Any], str]) -> None:
    """One line per token: id, owner, state, dates, label; never the tokens."""
    now = datetime.now()
    click.echo(f"{'id':>5}  {owner:<10} {'state':<8} {'created':<19} {'expires':<19} {'last used':<19} label")
    for t in tokens:
        click.echo(f"{t.id:>5}  {owner_of(t):<10} {t.state(now):<8} {_fmt_time(t.created_at):<19} "
                   f"{_fmt_time(t.expires_at):<19} {_fmt_time(t.last_used_at):<19} {t.label}")
    if not tokens:
        click.echo("(no tokens)")


@click.command("create-token")
@with_appcontext
@click.option("--unit", "unit_code", required=True, help="Code of the reporting unit the token submits for.")
@click.option("--days", type=click.IntRange(min=0), default=365, show_default=True,
              help="Days until the token expires (0: never).")
@click.option("--label", default="", help="What the token is for (e.g. the unit's system name).")
@_audited("token.create", lambda kw: kw.get("unit_code"))
def create_token_cmd(unit_code: str, days: int, label: str) -> None:
    """Create an API token for a unit and print it ONCE (only its hash is stored)."""
    token, info = _token_call(create_token, unit_code, days=days or None, label=label)
    _print_created(f"Token {info.id} for unit {info.unit_code}", info, token)


def _revoke_command(name: str, action: str, table: str, revoke: Callable[..., Any], what: Callable[[Any], str],
                    doc: str) -> click.Command:
    """The command that revokes one token of a kind (``revoke-token``, ``revoke-admin-token``)."""
    @click.command(name, help=doc)
    @with_appcontext
    @click.argument("token_id", type=int)
    @_audited(action, lambda kw: f"{table}:{kw.get('token_id')}")
    def command(token_id: int) -> None:
        info = _token_call(revoke, token_id)
        click.echo(f"{what(info)} revoked at {info.revoked_at:%Y-%m-%d %H:%M:%S}.")

    return command


revoke_token_cmd = _revoke_command(
    "revoke-token", "token.revoke", "api_token", revoke_token, lambda i: f"Token {i.id} of unit {i.unit_code}",
    "Revoke the API token TOKEN_ID (see list-tokens); it is refused from the next request on.")
revoke_admin_token_cmd = _revoke_command(
    "revoke-admin-token", "admin_token.revoke", "admin_token", revoke_admin_token,
    lambda i: f"Admin token {i.id} of {i.username}",
    "Revoke the admin token TOKEN_ID (see list-admin-tokens); refused from the next request on.")


@click.command("list-tokens")
@with_appcontext
@click.option("--unit", "unit_code", default=None, help="Only the tokens of this unit.")
def list_tokens_cmd(unit_code: str | None) -> None:
    """List API tokens: id, unit, state (active/expired/revoked), label, dates. Never the tokens."""
    _print_tokens(_token_call(list_tokens, unit_code), "unit", lambda t: t.unit_code)


@click.command("create-admin-token")
@with_appcontext
@click.argument("username")
@click.option("--days", type=click.IntRange(min=0), default=90, show_default=True,
              help="Days until the token expires (0: never).")
@click.option("--label", default="", help="What the token is for (e.g. the staging centre's export job).")
@_audited("admin_token.create", lambda kw: kw.get("username"))
def create_admin_token_cmd(username: str, days: int, label: str) -> None:
    """Create a bearer token for the active admin USERNAME and print it ONCE: it opens the
    configuration API (/api/v1/metadata/...) and nothing else; refused once the user is no longer
    an active admin."""
    token, info = _token_call(create_admin_token, username, days=days or None, label=label)
    _print_created(f"Admin token {info.id} of {info.username}", info, token)


@click.command("list-admin-tokens")
@with_appcontext
def list_admin_tokens_cmd() -> None:
    """List admins' tokens: id, user, state, label, dates. Never the tokens."""
    _print_tokens(_token_call(list_admin_tokens), "user", lambda t: t.username)


@click.command("create-display-token")
@click.option("--label", required=True, help='Where the wall is, e.g. "Phòng họp trực tuyến tầng 3".')
@click.option("--days", type=int, default=None, help="Expire after this many days (default: never).")
@click.option("--base-url", default="http://127.0.0.1:8050", show_default=True, help="Printed in the wall's URL.")
@_audited("display_token.create", lambda kw: kw.get("label"))
def create_display_token_cmd(label: str, days: int | None, base_url: str) -> None:
    """Create a read-only display token for a wall screen and print its URL (shown once)."""
    token_id, token = create_display_token(_engine(), label, days)
    click.echo(f"Display token {token_id} ({label}) created. Open on the wall screen (shown once):")
    click.echo(f"{base_url.rstrip('/')}/wall?token={token}")


@click.command("revoke-display-token")
@click.argument("token_id", type=int)
@_audited("display_token.revoke", lambda kw: f"display_token:{kw.get('token_id')}")
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


COMMANDS = (create_user_cmd, set_password_cmd, set_role_cmd, disable_user_cmd, enable_user_cmd, unlock_user_cmd,
            list_users_cmd, audit_cmd, create_token_cmd, revoke_token_cmd, list_tokens_cmd, create_display_token_cmd,
            revoke_display_token_cmd, list_display_tokens_cmd, create_admin_token_cmd, revoke_admin_token_cmd,
            list_admin_tokens_cmd)


def register_auth_commands(server: Flask) -> None:
    """Add the user, token and display-token commands to ``flask --app app``."""
    for command in COMMANDS:
        server.cli.add_command(command)
