"""Reads from a streaming replica (``DATABASE_READ_URL``), never older than the primary.

A request's reads go to the replica once it has replayed the primary's ``data_version`` as the
request starts (read on the primary: one indexed one-row statement). A replica that has not
caught up within ``READ_REPLICA_MAX_WAIT_S``, or that cannot be reached, is left aside for
``READ_REPLICA_RETRY_S`` and the reads go to the primary; the health check says so.

Why the primary's version: nodes read the replica independently, and one of them may be reading
the primary (fallback). Waiting for the version the primary had when the request started means
that once any node has served version V (which the primary committed before), no later request
on any node is answered from data older than V. Within a request the cache's stamps and the data
are read on the same connection, stamps first, so an entry never claims a newer version than its
data (``data_access.cache.scopes``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from settings import ConfigError

OK, LAGGING, DOWN = "ok", "lagging", "down"
_POLL_S = 0.01  # how often a request waiting for the replica's replay looks again

#: What a replica that cannot be reached raises (connecting, or a connection cut mid-read).
REPLICA_ERRORS: tuple[type[BaseException], ...] = (OperationalError, DBAPIError, ConfigError, OSError)


@dataclass(frozen=True)
class ReplicaState:
    """What this process last found: ``ok`` (reads go to the replica), ``lagging`` (it had not
    replayed what a request needed in time) or ``down`` (unreachable); the reason in ``detail``."""

    state: str
    since: float  # time.time() of the change
    detail: str = ""


class ReadRouter:
    """Per process: picks each request's read connection (the replica, or the primary while the
    replica is down or lagging) and remembers the replica's state."""

    def __init__(self, replica: Callable[[], Engine], *, max_wait_s: float, retry_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._replica = replica
        self.max_wait_s = max_wait_s
        self.retry_s = retry_s
        self._clock = clock
        self._lock = threading.Lock()
        self._avoid_until = 0.0
        self.state = ReplicaState(OK, time.time())

    def report(self, state: str, detail: str = "") -> None:
        """Record what a request (or the health check) found; not ``ok``: reads go to the primary
        for ``retry_s``."""
        with self._lock:
            self._avoid_until = self._clock() + self.retry_s if state != OK else 0.0
            if state != self.state.state:
                self.state = ReplicaState(state, time.time(), detail)

    def connect(self, primary: Engine, needed: Callable[[], int | None],
                replayed: Callable[[Connection], int]) -> Connection:
        """The request's read connection. ``needed()``: the version the primary holds (None when
        the primary cannot be read: the replica then serves as it is); ``replayed(conn)``: the
        version a connection sees."""
        if self._clock() < self._avoid_until:
            return primary.connect()
        conn, _seen = self._caught_up(needed(), replayed)
        return conn if conn is not None else primary.connect()

    def check(self, want: int, replayed: Callable[[Connection], int]) -> int | None:
        """What the health check asks: has the replica replayed ``want`` (waiting as a request
        would)? Records the state; returns the version it has replayed (None: unreachable)."""
        conn, seen = self._caught_up(want, replayed)
        if conn is not None:
            conn.close()
        return seen

    def _caught_up(self, want: int | None, replayed: Callable[[Connection], int]
                   ) -> tuple[Connection | None, int | None]:
        """A replica connection that has replayed ``want`` (None: whatever it has), waiting at most
        ``max_wait_s``; else (None, the version it had replayed, None when unreachable)."""
        seen: int | None = None
        try:
            conn = self._replica().connect()
        except REPLICA_ERRORS as exc:
            self.report(DOWN, _one_line(exc))
            return None, None
        deadline = self._clock() + self.max_wait_s
        try:
            seen = replayed(conn)
            while want is not None and seen < want:
                if self._clock() >= deadline:
                    conn.close()
                    self.report(LAGGING, f"replayed version {seen}, primary {want}")
                    return None, seen
                time.sleep(_POLL_S)
                seen = replayed(conn)
        except REPLICA_ERRORS as exc:
            try:
                conn.invalidate()
                conn.close()
            except REPLICA_ERRORS:
                pass
            self.report(DOWN, _one_line(exc))
            return None, None
        self.report(OK)
        return conn, seen

    def reads_from(self) -> str:
        """Where this process's reads go now: ``replica`` or ``primary``."""
        return "primary" if self._clock() < self._avoid_until else "replica"


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
