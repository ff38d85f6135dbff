"""``bench.load --cluster``: the load run through the balancer of ``scripts/cluster.sh`` (which must
be up), its faults during the run, and the consistency check across nodes.

* :class:`ClusterTarget` stands where ``bench.load`` starts its own gunicorn: the balancer's port,
  the workers of every node (memory and CPU from ``/proc``), node 1's error log.
* :class:`ClusterFaults` (``--fault cluster``): at a fifth of the run node 2 is SIGKILLed and started
  again; at two fifths the replica is stopped for ``--fault-seconds`` / 2 and started again; at
  three fifths Redis is restarted. Requests lost with node 2 (in flight on it when it died, which
  the balancer could not send elsewhere) are counted and reported, not excused beyond that second.
* :func:`consistency`: no response is older than one that had already been served when it was
  asked for. Every response that read the warehouse names the data_version it saw
  (``X-OCC-Data-Version``); once any node has served version V (the response completed), every
  request started later, on any node, must see V or newer.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from bench.faults import Fault, _common

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "cluster.sh"
NODES = (1, 2)


def cluster_env() -> dict[str, str]:
    return {**os.environ, "CLUSTER_DIR": os.environ.get("CLUSTER_DIR", "/tmp/occ-cluster"),
            "CLUSTER_PORT": os.environ.get("CLUSTER_PORT", "56000")}


def cluster(*args: str) -> str:
    """Run ``scripts/cluster.sh ARGS`` (raises when it fails); its output."""
    res = subprocess.run(["bash", str(SCRIPT), *args], env=cluster_env(), capture_output=True, text=True,
                         timeout=600, check=True)
    return res.stdout


def primary_url() -> str:
    base = int(cluster_env()["CLUSTER_PORT"])
    return f"postgresql+psycopg2://postgres@127.0.0.1:{base + 4}/occ"


class ClusterTarget:
    """What ``bench.load`` drives: the balancer of a running cluster (it is left running)."""

    def __init__(self) -> None:
        env = cluster_env()
        self.dir = Path(env["CLUSTER_DIR"])
        self.port = int(env["CLUSTER_PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.dir / "node1" / "error.log"
        self.redis_url = f"redis://127.0.0.1:{self.port + 3}/0"
        cluster("status")  # raises when a part is down

    def worker_pids(self) -> list[int]:
        pids: list[int] = []
        for n in NODES:
            try:
                master = int((self.dir / f"node{n}" / "gunicorn.pid").read_text().strip())
                pids += [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
            except (OSError, ValueError):
                continue
        return sorted(pids)

    def stop(self) -> None:
        """The cluster is the caller's: nothing to stop."""


class ClusterRedis:
    """The cluster's Redis, as ``bench.load`` names its own."""

    def __init__(self, url: str) -> None:
        self.url = url

    def stop(self) -> None:
        """The cluster's: left running."""


class ClusterFaults(Fault):
    name = "cluster"
    expected = ("node 2 SIGKILLed and restarted: no request fails that the balancer could retry (the ones in "
                "flight on it counted); the replica stopped and started: reads fall back to the primary, 0 errors; "
                "Redis restarted: 0 errors; nothing acknowledged lost; no node serves data older than any node "
                "served before")
    KILL_WINDOW_S = 1.0  # failures this close after the kill: requests that were in flight on node 2

    def __init__(self, args):
        super().__init__(args)
        duration = args.minutes * 60
        self.steps = {"kill": duration / 5, "replica": 2 * duration / 5, "redis": 3 * duration / 5}
        self.times: dict[str, float] = {}

    def run(self, run) -> None:
        self.t_start = self.steps["kill"]
        for step, at in self.steps.items():
            if not run._sleep_until(run.started + at):
                break
            self.times[step] = time.monotonic() - run.started
            try:
                getattr(self, "_" + step)(run)
            except Exception as exc:  # noqa: BLE001 - a failed injection is a FAIL, not a crash
                self.notes[f"{step}_error"] = f"{type(exc).__name__}: {exc}"
        self.t_end = time.monotonic() - run.started

    def _kill(self, run) -> None:
        cluster("node-kill", "2")
        cluster("node-start", "2")
        self.times["node 2 back"] = time.monotonic() - run.started

    def _replica(self, run) -> None:
        cluster("replica-stop")
        run._sleep_until(time.monotonic() + self.seconds / 2)
        cluster("replica-start")
        self.times["replica back"] = time.monotonic() - run.started

    def _redis(self, run) -> None:
        cluster("redis-restart")

    def finish(self, run, engine) -> None:
        for n in NODES:  # each a no-op when already up
            cluster("node-start", str(n))
        cluster("replica-start")

    def excuses(self, record) -> bool:
        killed = self.times.get("kill")
        return (killed is not None and record.status in (0, 502, 503) and record.cls != "submission"
                and killed <= record.t <= killed + self.KILL_WINDOW_S)

    def judge(self, run, summary: dict) -> tuple[dict, bool]:
        observed, ok = _common(summary)
        recs = run.metrics.snapshot()
        observed["lost with node 2 (in flight)"] = sum(1 for r in recs if r.status not in (200, 201, 204)
                                                       and self.excuses(r))
        observed["step times (s)"] = {k: round(v, 1) for k, v in self.times.items()}
        check = consistency(recs)
        observed["consistency"] = check
        return observed, ok and check["violations"] == 0 and not any(k.endswith("_error") for k in self.notes)


def consistency(records) -> dict:
    """Responses (``version`` set) that saw an older data_version than one already served when
    they were asked for. ``records``: objects with ``t`` (end, s), ``ms`` and ``version``."""
    served = sorted(((r.t - r.ms / 1000, r.t, r.version) for r in records if getattr(r, "version", None) is not None),
                    key=lambda x: x[0])
    ends = sorted((end, version) for _, end, version in served)
    newest, i, violations, examples = 0, 0, 0, []
    for start, _end, version in served:
        while i < len(ends) and ends[i][0] < start:
            newest = max(newest, ends[i][1])
            i += 1
        if version < newest:
            violations += 1
            if len(examples) < 5:
                examples.append({"started_s": round(start, 3), "saw": version, "already_served": newest})
    return {"responses": len(served), "versions": len({v for *_, v in served}), "violations": violations,
            "examples": examples}
