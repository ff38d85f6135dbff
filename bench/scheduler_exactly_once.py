"""Load harness (not run by the test suite): the scheduler's exactly-once guarantee in real time.

Two scheduler processes (``flask --app app scheduler``'s loop: ``scheduler_command``) on one
PostgreSQL and one Redis, as in a cluster (``CACHE_REDIS_URL``: a private ``redis-server`` this
harness starts on a free port and stops, unless ``--redis-url`` names one), run ``--jobs`` interval
jobs ("every 60s") on the real clock for ``--minutes``, then stop by themselves. Each job's call
writes a row in ``bench_tick`` and an entry in the product's cache (Redis).

    DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:55432/schedbench \\
        python bench/scheduler_exactly_once.py --minutes 10 --jobs 200 --json out.json

The database is migrated to head first (a fresh one is fine). Verdict (exit 0 on PASS):

* no (job, occurrence) ran twice (``bench_tick``), and the calls match the ``job_run`` claims one
  for one, every claim before the edge ``done``, none ``late``; both processes ran jobs; every claim
  a process lost (``bench_lost``: its insert found the other's) is an occurrence the other ran;
* no occurrence is missing. The run's edges: a job's first occurrence is the first minute after its
  registration (``scheduled_job.since``: an occurrence due before a job existed never runs, by
  design); at the end the processes are stopped (SIGTERM: a job under way is cut short, its claim
  left ``running``) at the first half minute after ``--minutes``, when no sweep is under way, and
  the occurrences due in the last ``EDGE_SECONDS`` (a tick's interval plus the time a tick takes to
  run 200 jobs) may not have been claimed or finished: they are counted apart ("at the edge"), not
  as missing. Every occurrence due between those edges must have run once;
* no call at a time that is not an occurrence (a 60 s boundary inside the run);
* Redis holds exactly one cache entry per call (the processes really used the shared Redis).

The second process starts ``--stagger`` seconds after the first (default 1 s, less than one tick's
sweep of 200 jobs): after the minutes when the first ticks first, the second's tick starts while the
first is still claiming, so both insert claims for the same occurrences and the unique constraint
decides (``minutes_both_processes_ran`` counts the occurrence times at which both ran jobs); after the
others, the second's tick comes first and the first finds every occurrence claimed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import Redis  # noqa: E402 - after the path above (run as a script)

TICK_SECONDS = 5
INTERVAL_SECONDS = 60
EDGE_SECONDS = 30  # see the module's docstring: the occurrences this close to the stop may be unclaimed
WORKER = """
import os, sys
sys.path.insert(0, {root!r})
from sqlalchemy import text
from app import create_app
from scheduler import core
from scheduler.runner import scheduler_command

def call(occurrence):
    from flask import current_app
    with current_app.extensions["warehouse"].engine.begin() as conn:
        conn.execute(text("INSERT INTO bench_tick (job, due_at, pid, late) VALUES (:j, :d, :p, :l)"),
                     {{"j": occurrence.job, "d": occurrence.due_at, "p": os.getpid(), "l": occurrence.late}})
    current_app.extensions["occ_cache"].set(f"bench:{{occurrence.job}}:{{occurrence.due_at.isoformat()}}",
                                            os.getpid(), timeout=86400)

_claim = core.claim

def counted_claim(conn, job_name, due_at, **kw):  # a claim this process lost: written down
    won = _claim(conn, job_name, due_at, **kw)
    if not won and job_name.startswith("bench."):
        conn.execute(text("INSERT INTO bench_lost (job, due_at, pid) VALUES (:j, :d, :p)"),
                     {{"j": job_name, "d": due_at, "p": os.getpid()}})
    return won

core.claim = counted_claim
sys.modules["bench_jobs"] = sys.modules[__name__]
server = create_app()
for i in range({jobs}):
    core.register(f"bench.{{i:03d}}", "every {interval}s", "bench_jobs:call")
