"""Issue 17: the doors of the metadata service — the command line and the HTTP API (admins only,
in the OpenAPI document) — and what a change does to the boards: every change is audited with
before and after, and shows on the next refresh (the cache stamps of what changed are bumped:
a target its indicator's, anything else everything)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from data_access import schema
from data_access.engine import get_stamps
from ingest.reference import DEMO_PACKAGE
from metadata import service
from tests.auth_helpers import ORIGIN
from tests.auth_sessions import ensure_session
from tests.conftest import build_warehouse, make_settings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def env(tmp_path, empty_url):
    """An intake warehouse (the demo configuration without targets; both backends), an app with
    access control on, and a signed-in admin and analyst."""
    from app import create_app

    url = empty_url
    engine = build_warehouse(url, tmp_path)
    cookies = {who: ensure_session(engine, f"t.{who}", who, token=f"session-of-{who}-" + "y" * 20)[1]
               for who in ("admin", "analyst")}
    server = create_app(make_settings(url, tmp_path, auth_required=True))
    yield server, engine, cookies
    server.extensions["warehouse"].dispose()
    engine.dispose()


def client(server, cookies, who):
    c = server.test_client()
    if who in cookies:
        c.set_cookie("occ_session", cookies[who])
    return c


def package(**edits) -> bytes:
    doc = json.loads(DEMO_PACKAGE.read_bytes())
    for kind, change in edits.items():
        change(doc[kind])
    return json.dumps(doc, ensure_ascii=False).encode()


def _rename(records, code="CPI_YOY", name="Consumer prices, year on year"):
    next(r for r in records if r["code"] == code)["name_en"] = name


def test_mda001_the_api_exports_and_imports_for_admins_only(env):
    server, engine, cookies = env
    admin = client(server, cookies, "admin")
    res = admin.get("/api/v1/metadata/export")
    assert res.status_code == 200 and res.mimetype == "application/json"
    doc = json.loads(res.data)
    assert doc["format"] == "occ-metadata" and len(doc["indicators"]) == 136 and doc["targets"] == []
    xlsx = admin.get("/api/v1/metadata/export?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype == XLSX and xlsx.data[:4] == b"PK\x03\x04"

    preview = admin.post("/api/v1/metadata/import?dry_run=true", data=package(indicators=_rename),
                         content_type="application/json", headers={"Origin": ORIGIN})
    body = preview.get_json()
    assert preview.status_code == 200 and body["ok"] and body["dry_run"] and not body["applied"]
    assert body["diff"]["indicators"]["changed"] == ["CPI_YOY"] and len(body["diff"]["targets"]["added"]) == 1166
    assert admin.get("/api/v1/metadata/export").data == res.data  # nothing written

    bad = admin.post("/api/v1/metadata/import", data=package(groups=lambda g: g.append({"code": "g1"})),
                     content_type="application/json", headers={"Origin": ORIGIN})
    problems = bad.get_json()["problems"]
    assert bad.status_code == 422 and {(p["kind"], p["row"], p["column"], p["code"]) for p in problems} >= {
        ("groups", 11, "name_vi", "missing_value"), ("groups", 11, "code", "bad_code")}
    assert admin.get("/api/v1/metadata/export").data == res.data

    done = admin.post("/api/v1/metadata/import", data={"file": (xlsx_of(package(indicators=_rename)), "cau-hinh.xlsx")},
                      content_type="multipart/form-data", headers={"Origin": ORIGIN})
    assert done.status_code == 200 and done.get_json()["applied"], done.get_json()["problems"][:3]
    history = admin.get("/api/v1/metadata/indicators/CPI_YOY/history").get_json()["versions"]
    assert [v["version"] for v in history] == [1, 2] and history[1]["actor"] == "t.admin"
    assert history[1]["channel"] == "api" and history[1]["after"]["name_en"] == "Consumer prices, year on year"
    with engine.connect() as conn:
        entry = conn.execute(select(schema.audit_log).where(schema.audit_log.c.action == "metadata.import")
                             .order_by(schema.audit_log.c.id.desc())).first()
    assert entry.actor == "t.admin" and entry.role == "admin" and entry.ip == "127.0.0.1"
    changed = next(r for r in json.loads(entry.detail)["records"] if r["key"] == "CPI_YOY")
    assert changed["before"]["name_en"] != changed["after"]["name_en"]

    analyst = client(server, cookies, "analyst")
    for method, url in (("GET", "/api/v1/metadata/export"), ("POST", "/api/v1/metadata/import"),
                        ("GET", "/api/v1/metadata/indicators/CPI_YOY/history")):
        assert analyst.open(url, method=method, headers={"Origin": ORIGIN}).status_code == 403
        assert server.test_client().open(url, method=method, headers={"Origin": ORIGIN}).status_code == 401


def xlsx_of(payload: bytes):
    import io

    from metadata.package import xlsx_bytes

    return io.BytesIO(xlsx_bytes(json.loads(payload)))


def test_mda002_a_units_token_cannot_touch_the_configuration(env):
    from auth.tokens import create_token

    server, engine, _ = env
    token, _ = create_token(engine, "TK")
    c = server.test_client()
    for method, url in (("GET", "/api/v1/metadata/export"), ("POST", "/api/v1/metadata/import?dry_run=1")):
        res = c.open(url, method=method, data=package(), content_type="application/json",
                     headers={"Authorization": f"Bearer {token}"})
        assert res.status_code == 403, (url, res.status_code)


def test_mda006_an_admins_token_opens_the_configuration_api_and_nothing_else(env):
    """A machine moving a package from staging to production: an admin's bearer token (no session,
    no Origin) exports and imports; it opens no other route; it stops with its revocation or when
    its user is no longer an admin; only an active admin gets one."""
    from auth.admin_tokens import create_admin_token, revoke_admin_token
    from auth.tokens import TokenError
    from auth.users import update_user

    server, engine, _ = env
    token, info = create_admin_token(engine, "t.admin", days=1, label="staging")
    with pytest.raises(TokenError):
        create_admin_token(engine, "t.analyst")
    c = server.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    exported = c.get("/api/v1/metadata/export", headers=bearer)
    assert exported.status_code == 200 and json.loads(exported.data)["format"] == "occ-metadata"
    done = c.post("/api/v1/metadata/import", data=package(indicators=_rename), content_type="application/json",
                  headers=bearer)
    assert done.status_code == 200 and done.get_json()["applied"]
    history = c.get("/api/v1/metadata/indicators/CPI_YOY/history", headers=bearer).get_json()["versions"]
    assert history[-1]["actor"] == f"admin-token:{info.id}:t.admin"
    for url in ("/api/v1/observations?indicator=CPI_YOY", "/api/v1/indicators", "/api/v1/submissions/1"):
        assert c.get(url, headers=bearer).status_code == 403, url
    assert c.get("/admin/users", headers=bearer).status_code == 302  # no page either: not signed in
    update_user(engine, "t.admin", role="analyst", actor="test")
    assert c.get("/api/v1/metadata/export", headers=bearer).status_code == 401
    update_user(engine, "t.admin", role="admin", actor="test")
    assert c.get("/api/v1/metadata/export", headers=bearer).status_code == 200
    revoke_admin_token(engine, info.id)
    assert c.get("/api/v1/metadata/export", headers=bearer).status_code == 401


def test_mda003_the_openapi_document_declares_the_routes(env):
    server, _, cookies = env
    doc = client(server, cookies, "admin").get("/api/v1/openapi.json").get_json()
    for path, method in (("/api/v1/metadata/export", "get"), ("/api/v1/metadata/import", "post"),
                         ("/api/v1/metadata/{kind}/{key}/history", "get")):
        operation = doc["paths"][path][method]
        assert {"401", "403", "503"} <= set(operation["responses"]), path
    assert "MetadataOutcome" in doc["components"]["schemas"]


def _name_en(server, code):
    from flask import g

    from data_access.catalogue import get_indicator

    with server.test_request_context("/"):
        g.occ_clearance = "all"
        return get_indicator(code).name_en


def _targets(server, code):
    from data_access.kpis import indicator_targets

    with server.test_request_context("/"):
        return indicator_targets(code, "VN")[["year", "value", "comparison"]].values.tolist()


def test_mda004_a_change_shows_on_the_next_refresh_and_stamps_what_it_changed(env):
    server, engine, _ = env
    actor = service.Actor("t.admin", "admin", None, "page")
    assert _name_en(server, "CPI_YOY") == "Consumer price index (CPI), year-on-year change"
    assert _targets(server, "CPI_YOY") == [] and _targets(server, "EXPORTS") == []
    with engine.connect() as conn:
        v0, _ = get_stamps(conn)

    renamed = service.update(engine, "indicators", "CPI_YOY", {"name_en": "Consumer prices"}, actor=actor)
    assert renamed.applied and renamed.data_version == v0 + 1
    assert _name_en(server, "CPI_YOY") == "Consumer prices"  # the catalogue: every entry invalidated
    with engine.connect() as conn:
        assert get_stamps(conn)[1]["*"] == v0 + 1

    made = service.create(engine, "targets", {"indicator": "CPI_YOY", "area": "VN", "year": 2026,
                                              "comparison": "range", "value": 3.0, "value_max": 4.5},
                          actor=actor)
    assert made.applied
    with engine.connect() as conn:
        version, stamps = get_stamps(conn)
    assert version == v0 + 2 and stamps["i:CPI_YOY"] == v0 + 2 and stamps["*"] == v0 + 1  # its indicator only
    assert _targets(server, "CPI_YOY") == [[2026, 3.0, "range"]]

    retired = service.retire(engine, "targets", "CPI_YOY|VN|2026", actor=actor)
    assert retired.applied and retired.diff.retired["targets"] == ["CPI_YOY|VN|2026"]
    assert _targets(server, "CPI_YOY") == []  # kept, with its history, but no longer shown
    assert [v["action"] for v in service.history(engine, "targets", "CPI_YOY|VN|2026")] == ["create", "retire"]
    with engine.connect() as conn:
        actions = [r.action for r in conn.execute(select(schema.audit_log.c.action).where(
            schema.audit_log.c.actor == "t.admin").order_by(schema.audit_log.c.id))]
        entry = conn.execute(select(schema.audit_log.c.detail).where(
            schema.audit_log.c.action == "metadata.update")).scalar()
    assert actions == ["metadata.update", "metadata.create", "metadata.retire"]
    record = json.loads(entry)["records"][0]
    assert record["before"]["name_en"] != record["after"]["name_en"] == "Consumer prices"


def test_mda005_replace_retires_the_old_record_and_creates_the_new_in_one_change(env):
    server, engine, _ = env
    actor = service.Actor("t.admin", "admin", None, "cli")
    old = next(r for r in json.loads(DEMO_PACKAGE.read_bytes())["units"] if r["code"] == "BYT")
    outcome = service.replace(engine, "units", "BYT", {**old, "code": "BYTE", "name_en": "Ministry of Health (new)"},
                              actor=actor)
    assert not outcome.ok  # BYT still receives nothing but is responsible for active indicators
    assert {p.code for p in outcome.problems} == {"retired_reference"}
    group = {"code": "G11", "name_vi": "Nhóm mới", "name_en": "New group", "sort": 110}
    assert service.create(engine, "groups", group, actor=actor).applied
    swapped = service.replace(engine, "groups", "G11", {**group, "code": "G12"}, actor=actor)
    assert swapped.applied and swapped.diff.added["groups"] == ["G12"] and swapped.diff.retired["groups"] == ["G11"]
    assert {v["change_set"] for k in ("G11", "G12") for v in service.history(engine, "groups", k)
            if v["action"] != "create" or k == "G12"} == {swapped.change_set}


def test_mdc001_the_command_line(env, tmp_path):
    server, engine, _ = env
    runner = server.test_cli_runner()
    for command in ("export", "import", "history", "retire"):
        helped = runner.invoke(args=["metadata", command, "--help"])
        assert helped.exit_code == 0 and "Usage:" in helped.output and len(helped.output) > 200, command
    out = tmp_path / "cau-hinh.json"
    assert runner.invoke(args=["metadata", "export", "-o", str(out)]).exit_code == 0
    assert json.loads(out.read_bytes())["indicators"][0]["code"] == "ACTIVE_ENTERPRISES"

    changed = tmp_path / "changed.json"
    changed.write_bytes(package(indicators=_rename))
    dry = runner.invoke(args=["metadata", "import", "--dry-run", str(changed)])
    assert dry.exit_code == 0 and "DRY RUN" in dry.output and "targets     added   1166" in dry.output
    bad = tmp_path / "bad.json"
    bad.write_bytes(package(regimes=lambda rs: rs[0].update(deadline_day=5)))
    refused = runner.invoke(args=["metadata", "import", str(bad)])
    assert refused.exit_code == 1 and "REFUSED" in refused.output and "deadline_day" in refused.output
    assert "Hạn gửi báo cáo" in refused.output and "must come after the data cut-off" in refused.output
    applied = runner.invoke(args=["metadata", "import", "--by", "t.operator", str(changed)])
    assert applied.exit_code == 0 and "APPLIED" in applied.output
    again = runner.invoke(args=["metadata", "import", str(changed)])
    assert again.exit_code == 0 and "NO CHANGE" in again.output
    history = runner.invoke(args=["metadata", "history", "indicators", "CPI_YOY"])
    versions = [json.loads(line) for line in history.output.splitlines()]
    assert [v["version"] for v in versions] == [1, 2] and versions[1]["actor"] == "t.operator"
    retired = runner.invoke(args=["metadata", "retire", "indicators", "CPI_YOY"])
    assert retired.exit_code == 1 and "retired_reference" not in retired.output and "UBND-M" in retired.output


def test_mda007_retired_records_take_no_new_data_and_leave_the_calendar(env, tmp_path):
    """Retire-and-replace in practice: an indicator taken out of its regime and retired is no longer
    accepted by the intake (its history stays); a retired regime leaves the compliance calendar."""
    from data_access.compliance import reporting_calendar
    from tests.conftest import csv_bytes, send

    server, engine, _ = env
    actor = service.Actor("t.admin", "admin", None, "cli")
    row = "GDP_FLASH,VN,2025Q3,6.1"
    assert send(engine, tmp_path, "TK", csv_bytes(row)).status == "accepted"
    doc = json.loads(DEMO_PACKAGE.read_bytes())
    regime = next(r for r in doc["regimes"] if r["code"] == "TK-Q")
    regime["indicators"].remove("GDP_FLASH")
    flash = next(i for i in doc["indicators"] if i["code"] == "GDP_FLASH")
    flash["status"] = "retired"
    health = next(r for r in doc["regimes"] if r["code"] == "BYT-Y")
    health["status"] = "retired"
    from metadata.package import from_records

    outcome = service.apply(engine, from_records({"regimes": [regime, health], "indicators": [flash]}), actor=actor)
    assert outcome.applied, outcome.problems[:3]
    refused = send(engine, tmp_path, "TK", csv_bytes("GDP_FLASH,VN,2025Q4,6.3"))
    assert refused.status == "rejected" and [e.code for e in refused.errors] == ["indicator_retired"]
    with server.test_request_context("/"):
        regimes = set(reporting_calendar(today=date(2026, 11, 26))["regime_code"])
    assert "BYT-Y" not in regimes and "TK-Q" in regimes
    with engine.connect() as conn:  # the history of the retired indicator stays
        kept = conn.execute(select(schema.observation.c.value).join(
            schema.indicator, schema.indicator.c.id == schema.observation.c.indicator_id).where(
            schema.indicator.c.code == "GDP_FLASH")).scalars().all()
    assert kept == [6.1]
