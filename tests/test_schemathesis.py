"""Issue 9: Schemathesis against the OpenAPI document at ``/api/v1/openapi.json`` (in process, on a
small warehouse of its own per backend, access control on, a unit's bearer token on every call).

Every response must be a documented status with a JSON body that matches its documented schema
(the XLSX template excepted), never a 5xx; with the warehouse unreachable, the same holds (503 is
documented on every route that needs the warehouse). A bounded number of examples per operation.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import BACKENDS, make_settings  # noqa: E402

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
        response.json()
    except ValueError as exc:
        raise AssertionError(f"{response.status_code} without a JSON body: {response.text[:200]!r}") from exc


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
    from ingest.tokens import create_token
    from tests.conftest import _require_pg
    from tests.test_intake_fixtures import build_warehouse

    if request.param == "postgresql":
        _require_pg()
    url = databases.new(request.param)
    tmp = tmp_path_factory.mktemp(f"schemathesis-{request.param}")
    build_warehouse(url, tmp).dispose()
    server = create_app(make_settings(url, tmp, auth_required=True))
    token, _ = create_token(server.extensions["warehouse"].engine, "UB01", days=1)
    yield server, {"Authorization": f"Bearer {token}"}
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
