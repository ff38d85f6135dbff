"""When a subscription is due: its cadence as a cron line (Hà Nội time), pure."""

from __future__ import annotations

from domain.regimes import DEFAULT_DEADLINE_DAY

CADENCES = ("daily", "weekly", "monthly", "on_data")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # 0 = Monday, as Python's weekday()
#: Monthly deliveries go the day after the Decree 09 deadline of the month's reports (Art. 13:
#: the 25th), when the month's figures are in.
MONTHLY_DAY = DEFAULT_DEADLINE_DAY + 1


def parse_time(text: str) -> tuple[int, int]:
    """``"07:30"`` → (7, 30); ValueError for anything else."""
    hours, sep, minutes = (text or "").strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"not a time of day: {text!r}")
    h, m = int(hours), int(minutes)
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValueError(f"not a time of day: {text!r}")
    return h, m


def cron_line(cadence: str, at_time: str, weekday: int | None = None) -> str | None:
    """The crontab line of a timed cadence; None for ``on_data`` (due when its data changes)."""
    if cadence == "on_data":
        return None
    h, m = parse_time(at_time)
    if cadence == "daily":
        return f"{m} {h} * * *"
    if cadence == "weekly":
        if weekday is None or not 0 <= weekday < 7:
            raise ValueError("a weekly schedule needs a weekday 0-6")
        return f"{m} {h} * * {WEEKDAYS[weekday]}"
    if cadence == "monthly":
        return f"{m} {h} {MONTHLY_DAY} * *"
    raise ValueError(f"unknown cadence {cadence!r}")
