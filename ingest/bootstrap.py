"""First-run bootstrap: migrate the warehouse, load the geography, and seed the demo data when it is
empty (``SEED_DEMO=0``: an empty centre, configured through the metadata service)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from auth.displays import create_display_token
from data_access.engine import make_engine, migrate
from ingest.reference import ensure_geography
from ingest.seed import is_empty, seed_demo
from settings import Settings


def bootstrap(settings: Settings, echo: Callable[[str], None] = lambda _m: None) -> None:
    """Migrate to the newest schema and load the geography (areas of both eras: facts, not
    configuration) when there is none; on an empty warehouse (and ``SEED_DEMO`` not off) load the
    illustrative demo data. Raises ``ConfigError`` with a one-line message on bad configuration."""
    engine = make_engine(settings)
    try:
        migrate(engine)
        with engine.begin() as conn:
            ensure_geography(conn)
        with engine.connect() as conn:
            empty = is_empty(conn)
        if empty and settings.seed_demo:
            started = time.perf_counter()
            echo("Empty warehouse: loading the illustrative demo data (Dữ liệu minh họa)...")
            until = date.fromisoformat(settings.demo_until) if settings.demo_until else None
            seed_demo(engine, seed=settings.demo_seed, until=until, echo=echo)
            echo(f"Demo data loaded in {time.perf_counter() - started:.1f} s")
            _, token = create_display_token(engine, "Màn hình minh họa (demo)")
            echo(f"Wall screen (display token, shown once): http://{settings.host}:{settings.port}/wall?token={token}")
        from auth.bootstrap import first_users

        first_users(engine, settings, echo)
    finally:
        engine.dispose()
