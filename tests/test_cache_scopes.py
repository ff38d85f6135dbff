"""Issue 3/9: cache entries depend on what they read. An accepted submission invalidates the
entries (queries and whole callback responses) that read its indicators and nothing else; a
submission of any kind refreshes the reporting calendar; a view that reads the warehouse directly
depends on everything; a hundred walls with their own tokens share one entry per board. Both
backends, through the real intake pipeline."""

from __future__ import annotations

import json

import pytest

from auth.displays import create_display_token, revoke_display_token
from data_access.engine import get_stamps, get_versions
from tests.conftest import build_warehouse, csv_bytes, make_settings, send
from tests.test_resilience import wall_board_body


@pytest.fixture
def env(empty_url, tmp_path):
    from app import create_app

    engine = build_warehouse(empty_url, tmp_path)
    first = send(engine, tmp_path, "TK", csv_bytes("CPI_YOY,VN,202509,3.0", "EXPORTS,VN,202509,40.0",
                                                   "CPI_YOY,VN,202510,3.1", "EXPORTS,VN,202510,40.5"))
    assert first.status == "accepted"
    server = create_app(make_settings(empty_url, tmp_path))
    yield server, engine, tmp_path
    server.extensions["warehouse"].dispose()
    engine.dispose()


def _counts(server) -> tuple[int, int]:
    from data_access.cache.backend import CacheManager

    with server.app_context():
        cache = CacheManager.current()
        return cache.hits, cache.misses


def _series(server, code: str):
    from data_access.queries import series

    with server.test_request_context("/"):
        return series(code, ("VN",), "202509", "202512")


def test_csc001_a_submission_invalidates_only_its_indicators(env):
    server, engine, tmp = env
    cpi, exports = _series(server, "CPI_YOY"), _series(server, "EXPORTS")
    assert list(cpi["value"]) == [3.0, 3.1] and list(exports["value"]) == [40.0, 40.5]
    hits, misses = _counts(server)
    _series(server, "CPI_YOY"), _series(server, "EXPORTS")
    assert _counts(server) == (hits + 2, misses)

    v0 = get_versions(engine.connect())[0]
    report = send(engine, tmp, "TK", csv_bytes("CPI_YOY,VN,202511,3.4"))
    assert report.status == "accepted" and report.data_version == v0 + 1
    with engine.connect() as conn:
        version, stamps = get_stamps(conn)
    assert version == v0 + 1 and stamps["i:CPI_YOY"] == v0 + 1 and stamps.get("i:EXPORTS", 0) < v0 + 1

    hits, misses = _counts(server)
    assert list(_series(server, "CPI_YOY")["value"]) == [3.0, 3.1, 3.4]  # changed: read again
    assert _counts(server) == (hits, misses + 1)
    assert list(_series(server, "EXPORTS")["value"]) == [40.0, 40.5]  # untouched: still a hit
    assert _counts(server) == (hits + 1, misses + 1)


def test_csc002_a_rejected_submission_refreshes_the_units_list_not_the_data(env):
    from data_access.compliance import unit_submissions

    server, engine, tmp = env
    with server.test_request_context("/"):
        before = unit_submissions("TK")
    _series(server, "CPI_YOY")
    v0, s0 = get_versions(engine.connect())
    bad = send(engine, tmp, "TK", csv_bytes("NO_SUCH,VN,202511,1"))
    assert bad.status == "rejected"
    v1, s1 = get_versions(engine.connect())
    assert v1 == v0 and s1 == s0 + 1  # no indicator changed; one more submission recorded
    hits, misses = _counts(server)
    _series(server, "CPI_YOY")
    assert _counts(server)[0] == hits + 1  # the data entries stay valid
    with server.test_request_context("/"):
        after = unit_submissions("TK")
    assert len(after) == len(before) + 1 and bad.submission_id in set(after["id"])


def test_csc003_nested_reads_carry_their_scopes(env):
    """An entry computed from other cached reads depends on what those read."""
    from data_access.cache.memo import cached_query
    from data_access.queries import series

    server, engine, tmp = env

    @cached_query(scopes=lambda code: (f"i:{code}",))
    def both(code):
        return float(series(code, ("VN",), "202509", "202512")["value"].sum()
                     + series("EXPORTS", ("VN",), "202509", "202512")["value"].sum())

    with server.test_request_context("/"):
        assert both("CPI_YOY") == pytest.approx(3.0 + 3.1 + 40.0 + 40.5)
    send(engine, tmp, "TK", csv_bytes("EXPORTS,VN,202511,41.0"))
    with server.test_request_context("/"):
        assert both("CPI_YOY") == pytest.approx(3.0 + 3.1 + 40.0 + 40.5 + 41.0)


