"""``data_access.replica.ReadRouter`` without servers: two SQLite warehouses stand for the primary
and a replica whose replay the test moves by hand (the real replica: tests/test_cluster.py)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import create_engine, update
from sqlalchemy.engine import Connection

from data_access import schema
from data_access.engine import get_versions, migrate
from data_access.replica import DOWN, LAGGING, OK, ReadRouter
from settings import ConfigError


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def world(tmp_path):
    engines = {}
    for name in ("primary", "replica"):
        engine = create_engine(f"sqlite:///{tmp_path / name}.sqlite")
        migrate(engine)
        engines[name] = engine
    yield engines
    for engine in engines.values():
        engine.dispose()


def _set_version(engine, version: int) -> None:
    with engine.begin() as conn:
        if conn.execute(update(schema.data_version).values(version=version)).rowcount == 0:
            conn.execute(schema.data_version.insert().values(id=1, version=version, updated_at=datetime(2026, 1, 1)))


def _replayed(conn: Connection) -> int:
    return get_versions(conn)[0]


def _needed(world):
    def needed() -> int:
        with world["primary"].connect() as conn:
            return get_versions(conn)[0]
    return needed


def _where(conn: Connection, world) -> str:
    return "replica" if conn.engine is world["replica"] else "primary"


def test_rep001_caught_up_replica_serves_the_reads(world):
    _set_version(world["primary"], 7)
    _set_version(world["replica"], 7)
    router = ReadRouter(lambda: world["replica"], max_wait_s=0.0, retry_s=5.0)
    with router.connect(world["primary"], _needed(world), _replayed) as conn:
        assert (_where(conn, world), _replayed(conn)) == ("replica", 7)
    assert router.state.state == OK and router.reads_from() == "replica"


def test_rep002_a_replica_behind_the_primary_is_not_read(world):
    """The primary holds version 8, the replica has replayed 7: the reads go to the primary (never
    older than what another node may already have served), and stay there for retry_s."""
    clock = Clock()
    _set_version(world["primary"], 8)
    _set_version(world["replica"], 7)
    router = ReadRouter(lambda: world["replica"], max_wait_s=0.0, retry_s=5.0, clock=clock)
    with router.connect(world["primary"], _needed(world), _replayed) as conn:
        assert (_where(conn, world), _replayed(conn)) == ("primary", 8)
    assert router.state.state == LAGGING and "replayed version 7, primary 8" in router.state.detail
    _set_version(world["replica"], 8)
    clock.now += 4.9
    with router.connect(world["primary"], _needed(world), _replayed) as conn:
        assert _where(conn, world) == "primary"
    clock.now += 0.2
    with router.connect(world["primary"], _needed(world), _replayed) as conn:
        assert (_where(conn, world), _replayed(conn)) == ("replica", 8)
    assert router.state.state == OK


def test_rep003_the_request_waits_for_the_replay_it_needs(world):
    """Within max_wait_s a request waits for the replica to replay the primary's version."""
    _set_version(world["primary"], 9)
    _set_version(world["replica"], 8)
    polls = []

    def replayed(conn: Connection) -> int:
        polls.append(1)
        if len(polls) == 3:  # the replay arrives while the request waits
            _set_version(world["replica"], 9)
        return _replayed(conn)

    router = ReadRouter(lambda: world["replica"], max_wait_s=30.0, retry_s=5.0)
    with router.connect(world["primary"], _needed(world), replayed) as conn:
        assert (_where(conn, world), _replayed(conn)) == ("replica", 9)
    assert len(polls) == 3 and router.state.state == OK


def test_rep004_unreachable_replica_and_unreachable_primary(world):
    _set_version(world["primary"], 3)
    _set_version(world["replica"], 2)

    def unreachable():
        raise ConfigError("cannot connect to the database at replica")

    router = ReadRouter(unreachable, max_wait_s=0.0, retry_s=5.0)
    with router.connect(world["primary"], _needed(world), _replayed) as conn:
        assert _where(conn, world) == "primary"
    assert router.state.state == DOWN and router.reads_from() == "primary"
    assert router.check(3, _replayed) is None
    # the primary away: the replica serves what it has (better than nothing; writes fail anyway)
    router = ReadRouter(lambda: world["replica"], max_wait_s=0.0, retry_s=5.0)
    with router.connect(world["primary"], lambda: None, _replayed) as conn:
        assert (_where(conn, world), _replayed(conn)) == ("replica", 2)


def test_rep005_health_check_sees_the_lag(world):
    _set_version(world["replica"], 4)
    router = ReadRouter(lambda: world["replica"], max_wait_s=0.0, retry_s=5.0)
    assert router.check(5, _replayed) == 4
    assert (router.state.state, router.reads_from()) == (LAGGING, "primary")
    assert router.check(4, _replayed) == 4
    assert (router.state.state, router.reads_from()) == (OK, "replica")
