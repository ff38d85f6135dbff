"""Alembic environment: migrates the warehouse named by the app's settings.

The app calls :func:`data_access.engine.migrate` with a live connection (passed in
``config.attributes["connection"]``); the ``alembic`` command line falls back to
``DATABASE_URL`` / the embedded SQLite default.
"""

from alembic import context
from sqlalchemy import create_engine, pool

from data_access.schema import metadata
from settings import Settings

config = context.config
target_metadata = metadata


def _configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE on SQLite
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    engine = create_engine(Settings.from_env().database_url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        _configure_and_run(conn)


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; connect to the database.")
run_migrations_online()
