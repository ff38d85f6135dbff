# size: every read of the data layer against a small warehouse built for them, on both backends
"""Issue 3: each data-access function against hand-computed expectations on a small fixture
warehouse (both backends), cache invalidation by data_version across processes, and a cache
outage."""

from __future__ import annotations

import math
import subprocess
import sys
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy import select

from data_access import schema
from data_access.engine import bump_data_version, make_engine, migrate
from ingest.reference import load_reference
from tests.conftest import free_port, make_settings

NOW = datetime(2025, 11, 1, 9, 0)

# Test indicators (added to the real reference catalogue of the fixture warehouse)
TEST_INDICATORS = [
    # code, periodicity, aggregation, levels, direction, unit, decimals, weight/num/den
    ("T_SUM", "M", "sum", "nation;region;province", "up", "nghìn tỷ đồng", 1, None, None, None),
    ("T_W", "Q", "sum", "nation;region;province", "neutral", "nghìn người", 0, None, None, None),
    ("T_RATE", "Q", "weighted", "nation;region;province", "down", "%", 2, "T_W", None, None),
    ("T_NUM", "Y", "sum", "nation;region;province", "up", "nghìn tỷ đồng", 1, None, None, None),
    ("T_DEN", "Y", "sum", "nation;region;province", "neutral", "nghìn người", 0, None, None, None),
    ("T_RATIO", "Y", "ratio", "nation;region;province", "up", "triệu đồng/người", 1, None, "T_NUM", "T_DEN"),
    ("T_DAY", "D", "none", "nation", "up", "tỷ USD", 2, None, None, None),
]
R2_NEW = ["01", "22", "24", "31", "33", "37"]


def _add_indicators(conn) -> dict[str, int]:
    agency_id = conn.execute(select(schema.agency.c.id).where(schema.agency.c.code == "TK")).scalar()
    conn.execute(schema.indicator.insert(), [
        {"code": code, "name_vi": f"Chỉ tiêu thử {code}", "name_en": f"Test indicator {code}", "group_code": "G01",
         "unit_vi": unit, "unit_en": unit, "periodicity": per, "agency_id": agency_id, "aggregation": agg,
         "direction": direction, "levels": levels, "decimals": dec, "confidential": False, "cumulative": False,
         "definition_vi": "", "definition_en": "", "search_text": code.lower()}
        for code, per, agg, levels, direction, unit, dec, *_ in TEST_INDICATORS
    ])
    ids = dict(conn.execute(select(schema.indicator.c.code, schema.indicator.c.id)).all())
    for code, *_, w, n, d in TEST_INDICATORS:
        links = {k: ids[v] for k, v in (("agg_weight_id", w), ("agg_num_id", n), ("agg_den_id", d)) if v}
        if links:
            conn.execute(schema.indicator.update().where(schema.indicator.c.code == code).values(**links))
    return ids


def _obs(conn, ids, area_ids, code, area, period, value, revision=0, status="O"):
    from domain.periods import parse

    row = {"indicator_id": ids[code], "area_id": area_ids[area], "period": period, "period_start": parse(period).start,
           "value": value, "status": status, "revision": revision, "recorded_at": NOW}
    conn.execute(schema.observation.insert(), [row])
    conn.execute(schema.current_observation.delete().where(
        schema.current_observation.c.indicator_id == row["indicator_id"],
        schema.current_observation.c.area_id == row["area_id"],
        schema.current_observation.c.period_start == row["period_start"]))
    conn.execute(schema.current_observation.insert(), [{k: v for k, v in row.items()}])


