"""The cluster of ``scripts/cluster.sh`` on real servers: any node serves any request, boards read
from the replica and never older than the primary (a replica paused or stopped sends the reads to
the primary, and the health check says so), a node drained or killed costs no request."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import g

from tests.cluster_world import Cluster, http_call, wait_until
from tests.conftest import app_on

pytestmark = [pytest.mark.postgres, pytest.mark.heavy, pytest.mark.fault, pytest.mark.slow]

OBS = "/api/v1/observations?indicator=RETAIL_SALES&area=01&from=202510&to=202510"


@pytest.fixture(scope="module")
def cluster():
    world = Cluster()
    try:
        yield world.up()
    finally:
        world.destroy()


@pytest.fixture(scope="module")
def analyst(cluster) -> dict:
    from tests.auth_sessions import ensure_session

    name, value = ensure_session(cluster.engine(cluster.primary_port), "cluster.analyst", "analyst")
    return {"Cookie": f"{name}={value}"}


@pytest.fixture(scope="module")
def unit_token(cluster) -> str:
    from auth.tokens import create_token

    return create_token(cluster.engine(cluster.primary_port), "UB01", days=1)[0]


@pytest.fixture
def replica_app(cluster, tmp_path):
    """An app in this process on the cluster's primary and replica (short waits, for the test)."""
    with app_on(cluster.url(cluster.primary_port), tmp_path, database_read_url=cluster.url(cluster.replica_port),
                read_replica_max_wait_s=0.3, read_replica_retry_s=0.5) as server:
        yield server


def _reads_on(server) -> tuple[int, int]:
    """(the port this request's reads went to, the data_version they saw)."""
    from data_access.cache.scopes import current_data_version
    from data_access.engine import current_connection

    with server.test_request_context("/"):
        version = current_data_version()
        port = current_connection().engine.url.port
        assert g.occ_data_version == version
        return int(port), version


