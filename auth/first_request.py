"""Dash's first-request hooks, run one at a time.

Dash fills its ``callback_map`` in two before-request hooks: its server set-up (which moves the
callbacks registered with ``dash.callback`` into the map) and the page router's registration
(which adds the router's callback). Each sets its "done" flag *before* doing its work, so of two
first requests at once (a new gunicorn worker's threads, as after ``max_requests``) the second
found the map half filled: the guard, which reads the map to know a callback's page, took a
leader's header callback for an unknown one and refused it (403, 1-3 times in ~45,000 requests
of the 50-client run). Under one lock a second caller returns only once the first has finished.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

#: Dash's hooks that fill ``callback_map`` on the first request (by their names).
HOOKS = ("_setup_server", "router_sync", "router_async")
LOCK = threading.RLock()


def is_first_hook(app: Any, hook: object) -> bool:
    """``hook`` is one of ``app``'s first-request hooks (or one :func:`serialize` wrapped)."""
    return getattr(hook, "__name__", "") in HOOKS and getattr(hook, "__self__", app) is app


def serialize(server: Flask) -> None:
    """Make Dash's own calls of its first-request hooks take :data:`LOCK`. Call after the Dash app
    is mounted (its hooks are registered then)."""
    app = server.extensions["dash"]
    funcs = server.before_request_funcs.setdefault(None, [])
    for i, hook in enumerate(funcs):
        if is_first_hook(app, hook) and not getattr(hook, "occ_serialized", False):
            funcs[i] = _serialized(hook)


def _serialized(hook: Callable[[], object]) -> Callable[[], object]:
    @functools.wraps(hook)
    def run() -> object:
        with LOCK:
            return hook()

    run.occ_serialized = True  # type: ignore[attr-defined]
    return run


def complete_callback_map(app: Any, hooks: Iterable[object]) -> None:
    """Run the set-up and the router's registration now (both idempotent), under the lock: a
    hook another request is running is waited for, not skipped on its flag. ``hooks``: the app's
    before-request functions."""
    with LOCK:
        app._setup_server()
        for hook in hooks:
            if is_first_hook(app, hook) and getattr(hook, "__name__", "") != "_setup_server":
                hook()  # type: ignore[operator]
