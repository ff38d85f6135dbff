"""Faults injected into a load run (``python -m bench.load --fault NAME``), each with the outcome it
must show; ``verdict`` says PASS or FAIL against it.

* ``pg-stop``: the PostgreSQL server of ``--pg-data`` is stopped (``pg_ctl stop -m fast``) for
  ``--fault-seconds`` and started again with the options it ran with (``postmaster.opts``).
  Boards keep serving (callbacks 200/204, from cache or last good, marked stale; never a 5xx),
  health answers 503, the version poll 503 (walls show their lost-connection mark), submissions
  get 503 with ``Retry-After`` and the units' retries are acknowledged after the restart; nothing
  acknowledged is lost; everything is back to normal after the restart.
* ``redis-stop``: the cache is stopped for ``--fault-seconds`` and started again (empty): direct
  queries, zero errors.
* ``kill-worker``: one gunicorn worker is SIGKILLed: the master replaces it; requests in flight on
  it lose their connection (walls and analysts see one failed request; units retry the same
  bytes); no 5xx; nothing acknowledged is lost.
* ``kill-intake``: the worker inside the write transaction of a large submission (40,000 values)
  is SIGKILLed: no trace of that submission (no submission row, no value), and the same file sent
  again is accepted whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import random
import shlex
import signal
import subprocess
import threading
import time
import urllib.parse
from datetime import date, timedelta
from pathlib import Path

FAULTS = ("pg-stop", "redis-stop", "kill-worker", "kill-intake", "cluster")
RECOVERY_GRACE_S = 20.0  # after a restart: pools reconnect, retries land


def make_fault(args):
    if args.fault in (None, "none"):
        return None
    if args.fault == "cluster":  # bench.load --cluster: node, replica and Redis faults of scripts/cluster.sh
        from bench.cluster_load import ClusterFaults

        return ClusterFaults(args)
    return {"pg-stop": PgStop, "redis-stop": RedisStop, "kill-worker": KillWorker,
            "kill-intake": KillIntake}[args.fault](args)


class Fault:
    name = ""
    expected = ""

    def __init__(self, args):
        self.args = args
        duration = args.minutes * 60
        self.at = args.fault_at if args.fault_at is not None else duration / 3
        if not 0 <= self.at < duration:
            raise SystemExit("--fault-at must fall inside the run")
        self.seconds = args.fault_seconds
        self.t_start: float | None = None
        self.t_end: float | None = None
        self.notes: dict = {}
        self.lock = threading.Lock()

    def run(self, run) -> None:
        if not run._sleep_until(run.started + self.at):
            return
        self.t_start = time.monotonic() - run.started
        try:
            self.inject(run)
        except Exception as exc:  # noqa: BLE001 - a failed injection is a FAIL, not a crash
            self.notes["injection_error"] = f"{type(exc).__name__}: {exc}"
        if self.t_end is None:
            self.t_end = time.monotonic() - run.started

    def inject(self, run) -> None:
        raise NotImplementedError

    def finish(self, run, engine) -> None:
        """After the actors stopped (or the run failed; ``run`` may be None): nothing left broken.
        Called more than once."""

    def excuses(self, record) -> bool:
        """Is this failed request an expected effect of the fault?"""
        return False

    def _within(self, t: float, before: float = 0.5, after: float = 0.0) -> bool:
        return (self.t_start is not None and self.t_start - before <= t
                and t <= (self.t_end if self.t_end is not None else float("inf")) + after)

    def verdict(self, run, summary: dict) -> dict:
        observed, ok = self.judge(run, summary)
        observed.update(self.notes)
        return {"name": self.name, "expected": self.expected, "at_s": self.t_start, "until_s": self.t_end,
                "observed": observed, "pass": bool(ok)}

    def judge(self, run, summary: dict) -> tuple[dict, bool]:
        raise NotImplementedError


def _during(run, t0: float | None, t1: float | None, cls: tuple[str, ...]):
    if t0 is None or t1 is None:
        return []
    return [r for r in run.metrics.snapshot() if t0 <= r.t <= t1 and r.cls in cls]


def _common(summary: dict) -> tuple[dict, bool]:
    sub = summary["submissions"]
    cls = summary["classes"]
    five = sum(n for c in ("wall", "analyst") for code, n in cls[c]["status"].items() if code.startswith("5"))
    observed = {"errors": summary["errors_total"], "callback 5xx": five,
                "acknowledged": sub["acknowledged"], "lost": len(sub["lost"]),
                "values acknowledged/stored": f"{sub['values_acknowledged']}/{sub['values_stored']}"}
    ok = (summary["errors_total"] == 0 and five == 0 and not sub["lost"]
          and sub["values_acknowledged"] == sub["values_stored"])
    return observed, ok


def _get(port: int, path: str, headers: dict | None = None) -> int:
    import http.client

    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers=headers or {})
        status = conn.getresponse().status
        conn.close()
        return status
    except (http.client.HTTPException, OSError):
        return 0


# --- PostgreSQL stopped ------------------------------------------------------------------------------


class PgStop(Fault):
    name = "pg-stop"
    expected = ("boards keep serving (callbacks 200/204 from cache or last good, marked stale; no 5xx), health "
                "503, version 503, submissions 503 with Retry-After and retried until acknowledged after the "
                "restart; nothing acknowledged lost")

    def __init__(self, args):
        super().__init__(args)
        self.data = Path(args.pg_data).resolve()
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            raise SystemExit(f"--pg-data {self.data}: no running server (postmaster.pid missing)")
        lines = pid_file.read_text().splitlines()
        port = int(lines[3]) if len(lines) > 3 else None
        url_port = urllib.parse.urlsplit(args.database_url.replace("postgresql+psycopg2", "postgresql")).port or 5432
        if port != url_port:
            raise SystemExit(f"--pg-data {self.data} runs on port {port}, DATABASE_URL names port {url_port}: "
                             "refusing to stop a server the run does not use")
        opts = shlex.split((self.data / "postmaster.opts").read_text().strip())
        if "-D" in opts:
            i = opts.index("-D")
            del opts[i:i + 2]
        self.opts = opts[1:]  # without the postgres binary
        bin_dir = Path(args.pg_bin) if args.pg_bin else Path(opts[0]).parent if opts else None
        if bin_dir is None or not (bin_dir / "pg_ctl").exists():
            candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
            bin_dir = candidates[-1].parent if candidates else None
        if bin_dir is None:
            raise SystemExit("pg_ctl not found; pass --pg-bin")
        self.pg_ctl = str(bin_dir / "pg_ctl")
        owner = self.data.stat().st_uid
        self.as_owner = (["runuser", "-u", pwd.getpwuid(owner).pw_name, "--"]
                         if os.geteuid() == 0 and owner != 0 else [])
        self.down = False
        self.t_up: float | None = None

    def _ctl(self, *args: str) -> None:
        subprocess.run([*self.as_owner, self.pg_ctl, "-D", str(self.data), *args], check=True, timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop_server(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")
        self.down = True

    def start_server(self) -> None:
        log_file = self.data.parent / f"{self.data.name}-bench-load.log"
        if self.as_owner:
            subprocess.run([*self.as_owner, "touch", str(log_file)], check=False, timeout=10)
        self._ctl("-w", "-t", "120", "-l", str(log_file), "-o", shlex.join(self.opts), "start")
        self.down = False

    def inject(self, run) -> None:
        self.stop_server()
        t_down = time.monotonic()
        probes: dict[str, list[int]] = {"health": [], "desk page /": [], "desk page /indicator/EXPORTS": []}
        name, value = run.sessions[0]
        signed_in = {"Cookie": f"{name}={value}"}  # an analyst's browser opening pages
        for _ in range(1000):  # probes while down, bounded
            remaining = self.seconds - (time.monotonic() - t_down)
            if remaining <= 0:
                break
            probes["health"].append(_get(run.gunicorn.port, "/api/v1/health"))
            probes["desk page /"].append(_get(run.gunicorn.port, "/", signed_in))
            probes["desk page /indicator/EXPORTS"].append(_get(run.gunicorn.port, "/indicator/EXPORTS", signed_in))
            time.sleep(min(10.0, max(0.0, remaining)))
        self.notes["probes while down (status: count)"] = {k: dict(sorted(_count(v).items())) for k, v in probes.items()}
        self.start_server()
        self.t_end = time.monotonic() - run.started
        self.t_up = self.t_end

    def finish(self, run, engine) -> None:
        if self.down:
            self.start_server()

    def excuses(self, r) -> bool:
        # the version poll and submissions answer 503 while the warehouse is away (and the first
        # seconds after its restart); callbacks are never excused
        return r.cls in ("version", "submission") and r.status == 503 and self._within(r.t, 1.0, RECOVERY_GRACE_S)

    def judge(self, run, summary):
        observed, ok = _common(summary)
        down = _during(run, self.t_start, self.t_end, ("wall", "analyst", "version", "submission"))
        cb = [r for r in down if r.cls in ("wall", "analyst")]
        observed["callbacks while down (status: count)"] = dict(sorted(_count([r.status for r in cb]).items()))
        observed["callbacks while down marked stale"] = sum(1 for r in cb if r.stale)
        observed["version polls while down (status: count)"] = dict(sorted(
            _count([r.status for r in down if r.cls == "version"]).items()))
        observed["submissions while down (status: count)"] = dict(sorted(
            _count([r.status for r in down if r.cls == "submission"]).items()))
        sub = summary["submissions"]
        observed["retried after 503"] = sub["retried_after_503"]
        observed["Retry-After seen"] = sub["retry_after_headers"]
        after = [r for r in run.metrics.snapshot() if self.t_up is not None and r.t > self.t_up + RECOVERY_GRACE_S]
        acked_after = sum(1 for r in after if r.cls == "submission" and r.status in (200, 201))
        observed["submissions acknowledged after the restart"] = acked_after
        health = self.notes.get("probes while down (status: count)", {})
        desk_ok = all(set(v) <= {"200"} for k, v in health.items() if k.startswith("desk"))
        ok = (ok and bool(cb) and all(r.status in (200, 204) for r in cb) and sub["retried_after_503"] > 0
              and bool(sub["retry_after_headers"]) and acked_after > 0 and set(health.get("health", {})) == {"503"}
              and desk_ok and "injection_error" not in self.notes)
        return observed, ok


def _count(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[str(v)] = out.get(str(v), 0) + 1
    return out


# --- Redis stopped -------------------------------------------------------------------------------------


class RedisStop(Fault):
    name = "redis-stop"
    expected = "direct queries while the cache is away: zero errors, nothing acknowledged lost"

    def inject(self, run) -> None:
        redis = run.redis
        redis.stop()
        time.sleep(max(0.0, min(self.seconds, run.stop_at - time.monotonic() - 5)))
        self.t_end = time.monotonic() - run.started
        redis.start()

    def finish(self, run, engine) -> None:
        if run is not None and run.redis.proc is None:
            run.redis.start()

    def judge(self, run, summary):
        observed, ok = _common(summary)
        down = _during(run, self.t_start, self.t_end, ("wall", "analyst", "version", "submission"))
        observed["requests while the cache was down"] = len(down)
        observed["of which ok"] = sum(1 for r in down if run.ok(r))
        cb = [r.ms for r in down if r.cls in ("wall", "analyst") and r.status]
        from bench.load import pct

        observed["callback p95 while down (ms)"] = pct(cb, .95)
        try:
            text = run.gunicorn.log_path.read_text(errors="replace")
            observed["cache breaker warnings in the gunicorn log"] = text.count("querying directly")
        except OSError:
            pass
        return observed, ok and bool(down) and "injection_error" not in self.notes


# --- a worker killed -------------------------------------------------------------------------------------


def _wait_replaced(run, before: list[int], killed: int, timeout: float = 60) -> tuple[bool, float]:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        now = run.gunicorn.worker_pids()
        if killed not in now and len(now) >= len(before):
            return True, round(time.monotonic() - t0, 2)
        time.sleep(0.1)
    return False, round(time.monotonic() - t0, 2)


class KillWorker(Fault):
    name = "kill-worker"
    expected = ("the master replaces the worker; only requests in flight on it fail (connection reset); no 5xx; "
                "nothing acknowledged lost")

    def inject(self, run) -> None:
        before = run.gunicorn.worker_pids()
        victim = random.Random(self.args.seed).choice(before)
        os.kill(victim, signal.SIGKILL)
        self.t_end = time.monotonic() - run.started
        replaced, seconds = _wait_replaced(run, before, victim)
        self.notes.update({"killed pid": victim, "workers before": before, "replaced": replaced,
                           "replaced in s": seconds, "workers after": run.gunicorn.worker_pids()})

    def excuses(self, r) -> bool:
        return r.status == 0 and self._within(r.t, 0.5, 2.0)

    def judge(self, run, summary):
        observed, ok = _common(summary)
        resets = [r for r in run.metrics.snapshot() if r.status == 0]
        observed["requests that lost their connection at the kill"] = len(resets)
        return observed, ok and bool(self.notes.get("replaced")) and "injection_error" not in self.notes


# --- the intake killed mid-load ------------------------------------------------------------------------


def pid_of_local_port(ports: set[int], pids: list[int]) -> int | None:
    """Which of ``pids`` owns a TCP socket bound locally to one of ``ports`` (from /proc: the
    socket's inode in /proc/PID/net/tcp*, then the process holding that inode among its fds)."""
    for pid in pids:
        inodes = set()
        for table in ("tcp", "tcp6"):
            try:
                lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                cols = line.split()
                if len(cols) > 9 and int(cols[1].rsplit(":", 1)[1], 16) in ports:
                    inodes.add(cols[9])
        if not inodes:
            continue
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return pid
        except OSError:
            continue
    return None


def writer_pid(engine, workers: list[int], min_age_ms: int = 200) -> int | None:
    """The worker whose PostgreSQL backend holds an open write transaction (it has an xid) older
    than ``min_age_ms``."""
    from sqlalchemy import text

    with engine.connect() as conn:
        ports = {r[0] for r in conn.execute(text(
            "SELECT client_port FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid() "
            "AND client_port IS NOT NULL AND now() - xact_start > make_interval(secs => :age / 1000.0)"),
            {"age": min_age_ms})}
    return pid_of_local_port(ports, workers) if ports else None



class KillIntake(Fault):
    name = "kill-intake"
    expected = ("the worker inside the write transaction of a large submission is SIGKILLed: no submission row, "
                "no value of it stored; the master replaces the worker; the same file sent again is accepted whole")
    ROWS = 40_000

    def __init__(self, args):
        super().__init__(args)
        self.token = ""
        self.payload = b""
        self.keys: tuple = ()

    def prepare(self, engine) -> None:
        """A token of the unit owning two daily national indicators, and a CSV of their values over
        past days no load unit writes (new revisions every run)."""
        from sqlalchemy import text

        from auth.tokens import create_token

        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT a.code AS unit, i.code, i.id FROM indicator i JOIN agency a ON a.id = i.agency_id "
                "WHERE i.periodicity = 'D' AND i.levels LIKE '%nation%' AND NOT i.confidential "
                "ORDER BY a.code, i.code")).all()
        by_unit: dict[str, list] = {}
        for r in rows:
            by_unit.setdefault(r.unit, []).append(r)
        unit, inds = max(by_unit.items(), key=lambda kv: len(kv[1]))
        inds = inds[:2]
        days = self.ROWS // len(inds)
        first = date(2014, 12, 31) - timedelta(days=days - 1)
        offset = random.Random().randint(1, 10_000) / 100
        lines = ["indicator_code,area_code,period,value"]
        for ind in inds:
            for k in range(days):
                lines.append(f"{ind.code},VN,{(first + timedelta(days=k)).isoformat()},{100 + (k % 97) + offset:.2f}")
        self.payload = ("\n".join(lines) + "\n").encode()
        self.sha = hashlib.sha256(self.payload).hexdigest()
        self.keys = (tuple(i.id for i in inds), first, date(2014, 12, 31))
        self.rows = len(lines) - 1
        self.token, info = create_token(engine, unit, days=1, label="bench.load kill-intake")
        self.token_id = info.id
        self.unit = unit

    def _values(self, engine) -> int:
        from sqlalchemy import bindparam, text

        ids, first, last = self.keys
        with engine.connect() as conn:
            return int(conn.execute(text(
                "SELECT count(*) FROM observation o JOIN area a ON a.id = o.area_id WHERE a.key = 'VN' "
                "AND o.indicator_id IN :ids AND o.period_start BETWEEN :f AND :l")
                .bindparams(bindparam("ids", expanding=True)), {"ids": list(ids), "f": first, "l": last}).scalar())

    def _submissions(self, engine) -> int:
        from sqlalchemy import text

        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM submission WHERE sha256 = :s"), {"s": self.sha}).scalar())

    def _writer_pid(self, engine, workers: list[int]) -> int | None:
        """The gunicorn worker whose PostgreSQL backend holds an open write transaction (an xid)
        that has lasted more than 0.2 s: the large load (the units' small ones take milliseconds)."""
        return writer_pid(engine, workers, min_age_ms=200)

    def inject(self, run) -> None:
        from bench.load import Client

        engine = run.engine
        values_before, subs_before = self._values(engine), self._submissions(engine)
        headers = {"Content-Type": "text/csv", "Authorization": f"Bearer {self.token}"}
        answer: list = []
        sender = threading.Thread(target=lambda: answer.append(
            Client(run.gunicorn.port, timeout=300).request("POST", "/api/v1/submissions?filename=history.csv",
                                                           self.payload, headers)), daemon=True)
        before = run.gunicorn.worker_pids()
        sender.start()
        victim = None
        t0 = time.monotonic()
        while victim is None and sender.is_alive() and time.monotonic() - t0 < 240:
            victim = self._writer_pid(engine, before)
            if victim is None:
                time.sleep(0.02)
        if victim is None:
            sender.join(300)
            self.notes["caught mid-load"] = False
            self.notes["answer"] = answer[0][0] if answer else None
            return
        os.kill(victim, signal.SIGKILL)
        self.t_end = time.monotonic() - run.started
        self.notes["caught mid-load"] = True
        self.notes["killed pid"] = victim
        self.notes["killed after s"] = round(time.monotonic() - t0, 2)
        sender.join(300)
        self.notes["client saw"] = answer[0][0] if answer else None
        replaced, seconds = _wait_replaced(run, before, victim)
        self.notes.update({"replaced": replaced, "replaced in s": seconds})
        deadline = time.monotonic() + 30  # the server notices the dead client and rolls back
        while time.monotonic() < deadline and self._values(engine) != values_before:
            time.sleep(0.2)
        self.notes["values of the killed load stored"] = self._values(engine) - values_before
        self.notes["submission rows of the killed load"] = self._submissions(engine) - subs_before
        status, ms, data, _ = Client(run.gunicorn.port, timeout=300).request(
            "POST", "/api/v1/submissions?filename=history.csv", self.payload, headers)
        try:
            report = json.loads(data)
        except ValueError:
            report = {}
        self.notes["sent again"] = {"status": status, "written": (report.get("counts") or {}).get("written"),
                                    "rows": self.rows, "seconds": round(ms / 1000, 1)}
        self.notes["values stored after sending again"] = self._values(engine) - values_before

    def excuses(self, r) -> bool:
        return r.status == 0 and self._within(r.t, 0.5, 2.0)

    def finish(self, run, engine) -> None:
        from auth.tokens import revoke_token

        if getattr(self, "token_id", None):
            try:
                revoke_token(engine, self.token_id)
            except Exception:  # noqa: BLE001 - cleanup only
                pass

    def judge(self, run, summary):
        observed, ok = _common(summary)
        n = self.notes
        again = n.get("sent again") or {}
        ok = (ok and n.get("caught mid-load") and n.get("client saw") == 0 and n.get("replaced")
              and n.get("values of the killed load stored") == 0 and n.get("submission rows of the killed load") == 0
              and again.get("status") == 201 and again.get("written") == self.rows
              and n.get("values stored after sending again") == self.rows and "injection_error" not in n)
        return observed, ok