def test_csc004_responses_record_what_they_read(env):
    """A view callback's whole response is served again until something it read changes: the
    indicator page of CPI_YOY depends on CPI_YOY, not on a new export figure; a read that names
    no scope depends on everything."""
    from data_access.cache.memo import _compute
    from data_access.cache.tracking import GLOBAL
    from tests.auth_helpers import router_body

    server, engine, tmp = env
    client = server.test_client()
    body = router_body("/indicator/CPI_YOY")
    first = client.post("/_dash-update-component", json=body)
    assert first.status_code == 200 and "CPI_YOY" in first.get_data(as_text=True)
    send(engine, tmp, "TK", csv_bytes("EXPORTS,VN,202511,41.0"))
    hits, misses = _counts(server)
    assert client.post("/_dash-update-component", json=body).data == first.data
    assert _counts(server) == (hits + 1, misses)  # served from the entry
    send(engine, tmp, "TK", csv_bytes("CPI_YOY,VN,202511,3.9"))
    third = client.post("/_dash-update-component", json=body)
    assert _counts(server)[1] > misses  # rendered again
    assert third.status_code == 200 and third.data != first.data
    with server.test_request_context("/"):
        stamped, _ = _compute(lambda: _series(server, "EXPORTS"), None, (), {})
    assert GLOBAL in dict(stamped)  # undeclared: depends on everything


def test_csc005_walls_share_one_entry_and_a_revoked_token_never_hits(env):
    server, engine, tmp = env
    client = server.test_client()
    tokens = [create_display_token(engine, f"wall {i}", days=1) for i in range(3)]
    responses = []
    for i, (_, secret) in enumerate(tokens):
        client.set_cookie("occ_display", secret)
        res = client.post("/_dash-update-component", json=wall_board_body())
        assert res.status_code == 200, res.data[:200]
        responses.append(res.data)
        if i == 0:
            hits, misses = _counts(server)
    assert responses[0] == responses[1] == responses[2]
    h, m = _counts(server)
    assert m == misses  # the second and third walls were served the first wall's entry
    revoke_display_token(engine, tokens[2][0])
    res = client.post("/_dash-update-component", json=wall_board_body())
    assert res.status_code in (200, 401, 403)
    if res.status_code == 200:
        assert res.data != responses[0]
        assert "wall-refused" in json.dumps(json.loads(res.data))


def test_csc006_aggregates_depend_on_their_components(env):
    """A weighted rate's regional aggregate reads its weight, a ratio its numerator and
    denominator: a new weight invalidates the aggregate."""
    from data_access.catalogue import all_indicators
    from data_access.provinces import province_scorecard_rows
    from data_access.queries import comparable_series_rows, regional_aggregate_rows

    server, _, _ = env
    with server.test_request_context("/"):
        composed = [i for i in all_indicators() if i.aggregation in ("weighted", "ratio")]
        assert composed
        for ind in composed:
            parts = {f"i:{c}" for c in (ind.weight_code, ind.num_code, ind.den_code) if c}
            assert parts and parts <= set(regional_aggregate_rows.scopes(ind.code, "2025Q3"))
            assert parts <= set(comparable_series_rows.scopes(ind.code, ("01",)))
            assert parts <= set(province_scorecard_rows.scopes("01"))


class _Counted:
    """A value that counts how often it is unpickled."""

    loads = 0

    def __init__(self, payload):
        self.payload = payload

    def __setstate__(self, state):
        type(self).loads += 1
        self.__dict__.update(state)