def build_fixture(url: str) -> None:
    engine = make_engine(make_settings(url, None))
    migrate(engine)
    with engine.begin() as conn:
        load_reference(conn)
        ids = _add_indicators(conn)
        area_ids = dict(conn.execute(select(schema.area.c.key, schema.area.c.id)).all())
        # T_SUM national: 202301..202410 with value = running month number 1..22
        for n in range(1, 23):
            y, m = 2023 + (n - 1) // 12, (n - 1) % 12 + 1
            _obs(conn, ids, area_ids, "T_SUM", "VN", f"{y}{m:02d}", float(n), status="P" if n == 22 else "O")
        _obs(conn, ids, area_ids, "T_SUM", "VN", "202409", 21.5, revision=1)  # a revision of 202409 (was 21)
        # T_SUM provinces in 202406 (old era): the two former provinces of new Hải Phòng, and Hà Nội
        for key, v in (("30-63", 1.0), ("31-63", 2.0), ("01", 5.0)):
            _obs(conn, ids, area_ids, "T_SUM", key, "202406", v)
        # 202509 (new era): region R2's six provinces, one missing (37)
        for key, v in (("01", 10.0), ("22", 4.0), ("24", 3.0), ("31", 6.0), ("33", 2.0)):
            _obs(conn, ids, area_ids, "T_SUM", key, "202509", v)
        _obs(conn, ids, area_ids, "T_SUM", "01", "202508", 9.0)
        # T_RATE weighted by T_W in 2025Q3 for all of R2
        for key, rate, weight in (("01", 2.0, 100), ("22", 4.0, 300), ("24", 3.0, 100), ("31", 1.0, 200),
                                  ("33", 5.0, 100), ("37", 2.5, 200)):
            _obs(conn, ids, area_ids, "T_RATE", key, "2025Q3", rate)
            _obs(conn, ids, area_ids, "T_W", key, "2025Q3", float(weight))
        # T_RATIO = T_NUM / T_DEN * 1000 in 2024 for R2-63 provinces 01 and 22 only
        for key, num, den in (("01", 50.0, 10.0), ("22", 30.0, 20.0)):
            _obs(conn, ids, area_ids, "T_NUM", key, "2024", num)
            _obs(conn, ids, area_ids, "T_DEN", key, "2024", den)
            _obs(conn, ids, area_ids, "T_RATIO", key, "2024", num / den * 1000)
        for day, v in (("2025-10-24", 0.8), ("2025-10-30", 1.0), ("2025-10-31", 1.25)):
            _obs(conn, ids, area_ids, "T_DAY", "VN", day, v)
        ub01 = conn.execute(select(schema.agency.c.id).where(schema.agency.c.code == "UB01")).scalar()
        conn.execute(schema.daily_item.insert(), [
            {"item_date": date(2025, 10, 31), "agency_id": ub01, "category": "kinh_te", "severity": "info",
             "title": "Tin thường", "body": "", "recorded_at": datetime(2025, 10, 31, 9)},
            {"item_date": date(2025, 10, 31), "agency_id": ub01, "category": "thien_tai", "severity": "critical",
             "title": "Sạt lở", "body": "", "recorded_at": datetime(2025, 10, 31, 8)},
            {"item_date": date(2025, 10, 30), "agency_id": ub01, "category": "y_te", "severity": "warning",
             "title": "Hôm trước", "body": "", "recorded_at": datetime(2025, 10, 30, 8)},
        ])
        conn.execute(schema.target.insert(), [
            {"indicator_id": ids["T_SUM"], "area_id": area_ids["VN"], "year": 2024, "value": 200.0,
             "comparison": "at_least", "source": "test plan"},
        ])
        bump_data_version(conn)
    engine.dispose()


@pytest.fixture
def qapp(backend, databases, tmp_path):
    from app import create_app

    url = databases.new(backend)
    build_fixture(url)
    server = create_app(make_settings(url, tmp_path))
    with server.test_request_context("/"):
        yield server
    server.extensions["warehouse"].dispose()


def test_dax001_series(qapp):
    from data_access.queries import series

    df = series("T_SUM", ("VN",), "202401", "202410")
    assert list(df["period"]) == [f"2024{m:02d}" for m in range(1, 11)]
    assert df.loc[df["period"] == "202409", "value"].item() == 21.5  # the current revision
    assert df.loc[df["period"] == "202409", "revision"].item() == 1
    two = series("T_SUM", ("01", "VN"), "202508", "202509")
    assert set(two["area_key"]) == {"01"}  # VN has no 2025 values
    assert list(two["value"]) == [9.0, 10.0]


def test_dax002_cross_section_with_ranks(qapp):
    from data_access.queries import cross_section

    xs = cross_section("T_RATE", "2025Q3", "province")
    assert len(xs) == 34  # every province of the new era, reported or not
    reported = xs.dropna(subset=["value"])
    assert list(reported["area_key"]) == ["31", "01", "37", "24", "22", "33"]  # lower is better
    assert list(reported["rank"]) == [1, 2, 3, 4, 5, 6]
    assert xs["value"].isna().sum() == 28
    old = cross_section("T_SUM", "202406", "province")
    assert len(old) == 63 and old.iloc[0]["area_key"] == "01"  # largest first when "up"


