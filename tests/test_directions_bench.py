"""A smoke run of the directions' benchmark so it cannot rot (no timing asserted here; the figures
live in bench/results/directions-2026-12-03)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.heavy]

READS = {"list_directions", "direction_detail", "directions_board", "ticker_directions", "daily_directions",
         "indicator_direction_markers", "unit_open_directions", "direction_measures", "direction_unit_measures",
         "direction_counts"}


def test_dbn001_directions_benchmark_smoke_run(databases, root, tmp_path):
    url = databases.new("postgresql")
    out = tmp_path / "directions.json"
    env = {**os.environ, "DATABASE_URL": url}
    res = subprocess.run([sys.executable, "bench/directions_bench.py", "--directions", "600", "--reports", "6000",
                          "--samples", "5", "--until", "2026-12-03", "--json", str(out)], cwd=root, env=env,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    result = json.loads(out.read_text())
    assert (result["directions"], result["reports"]) == (600, 6000)
    assert set(result["functions"]) == READS
    for name, fig in result["functions"].items():
        assert 0 < fig["uncached_p50_ms"] and 0 < fig["cached_p50_ms"] < fig["uncached_p50_ms"] * 10, name
    res = subprocess.run([sys.executable, "bench/directions_bench.py"], cwd=root, capture_output=True, text=True,
                         env={**os.environ, "DATABASE_URL": "sqlite:///x.sqlite"}, timeout=60)
    assert res.returncode != 0 and "PostgreSQL" in res.stderr