def test_csc007_an_outdated_entry_is_recognised_without_unpickling_its_value(env):
    """Entries keep their value pickled apart from their stamps: after a load, the outdated
    entries a board meets are dropped on their stamps alone."""
    from data_access.cache.memo import cached_query
    from data_access.cache.scopes import indicator_scope

    server, engine, tmp = env
    computed = []

    @cached_query(scopes=indicator_scope)
    def heavy(code: str):
        computed.append(code)
        return _Counted(list(range(1000)))

    def call():
        with server.test_request_context("/"):
            return heavy("CPI_YOY")

    _Counted.loads = 0
    assert call().payload[-1] == 999 and computed == ["CPI_YOY"]
    hits, misses = _counts(server)
    assert call().payload[-1] == 999 and computed == ["CPI_YOY"]  # a hit: unpickled once
    assert _Counted.loads == 1 and _counts(server) == (hits + 1, misses)
    assert send(engine, tmp, "TK", csv_bytes("CPI_YOY,VN,202511,3.4")).status == "accepted"
    assert call().payload[-1] == 999 and computed == ["CPI_YOY", "CPI_YOY"]  # outdated: computed again
    assert _Counted.loads == 1  # ... without unpickling the outdated value
    assert _counts(server) == (hits + 1, misses + 1)


def test_csc008_a_view_rendered_again_reads_its_entries_ahead_in_one_round_trip(env, tmp_path, monkeypatch):
    """Issue 22: a stored response carries the keys of the data entries its rendering looked up;
    when it is outdated, the next rendering reads those entries in one round trip (one MGET on
    Redis) instead of one GET each. An entry read ahead is still checked against the stamps (the
    changed indicator's entries are computed again, the others served), and the answer is the
    one a server with an empty cache renders. Its last good copy and the response go in the
    same write."""
    from app import create_app
    from data_access.cache.backend import CacheManager, GuardedCache
    from tests.auth_helpers import router_body

    server, engine, tmp = env
    client = server.test_client()
    body = router_body("/indicator/CPI_YOY")
    assert client.post("/_dash-update-component", json=body).status_code == 200
    # a revision of a period the page shows: the same view, its CPI_YOY entries outdated (a new
    # latest period would move the page's window, so its rendering would look up other entries)
    assert send(engine, tmp, "TK", csv_bytes("CPI_YOY,VN,202510,3.9")).status == "accepted"
    gets, ahead, writes = [], [], []
    real_get, real_many, real_set_many = GuardedCache.get, GuardedCache.get_raw_many, GuardedCache.set_many
    monkeypatch.setattr(GuardedCache, "get", lambda self, key: gets.append(key) or real_get(self, key))
    monkeypatch.setattr(GuardedCache, "get_raw_many",
                        lambda self, keys: ahead.append(keys) or real_many(self, keys))
    monkeypatch.setattr(GuardedCache, "set_many",
                        lambda self, items, lasting=None: writes.append((items, lasting))
                        or real_set_many(self, items, lasting))
    hits, misses = _counts(server)
    again = client.post("/_dash-update-component", json=body)
    assert again.status_code == 200
    assert [k for k in gets if not k.startswith("resp:")] == []  # no data entry read on its own
    # the memoized reads (data entries, and what pages build from the catalogue: export menus,
    # the indicator page's choices), no response
    assert len(ahead) == 1 and ahead[0] and all(k.startswith(("data_access.", "exports.menu.", "dashboards."))
                                                for k in ahead[0])
    assert any(k.startswith("data_access.") for k in ahead[0])
    with server.app_context():
        found = CacheManager.current().get_raw_many(ahead[0])
    assert found.keys() == set(ahead[0])  # every entry looked up before was stored
    h, m = _counts(server)
    assert m > misses + 1 and h > hits  # CPI_YOY's entries computed again, the others still served
    assert len(writes) == 1 and any(k.startswith("resp:last:") for k in writes[0][1])
    fresh = create_app(make_settings(str(engine.url.render_as_string(hide_password=False)), tmp_path / "fresh"))
    try:
        assert fresh.test_client().post("/_dash-update-component", json=body).data == again.data
    finally:
        fresh.extensions["warehouse"].dispose()


