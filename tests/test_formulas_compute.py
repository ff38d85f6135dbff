"""Issue 17: derived indicators (a formula over other indicators) computed by the product.

The values the seed stored are compared with a computation written here, independently of the
product's evaluator (pandas over the warehouse's tables: the formula written out for each
indicator, regions summed from their provinces, the 2025 crosswalk for last year's values); an
intake revision of an input recomputes them in its own transaction, and a failed load leaves
them as they were; division by zero and a missing input give no value."""

from __future__ import annotations

import functools
import math
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from data_access import schema
from domain.periods import parse
from tests.conftest import build_warehouse, counts, csv_bytes, current_value, history_rows, seeded_sqlite_world, send

DERIVED = {  # code -> (its inputs, the formula written out over their columns)
    "URBANISATION_RATE": (("URBAN_POPULATION", "POPULATION"), lambda v: v["URBAN_POPULATION"] / v["POPULATION"] * 100),
    "ENTERPRISES_PER_1000": (("ACTIVE_ENTERPRISES", "POPULATION"), lambda v: v["ACTIVE_ENTERPRISES"] / v["POPULATION"]),
    "TRADE_TURNOVER": (("EXPORTS", "IMPORTS"), lambda v: v["EXPORTS"] + v["IMPORTS"]),
    "ENTERPRISES_ENTERING": (("NEW_ENTERPRISES", "ENTERPRISES_RESUMED"),
                             lambda v: v["NEW_ENTERPRISES"] + v["ENTERPRISES_RESUMED"]),
    "RETAIL_SALES_YOY": (("RETAIL_SALES",), lambda v: (v["RETAIL_SALES"] / v["RETAIL_SALES@ly"] - 1) * 100),
}


@pytest.fixture(scope="module")
def world(databases, tmp_path_factory):
    url, tmp, engine = seeded_sqlite_world(databases, tmp_path_factory, "formulas")
    yield engine
    engine.dispose()


def _frame(engine, computed: bool) -> pd.DataFrame:
    c, i, a = schema.current_observation, schema.indicator, schema.area
    stmt = (select(i.c.code, a.c.key, c.c.period, c.c.period_start, c.c.value, c.c.computed)
            .join(i, i.c.id == c.c.indicator_id).join(a, a.c.id == c.c.area_id)
            .where(c.c.computed.is_(computed)))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).all(), columns=["code", "area", "period", "start", "value", "computed"])


def _areas(engine) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    a, m, s = schema.area, schema.area_membership, schema.area_succession
    with engine.connect() as conn:
        areas = pd.DataFrame(conn.execute(select(a.c.id, a.c.key, a.c.level, a.c.valid_from, a.c.valid_to)).all(),
                             columns=["id", "key", "level", "valid_from", "valid_to"])
        key = dict(zip(areas["id"], areas["key"], strict=True))
        members = pd.DataFrame([(key[p], key[r], vf, vt) for p, r, vf, vt in conn.execute(
            select(m.c.area_id, m.c.region_id, m.c.valid_from, m.c.valid_to)).all()],
            columns=["province", "region", "valid_from", "valid_to"])
        succ = {key[o]: key[n] for o, n in conn.execute(select(s.c.old_area_id, s.c.new_area_id)).all()}
    return areas, members, succ


def _end(period: str) -> date:
    return parse(period).end


def _valid(vf, vt, d: date) -> bool:
    return (vf is None or pd.isna(vf) or vf <= d) and (vt is None or pd.isna(vt) or d <= vt)


def _last_year(period: str) -> str:
    return str(int(period[:4]) - 1) + period[4:]


