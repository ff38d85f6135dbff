"""The product side by side with Apache Superset on the same rows, in one run, and the ratio per
board callback.

    python -m bench.sbs --pg-port 55633 [--peer-dir /tmp/peer] [--observations 5000000] \\
        [--out bench/results/sbs-YYYY-MM-DD]          # the real run: defaults everywhere else
    python -m bench.sbs --pg-port 55633 --samples 20 --http-repeats 3 --http-seconds 10 -n 20   # a trial

1. The peer harness (``--peer`` = ``/work/shared/peers/superset``, its README) is set up under
   ``--peer-dir`` (``setup.sh``: Superset 6.1.0 in its own venv).
2. PostgreSQL 15: a throwaway server in ``<peer-dir>/pgdata`` on ``--pg-port`` (fsync off, loopback
   only, stopped at the end), database ``ours``; or, with ``--database``, a database of a server
   already running on that port (left running).
3. The product: ``bench/run.py --http`` builds (or reuses) its warehouse there and times its data
   access and every board callback served by gunicorn, uncached and cached (``ours.json``), as
   many times each as Superset's calls per shape (``-n``; a p95 of 30 calls was its second
   slowest, and moved by 20-40 % from run to run).
4. Superset (gunicorn, 2 workers x 4 threads) is pointed at that very database and its chart-data
   API timed on ``current_observation`` for the two shapes, cold and warm (``superset.json``, the
   harness's ``sbs.py``).
5. ``ratios.json``: for each board callback, Superset's p95 of the shape it corresponds to over the
   callback's p95, uncached against cold and cached against warm (5 or more: the bound of issue
   22). The indicator and province pages show series (``series``); the provinces and sectors
   boards cross-sections (``cross_section``); the other boards (overview, daily, compliance,
   wall) both, so they are held to the faster of the two.

Everything listens on 127.0.0.1 only; every wait is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEER = Path("/work/shared/peers/superset")
PG_BIN = Path("/usr/lib/postgresql/15/bin")
BOUND = 5.0  # every callback at least five times faster than the Superset shape it corresponds to
SERIES_BOARDS = ("/indicator/", "/provinces/")  # an indicator's page, a province's page
CROSS_SECTION_BOARDS = ("/provinces", "/sectors")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def shapes_of(board: str) -> tuple[str, ...]:
    """The Superset shapes a board's callbacks are compared with."""
    path = board.split("?", 1)[0]
    if path.startswith(SERIES_BOARDS):
        return ("series",)
    if path.startswith(CROSS_SECTION_BOARDS):
        return ("cross_section",)
    return ("series", "cross_section")


def ratios(ours: dict, superset: dict) -> dict:
    """Per board callback: Superset's p95 over the product's, uncached/cold and cached/warm."""
    peer = superset["shapes"]
    rows, worst = {}, {"uncached": float("inf"), "cached": float("inf")}
    for name, m in ours["http"]["single_client"].items():
        board = name.split(" -> ", 1)[0]
        shapes = shapes_of(board)
        cold = min(peer[s]["cold"]["p95_ms"] for s in shapes)
        warm = min(peer[s]["warm"]["p95_ms"] for s in shapes)
        row = {"shapes": list(shapes), "uncached_p95_ms": m["uncached_p95_ms"], "superset_cold_p95_ms": cold,
               "uncached_ratio": round(cold / m["uncached_p95_ms"], 2), "cached_p95_ms": m["cached_p95_ms"],
               "superset_warm_p95_ms": warm, "cached_ratio": round(warm / m["cached_p95_ms"], 2)}
        row["met"] = row["uncached_ratio"] >= BOUND and row["cached_ratio"] >= BOUND
        worst = {k: min(worst[k], row[f"{k}_ratio"]) for k in worst}
        rows[name] = row
    return {"bound": BOUND, "callbacks": len(rows), "met": sum(r["met"] for r in rows.values()),
            "worst_uncached_ratio": worst["uncached"], "worst_cached_ratio": worst["cached"],
            "concurrent": ours["http"].get("concurrent"), "concurrent_boards": ours["http"].get("concurrent_boards"),
            "per_callback": rows}


