"""Issue 3: a smoke run of the benchmark so it cannot rot (no timing asserted here; the figures
live in bench/results and the README)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.heavy]

FUNCTIONS = {"series", "cross_section", "regional_aggregates", "kpi_snapshot", "search_indicators",
             "comparable_series"}
FIELDS = {"uncached_p50_ms", "uncached_p95_ms", "cached_p50_ms", "cached_p95_ms", "raw_sql_p95_ms"}


def test_bch001_benchmark_smoke_run(databases, root, tmp_path):
    url = databases.new("postgresql")
    out = tmp_path / "bench.json"
    env = {**os.environ, "DATABASE_URL": url}
    res = subprocess.run([sys.executable, "-m", "bench.run", "--observations", "200000", "--samples", "200",
                          "--until", "2026-11-26", "--json", str(out)], cwd=root, env=env, capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["observations"] >= 200_000
    assert FUNCTIONS <= set(result["functions"])
    for name, fig in result["functions"].items():
        assert FIELDS <= set(fig), name
        assert fig["samples"] == 200
        assert 0 < fig["cached_p50_ms"] and 0 < fig["uncached_p50_ms"], name


def test_bch002_benchmark_refuses_sqlite(root):
    env = {**os.environ, "DATABASE_URL": "sqlite:///x.sqlite"}
    res = subprocess.run([sys.executable, "-m", "bench.run", "--observations", "1000"], cwd=root, env=env,
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "PostgreSQL" in res.stderr
