"""Issue 17: bad metadata is refused with row-level reasons, and nothing is applied.

Each case is a package (or a single change) with one thing wrong; the service must answer with
that reason (its code, kind, row, key and column, in both languages) and leave the warehouse as it
was: the exported configuration byte for byte, no history, no audit entry, the same data version."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import func, select

from data_access import schema
from data_access.engine import get_data_version
from domain.formulas import FormulaError, formula_cycles, formula_inputs
from ingest.reference import demo_records
from metadata import service, store
from metadata.package import document, from_document, from_records, json_bytes
from tests.conftest import BACKENDS, _require_pg, build_warehouse, csv_bytes, send

ADMIN = service.Actor("t.admin", "admin", "127.0.0.1", "cli")


def _demo(kind: str, key: str) -> dict:
    return copy.deepcopy(next(r for r in demo_records(kind) if (r.get("code") or "") == key))


def ind(code: str = "CPI_YOY", /, **over) -> dict:
    return {**_demo("indicators", code), **over}


def regime(code: str = "UBND-M", /, **over) -> dict:
    return {**_demo("regimes", code), **over}


def unit(code: str = "UB01", /, **over) -> dict:
    return {**_demo("units", code), **over}


def target(**over) -> dict:
    return {"indicator": "CPI_YOY", "area": "VN", "year": 2027, "comparison": "at_most", "value": 4.5,
            "source": "Nghị quyết của Quốc hội", **over}


def new_ind(code: str, **over) -> dict:
    return ind("CPI_YOY", **{"code": code, "name_vi": f"Chỉ tiêu {code}", "name_en": f"Indicator {code}",
                             "headline": None, **over})


@pytest.fixture(scope="module", params=BACKENDS)
def warehouse(request, databases, tmp_path_factory):
    """The demo configuration (no targets), the intake's little history, and one accepted report
    of UB01 (so UB01 and UBND-M hold submissions, RETAIL_SALES observations); on both backends."""
    if request.param == "postgresql":
        _require_pg()
    tmp = tmp_path_factory.mktemp("metarules")
    engine = build_warehouse(databases.new(request.param), tmp)
    assert send(engine, tmp, "UB01", csv_bytes("RETAIL_SALES,01,202510,31.5")).accepted
    yield engine
    engine.dispose()


def state(engine) -> tuple:
    with engine.connect() as conn:
        exported = json_bytes(document(store.read_config(conn)))
        history = conn.execute(select(func.count()).select_from(schema.metadata_history)).scalar()
        audits = conn.execute(select(func.count()).select_from(schema.audit_log)
                              .where(schema.audit_log.c.action.like("metadata.%"))).scalar()
        return exported, history, audits, get_data_version(conn)


# (case id, package records, expected problem: code, kind, row, column)
CASES = [
    ("unknown_field", {"groups": [{"code": "G99", "name_vi": "Nhóm", "name_en": "Group", "colour": "đỏ"}]},
     ("unknown_field", "groups", 1, "colour")),
    ("missing_value", {"indicators": [new_ind("NEW_A", name_vi="")]}, ("missing_value", "indicators", 1, "name_vi")),
    ("bad_code", {"units": [unit("UB01", code="ub 99")]}, ("bad_code", "units", 1, "code")),
    ("case_only", {"indicators": [new_ind("cpi_yoy")]}, ("code_confusable", "indicators", 1, "code")),
    ("diacritics_only", {"indicators": [new_ind("CPI_YÔY")]}, ("code_confusable", "indicators", 1, "code")),
    ("too_long", {"groups": [{"code": "G99", "name_vi": "x" * 301, "name_en": "Group"}]},
     ("too_long", "groups", 1, "name_vi")),
    ("control_characters", {"groups": [{"code": "G99", "name_vi": "Nhóm\x07", "name_en": "Group"}]},
     ("control_characters", "groups", 1, "name_vi")),
    ("unknown_periodicity", {"indicators": [new_ind("NEW_A", periodicity="W")]},
     ("bad_choice", "indicators", 1, "periodicity")),
    ("unknown_aggregation", {"indicators": [new_ind("NEW_A", aggregation="median")]},
     ("bad_choice", "indicators", 1, "aggregation")),
    ("unknown_level", {"indicators": [new_ind("NEW_A", levels=["nation", "district"])]},
     ("bad_choice", "indicators", 1, "levels")),
    ("unknown_status", {"indicators": [new_ind("NEW_A", status="paused")]}, ("bad_choice", "indicators", 1, "status")),
    ("bad_integer", {"indicators": [new_ind("NEW_A", decimals="two")]}, ("bad_integer", "indicators", 1, "decimals")),
    ("bad_number", {"targets": [target(value="abc")]}, ("bad_number", "targets", 1, "value")),
    ("infinite_number", {"targets": [target(value="inf")]}, ("bad_number", "targets", 1, "value")),
    ("bad_boolean", {"indicators": [new_ind("NEW_A", confidential="maybe")]},
     ("bad_boolean", "indicators", 1, "confidential")),
    ("invalid_date", {"indicators": [new_ind("NEW_A", valid_from="2025-02-30")]},
     ("bad_date", "indicators", 1, "valid_from")),
    ("out_of_range", {"indicators": [new_ind("NEW_A", decimals=9)]}, ("out_of_range", "indicators", 1, "decimals")),
    ("bad_list", {"regimes": [regime(units=5)]}, ("bad_list", "regimes", 1, "units")),
    ("duplicate_in_list", {"regimes": [regime(indicators=["CPI_YOY", "CPI_YOY"])]},
     ("duplicate_in_list", "regimes", 1, "indicators")),
    ("bad_formula", {"indicators": [new_ind("NEW_A", formula="__import__('os').system('x')")]},
     ("bad_formula", "indicators", 1, "formula")),
    ("duplicate_key", {"groups": [{"code": "G99", "name_vi": "A", "name_en": "A"},
                                  {"code": "G99", "name_vi": "B", "name_en": "B"}]},
     ("duplicate_key", "groups", 2, "code")),
    ("dates_reversed", {"indicators": [new_ind("NEW_A", valid_from="2026-01-01", valid_to="2025-12-31")]},
     ("dates_reversed", "indicators", 1, "valid_to")),
    ("self_reference", {"indicators": [new_ind("NEW_A", aggregation="weighted", weight="NEW_A")]},
     ("self_reference", "indicators", 1, "weight")),
    ("missing_component", {"indicators": [new_ind("NEW_A", aggregation="ratio", numerator="CPI_YOY")]},
     ("missing_component", "indicators", 1, "denominator")),
    ("stray_component", {"indicators": [new_ind("NEW_A", aggregation="sum", weight="CPI_YOY")]},
     ("stray_component", "indicators", 1, "weight")),
    ("deadline_before_cutoff", {"regimes": [regime(cutoff_day=25, deadline_day=20)]},
     ("deadline_before_cutoff", "regimes", 1, "deadline_day")),
    ("deadline_on_cutoff", {"regimes": [regime(cutoff_day=14, deadline_day=14)]},
     ("deadline_before_cutoff", "regimes", 1, "deadline_day")),
    ("regime_without_units", {"regimes": [regime(units=[])]}, ("regime_no_units", "regimes", 1, "units")),
    ("regime_without_indicators", {"regimes": [regime(indicators=[])]},
     ("regime_no_indicators", "regimes", 1, "indicators")),
    ("range_without_max", {"targets": [target(comparison="range")]}, ("range_needs_max", "targets", 1, "value_max")),
    ("range_reversed", {"targets": [target(comparison="range", value=4.0, value_max=3.0)]},
     ("range_reversed", "targets", 1, "value_max")),
    ("max_without_range", {"targets": [target(value_max=5.0)]}, ("max_without_range", "targets", 1, "value_max")),
    ("unknown_comparison", {"targets": [target(comparison="about")]}, ("bad_choice", "targets", 1, "comparison")),
    ("unknown_group", {"indicators": [new_ind("NEW_A", group="G99")]},
     ("unknown_reference", "indicators", 1, "group")),
    ("unknown_agency", {"indicators": [new_ind("NEW_A", agency="BXX")]},
     ("unknown_reference", "indicators", 1, "agency")),
    ("unknown_area", {"targets": [target(area="99")]}, ("unknown_reference", "targets", 1, "area")),
    ("unknown_regime_indicator", {"regimes": [regime(indicators=["CPI_YOY", "NO_SUCH"])]},
     ("unknown_reference", "regimes", 1, "indicators")),
    ("formula_unknown_input", {"indicators": [new_ind("NEW_A", formula="NO_SUCH / CPI_YOY")]},
     ("unknown_reference", "indicators", 1, "formula")),
    ("group_retired_under_active_indicators",
     {"groups": [{**_demo("groups", "G03"), "status": "retired"}]},
     ("retired_reference", "indicators", None, "group")),
    ("provincial_unit_on_a_region", {"units": [unit("UB01", code="UB99", area="R1")]},
     ("unit_area_level", "units", 1, "area")),
    ("provincial_unit_without_area", {"units": [unit("UB01", code="UB98", area=None)]},
     ("unit_area_missing", "units", 1, "area")),
    ("ratio_of_another_periodicity",
     {"indicators": [new_ind("NEW_A", periodicity="Y", aggregation="ratio", numerator="GDP_CURRENT_Y",
                             denominator="GDP_CURRENT")]},
     ("component_periodicity", "indicators", 1, "denominator")),
    ("formula_of_another_periodicity", {"indicators": [new_ind("NEW_A", formula="GDP_CURRENT / 4")]},
     ("formula_periodicity", "indicators", 1, "formula")),
    ("cyclic_formulas", {"indicators": [new_ind("NEW_A", formula="NEW_B + 1"), new_ind("NEW_B", formula="NEW_A * 2")]},
     ("formula_cycle", "indicators", 2, "formula")),
    ("regime_of_another_periodicity", {"regimes": [regime(indicators=["RETAIL_SALES", "GDP_CURRENT"])]},
     ("regime_periodicity", "regimes", 1, "indicators")),
    ("target_for_a_retired_indicator",
     {"indicators": [ind("GDP_FLASH", status="retired")], "targets": [target(indicator="GDP_FLASH", comparison="at_least")]},
     ("target_retired_indicator", "targets", 1, "indicator")),
    ("target_at_a_level_the_indicator_lacks", {"targets": [target(indicator="GDP_FLASH", area="01")]},
     ("target_level", "targets", 1, "area")),
    ("target_outside_validity", {"indicators": [ind(valid_to="2026-12-31")], "targets": [target(year=2027)]},
     ("target_outside_validity", "targets", 1, "year")),
    ("headline_twice", {"indicators": [new_ind("NEW_A", headline=1)]}, ("headline_duplicate", "indicators", 1, "headline")),
    ("periodicity_change_with_observations", {"indicators": [ind("RETAIL_SALES", periodicity="Q")]},
     ("periodicity_locked", "indicators", 1, "periodicity")),
    ("unit_area_change_with_submissions", {"units": [unit("UB01", area="79")]}, ("unit_locked", "units", 1, "area")),
    ("regime_frequency_change_with_reports", {"regimes": [regime("UBND-M", frequency="Q", indicators=["GDP_CURRENT"])]},
     ("frequency_locked", "regimes", 1, "frequency")),
    ("back_to_draft", {"indicators": [ind(status="draft")]}, ("status_backwards", "indicators", 1, "status")),
]


def _found(outcome, code, kind, row, column):
    return [p for p in outcome.problems if (p.code, p.kind, p.row, p.column) == (code, kind, row, column)]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_mdr001_bad_metadata_is_refused_with_its_reason(warehouse, case):
    _, records, (code, kind, row, column) = case
    before = state(warehouse)
    outcome = service.apply(warehouse, from_records(records), actor=ADMIN)
    assert not outcome.ok and not outcome.applied
    hits = _found(outcome, code, kind, row, column)
    assert hits, [p.as_dict() for p in outcome.problems]
    assert hits[0].message_vi and hits[0].message_en and hits[0].message_vi != hits[0].message_en
    assert "?" not in hits[0].message_en.replace("?'", ""), hits[0].message_en  # every placeholder filled
    assert state(warehouse) == before


def test_mdr002_at_least_thirty_distinct_reasons():
    assert len(CASES) >= 30 and len({c[2][0] for c in CASES}) >= 30


FILE_CASES = [
    ({"format": "csv", "version": 1}, "not_a_package"),
    ({"format": "occ-metadata", "version": 7}, "unsupported_version"),
    ({"format": "occ-metadata", "version": 1, "dashboards": []}, "unknown_kind"),
    ({"format": "occ-metadata", "version": 1, "groups": {"code": "G01"}}, "not_a_list"),
    ({"format": "occ-metadata", "version": 1, "groups": ["G01"]}, "not_a_record"),
    ([1, 2, 3], "not_a_package"),
]


@pytest.mark.parametrize("doc,code", FILE_CASES, ids=[c[1] for c in FILE_CASES])
def test_mdr003_a_file_that_is_no_package_is_refused(warehouse, doc, code):
    before = state(warehouse)
    outcome = service.apply(warehouse, from_document(doc), actor=ADMIN)
    assert not outcome.ok and code in {p.code for p in outcome.problems}
    assert state(warehouse) == before


def test_mdr004_every_problem_of_a_package_at_once_with_its_row(warehouse):
    """Several bad rows: each is named with its row; the good rows are not applied either."""
    before = state(warehouse)
    good = {"code": "G98", "name_vi": "Nhóm mới", "name_en": "New group", "sort": 200}
    outcome = service.apply(warehouse, from_records({
        "groups": [good, {"code": "G99", "name_vi": "", "name_en": "x"}],
        "targets": [target(), target(year="năm sau"), target(comparison="about")]}), actor=ADMIN)
    got = {(p.kind, p.row, p.column, p.code) for p in outcome.problems}
    assert {("groups", 2, "name_vi", "missing_value"), ("targets", 2, "year", "bad_integer"),
            ("targets", 3, "comparison", "bad_choice")} <= got
    assert state(warehouse) == before


def test_mdr005_single_changes_that_would_orphan_data_are_refused(warehouse):
    before = state(warehouse)
    renamed = service.update(warehouse, "indicators", "RETAIL_SALES", {"code": "RETAIL"}, actor=ADMIN)
    assert [p.code for p in renamed.problems] == ["code_immutable"]
    assert "retire" in renamed.problems[0].message_en.lower() and "thôi dùng" in renamed.problems[0].message_vi
    moved = service.update(warehouse, "units", "UB01", {"area": "79"}, actor=ADMIN)
    assert [p.code for p in moved.problems] == ["unit_locked"]
    assert service.update(warehouse, "groups", "G77", {"name_vi": "x"}, actor=ADMIN).problems[0].code == "not_found"
    made = service.create(warehouse, "groups", {"code": "G01", "name_vi": "x", "name_en": "x"}, actor=ADMIN)
    assert made.problems[0].code == "already_exists"
    retired = service.retire(warehouse, "units", "TK", actor=ADMIN)  # responsible for active indicators
    assert {p.code for p in retired.problems} == {"retired_reference"}
    assert state(warehouse) == before


def test_mdr006_formula_grammar_and_cycles():
    assert formula_inputs("(RETAIL_SALES / last_year(RETAIL_SALES) - 1) * 100") == {"RETAIL_SALES"}
    assert formula_inputs("A + B - -C * 2.5") == {"A", "B", "C"}
    for bad in ("A ** 2", "a.b", "open('x')", "A if B else C", "'A'", "last_year(A, 2)", "", "1 + 2", "A < B"):
        with pytest.raises(FormulaError):
            formula_inputs(bad)
    chain = {f"X{i}": frozenset({f"X{i + 1}"}) for i in range(3000)}  # deep, no recursion limit
    assert formula_cycles(chain) == []
    chain["X3000"] = frozenset({"X0"})
    assert formula_cycles(chain) == [sorted(chain)]
    assert formula_cycles({"A": frozenset({"A"}), "B": frozenset({"C"}), "C": frozenset({"B"}),
                           "D": frozenset({"B"})}) == [["A"], ["B", "C"]]
