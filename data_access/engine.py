"""Engine creation, configuration checks, migrations and the warehouse ``data_version``."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeAlias, cast

from alembic import command
from alembic.config import Config
from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    String,
    bindparam,
    case,
    create_engine,
    event,
    func,
    literal,
    select,
    type_coerce,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine, Result, Row
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, DisconnectionError, NoSuchModuleError, OperationalError
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.types import NullType

from data_access import schema
from data_access.cache.tracking import GLOBAL, note_direct_read, untracked
from data_access.replica import REPLICA_ERRORS, ReadRouter
from settings import ROOT, ConfigError, Settings

#: A result row as SQLAlchemy types a Core statement's rows (columns of any type).
AnyRow: TypeAlias = Row[*tuple[Any, ...]]


def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the intake's writer
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(settings: Settings) -> Engine:
    """Build the engine for ``settings.database_url``; raise :class:`ConfigError` (one line) if the
    URL is malformed, the instance folder is not writable, or the server cannot be reached."""
    url = settings.database_url
    if settings.is_sqlite:
        _check_sqlite_path(url)
    try:
        kwargs: dict[str, Any] = {}
        if not settings.is_sqlite:
            kwargs.update(pool_size=5, max_overflow=10, pool_recycle=1800)
            kwargs["connect_args"] = {"connect_timeout": 5, "application_name": "operations-center"}
        engine = create_engine(url, **kwargs)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise ConfigError(
            f"DATABASE_URL is not a valid database URL ({_one_line(exc)}); "
            "use e.g. postgresql+psycopg2://user:pass@host:5432/dbname"
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine.pool, "checkin", _checked_in)
    event.listen(engine.pool, "checkout", _ping_if_idle)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        raise ConfigError(
            f"cannot connect to the database at {engine.url.render_as_string(hide_password=True)}: "
            f"{_one_line(exc.orig)}; check DATABASE_URL and that the server is running"
        ) from None
    return engine


#: A pooled connection idle longer than this is pinged when it is checked out, so a server restarted
#: meanwhile is found then, and the pool connects afresh, not by the request's first read. One in
#: steady use is not: SQLAlchemy's ``pool_pre_ping`` made a round trip on every checkout (a tenth
#: of an uncached callback's fixed cost).
PING_AFTER_IDLE_S = 1.0
_IDLE_SINCE = "occ_idle_since"


def _checked_in(dbapi_conn: DBAPIConnection | None, record: ConnectionPoolEntry) -> None:
    _no_autocommit(dbapi_conn)
    record.info[_IDLE_SINCE] = time.monotonic()


def _no_autocommit(dbapi_conn: DBAPIConnection | None) -> None:
    """A pooled connection in transactions again after :func:`_autocommit` (nothing is sent)."""
    if dbapi_conn is not None and getattr(dbapi_conn, "autocommit", False) is True:
        dbapi_conn.autocommit = False


def _ping_if_idle(dbapi_conn: DBAPIConnection, record: ConnectionPoolEntry,
                  _proxy: PoolProxiedConnection) -> None:
    """``checkout`` hook: a connection just made, or back in the pool for less than
    :data:`PING_AFTER_IDLE_S`, is used as it is; an older one answers ``SELECT 1`` first, else the
    pool drops it and checks out another (SQLAlchemy's pessimistic disconnect handling)."""
    _no_autocommit(dbapi_conn)
    since = record.info.get(_IDLE_SINCE)
    if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
        return
    try:
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
    except Exception as exc:  # noqa: BLE001 - whatever the driver raises, the connection is gone
        raise DisconnectionError(f"a pooled connection did not answer: {_one_line(exc)}") from exc


def _check_sqlite_path(url: str) -> None:
    path = url.split(":///", 1)[-1] if ":///" in url else ""
    if not path or path == ":memory:":
        return
    folder = Path(path).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the data folder {folder} ({exc.strerror}); "
            "set INSTANCE_DIR or DATABASE_URL to a writable place"
        ) from None
    if not os.access(folder, os.W_OK):
        raise ConfigError(
            f"the data folder {folder} is not writable; "
            "fix its permissions or set INSTANCE_DIR / DATABASE_URL to a writable place"
        )


