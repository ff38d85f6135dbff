"""Settings of a serving process that are not the app's: shared by the gunicorn workers and by the
benchmark that measures them, so that both run the same way; and a pause of the garbage collector
for a step that builds tens of thousands of short-lived objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: New container objects before a young collection (CPython's default is 700).
YOUNG_THRESHOLD = 10_000


def settle_gc() -> None:
    """Collect once, then move everything built so far (the app, Dash's registry, the catalogue)
    out of the garbage collector's reach, and let young collections wait for 10,000 new objects.

    Full collections otherwise walk the whole heap (~230,000 objects once the boards have been
    served: 130-230 ms) and stall a request now and then; a board callback allocates and frees
    tens of thousands of objects, nearly all freed by reference counting, and the default
    threshold ran ~120 collections where one does. Measured over 180 uncached callbacks: GC time
    51 ms -> 6 ms, the longest pause 13 ms -> 3 ms (frozen heap), 219 ms -> 3 ms (not frozen)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, 20, 20)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (re-enabled after it, unless it was off before).

    For a step that builds and drops tens of thousands of acyclic objects (tuples, rows, small
    dicts: all freed by reference counting): in a process whose heap was not settled
    (:func:`settle_gc`: the ingest command, a scheduler, a test), the collections those allocations
    trigger each walk the whole heap, and the alert rules of a 10,000-value intake spent 0.3 s of
    their 0.55 s of Python CPU in them. Process-wide: another thread's work inside the block runs
    without cyclic collection too, for that long."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
