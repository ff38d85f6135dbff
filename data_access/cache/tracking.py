"""What the entry being computed reads: a stack of scope sets on ``flask.g``.

A leaf module (Flask only): the engine reports every statement here (:func:`note_direct_read`),
the memoisation pushes a frame per entry it computes, the response cache one per view callback.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import g, has_app_context

GLOBAL = "#"  # the pseudo-scope "anything": the global data_version


def frames() -> list[set[str]] | None:
    """The stack of scope sets being recorded in this app context (None: nothing is recorded)."""
    return g.get("occ_frames") if has_app_context() else None


def depends(scopes: Iterable[str]) -> None:
    """The entry being computed (if any) read ``scopes``."""
    stack = frames()
    if stack:
        stack[-1].update(scopes)


def note_direct_read(*_event: Any) -> None:
    """Called for every statement the app's engine runs (a ``before_cursor_execute`` listener): a
    read by a view callback itself, not through a cached function, makes its response depend on
    everything."""
    if not has_app_context():
        return
    stack = g.get("occ_frames")
    if stack is not None and len(stack) == 1 and g.get("occ_view") and not g.get("occ_untracked"):
        stack[0].add(GLOBAL)


class _Untracked:
    def __enter__(self) -> None:
        if has_app_context():
            g.occ_untracked = g.get("occ_untracked", 0) + 1

    def __exit__(self, *exc: object) -> None:
        if has_app_context():
            g.occ_untracked -= 1


def untracked() -> _Untracked:
    """Reads inside are not warehouse data a view depends on (a token check, the stamps)."""
    return _Untracked()