def test_dax003_regional_aggregates_by_rule(qapp):
    from data_access.queries import regional_aggregates

    s = regional_aggregates("T_SUM", "202509").set_index("region_key")
    assert len(s) == 6 and s.index[0] == "R1"
    assert s.loc["R2", "value"] == 25.0  # sum of the five reported
    assert s.loc["R2", "n_provinces"] == 6 and s.loc["R2", "n_reported"] == 5 and not s.loc["R2", "complete"]
    w = regional_aggregates("T_RATE", "2025Q3").set_index("region_key")
    expected = (2 * 100 + 4 * 300 + 3 * 100 + 1 * 200 + 5 * 100 + 2.5 * 200) / 1000
    assert w.loc["R2", "value"] == pytest.approx(expected)  # 2.9, not the plain mean 2.917
    assert math.isnan(w.loc["R1", "value"])
    r = regional_aggregates("T_RATIO", "2024").set_index("region_key")
    assert list(r.index) == ["R1-63", "R2-63", "R3-63", "R4-63", "R5-63", "R6-63"]  # the old regions in 2024
    assert r.loc["R2-63", "value"] == pytest.approx(80 / 30 * 1000)


def test_dax004_kpi_snapshot(qapp):
    from data_access.queries import kpi_snapshot

    (k,) = kpi_snapshot(("T_SUM",), "VN")
    assert (k.period, k.value, k.status) == ("202410", 22.0, "P")
    assert k.previous_value == 21.5 and k.change_previous == pytest.approx(0.5)
    assert k.pct_previous == pytest.approx((22 / 21.5 - 1) * 100)
    assert k.last_year_period == "202310" and k.last_year_value == 10.0 and k.pct_last_year == pytest.approx(120)
    assert k.ytd == pytest.approx(sum(range(13, 21)) + 21.5 + 22)
    assert k.ytd_last_year == pytest.approx(sum(range(1, 11)))
    assert k.target == pytest.approx(200 * 10 / 12) and k.target_status == "on_track"
    assert k.spark[-1] == 22.0 and len(k.spark) == 22 and not k.revised
    (r,) = kpi_snapshot(("T_RATE",), "VN")
    assert r.value is None and r.period is None  # no national value: an empty tile, not an error


def test_dax005_target_status_rule():
    from domain.targets import target_status

    assert target_status(105, 100, "at_least") == "on_track"
    assert target_status(96, 100, "at_least") == "at_risk"
    assert target_status(94, 100, "at_least") == "off_track"
    assert target_status(4.6, 4.5, "at_most") == "at_risk"
    assert target_status(3.0, 4.5, "at_most") == "on_track"
    assert target_status(None, 4.5, "at_most") is None


def test_dax006_search_without_diacritics(qapp):
    from data_access.catalogue import search_indicators

    with_marks = search_indicators("Tỷ lệ thất nghiệp")
    without = search_indicators("ty le that nghiep")
    assert not without.empty and list(without["code"]) == list(with_marks["code"])
    assert any("thất nghiệp" in n for n in without["name_vi"])
    assert search_indicators("khong co chi tieu nay xyz").empty


def test_dax007_comparable_series(qapp):
    from data_access.queries import comparable_series

    df = comparable_series("T_SUM", ("31", "01"), "202406", "202509").set_index(["area_key", "period"])
    assert df.loc[("31", "202406"), "value"] == 3.0 and df.loc[("31", "202406"), "rebuilt"]
    assert df.loc[("01", "202406"), "value"] == 5.0 and not df.loc[("01", "202406"), "rebuilt"]
    assert df.loc[("31", "202509"), "value"] == 6.0


def test_dax008_revisions(qapp):
    from data_access.queries import revision_rows, revisions

    rev = revisions("T_SUM", "VN")
    assert list(zip(rev["period"], rev["revision"], rev["value"], strict=False)) == [("202409", 1, 21.5), ("202409", 0, 21.0)]
    # the card's rows: the same, newest first, as many as asked for
    assert [(r.period, r.revision, r.value) for r in revision_rows("T_SUM", "VN")] == [("202409", 1, 21.5), ("202409", 0, 21.0)]
    assert [(r.period, r.revision) for r in revision_rows("T_SUM", "VN", 1)] == [("202409", 1)]
    assert revision_rows("T_SUM", "VN")[0].recorded_at >= revision_rows("T_SUM", "VN")[1].recorded_at


