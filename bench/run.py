"""Benchmark of the data-access layer (and, with ``--http``, of the served boards) at national scale.

    DATABASE_URL=postgresql+psycopg2://user@127.0.0.1:5432/bench \\
        python -m bench.run --observations 10000000 --json bench/results/latest.json [--http]

1. Builds the warehouse in the (empty) PostgreSQL database named by ``DATABASE_URL``: the demo
   data set (reference facts, 130 indicators, 2015 to today), scaled up with daily provincial
   series (``BENCH_Dnn`` indicators, one value per province and day, generated in SQL) and, with
   ``--communes N``, daily commune series (``bench.communes``) until the ``observation`` table
   holds ``--observations`` rows (50,000,000: ``--observations 50000000 --communes 3300``).
   Writes the build time and the tables' and indexes' sizes (``sizes``) into the results. An existing warehouse of that size is
   reused (``--rebuild`` drops it first).
2. For every data-access function, runs ``--samples`` (>= 200) realistic random filter choices and
   reports uncached p50/p95 (the function's own cache bypassed, reference data warm), cached
   p50/p95 (the same calls again, served by the cache), and the raw-SQL floor: the very SQL
   statements the function executed (captured from the driver) replayed with psycopg2 directly,
   no pandas, no cache.
3. ``--metadata-change`` then changes the catalogue through the metadata service (an indicator's
   Vietnamese name, as an admin's edit on /admin/metadata would; changed back at the end), which
   bumps the stamps every board reads; after the first refresh (each call once: recomputed), the
   cached p50/p95 are measured again against the same bound (cached p95 <= 2 ms).
4. ``--http`` starts gunicorn (2 workers) and replays real Dash callback requests on 127.0.0.1
   (see ``bench/http_replay.py``).

Writes ``--json PATH``: ``{"observations": N, "functions": {NAME: {"uncached_p50_ms", ...,
"raw_sql_p95_ms"}}, "http": {...}}`` and prints a table.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select, text  # noqa: E402

from bench.communes import add_commune_series, insert_daily, make_current, table_sizes  # noqa: E402
from bench.measure import percentile as pct  # noqa: E402
from bench.measure import write_result  # noqa: E402
from data_access import schema  # noqa: E402
from data_access.engine import make_engine, migrate  # noqa: E402
from runtime import settle_gc  # noqa: E402
from settings import Settings  # noqa: E402

COMMUNE_SHARE = 0.6  # of the rows beyond the demo's, with --communes


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --- building ----------------------------------------------------------------------------------


def build(engine, target: int, until: date, rebuild: bool, communes: int = 0) -> int:
    from ingest.seed import is_empty, seed_demo

    if rebuild:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate(engine)
    with engine.connect() as conn:
        empty = is_empty(conn)
        count = conn.execute(select(func.count()).select_from(schema.observation)).scalar()
    if not empty and count >= target * 0.98:
        log(f"reusing the warehouse: {count:,} observations")
        keep_rollups(engine)
        return count
    if not empty:
        raise SystemExit("the database holds a smaller warehouse; use --rebuild")
    started = time.perf_counter()
    seed_demo(engine, seed=2020, until=until)
    with engine.connect() as conn:
        base = conn.execute(select(func.count()).select_from(schema.observation)).scalar()
    log(f"demo data: {base:,} observations in {time.perf_counter() - started:.0f} s")
    missing = target - base
    if missing > 0 and communes:  # the two-tier government's communes: most of the rows of a large build
        missing -= add_commune_series(engine, communes, round(missing * COMMUNE_SHARE), until, log)
    if missing > 0:
        scale_up(engine, missing, until)
    # what autovacuum does to a warehouse after a bulk load, at once: statistics for the planner,
    # and the visibility map that lets cross-sections read the covering index alone
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE) observation, current_observation"))
        conn.execute(text("ANALYZE"))
        conn.execute(text("CHECKPOINT"))  # the load's dirty pages written now, not while the timing runs
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(schema.observation)).scalar()
    log(f"warehouse ready: {count:,} observations in {time.perf_counter() - started:.0f} s")
    keep_rollups(engine)
    return count


def keep_rollups(engine) -> None:
    """The rollups computed by this code, as a deployment's ``flask --app app refresh-rollups``
    leaves them (the rows of other code are not used; the generated indicators have none yet)."""
    from data_access import rollups

    with engine.begin() as conn:
        log(f"rollups: {rollups.summary(rollups.refresh(conn))}")


def scale_up(engine, missing: int, until: date) -> None:
    """Daily provincial series generated in SQL: each BENCH_Dnn indicator has one value per
    province valid on the day, for ``days`` days up to ``until``."""
    days = 3650
    per_indicator = days * 34 + max(0, days - 515) * 29  # provinces valid per day, roughly
    n_ind = max(1, round(missing / per_indicator))
    start = until - timedelta(days=days - 1)
    log(f"scaling up: {n_ind} daily provincial indicators x {days} days ({start} to {until})")
    t0 = time.perf_counter()
    with engine.begin() as conn:
        agency = conn.execute(select(schema.agency.c.id).where(schema.agency.c.code == "TK")).scalar()
        conn.execute(schema.indicator.insert(), [
            {"code": f"BENCH_D{i:02d}", "name_vi": f"Chỉ tiêu ngày mô phỏng tải {i:02d}",
             "name_en": f"Load-test daily indicator {i:02d}", "group_code": "G01", "unit_vi": "đơn vị",
             "unit_en": "units", "periodicity": "D", "agency_id": agency, "aggregation": "sum", "direction": "up",
             "levels": "nation;region;province", "decimals": 1, "confidential": False, "cumulative": False,
             "definition_vi": "Chuỗi tổng hợp dùng cho kiểm thử tải.", "definition_en": "Synthetic series for load tests.",
             "search_text": f"bench_d{i:02d} chi tieu ngay mo phong tai {i:02d} load-test daily indicator"}
            for i in range(1, n_ind + 1)
        ])
        insert_daily(conn, "BENCH_D%", "a.level = 'province' AND (a.valid_from IS NULL OR a.valid_from <= d) "
                     "AND (a.valid_to IS NULL OR d <= a.valid_to)", start, until,
                     "100 + 40 * sin(extract(doy from d) / 58.0 + a.id) + (i.id * 7 + a.id * 13) % 50", 8)
        log(f"observations inserted in {time.perf_counter() - t0:.0f} s")
        make_current(conn, "BENCH_D%")
        conn.execute(text("UPDATE data_version SET version = version + 1"))
    log(f"scaled up in {time.perf_counter() - t0:.0f} s")


# --- measuring -----------------------------------------------------------------------------------


class SqlRecorder:
    """Captures the statements a call executes, to replay them raw."""

    def __init__(self, engine):
        self.statements: list[tuple[str, object]] = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self._hook)

    def _hook(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.statements.append((statement, parameters))


def scenarios(rng: random.Random, samples: int, server) -> dict[str, list[tuple[Callable, tuple]]]:
    """Realistic random filter choices per data-access function."""
    from data_access import catalogue, queries
    from domain.periods import Period

    with server.test_request_context("/"):
        inds = list(catalogue.all_indicators())
        prov = [i for i in inds if i.provincial]
        headline = tuple(i.code for i in sorted((i for i in inds if i.headline), key=lambda i: i.headline))
        latest = {}
        for i in inds:
            k = queries.kpi_snapshot.uncached((i.code,), "VN")[0]
            latest[i.code] = k.period
        provinces_now = [a.key for a in catalogue.areas_on("province", date.today())]
        provinces_old = [a.key for a in catalogue.areas_on("province", date(2024, 6, 30))]

    def recent_period(ind, back_max=36) -> str:
        key = latest.get(ind.code)
        if not key:
            key = Period.from_date(ind.periodicity, date.today()).previous().key
        from domain.periods import parse

        return parse(key).shift(-rng.randint(0, back_max if ind.periodicity != "Y" else 6)).key

    words = ["ty le", "xuat khau", "ngan sach", "doanh nghiep", "that nghiep", "GDP", "dau tu", "khach quoc te",
             "gia tieu dung", "dien", "rung", "bao hiem"]
    out: dict[str, list] = {k: [] for k in ("series", "cross_section", "regional_aggregates", "kpi_snapshot",
                                            "search_indicators", "comparable_series")}
    for _ in range(samples):
        ind = rng.choice(inds)
        p = prov and rng.choice(prov)
        if ind.provincial and rng.random() < 0.6:
            areas = tuple(rng.sample(provinces_now if rng.random() < 0.6 else provinces_old, rng.randint(1, 3)))
        else:
            areas = ("VN",)
        end = recent_period(ind, 6)
        from domain.periods import parse

        start = parse(end).shift(-rng.choice([12, 24, 60]) if ind.periodicity != "D" else -rng.choice([30, 90, 365])).key
        # the boards read these as rows (their frames are built from them for the wall and the exports;
        # timing a frame-building wrapper would time the cached rows as uncached)
        out["series"].append((queries.series_rows, (ind.code, areas, start, end)))
        out["cross_section"].append((queries.cross_section_rows, (p.code, recent_period(p), "province")))
        out["regional_aggregates"].append((queries.regional_aggregate_rows, (p.code, recent_period(p))))
        area = "VN" if rng.random() < 0.7 else rng.choice(provinces_now)
        codes = headline if area == "VN" else tuple(i.code for i in rng.sample(prov, 8))
        out["kpi_snapshot"].append((queries.kpi_snapshot, (codes, area)))
        out["search_indicators"].append((catalogue.search_indicators, (rng.choice(words),)))
        # the indicator page's comparable view: two or three current provinces over the chosen range
        p_end = recent_period(p, 6)
        p_start = parse(p_end).shift(-rng.choice([12, 24, 60]) if p.periodicity != "D" else -rng.choice([30, 90, 365])).key
        out["comparable_series"].append((queries.comparable_series_rows, (
            p.code, tuple(rng.sample(provinces_now, rng.randint(2, 3))), p_start, p_end)))
    return out


def measure(server, engine, rng: random.Random, samples: int) -> dict:
    import psycopg2

    from data_access.cache.backend import CacheManager

    plans = scenarios(rng, samples, server)
    settle_gc()  # as in a gunicorn worker (gunicorn.conf.py)
    recorder = SqlRecorder(engine)
    raw = psycopg2.connect(engine.url.render_as_string(hide_password=False).replace("postgresql+psycopg2", "postgresql"))
    raw.autocommit = True
    results = {}
    for name, calls in plans.items():
        uncached, cached, floor = [], [], []
        with server.test_request_context("/"):
            cache = CacheManager.current()
            for fn, args in calls:
                # uncached: the function itself misses (fresh args each time are not guaranteed, so
                # bypass its cache explicitly); reference data stays warm as in production.
                recorder.statements.clear()
                recorder.on = True
                t0 = time.perf_counter()
                value = fn.uncached(*args) if hasattr(fn, "uncached") else fn(*args)
                uncached.append((time.perf_counter() - t0) * 1000)
                recorder.on = False
                statements = list(recorder.statements)
                # cached: prime once, then time a hit
                fn(*args)
                t0 = time.perf_counter()
                fn(*args)
                cached.append((time.perf_counter() - t0) * 1000)
                # raw SQL floor: the captured statements, replayed directly
                cur = raw.cursor()
                t0 = time.perf_counter()
                for stmt, params in statements:
                    cur.execute(stmt, params)
                    cur.fetchall()
                floor.append((time.perf_counter() - t0) * 1000)
                cur.close()
                del value
            assert cache is not None
        results[name] = {
            "samples": len(calls),
            "uncached_p50_ms": round(pct(uncached, 0.5), 2), "uncached_p95_ms": round(pct(uncached, 0.95), 2),
            "cached_p50_ms": round(pct(cached, 0.5), 3), "cached_p95_ms": round(pct(cached, 0.95), 3),
            "raw_sql_p50_ms": round(pct(floor, 0.5), 2), "raw_sql_p95_ms": round(pct(floor, 0.95), 2),
        }
        r = results[name]
        r["ok"] = (r["uncached_p95_ms"] <= 25 and r["uncached_p95_ms"] <= 1.5 * r["raw_sql_p95_ms"] + 3
                   and r["cached_p95_ms"] <= 2)
        log(f"{name:22s} uncached p50/p95 {r['uncached_p50_ms']:7.2f}/{r['uncached_p95_ms']:7.2f} ms  "
            f"cached {r['cached_p50_ms']:6.3f}/{r['cached_p95_ms']:6.3f} ms  raw SQL p95 {r['raw_sql_p95_ms']:6.2f} ms"
            f"  {'OK' if r['ok'] else 'MISS'}")
    raw.close()
    return results


def after_metadata_change(server, engine, rng: random.Random, samples: int, code: str = "GDP_GROWTH") -> dict:
    """Cached p50/p95 of every function after a catalogue change and one refresh (see the module's
    docstring, step 3). The change is made and undone through :mod:`metadata.service`."""
    from metadata import service

    actor = service.Actor("bench", "admin", channel="bench")
    with engine.connect() as conn:
        name = conn.execute(select(schema.indicator.c.name_vi).where(schema.indicator.c.code == code)).scalar_one()
    plans = scenarios(rng, samples, server)
    outcome = service.update(engine, "indicators", code, {"name_vi": name + " (đổi tên thử)"}, actor=actor)
    assert outcome.ok and outcome.applied, [p.message_en for p in outcome.problems]
    results = {}
    try:
        for fname, calls in plans.items():
            refresh, cached = [], []
            with server.test_request_context("/"):
                for fn, args in calls:
                    t0 = time.perf_counter()
                    fn(*args)  # the first refresh after the change: a miss, recomputed and stored
                    refresh.append((time.perf_counter() - t0) * 1000)
                    t0 = time.perf_counter()
                    fn(*args)
                    cached.append((time.perf_counter() - t0) * 1000)
            r = results[fname] = {"samples": len(calls), "first_refresh_p95_ms": round(pct(refresh, 0.95), 2),
                                  "cached_p50_ms": round(pct(cached, 0.5), 3),
                                  "cached_p95_ms": round(pct(cached, 0.95), 3)}
            r["ok"] = r["cached_p95_ms"] <= 2
            log(f"{fname:22s} after the change: first refresh p95 {r['first_refresh_p95_ms']:7.2f} ms  "
                f"cached {r['cached_p50_ms']:6.3f}/{r['cached_p95_ms']:6.3f} ms  {'OK' if r['ok'] else 'MISS'}")
    finally:
        service.update(engine, "indicators", code, {"name_vi": name}, actor=actor)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--observations", type=int, default=10_000_000, help="warehouse size (observation rows)")
    parser.add_argument("--samples", type=int, default=200, help="random filter choices per function (>= 200)")
    parser.add_argument("--until", default=None, help="last day of the data (YYYY-MM-DD; default today)")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the warehouse")
    parser.add_argument("--communes", type=int, default=0,
                        help="add this many communes (e.g. 3300) with daily series from the 2025 era switch: "
                             f"{COMMUNE_SHARE:.0%}% of the rows beyond the demo's")  # %% for argparse
    parser.add_argument("--metadata-change", action="store_true",
                        help="then change the catalogue through the metadata service and measure the cached "
                             "p95 again after the first refresh")
    parser.add_argument("--http", action="store_true", help="also benchmark the served boards with gunicorn")
    parser.add_argument("--http-seconds", type=int, default=60, help="duration of the concurrent HTTP run")
    parser.add_argument("--http-repeats", type=int, default=30, help="uncached and cached calls per board callback")
    parser.add_argument("--http-clients", type=int, default=50, help="clients of the concurrent HTTP run")
    parser.add_argument("--json", dest="json_path", default=None, help="write the results as JSON here")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the filter choices")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        parser.error("DATABASE_URL must name a PostgreSQL database (postgresql+psycopg2://...)")
    until = date.fromisoformat(args.until) if args.until else date.today()
    started = time.perf_counter()
    settings = Settings.from_env().with_(cache_type="SimpleCache", demo_until=until.isoformat())
    engine = make_engine(settings)
    count = build(engine, args.observations, until, args.rebuild, args.communes)
    build_s = time.perf_counter() - started
    sizes = table_sizes(engine)

    from app import create_app

    server = create_app(settings)
    wh_engine = server.extensions["warehouse"].engine
    result = {"observations": count, "build_seconds": round(build_s, 1), "sizes": sizes, "samples": args.samples,
              "functions": measure(server, wh_engine, random.Random(args.seed), args.samples)}
    if args.metadata_change:
        result["after_metadata_change"] = after_metadata_change(server, wh_engine, random.Random(args.seed + 1),
                                                                args.samples)
    if args.http:
        from bench.http_replay import run_http

        result["http"] = run_http(url, seconds=args.http_seconds, clients=args.http_clients,
                                  repeats=args.http_repeats, log=log)
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    log(f"total {result['total_seconds']:.0f} s (build {build_s:.0f} s)")
    write_result(result, args.json_path, log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
