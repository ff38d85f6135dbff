"""Shared fixtures: warehouses on both backends (SQLite files and the throwaway PostgreSQL that
``scripts/test.sh`` starts), seeded demo warehouses, and apps built on them; the markers that keep
the quick lane (``scripts/test.sh --quick``) quick."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import socket
import subprocess
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine, make_url

from settings import ROOT, Settings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from flask import Flask

    from ingest.pipeline import IntakeLimits, SubmissionReport

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


@pytest.fixture(scope="session", autouse=True)
def _share_page_callbacks():
    """Pages register their callbacks once, at import, in Dash's global registry, and Dash hands
    that registry to the first app that starts serving and empties it. The suite builds many apps in
    one process (each test its own, with its own settings): each app, when it starts serving, gets
    the callbacks the first one got (modules imported again re-register their own; the others are
    restored). Dash's registry is private, so this stays with the tests."""
    from dash import Dash, _callback

    first: list[tuple[dict, list]] = []
    setup = Dash._setup_server

    @functools.wraps(setup)
    def shared_setup(self):
        if not self._got_first_request["setup_server"]:
            known, listed = _callback.GLOBAL_CALLBACK_MAP, _callback.GLOBAL_CALLBACK_LIST
            if not first:
                first.append((dict(known), list(listed)))
            outputs = {str(c.get("output")) for c in listed}
            for key, value in first[0][0].items():
                known.setdefault(key, value)
            listed.extend(c for c in first[0][1] if str(c.get("output")) not in outputs)
        return setup(self)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Dash, "_setup_server", shared_setup)
        yield


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


@pytest.fixture
def rollup_world(backend, databases, tmp_path):
    """The queries' small warehouse (``tests.test_queries``: a sum, a weighted rate, a ratio, a
    daily indicator, provinces of both eras) and an app on it: the rollups' tests."""
    from app import create_app
    from tests.test_queries import build_fixture

    url = databases.new(backend)
    build_fixture(url)
    server = create_app(make_settings(url, tmp_path))
    yield server, server.extensions["warehouse"].engine
    server.extensions["warehouse"].dispose()


@pytest.fixture
def pg_rollup_world(backend, rollup_world):
    """:func:`rollup_world` on PostgreSQL only (rollups are kept there)."""
    if backend != "postgresql":
        pytest.skip("rollups are kept on PostgreSQL")
    return rollup_world


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


def seeded_sqlite_world(databases: Databases, tmp_path_factory, name: str) -> tuple[str, Path, Engine]:
    """A module's own copy of the seeded SQLite warehouse, in a new folder named after ``name``:
    its URL, the folder and an engine on it (dispose of it once the module's data is set up)."""
    tmp = tmp_path_factory.mktemp(name)
    url = seeded_sqlite_copy(databases, tmp)
    return url, tmp, create_engine(url)


@contextlib.contextmanager
def app_on(url: str, tmp: Path, **overrides) -> Iterator[Flask]:
    """An app on the warehouse at ``url`` (test settings), its engine disposed of at the end."""
    from app import create_app

    server = create_app(make_settings(url, tmp, **overrides))
    try:
        yield server
    finally:
        server.extensions["warehouse"].dispose()


@pytest.fixture
def seeded_app(seeded_url, tmp_path):
    from app import create_app

    server = create_app(make_settings(seeded_url, tmp_path))
    yield server
    server.extensions["warehouse"].dispose()


# -- the intake warehouse ---------------------------------------------------------------------------
# Migrated, the demo's configuration package without its targets (catalogue, units, the report
# regimes, the same as the demo seed's) and a little history (24
# months of a few series) for the plausibility checks. Much smaller and faster than the demo
# warehouse, and each test module or test gets its own, so writes never leak between tests.

RECEIVED = datetime(2025, 11, 20, 9, 0)
# (indicator, area key, base value, trend per month, alternating wiggle): series for the plausibility checks,
# monthly from 202310 to 202509
HISTORY = [
    ("RETAIL_SALES", "VN", 270.0, 1.5, 2.0),
    ("RETAIL_SALES", "01", 30.0, 0.2, 0.5),
    ("CPI_YOY", "VN", 3.0, 0.0, 0.4),
    ("EXPORTS", "VN", 35.0, 0.3, 1.0),
]