with server.app_context():
    scheduler_command.main([], standalone_mode=False)
"""


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def reset(url: str) -> None:
    """Migrate the database and forget any earlier run of this harness."""
    from data_access.engine import migrate

    engine = create_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS bench_tick (job text, due_at timestamp, pid int, late boolean)"))
        conn.execute(text("CREATE TABLE IF NOT EXISTS bench_lost (job text, due_at timestamp, pid int)"))
        conn.execute(text("DELETE FROM bench_tick"))
        conn.execute(text("DELETE FROM bench_lost"))
        conn.execute(text("DELETE FROM job_run WHERE job LIKE 'bench.%'"))
        conn.execute(text("DELETE FROM scheduled_job WHERE name LIKE 'bench.%'"))
    engine.dispose()


def run_processes(env: dict[str, str], jobs: int, seconds: float, log_dir: Path,
                  stagger: float) -> tuple[list[int], list[int]]:
    """Two scheduler processes for ``seconds``; returns their pids and exit codes (stopped by SIGTERM)."""
    code = WORKER.format(root=str(ROOT), jobs=jobs, interval=INTERVAL_SECONDS)
    logs = [open(log_dir / f"scheduler-{n}.log", "w") for n in range(2)]  # noqa: SIM115 - closed below
    procs = []
    for n, log in enumerate(logs):
        if n:  # see --stagger
            time.sleep(stagger)
        procs.append(subprocess.Popen([sys.executable, "-c", code], env=env, stdout=log, stderr=subprocess.STDOUT))
    try:
        # the end moved to the next half minute: no sweep under way when the processes are stopped
        end = time.time() + seconds
        deadline = time.monotonic() + seconds + (30 - end % 60) % 60
        while time.monotonic() < deadline:
            dead = [p.pid for p in procs if p.poll() is not None]
            if dead:
                raise SystemExit(f"scheduler process(es) {dead} stopped early: see {log_dir}")
            time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(30)
        for log in logs:
            log.close()
    return [p.pid for p in procs], [p.returncode for p in procs]


def expected_occurrences(since: datetime, until: datetime) -> set[datetime]:
    """The 60 s boundaries (counted from the scheduler's epoch) in ``(since, until]``."""
    from scheduler.core import EPOCH

    epoch = EPOCH.replace(tzinfo=None)
    first = int((since - epoch).total_seconds() // INTERVAL_SECONDS) + 1
    last = int((until - epoch).total_seconds() // INTERVAL_SECONDS)
    return {epoch + timedelta(seconds=n * INTERVAL_SECONDS) for n in range(first, last + 1)}


def verdict(url: str, redis_url: str, started: datetime, stopped: datetime, pids: list[int]) -> dict:
    """Count the calls, claims and cache entries against the occurrences due (see the docstring)."""
    import redis as redis_lib

    engine = create_engine(url)
    with engine.connect() as conn:
        calls = conn.execute(text("SELECT job, due_at, pid, late FROM bench_tick")).all()
        claims = conn.execute(text("SELECT job, due_at, state, late FROM job_run WHERE job LIKE 'bench.%'")).all()
        since = dict(conn.execute(text("SELECT name, since FROM scheduled_job WHERE name LIKE 'bench.%'")).all())
        lost = conn.execute(text("SELECT job, due_at, pid FROM bench_lost")).all()
    engine.dispose()
    cached = sum(1 for _ in redis_lib.Redis.from_url(redis_url).scan_iter("occ:bench:*", count=1000))
    ran = [(job, due) for job, due, _, _ in calls]
    ran_by = {(job, due): pid for job, due, pid, _ in calls}
    ran_set = set(ran)
    edge = stopped - timedelta(seconds=EDGE_SECONDS)
    required = {(job, due) for job, t in since.items() for due in expected_occurrences(t, edge)}
    allowed = {(job, due) for job, t in since.items() for due in expected_occurrences(t, stopped)}
    claim_keys = {(job, due) for job, due, _, _ in claims}
    report = {
        "started_utc": started.isoformat(), "stopped_utc": stopped.isoformat(),
        "jobs": len(since), "edge_seconds": EDGE_SECONDS,
        "first_registration_utc": min(since.values()).isoformat() if since else None,
        "calls": len(calls), "job_run_claims": len(claims), "redis_cache_entries": cached,
        "occurrences_required": len(required),
        "occurrences_at_the_edge": len(allowed - required),
        "occurrences_at_the_edge_that_ran": len((allowed - required) & ran_set),
        "duplicated_occurrences": len(ran) - len(ran_set),
        "missing_occurrences": len(required - ran_set),
        "unexpected_occurrences": len(ran_set - allowed),
        "calls_without_claim": len(ran_set - claim_keys),
        "claims_without_call": sorted(f"{j} {d.isoformat()} {s}" for j, d, s, _ in claims if (j, d) not in ran_set),
        "claim_states": {s: sum(1 for *_, st, _ in claims if st == s) for s in {st for *_, st, _ in claims}},
        "claims_not_done_before_the_edge": sum(1 for _, due, st, _ in claims if st != "done" and due <= edge),
        # a claim lost: the other process had claimed the same occurrence (the unique constraint's work)
        "claims_lost": len(lost),
        "claims_lost_where_the_other_process_ran_it": sum(
            1 for job, due, pid in lost if ran_by.get((job, due), pid) != pid),
        "late_calls": sum(1 for *_, late in calls if late),
        "calls_per_process": {str(p): sum(1 for _, _, pid, _ in calls if pid == p) for p in pids},
        # the occurrence times at which both processes ran jobs: where their claims overlapped in time
        "minutes_both_processes_ran": len({due for _, due, pid, _ in calls if pid == pids[0]}
                                          & {due for _, due, pid, _ in calls if pid == pids[1]}),
    }
    ok = (report["duplicated_occurrences"] == 0 and report["missing_occurrences"] == 0
          and report["unexpected_occurrences"] == 0 and report["calls_without_claim"] == 0
          and not report["claims_without_call"] and report["claims_not_done_before_the_edge"] == 0
          and report["claims_lost"] == report["claims_lost_where_the_other_process_ran_it"]
          and report["late_calls"] == 0 and all(report["calls_per_process"].values())
          and cached == len(calls) and len(since) > 0)
    report["verdict"] = "PASS" if ok else "FAIL"
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--stagger", type=float, default=1.0,
                        help="seconds between the two processes' starts, so their ticks are that far apart: less "
                             "than one tick's sweep of the jobs (about 2 s for 200), the second claims while the "
                             "first is claiming after the minutes when the first ticks first")
    parser.add_argument("--redis-url", help="an existing Redis (default: start a private redis-server)")
    parser.add_argument("--json", type=Path, help="write the counts and verdict here")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    reset(url)
    folder = Path(tempfile.mkdtemp(prefix="sched-bench-"))  # the processes' logs (kept)
    redis = None if args.redis_url else Redis(folder)
    redis_url = args.redis_url or redis.url
    try:
        env = {**os.environ, "SCHEDULER_TICK_SECONDS": str(TICK_SECONDS), "SEED_DEMO": "0",
               "CACHE_REDIS_URL": redis_url, "DATABASE_URL": url}
        started = utcnow()
        pids, codes = run_processes(env, args.jobs, args.minutes * 60, folder, args.stagger)
        stopped = utcnow()
        report = verdict(url, redis_url, started, stopped, pids)
        report.update(minutes=args.minutes, exit_codes_after_sigterm=codes, redis_url=redis_url,
                      tick_seconds=TICK_SECONDS, interval_seconds=INTERVAL_SECONDS, stagger_seconds=args.stagger,
                      logs=str(folder))
    finally:
        if redis is not None:
            redis.stop()
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if report["verdict"] == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
