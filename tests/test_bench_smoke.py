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


def test_bch003_build_with_communes_small(databases, root, tmp_path):
    """The 50,000,000-observation build's shape, small: communes under the 34 provinces with daily
    series from 2025-07-01, the partitions of ``observation`` and the sizes recorded."""
    from sqlalchemy import create_engine, text

    url = databases.new("postgresql")
    out = tmp_path / "bench.json"
    env = {**os.environ, "DATABASE_URL": url}
    res = subprocess.run([sys.executable, "-m", "bench.run", "--observations", "600000", "--communes", "330",
                          "--samples", "200", "--until", "2026-11-26", "--json", str(out)], cwd=root, env=env,
                         capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    result = json.loads(out.read_text())
    engine = create_engine(url)
    with engine.connect() as conn:
        communes = conn.execute(text("SELECT count(*), count(DISTINCT parent_id) FROM area WHERE level = 'commune'")).one()
        rows = conn.execute(text(
            "SELECT count(*), min(o.period_start), count(DISTINCT o.area_id) FROM observation o "
            "JOIN area a ON a.id = o.area_id WHERE a.level = 'commune'")).one()
        by_partition = dict(conn.execute(text(
            "SELECT tableoid::regclass::text, count(*) FROM observation GROUP BY 1")).all())
    engine.dispose()
    assert tuple(communes) == (330, 34)
    assert rows[0] >= 0.5 * 0.6 * (600_000 - 300_000) and str(rows[1]) == "2025-07-01" and rows[2] == 330
    assert {"observation_y2025", "observation_y2026"} <= set(by_partition) and by_partition.get("observation_default", 0) == 0
    assert result["observations"] >= 600_000 * 0.98
    sizes = result["sizes"]
    assert sizes["observation"]["partitions"] >= 17 and sizes["observation"]["table_bytes"] > 0
    assert sizes["observation"]["rows_estimated"] >= result["observations"] * 0.9
    assert sizes["current_observation"]["index_bytes"] > 0 and sizes["current_observation"]["partitions"] == 0
