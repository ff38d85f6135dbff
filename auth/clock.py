"""The one clock of the ``auth`` package (sessions, the sign-in throttle, the audit log), so that
tests can move time: ``clock.set(datetime(...))``, ``clock.advance(minutes=16)``, ``clock.reset()``."""

from __future__ import annotations

from datetime import datetime, timedelta

_fixed: datetime | None = None


def now() -> datetime:
    """Local naive time to the second, like every timestamp of the warehouse."""
    return (_fixed or datetime.now()).replace(microsecond=0)


def set(when: datetime) -> None:  # noqa: A001 - reads well at the call site: clock.set(...)
    global _fixed
    _fixed = when


def advance(**delta: float) -> None:
    set(now() + timedelta(**delta))


def reset() -> None:
    global _fixed
    _fixed = None
