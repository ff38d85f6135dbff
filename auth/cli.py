"""User commands: ``flask --app app create-user|set-password|set-role|disable-user|enable-user|
unlock-user|list-users|audit``. Every change is written to the audit log with the operating-system user as
actor (``cli:<name>``). The token commands of ``ingest`` are audited here too (wrapped once)."""

from __future__ import annotations

import functools
import getpass

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from auth import audit, throttle
from auth.passwords import PasswordRuleError, random_password
from auth.policy import ROLES
from auth.users import UserError, create_user, list_users, set_password, update_user


def _actor() -> str:
    try:
        return "cli:" + getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _engine():
    from data_access.engine import make_engine
    from settings import ConfigError

    try:
        return make_engine(current_app.config["SETTINGS"])
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _run(fn):
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
def create_user_cmd(username, role, display_name, unit_code, confidential, password):
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
def set_password_cmd(username, random_):
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
def set_role_cmd(username, role, unit_code, confidential):
    """Change a user's role, unit and confidential grant. Ends the user's sessions."""
    user = _run(lambda e: update_user(e, username, role=role, unit_code=unit_code, confidential=confidential,
                                      actor=_actor()))
    click.echo(f"User {user.username}: {user.role}{', unit ' + user.unit_code if user.unit_code else ''}"
               f"{', confidential' if user.confidential else ''}.")


@click.command("disable-user")
@with_appcontext
@click.argument("username")
def disable_user_cmd(username):
    """Disable a user: refused from the next request on."""
    _run(lambda e: update_user(e, username, active=False, actor=_actor()))
    click.echo(f"User {username.lower()} disabled.")


@click.command("enable-user")
@with_appcontext
@click.argument("username")
def enable_user_cmd(username):
    """Enable a disabled user."""
    _run(lambda e: update_user(e, username, active=True, actor=_actor()))
    click.echo(f"User {username.lower()} enabled.")


@click.command("unlock-user")
@with_appcontext
@click.argument("username", required=False)
@click.option("--address", default=None, help="Lift the throttle of a client address (e.g. a shared proxy's).")
@click.option("--show", is_flag=True, help="Only list the current counters (all of them without a name or address).")
def unlock_user_cmd(username, address, show):
    """Lift the sign-in throttle of a user name (every client) and/or an address: the waits end
    and the failures are forgotten. Audited as signin.unlock."""
    def fmt(row):
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
def list_users_cmd():
    """List users: name, role, unit, grant, state, last sign-in. Never passwords."""
    def fmt(d):
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
def audit_cmd(actor, action, text, limit):
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


# -- audit of the token commands that live in ingest ------------------------------------------------

_TOKEN_AUDIT = {
    "create-token": ("token.create", lambda kw: kw.get("unit_code")),
    "revoke-token": ("token.revoke", lambda kw: f"api_token:{kw.get('token_id')}"),
    "create-display-token": ("display_token.create", lambda kw: kw.get("label")),
    "revoke-display-token": ("display_token.revoke", lambda kw: f"display_token:{kw.get('token_id')}"),
}


def _audited(name: str, callback):
    if getattr(callback, "_occ_audited", False):
        return callback
    action, target = _TOKEN_AUDIT[name]

    @functools.wraps(callback)
    def run(*args, **kwargs):
        result = callback(*args, **kwargs)  # raises on failure: nothing to record then
        engine = _engine()
        try:
            audit.write(engine, action, actor=_actor(), target=str(target(kwargs)),
                        detail={k: v for k, v in kwargs.items() if k != "token"})
        finally:
            engine.dispose()
        return result

    run._occ_audited = True  # type: ignore[attr-defined]
    return run


def register_auth_commands(server: Flask) -> None:
    for command in (create_user_cmd, set_password_cmd, set_role_cmd, disable_user_cmd, enable_user_cmd,
                    unlock_user_cmd, list_users_cmd, audit_cmd):
        server.cli.add_command(command)
    for name, command in server.cli.commands.items():
        if name in _TOKEN_AUDIT and command.callback is not None:
            command.callback = _audited(name, command.callback)