def test_dax009_cache_hits_and_version_key(qapp):
    from data_access.cache.backend import CacheManager
    from data_access.queries import series

    cache = CacheManager.current()
    series("T_SUM", ("VN",), None, None)
    hits = cache.hits
    series("T_SUM", ("VN",), None, None)
    assert cache.hits == hits + 1


_OTHER_PROCESS = """
import sys
from sqlalchemy import select
from data_access import schema
from data_access.engine import make_engine, bump_data_version
from domain.periods import parse
from tests.conftest import make_settings
engine = make_engine(make_settings(sys.argv[1], None))
with engine.begin() as conn:
    ind = conn.execute(select(schema.indicator.c.id).where(schema.indicator.c.code == "T_SUM")).scalar()
    vn = conn.execute(select(schema.area.c.id).where(schema.area.c.key == "VN")).scalar()
    conn.execute(schema.current_observation.update().where(
        schema.current_observation.c.indicator_id == ind, schema.current_observation.c.area_id == vn,
        schema.current_observation.c.period == "202410").values(value=99.0, revision=1))
    bump_data_version(conn)
"""


@pytest.mark.parametrize("cache_kind", ["FileSystemCache", pytest.param("RedisCache", marks=pytest.mark.heavy)])
def test_dax010_write_in_another_process_is_seen_through_a_shared_cache(backend, databases, tmp_path, root, cache_kind):
    """Two app instances (two 'workers') share one cache; a write by a third process is visible
    on the next call of both without clearing anything."""
    from app import create_app
    from data_access.queries import series

    url = databases.new(backend)
    build_fixture(url)
    redis = None
    extra = {"cache_type": "FileSystemCache", "cache_dir": tmp_path / "cache"}
    if cache_kind == "RedisCache":
        redis = _start_redis(tmp_path)
        extra = {"cache_redis_url": redis[1]}
    try:
        workers = [create_app(make_settings(url, tmp_path, **extra)) for _ in range(2)]
        for w in workers:
            with w.test_request_context("/"):
                assert series("T_SUM", ("VN",), "202410", "202410")["value"].item() == 22.0
        with workers[1].test_request_context("/"):
            from data_access.cache.backend import CacheManager

            before = CacheManager.current().hits
            series("T_SUM", ("VN",), "202410", "202410")
            assert CacheManager.current().hits == before + 1  # served from the shared cache
        subprocess.run([sys.executable, "-c", _OTHER_PROCESS, url], cwd=root, check=True, timeout=60)
        for w in workers:
            with w.test_request_context("/"):
                assert series("T_SUM", ("VN",), "202410", "202410")["value"].item() == 99.0
        for w in workers:
            w.extensions["warehouse"].dispose()
    finally:
        if redis:
            redis[0].terminate()
            redis[0].wait(timeout=10)


def _start_redis(tmp_path):
    import shutil
    import time

    import redis as redis_lib

    exe = shutil.which("redis-server")
    if not exe:
        pytest.fail("redis-server is not installed (scripts/test.sh installs it)")
    port = free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            redis_lib.Redis.from_url(url).ping()
            break
        except redis_lib.ConnectionError:
            time.sleep(0.05)
    return proc, url


def test_dax011_cache_outage_degrades_to_direct_queries(backend, databases, tmp_path):
    from app import create_app
    from data_access.cache.backend import CacheManager
    from data_access.queries import kpi_snapshot, series

    url = databases.new(backend)
    build_fixture(url)
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    server = create_app(make_settings(url, tmp_path, cache_redis_url=dead))
    with server.test_request_context("/"):
        assert series("T_SUM", ("VN",), "202410", "202410")["value"].item() == 22.0
        assert kpi_snapshot(("T_SUM",), "VN")[0].value == 22.0
        assert CacheManager.current().errors >= 1
    client = server.test_client()
    assert client.get("/api/v1/health").status_code == 200
    server.extensions["warehouse"].dispose()