def expected_values(engine, code: str) -> dict[tuple[str, str], float]:
    """(area, period) -> the value of ``code`` computed here: nation and provinces from their own
    inputs, regions from the sums of their provinces' inputs (every input of these five adds up),
    last year's value of an area that did not exist then from the sum of its former provinces
    (only when all of them reported)."""
    inputs, formula = DERIVED[code]
    raw = _frame(engine, computed=False)
    raw = raw[raw["code"].isin(inputs)]
    areas, members, succ = _areas(engine)
    level = dict(zip(areas["key"], areas["level"], strict=True))
    validity = {k: (f, t) for k, f, t in zip(areas["key"], areas["valid_from"], areas["valid_to"], strict=True)}
    stored = {(r.code, r.area, r.period): r.value for r in raw.itertuples()}
    periods = sorted(set(raw["period"]))

    @functools.cache
    def region_members(region: str, period: str) -> list[str]:
        end = _end(period)
        return [p for p, r, f, t in members.itertuples(index=False) if r == region and _valid(f, t, end)]

    def value(c: str, area: str, period: str) -> float:
        if level[area] != "region":
            return stored.get((c, area, period), math.nan)
        got = [stored[(c, p, period)] for p in region_members(area, period) if (c, p, period) in stored]
        return sum(got) if got else math.nan

    def formers(area: str) -> list[str]:
        if level[area] == "region":
            return [f for p in region_members(area, "202512") for f in formers(p)]
        return [area] if _valid(*validity[area], date(2025, 6, 30)) else [o for o, n in succ.items() if n == area]

    def last_year(c: str, area: str, period: str) -> float:
        q = _last_year(period)
        if _valid(*validity[area], _end(q)):
            return value(c, area, q)
        got = [stored.get((c, f, q)) for f in formers(area)]
        return sum(got) if got and None not in got else math.nan

    out = {}
    for period in periods:
        end = _end(period)
        for area in areas["key"]:
            if not _valid(*validity[area], end):
                continue
            v = {c: value(c, area, period) for c in inputs}
            if code == "RETAIL_SALES_YOY":
                v["RETAIL_SALES@ly"] = last_year("RETAIL_SALES", area, period)
            try:
                result = formula(v)
            except ZeroDivisionError:
                continue
            if result == result and math.isfinite(result):
                out[(area, period)] = result
    return out


@pytest.mark.parametrize("code", sorted(DERIVED))
def test_fc001_stored_values_equal_an_independent_computation(world, code):
    """Every area (nation, regions, provinces of the period's era) and period of the demo."""
    expected = expected_values(world, code)
    got = _frame(world, computed=True)
    got = {(r.area, r.period): r.value for r in got[got["code"] == code].itertuples()}
    assert len(expected) > 100
    assert set(got) == set(expected)
    wrong = [(k, got[k], expected[k]) for k in expected if not math.isclose(got[k], expected[k], rel_tol=1e-9)]
    assert wrong == []


def test_fc002_growth_across_the_year_boundary_and_the_2025_merger(world):
    """January compares with the January before; a province formed on 2025-07-01 compares with
    the sum of its former provinces a year before (08 Tuyên Quang = 08-63 Tuyên Quang + 02-63 Hà
    Giang), a new region with the former provinces of all its members."""
    raw = _frame(world, computed=False)
    rs = {(r.area, r.period): r.value for r in raw[raw["code"] == "RETAIL_SALES"].itertuples()}
    derived = _frame(world, computed=True)
    yoy = {(r.area, r.period): r.value for r in derived[derived["code"] == "RETAIL_SALES_YOY"].itertuples()}
    assert yoy[("VN", "202601")] == pytest.approx((rs[("VN", "202601")] / rs[("VN", "202501")] - 1) * 100)
    assert yoy[("01", "202601")] == pytest.approx((rs[("01", "202601")] / rs[("01", "202501")] - 1) * 100)
    formers = rs[("08-63", "202407")] + rs[("02-63", "202407")]
    assert yoy[("08", "202507")] == pytest.approx((rs[("08", "202507")] / formers - 1) * 100)
    _, members, succ = _areas(world)
    new_r1 = [p for p, r, f, _ in members.itertuples(index=False) if r == "R1" and f is not None]
    old = [o for o, n in succ.items() if n in new_r1]
    now = sum(rs[(p, "202507")] for p in new_r1)
    assert yoy[("R1", "202507")] == pytest.approx((now / sum(rs[(o, "202407")] for o in old) - 1) * 100)
    assert ("VN", "201501") not in yoy  # nothing a year before the first month


@pytest.fixture
def intake(empty_url, tmp_path):
    engine = build_warehouse(empty_url, tmp_path)
    yield engine, tmp_path
    engine.dispose()


def _computed_count(engine, code: str) -> int:
    o, i = schema.observation, schema.indicator
    with engine.connect() as conn:
        return len(conn.execute(select(o.c.id).join(i, i.c.id == o.c.indicator_id).where(
            i.c.code == code, o.c.computed.is_(True))).all())


