"""Shared fixtures: warehouses on both backends (SQLite files and the throwaway PostgreSQL that
``scripts/test.sh`` starts), seeded demo warehouses, and apps built on them; the markers that keep
the quick lane (``scripts/test.sh --quick``) quick."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from settings import ROOT, Settings

# The demo data in tests always ends on this day, so expectations do not move with the clock.
FIXED_UNTIL = date(2026, 11, 26)
SEED = 2020
BACKENDS = ("sqlite", "postgresql")


# The quick lane (scripts/test.sh --quick sets OCC_TEST_LANE=quick) runs no test that starts one of
# these programs: such a test must carry the marker that leaves it out of that lane.
QUICK_LANE_REFUSES = {"chromium": "render", "chrome": "render", "redis-server": "heavy", "gunicorn": "heavy",
                      "postgres": "postgres", "pg_ctl": "postgres", "initdb": "postgres", "pg_dump": "postgres"}


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("OCC_TEST_LANE") == "quick":
        _refuse_servers_in_the_quick_lane()


def _refuse_servers_in_the_quick_lane() -> None:
    """Every process a test starts passes through ``subprocess.Popen`` (asyncio's and kaleido's too);
    in the quick lane one that would start a browser or a server fails, naming the missing marker."""
    original = subprocess.Popen.__init__

    def guarded(self, args, *more, **kwargs):
        words = os.fsdecode(args).split() if isinstance(args, str | bytes | os.PathLike) else map(os.fsdecode, args)
        for word in words:
            name = os.path.basename(word) if "://" not in word and "=" not in word else ""
            if name in QUICK_LANE_REFUSES:
                raise RuntimeError(f"the quick lane starts no {name}: mark this test "
                                   f"@pytest.mark.{QUICK_LANE_REFUSES[name]}")
        original(self, args, *more, **kwargs)

    subprocess.Popen.__init__ = guarded


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test run on PostgreSQL (a ``"postgresql"`` parameter of the test or of any fixture it
    uses) carries the ``postgres`` marker: ``-m "not postgres"`` leaves out exactly those."""
    postgres = pytest.mark.postgres
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec and any(isinstance(v, str) and v == "postgresql" for v in callspec.params.values()):
            item.add_marker(postgres)


def pg_admin_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL")


def _require_pg() -> str:
    url = pg_admin_url()
    if not url:
        if os.environ.get("CI"):
            pytest.fail("TEST_DATABASE_URL is not set: run the suite with scripts/test.sh")
        pytest.skip("no test PostgreSQL (run the suite with scripts/test.sh)")
    return url


class Databases:
    """Creates empty databases and drops them at the end of the session."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.created: list[str] = []

    def new(self, backend: str) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        if backend == "sqlite":
            return f"sqlite:///{self.tmp / (name + '.sqlite')}"
        admin = _require_pg()
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        self.created.append(name)
        return make_url(admin).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        admin = pg_admin_url()
        if not admin or not self.created:
            return
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    dbs = Databases(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.drop_all()


def make_settings(url: str, tmp: Path, **overrides) -> Settings:
    """Settings of a test app. Access control is OFF unless a test passes ``auth_required=True``
    (the tests of the ``auth`` package do): the other tests call pages and the API as before."""
    return Settings(
        database_url=url,
        instance_dir=tmp,
        cache_type=overrides.pop("cache_type", "SimpleCache"),
        auth_required=overrides.pop("auth_required", False),
        demo_until=FIXED_UNTIL.isoformat(),
        **overrides,
    )


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    if request.param == "postgresql":
        _require_pg()
    return request.param


@pytest.fixture
def empty_url(backend, databases) -> str:
    return databases.new(backend)


_SEEDED: dict[str, str] = {}


def seeded_url_for(backend: str, databases: Databases) -> str:
    """One seeded demo warehouse per backend for the whole session (read-only tests)."""
    if backend not in _SEEDED:
        from data_access.engine import make_engine, migrate
        from ingest.seed import seed_demo

        url = databases.new(backend)
        settings = make_settings(url, databases.tmp)
        engine = make_engine(settings)
        migrate(engine)
        seed_demo(engine, seed=SEED, until=FIXED_UNTIL)
        engine.dispose()
        _SEEDED[backend] = url
    return _SEEDED[backend]


@pytest.fixture
def seeded_url(backend, databases) -> str:
    return seeded_url_for(backend, databases)


def seeded_sqlite_copy(databases: Databases, folder: Path) -> str:
    """A writable copy of the session's seeded SQLite warehouse, in ``folder`` (seeding costs
    seconds of CPU; a copy costs milliseconds)."""
    copy = folder / "seeded.sqlite"
    shutil.copy(seeded_url_for("sqlite", databases).split("sqlite:///", 1)[1], copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def seeded_app(seeded_url, tmp_path):
    from app import create_app

    server = create_app(make_settings(seeded_url, tmp_path))
    yield server
    server.extensions["warehouse"].dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium driven by Playwright for the whole session. Playwright's sync API keeps
    an event loop running while it is open, so a second ``sync_playwright()`` in the same process
    would fail: every browser test takes this one."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (scripts/test.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()
