"""The render gate of exports (exports/gate.py) and background pack jobs (exports/jobs.py): limits
on concurrent pack renders per user and in all that hold across app instances sharing one
warehouse, a bounded first-come first-served queue with visible positions, 429 beyond it, leases
that free a crashed holder's slot, and the briefing page's asynchronous download.

Renders are replaced by a fake that blocks until the test lets it go, so the tests are fast and
deterministic; waits are on conditions, never fixed sleeps."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import delete, select

from data_access import schema
from exports.gate import Busy, Gate, Limits, plan
from tests.conftest import ROOT, make_settings, seeded_url_for
from tests.utils import until

SPEC = {"kind": "daily", "day": "2026-11-25"}
ASYNC = {"Prefer": "respond-async"}


# --- the queue's order, without a database ----------------------------------------------------------------------


def test_egt001_plan_is_first_come_first_served_and_skips_users_at_their_cap():
    lim = Limits(running=2, per_user=1)
    rows = [("a1", "alice", "running"), ("a2", "alice", "queued"), ("a3", "alice", "queued"),
            ("b1", "bob", "queued"), ("c1", "carol", "queued")]
    start, positions = plan(rows, lim)
    assert start == {"b1"}  # alice is at her cap: bob, behind her, takes the free slot
    assert positions == {"a2": 1, "a3": 2, "c1": 3}
    start, positions = plan([("a1", "alice", "queued"), ("b1", "bob", "queued")], Limits(running=1, per_user=1))
    assert start == {"a1"} and positions == {"b1": 1}


# --- the gate on a shared store (two instances = two engines, as two workers or hosts) -------------------------


@pytest.fixture
def store(empty_url, tmp_path):
    from data_access.engine import make_engine, migrate

    engines = []

    def engine():
        e = make_engine(make_settings(empty_url, tmp_path))
        engines.append(e)
        return e

    migrate(engine())
    yield empty_url, engine
    for e in engines:
        e.dispose()


def test_egt002_overall_and_per_user_caps_hold_across_two_instances(store):
    _url, engine = store
    lim = Limits(running=2, per_user=1, queue=3, queue_per_user=2)
    one, two = Gate(engine(), "pack", lim), Gate(engine(), "pack", lim)
    a = one.enqueue("alice")
    b = two.enqueue("bob")
    assert (a.state, b.state) == ("running", "running")
    c = one.enqueue("carol")  # the overall cap (2) is reached on the other instance too
    a2 = two.enqueue("alice")
    assert (c.state, c.position) == ("queued", 1)
    assert (a2.state, a2.position) == ("queued", 2)
    assert two.peek(c.id).position == 1 and one.peek(a2.id).position == 2  # either instance sees the queue
    d = two.enqueue("dave")
    with pytest.raises(Busy) as refused:  # 3 waiting: the queue is full for everybody
        one.enqueue("erin")
    assert refused.value.scope == "all"
    assert d.state == "queued"
    two.release(b.id)  # bob is done: the first in line (carol) starts, not alice (at her cap)
    assert one.advance(c.id).state == "running"
    assert two.advance(a2.id).state == "queued" and two.advance(d.id).state == "queued"
    one.release(a.id)  # alice's first is done: her second starts, dave waits for a slot
    assert two.advance(d.id).state == "queued"
    assert two.advance(a2.id).state == "running"
    with one.engine.connect() as conn:
        running = conn.execute(select(schema.export_slot.c.owner).where(schema.export_slot.c.state == "running")).all()
    assert sorted(r.owner for r in running) == ["alice", "carol"]
    one.release(c.id)
    two.release(a2.id)  # through the instance whose heartbeat holds it
    two.release(d.id)
    assert not one._held and not two._held


def test_egt003_a_user_beyond_their_queue_is_refused(store):
    _url, engine = store
    gate = Gate(engine(), "pack", Limits(running=2, per_user=1, queue=6, queue_per_user=2))
    first = gate.enqueue("alice")
    queued = [gate.enqueue("alice"), gate.enqueue("alice")]
    with pytest.raises(Busy) as refused:
        gate.enqueue("alice")
    assert refused.value.scope == "user" and refused.value.retry_after > 0
    bob = gate.enqueue("bob")
    assert bob.state == "running"  # alice's queue does not hold bob up
    assert [t.state for t in queued] == ["queued", "queued"]
    for ticket in (first, bob, *queued):
        gate.release(ticket.id)


def test_egt003b_the_heartbeat_lets_go_of_a_ticket_released_through_another_instance(store):
    _url, engine = store
    lim = Limits(running=2, per_user=1, lease_s=0.6)
    one, two = Gate(engine(), "pack", lim), Gate(engine(), "pack", lim)
    ticket = two.enqueue("alice")
    beat = two._beat
    assert ticket.state == "running" and beat is not None and beat.is_alive()
    one.release(ticket.id)  # done on another worker: the row is gone, two's heartbeat still holds it
    beat.join(timeout=10)
    assert not beat.is_alive() and not two._held  # it stopped renewing a row that no longer exists
    bob, carol = one.enqueue("bob"), one.enqueue("carol")  # both slots are free again
    assert (bob.state, carol.state) == ("running", "running")
    one.release(bob.id)
    one.release(carol.id)


_CRASH = """
import os, sys
from sqlalchemy import create_engine
from exports.gate import Gate, Limits
gate = Gate(create_engine(sys.argv[1]), "pack", Limits(running=1, per_user=1, lease_s=30))
ticket = gate.enqueue("alice")
print(ticket.state, flush=True)
os._exit(9)  # dies holding its slot: no release, no more heartbeats
"""


def test_egt004_a_crashed_holders_slot_is_freed_after_its_lease(store):
    url, engine = store
    done = subprocess.run([sys.executable, "-c", _CRASH, url], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 9 and done.stdout.split() == ["running"], done.stderr
    now = [time.time()]
    gate = Gate(engine(), "pack", Limits(running=1, per_user=1, lease_s=30), clock=lambda: now[0])
    waiting = gate.enqueue("bob")
    assert waiting.state == "queued"  # the dead process's lease still runs
    now[0] += 20
    assert gate.advance(waiting.id).state == "queued"  # bob renews his lease while he waits
    now[0] += 11  # the dead process's lease has passed
    assert gate.advance(waiting.id).state == "running"
    with gate.engine.connect() as conn:
        owners = conn.execute(select(schema.export_slot.c.owner)).scalars().all()
    assert owners == ["bob"]
    gate.release(waiting.id)


def test_egt005_a_waiter_starts_when_the_holder_releases_and_keeps_its_lease_alive(store):
    _url, engine = store
    gate = Gate(engine(), "pack", Limits(running=1, per_user=1, lease_s=3, poll_s=0.05))
    seen: list[int] = []
    first = gate.enqueue("alice")
    with ThreadPoolExecutor(1) as pool:
        with_bob = pool.submit(lambda: gate.wait(gate.enqueue("bob").id, timeout=30, on_position=seen.append))
        until(lambda: seen == [1], what="bob queued at position 1")
        gate.release(first.id)
        assert with_bob.result(timeout=30).state == "running"
    gate.release(with_bob.result().id)


# --- through the routes: background pack jobs -------------------------------------------------------------------


class SlowRenderer:
    """Stands in for packs.render_file: blocks until released; counts renders at once."""

    def __init__(self):
        self.go = threading.Event()
        self.lock = threading.Lock()
        self.now = self.most = self.calls = 0

    def __call__(self, pack, fmt):
        with self.lock:
            self.now += 1
            self.calls += 1
            self.most = max(self.most, self.now)
        try:
            if not self.go.wait(30):
                raise RuntimeError("the test never let the render go")
            return f"{fmt}:{pack.title}".encode()
        finally:
            with self.lock:
                self.now -= 1


@pytest.fixture
def slow(monkeypatch):
    renderer = SlowRenderer()
    monkeypatch.setattr("exports.packs.render_file", renderer)
    yield renderer
    renderer.go.set()


def _clean(engine):
    with engine.begin() as conn:
        conn.execute(delete(schema.export_slot))
        conn.execute(delete(schema.export_job))


@pytest.fixture
def make_app(databases, tmp_path, monkeypatch):
    """Apps on the seeded warehouse; at the end, waits until every job has finished (with the fake
    renderer still in place: ``monkeypatch`` is undone after this fixture) and empties the gate."""
    from app import create_app

    apps = []

    def make(backend: str = "sqlite", **overrides):
        overrides = {"export_pack_concurrency": 2, "export_pack_per_user": 1, "export_queue_max": 4,
                     "export_queue_per_user": 2, **overrides}
        server = create_app(make_settings(seeded_url_for(backend, databases), tmp_path, **overrides))
        if not apps:
            _clean(server.extensions["warehouse"].engine)
        apps.append(server)
        return server

    yield make
    if apps:
        engine = apps[0].extensions["warehouse"].engine

        def settled():  # every job of the test has finished and given its place back
            with engine.connect() as conn:
                return conn.execute(select(schema.export_slot.c.id)).first() is None

        until(settled, what="every render released")
        _clean(engine)
    for server in apps:
        server.extensions["warehouse"].dispose()


def as_user(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def post_pack(client, address: str, fmt: str = "pdf", lang: str = "vi", title: str = "T"):
    return client.post(f"/export/pack.{fmt}", json={"title": title, "specs": [SPEC], "lang": lang},
                       headers=ASYNC, **as_user(address))


def status(client, address: str, job_id: str, lang: str = "vi") -> dict:
    res = client.get(f"/export/jobs/{job_id}", query_string={"lang": lang}, **as_user(address))
    assert res.status_code == 200, res.get_data(as_text=True)
    return res.get_json()


def test_egt006_one_users_extra_packs_are_queued_with_their_position_then_served(make_app, slow):
    app = make_app()
    client = app.test_client()
    answers = [post_pack(client, "10.0.0.1", title=f"Pack {i}") for i in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 202]
    ids = [a.get_json()["id"] for a in answers]
    assert answers[0].headers["Location"].startswith(f"/export/jobs/{ids[0]}")
    until(lambda: slow.now == 1, what="the first render to start")
    states = [status(client, "10.0.0.1", i) for i in ids]
    assert [(s["state"], s["position"]) for s in states] == [("running", 0), ("queued", 1), ("queued", 2)]
    assert states[2]["message"] == "Đang xếp hàng (vị trí 2)…"
    assert status(client, "10.0.0.1", ids[1], lang="en")["message"] == "Queued (position 1)…"
    slow.go.set()
    finals = [until(lambda i=i: (s := status(client, "10.0.0.1", i))["state"] == "done" and s, what="done")
              for i in ids]
    assert slow.most == 1 and slow.calls == 3  # one at a time for one user, however many were asked
    res = client.get(finals[2]["file_url"], **as_user("10.0.0.1"))
    assert res.status_code == 200 and res.get_data() == b"pdf:Pack 2"
    assert res.headers["Content-Disposition"].startswith('attachment; filename="BRIEFING_Pack-2_')
    with app.extensions["warehouse"].engine.connect() as conn:
        audited = conn.execute(select(schema.audit_log.c.target, schema.audit_log.c.detail)
                               .where(schema.audit_log.c.action == "export")
                               .order_by(schema.audit_log.c.id.desc())).first()
    assert audited.target == "pack.pdf" and json.loads(audited.detail)["spec"]["title"] == "Pack 2"


def test_egt007_beyond_the_users_queue_the_answer_is_429_with_retry_after(make_app, slow):
    app = make_app()
    client = app.test_client()
    assert [post_pack(client, "10.0.0.1").status_code for _ in range(3)] == [202, 202, 202]
    refused = post_pack(client, "10.0.0.1")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    body = refused.get_json()
    assert body["error"] == "busy" and body["scope"] == "user"
    assert body["message"].startswith("Bạn đang có yêu cầu xuất tệp chờ xử lý")
    english = post_pack(client, "10.0.0.1", lang="en").get_json()["message"]
    assert english.startswith("You already have exports waiting")
    # the synchronous URL is refused the same way (it does not wait in a full queue)
    sync = client.post("/export/pack.pptx", json={"specs": [SPEC]}, **as_user("10.0.0.1"))
    assert sync.status_code == 429 and sync.headers["Retry-After"]


def test_egt008_the_whole_queue_full_is_429_for_everybody(make_app, slow):
    app = make_app(export_pack_concurrency=1, export_queue_max=2)
    client = app.test_client()
    assert [post_pack(client, f"10.0.1.{i}").status_code for i in range(3)] == [202, 202, 202]
    refused = post_pack(client, "10.0.1.9")
    assert refused.status_code == 429 and refused.get_json()["scope"] == "all"
    assert "hàng chờ đã đầy" in refused.get_json()["message"]


def test_egt009_another_user_is_not_held_up_by_one_users_queue(make_app, slow):
    app = make_app()
    client = app.test_client()
    alice = [post_pack(client, "10.0.0.1").get_json()["id"] for _ in range(3)]
    until(lambda: slow.now == 1, what="alice's first render")
    bob = post_pack(client, "10.0.0.2").get_json()["id"]
    until(lambda: slow.now == 2, what="bob's render, ahead of alice's queue")
    assert status(client, "10.0.0.2", bob)["state"] == "running"
    assert [status(client, "10.0.0.1", i)["state"] for i in alice] == ["running", "queued", "queued"]
    # a job is its owner's only
    assert client.get(f"/export/jobs/{bob}", **as_user("10.0.0.1")).status_code == 404
    slow.go.set()
    until(lambda: all(status(client, "10.0.0.1", i)["state"] == "done" for i in alice), what="alice's packs")
    assert client.get(f"/export/jobs/{bob}/file", **as_user("10.0.0.1")).status_code == 404
    assert slow.most == 2


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_egt010_two_app_instances_share_the_overall_cap(make_app, slow, backend):
    if backend == "postgresql":
        from tests.conftest import _require_pg

        _require_pg()
    one = make_app(backend, export_pack_concurrency=2)
    two = make_app(backend, export_pack_concurrency=2)
    c1, c2 = one.test_client(), two.test_client()
    jobs = [post_pack(c1, "10.0.2.1"), post_pack(c2, "10.0.2.2"), post_pack(c1, "10.0.2.3"), post_pack(c2, "10.0.2.4")]
    assert [j.status_code for j in jobs] == [202] * 4
    ids = [j.get_json()["id"] for j in jobs]
    until(lambda: slow.now == 2, what="two renders")
    # any instance answers any job's poll; two run, two wait in arrival order
    seen = [status(c2 if k % 2 == 0 else c1, f"10.0.2.{k + 1}", i) for k, i in enumerate(ids)]
    assert [(s["state"], s["position"]) for s in seen] == [("running", 0), ("running", 0), ("queued", 1), ("queued", 2)]
    slow.go.set()
    until(lambda: all(status(c1, f"10.0.2.{k + 1}", i)["state"] == "done" for k, i in enumerate(ids)), what="all")
    assert slow.most == 2 and slow.calls == 4


def test_egt011_synchronous_pack_urls_wait_their_turn_and_are_served(make_app, slow):
    app = make_app()
    client, gate_rows = app.test_client(), []

    def sync():
        return client.post("/export/pack.pdf", json={"title": "Sync", "specs": [SPEC]}, **as_user("10.0.3.1"))

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(sync)
        until(lambda: slow.now == 1, what="the first sync render")
        second = pool.submit(sync)

        def queued():
            with app.extensions["warehouse"].engine.connect() as conn:
                rows = conn.execute(select(schema.export_slot.c.state)).scalars().all()
            gate_rows[:] = rows
            return sorted(rows) == ["queued", "running"]

        until(queued, what="the second request queued behind the first")
        slow.go.set()
        answers = [first.result(30), second.result(30)]
    assert [a.status_code for a in answers] == [200, 200]
    assert [a.get_data() for a in answers] == [b"pdf:Sync", b"pdf:Sync"]
    assert slow.most == 1


def test_egt012_chart_images_have_a_lighter_gate_without_a_queue(make_app, monkeypatch):
    from exports.specs import encode_spec

    app = make_app(export_chart_per_user=1)
    go, started = threading.Event(), threading.Event()

    def image(result, fmt):
        started.set()
        go.wait(30)
        return b"<svg/>"

    monkeypatch.setattr("exports.files.image", image)
    client = app.test_client()
    url = f"/export/chart.svg?spec={encode_spec(SPEC)}"
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(lambda: client.get(url, **as_user("10.0.4.1")))
        until(started.is_set, what="the first chart render")
        refused = client.get(url, **as_user("10.0.4.1"))
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "2"
        assert client.get(f"/export/chart.csv?spec={encode_spec(SPEC)}", **as_user("10.0.4.1")).status_code == 200
        go.set()
        assert first.result(30).status_code == 200
    assert client.get(url, **as_user("10.0.4.1")).status_code == 200