@pytest.mark.heavy
def test_csc009_redis_stores_a_response_its_entries_and_last_good_copy_in_one_round_trip(tmp_path):
    """On Redis, :meth:`GuardedCache.set_many` writes entries and lasting values (last good
    responses) in one pipeline, each with its own expiry; :meth:`GuardedCache.get_raw_many` reads
    stored entries back with one MGET, and a response entry keeps the keys it looked up."""
    import redis as redis_lib
    from flask import Flask

    from data_access.cache.backend import LAST_GOOD_TIMEOUT_S, CacheManager, packed
    from tests.test_queries import _start_redis

    proc, url = _start_redis(tmp_path)
    try:
        server = Flask(__name__)
        CacheManager().init_app(server, make_settings("sqlite://", tmp_path, cache_redis_url=url))
        with server.app_context():
            cache = CacheManager.current()
            stamps = (("i:X", 3),)
            cache.set_many({"data:a": packed((stamps, [1, 2])), "resp:b": packed((stamps, b"{}"), ("data:a",))},
                           {"resp:last:b": b"{}"})
            found = cache.get_raw_many(("data:a", "resp:b", "data:missing"))
            assert found.keys() == {"data:a", "resp:b"}
            assert cache.current(found["data:a"], lambda s: s == stamps)[:3] == (True, stamps, [1, 2])
            assert cache.current(found["resp:b"], lambda s: False) == (False, (), None, ("data:a",))  # outdated
            assert cache.get_view("resp:b", lambda s: True) == (True, stamps, b"{}", ("data:a",))
            assert cache.get("resp:last:b") == (True, b"{}")
        client = redis_lib.Redis.from_url(url)
        assert LAST_GOOD_TIMEOUT_S - 60 < client.ttl("occ:resp:last:b") <= LAST_GOOD_TIMEOUT_S
        assert 0 < client.ttl("occ:data:a") < LAST_GOOD_TIMEOUT_S - 60
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_csc010_the_stamps_and_their_version_are_read_in_one_statement(env, databases, backend):
    """Issue 22: on PostgreSQL the stamps travel as two arrays in one row; on both backends
    :func:`get_stamps` gives what the rows of ``data_stamp`` and ``data_version`` hold, also in a
    warehouse that has neither yet."""
    from sqlalchemy import create_engine

    from data_access.cache.tracking import GLOBAL
    from data_access.engine import _STAMPS_AS_ROWS, migrate

    server, engine, tmp = env
    send(engine, tmp, "TK", csv_bytes("CPI_YOY,VN,202511,3.4"))
    empty = create_engine(databases.new(backend))
    migrate(empty)
    try:
        for eng in (engine, empty):
            with eng.connect() as conn:
                rows = conn.execute(_STAMPS_AS_ROWS).all()
                version, stamps = get_stamps(conn)
            assert stamps == {scope: int(v) for scope, v in rows if scope != GLOBAL}
            assert version == next((int(v) for scope, v in rows if scope == GLOBAL), 0)
        assert version == 0 and set(stamps) <= {"*"}  # the empty one: no version yet, no data stamped
    finally:
        empty.dispose()


def test_csc012_a_request_reads_its_version_and_new_stamps_in_one_statement(env, backend):
    """Issue 22: a request's version and, when this process holds another version's stamps, the
    stamps come in one statement on PostgreSQL (SQLite: two); they are those :func:`get_stamps`
    reads, and a request of a version the process knows reads no more."""
    from sqlalchemy import event

    from data_access.cache.scopes import current_data_version, current_stamps

    server, engine, tmp = env
    statements: list[str] = []
    warehouse = server.extensions["warehouse"].engine

    def seen(conn, cursor, statement, *_args):
        if "data_version" in statement or "data_stamp" in statement:
            statements.append(statement)

    event.listen(warehouse, "before_cursor_execute", seen)
    try:
        for round_ in range(3):
            if round_ == 2:  # a new version: every stamp read again, with it
                send(engine, tmp, "TK", csv_bytes("CPI_YOY,VN,202512,3.3"))
            statements.clear()
            with server.test_request_context("/"):
                version, stamps = current_data_version(), dict(current_stamps())
            with engine.connect() as conn:
                assert (version, stamps) == get_stamps(conn)
            if backend == "postgresql":
                assert len(statements) == 1, (round_, statements)
                assert ("data_stamp" in statements[0]) and ("CASE WHEN" in statements[0])
            elif round_ == 1:  # SQLite: the stamps apart, once per version
                assert len(statements) == 1, statements
        assert stamps["i:CPI_YOY"] == version
    finally:
        event.remove(warehouse, "before_cursor_execute", seen)


