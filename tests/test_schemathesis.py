"""Issue 9: Schemathesis against the OpenAPI document at ``/api/v1/openapi.json`` (in process, on a
small warehouse of its own per backend, access control on, a unit's bearer token on every call).

Every response must be a documented status with a JSON body (strict JSON: no NaN or Infinity) that
matches its documented schema (the XLSX template excepted), never a 5xx; with the warehouse
unreachable, the same holds (503 is documented on every route that needs the warehouse). A bounded
number of examples per operation. The warehouse holds a value flagged implausible among unflagged
ones, so that the reads serve both; the documented parameter examples lead the fuzzer to them.
"""

from __future__ import annotations

import io
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import BACKENDS, make_settings

EXAMPLES = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@schemathesis.check
def json_body(ctx, response, case):
    """A JSON body on every answer (the template's XLSX on its 200, and the bodiless answers to
    OPTIONS and HEAD, excepted)."""
    if response.request.method in ("OPTIONS", "HEAD"):
        return
    if response.status_code == 200 and case.operation.path.endswith(".xlsx"):
        assert (response.headers.get("content-type") or [""])[0].startswith(XLSX)
        return
    try:
        json.loads(response.text, parse_constant=_not_json)
    except ValueError as exc:
        raise AssertionError(f"{response.status_code} without a JSON body: {exc}: {response.text[:200]!r}") from exc


def _not_json(name: str):
    raise ValueError(f"{name} is not JSON")


@schemathesis.check
def no_500(ctx, response, case):
    """The warehouse away: 503 (documented, with Retry-After) is the answer; anything else 5xx is a bug."""
    assert response.status_code < 500 or response.status_code == 503, f"{response.status_code}: {response.text[:200]}"
    if response.status_code == 503 and case.operation.path not in ("/api/v1/health",):
        assert response.headers.get("retry-after"), "503 without Retry-After"  # headers: lower-case keys


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          json_body]
OUTAGE_CHECKS = [no_500, status_code_conformance, content_type_conformance, response_schema_conformance, json_body]


@pytest.fixture(scope="module", params=BACKENDS)
def api_app(request, databases, tmp_path_factory):
    from app import create_app
    from auth.tokens import create_token
    from tests.conftest import _require_pg, build_warehouse, csv_bytes, send

    if request.param == "postgresql":
        _require_pg()
    url = databases.new(request.param)
    tmp = tmp_path_factory.mktemp(f"schemathesis-{request.param}")
    engine = build_warehouse(url, tmp)
    flagged = send(engine, tmp, "UB01", csv_bytes("RETAIL_SALES,01,202510,900"))
    assert flagged.accepted and flagged.counts["flagged"] == 1, flagged.as_dict()
    engine.dispose()
    server = create_app(make_settings(url, tmp, auth_required=True))
    token, _ = create_token(server.extensions["warehouse"].engine, "UB01", days=1)
    # plain answers: the test client does not decompress (compression: tests/test_delivery.py)
    yield server, {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    server.extensions["warehouse"].dispose()


def _document() -> dict:
    from api.intake import openapi_document

    return openapi_document()


# The document as the route serves it (test_sch000 checks they are the same); loaded at import, as
# Schemathesis' fixture-based loader does not work with this pytest.
schema = schemathesis.openapi.from_dict(_document())


def test_sch000_the_served_document(api_app):
    server, auth = api_app
    res = server.test_client().get("/api/v1/openapi.json", headers=auth)
    assert res.status_code == 200 and res.json == _document()


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
def test_sch001_documented_json_answers_never_5xx(case, api_app):
    server, auth = api_app
    response = case.call(app=server, headers=auth)
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
def test_sch002_warehouse_unreachable(case, api_app):
    """The warehouse away: 503 where it is needed (documented), JSON, never a 500."""
    from tests.test_resilience import _break, _restore

    server, auth = api_app
    _break(server)
    try:
        response = case.call(app=server, headers=auth)
    finally:
        _restore(server)
    case.validate_response(response, checks=OUTAGE_CHECKS)


def _obs_json(value: str, **text: str) -> bytes:
    fields = {"indicator_code": '"RETAIL_SALES"', "area_code": '"01"', "period": '"202509"', **text}
    return ('{"observations": [{' + ", ".join(f'"{k}": {v}' for k, v in fields.items())
            + f', "value": {value}}}]}}').encode()


BIG = "1" + "0" * 400  # beyond a double (1e400)
HOSTILE = {  # found by probing the intake beyond the generated cases; each answered 500 before
    "nested_too_deeply": ("application/json", b"[" * 100_000 + b"]" * 100_000, "unreadable_file"),
    "int_of_5000_digits": ("application/json", _obs_json("1" + "0" * 5000), "unreadable_file"),
    "int_beyond_a_double": ("application/json", _obs_json(BIG), "bad_number"),
    "text_beyond_a_double": ("application/json", _obs_json(f'"{BIG}"'), "bad_number"),
    "csv_beyond_a_double": ("text/csv", f"indicator_code,area_code,period,value\nRETAIL_SALES,01,202509,{BIG}\n".encode(),
                            "bad_number"),
    "nul_escape": ("application/json", _obs_json("1", note='"a\\u0000b"'), "unreadable_file"),
    "lone_surrogate": ("application/json", _obs_json("1", indicator_code='"\\ud800"'), "unreadable_file"),
    "nul_in_daily_item": ("application/json", b'{"daily_items": [{"date": "2025-10-01", "category": "x", '
                                              b'"severity": "info", "title": "\\u0000"}]}', "unreadable_file"),
}


def _strict_json(res) -> dict:
    return json.loads(res.get_data(as_text=True), parse_constant=_not_json)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_sch003_hostile_bodies_rejected_not_500(api_app, name):
    """Rejected (422, with the reason), documented, nothing written; never a 500."""
    server, auth = api_app
    ctype, body, code = HOSTILE[name]
    res = server.test_client().post("/api/v1/submissions", data=body, content_type=ctype, headers=auth)
    assert res.status_code == 422, res.get_data()[:300]
    report = _strict_json(res)
    assert [e["code"] for e in report["errors"]] == [code] and report["counts"].get("written", 0) == 0
    schema["/api/v1/submissions"]["POST"].validate_response(res)


def test_sch004_names_and_ids_out_of_range(api_app):
    """A file name with control characters is recorded with U+FFFD in their place (PostgreSQL
    cannot store NUL); a submission id beyond BIGINT is simply not found."""
    server, auth = api_app
    client = server.test_client()
    payload = b"indicator_code,area_code,period,value\nNO_SUCH,01,202509,1\n"
    res = client.post("/api/v1/submissions", data={"file": (io.BytesIO(payload), "a\x00b.csv")},
                      content_type="multipart/form-data", headers=auth)
    assert res.status_code == 422 and _strict_json(res)["filename"] == "a\ufffdb.csv"
    res = client.post("/api/v1/submissions?filename=%00.csv", data=payload, content_type="text/csv", headers=auth)
    assert res.status_code == 422 and _strict_json(res)["filename"] == "\ufffd.csv"
    for sid in (2**63 - 1, 2**63, 10**30):
        res = client.get(f"/api/v1/submissions/{sid}", headers=auth)
        assert res.status_code == 404 and _strict_json(res)["error"]["code"] == "not_found"
        schema["/api/v1/submissions/{submission_id}"]["GET"].validate_response(res)
