"""The render gate: a limit on concurrent renders that holds across gunicorn workers and hosts.

A briefing pack of 30 charts takes the export browser ~30 s of CPU; four at once took 39-83 s each
and slowed every board. The gate lets at most ``Limits.running`` renders of one kind run at once
(on every worker and host together) and at most ``Limits.per_user`` of them for one user. The
rest wait in a first-in, first-out queue, at most ``Limits.queue`` requests in all and
``Limits.queue_per_user`` of one user; beyond that :class:`Busy` refuses (the routes answer 429
with ``Retry-After``).

The shared store is the warehouse itself (the ``export_slot`` table), so the gate needs nothing
the app does not already have: PostgreSQL for workers on several hosts, the SQLite file for the
workers of the embedded default. Every change of the table runs in one transaction that holds a
lock for the gate: ``pg_advisory_xact_lock`` on PostgreSQL, SQLite's write lock (the first
statement is a write) on SQLite; so the check of the limits and the insert are one step.

Each row carries a lease (``Limits.lease_s``, 30 s): a waiting request renews it every time it
looks at the queue, a running render's process renews it from a heartbeat thread. A process that
dies (killed, out of memory, a host lost) stops renewing, and its rows are swept by the next
request once their lease has passed: a crashed render holds its slot for one lease at most.

Who goes next: queued rows in the order they arrived, skipping a row whose user is already at
``per_user``; so one user's queue never holds up another user while a slot is free. The position
shown to a waiting user is its place among the rows still waiting (1 = next).

Leases and order use the wall clock (epoch seconds) of the processes: hosts must keep their
clocks in step (NTP) to well within a lease.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from data_access import schema

log = logging.getLogger(__name__)

s = schema.export_slot
LOCK_KEY = 0x6F63635F67617465  # pg_advisory_xact_lock key of the gate ("occ_gate")


@dataclass(frozen=True)
class Limits:
    running: int = 2  # renders of this kind at once, every worker and host together
    per_user: int = 1  # renders of one user at once
    queue: int = 6  # requests waiting, in all
    queue_per_user: int = 2  # requests of one user waiting
    lease_s: float = 30.0  # a row not renewed for this long belongs to a dead process
    poll_s: float = 0.5  # how often a waiting request looks at the queue (woken at once by a release here)
    retry_after_s: int = 30  # what a refusal tells the client to wait


class Busy(Exception):
    """The queue is full (``scope`` "user": this user's part of it, "all": the whole of it), or a
    request waited longer than it may. ``retry_after`` in seconds."""

    def __init__(self, scope: str, retry_after: int):
        super().__init__(f"export queue full ({scope})")
        self.scope = scope
        self.retry_after = retry_after


@dataclass(frozen=True)
class Ticket:
    id: str
    owner: str
    state: str  # "queued", "running", or "gone" (released, or swept after its lease)
    position: int = 0  # while queued: 1 = next to start


def plan(rows: list[tuple[str, str, str]], limits: Limits) -> tuple[set[str], dict[str, int]]:
    """Given the live rows ``(id, owner, state)`` in queue order: the queued ids that may start now,
    and the position of every other queued id (1-based)."""
    total = sum(1 for _, _, state in rows if state == "running")
    per_user = Counter(owner for _, owner, state in rows if state == "running")
    start: set[str] = set()
    positions: dict[str, int] = {}
    for id_, owner, state in rows:
        if state != "queued":
            continue
        if total < limits.running and per_user[owner] < limits.per_user:
            start.add(id_)
            total += 1
            per_user[owner] += 1
        else:
            positions[id_] = len(positions) + 1
    return start, positions


class Gate:
    """The gate of one kind of render (``"pack"``, ``"chart"``) on one warehouse ``engine``. One
    object per app; any number of apps, processes and hosts may share the table."""

    def __init__(self, engine: Engine, kind: str, limits: Limits, clock: Callable[[], float] = time.time):
        self.engine = engine
        self.kind = kind
        self.limits = limits
        self.clock = clock
        self._held: set[str] = set()  # running tickets of this process: the heartbeat renews them
        self._changed = threading.Condition()
        self._beat: threading.Thread | None = None
        self._beat_lock = threading.Lock()
        self._beat_pid: int | None = None

    # -- the table ---------------------------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[tuple[Connection, float]]:
        """A transaction that holds the gate's lock, after sweeping rows whose lease has passed."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(LOCK_KEY)))
            now = self.clock()
            # on SQLite this write takes the database's write lock until the commit
            conn.execute(delete(s).where(s.c.lease_until < now))
            yield conn, now

    def _rows(self, conn: Connection, now: float) -> list[tuple[str, str, str]]:
        query = (select(s.c.id, s.c.owner, s.c.state)
                 .where(s.c.kind == self.kind, s.c.lease_until >= now)
                 .order_by(s.c.enqueued_at, s.c.id))
        return [tuple(r) for r in conn.execute(query)]

    # -- the calls ---------------------------------------------------------------------------------------------

    def enqueue(self, owner: str) -> Ticket:
        """Take a place for ``owner``: running at once when the limits allow and nobody is ahead,
        else queued; :class:`Busy` when the queue (of this user, or in all) is full."""
        lim = self.limits
        id_ = uuid.uuid4().hex
        with self._locked() as (conn, now):
            rows = self._rows(conn, now)
            start, _ = plan([*rows, (id_, owner, "queued")], lim)
            state = "running" if id_ in start else "queued"
            if state == "queued":
                waiting = [o for _, o, st in rows if st == "queued"]
                if waiting.count(owner) >= lim.queue_per_user:
                    raise Busy("user", lim.retry_after_s)
                if len(waiting) >= lim.queue:
                    raise Busy("all", lim.retry_after_s)
            last = conn.execute(select(func.max(s.c.enqueued_at)).where(s.c.kind == self.kind)).scalar()
            conn.execute(insert(s).values(id=id_, kind=self.kind, owner=owner, state=state,
                                          enqueued_at=max(now, (last or 0) + 1e-6), lease_until=now + lim.lease_s))
        if state == "running":
            self._hold(id_)
            return Ticket(id_, owner, "running")
        return self.peek(id_)

    def advance(self, ticket_id: str) -> Ticket:
        """Renew a ticket's lease and start it if its turn has come."""
        with self._locked() as (conn, now):
            rows = self._rows(conn, now)
            mine = next((r for r in rows if r[0] == ticket_id), None)
            if mine is None:
                return Ticket(ticket_id, "", "gone")
            start, positions = plan(rows, self.limits)
            state = "running" if ticket_id in start else mine[2]
            conn.execute(update(s).where(s.c.id == ticket_id)
                         .values(state=state, lease_until=now + self.limits.lease_s))
        if state == "running":
            self._hold(ticket_id)
            return Ticket(ticket_id, mine[1], "running")
        return Ticket(ticket_id, mine[1], "queued", positions.get(ticket_id, 0))

    def peek(self, ticket_id: str) -> Ticket:
        """A ticket's state and position, read without changing anything."""
        now = self.clock()
        with self.engine.connect() as conn:
            rows = self._rows(conn, now)
        mine = next((r for r in rows if r[0] == ticket_id), None)
        if mine is None:
            return Ticket(ticket_id, "", "gone")
        if mine[2] == "running":
            return Ticket(ticket_id, mine[1], "running")
        start, positions = plan(rows, self.limits)
        return Ticket(ticket_id, mine[1], "queued", positions.get(ticket_id, 0))

    def wait(self, ticket_id: str, timeout: float | None = None,
             on_position: Callable[[int], None] | None = None) -> Ticket:
        """Wait until the ticket runs (renewing its lease meanwhile); ``on_position`` hears every
        new position. After ``timeout`` seconds the ticket is given up and :class:`Busy` raised."""
        deadline = None if timeout is None else time.monotonic() + timeout
        last = None
        while True:
            ticket = self.advance(ticket_id)
            if ticket.state != "queued":
                return ticket
            if on_position is not None and ticket.position != last:
                on_position(ticket.position)
            last = ticket.position
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                self.release(ticket_id)
                raise Busy("all", self.limits.retry_after_s)
            with self._changed:
                self._changed.wait(self.limits.poll_s if left is None else min(self.limits.poll_s, left))

    def release(self, ticket_id: str) -> None:
        """Give the place back (running or queued); waiters of this process look at once."""
        with self._beat_lock:
            self._held.discard(ticket_id)
        with self.engine.begin() as conn:
            conn.execute(delete(s).where(s.c.id == ticket_id))
        with self._changed:
            self._changed.notify_all()

    @contextmanager
    def hold(self, owner: str, timeout: float | None = None,
             on_position: Callable[[int], None] | None = None) -> Iterator[Ticket]:
        """``with gate.hold(user):`` — enqueue, wait for the turn, run the block, release."""
        ticket = self.enqueue(owner)
        try:
            if ticket.state == "queued":
                ticket = self.wait(ticket.id, timeout, on_position)
            yield ticket
        finally:
            self.release(ticket.id)

    # -- the heartbeat -----------------------------------------------------------------------------------------

    def _hold(self, ticket_id: str) -> None:
        with self._beat_lock:
            self._held.add(ticket_id)
            if self._beat is None or self._beat_pid != os.getpid():  # a forked child starts its own
                self._beat_pid = os.getpid()
                self._beat = threading.Thread(target=self._heartbeat, name=f"occ-gate-{self.kind}", daemon=True)
                self._beat.start()

    def _heartbeat(self) -> None:
        """Renew the leases of this process's running tickets every third of a lease, while any.
        A ticket whose row is gone (released through another instance, or swept after missed
        renewals) is let go: there is nothing left to renew."""
        pause = threading.Event()
        while True:
            with self._beat_lock:
                held = list(self._held)
                if not held:
                    self._beat = None
                    return
            try:
                with self.engine.begin() as conn:  # the rows renewed are the tickets still there
                    alive = set(conn.execute(update(s).where(s.c.id.in_(held))
                                             .values(lease_until=self.clock() + self.limits.lease_s)
                                             .returning(s.c.id)).scalars())
            except Exception:  # noqa: BLE001 - a failed renewal is retried; the lease covers two misses
                log.warning("could not renew the export leases", exc_info=True)
            else:
                if gone := set(held) - alive:
                    with self._beat_lock:
                        self._held -= gone
                    continue
            pause.wait(self.limits.lease_s / 3)