def test_dax012_areas_by_era(qapp):
    from data_access.catalogue import areas_on, region_members, resolve_area

    assert len(areas_on("province", date(2025, 6, 30))) == 63
    assert len(areas_on("province", date(2025, 7, 1))) == 34
    assert len(areas_on("region", date(2024, 1, 1))) == 6 and len(areas_on("region", date(2026, 1, 1))) == 6
    assert resolve_area("08", date(2024, 5, 1)).key == "08-63"
    assert resolve_area("08", date(2025, 9, 1)).key == "08"
    assert sorted(region_members(date(2025, 9, 30))["R2"]) == R2_NEW


def test_dax013_daily_items_and_indicators(qapp):
    from data_access import daily

    items = daily.daily_items(date(2025, 10, 31))
    assert list(items["title"]) == ["Sạt lở", "Tin thường"]  # most severe first within the day
    assert len(daily.daily_items(date(2025, 10, 31), days=2)) == 3
    # the daily brief reads the same items as dicts (no frame): newest day first, then most severe
    records = daily.daily_item_records(date(2025, 10, 31), days=2)
    assert [r["title"] for r in records] == list(daily.daily_items(date(2025, 10, 31), days=2)["title"])
    assert [r["item_date"] for r in records] == [date(2025, 10, 31)] * 2 + [date(2025, 10, 30)]
    assert [daily.SEVERITY_ORDER[r["severity"]] for r in records[:2]] == sorted(daily.SEVERITY_ORDER[r["severity"]] for r in records[:2])
    assert {r["code"]: r["value"] for r in daily.daily_indicator_records(date(2025, 10, 31))}["T_DAY"] == 1.25
    d = daily.daily_indicators(date(2025, 10, 31)).set_index("code").loc["T_DAY"]
    assert d["value"] == 1.25 and d["previous_day"] == 1.0 and d["change_day"] == pytest.approx(0.25)
    assert d["pct_day"] == pytest.approx(25.0) and d["week_ago"] == 0.8 and d["change_week"] == pytest.approx(0.45)


def test_dax014_data_freshness(qapp):
    from data_access.daily import data_freshness

    f = data_freshness(date(2025, 11, 26)).set_index("code")
    # T_SUM's latest national month is 202410; by 26/11/2025 the deadline of 202511 has passed
    assert f.loc["T_SUM", "latest_period"] == "202410" and f.loc["T_SUM", "expected_period"] == "202511"
    assert f.loc["T_SUM", "periods_behind"] == 13 and f.loc["T_SUM", "overdue"]
    assert f.loc["T_DAY", "expected_period"] == "2025-11-25"
    assert pd.isna(f.loc["T_RATE", "latest_period"]) and f.loc["T_RATE", "overdue"]  # never reported nationally


def test_dax015_view_callback_responses_are_cached_per_data_version(backend, databases, tmp_path):
    """The router callback's whole response is served from the cache for the same body, and a new
    data version (an accepted submission) is rendered afresh."""
    import json

    from app import create_app
    from data_access.cache.backend import CacheManager

    url = databases.new(backend)
    build_fixture(url)
    server = create_app(make_settings(url, tmp_path))
    client = server.test_client()
    body = {"output": "..shell-header.children...shell-footer.children..",
            "outputs": [{"id": "shell-header", "property": "children"}, {"id": "shell-footer", "property": "children"}],
            "inputs": [{"id": "shell-location", "property": "pathname", "value": "/"},
                       {"id": "shell-location", "property": "search", "value": ""}],
            "changedPropIds": ["shell-location.pathname"]}
    first = client.post("/_dash-update-component", json=body)
    assert first.status_code == 200
    with server.app_context():
        hits = CacheManager.current().hits
    second = client.post("/_dash-update-component", json=body)
    assert second.data == first.data
    with server.app_context():
        assert CacheManager.current().hits == hits + 1
        engine = server.extensions["warehouse"].engine
        with engine.begin() as conn:
            bump_data_version(conn)
        misses = CacheManager.current().misses
    third = client.post("/_dash-update-component", json=body)
    assert json.loads(third.data) == json.loads(first.data)
    with server.app_context():
        assert CacheManager.current().misses > misses  # a new version: rendered again, not served stale
    server.extensions["warehouse"].dispose()