def build_warehouse(url: str, tmp: Path) -> Engine:
    """A new intake warehouse at ``url``."""
    from data_access import schema
    from data_access.engine import bump_data_version, make_engine, migrate
    from domain.periods import Period
    from ingest.reference import load_reference

    engine = make_engine(make_settings(url, tmp))
    migrate(engine)
    with engine.begin() as conn:
        load_reference(conn, ("groups", "units", "indicators", "regimes"))
        iid = dict(conn.execute(select(schema.indicator.c.code, schema.indicator.c.id)).all())
        area = dict(conn.execute(select(schema.area.c.key, schema.area.c.id)).all())
        months = [Period("M", 2023, 10).shift(i) for i in range(24)]
        rows = []
        for code, key, base, step, wiggle in HISTORY:
            for i, p in enumerate(months):
                rows.append({"indicator_id": iid[code], "area_id": area[key], "period": p.key, "period_start": p.start,
                             "value": round(base + step * i + wiggle * (-1) ** i, 3), "status": "O", "revision": 0,
                             "recorded_at": datetime(2025, 10, 1)})
        conn.execute(schema.observation.insert(), rows)
        conn.execute(schema.current_observation.insert(), [{k: v for k, v in r.items()} for r in rows])
        bump_data_version(conn)
    return engine


def module_warehouse(request, databases, tmp_path_factory) -> tuple[str, Path, Engine]:
    """Body of a module-scoped, backend-parametrised warehouse fixture (``params=BACKENDS``)."""
    if request.param == "postgresql":
        _require_pg()
    url = databases.new(request.param)
    tmp = tmp_path_factory.mktemp(f"intake-{request.param}")
    engine = build_warehouse(url, tmp)
    return url, tmp, engine


def counts(engine: Engine) -> dict[str, int]:
    """Row counts of everything an accepted submission writes (a rejected one may add only its
    ``submission`` row): ``observation`` and ``current`` count reported values, ``computed`` the
    revisions of derived indicators' values it made (``metadata.derived``)."""
    from data_access import schema

    with engine.connect() as conn:
        def n(table, *where):
            return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar())

        return {
            "observation": n(schema.observation, schema.observation.c.computed.is_(False)),
            "current": n(schema.current_observation, schema.current_observation.c.computed.is_(False)),
            "computed": n(schema.observation, schema.observation.c.computed.is_(True)),
            "daily_item": n(schema.daily_item),
            "submission_period": n(schema.submission_period),
            "data_version": int(conn.execute(select(schema.data_version.c.version)).scalar() or 0),
        }


def send(engine: Engine, tmp: Path, unit: str, payload: bytes, filename: str = "test.csv",
         received_at: datetime = RECEIVED, limits: IntakeLimits | None = None,
         channel: str = "cli") -> SubmissionReport:
    """Submit ``payload`` for ``unit`` as the command line does; the ``SubmissionReport``."""
    from ingest.pipeline import submit

    return submit(engine, unit_code=unit, payload=payload, filename=filename, channel=channel, submitted_by="pytest",
                  received_at=received_at, archive_dir=tmp / "archive", limits=limits)


def csv_bytes(*rows: str, header: str = "indicator_code,area_code,period,value") -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode("utf-8")


def current_value(engine: Engine, code: str, area_key: str, period: str):
    """The current row (value, revision, status, flag, submission_id) of one key, or None."""
    from data_access import schema

    c, i, a = schema.current_observation, schema.indicator, schema.area
    with engine.connect() as conn:
        return conn.execute(
            select(c.c.value, c.c.revision, c.c.status, c.c.flag, c.c.submission_id)
            .join(i, i.c.id == c.c.indicator_id).join(a, a.c.id == c.c.area_id)
            .where(i.c.code == code, a.c.key == area_key, c.c.period == period)).first()


def history_rows(engine: Engine, code: str, area_key: str, period: str) -> list:
    """Every revision of one key, oldest first."""
    from data_access import schema

    o, i, a = schema.observation, schema.indicator, schema.area
    with engine.connect() as conn:
        return conn.execute(
            select(o.c.revision, o.c.value, o.c.status, o.c.submission_id, o.c.flag)
            .join(i, i.c.id == o.c.indicator_id).join(a, a.c.id == o.c.area_id)
            .where(i.c.code == code, a.c.key == area_key, o.c.period == period).order_by(o.c.revision)).all()


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
