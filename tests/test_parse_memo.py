"""Issue 18, the mapping step: the proposal's reading of a published table is the submission's
(ingest.parse_memo), the same as a second reading. Both backends."""

from __future__ import annotations

import pytest
from pandas.testing import assert_frame_equal

from ingest import formats, parse_memo
from ingest.bounds import ReadBudget
from ingest.issues import Findings
from ingest.pipeline import submit
from ingest.published import ImportMapping
from tests.conftest import BACKENDS, current_value, module_warehouse
from tests.test_mapping import OTHER_SHAPE, RECEIVED, _propose, wide


@pytest.fixture(scope="module", params=BACKENDS)
def wh(request, databases, tmp_path_factory):
    _, tmp, engine = module_warehouse(request, databases, tmp_path_factory)
    yield engine, tmp
    engine.dispose()


def test_pm001_the_proposal_and_the_submission_read_the_file_once(wh, monkeypatch):
    """The mapping step's reading of a published table is handed to the submission of the same
    file (one parse instead of two), with the chosen indicator in place of the placeholder: the
    same table as a second reading gives, cell by cell; taken once; never for other bytes, other
    limits or a long file."""
    engine, tmp = wh
    parse_memo.forget()
    reads: list[str] = []
    real = formats.parse
    monkeypatch.setattr(formats, "parse", lambda payload, *a, **k: reads.append(payload[:12]) or real(payload, *a, **k))
    table = wide("Biểu 7. Dân số trung bình phân theo tỉnh (Sơ bộ 2016)", ["2015", "Sơ bộ 2016"], [
        ("Hà Nội", ["7558.6", "7661.6"]), ("Tỉnh Quảng Ninh", ["1211.3", ".."]), ("Tổng các tỉnh khác", ["5", "6"])])
    proposal = _propose(engine, table)
    assert len(reads) == 1 and proposal.indicator.target == "POPULATION"
    mapping = ImportMapping(indicator="population", areas={**proposal.mapping().areas, "Tổng các tỉnh khác": ""},
                            source="confirmed")
    report = submit(engine, unit_code="TK", payload=table, filename="bieu.csv", channel="upload",
                    submitted_by="pytest", received_at=RECEIVED, archive_dir=tmp / "once", mapping=mapping)
    assert report.status == "accepted", report.errors
    assert len(reads) == 1  # the submission took the proposal's reading
    assert report.counts["valid"] == 3 and report.counts["not_reported"] == 1
    assert current_value(engine, "POPULATION", "01", "2015").value == pytest.approx(7558.6)
    assert current_value(engine, "POPULATION", "01", "2016")[:3] == (pytest.approx(7661.6), 0, "P")
    assert current_value(engine, "POPULATION", "22", "2015").value == pytest.approx(1211.3)

    def read(payload: bytes, findings: Findings, keep: bool, indicator: str, **limits):
        return parse_memo.parse(payload, "bieu.csv", findings, 2_000_000, budget=ReadBudget(**limits),
                                mapping=ImportMapping(indicator=indicator), keep=keep)

    kept = read(table, Findings(), True, "?")
    taken = read(table, Findings(), False, "POPULATION")
    fresh = real(table, "bieu.csv", Findings(), 2_000_000, budget=ReadBudget(), mapping=ImportMapping(indicator="POPULATION"))
    assert set(kept.observations["indicator_code"]) == {"?"}  # the proposal's own reading is left as it was
    assert_frame_equal(taken.observations, fresh.observations)
    assert {k: v for k, v in vars(taken).items() if k != "observations"} == \
        {k: v for k, v in vars(fresh).items() if k != "observations"}
    reads.clear()
    read(table, Findings(), False, "POPULATION")  # taken once: read again
    read(table, Findings(), True, "?")
    read(table, Findings(), False, "POPULATION", max_columns=50)  # other limits: read again
    read(table, Findings(), True, "?")
    read(OTHER_SHAPE, Findings(), False, "FOREST_COVER")  # other bytes: read
    long = b"indicator_code,area_code,period,value\nPOPULATION,01,2015,7558.6\n"
    read(long, Findings(), True, "?")
    read(long, Findings(), False, "POPULATION")  # a long file is not kept
    assert len(reads) == 7
