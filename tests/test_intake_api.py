"""Issue 5: the HTTP API and the CLI over the intake — tokens (refused when expired, revoked, or
used for another unit), submissions, reads, the XLSX template round trip, the OpenAPI document.
Both backends."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta

import pytest
from openapi_spec_validator import validate as validate_openapi
from openpyxl import load_workbook

from app import create_app
from auth.tokens import create_token
from tests.conftest import BACKENDS, counts, csv_bytes, current_value, make_settings, module_warehouse


@pytest.fixture(scope="module", params=BACKENDS)
def env(request, databases, tmp_path_factory):
    url, tmp, engine = module_warehouse(request, databases, tmp_path_factory)
    app = create_app(make_settings(url, tmp))
    yield app, engine, tmp, url
    app.extensions["warehouse"].dispose()
    engine.dispose()


def _cli_token(app, unit: str, *extra: str) -> tuple[str, int]:
    result = app.test_cli_runner().invoke(args=["create-token", "--unit", unit, *extra])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    token_id = int(re.search(r"Token (\d+) for unit", result.output).group(1))
    assert token.startswith("occ_") and len(token) >= 40
    return token, token_id


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_int301_token_submit_and_read(env):
    app, engine, tmp, _ = env
    token, token_id = _cli_token(app, "UB01", "--days", "30", "--label", "Hệ thống Hà Nội")
    listing = app.test_cli_runner().invoke(args=["list-tokens", "--unit", "UB01"]).output
    assert re.search(rf"^\s*{token_id}\s+UB01\s+active\b", listing, re.M) and token not in listing
    client = app.test_client()
    before = counts(engine)
    body = {"unit": "UB01", "observations": [
        {"indicator_code": "RETAIL_SALES", "area_code": "01", "period": "202510", "value": 31.9, "status": "P"},
        {"indicator_code": "NEW_ENTERPRISES", "area_code": "01", "period": "202510", "value": "1.234,0"}]}
    res = client.post("/api/v1/submissions", json=body, headers=_auth(token))
    assert res.status_code == 201, res.json
    report = res.json
    assert report["status"] == "accepted" and report["unit"] == "UB01" and report["channel"] == "api"
    assert report["counts"]["written"] == 2 and report["errors"] == [] and report["periods"] == ["202510"]
    assert res.headers["Location"] == f"/api/v1/submissions/{report['submission_id']}"
    assert counts(engine)["data_version"] == before["data_version"] + 1
    assert current_value(engine, "NEW_ENTERPRISES", "01", "202510").value == 1234.0
    again = client.post("/api/v1/submissions", json=body, headers=_auth(token))
    assert again.status_code == 200 and again.json["status"] == "duplicate"
    assert again.json["submission_id"] == report["submission_id"]
    got = client.get(f"/api/v1/submissions/{report['submission_id']}", headers=_auth(token))
    assert got.status_code == 200 and got.json["status"] == "accepted" and got.json["counts"]["written"] == 2
    assert got.json["regime"] == "UBND-M" and got.json["period"] == "202510"
    anonymous = client.get(f"/api/v1/submissions/{report['submission_id']}")  # require_reader() lets all in, for now
    assert anonymous.status_code == 200
    assert client.get("/api/v1/submissions/999999").status_code == 404
    rejected = client.post("/api/v1/submissions", json={"observations": [
        {"indicator_code": "RETAIL_SALES", "area_code": "01", "period": "202510", "value": "12,345"}]},
        headers=_auth(token))
    assert rejected.status_code == 422
    assert [(e["code"], e["row"], e["column"]) for e in rejected.json["errors"]] == [("ambiguous_number", 1, "value")]
    assert rejected.json["errors"][0]["message_vi"] and rejected.json["errors"][0]["message_en"]


def test_int302_a_units_token_is_refused_for_other_units(env):
    app, engine, tmp, _ = env
    hanoi, _ = _cli_token(app, "UB01")
    stats, _ = _cli_token(app, "TK")
    client = app.test_client()
    before = counts(engine)
    other_province = client.post("/api/v1/submissions", headers=_auth(hanoi), json={"observations": [
        {"indicator_code": "RETAIL_SALES", "area_code": "79", "period": "202510", "value": 55}]})
    assert other_province.status_code == 422
    assert [(e["code"], e["column"]) for e in other_province.json["errors"]] == [("not_responsible", "area_code")]
    national = client.post("/api/v1/submissions", headers=_auth(hanoi),
                           data=csv_bytes("CPI_YOY,VN,202510,3.3"), content_type="text/csv")
    assert national.status_code == 422 and national.json["errors"][0]["code"] == "not_responsible"
    as_other = client.post("/api/v1/submissions", headers=_auth(hanoi), json={"unit": "UB79", "observations": [
        {"indicator_code": "RETAIL_SALES", "area_code": "79", "period": "202510", "value": 55}]})
    assert as_other.status_code == 403 and as_other.json["error"]["code"] == "unit_mismatch"
    assert as_other.json["error"]["message_vi"] and as_other.json["error"]["message_en"]
    assert counts(engine) == before
    tk = client.post("/api/v1/submissions", headers=_auth(stats), data=csv_bytes("CPI_YOY,VN,202509,3.2"),
                     content_type="text/csv")
    assert tk.status_code == 201
    peek = client.get(f"/api/v1/submissions/{tk.json['submission_id']}", headers=_auth(hanoi))
    assert peek.status_code == 403 and peek.json["error"]["code"] == "forbidden"
    assert client.get(f"/api/v1/submissions/{tk.json['submission_id']}", headers=_auth(stats)).status_code == 200


def test_int303_expired_revoked_and_missing_tokens(env):
    app, engine, tmp, _ = env
    client = app.test_client()
    expired, _ = create_token(engine, "UB01", days=1, now=datetime.now() - timedelta(days=2))
    res = client.post("/api/v1/submissions", json={"observations": []}, headers=_auth(expired))
    assert res.status_code == 401 and res.json["error"]["code"] == "expired_token"
    assert res.headers["WWW-Authenticate"].startswith("Bearer")
    token, token_id = _cli_token(app, "UB01")
    body = {"observations": [{"indicator_code": "RETAIL_SALES", "area_code": "01", "period": "202508", "value": 30.1}]}
    assert client.post("/api/v1/submissions", json=body, headers=_auth(token)).status_code == 201
    revoked = app.test_cli_runner().invoke(args=["revoke-token", str(token_id)])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    res = client.post("/api/v1/submissions", json=body, headers=_auth(token))
    assert res.status_code == 401 and res.json["error"]["code"] == "revoked_token"
    assert client.get("/api/v1/indicators", headers=_auth(token)).status_code == 401  # a bad token is never ignored
    listing = app.test_cli_runner().invoke(args=["list-tokens"]).output
    assert re.search(rf"^\s*{token_id}\s+UB01\s+revoked\b", listing, re.M)
    assert client.post("/api/v1/submissions", json=body).json["error"]["code"] == "missing_token"
    assert client.post("/api/v1/submissions", json=body, headers={"Authorization": "Basic eDp5"}).status_code == 401
    assert client.post("/api/v1/submissions", json=body, headers=_auth("occ_" + "x" * 43)).json["error"]["code"] == \
        "invalid_token"
    assert app.test_cli_runner().invoke(args=["revoke-token", "999999"]).exit_code != 0
    assert app.test_cli_runner().invoke(args=["create-token", "--unit", "NOBODY"]).exit_code != 0


def test_int304_xlsx_template_round_trip(env):
    app, engine, tmp, _ = env
    client = app.test_client()
    res = client.get("/api/v1/templates/UB01/202507.xlsx")
    assert res.status_code == 200 and res.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(res.data))
    assert wb.sheetnames == ["Dữ liệu", "Hướng dẫn", "_lists"]
    data, lists = wb["Dữ liệu"], wb["_lists"]
    assert lists.sheet_state == "hidden" and lists.protection.sheet
    assert data.freeze_panes == "A2"
    kinds = {dv.type: str(dv.sqref) for dv in data.data_validations.dataValidation}
    assert kinds["decimal"].startswith("F2:F") and kinds["list"].startswith("G2:G")
    readme = " ".join(str(c.value) for c in wb["Hướng dẫn"]["A"] if c.value)
    assert "Hạn gửi báo cáo: 25/07/2025" in readme and "UB01" in readme
    rows = list(data.iter_rows(min_row=2, values_only=True))
    header = [c.value for c in data[1]]
    assert header[:3] == ["indicator_code", "area_code", "period"] and header[5] == "value"
    codes = [r[0] for r in rows]
    assert "RETAIL_SALES" in codes and "CPI_YOY" in codes and all(r[1] == "01" and r[2] == "202507" for r in rows)
    assert len(codes) == len(set(codes)) >= 20
    filled = {}
    for i, row in enumerate(data.iter_rows(min_row=2)):
        if i % 2 == 0:
            row[5].value = 100.0 + i
            filled[row[0].value] = 100.0 + i
        if i == 2:
            row[5].value = "1.234,5"  # typed as text, Vietnamese style
            filled[row[0].value] = 1234.5
            row[6].value = "P"
    buf = io.BytesIO()
    wb.save(buf)
    token, _ = _cli_token(app, "UB01")
    up = client.post("/api/v1/submissions", headers=_auth(token),
                     data={"file": (io.BytesIO(buf.getvalue()), "bieu-mau-UB01-202507.xlsx")},
                     content_type="multipart/form-data")
    assert up.status_code == 201, up.json
    report = up.json
    assert report["format"] == "xlsx" and report["counts"]["valid"] == len(filled)
    assert report["counts"]["not_reported"] == len(rows) - len(filled) == report["notes_total"]
    assert report["regimes"] == ["UBND-M"] and report["periods"] == ["202507"]
    for code, value in filled.items():
        assert current_value(engine, code, "01", "202507").value == pytest.approx(value)
    again = client.post("/api/v1/submissions", headers=_auth(token),
                        data={"file": (io.BytesIO(buf.getvalue()), "copy.xlsx")}, content_type="multipart/form-data")
    assert again.status_code == 200 and again.json["status"] == "duplicate"
    national = client.get("/api/v1/templates/TK/2025Q3.xlsx")
    ws = load_workbook(io.BytesIO(national.data))["Dữ liệu"]
    assert {r[1] for r in ws.iter_rows(min_row=2, values_only=True)} == {"VN"}
    assert client.get("/api/v1/templates/UB08-63/202510.xlsx").json["error"]["code"] == "unit_not_valid"
    assert client.get("/api/v1/templates/NOBODY/202510.xlsx").status_code == 404
    assert client.get("/api/v1/templates/UB01/2025-13.xlsx").status_code == 400
    assert client.get("/api/v1/templates/UB01/2025-07-14.xlsx").json["error"]["code"] == "nothing_owed"


def test_int305_reading_endpoints(env):
    app, engine, tmp, _ = env
    client = app.test_client()
    g01 = client.get("/api/v1/indicators?group=G01").json
    assert g01["count"] == len(g01["indicators"]) > 5 and {i["group_code"] for i in g01["indicators"]} == {"G01"}
    assert "GDP_FLASH" not in {i["code"] for i in g01["indicators"]}  # confidential: hidden from the public
    found = client.get("/api/v1/indicators", query_string={"q": "ty le that nghiep"}).json
    assert "UNEMPLOYMENT" in {i["code"] for i in found["indicators"]}
    assert client.get("/api/v1/indicators?group=G99").status_code == 400
    obs = client.get("/api/v1/observations?indicator=RETAIL_SALES&area=VN&from=202501&to=202503").json
    assert [o["period"] for o in obs["observations"]] == ["202501", "202502", "202503"]
    assert obs["observations"][0]["value"] == pytest.approx(270.0 + 1.5 * 15 + 2.0 * (-1) ** 15)
    both_eras = client.get("/api/v1/observations?indicator=RETAIL_SALES&area=01").json
    assert {o["area_key"] for o in both_eras["observations"]} == {"01"}
    for query, fragment in [("", "indicator"), ("indicator=NOPE", "NOPE"), ("indicator=CPI_YOY&from=2025-13", "from"),
                            ("indicator=CPI_YOY&to=2025Q3", "periodicity"), ("indicator=CPI_YOY&area=99", "99"),
                            ("indicator=CPI_YOY&from=202509&to=202501", "after"), ("indicator=GDP_FLASH", "GDP_FLASH")]:
        res = client.get(f"/api/v1/observations?{query}")
        assert res.status_code == 400, query
        assert res.json["error"]["code"] == "bad_parameter" and fragment in res.json["error"]["message_en"], query


def _flask_path_to_openapi(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def test_int306_openapi_document_validates_and_lists_every_route(env):
    app, *_ = env
    res = app.test_client().get("/api/v1/openapi.json")
    doc = res.json
    validate_openapi(doc)
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            methods = {m.lower() for m in rule.methods} - {"head", "options"}
            routes.setdefault(_flask_path_to_openapi(rule.rule), set()).update(methods)
    assert set(doc["paths"]) == set(routes)
    for path, methods in routes.items():
        assert set(doc["paths"][path]) == methods, path
    schemas = doc["components"]["schemas"]
    from ingest.pipeline import SubmissionReport

    assert set(schemas["SubmissionReport"]["properties"]) >= set(
        SubmissionReport("accepted", "X", "api", None, "s", datetime.now()).as_dict())


def test_int307_cli_ingest(env, tmp_path):
    app, engine, tmp, _ = env
    runner = app.test_cli_runner()
    good = tmp_path / "ok.csv"
    good.write_bytes(csv_bytes("EXPORTS,VN,202506,37.25", "IMPORTS,VN,202506,\"36,5\""))
    result = runner.invoke(args=["ingest", str(good), "--unit", "TK"])
    assert result.exit_code == 0, result.output
    assert "ACCEPTED" in result.output and "written 2" in result.output
    again = runner.invoke(args=["ingest", str(good), "--unit", "TK"])
    assert again.exit_code == 0 and "DUPLICATE" in again.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("EXPORTS,VN,202505,37.25", "EXPORTS,XX,202505,1.234"))
    result = runner.invoke(args=["ingest", str(bad), "--unit", "TK"])
    assert result.exit_code == 1 and "REJECTED" in result.output
    lines = [ln for ln in result.output.splitlines() if "unknown_area" in ln or "ambiguous_number" in ln]
    assert len(lines) == 2 and all(re.match(r"^\s+3\s+(area_code|value)\s", ln) for ln in lines)
    assert "is not in the catalogue" in result.output and "không có trong danh mục" in result.output
    for command in ("ingest", "create-token", "revoke-token", "list-tokens"):
        assert runner.invoke(args=[command, "--help"]).exit_code == 0


def test_int308_request_shapes(env, databases, tmp_path):
    app, engine, tmp, url = env
    token, _ = _cli_token(app, "TK")
    client = app.test_client()
    assert client.post("/api/v1/submissions", data="x", content_type="application/octet-stream",
                       headers=_auth(token)).status_code == 415
    assert client.post("/api/v1/submissions", data={"other": "x"}, content_type="multipart/form-data",
                       headers=_auth(token)).json["error"]["code"] == "missing_file"
    small = create_app(make_settings(url, tmp_path, extra={"intake_max_bytes": 100}))
    try:
        res = small.test_client().post("/api/v1/submissions", headers=_auth(token), data=b"x" * (2 * 1024 * 1024),
                                       content_type="text/csv")
        assert res.status_code == 413 and res.json["error"]["code"] == "file_too_large"
        res = small.test_client().post("/api/v1/submissions", headers=_auth(token), content_type="text/csv",
                                       data=csv_bytes(*[f"EXPORTS,VN,2024{m:02d},{30 + m}.5" for m in range(1, 13)]))
        assert res.status_code == 422 and res.json["errors"][0]["code"] == "file_too_large"
    finally:
        small.extensions["warehouse"].dispose()
    sdmx = csv_bytes("DF,EXPORTS,VN,202504,38.5", header="DATAFLOW,INDICATOR,REF_AREA,TIME_PERIOD,OBS_VALUE")
    res = client.post("/api/v1/submissions", headers=_auth(token),
                      data={"file": (io.BytesIO(sdmx), "sdmx.csv")}, content_type="multipart/form-data")
    assert res.status_code == 201 and res.json["filename"] == "sdmx.csv"
    body = json.dumps({"observations": [{"indicator_code": "EXPORTS", "area_code": "VN", "period": "202503",
                                         "value": 39.5}]})
    res = client.post("/api/v1/submissions", headers=_auth(token), data=body, content_type="application/json")
    assert res.status_code == 201 and res.json["format"] == "json"
