"""What the benchmarks measure with: a free local port, percentiles, a process's CPU time."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values``, linearly interpolated; NaN without values."""
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a local process so far (Linux /proc/PID/stat), None if unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def write_result(result: dict, path: str | None, log: Callable[[str], None]) -> None:
    """Write a benchmark's result as indented JSON at ``path`` (its folder made), if one is given."""
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(result, indent=2, ensure_ascii=False))
        log(f"wrote {path}")