def test_fc003_an_input_revision_recomputes_in_the_loads_transaction(intake, monkeypatch):
    """The intake warehouse holds RETAIL_SALES for VN from 202310 to 202509. A load of 202510
    computes the growth of 202510; revising 202410 recomputes 202410 and 202510 (whose last year it
    is) with the revision's submission, in the same transaction; a load that fails midway (after
    the recompute) leaves the derived values as they were."""
    engine, tmp = intake
    first = send(engine, tmp, "TK", csv_bytes("RETAIL_SALES,VN,202510,300"))
    assert first.status == "accepted", first.errors
    base_2410 = current_value(engine, "RETAIL_SALES", "VN", "202410").value
    base_2310 = current_value(engine, "RETAIL_SALES", "VN", "202310").value
    got = current_value(engine, "RETAIL_SALES_YOY", "VN", "202510")
    assert got.value == pytest.approx((300 / base_2410 - 1) * 100) and got.submission_id == first.submission_id
    assert got.revision == 0 and got.status == "O"

    revised = send(engine, tmp, "TK", csv_bytes("RETAIL_SALES,VN,202410,250"))
    assert revised.status == "accepted" and revised.counts["revised"] == 1
    after = current_value(engine, "RETAIL_SALES_YOY", "VN", "202510")
    assert after.value == pytest.approx((300 / 250 - 1) * 100)
    assert (after.revision, after.submission_id) == (1, revised.submission_id)
    assert current_value(engine, "RETAIL_SALES_YOY", "VN", "202410").value == pytest.approx((250 / base_2310 - 1) * 100)
    assert [r.value for r in history_rows(engine, "RETAIL_SALES_YOY", "VN", "202510")] == [
        pytest.approx((300 / base_2410 - 1) * 100), pytest.approx(20.0)]

    from ingest import load

    before, stamp = counts(engine), current_value(engine, "RETAIL_SALES_YOY", "VN", "202510")

    def broken(*_args, **_kwargs):
        raise RuntimeError("the load stops here")

    monkeypatch.setattr(load, "bump", broken)  # called after the derived values are written
    with pytest.raises(RuntimeError):
        send(engine, tmp, "TK", csv_bytes("RETAIL_SALES,VN,202410,200"))
    assert counts(engine) == before
    assert current_value(engine, "RETAIL_SALES_YOY", "VN", "202510") == stamp
    assert current_value(engine, "RETAIL_SALES", "VN", "202410").value == 250


def test_fc004_a_missing_input_or_a_zero_divisor_gives_no_value(intake):
    """TRADE_TURNOVER (EXPORTS + IMPORTS) waits for both; URBANISATION_RATE (URBAN_POPULATION /
    POPULATION) has no value where the population is 0, and loses it when an input turns 0."""
    engine, tmp = intake
    send(engine, tmp, "TK", csv_bytes("EXPORTS,01,202510,4.5"))
    assert current_value(engine, "TRADE_TURNOVER", "01", "202510") is None
    send(engine, tmp, "TK", csv_bytes("IMPORTS,01,202510,3.0"))
    assert current_value(engine, "TRADE_TURNOVER", "01", "202510").value == pytest.approx(7.5)

    report = send(engine, tmp, "TK", csv_bytes("URBAN_POPULATION,01,2024,4000", "POPULATION,01,2024,0",
                                               "URBAN_POPULATION,79,2024,7000", "POPULATION,79,2024,9500"))
    assert report.status == "accepted", report.errors
    assert current_value(engine, "URBANISATION_RATE", "01", "2024") is None
    # code 79 in 2024 is the former Hồ Chí Minh City (79-63), of region R5-63
    assert current_value(engine, "URBANISATION_RATE", "79-63", "2024").value == pytest.approx(7000 / 9500 * 100)
    assert current_value(engine, "URBANISATION_RATE", "R5-63", "2024").value == pytest.approx(7000 / 9500 * 100)
    # a region from its provinces' sums: R2-63 holds 01 (population 0, urban 4000) alone among those reported
    assert current_value(engine, "URBANISATION_RATE", "R2-63", "2024") is None
    send(engine, tmp, "TK", csv_bytes("POPULATION,79,2024,0"))
    assert current_value(engine, "URBANISATION_RATE", "79-63", "2024") is None
    assert current_value(engine, "URBANISATION_RATE", "R5-63", "2024") is None
    assert [r.value for r in history_rows(engine, "URBANISATION_RATE", "79-63", "2024")] == [
        pytest.approx(7000 / 9500 * 100)]  # its revisions stay


