"""Issue 17: the demo's configuration is a shipped metadata package, loaded through the service.

The seeded demo must equal the demo before the change: the catalogue, groups, units, regimes and
targets as ``data_access`` reads them are compared with ``tests/data/metadata_demo_snapshot.json``,
taken from the code that loaded the reference CSVs directly (commit a2a62fa). The package has
since gained derived indicators (a formula, values computed by the product:
``tests/test_formulas_compute.py``), which the snapshot leaves out, with the ``formula`` field of
the catalogue: everything else still equals it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

SNAPSHOT = Path(__file__).parent / "data" / "metadata_demo_snapshot.json"


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    if value != value:  # NaN from a frame
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _records(frame, drop=("id",)) -> list[dict]:
    return [{k: _plain(v) for k, v in row.items() if k not in drop} for row in frame.to_dict("records")]


def configuration_snapshot(server) -> dict:
    """The demo configuration as the boards read it (cleared for confidential indicators): every
    indicator, group and unit, the regimes carrying each indicator, the regimes with their
    members, and every indicator's national targets."""
    from flask import g

    from data_access import compliance
    from data_access.catalogue import agencies, all_indicators, indicator_groups
    from data_access.kpis import indicator_targets
    from data_access.regimes import indicator_regimes

    with server.test_request_context("/"):
        g.occ_clearance = "all"
        indicators = [{k: _plain(v) for k, v in i.__dict__.items() if k not in ("id", "formula")}
                      for i in all_indicators() if not i.formula]
        regimes, members, _, _ = compliance._structure()
        return {
            "indicators": indicators,
            "groups": _records(indicator_groups(), drop=("status",)),  # a column this change added
            "units": _records(agencies()),
            "indicator_regimes": {i["code"]: _records(indicator_regimes(i["code"])) for i in indicators},
            "regimes": [{"code": r.code, "name_vi": r.name_vi, "name_en": r.name_en, "frequency": r.frequency,
                         "deadline_day": r.deadline_day, "deadline_month_offset": r.deadline_month_offset,
                         "units": [u.code for u in members.get(r.id, ())]} for r in regimes],
            "targets": {i["code"]: _records(indicator_targets(i["code"], "VN"), drop=("value_max",)) for i in indicators},
        }


def test_mdd001_the_seeded_demo_equals_the_snapshot(seeded_app):
    """The catalogue, groups, units, regimes and targets of the seeded demo, read through
    ``data_access``, are those of the demo before its configuration became a package."""
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    got = json.loads(json.dumps(configuration_snapshot(seeded_app)))  # tuples and floats as the file has them
    for part in expected:
        assert got[part] == expected[part], part
    assert got == expected


DERIVED = {"ENTERPRISES_ENTERING", "ENTERPRISES_PER_1000", "RETAIL_SALES_YOY", "TRADE_TURNOVER", "URBANISATION_RATE"}


def test_mdd003_the_only_additions_are_the_derived_indicators(seeded_app):
    """Beside the snapshot, the seeded catalogue holds the five derived indicators of the package,
    each with its formula, carried by no report regime (units do not send them) and without targets."""
    from flask import g

    from data_access.catalogue import all_indicators
    from data_access.kpis import indicator_targets
    from data_access.regimes import indicator_regimes

    with seeded_app.test_request_context("/"):
        g.occ_clearance = "all"
        derived = {i.code: i for i in all_indicators() if i.formula}
        assert set(derived) == DERIVED
        assert all(indicator_regimes(c).empty and indicator_targets(c, "VN").empty for c in derived)
        assert derived["RETAIL_SALES_YOY"].formula == "(RETAIL_SALES / last_year(RETAIL_SALES) - 1) * 100"


def test_mdd002_the_shipped_targets_are_the_generators():
    """The package's plan targets are the generator's own rule applied to its series (so a demo
    run after 2026 continues them with generated ones)."""
    from ingest.demo import generate
    from ingest.reference import demo_records
    from tests.conftest import FIXED_UNTIL, SEED

    generated = generate(seed=SEED, until=FIXED_UNTIL).targets
    made = {(r.indicator, r.area, int(r.year)): (r.comparison, float(r.value), r.source)
            for r in generated.itertuples(index=False)}
    shipped = {(t["indicator"], t["area"], t["year"]): (t["comparison"], t["value"], t["source"])
               for t in demo_records("targets")}
    assert shipped == made
    assert {t["status"] for t in demo_records("targets")} == {"active"}
