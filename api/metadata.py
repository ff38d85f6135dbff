"""Metadata routes on ``/api/v1/metadata``: the configuration package out and in, and a record's
history. Admins only (``auth.policy``): a signed-in admin, or a machine with an admin's bearer token
(``flask --app app create-admin-token``, :mod:`auth.admin_tokens`), which opens these routes and no
other; a unit's token and every other role are refused by the request guard. A thin shell over :mod:`metadata` (export, service) and
:func:`ingest.metadata_files.import_package` (the upload read within the intake's limits), as the
command line is.

* ``GET /metadata/export?format=json|xlsx`` — the whole configuration: canonical JSON (byte-stable)
  or the XLSX workbook for people.
* ``POST /metadata/import?dry_run=true&retire_absent=true`` — a package (JSON body, an XLSX body, or either as the
  multipart field ``file``): 200 with the outcome (the diff: added, changed, retired per kind;
  ``applied``), 422 with every problem (kind, row, key, column, value, reason in both languages)
  and nothing applied.
* ``GET /metadata/<kind>/<key>/history`` — every version of one record (before and after).
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, request

from api import api_v1
from api.intake import ApiError, _error_response, _param, uploaded
from data_access.engine import current_warehouse
from domain.metadata import KINDS
from ingest.metadata_files import import_package
from ingest.pipeline import IntakeLimits
from metadata import service, store
from metadata.package import document, json_bytes, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TRUE = ("1", "true", "yes", "on")


def _actor() -> service.Actor:
    from auth.guard import current_principal

    principal = current_principal()
    return service.Actor(principal.name if principal else "anonymous", principal.role if principal else None,
                         request.remote_addr, "api")


@api_v1.get("/metadata/export")
def export_metadata():
    """The whole configuration as one package file."""
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "xlsx"):
        raise ApiError(400, "bad_parameter", "Tham số format phải là json hoặc xlsx.", "format must be json or xlsx.")
    with current_warehouse().engine.connect() as conn:
        doc = document(store.read_config(conn))
    if fmt == "xlsx":
        res = Response(xlsx_bytes(doc), mimetype=XLSX)
    else:
        res = Response(json_bytes(doc), mimetype="application/json")
    res.headers["Content-Disposition"] = f'attachment; filename="cau-hinh.{fmt}"'
    res.headers["Cache-Control"] = "no-store"
    return res


@api_v1.post("/metadata/import")
def import_metadata():
    """Validate a package, then apply all of it in one transaction or nothing (``dry_run``: only
    the diff)."""
    limits = IntakeLimits.from_settings(current_app.config.get("SETTINGS"))
    payload, _ = uploaded(limits, {XLSX: "cau-hinh.xlsx"}, ("Gửi gói cấu hình dạng JSON hoặc XLSX.",
                                                            "Send the package as JSON or XLSX."))
    dry_run = request.args.get("dry_run", "").strip().lower() in _TRUE
    retire_absent = request.args.get("retire_absent", "").strip().lower() in _TRUE
    outcome = import_package(current_warehouse().engine, payload, actor=_actor(), dry_run=dry_run, limits=limits,
                             retire_absent=retire_absent)
    return jsonify(outcome.as_dict()), 200 if outcome.ok else 422


@api_v1.get("/metadata/<kind>/<path:key>/history")
def metadata_history(kind: str, key: str):
    """Every version of one record, oldest first."""
    if kind not in KINDS:
        raise ApiError(404, "not_found", f"Không có loại siêu dữ liệu “{kind}”.", f"No kind of metadata '{kind}'.")
    versions = service.history(current_warehouse().engine, kind, key)
    if not versions:
        raise ApiError(404, "not_found", f"Không có lịch sử của “{key}”.", f"No history of '{key}'.")
    return jsonify({"kind": kind, "key": key, "versions": [
        {**v, "at": v["at"].isoformat(timespec="seconds"),
         "effective_from": v["effective_from"].isoformat() if v["effective_from"] else None} for v in versions]})


# -- the OpenAPI document's part (merged by api.intake.openapi_document) ------------------------------


def openapi_schemas() -> dict:
    problem = {"type": "object", "required": ["code", "message_vi", "message_en"], "properties": {
        "code": {"type": "string", "description": "Stable code, e.g. unknown_reference, formula_cycle"},
        "kind": {"type": ["string", "null"], "enum": [*KINDS, None]},
        "row": {"type": ["integer", "null"], "description": "JSON: position in the kind's list from 1; XLSX: the sheet row"},
        "key": {"type": ["string", "null"]}, "column": {"type": ["string", "null"]},
        "value": {"type": ["string", "null"]}, "message_vi": {"type": "string"}, "message_en": {"type": "string"}}}
    keys = {"type": "array", "items": {"type": "string"}}
    per_kind = {"type": "object", "properties": {"added": keys, "changed": keys, "retired": keys}}
    outcome = {"type": "object", "required": ["ok", "applied", "dry_run", "diff", "problems"], "properties": {
        "ok": {"type": "boolean"}, "applied": {"type": "boolean"}, "dry_run": {"type": "boolean"},
        "change_set": {"type": ["string", "null"]}, "data_version": {"type": ["integer", "null"]},
        "counts": {"type": "object", "additionalProperties": {"type": "object",
                                                              "additionalProperties": {"type": "integer"}}},
        "diff": {"type": "object", "additionalProperties": per_kind},
        "problems": {"type": "array", "items": {"$ref": "#/components/schemas/MetadataProblem"}},
        "problems_total": {"type": "integer"}}}
    package = {"type": "object", "required": ["format", "version"], "properties": {
        "format": {"const": "occ-metadata"}, "version": {"const": 1},
        **{kind: {"type": "array", "items": {"type": "object"}} for kind in KINDS}}}
    return {"MetadataProblem": problem, "MetadataOutcome": outcome, "MetadataPackage": package}


def openapi_paths(unauthorized: dict, unavailable: dict) -> dict:
    forbidden = _error_response("Not an admin (a unit's token or another role)")
    admin = [{"bearer": []}]  # an admin's token (flask --app app create-admin-token), or a signed-in admin
    return {
        "/api/v1/metadata/export": {"get": {
            "summary": "The whole configuration as a metadata package", "operationId": "exportMetadata",
            "tags": ["metadata"], "security": admin,
            "description": "Admins only. JSON is canonical (byte-stable); XLSX has a sheet per kind.",
            "parameters": [_param("format", "query", False, "string", "json", "json (default) or xlsx")],
            "responses": {
                "200": {"description": "The package", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/MetadataPackage"}},
                    XLSX: {"schema": {"type": "string", "contentMediaType": XLSX}}}},
                "400": _error_response("Unknown format"), "401": unauthorized, "403": forbidden,
                "503": unavailable}}},
        "/api/v1/metadata/import": {"post": {
            "summary": "Validate a metadata package and apply all of it, or nothing", "operationId": "importMetadata",
            "tags": ["metadata"], "security": admin,
            "description": "Admins only. dry_run=true returns the diff without writing. retire_absent=true: the "
                           "package is the whole configuration of the kinds it holds, and their records it does "
                           "not name are retired (listed as retired in the diff).",
            "parameters": [_param("dry_run", "query", False, "boolean", True, "Only validate and show the diff"),
                           _param("retire_absent", "query", False, "boolean", True,
                                  "Retire the records of the package's kinds that it does not name")],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/MetadataPackage"}},
                XLSX: {"schema": {"type": "string", "contentMediaType": XLSX}},
                "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                    "file": {"type": "string", "contentMediaType": "application/octet-stream"}}}}}},
            "responses": {
                "200": {"description": "Valid: applied (or, in a dry run, what would be)", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/MetadataOutcome"}}}},
                "400": _error_response("Malformed request"), "401": unauthorized, "403": forbidden,
                "413": _error_response("Too large"), "415": _error_response("Unsupported content type"),
                "422": {"description": "Refused: every problem, nothing applied", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/MetadataOutcome"}}}},
                "503": unavailable}}},
        "/api/v1/metadata/{kind}/{key}/history": {"get": {
            "summary": "Every version of one configuration record", "operationId": "metadataHistory",
            "tags": ["metadata"], "security": admin, "description": "Admins only.",
            "parameters": [_param("kind", "path", True, "string", "indicators", "groups, units, indicators, regimes, targets"),
                           _param("key", "path", True, "string", "CPI_YOY", "The code; a target: indicator|area|year")],
            "responses": {
                "200": {"description": "Versions, oldest first", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"kind": {"type": "string"}, "key": {"type": "string"},
                                                     "versions": {"type": "array", "items": {"type": "object"}}}}}}},
                "401": unauthorized, "403": forbidden, "404": _error_response("No such kind or record"),
                "503": unavailable}}},
    }