def test_dax016b_regional_series_of_some_regions_is_theirs_of_all(qapp):
    """Asked for some regions, regional_series computes those only, from their own provinces'
    values (and components: weights, numerators, denominators): the same rows as the whole series
    keeps for them (both eras: a region key absent in one era has no rows there)."""
    from data_access.catalogue import region_members
    from data_access.queries import regional_series

    for code, start, end in (("T_SUM", "202405", "202510"), ("T_RATE", "2025Q2", "2025Q4"), ("T_RATIO", "2023", "2026")):
        whole = regional_series(code, start, end)
        for regions in (("R1",), ("R2", "R5"), tuple(region_members(date(2026, 1, 1)))[:1]):
            some = regional_series(code, start, end, regions).reset_index(drop=True)
            expected = whole[whole["region_key"].isin(regions)].reset_index(drop=True)
            assert not some.empty and set(some["region_key"]) <= set(regions)
            pd.testing.assert_frame_equal(some, expected)


def test_dax016_regional_series_matches_each_periods_aggregates(qapp):
    """The range read of regional_series gives, period by period, what regional_aggregates gives
    (sums, weighted rates, ratios of components; both eras)."""
    from data_access.queries import regional_aggregates, regional_series

    for code, start, end in (("T_SUM", "202405", "202510"), ("T_RATE", "2025Q2", "2025Q4"), ("T_RATIO", "2023", "2025")):
        rs = regional_series(code, start, end)
        assert not rs.empty
        for period, grp in rs.groupby("period"):
            agg = regional_aggregates(code, period).reset_index(drop=True)
            mine = grp.drop(columns=["period", "period_start"]).reset_index(drop=True)
            pd.testing.assert_frame_equal(mine, agg, check_dtype=False)
    rate = regional_series("T_RATE", "2025Q3", "2025Q3").set_index("region_key")
    assert rate.loc["R2", "value"] == pytest.approx((2 * 100 + 4 * 300 + 3 * 100 + 1 * 200 + 5 * 100 + 2.5 * 200) / 1000)


def test_dax017_daily_kpis_from_the_recent_days_and_last_year(qapp):
    """Daily tiles read only the last weeks and the days around the same day last year; what
    they show is the latest day, the day before, the same day last year and the 24-day
    sparkline, not disturbed by the days in between."""
    from datetime import timedelta

    from data_access.engine import bump_data_version, current_warehouse
    from data_access.queries import kpi_snapshot

    today = date.today()
    latest = today - timedelta(days=1)
    last_year = latest.replace(year=latest.year - 1)
    values = {latest - timedelta(days=n): 100.0 + n for n in range(60)}  # recent days: 100 (latest), 101, ...
    values.update({last_year - timedelta(days=n): 50.0 + n for n in range(-3, 200)})  # a year back and before
    # The request's read connection is in autocommit on PostgreSQL: the write goes through the
    # warehouse's engine (this test's own database) and its version bump.
    with current_warehouse().engine.begin() as conn:
        ids = dict(conn.execute(select(schema.indicator.c.code, schema.indicator.c.id)).all())
        area_ids = dict(conn.execute(select(schema.area.c.key, schema.area.c.id)).all())
        conn.execute(schema.current_observation.delete().where(schema.current_observation.c.indicator_id == ids["T_DAY"]))
        conn.execute(schema.current_observation.insert(), [
            {"indicator_id": ids["T_DAY"], "area_id": area_ids["VN"], "period": d.isoformat(), "period_start": d,
             "value": v, "status": "O", "revision": 0, "recorded_at": NOW} for d, v in values.items()])
        bump_data_version(conn)
    (k,) = kpi_snapshot(("T_DAY",), "VN")
    assert k.period == latest.isoformat() and k.value == 100.0
    assert k.previous_value == 101.0 and k.last_year_period == last_year.isoformat() and k.last_year_value == 50.0
    assert list(k.spark) == [100.0 + n for n in range(23, -1, -1)]