def _one_line(exc: object) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def alembic_config(connection: Connection) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the warehouse schema to ``revision`` (Alembic)."""
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), revision)


# -- data_version -------------------------------------------------------------------------


def get_data_version(conn: Connection) -> int:
    value = conn.execute(select(schema.data_version.c.version).where(schema.data_version.c.id == 1)).scalar()
    return int(value or 0)


ALL_SCOPES = "*"


def bump_data_version(conn: Connection, scopes: Iterable[str] | None = None) -> int:
    """Increase ``data_version`` inside the caller's transaction and return the new value, and
    stamp ``scopes`` (what changed: ``i:<code>``, ``daily``, ``submissions``; None: everything)
    with it in ``data_stamp``.

    Called by the intake in the same transaction that accepts a submission, so readers see the
    new version (and stamps) exactly when they can see the new data. A second call in the same
    transaction keeps the version and adds its scopes.
    """
    tx = conn.get_transaction()
    mark = conn.info.get("occ_bumped")
    if mark is not None and tx is not None and mark[0] is tx:
        version: int = mark[1]
    else:
        now = datetime.now().replace(microsecond=0)
        result = conn.execute(
            update(schema.data_version)
            .where(schema.data_version.c.id == 1)
            .values(version=schema.data_version.c.version + 1, updated_at=now)
        )
        if result.rowcount == 0:
            conn.execute(schema.data_version.insert().values(id=1, version=1, updated_at=now))
        version = get_data_version(conn)
        if tx is not None:
            conn.info["occ_bumped"] = (tx, version)
    names = sorted({ALL_SCOPES} if scopes is None else set(scopes))
    if names:
        # an upsert, not delete-then-insert: on PostgreSQL the rows are updated in place (a
        # heap-only update: ``version`` is in no index), so the table stays a few pages however
        # often it is stamped (delete-then-insert grew it to 15 MB of dead rows in a benchmark
        # that stamps every indicator before each request, and every read walked them)
        stamp = schema.data_stamp
        insert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
        stmt = insert(stamp).values([{"scope": n, "version": version} for n in names])
        conn.execute(stmt.on_conflict_do_update(index_elements=[stamp.c.scope],
                                                set_={"version": stmt.excluded.version}))
    forget_request_snapshot()
    return version


def forget_request_snapshot() -> None:
    """A request that writes (a direction's action, whose page is drawn again in the same callback)
    reads its version and stamps afresh at its next read: it must not serve itself the entries its
    own write makes old (the sign-in check has read the version before the write)."""
    if has_request_context():
        for key in ("occ_data_version", "occ_submissions", "occ_sessions_ended", "occ_stamps"):
            g.pop(key, None)


DEMO, REAL = "demo", "real"  # the data sets a warehouse may hold (data_version.dataset), never both
OWN = "own"  # neither recorded: the centre's own reports (SEED_DEMO=0, no import-real); never stored


def get_dataset(conn: Connection) -> str | None:
    """Which data set the warehouse holds: :data:`DEMO`, :data:`REAL`, or None (none recorded)."""
    value = conn.execute(select(schema.data_version.c.dataset).where(schema.data_version.c.id == 1)).scalar()
    return str(value) if value else None


def set_dataset(conn: Connection, dataset: str) -> None:
    """Record the data set the warehouse holds (in the caller's transaction; a version bumped in it
    tells every cache). The loaders refuse a warehouse that holds the other one."""
    if dataset not in (DEMO, REAL):
        raise ValueError(f"dataset must be {DEMO!r} or {REAL!r}")
    dv = schema.data_version
    if conn.execute(update(dv).where(dv.c.id == 1).values(dataset=dataset)).rowcount == 0:
        conn.execute(dv.insert().values(id=1, version=0, updated_at=datetime.now().replace(microsecond=0),
                                        dataset=dataset))


def get_versions(conn: Connection) -> tuple[int, int]:
    """(data_version, submissions recorded), one indexed one-row read."""
    version, submissions, _ = get_counters(conn)
    return version, submissions


def get_counters(conn: Connection) -> tuple[int, int, int]:
    """(data_version, submissions recorded, sessions ended), one indexed one-row read; all 0 while
    the warehouse has no ``data_version`` row (the first count creates it: see :func:`_count`)."""
    dv = schema.data_version
    row = conn.execute(select(dv.c.version, dv.c.submissions, dv.c.sessions_ended).where(dv.c.id == 1)).first()
    if row is None:
        return 0, 0, 0
    return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)


def get_counters_and_stamps(conn: Connection, known: int | None) -> tuple[int, int, int, dict[str, int] | None]:
    """:func:`get_counters`, and the stamps of that very version (as :func:`get_stamps` reads them)
    unless it is ``known`` (the version whose stamps the caller holds), on PostgreSQL, in one
    statement, so a request whose version changed makes one round trip instead of two, and its
    stamps are read in the same snapshot as its version. None when they were not read."""
    if conn.dialect.name != "postgresql":  # SQLite: the stamps are read apart (current_stamps)
        return (*get_counters(conn), None)
    row = conn.execute(_COUNTERS_AND_STAMPS, {"known": -1 if known is None else known}).first()
    if row is None:
        return 0, 0, 0, None
    version = int(row[0] or 0)
    stamps = None if version == known else dict(zip(row[3] or (), map(int, row[4] or ()), strict=True))
    return version, int(row[1] or 0), int(row[2] or 0), stamps


def _count(conn: Connection, column: str) -> None:
    dv = schema.data_version
    result = conn.execute(update(dv).where(dv.c.id == 1).values({column: dv.c[column] + 1}))
    if result.rowcount == 0:
        conn.execute(dv.insert().values({"id": 1, "version": 0, "updated_at": datetime.now().replace(microsecond=0),
                                         column: 1}))


def count_submission(conn: Connection) -> None:
    """One more submission recorded (in the caller's transaction): the calendar, the compliance
    board and the unit's list change, the indicators (``data_version``) do not."""
    _count(conn, "submissions")


def count_session_end(conn: Connection) -> None:
    """One or more sessions ended (signed out, revoked, expired; in the caller's transaction): every
    process drops the sessions it remembers on its next request (``auth.sessions.cached_lookup``)."""
    _count(conn, "sessions_ended")


def bump_all_data(conn: Connection) -> int:
    """A new version in which every indicator, the daily items and the submission register changed
    but no value: the benchmark's "uncached" requests run after it (rollups: ``carried_over``)."""
    from data_access.rollups import carried_over
    codes: Sequence[str] = conn.execute(select(schema.indicator.c.code)).scalars().all()
    count_submission(conn)
    return carried_over(conn, lambda: bump_data_version(conn, [f"i:{c}" for c in codes] + ["daily"]))


def array_param(name: str, item: Any) -> ColumnElement[Any]:
    """A PostgreSQL array parameter ``name`` of ``item`` (``Integer``, ``Date``) whose value is sent
    as its text (:func:`array_text`) and cast by the server: psycopg2 adapts a Python list an
    element at a time (1.3 µs a date, 0.8 µs an int: 0.2 ms for the hundred indicators of a
    province's scorecard), a string at once."""
    return sql_cast(bindparam(name, type_=NullType()), ARRAY(item))


def array_text(values: Iterable[int | date]) -> str:
    """The text of a PostgreSQL array of ints or dates (``{1,2}``, ``{2025-07-01,0001-01-01}``),
    for an :func:`array_param`."""
    return "{" + ",".join(map(str, values)) + "}"


def rows_of(result: Result[Any]) -> Sequence[tuple[Any, ...]]:
    """A result's rows, typed as the tuples they are (SQLAlchemy's rows are tuples: no copy).
    ``Result.tuples()`` said the same and is deprecated since SQLAlchemy 2.1: each call walked the
    stack to place its warning (about 1 ms of a ten-statement board)."""
    return cast("Sequence[tuple[Any, ...]]", result.all())


def get_stamps(conn: Connection) -> tuple[int, dict[str, int]]:
    """(data_version, ``data_stamp`` as {scope: version}), read by one statement, so the stamps
    are exactly those of that version."""
    if conn.dialect.name == "postgresql":  # one row, the stamps as two arrays the driver parses
        row = conn.execute(_STAMPS_AS_ARRAYS).one()
        return int(row[0] or 0), dict(zip(row[1] or (), map(int, row[2] or ()), strict=True))
    version, stamps = 0, dict[str, int]()
    for scope, value in rows_of(conn.execute(_STAMPS_AS_ROWS)):
        if scope == GLOBAL:
            version = int(value)
        else:
            stamps[scope] = int(value)
    return version, stamps


_stamp, _dv = schema.data_stamp, schema.data_version
_STAMPS_AS_ROWS = select(_stamp.c.scope, _stamp.c.version).union_all(
    select(literal(GLOBAL, String(80)), _dv.c.version).where(_dv.c.id == 1))
#: PostgreSQL: the version and every stamp in one row (half the time of 160 rows through SQLAlchemy;
#: ``type_coerce(..., NullType())`` hands the arrays over as psycopg2 parses them)
_SCOPES_ARRAY = select(type_coerce(func.array_agg(_stamp.c.scope), NullType())).scalar_subquery()
_VERSIONS_ARRAY = select(type_coerce(func.array_agg(_stamp.c.version), NullType())).scalar_subquery()
_STAMPS_AS_ARRAYS = select(select(_dv.c.version).where(_dv.c.id == 1).scalar_subquery(), _SCOPES_ARRAY,
                           _VERSIONS_ARRAY)
_changed = _dv.c.version != bindparam("known", type_=Integer)
#: PostgreSQL: the counters, and the stamps only when the version is not the one the caller knows
_COUNTERS_AND_STAMPS = select(
    _dv.c.version, _dv.c.submissions, _dv.c.sessions_ended,
    case((_changed, _SCOPES_ARRAY)), case((_changed, _VERSIONS_ARRAY)),
).where(_dv.c.id == 1)


# -- the app's handle on the warehouse ----------------------------------------------------------


class Warehouse:
    """The engines of one app (the primary's, and the replica's with ``DATABASE_READ_URL``),
    created lazily on first use so that the process starts even while the database is down (pages
    then serve cached data with a stale mark)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._engine: Engine | None = None
        self._read_engine: Engine | None = None
        self.router: ReadRouter | None = None
        if settings.database_read_url:
            self.router = ReadRouter(self.replica_engine, max_wait_s=settings.read_replica_max_wait_s,
                                     retry_s=settings.read_replica_retry_s)

    @property
    def engine(self) -> Engine:
        """The primary's engine: every write, and every read when there is no replica."""
        if self._engine is None:
            self._engine = _tracked(make_engine(self.settings))
        return self._engine

    def replica_engine(self) -> Engine:
        """The replica's engine (``DATABASE_READ_URL``); raises ConfigError while it is unreachable."""
        if self._read_engine is None:
            url = self.settings.database_read_url or self.settings.database_url
            self._read_engine = _tracked(make_engine(self.settings.with_(database_url=url)))
        return self._read_engine

    def read_connection(self, needed: Callable[[], int | None]) -> Connection:
        """A new connection for a request's reads: the replica's once it has replayed the version
        ``needed()`` returns (:class:`~data_access.replica.ReadRouter`), else the primary's."""
        if self.router is None:
            return self.engine.connect()
        with untracked():  # the versions compared are no data a view depends on
            return self.router.connect(self.engine, needed, lambda conn: get_versions(conn)[0])

    def init_app(self, server: Flask) -> None:
        server.extensions["warehouse"] = self
        server.teardown_appcontext(release_connection)

    def dispose(self) -> None:
        for engine in (self._engine, self._read_engine):
            if engine is not None:
                engine.dispose()
        self._engine = self._read_engine = None


def _tracked(engine: Engine) -> Engine:
    event.listen(engine, "before_cursor_execute", note_direct_read)  # what a view read directly
    return engine


def current_warehouse() -> Warehouse:
    """The warehouse of the Flask app handling the current request (or pushed app context)."""
    warehouse: Warehouse = current_app.extensions["warehouse"]
    return warehouse


def current_connection() -> Connection:
    """One read connection per request (checked out, and pinged, once), returned to the pool when
    the app context ends; outside a request a fresh connection the caller must close. With a
    replica (``DATABASE_READ_URL``) it is the replica's, once it has replayed the primary's
    version as the request began (:mod:`data_access.replica`)."""
    if not has_app_context():
        raise RuntimeError("current_connection() needs an app context")
    conn: Connection | None = g.get("occ_conn")
    if conn is None or conn.closed:
        wh = current_warehouse()
        conn = _autocommit(wh.read_connection(_primary_version) if wh.router is not None else wh.engine.connect())
        g.occ_conn = conn
    return conn


def primary_connection() -> Connection:
    """The request's connection to the primary, for what must see the latest writes at once
    (credentials: a session just opened, a token just revoked). Without a replica it is
    :func:`current_connection` (one connection a request)."""
    if current_warehouse().router is None:
        return current_connection()
    conn: Connection | None = g.get("occ_primary")
    if conn is None or conn.closed:
        conn = _autocommit(current_warehouse().engine.connect())
        g.occ_primary = conn
    return conn


def _autocommit(conn: Connection) -> Connection:
    """A request's read connection on PostgreSQL in autocommit: each statement on its own snapshot as
    in READ COMMITTED, no BEGIN before the first and no ROLLBACK when it is returned (two round trips
    fewer a request). A replica's connection has already read its replayed version: that
    transaction ends first."""
    if conn.dialect.name != "postgresql":
        return conn
    if conn.in_transaction():
        conn.rollback()
    # psycopg2's own switch: SQLAlchemy's isolation level, reset at the return, made it send SET
    # default_transaction_isolation (a round trip a request). The pool turns it off (_no_autocommit).
    if conn.dialect.driver != "psycopg2":
        return conn.execution_options(isolation_level="AUTOCOMMIT")
    dbapi: Any = conn.connection.dbapi_connection
    if dbapi.get_transaction_status() != 0:  # not TRANSACTION_STATUS_IDLE: the idle ping began one
        dbapi.rollback()
    dbapi.autocommit = True
    return conn


def _primary_version() -> int | None:
    """The primary's ``data_version`` now: what a read on the replica must not be older than;
    None while the primary cannot be read (the replica then serves what it has)."""
    try:
        with untracked():
            return get_versions(primary_connection())[0]
    except REPLICA_ERRORS:
        _close(g.pop("occ_primary", None))
        return None


def release_connection(_exc: BaseException | None = None) -> None:
    """``teardown_appcontext`` hook: end the read transaction and return the connection(s)."""
    _close(g.pop("occ_conn", None))
    _close(g.pop("occ_primary", None))


def _close(conn: Connection | None) -> None:
    if conn is not None:
        try:
            conn.close()
        except Exception:  # noqa: BLE001 - a broken connection is discarded by the pool
            pass


def discard_connection() -> None:
    """Drop the request's connection after a failure, so that a later read tries afresh."""
    if has_request_context():
        release_connection()