def _submit(cluster, token: str, value: float) -> dict:
    body = json.dumps({"observations": [{"indicator_code": "RETAIL_SALES", "area_code": "01", "period": "202510",
                                         "value": value}]}).encode()
    status, data = http_call(cluster.lb, "POST", "/api/v1/submissions", body,
                             {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    assert status == 201, (status, data[:500])
    report = json.loads(data)
    assert report["status"] == "accepted" and report["data_version"] > 0, report
    return report


def _value_on(port: int, headers: dict) -> float:
    status, data = http_call(port, "GET", OBS, headers=headers)
    assert status == 200, (port, status, data[:300])
    items = json.loads(data)["observations"]
    assert len(items) == 1, items
    return items[0]["value"]


def test_clu001_every_part_up_and_any_node_serves(cluster):
    status = cluster.run("status")
    assert [line.split()[1] for line in status.stdout.splitlines()] == [
        "balancer", "node1", "node2", "redis", "primary", "replica"]
    assert " down" not in status.stdout and status.stdout.count("balancer: UP") == 2, status.stdout
    served = Counter()
    for _ in range(40):
        code, body = http_call(cluster.lb, "GET", "/api/v1/health")
        assert code == 200
        served[json.loads(body)["read_replica"]["reads_from"]] += 1
    logs = [(cluster.dir / f"node{n}" / "access.log").read_text().count("/api/v1/health") for n in (1, 2)]
    assert min(logs) >= 15, f"round robin without stickiness: {logs}"
    assert served == {"replica": 40}


def test_clu002_reads_wait_for_the_replica_or_go_to_the_primary(cluster, replica_app):
    from data_access.engine import bump_data_version

    port, version = _reads_on(replica_app)
    assert port == cluster.replica_port and version == cluster.version_on(cluster.primary_port)
    cluster.pause_replay()
    try:
        with cluster.engine(cluster.primary_port).begin() as conn:
            newer = bump_data_version(conn, ["i:RETAIL_SALES"])
        assert cluster.version_on(cluster.replica_port) < newer
        # the replica has not replayed what the primary holds: the request reads the primary
        assert _reads_on(replica_app) == (cluster.primary_port, newer)
        health = replica_app.test_client().get("/api/v1/health").get_json()["read_replica"]
        assert health["state"] == "lagging" and health["reads_from"] == "primary", health
        assert health["lag_versions"] >= 1
    finally:
        cluster.resume_replay()
    wait_until(lambda: cluster.version_on(cluster.replica_port) >= newer, "the replica replays")
    wait_until(lambda: _reads_on(replica_app) == (cluster.replica_port, newer), "reads back on the replica")
    health = replica_app.test_client().get("/api/v1/health").get_json()["read_replica"]
    assert health["state"] == "ok" and health["reads_from"] == "replica" and health["lag_versions"] == 0


def test_clu003_no_node_serves_older_than_an_accepted_submission(cluster, analyst, unit_token):
    """A submission accepted while the replica replays nothing: every node answers with its value
    at once (from the primary), none with the replica's older one; and again once it replays."""
    before = _value_on(cluster.lb, analyst)
    cluster.pause_replay()
    try:
        report = _submit(cluster, unit_token, round(before + 1.25, 2))
        assert cluster.version_on(cluster.replica_port) < report["data_version"]
        for n in (1, 2):
            assert _value_on(cluster.node(n), analyst) == round(before + 1.25, 2), f"node {n}"
            assert cluster.health(cluster.node(n))["read_replica"]["reads_from"] == "primary"
    finally:
        cluster.resume_replay()
    wait_until(lambda: all(cluster.health(cluster.node(n))["read_replica"]["reads_from"] == "replica"
                           for n in (1, 2)), "both nodes back on the replica", timeout=30)
    for n in (1, 2):
        assert _value_on(cluster.node(n), analyst) == round(before + 1.25, 2)


def test_clu004_replica_stopped_and_started(cluster, analyst):
    cluster.run("replica-stop")
    try:
        for n in (1, 2):
            assert _value_on(cluster.node(n), analyst) > 0
            health = cluster.health(cluster.node(n))
            assert health["read_replica"]["state"] == "down" and health["read_replica"]["reads_from"] == "primary"
            assert health["status"] == "ok"
    finally:
        cluster.run("replica-start")
    wait_until(lambda: all(cluster.health(cluster.node(n))["read_replica"]["state"] == "ok" for n in (1, 2)),
               "the replica back in both nodes' health", timeout=30)


@contextlib.contextmanager
def _traffic(cluster, headers: dict) -> Iterator[Counter]:
    """Reads through the balancer from two threads while the block runs; the statuses counted."""
    statuses: Counter = Counter()
    stop = threading.Event()

    def reads() -> None:
        while not stop.is_set():
            statuses[http_call(cluster.lb, "GET", OBS, headers=headers)[0]] += 1

    threads = [threading.Thread(target=reads, daemon=True) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        yield statuses
    finally:
        stop.set()
        for t in threads:
            t.join(30)


def test_clu005_a_node_drained_or_killed_costs_no_request(cluster, analyst):
    with _traffic(cluster, analyst) as statuses:
        wait_until(lambda: statuses.total() >= 20, "traffic under way")
        cluster.run("node-stop", "1")
        seen = statuses.total()
        wait_until(lambda: statuses.total() >= seen + 20, "traffic on node 2 alone")
        cluster.run("node-start", "1")
        cluster.run("node-kill", "2")
        seen = statuses.total()
        wait_until(lambda: statuses.total() >= seen + 20, "traffic after node 2 was killed")
        cluster.run("node-start", "2")
    assert set(statuses) == {200}, statuses
    assert cluster.run("status", check=False).returncode == 0


def test_clu006_a_submission_sent_twice_through_the_balancer_is_stored_once(cluster, unit_token):
    body = json.dumps({"observations": [{"indicator_code": "RETAIL_SALES", "area_code": "01", "period": "202510",
                                         "value": 77.5}]}).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {unit_token}"}
    first, data = http_call(cluster.lb, "POST", "/api/v1/submissions", body, headers)
    again, data2 = http_call(cluster.lb, "POST", "/api/v1/submissions", body, headers)
    assert (first, again) == (201, 200), (data[:300], data2[:300])
    assert json.loads(data2)["submission_id"] == json.loads(data)["submission_id"]
    assert hashlib.sha256(body).hexdigest() == json.loads(data)["sha256"]


def _answers(port: int, headers: dict) -> list:
    """20 API reads: the catalogue and 19 indicators' national series."""
    status, data = http_call(port, "GET", "/api/v1/indicators", headers=headers)
    assert status == 200, (status, data[:300])
    catalogue = json.loads(data)
    codes = sorted(i["code"] for i in catalogue["indicators"])[:19]
    answers = [catalogue]
    for code in codes:
        status, data = http_call(port, "GET", f"/api/v1/observations?indicator={code}&area=VN", headers=headers)
        assert status == 200, (code, status, data[:300])
        answers.append(json.loads(data))
    assert len(answers) == 20 and sum(a.get("count", 0) for a in answers[1:]) > 0
    return answers


def test_clu007_backup_restored_into_a_fresh_cluster(cluster, analyst, unit_token, tmp_path):
    """Backup of the primary and the archive (after this module's submissions), restored into an
    empty cluster: the same health (data_version, observations, newest period), the same answers to
    20 API reads, the same archived files; the analyst's session came along."""
    _submit(cluster, unit_token, 91.75)
    backup = Path(tempfile.mkdtemp(prefix="occ-cluster-backup-", dir="/tmp"))
    restored = Cluster(seed_demo=False)
    try:
        cluster.run("backup", str(backup))
        restored.env["SECRET_KEY"] = (cluster.dir / "secret_key").read_text().strip()
        restored.run("restore", str(backup))
        assert restored.run("status", check=False).returncode == 0
        keep = ("data_version", "observations", "latest_period", "updated_at", "status")
        before, after = cluster.health(cluster.lb), restored.health(restored.lb)
        assert {k: after[k] for k in keep} == {k: before[k] for k in keep}
        assert after["read_replica"]["state"] == "ok"
        assert _answers(restored.lb, analyst) == _answers(cluster.lb, analyst)
        files = {p.relative_to(cluster.dir / "archive"): p.read_bytes() for p in (cluster.dir / "archive").rglob("*")
                 if p.is_file()}
        assert files and files == {p.relative_to(restored.dir / "archive"): p.read_bytes()
                                   for p in (restored.dir / "archive").rglob("*") if p.is_file()}
    finally:
        restored.destroy()
        shutil.rmtree(backup, ignore_errors=True)