def test_dax018_series_of_several_windows_in_one_read(qapp):
    """series_windows gives, for each (indicator, window), exactly the points series gives."""
    from data_access.queries import WINDOW_COLUMNS, series, series_windows

    windows = (("T_SUM", "202401", "202410"), ("T_DAY", "2025-10-25", "2025-10-31"), ("T_RATE", "2025Q1", "2025Q4"))
    areas = ("VN", "01", "22")
    got = series_windows(windows, areas)
    assert list(dict.fromkeys(got["code"])) == ["T_SUM", "T_DAY", "T_RATE"]
    for code, start, end in windows:
        mine = got[got["code"] == code].drop(columns="code").reset_index(drop=True)
        ref = series(code, areas, start, end)[WINDOW_COLUMNS[1:]].reset_index(drop=True)
        assert len(ref) > 0, code
        pd.testing.assert_frame_equal(mine, ref, check_dtype=False)
    assert series_windows((), areas).empty


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_dax019_packed_columns_carry_each_groups_values_exactly_and_in_step(empty_url):
    """``packed_ints``/``packed_floats`` (PostgreSQL): each group's values come back bit for bit
    (extremes, negative zero, infinities, NaN, a value with no short decimal), and two packed
    columns of one group in the same row order, as two ``array_agg`` would."""
    import math

    from sqlalchemy import Float, Integer, create_engine, func, select

    from data_access.engine import array_param
    from data_access.queries import packed_floats, packed_ints, unpack_floats, unpack_ints

    rows = [(1, 7, 0.1 + 0.2), (1, -3, -0.0), (1, 2**31 - 1, 1.7976931348623157e308), (2, 5, 5e-324),
            (2, -(2**31), math.inf), (2, 0, -math.inf), (2, 11, math.nan), (3, 4, -123456.789)]
    data = func.unnest(array_param("g", Integer), array_param("a", Integer), array_param("v", Float)) \
        .table_valued("g", "a", "v").render_derived()
    stmt = (select(data.c.g, packed_ints(data.c.a), packed_floats(data.c.v), func.array_agg(data.c.a))
            .group_by(data.c.g).order_by(data.c.g))
    engine = create_engine(empty_url)
    with engine.connect() as conn:  # the values as array texts: each float by its repr, sign and all
        got = conn.execute(stmt, {k: "{" + ",".join(repr(r[i]) for r in rows) + "}"
                                  for i, k in enumerate("gav")}).all()
    engine.dispose()
    assert [r[0] for r in got] == [1, 2, 3]
    for g, ints, floats, order in got:
        assert unpack_ints(ints) == tuple(order)  # the same row order as an array of the same group
        expected = {a: v for gg, a, v in rows if gg == g}
        assert len(unpack_floats(floats)) == len(expected)
        for a, v in zip(unpack_ints(ints), unpack_floats(floats), strict=True):
            assert math.copysign(1, v) == math.copysign(1, expected[a]) and (v == expected[a] or v != v and expected[a] != expected[a])


def test_dax030_int_frame_equals_the_cast_frame():
    """``int_frame`` (column by column) builds exactly the frame of building from records and casting."""
    from datetime import datetime

    from data_access.queries import int_frame

    cols = ["key", "value", "status", "flag", "at", "rank"]
    at = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    for records in ([], [("01", 1.5, "F", None, at, 1), ("02", math.nan, None, None, None, None)],
                    [("79", -2.0, "P", "x", at, 3)]):
        cast = pd.DataFrame(records, columns=cols).astype({"rank": "Int64"})
        built = int_frame(records, cols, ("rank",))
        assert built.dtypes.equals(cast.dtypes), (built.dtypes, cast.dtypes)
        assert built.equals(cast)



def test_dax031_region_figure_adds_up_as_the_aggregation_rule():
    """The regional figure's fast path for sums, stocks and means gives exactly what the rule's
    :func:`~domain.aggregation.aggregate` gives (same order of addition), missing and NaN values
    left out, NaN when no province reported."""
    import random
    from types import SimpleNamespace

    from data_access.queries import region_figure
    from domain.aggregation import aggregate

    rng = random.Random(31)
    provinces = [f"{n:02d}" for n in range(1, 12)]
    for rule in ("sum", "last", "mean"):
        ind = SimpleNamespace(computed=False, aggregation=rule)
        for _ in range(200):
            values = {k: rng.choice([None, math.nan, rng.uniform(-1e6, 1e6), rng.random() * 1e-3])
                      for k in provinces if rng.random() < 0.8}
            got = region_figure(ind, "R1", provinces, values)
            want = aggregate(rule, {k: values[k] for k in provinces if k in values})
            assert got == want or (math.isnan(got) and math.isnan(want)), (rule, values)
    assert math.isnan(region_figure(SimpleNamespace(computed=False, aggregation="sum"), "R1", provinces, {}))
