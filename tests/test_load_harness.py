"""The load harness's reporting units send what a unit may validly send (``bench.load``): a run
that counts the product's correct refusals as errors says nothing about the product."""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import create_engine, text

from tests.conftest import seeded_sqlite_copy


def test_lhn001_every_unit_plan_is_accepted_by_the_intake(databases, tmp_path):
    from bench.load import unit_payload, unit_plans
    from ingest.pipeline import submit

    url = seeded_sqlite_copy(databases, tmp_path)
    engine = create_engine(url)
    with engine.connect() as conn:
        derived = set(conn.execute(text("SELECT code FROM indicator WHERE formula IS NOT NULL")).scalars())
    assert derived, "the demo catalogue has derived indicators (the case this test is about)"
    plans = unit_plans(engine, 40, random.Random(7))
    assert len(plans) >= 20
    assert not {row[0] for p in plans for row in p.rows} & derived
    rng = random.Random(1)
    for plan in plans:
        report = submit(engine, unit_code=plan.code, payload=unit_payload(plan, 0, rng), filename="load.json",
                        channel="api", submitted_by="load", received_at=datetime.now(),
                        archive_dir=tmp_path / "archive")
        assert report.status == "accepted", (plan.code, [e.as_dict() for e in report.errors[:3]])
    engine.dispose()
