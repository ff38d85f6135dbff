"""Benchmark of the directions' reads: 50,000 directions and 500,000 progress reports.

    DATABASE_URL=postgresql+psycopg2://user@host/db python bench/directions_bench.py --json out.json

1. Builds, in a migrated warehouse holding the demo's configuration (catalogue, units; loaded if
   missing), ``--directions`` directions (50,000) over seven years with their units (the lead, a
   cooperating unit for two in five), an indicator and an area each, and ``--reports`` progress
   reports (500,000) as events, with ``INSERT ... SELECT`` on the server (no row crosses the
   wire); the measures' summary (``direction_month``) recounted; then ``VACUUM ANALYZE``. A
   warehouse that already holds that many is reused (``--rebuild`` rebuilds it).
2. Times every read of the contract (:mod:`data_access.directions`) for ``--samples`` random
   arguments each (filters, refs, indicators, viewers of every kind): uncached (the function's
   own cache bypassed: ``.uncached``) and cached (primed, then a hit), p50/p95 against the
   data-access bounds: uncached p95 <= 30 ms, cached p95 <= 8 ms.
3. ``--http``: the served pages' callbacks with gunicorn (:func:`bench.http_replay.run_http`) on
   the directions page, the wall, the daily brief, the compliance page and an indicator page, the
   ``directions`` stamp bumped with every indicator's before each uncached request (for the lead,
   once the pages are merged).

Not run by the tests.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import func, select, text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.measure import percentile, write_result  # noqa: E402
from data_access import directions as reads  # noqa: E402
from data_access import schema  # noqa: E402
from data_access.engine import bump_data_version, make_engine, migrate  # noqa: E402
from directions.summary import refresh as refresh_summary  # noqa: E402
from domain import directions as rules  # noqa: E402
from domain.text import fold  # noqa: E402
from ingest.demo_directions import TEMPLATES  # noqa: E402
from runtime import settle_gc  # noqa: E402
from settings import Settings  # noqa: E402

UNCACHED_P95_MS, CACHED_P95_MS = 30.0, 8.0
DIRECTION_URLS = ["/directions", "/directions?state=overdue", "/wall", "/daily", "/compliance", "/indicator/IIP_YOY"]
# the state by age, as in a centre that follows up: of the directions issued more than 120 days
# before ``today`` 88 % are closed, 7 % cancelled and 5 % still open (long overdue) or awaiting a
# decision; of the recent ones a third are closed and the rest in every open state
STATE_SQL = """CASE WHEN :until - i.issued > 120 THEN
        CASE WHEN g % 100 < 88 THEN 'closed' WHEN g % 100 < 95 THEN 'cancelled' WHEN g % 100 < 97 THEN 'in_progress'
             WHEN g % 100 < 98 THEN 'assigned' WHEN g % 100 < 99 THEN 'returned' ELSE 'reported_done' END
    ELSE CASE WHEN g % 100 < 35 THEN 'closed' WHEN g % 100 < 40 THEN 'cancelled' WHEN g % 100 < 45 THEN 'draft'
             WHEN g % 100 < 60 THEN 'assigned' WHEN g % 100 < 82 THEN 'in_progress' WHEN g % 100 < 94 THEN 'reported_done'
             ELSE 'returned' END END"""


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def build(engine, n_directions: int, n_reports: int, until: date, rebuild: bool) -> int:
    from ingest.reference import load_reference

    migrate(engine)
    with engine.begin() as conn:
        if not conn.execute(select(func.count()).select_from(schema.indicator)).scalar():
            load_reference(conn, ("groups", "units", "indicators", "regimes"))
        have = conn.execute(select(func.count()).select_from(schema.direction)).scalar()
        if have == n_directions and not rebuild:
            log(f"reusing {have:,} directions")
            return have
        conn.execute(text("TRUNCATE direction_attachment, direction_event, direction_area, direction_indicator, "
                          "direction_unit, direction RESTART IDENTITY"))
        agencies = conn.execute(select(schema.agency.c.id).order_by(schema.agency.c.id)).scalars().all()
        indicators = conn.execute(select(schema.indicator.c.id).order_by(schema.indicator.c.id)).scalars().all()
        areas = conn.execute(select(schema.area.c.id).where(schema.area.c.valid_to.is_(None))
                             .order_by(schema.area.c.id)).scalars().all()
        titles = [t[4] for t in TEMPLATES]
        params = {"n": n_directions, "agencies": agencies, "indicators": indicators, "areas": areas, "titles": titles,
                  "folded": [fold(t) for t in titles], "until": until, "start": date(until.year - 7, 1, 1)}
        t0 = time.perf_counter()
        conn.execute(text(f"""
            INSERT INTO direction (id, ref, title, content, form, doc_number, leader, leader_key, issued_on, lead_agency_id,
                deadline, first_deadline, priority, state, confidential, created_by, created_at, updated_at,
                reported_done_at, closed_at, closed_on, days_late, search_text, origin, origin_context)
            SELECT g, 'NV-' || extract(year FROM d.issued)::int || '-' || lpad(g::text, 6, '0'),
                   (:titles)[1 + g % cardinality(:titles)] || ' (' || g || ')', 'Nội dung chỉ đạo số ' || g,
                   (ARRAY['thong_bao_ket_luan','cong_dien','chi_thi','van_ban'])[1 + g % 4], g || '/TB-VPCP',
                   (ARRAY['Thủ tướng Chính phủ','Phó Thủ tướng Chính phủ'])[1 + g % 2],
                   (ARRAY['thu tuong chinh phu','pho thu tuong chinh phu'])[1 + g % 2], d.issued,
                   (:agencies)[1 + (g * 7) % cardinality(:agencies)], d.deadline, d.deadline - (g % 3) * 10,
                   (ARRAY['urgent','high','normal','normal'])[1 + g % 4], d.state, g % 50 = 0, 'bench',
                   d.issued + time '09:00', d.issued + time '09:00',
                   CASE WHEN d.state IN ('closed', 'reported_done') THEN d.done + time '10:00' END,
                   CASE WHEN d.state = 'closed' THEN d.done + 2 + time '10:00' END,
                   CASE WHEN d.state = 'closed' THEN d.done + 2 END,
                   CASE WHEN d.state = 'closed' THEN greatest(0, d.done - d.deadline) END,
                   lower('nv-' || g || ' ' || (:folded)[1 + g % cardinality(:folded)] || ' noi dung chi dao so ' || g),
                   'page', NULL
            FROM generate_series(1, :n) AS g,
                 LATERAL (SELECT :start + ((g::bigint * (:until - :start)) / :n)::int AS issued) AS i,
                 LATERAL (SELECT i.issued AS issued, i.issued + 10 + (g % 51) AS deadline,
                                 i.issued + 5 + (g * 13) % 60 AS done, {STATE_SQL} AS state) AS d"""), params)
        conn.execute(text("""
            INSERT INTO direction_unit (direction_id, agency_id, role)
            SELECT id, lead_agency_id, 'lead' FROM direction
            UNION ALL
            SELECT id, (:agencies)[1 + (id * 11 + 3) % cardinality(:agencies)], 'cooperate' FROM direction
            WHERE id % 5 < 2 AND (:agencies)[1 + (id * 11 + 3) % cardinality(:agencies)] <> lead_agency_id"""), params)
        conn.execute(text("INSERT INTO direction_indicator SELECT id, (:indicators)[1 + id % cardinality(:indicators)] "
                          "FROM direction"), params)
        conn.execute(text("INSERT INTO direction_area SELECT id, (:areas)[1 + id % cardinality(:areas)] FROM direction"),
                     params)
        answered = conn.execute(select(func.count()).where(schema.direction.c.state != "draft")).scalar()
        conn.execute(text("""
            INSERT INTO direction_event (direction_id, at, actor, role, agency_id, kind, from_state, to_state, text)
            SELECT d.id, d.created_at + make_interval(days => k), 'bench', 'lead_unit', d.lead_agency_id, 'progress',
                   'in_progress', 'in_progress', 'Báo cáo tiến độ lần ' || k
            FROM direction d, generate_series(1, :per) AS k WHERE d.state <> 'draft' LIMIT :reports"""),
            {"per": n_reports // max(1, answered) + 1, "reports": n_reports})
        conn.execute(text("SELECT setval(pg_get_serial_sequence('direction', 'id'), (SELECT max(id) FROM direction))"))
        refresh_summary(conn)  # the measures' summary, as the service keeps it
        bump_data_version(conn, [reads.SCOPE])
        log(f"built {n_directions:,} directions in {time.perf_counter() - t0:.1f} s")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("direction", "direction_unit", "direction_indicator", "direction_area", "direction_event",
                      "direction_month"):
            conn.execute(text(f"VACUUM ANALYZE {table}"))  # as autovacuum would: index-only scans
    with engine.connect() as conn:
        events = conn.execute(select(func.count()).select_from(schema.direction_event)).scalar()
        log(f"{events:,} progress reports")
    return n_directions


def scenarios(conn, rng: random.Random, samples: int, today: date) -> dict[str, list[tuple]]:
    units = conn.execute(select(schema.agency.c.code)).scalars().all()
    indicators = conn.execute(select(schema.indicator.c.code)).scalars().all()
    top = conn.execute(select(func.max(schema.direction.c.id))).scalar()
    words = ["san xuat", "ngan sach", "giai ngan", "xuat khau", "doanh nghiep", "lao dong", "cao toc"]

    def viewer() -> rules.Viewer:
        kind = rng.choice(("leader", "analyst", "analyst_c", "reporter", "display", "unit-token"))
        if kind in ("reporter", "unit-token"):
            return rules.Viewer("reporter" if kind == "reporter" else "unit-token", rng.choice(units))
        return rules.Viewer("analyst", cleared=True) if kind == "analyst_c" else rules.Viewer(kind)

    def filters() -> reads.DirectionFilters:
        pick = rng.random()
        lo = date(today.year - rng.randint(0, 6), rng.randint(1, 12), 1)
        return reads.DirectionFilters(
            unit=rng.choice(units) if pick < 0.3 else None,
            state=rng.choice(rules.FILTER_STATES) if rng.random() < 0.5 else None,
            deadline_from=lo if rng.random() < 0.25 else None,
            deadline_to=date(lo.year + 1, lo.month, 1) if rng.random() < 0.25 else None,
            indicator=rng.choice(indicators) if rng.random() < 0.15 else None,
            text=rng.choice(words) if rng.random() < 0.25 else None,
            sort=rng.choice(reads.SORTS))

    def ref() -> str:
        return conn.execute(select(schema.direction.c.ref).where(schema.direction.c.id == rng.randint(1, top))).scalar()

    return {
        "list_directions": [(reads._list_directions, (filters(), rng.randint(1, 5), 25, viewer(), today))
                            for _ in range(samples)],
        "direction_detail": [(reads._direction_detail, (ref(), rules.Viewer("leader"), today)) for _ in range(samples)],
        "directions_board": [(reads.directions_board, (today, viewer())) for _ in range(samples)],
        "ticker_directions": [(reads.ticker_directions, (today, viewer())) for _ in range(samples)],
        "daily_directions": [(reads.daily_directions, (today, viewer())) for _ in range(samples)],
        "indicator_direction_markers": [(reads.indicator_direction_markers, (rng.choice(indicators), viewer()))
                                        for _ in range(samples)],
        "unit_open_directions": [(reads.unit_open_directions, (today, viewer())) for _ in range(samples)],
        "direction_measures": [(reads._direction_measures, (viewer(), 12, today)) for _ in range(samples)],
        "direction_unit_measures": [(reads._direction_unit_measures, (viewer(), 12, today)) for _ in range(samples)],
        "direction_counts": [(reads.direction_counts, (today, viewer())) for _ in range(samples)],
    }


def measure(server, rng: random.Random, samples: int, today: date) -> dict:
    from data_access.engine import current_connection

    results = {}
    with server.test_request_context("/"):
        plans = scenarios(current_connection(), rng, samples, today)
    settle_gc()
    for name, calls in plans.items():
        uncached, cached = [], []
        with server.test_request_context("/"):
            for fn, args in calls:
                t0 = time.perf_counter()
                fn.uncached(*args)
                uncached.append((time.perf_counter() - t0) * 1000)
                fn(*args)
                t0 = time.perf_counter()
                fn(*args)
                cached.append((time.perf_counter() - t0) * 1000)
        r = {"uncached_p50_ms": round(percentile(uncached, .5), 2), "uncached_p95_ms": round(percentile(uncached, .95), 2),
             "cached_p50_ms": round(percentile(cached, .5), 3), "cached_p95_ms": round(percentile(cached, .95), 3)}
        r["ok"] = r["uncached_p95_ms"] <= UNCACHED_P95_MS and r["cached_p95_ms"] <= CACHED_P95_MS
        results[name] = r
        log(f"{name:28s} uncached p50/p95 {r['uncached_p50_ms']:7.2f}/{r['uncached_p95_ms']:7.2f} ms  "
            f"cached {r['cached_p50_ms']:6.3f}/{r['cached_p95_ms']:6.3f} ms  {'OK' if r['ok'] else 'MISS'}")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--directions", type=int, default=50_000)
    parser.add_argument("--reports", type=int, default=500_000, help="progress reports (events), spread evenly")
    parser.add_argument("--samples", type=int, default=200, help="random arguments per read")
    parser.add_argument("--until", default=None, help="the centre's today (YYYY-MM-DD; default: the centre's date)")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--http", action="store_true", help="also time the served pages' callbacks (gunicorn)")
    parser.add_argument("--http-seconds", type=int, default=60)
    parser.add_argument("--json", dest="json_path", default=None)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        parser.error("DATABASE_URL must name a PostgreSQL database (postgresql+psycopg2://...)")
    today = date.fromisoformat(args.until) if args.until else reads.center_today()
    started = time.perf_counter()
    settings = Settings.from_env().with_(cache_type="SimpleCache", seed_demo=False)
    engine = make_engine(settings)
    count = build(engine, args.directions, args.reports, today, args.rebuild)
    build_s = time.perf_counter() - started
    engine.dispose()

    from app import create_app

    server = create_app(settings)
    result = {"directions": count, "reports": args.reports, "today": today.isoformat(), "samples": args.samples,
              "bounds_ms": {"uncached_p95": UNCACHED_P95_MS, "cached_p95": CACHED_P95_MS},
              "build_seconds": round(build_s, 1), "functions": measure(server, random.Random(args.seed), args.samples, today)}
    result["all_ok"] = all(r["ok"] for r in result["functions"].values())
    if args.http:
        from bench.http_replay import run_http

        result["http"] = run_http(url, seconds=args.http_seconds, log=log, urls=DIRECTION_URLS,
                                  extra_scopes=(reads.SCOPE,))
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    write_result(result, args.json_path, log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
