"""First start: when the warehouse has no user, create an admin with a random password printed
once; on a development warehouse holding the demo data, also the demo users of every role (their
documented password is refused by ``APP_ENV=production``, which never creates them)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.engine import Engine

from auth.passwords import random_password
from auth.users import DEMO_PASSWORD, DEMO_USERS, count_users, create_demo_users, create_user
from data_access import schema
from settings import Settings


def first_users(engine: Engine, settings: Settings, echo: Callable[[str], None]) -> None:
    with engine.connect() as conn:
        if count_users(conn):
            return
        has_demo = conn.execute(select(schema.submission.c.id).where(schema.submission.c.channel == "seed")
                                .limit(1)).first() is not None
    password = random_password()
    create_user(engine, "admin", password, "admin", display_name="Quản trị hệ thống", actor="bootstrap")
    echo(f"Administrator created. Sign in at http://{settings.host}:{settings.port}/signin as admin with the "
         f"password (shown once): {password}")
    if has_demo and settings.app_env != "production":
        names = create_demo_users(engine)
        if names:
            roles = {n: r for n, _, r, _, _ in DEMO_USERS}
            echo("Demo users (password " + DEMO_PASSWORD + "): "
                 + ", ".join(f"{n} ({roles[n]})" for n in names))