class Postgres:
    """A throwaway PostgreSQL 15 in ``data`` on ``port`` (as the peer's ``sbs.sh`` starts it)."""

    def __init__(self, data: Path, port: int):
        self.data, self.port = data, port
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_owner, *args], check=True, timeout=300, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        if not (self.data / "PG_VERSION").exists():
            self.data.mkdir(parents=True, exist_ok=True)
            if self.as_owner:
                shutil.chown(self.data, "postgres", "postgres")
            self.data.chmod(0o700)
            self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                      "--no-locale")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.data / "server.log"), "-o",
                  f"-h 127.0.0.1 -p {self.port} -k {self.data} -c fsync=off", "start")
        exists = subprocess.run([*self.as_owner, "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                                 "-tAc", "SELECT 1 FROM pg_database WHERE datname = 'ours'"],
                                check=True, timeout=60, capture_output=True, text=True).stdout.strip()
        if exists != "1":
            self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-c", "CREATE DATABASE ours")

    def stop(self) -> None:
        subprocess.run([*self.as_owner, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"],
                       timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def superset_on(peer_dir: Path, port: int) -> subprocess.Popen:
    """Superset's gunicorn on 127.0.0.1:``port``, its data cache emptied; waits for /health."""
    shutil.rmtree(peer_dir / "cache" / "data", ignore_errors=True)
    (peer_dir / "cache" / "data").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SUPERSET_CONFIG_PATH": str(peer_dir / "superset_config.py")}
    proc = subprocess.Popen([str(peer_dir / "v/bin/gunicorn"), "-w", "2", "-k", "gthread", "--threads", "4",
                             "--timeout", "120", "-b", f"127.0.0.1:{port}", "superset.app:create_app()"],
                            cwd=peer_dir,  # not the product's folder: its gunicorn.conf.py is not Superset's
                            env=env, stdout=open(peer_dir / "logs" / "gunicorn.log", "w"), stderr=subprocess.STDOUT)
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("Superset did not start: " + (peer_dir / "logs" / "gunicorn.log").read_text()[-2000:])


def run_product(args: argparse.Namespace, url: str, env: dict[str, str]) -> None:
    """``bench/run.py --http`` on ``url``: the product's figures in ``<out>/ours.json``."""
    log(f"the product: bench/run.py --http on {url}")
    with open(args.out / "ours.log", "w") as out:
        subprocess.run([sys.executable, "-m", "bench.run", "--observations", str(args.observations),
                        "--samples", str(args.samples), "--http", "--http-seconds", str(args.http_seconds),
                        "--http-repeats", str(args.http_repeats), "--json", str(args.out / "ours.json")],
                       cwd=ROOT, env={**env, "DATABASE_URL": url}, check=True, timeout=6 * 3600,
                       stdout=out, stderr=subprocess.STDOUT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", type=Path, default=PEER, help="the peer harness")
    parser.add_argument("--peer-dir", type=Path, default=Path(os.environ.get("PEER_DIR", "/tmp/peer")))
    parser.add_argument("--pg-port", type=int, required=True, help="PostgreSQL's port (not one in use by others)")
    parser.add_argument("--database", default=None,
                        help="use this database of a server already running on --pg-port (else start one)")
    parser.add_argument("--superset-port", type=int, default=8098)
    parser.add_argument("--observations", type=int, default=5_000_000)
    parser.add_argument("--samples", type=int, default=200, help="bench/run.py --samples")
    parser.add_argument("--http-seconds", type=int, default=60, help="bench/run.py --http-seconds")
    parser.add_argument("--http-repeats", type=int, default=None,
                        help="bench/run.py --http-repeats (default: -n, as many calls per callback as Superset's per shape)")
    parser.add_argument("-n", type=int, default=200, help="Superset calls per shape and mode")
    parser.add_argument("--superset-only", action="store_true",
                        help="keep the product's figures already in --out (ours.json) and run Superset only")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / f"sbs-{date.today().isoformat()}")
    args = parser.parse_args(argv)
    args.http_repeats = args.http_repeats or args.n
    args.out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PEER_DIR": str(args.peer_dir)}
    log(f"peer set up under {args.peer_dir}")
    subprocess.run(["bash", str(args.peer / "setup.sh")], env=env, check=True, timeout=1800, stdout=sys.stderr)
    pg = None if args.database else Postgres(args.peer_dir / "pgdata", args.pg_port)
    database = args.database or "ours"
    gunicorn = None
    try:
        if pg is not None:
            pg.start()
        if not args.superset_only:
            run_product(args, f"postgresql+psycopg2://postgres@127.0.0.1:{args.pg_port}/{database}", env)
        log("Superset on the same database")
        gunicorn = superset_on(args.peer_dir, args.superset_port)
        with open(args.out / "superset.json", "w") as out:
            subprocess.run([str(args.peer_dir / "v/bin/python"), str(args.peer / "sbs.py"), "--pg-port",
                            str(args.pg_port), "--db", database, "--superset-url",
                            f"http://127.0.0.1:{args.superset_port}", "-n", str(args.n)],
                           env=env, check=True, timeout=3600, stdout=out)
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=60)
        if pg is not None:
            pg.stop()
    result = ratios(json.loads((args.out / "ours.json").read_text()),
                    json.loads((args.out / "superset.json").read_text()))
    result["settings"] = {"observations": args.observations, "samples": args.samples, "n": args.n,
                          "http_seconds": args.http_seconds, "http_repeats": args.http_repeats}
    (args.out / "ratios.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    for name, row in sorted(result["per_callback"].items(), key=lambda kv: kv[1]["uncached_ratio"]):
        print(f"{name[:70]:70s} uncached {row['uncached_ratio']:6.2f}x  cached {row['cached_ratio']:6.2f}x")
    print(f"{result['met']}/{result['callbacks']} callbacks at {BOUND:.0f}x or more "
          f"(worst: uncached {result['worst_uncached_ratio']}x, cached {result['worst_cached_ratio']}x); "
          f"{args.out / 'ratios.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
