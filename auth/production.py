"""``APP_ENV=production`` refuses to start with a development secret, with access control off, or
while a demo user still has the documented demo password. Each refusal is one line (a
``ConfigError``, printed by ``python app.py`` like the other configuration errors)."""

from __future__ import annotations

import logging

from settings import ConfigError, Settings

log = logging.getLogger(__name__)

DEV_SECRET = "dev-only-not-secret"


def check_production(settings: Settings) -> None:
    if settings.app_env != "production":
        return
    if not settings.secret_key or settings.secret_key == DEV_SECRET or len(settings.secret_key) < 32:
        raise ConfigError("APP_ENV=production needs SECRET_KEY: a random value of at least 32 characters "
                          "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')")
    if not settings.auth_required:
        raise ConfigError("APP_ENV=production refuses to run with access control off (auth_required=False)")
    check_default_credentials(settings)


def check_default_credentials(settings: Settings) -> None:
    """Refuse while a demo user keeps the documented demo password. When the database cannot be
    reached now, the sign-in refuses such users in production anyway."""
    from sqlalchemy.exc import SQLAlchemyError

    from auth.users import users_with_default_password
    from data_access.engine import make_engine

    try:
        engine = make_engine(settings)
    except ConfigError:
        log.warning("production check: the database is unreachable; demo credentials are refused at sign-in")
        return
    try:
        with engine.connect() as conn:
            names = users_with_default_password(conn)
    except SQLAlchemyError:
        names = []  # not migrated yet: no users
    finally:
        engine.dispose()
    if names:
        raise ConfigError(f"APP_ENV=production refuses to start: demo user(s) {', '.join(names)} still have the "
                          "documented demo password; run flask --app app set-password NAME or disable-user NAME")
