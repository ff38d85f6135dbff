"""Issue 17: the metadata package. The demo's configuration round-trips (export → import into an
empty warehouse → export gives the same bytes), an import is idempotent, a dry run shows the diff
and writes nothing, XLSX carries the same package for people, and an upload is read within the
intake's limits."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from data_access import schema
from data_access.engine import get_data_version, make_engine, migrate
from ingest.metadata_files import import_package, read_package
from ingest.pipeline import IntakeLimits
from ingest.reference import DEMO_PACKAGE
from metadata import service, store
from metadata.package import document, json_bytes, xlsx_bytes
from tests.conftest import make_settings

ADMIN = service.Actor("t.admin", "admin", None, "cli")


def exported(engine) -> bytes:
    with engine.connect() as conn:
        return json_bytes(document(store.read_config(conn)))


def empty_warehouse(databases, backend, tmp_path):
    engine = make_engine(make_settings(databases.new(backend), tmp_path))
    migrate(engine)
    return engine


def history_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(schema.metadata_history)).scalar()


def test_mdp001_the_demo_configuration_round_trips(seeded_url, databases, backend, tmp_path):
    """Export of the seeded demo = the shipped package, byte for byte; imported into an empty
    warehouse and exported again: the same bytes; imported a second time: nothing changes."""
    seeded = make_engine(make_settings(seeded_url, tmp_path))
    first = exported(seeded)
    seeded.dispose()
    assert first == DEMO_PACKAGE.read_bytes()
    engine = empty_warehouse(databases, backend, tmp_path)
    outcome = import_package(engine, first, actor=ADMIN)
    assert outcome.ok and outcome.applied, outcome.problems[:3]
    assert outcome.diff.counts()["indicators"] == {"added": 136, "changed": 0, "retired": 0}
    assert exported(engine) == first
    with engine.connect() as conn:
        version, history = get_data_version(conn), history_count(engine)
    again = import_package(engine, first, actor=ADMIN)
    assert again.ok and not again.applied and again.diff.empty
    with engine.connect() as conn:
        assert get_data_version(conn) == version
    assert history_count(engine) == history and exported(engine) == first
    engine.dispose()


def test_mdp002_xlsx_carries_the_same_package(databases, tmp_path):
    doc = json.loads(DEMO_PACKAGE.read_bytes())
    doc["groups"][0]["name_en"] = "=HYPERLINK(\"http://x\",\"y\")"  # a name that would start a formula
    book = xlsx_bytes(doc)
    ws = load_workbook(io.BytesIO(book), read_only=True)["groups"]
    header, first = list(ws.iter_rows(min_row=1, max_row=2, values_only=True))
    assert header[:3] == ("code", "name_vi", "name_en") and first[2].startswith("'=")  # neutralised
    package = read_package(book)
    assert not package.problems and package.rows["targets"][0][0] == 2  # the sheet's row numbers
    engine = empty_warehouse(databases, "sqlite", tmp_path)
    outcome = import_package(engine, book, actor=ADMIN)
    assert outcome.ok and outcome.applied, outcome.problems[:3]
    assert exported(engine) == json_bytes(doc)
    engine.dispose()


def test_mdp003_a_dry_run_shows_the_diff_and_writes_nothing(databases, tmp_path):
    engine = empty_warehouse(databases, "sqlite", tmp_path)
    assert import_package(engine, DEMO_PACKAGE.read_bytes(), actor=ADMIN).applied
    doc = json.loads(DEMO_PACKAGE.read_bytes())
    doc["groups"].append({"code": "G11", "name_vi": "Chuyển đổi số", "name_en": "Digital transformation", "sort": 110,
                          "status": "active"})
    changed = next(i for i in doc["indicators"] if i["code"] == "CPI_YOY")
    changed["name_en"] = "Consumer price index, year on year"
    retired = next(r for r in doc["regimes"] if r["code"] == "BYT-Y")
    retired["status"] = "retired"
    target = next(t for t in doc["targets"] if t["indicator"] == "CPI_YOY" and t["year"] == 2026)
    target.update(comparison="range", value=3.0, value_max=4.5)
    payload, before, history = json_bytes(doc), exported(engine), history_count(engine)

    preview = import_package(engine, payload, actor=ADMIN, dry_run=True)
    assert preview.ok and not preview.applied and preview.dry_run
    expected = {"groups": {"added": ["G11"], "changed": [], "retired": []},
                "indicators": {"added": [], "changed": ["CPI_YOY"], "retired": []},
                "regimes": {"added": [], "changed": [], "retired": ["BYT-Y"]},
                "targets": {"added": [], "changed": ["CPI_YOY|VN|2026"], "retired": []}}
    assert {k: v for k, v in preview.diff.as_dict().items() if any(v.values())} == expected
    assert exported(engine) == before and history_count(engine) == history

    done = import_package(engine, payload, actor=ADMIN)
    assert done.applied and done.diff.as_dict() == preview.diff.as_dict()
    assert exported(engine) == payload
    versions = service.history(engine, "indicators", "CPI_YOY")
    assert [v["version"] for v in versions] == [1, 2] and versions[1]["action"] == "update"
    assert versions[1]["before"]["name_en"] != versions[1]["after"]["name_en"] == "Consumer price index, year on year"
    assert versions[1]["change_set"] == done.change_set and versions[1]["actor"] == "t.admin"
    assert service.history(engine, "regimes", "BYT-Y")[-1]["action"] == "retire"
    with engine.connect() as conn:
        revision = conn.execute(select(schema.target.c.revision).join(
            schema.indicator, schema.indicator.c.id == schema.target.c.indicator_id).where(
            schema.indicator.c.code == "CPI_YOY", schema.target.c.year == 2026)).scalar()
        entry = conn.execute(select(schema.audit_log).where(schema.audit_log.c.action == "metadata.import")
                             .order_by(schema.audit_log.c.id.desc())).first()
    assert revision == 1
    detail = json.loads(entry.detail)
    assert detail["change_set"] == done.change_set and detail["records_total"] == 4
    assert {(r["kind"], r["key"]) for r in detail["records"]} == {
        ("groups", "G11"), ("indicators", "CPI_YOY"), ("regimes", "BYT-Y"), ("targets", "CPI_YOY|VN|2026")}
    engine.dispose()


@pytest.mark.parametrize("limits,payload,code", [
    (IntakeLimits(max_bytes=1000), "demo.json", "file_too_large"),
    (IntakeLimits(max_unzipped_bytes=20_000), "demo.xlsx", "zip_too_large"),
    (IntakeLimits(max_rows=100), "demo.xlsx", "sheet_dimension_too_large"),
    (IntakeLimits(), b'{"format": "occ-metadata", "version": 1, "targets": [{"value": NaN}]}', "not_a_package"),
    (IntakeLimits(), b"\xff\xfe{\x00", "bad_encoding"),
    (IntakeLimits(), b"PK\x03\x04 not a zip", "unreadable_file"),
    (IntakeLimits(), b"", "empty_file"),
], ids=["too_large", "unzips_too_large", "too_many_rows", "nan", "encoding", "damaged_xlsx", "empty"])
def test_mdp004_uploads_are_read_within_the_intake_limits(limits, payload, code):
    if payload == "demo.json":
        payload = DEMO_PACKAGE.read_bytes()
    elif payload == "demo.xlsx":
        payload = xlsx_bytes(json.loads(DEMO_PACKAGE.read_bytes()))
    package = read_package(payload, limits)
    assert [p.code for p in package.problems] == [code], package.problems
    assert package.problems[0].message_vi and package.problems[0].message_en


def test_mdp005_an_xlsx_with_a_sheet_of_another_kind_is_refused():
    from exports import sheets

    book = sheets.workbook()
    book.active.title = "package"
    sheets.append(book.active, ["format", "occ-metadata"])
    sheets.append(book.active, ["version", 1])
    sheets.append(book.create_sheet("notes"), ["anything"])
    package = read_package(sheets.xlsx_bytes(book))
    assert [(p.code, p.value) for p in package.problems] == [("unknown_kind", "notes")]
