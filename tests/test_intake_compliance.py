"""Issue 5: the reporting calendar and compliance reads (``data_access.compliance``) against
hand-computed expectations, cache invalidation by a new submission, and the seeded demo. Both
backends."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app import create_app
from data_access import compliance
from tests.conftest import BACKENDS, FIXED_UNTIL, csv_bytes, make_settings, module_warehouse, send

TODAY = date(2025, 10, 10)
# (unit, period, received_at): GDP_GROWTH of the unit's own province, carried by the regime UBND-Q
SENT = [
    ("UB01", "2025Q2", datetime(2025, 6, 20, 10, 0)),  # on time
    ("UB01", "2025Q3", datetime(2025, 10, 2, 8, 30)),  # late by 7 days
    ("UB79", "2025Q3", datetime(2025, 9, 25, 23, 0)),  # on time (the deadline day counts)
    ("UB08-63", "2025Q2", datetime(2025, 7, 1, 9, 0)),  # late; the former Tuyên Quang
]
AREA = {"UB01": "01", "UB79": "79", "UB08-63": "08"}


@pytest.fixture(scope="module", params=BACKENDS)
def env(request, databases, tmp_path_factory):
    url, tmp, engine = module_warehouse(request, databases, tmp_path_factory)
    for unit, period, received in SENT:
        report = send(engine, tmp, unit, csv_bytes(f"GDP_GROWTH,{AREA[unit]},{period},6.{len(unit)}"),
                      received_at=received)
        assert report.status == "accepted", report.errors
    app = create_app(make_settings(url, tmp))
    yield app, engine, tmp
    app.extensions["warehouse"].dispose()
    engine.dispose()


def test_int401_compliance_matrix(env):
    app, *_ = env
    with app.test_request_context():
        m = compliance.compliance_matrix("UBND-Q", ("2025Q2", "2025Q3", "2025Q4"), today=TODAY)
    assert list(m.columns) == ["regime_code", "unit_code", "unit_name_vi", "unit_name_en", "unit_group",
                               "2025Q2", "2025Q3", "2025Q4"]
    rows = m.set_index("unit_code")
    assert len(rows) == 63 + 34 - 11  # units of both eras; the 11 unchanged provinces once
    assert tuple(rows.loc["UB01", ["2025Q2", "2025Q3", "2025Q4"]]) == ("on_time", "late", "not_due")
    assert tuple(rows.loc["UB08-63", ["2025Q2", "2025Q3", "2025Q4"]]) == ("late", None, None)
    assert tuple(rows.loc["UB08", ["2025Q2", "2025Q3", "2025Q4"]]) == (None, "missing", "not_due")
    assert tuple(rows.loc["UB79", ["2025Q2", "2025Q3"]]) == (None, "on_time")
    assert tuple(rows.loc["UB79-63", ["2025Q2", "2025Q3"]]) == ("missing", None)
    assert (rows["2025Q2"].notna().sum(), rows["2025Q3"].notna().sum()) == (63, 34)
    assert set(rows["unit_group"]) == {"provinces"}


def test_int402_reporting_rates_by_hand(env):
    app, *_ = env
    with app.test_request_context():
        overall = compliance.reporting_rates("UBND-Q", start=date(2025, 6, 1), end=TODAY, today=TODAY, by="overall")
        by_unit = compliance.reporting_rates("UBND-Q", start=date(2025, 6, 1), end=TODAY, today=TODAY, by="unit")
        by_group = compliance.reporting_rates("UBND-Q", start=date(2025, 6, 1), end=TODAY, today=TODAY, by="group")
        by_region = compliance.reporting_rates("UBND-Q", start=date(2025, 6, 1), end=TODAY, today=TODAY, by="region")
    o = overall.iloc[0]
    assert (o.key, o.expected, o.received, o.on_time, o.late, o.missing) == ("all", 97, 4, 2, 2, 93)
    assert o.completeness == round(100 * 4 / 97, 1) and o.timeliness == round(100 * 2 / 97, 1)
    u = by_unit.set_index("key")
    assert (u.loc["UB01", "expected"], u.loc["UB01", "completeness"], u.loc["UB01", "timeliness"]) == (2, 100.0, 50.0)
    assert u.loc["UB08", "completeness"] == 0.0 and u.loc["UB01", "unit_name_vi"].startswith("UBND")
    assert by_group.set_index("key").loc["provinces", "expected"] == 97
    r = by_region.set_index("key")
    assert r["expected"].sum() == 97 and r.loc["R2-63", "on_time"] == 1 and r.loc["R2", "late"] == 1
    assert {"R1-63", "R6-63", "R1", "R6"} <= set(r.index)
    with pytest.raises(ValueError), app.test_request_context():
        compliance.reporting_rates(by="planet")


def test_int403_calendar_overdue_and_unit_submissions(env):
    app, *_ = env
    with app.test_request_context():
        cal = compliance.reporting_calendar("UB01", start=date(2025, 6, 1), end=date(2025, 12, 31), today=TODAY)
        overdue = compliance.overdue_reports(TODAY, since=date(2025, 9, 1), regime_code="UBND-Q")
        subs = compliance.unit_submissions("UB01")
    q = cal[cal.regime_code == "UBND-Q"].set_index("period")
    assert list(q.index) == ["2025Q2", "2025Q3", "2025Q4"]
    assert q.loc["2025Q3", "state"] == "late" and q.loc["2025Q3", "days_late"] == 7
    assert q.loc["2025Q3", "deadline"] == date(2025, 9, 25) and q.loc["2025Q4", "state"] == "not_due"
    assert q.loc["2025Q2", "received_at"] == datetime(2025, 6, 20, 10, 0)
    months = cal[cal.regime_code == "UBND-M"]
    assert list(months["period"]) == ["202506", "202507", "202508", "202509", "202510", "202511", "202512"]
    assert set(months[months["deadline"] < TODAY]["state"]) == {"missing"}
    assert set(cal["unit_code"]) == {"UB01"}
    assert len(overdue) == 34 - 2 and set(overdue["state"]) == {"missing"} and "UB79" not in set(overdue["unit_code"])
    assert overdue.iloc[0]["days_late"] == 15 and overdue["days_late"].is_monotonic_decreasing
    assert list(subs["period"][:2]) == ["2025Q3", "2025Q2"] and set(subs["regime_code"][:2]) == {"UBND-Q"}
    assert subs.iloc[0]["report"]["status"] == "accepted" and subs.iloc[0]["periods"] == ["2025Q3"]


def test_int404_a_new_submission_shows_on_the_next_request(env):
    app, engine, tmp = env
    with app.test_request_context():
        before = compliance.compliance_matrix("UBND-Q", ("2025Q3",), today=TODAY).set_index("unit_code")
    assert before.loc["UB08", "2025Q3"] == "missing"
    report = send(engine, tmp, "UB08", csv_bytes("GDP_GROWTH,08,2025Q3,7.2"), received_at=datetime(2025, 10, 5))
    assert report.status == "accepted"
    with app.test_request_context():
        after = compliance.compliance_matrix("UBND-Q", ("2025Q3",), today=TODAY).set_index("unit_code")
    assert after.loc["UB08", "2025Q3"] == "late"


def test_int405_seeded_demo_compliance(seeded_app):
    """The demo seed's submissions carry regime and period directly (no submission_period). Its
    daily series cover the last 120 days only, so look at the last 100."""
    since = FIXED_UNTIL - timedelta(days=100)
    with seeded_app.test_request_context():
        overall = compliance.reporting_rates(start=since, end=FIXED_UNTIL, today=FIXED_UNTIL, by="overall").iloc[0]
        groups = compliance.reporting_rates(start=since, end=FIXED_UNTIL, today=FIXED_UNTIL, by="group").set_index("key")
        overdue = compliance.overdue_reports(FIXED_UNTIL, since=since)
        cal = compliance.reporting_calendar(start=since, end=FIXED_UNTIL, today=FIXED_UNTIL)
    assert overall.expected > 400 and 90.0 <= overall.completeness < 100.0
    assert 60.0 <= overall.timeliness < overall.completeness
    assert groups.loc["ministries", "completeness"] == 100.0  # the demo's ministries always report
    assert groups.loc["provinces", "missing"] == overall.missing > 0
    assert len(overdue) == overall.missing and set(overdue["unit_group"]) == {"provinces"}
    assert set(cal[cal.frequency == "D"]["state"]) == {"on_time"}  # daily reports arrive the next morning


def _plain(values) -> tuple:
    """Python values, NaN as None (NaN never equals itself)."""
    return tuple(None if v != v else v.item() if hasattr(v, "item") else v for v in values)


def _rates_tuples(df) -> list[tuple]:
    return [_plain(r) for r in df[compliance.RATE_COLUMNS].itertuples(index=False)]


@pytest.mark.parametrize("unit", [None, "UB01", "UB08"])
def test_int406_one_regime_view_matches_the_separate_reads(env, unit):
    """The compliance page's one-calendar view of a regime holds exactly what the matrix, the rates
    and the overdue reads give for the same regime, periods, window and unit."""
    app, *_ = env
    periods, start = ("2025Q1", "2025Q2", "2025Q3", "2025Q4"), date(2025, 1, 1)
    with app.test_request_context():
        view = compliance.regime_compliance("UBND-Q", periods, start, TODAY, unit)
        matrix = compliance.compliance_matrix("UBND-Q", periods, today=TODAY, unit_code=unit)
        rates = {by: compliance.reporting_rates("UBND-Q", start=start, today=TODAY, by=by, unit_code=unit)
                 for by in ("overall", "group", "unit")}
        overdue = compliance.overdue_reports(TODAY, since=start, regime_code="UBND-Q", unit_code=unit)
        missing = compliance.regime_compliance("NOPE", periods, start, TODAY, unit)
    assert view.periods == periods
    assert [(r.unit_code, r.unit_name_vi, r.unit_name_en, r.unit_group, r.states) for r in view.matrix] == [
        (r.unit_code, r.unit_name_vi, r.unit_name_en, r.unit_group, _plain(r[list(periods)]))
        for _, r in matrix.iterrows()]
    assert _rates_tuples(rates["overall"]) == [_plain(view.overall)]
    assert _rates_tuples(rates["group"]) == [_plain(r) for r in view.by_group]
    assert _rates_tuples(rates["unit"]) == [_plain(u.rates) for u in view.by_unit]
    assert [(u.unit_code, u.unit_name_vi) for u in view.by_unit] == list(zip(rates["unit"]["key"],
                                                                             rates["unit"]["unit_name_vi"], strict=True))
    assert [(o.unit_code, o.period, o.deadline, o.days_late) for o in view.overdue] == list(
        zip(overdue["unit_code"], overdue["period"], overdue["deadline"], overdue["days_late"], strict=True))
    if unit is None:
        assert len(view.matrix) == 63 + 34 - 11 and len(view.overdue) > 30 and view.overall.on_time >= 2
    else:
        assert {r.unit_code for r in view.matrix} == {unit} and [r.key for r in view.by_group] == ["provinces"]
    assert missing.matrix == () and missing.overdue == () and missing.overall.expected == 0


def test_int407_owed_regimes_are_those_of_the_calendar(env):
    """The regimes offered on the page (reference data only) are those with a report in the
    default calendar window, for everyone and for one unit."""
    app, *_ = env
    with app.test_request_context():
        for unit in (None, "UB01", "UB08-63", "TK"):
            cal = compliance.reporting_calendar(unit, today=TODAY)
            owed = compliance.owed_regimes(unit, today=TODAY)
            assert [r.code for r in owed] == sorted(set(cal["regime_code"]))
            assert {(r.code, r.name_vi, r.frequency) for r in owed} == set(
                zip(cal["regime_code"], cal["regime_name_vi"], cal["frequency"], strict=True))
        assert compliance.owed_regimes("UB08-63", today=date(2026, 12, 1)) == ()  # a former province owes nothing by then


def test_int408_the_page_reads_depend_on_submissions_not_on_indicators(env, monkeypatch):
    """The regime view is kept while only indicators change and read again after any submission;
    the regimes offered are reference data, kept across both."""
    from data_access.engine import bump_data_version, count_submission

    app, engine, _ = env
    reads, plans = [], []
    received, plan = compliance._received, compliance._plan
    monkeypatch.setattr(compliance, "_received", lambda *a: reads.append(a) or received(*a))
    monkeypatch.setattr(compliance, "_plan", lambda *a: plans.append(a) or plan(*a))

    def page():
        with app.test_request_context():
            return (compliance.regime_compliance("UBND-Q", ("2025Q3",), date(2025, 1, 1), TODAY),
                    compliance.owed_regimes(today=TODAY + timedelta(days=1)))

    first = page()
    assert len(reads) == 1 and len(plans) == 3  # the view's two plans, the regimes' one
    with engine.begin() as conn:
        bump_data_version(conn, ["i:GDP_GROWTH", "daily"])
    assert page() == first and (len(reads), len(plans)) == (1, 3)
    with engine.begin() as conn:
        count_submission(conn)
    assert page() == first and (len(reads), len(plans)) == (2, 5)
