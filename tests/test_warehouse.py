"""Issue 2: migrations on both backends, the demo generator, the crosswalk, the health check."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import create_engine, event, func, inspect, select

from data_access import schema
from data_access.engine import downgrade, make_engine, migrate
from ingest.demo import checksum, generate
from ingest.reference import demo_records, reference_rows
from tests.conftest import FIXED_UNTIL, SEED, make_settings


def test_wh001_migrations_up_and_down(empty_url, tmp_path):
    engine = make_engine(make_settings(empty_url, tmp_path))
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(schema.metadata.tables) <= tables
    assert "alembic_version" in tables
    # the migrated columns are the schema module's columns
    insp = inspect(engine)
    for name, table in schema.metadata.tables.items():
        assert {c["name"] for c in insp.get_columns(name)} == set(table.columns.keys()), name
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)  # and up again
    assert set(schema.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


@pytest.mark.slow  # three generator runs
def test_wh002_generator_is_deterministic():
    a = generate(seed=SEED, until=date(2025, 3, 27))
    b = generate(seed=SEED, until=date(2025, 3, 27))
    c = generate(seed=SEED + 1, until=date(2025, 3, 27))
    assert checksum(a) == checksum(b)
    assert checksum(a) != checksum(c)
    assert len(a.observations) == len(b.observations)


def test_wh003_crosswalk_integrity():
    areas = {r["key"]: r for r in reference_rows("areas.csv")}
    provinces = [r for r in areas.values() if r["level"] == "province"]
    old = {r["key"] for r in provinces if r["valid_to"] in ("", "2025-06-30") and r["valid_from"] == ""}
    new = {r["key"] for r in provinces if r["valid_to"] == ""}
    assert len(old) == 63
    assert len(new) == 34
    succession = reference_rows("area_succession.csv")
    olds = [r["old_key"] for r in succession]
    assert sorted(olds) == sorted(old)  # every old province exactly once
    assert {r["new_key"] for r in succession} == new  # the 34 are covered
    spanning = {r["key"] for r in provinces if not r["valid_from"] and not r["valid_to"]}
    assert len(spanning) == 11
    for r in succession:
        if r["old_key"] in spanning:  # unchanged provinces keep their code
            assert r["new_key"] == r["old_key"]
            assert [s["old_key"] for s in succession if s["new_key"] == r["new_key"]] == [r["old_key"]]
    # the codes agree with the shared crosswalk
    import csv

    from settings import ROOT

    with open(ROOT.parent / "shared" / "reference" / "provinces_2025_crosswalk.csv", encoding="utf-8") as fh:
        cross = {row["old_code"]: row["new_code"] for row in csv.DictReader(fh)}
    for r in succession:
        assert cross[areas[r["old_key"]]["code"]] == areas[r["new_key"]]["code"]


@pytest.fixture(scope="module")
def demo():
    """The demo data the seeded warehouse holds, generated once for the tests that read it."""
    return generate(seed=SEED, until=FIXED_UNTIL)


def test_wh004_demo_covers_the_catalogue(demo):
    data = demo
    catalogue = demo_records("indicators")
    assert len(catalogue) >= 80
    assert len({r["group"] for r in catalogue}) == 10
    obs = data.observations
    # every reported indicator; the derived ones (a formula) are computed by the seed, not generated
    assert set(obs["indicator"]) == {r["code"] for r in catalogue if not r["formula"]}
    prov_ind = next(r["code"] for r in catalogue if "province" in r["levels"] and r["periodicity"] == "M")
    sub = obs[obs["indicator"] == prov_ind]
    areas_2024 = set(sub[sub["period"] == "202406"]["area"]) - {"VN"}
    areas_2025 = set(sub[sub["period"] == "202509"]["area"]) - {"VN"}
    assert len(areas_2024) == 63 and len(areas_2025) == 34
    # monthly series run from 2015 to the current month (its deadline, the 25th, has passed)
    monthly = obs[(obs["area"] == "VN") & obs["period"].str.fullmatch(r"\d{6}")]
    assert monthly["period"].min() == "201501" and monthly["period"].max() == "202611"
    daily = obs[obs["period"].str.contains("-")]
    assert daily["period"].nunique() == 120
    assert (obs["revision"] > 0).any() and (obs["flag"] == "implausible").any()
    assert not data.targets.empty


def _national(data, code):
    obs = data.observations
    s = obs[(obs["indicator"] == code) & (obs["area"] == "VN") & (obs["revision"] == 0)]
    return s.set_index("period")["value"]


def test_wh005_magnitudes_are_plausible(demo):
    data = demo
    gdp = _national(data, "GDP_GROWTH")
    by_year = {y: gdp[[k for k in gdp.index if k.startswith(str(y))]].mean() for y in (2018, 2019, 2020, 2021, 2023)}
    assert 5 <= by_year[2018] <= 8.5 and 5 <= by_year[2019] <= 8.5
    assert by_year[2020] < by_year[2019] - 1.5 and by_year[2021] < by_year[2019] - 1.5  # the 2020-2021 dip
    cpi = _national(data, "CPI_YOY")
    assert cpi.between(-1, 7).all() and 1.5 <= cpi.mean() <= 4.5
    exports = _national(data, "EXPORTS")  # billion USD per month
    assert 10 <= exports["201501"] <= 20 and 25 <= exports["202510"] <= 50


def test_wh006_seeded_warehouse_counts(seeded_url, tmp_path, demo):
    engine = make_engine(make_settings(seeded_url, tmp_path))
    data = demo
    with engine.connect() as conn:  # the generated values (the computed ones: tests/test_formulas_compute.py)
        n_obs = conn.execute(select(func.count()).select_from(schema.observation)
                             .where(schema.observation.c.computed.is_(False))).scalar()
        n_cur = conn.execute(select(func.count()).select_from(schema.current_observation)
                             .where(schema.current_observation.c.computed.is_(False))).scalar()
        n_area = conn.execute(select(func.count()).select_from(schema.area).where(schema.area.c.level == "province")).scalar()
        n_succ = conn.execute(select(func.count()).select_from(schema.area_succession)).scalar()
        version = conn.execute(select(schema.data_version.c.version)).scalar()
    assert n_obs == len(data.observations)
    assert n_cur == len(data.observations) - int((data.observations["revision"] > 0).sum())
    assert n_area == 63 + 34 - 11 and n_succ == 63
    assert version == 1
    engine.dispose()


def test_wh007_health_endpoint(seeded_app, backend):
    client = seeded_app.test_client()
    res = client.get("/api/v1/health")
    assert res.status_code == 200
    body = res.get_json()
    assert body["status"] == "ok"
    assert body["database"] == backend
    assert body["data_version"] == 1
    assert body["observations"] > 100_000
    assert body["latest_period"] == (FIXED_UNTIL.replace(day=FIXED_UNTIL.day - 1)).isoformat()


def test_wh008_stamping_again_and_again_updates_in_place(empty_url, tmp_path):
    """Every submission stamps what it changed; stamping 171 scopes 200 times leaves one row a
    scope with the last version, and on PostgreSQL the table stays a few pages (the rows are
    updated in place, not deleted and inserted again)."""
    from sqlalchemy import text

    from data_access.engine import bump_data_version, get_stamps

    engine = make_engine(make_settings(empty_url, tmp_path))
    migrate(engine)
    scopes = [f"i:X{i:03d}" for i in range(170)] + ["daily"]
    for _ in range(200):
        with engine.begin() as conn:
            last = bump_data_version(conn, scopes)
    with engine.begin() as conn:
        assert bump_data_version(conn, ["i:X001", "i:NEW"]) == last + 1  # a new scope joins the others
    with engine.connect() as conn:
        version, stamps = get_stamps(conn)
        assert version == last + 1 and len(stamps) == 173  # and "*", stamped by the migration
        assert stamps["i:X001"] == stamps["i:NEW"] == last + 1 and stamps["i:X002"] == last
        if engine.dialect.name == "postgresql":
            assert conn.execute(text("SELECT pg_relation_size('data_stamp')")).scalar() <= 128 * 1024
    engine.dispose()


@pytest.mark.postgres
def test_wh009_a_pooled_connection_is_pinged_only_after_idling(databases, tmp_path, monkeypatch):
    """A connection back in the pool for less than PING_AFTER_IDLE_S is used as it is (no round trip
    before the request's first read); one idle longer answers ``SELECT 1`` first, and a connection
    whose server side went away meanwhile is replaced before anything reads from it."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from data_access import engine as engine_module

    engine = make_engine(make_settings(databases.new("postgresql"), tmp_path))
    killer = make_engine(make_settings(databases.new("postgresql"), tmp_path))

    def backend_of_a_pooled_connection_killed() -> int:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with killer.connect() as conn:  # the server ends that session while it idles in the pool
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
            conn.commit()
        return pid

    try:
        monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 3600.0)  # everything counts as just used
        backend_of_a_pooled_connection_killed()
        with pytest.raises(DBAPIError), engine.connect() as conn:  # not pinged: the first read finds it gone
            conn.execute(text("SELECT 1"))
        monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 0.0)  # everything has idled
        killed = backend_of_a_pooled_connection_killed()
        with engine.connect() as conn:  # pinged, found gone, replaced: the read succeeds
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != killed
    finally:
        engine.dispose()
        killer.dispose()


