"""Every benchmark's ``--help`` prints its usage: the README sends people to these commands, and
a help text that crashes (argparse formats it with ``%``) is the first thing they would meet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = sorted(p.stem for p in (ROOT / "bench").glob("*.py")
                  if "argparse" in p.read_text(encoding="utf-8") and "__main__" in p.read_text(encoding="utf-8"))


def test_bhl001_the_benchmarks_are_found():
    assert {"run", "wide_bench", "ingest_bench", "directions_bench", "sbs", "load", "compare"} <= set(COMMANDS)


@pytest.mark.slow
@pytest.mark.parametrize("module", COMMANDS)
def test_bhl002_help_prints_the_usage(module):
    res = subprocess.run([sys.executable, "-m", f"bench.{module}", "--help"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.startswith("usage:") and "--help" in res.stdout and "Traceback" not in res.stderr