def test_fc005_units_cannot_submit_derived_draft_or_retired_indicators(intake):
    """Refused with the row, the column, the value and why, in both languages."""
    from metadata import service

    engine, tmp = intake
    actor = service.Actor("t.admin", "admin", None, "cli")
    draft = {"code": "NEW_DRAFT_IND", "name_vi": "Chỉ tiêu dự thảo", "name_en": "Draft indicator", "group": "G01",
             "unit_vi": "%", "unit_en": "%", "periodicity": "M", "levels": ["nation"], "aggregation": "none",
             "direction": "up", "agency": "TK", "status": "draft"}
    assert service.create(engine, "indicators", draft, actor=actor).applied
    old = {**draft, "code": "OLD_IND", "name_vi": "Chỉ tiêu cũ", "name_en": "Old indicator", "status": "active"}
    assert service.create(engine, "indicators", old, actor=actor).applied
    assert service.retire(engine, "indicators", "OLD_IND", actor=actor).applied
    before = counts(engine)
    report = send(engine, tmp, "TK", csv_bytes("TRADE_TURNOVER,VN,202510,80", "NEW_DRAFT_IND,VN,202510,1",
                                               "OLD_IND,VN,202510,0.2"))
    assert report.status == "rejected"
    found = {e.code: e for e in report.errors}
    assert set(found) == {"indicator_derived", "indicator_draft", "indicator_retired"}
    derived = found["indicator_derived"]
    assert (derived.row, derived.column, derived.value) == (2, "indicator_code", "TRADE_TURNOVER")
    assert "EXPORTS + IMPORTS" in derived.message_en and "chỉ tiêu tính toán" in derived.message_vi
    assert "draft" in found["indicator_draft"].message_en and "dự thảo" in found["indicator_draft"].message_vi
    assert "retired" in found["indicator_retired"].message_en
    assert counts(engine)["observation"] == before["observation"]


def test_fc006_a_formula_defined_through_the_service_is_computed_over_its_history(world):
    """Creating a derived indicator computes every area and period of its inputs in the change's
    transaction (a dry run computes nothing); changing its formula recomputes them."""
    from metadata import service

    actor = service.Actor("t.admin", "admin", None, "cli")
    row = {"code": "IMPORT_COVER", "name_vi": "Tỷ lệ nhập khẩu so với xuất khẩu", "name_en": "Imports to exports",
           "group": "G03", "unit_vi": "%", "unit_en": "%", "periodicity": "M", "direction": "neutral",
           "levels": ["nation", "region", "province"], "aggregation": "none", "agency": "TK",
           "formula": "IMPORTS / EXPORTS * 100"}
    assert service.create(world, "indicators", row, actor=actor, dry_run=True).ok
    assert _computed_count(world, "IMPORT_COVER") == 0
    outcome = service.create(world, "indicators", row, actor=actor)
    assert outcome.applied, outcome.problems[:3]
    raw = _frame(world, computed=False)
    both = raw[raw["code"].isin(["IMPORTS", "EXPORTS"])].pivot_table(index=["area", "period"], columns="code",
                                                                        values="value")
    provinces = both.dropna()
    provinces = provinces[provinces["EXPORTS"] != 0]
    got = _frame(world, computed=True)
    got = got[got["code"] == "IMPORT_COVER"].set_index(["area", "period"])["value"]
    regions = {k for k in got.index if k[0].startswith("R")}
    assert set(got.index) - regions == set(provinces.index)
    assert len(regions) > 100
    assert got.drop(list(regions)).sort_index().to_numpy() == pytest.approx(
        (provinces["IMPORTS"] / provinces["EXPORTS"] * 100).sort_index().to_numpy())
    assert service.update(world, "indicators", "IMPORT_COVER", {"formula": "EXPORTS / IMPORTS * 100"},
                          actor=actor).applied
    now = _frame(world, computed=True)
    now = now[now["code"] == "IMPORT_COVER"].set_index(["area", "period"])["value"]
    assert now[("VN", "202510")] == pytest.approx(100 * 100 / got[("VN", "202510")])


def test_fc007_the_evaluator_gives_no_value_for_a_missing_input_or_a_zero_divisor():
    """The pure rule (domain.derived), on a tiny map: a region of two provinces."""
    from domain.derived import AreaFacts, Rule, derive
    from domain.periods import Period

    facts = AreaFacts(level={"VN": "nation", "R": "region", "A": "province", "B": "province"},
                      validity={k: (None, None) for k in ("VN", "R", "A", "B")},
                      members={"63": {"R": ("A", "B")}, "34": {"R": ("A", "B")}}, successor={})
    p = Period("Y", 2024, 1)
    stored = {("N", "A", p.start): (3.0, "O"), ("D", "A", p.start): (0.0, "O"),
              ("N", "B", p.start): (5.0, "P"), ("D", "B", p.start): (10.0, "O"), ("N", "VN", p.start): (8.0, "O")}
    rules = {"N": Rule("sum"), "D": Rule("sum")}
    got = {(v.area, v.status): v.value for v in derive("N / D", ("nation", "region", "province"), [p], stored, rules,
                                                      facts)}
    # A divides by zero, VN has no denominator, R is the ratio of the sums (8 / 10), provisional as B is
    assert got == {("B", "P"): 0.5, ("R", "P"): 0.8}
