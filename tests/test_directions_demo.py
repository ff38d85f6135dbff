"""The demo's directions: deterministic, plausible, about indicators the demo shows off target, and
written through the service (events and audit entries like anyone's)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, select

from data_access import schema
from domain import directions as rules
from domain.targets import target_status
from ingest.demo import generate
from ingest.demo_directions import COUNT, PROVINCE_TEMPLATES, TEMPLATES, plan
from tests.conftest import FIXED_UNTIL, SEED, seeded_url_for


def test_ddm001_the_plan_is_deterministic_and_plausible():
    first, again = plan(SEED, FIXED_UNTIL), plan(SEED, FIXED_UNTIL)
    assert [(p.fields, p.at, p.steps) for p in first] == [(p.fields, p.at, p.steps) for p in again]
    assert [p.fields for p in plan(SEED + 1, FIXED_UNTIL)] != [p.fields for p in first]  # the seed matters
    assert len(first) == COUNT
    for p in first:
        f = p.fields
        assert f["issued_on"] <= FIXED_UNTIL and f["deadline"] >= f["issued_on"]
        assert all(s.at.date() <= FIXED_UNTIL for s in p.steps)
        assert any(c in f["title"] for c in "ạảãáàâầấậẫẩăằắặẵẳêềếệễểôồốộỗổơờớợỡởưừứựữửđ"), f["title"]
        assert f["form"] in rules.FORMS and "/" in f["doc_number"]
    assert len({p.fields["doc_number"] for p in first}) == COUNT  # every number once


@pytest.mark.parametrize("until", [date(2024, 2, 26), date(2025, 1, 10), date(2025, 3, 1), date(2025, 7, 2),
                                   FIXED_UNTIL, date(2026, 12, 3)])
def test_ddm005_every_plan_is_a_walk_the_rules_allow(until):
    """Whatever the demo's cut-off day (an early ``--until`` too), each direction's steps are in time
    order, none after ``until``, and each is an action its actor may take in the state the previous
    ones left (the transition table of ``domain.directions``): the service would accept them all."""
    for p in plan(SEED, until):
        state = rules.next_state(rules.NEW, rules.CREATE, p.author.role)
        assert state is not None and p.fields["issued_on"] <= until
        last = p.at
        for s in p.steps:
            assert last <= s.at and s.at.date() <= until, (p.fields["title"], s)
            relation = (rules.LEAD if s.actor.unit == p.fields["lead_unit"] else rules.COOPERATE) if s.actor.unit else None
            role = rules.acting_role(s.actor.role, relation)
            nxt = rules.next_state(state, s.action, role) if role else None
            assert nxt is not None, (until, p.fields["title"], state, s.action, s.actor.role)
            state, last = nxt, s.at


def test_ddm002_they_concern_indicators_the_demo_shows_off_target():
    """Each indicator a demo direction is about is at risk or off track against its national plan
    target in some year of the demo period (the boards' rule, ``domain.targets.target_status``)."""
    data = generate(seed=SEED, until=FIXED_UNTIL)
    obs = data.observations[data.observations["area"] == "VN"].sort_values(["indicator", "period_start", "revision"])
    obs = obs.drop_duplicates(["indicator", "period"], keep="last").assign(year=lambda o: pd.to_datetime(o["period_start"]).dt.year)
    latest = obs.groupby(["indicator", "year"])["value"].last()
    targets = data.targets[(data.targets["area"] == "VN") & (data.targets["year"] >= 2025)]
    off = {r.indicator for r in targets.itertuples()
           if (r.indicator, r.year) in latest.index
           and target_status(float(latest[(r.indicator, r.year)]), float(r.value), r.comparison) in ("at_risk", "off_track")}
    concerned = {t[0] for t in TEMPLATES} | {t[0] for t in PROVINCE_TEMPLATES}
    assert concerned <= off, sorted(concerned - off)


@pytest.fixture(scope="module")
def seeded(databases):
    engine = create_engine(seeded_url_for("sqlite", databases))
    yield engine
    engine.dispose()


def test_ddm003_seeded_through_the_service(seeded):
    d, e, log = schema.direction, schema.direction_event, schema.audit_log
    with seeded.connect() as conn:
        states = Counter(dict(conn.execute(select(d.c.state, func.count()).group_by(d.c.state)).all()))
        events = conn.execute(select(func.count()).select_from(e)).scalar()
        audited = conn.execute(select(func.count()).select_from(log).where(log.c.action.like("direction.%"))).scalar()
        overdue = conn.execute(select(func.count()).select_from(d).where(
            d.c.state.in_(sorted(rules.OPEN_STATES)), d.c.deadline < FIXED_UNTIL)).scalar()
        late = conn.execute(select(func.count()).select_from(d).where(d.c.days_late > 0)).scalar()
        on_time = conn.execute(select(func.count()).select_from(d).where(d.c.days_late == 0)).scalar()
        confidential = conn.execute(select(schema.indicator.c.code).distinct().select_from(
            d.join(schema.direction_indicator).join(schema.indicator)).where(d.c.confidential.is_(True))).scalars().all()
        extended = conn.execute(select(func.count()).select_from(d).where(d.c.deadline != d.c.first_deadline)).scalar()
    assert sum(states.values()) == COUNT and events == audited  # one audit entry per event
    assert {rules.CLOSED, rules.IN_PROGRESS, rules.REPORTED_DONE, rules.CANCELLED} <= set(states)
    assert overdue >= 5 and late >= 10 and on_time >= 30 and extended >= 3
    assert set(confidential) == {"NPL_RATIO", "BUDGET_DEFICIT_FORECAST"}
    assert states[rules.CLOSED] < COUNT * 0.9