@pytest.mark.postgres
def test_wh010_a_requests_read_connection_switches_autocommit_without_a_round_trip(databases, tmp_path,
                                                                                    monkeypatch):
    """Issue 22: the request's read connection is put in autocommit and back without a statement
    sent for it (SQLAlchemy's isolation level made psycopg2 send ``SET default_transaction_isolation
    TO DEFAULT`` when the connection was returned, every request), also after the pool's idle ping
    began a transaction on it; the next user of the pooled connection is in a transaction again: a
    writer's rollback undoes its write."""
    from sqlalchemy import text

    from data_access import engine as engine_module

    url = databases.new("postgresql")
    engine = make_engine(make_settings(url, tmp_path))
    # every statement this server runs for the session comes back to the client as a notice
    traced = create_engine(url, pool_size=1, max_overflow=0,
                           connect_args={"options": "-c log_statement=all -c client_min_messages=log"})
    for event_name, hook in (("checkin", engine_module._checked_in), ("checkout", engine_module._ping_if_idle)):
        event.listen(traced.pool, event_name, hook)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x int)"))
        for idle_ping in (False, False, True):
            monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 0.0 if idle_ping else 3600.0)
            conn = engine_module._autocommit(traced.connect())
            dbapi = conn.connection.dbapi_connection
            assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 0  # its notice is logged
            dbapi.notices.clear()
            engine_module._close(conn)
            assert dbapi.notices == []  # nothing sent when it was returned: no SET, no ROLLBACK
            assert dbapi.autocommit is False
            cursor = dbapi.cursor()  # the trace works: a statement sent comes back as a notice
            cursor.execute("SELECT 1")
            cursor.close()
            assert any("statement: SELECT 1" in n for n in dbapi.notices), dbapi.notices
            dbapi.rollback()
        with traced.connect() as conn:  # the same pooled connection, for a writer
            assert conn.connection.dbapi_connection is dbapi and dbapi.autocommit is False
            conn.execute(text("INSERT INTO t VALUES (1)"))
            conn.rollback()
            assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
    finally:
        traced.dispose()
        engine.dispose()
