"""A new worker's first requests at once: Dash's first-request hooks set their "done" flag
before they fill the callback map, so the guard must wait for a set-up another thread is running
rather than read a half-filled map (it refused a leader's header callback with a 403 in the
50-client run, once a worker had been recycled)."""

from __future__ import annotations

import threading
import time

from auth import first_request, guard


def test_gst001_the_guard_waits_for_a_set_up_in_progress(seeded_app):
    app = seeded_app.extensions["dash"]
    hooks = [h for h in seeded_app.before_request_funcs[None] if first_request.is_first_hook(app, h)]
    assert {h.__name__ for h in hooks} == {"_setup_server", "router_sync"}
    assert all(getattr(h, "occ_serialized", False) for h in hooks)  # Dash's own calls take the lock too
    setup = next(h for h in hooks if h.__name__ == "_setup_server")

    walk = app._walk_assets_directory
    started = threading.Event()

    def slow_walk():  # inside Dash's set-up, after its flag is set and before the map is filled
        started.set()
        time.sleep(0.4)
        return walk()

    app._walk_assets_directory = slow_walk
    seen: dict[str, set[str]] = {}

    def opening_request():
        with seeded_app.test_request_context("/"):
            setup()

    def second_request():
        started.wait(5)
        with seeded_app.test_request_context("/_dash-update-component", method="POST"):
            seen["modules"] = set(guard._callback_modules())

    threads = [threading.Thread(target=opening_request), threading.Thread(target=second_request)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(20)
    assert started.is_set() and "modules" in seen
    header = [o for o in app.callback_map if "shell-header" in o]
    assert header, "the shell's callback is registered"
    assert set(header) <= seen["modules"]  # the second request saw the whole map
    with seeded_app.test_request_context("/"):
        assert seen["modules"] == set(guard._callback_modules())