def test_csc011_a_backend_without_redis_internals_takes_the_plain_writes():
    """The one-pipeline write uses cachelib's RedisCache internals; a backend with a client but
    without them (another cachelib) gets the plain writes, and the cache is never taken down."""
    from types import SimpleNamespace

    from data_access.cache.backend import LAST_GOOD_TIMEOUT_S, GuardedCache

    class Backend:
        _write_client = object()  # looks like Redis, has none of the rest

        def __init__(self) -> None:
            self.many: list[dict] = []
            self.single: list[tuple] = []

        def set_many(self, items: dict) -> None:
            self.many.append(items)

        def set(self, key: str, value: object, timeout: int | None = None) -> None:
            self.single.append((key, value, timeout))

    backend = Backend()
    cache = GuardedCache(SimpleNamespace(cache=backend))
    cache.set_many({"data:a": 1}, {"resp:last:b": 2})
    assert backend.many == [{"data:a": (1,)}]
    assert backend.single == [("resp:last:b", (2,), LAST_GOOD_TIMEOUT_S)]
    assert cache.errors == 0 and cache.available


def test_csc013_another_release_never_reads_this_ones_entries(env, monkeypatch):
    """Every key hashes in the digest of the product's code (``code_build``): after a deployment
    (or on a node of a rolling upgrade) the new code renders its own answers and values instead
    of serving a layout or a value of another shape that the former code stored, and the former
    code never reads the new one's."""
    from data_access.cache import backend, memo
    from tests.auth_helpers import router_body
    from web import responses

    server, _engine, _tmp = env
    assert backend.code_build() == backend.code_build() and len(backend.code_build()) == 8  # once per process
    client = server.test_client()
    body = router_body("/indicator/CPI_YOY")
    first = client.post("/_dash-update-component", json=body)
    hits, misses = _counts(server)
    assert client.post("/_dash-update-component", json=body).data == first.data
    assert _counts(server) == (hits + 1, misses)  # this release: served from its entry
    for module in (memo, responses):
        monkeypatch.setattr(module, "code_build", lambda: b"another!")
    hits, misses = _counts(server)
    again = client.post("/_dash-update-component", json=body)
    assert again.data == first.data and _counts(server)[0] == hits  # rendered, nothing of the former read
    assert _counts(server)[1] > misses
    monkeypatch.undo()
    hits, misses = _counts(server)
    client.post("/_dash-update-component", json=body)
    assert _counts(server) == (hits + 1, misses)  # the former release's entry is still its own


def test_csc014_targets_are_kept_apart_from_the_values_and_a_change_of_targets_shows_at_once(env, monkeypatch):
    """The KPI tiles' targets are an entry of their own (:func:`data_access.queries.kpi_targets`,
    scope ``targets``): a submission reads the values again, not the targets; a change of targets
    stamps the targets and their indicator, and the next tile compares with the new one. (The
    computation's entries: on PostgreSQL a tile is read from its row kept in the warehouse while
    that is current, ``tests/test_rollups.py``; not here.)"""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from data_access import rollups
    from data_access.queries import kpi_snapshot
    from metadata import service

    monkeypatch.setattr(rollups, "kept_kpis", lambda *_args: {})
    server, engine, tmp = env
    statements: list[str] = []

    def seen(_conn, _cur, statement, *_args) -> None:
        statements.append(statement)

    def tile():
        statements.clear()
        with server.test_request_context("/"):
            kpi = kpi_snapshot(("CPI_YOY",), "VN")[0]
        return kpi, sum("FROM target" in s for s in statements), sum("current_observation" in s for s in statements)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        first, target_reads, _ = tile()
        assert first.value == 3.1 and first.target is None and target_reads == 1
        assert send(engine, tmp, "TK", csv_bytes("CPI_YOY,VN,202511,3.4")).status == "accepted"
        second, target_reads, reads = tile()
        assert second.value == 3.4 and second.target is None
        assert reads >= 1 and target_reads == 0  # the values read again, the targets not

        actor = service.Actor("t.admin", "admin", None, "cli")
        made = service.create(engine, "targets", {"indicator": "CPI_YOY", "area": "VN", "year": 2025,
                                                  "comparison": "at_most", "value": 3.0}, actor=actor)
        assert made.applied
        with engine.connect() as conn:
            stamps = get_stamps(conn)[1]
        assert stamps["targets"] == stamps["i:CPI_YOY"] == made.data_version
        third, target_reads, _ = tile()
        assert target_reads == 1 and third.target == 3.0 and third.target_comparison == "at_most"
        assert third.target_status == "off_track"  # 3.4 against at most 3.0
        assert tile()[1:] == (0, 0)  # and then an entry again
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
