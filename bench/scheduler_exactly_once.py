"""Load harness (not run by the test suite): the scheduler's exactly-once guarantee in real time.

Two scheduler processes (``flask --app app scheduler``) on one PostgreSQL run 200 interval jobs
for 10 minutes; afterwards every (job, occurrence) must have exactly one ``job_run`` row and the
jobs' own side effect (a row per call in ``bench_tick``) must match it one for one.

    DATABASE_URL=postgresql+psycopg2://... python bench/scheduler_exactly_once.py --minutes 10 --jobs 200
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
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
        conn.execute(text("INSERT INTO bench_tick (job, due_at, pid) VALUES (:j, :d, :p)"),
                     {{"j": occurrence.job, "d": occurrence.due_at, "p": os.getpid()}})

sys.modules["bench_jobs"] = sys.modules[__name__]
server = create_app()
for i in range({jobs}):
    core.register(f"bench.{{i}}", "every 60s", "bench_jobs:call")
with server.app_context():
    scheduler_command.main([], standalone_mode=False)
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--jobs", type=int, default=200)
    args = parser.parse_args()
    engine = create_engine(os.environ["DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS bench_tick (job text, due_at timestamp, pid int)"))
        conn.execute(text("DELETE FROM bench_tick"))
        conn.execute(text("DELETE FROM job_run WHERE job LIKE 'bench.%'"))
    env = {**os.environ, "SCHEDULER_TICK_SECONDS": "5", "SEED_DEMO": "0"}
    code = WORKER.format(root=str(ROOT), jobs=args.jobs)
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env) for _ in range(2)]
    try:
        time.sleep(args.minutes * 60)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(30)
    with engine.connect() as conn:
        dupes = conn.execute(text("SELECT count(*) FROM (SELECT job, due_at FROM bench_tick GROUP BY job, due_at "
                                  "HAVING count(*) > 1) d")).scalar()
        calls = conn.execute(text("SELECT count(*) FROM bench_tick")).scalar()
        runs = conn.execute(text("SELECT count(*) FROM job_run WHERE job LIKE 'bench.%'")).scalar()
        pids = conn.execute(text("SELECT count(DISTINCT pid) FROM bench_tick")).scalar()
    print(f"calls={calls} job_run={runs} duplicated occurrences={dupes} processes that ran jobs={pids}")
    return 0 if dupes == 0 and calls == runs else 1


if __name__ == "__main__":
    sys.exit(main())
