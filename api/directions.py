"""Directions on ``/api/v1``: a unit reads the directions it is named on and answers them.

* ``GET /api/v1/directions``: the caller's directions (a unit's token or a reporter: its unit's;
  leaders, admins and analysts: what they may see), filtered and paged;
* ``GET /api/v1/directions/<ref>``: one direction with its units, events and attachments;
* ``POST /api/v1/directions/<ref>/reports`` (multipart): ``kind`` = progress | done | extension,
  ``text``, ``new_deadline`` (an extension), ``files`` (PDF, DOCX, XLSX).

A direction the caller may not see answers 404 exactly like a missing one (another unit's
direction is never told apart). Refusals of the service answer 409 (not allowed in its state)
or 422 (a field), with the message key and the field.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from api import api_v1
from api.intake import ApiError, _error_response, _param
from auth.guard import current_principal
from data_access.directions import DirectionDetail, DirectionFilters, DirectionRow, direction_detail, list_directions
from data_access.engine import current_warehouse
from directions.attachments import Upload
from directions.errors import DirectionError
from directions.service import act, actor_of, viewer_of
from domain import directions as rules
from i18n import t

REPORT_KINDS = {"progress": rules.PROGRESS, "done": rules.DONE, "extension": rules.REQUEST_EXTENSION}


def _principal() -> Any:
    principal = current_principal()
    if principal is None:
        raise ApiError(401, "missing_token", "Cần đăng nhập hoặc mã truy cập của đơn vị.",
                       "Sign in or send a unit's token.")
    return principal


def _refused(err: DirectionError) -> ApiError:
    status, code = ((404, "not_found") if err.not_found else
                    (409, "not_allowed") if err.key == "dir.err.not_allowed" else (422, "invalid"))
    return ApiError(status, code, t(err.key, "vi", **err.params), t(err.key, "en", **err.params),
                    {"key": err.key, "field": err.field})


def _row_json(r: DirectionRow) -> dict[str, Any]:
    return {"ref": r.ref, "title": r.title, "form": r.form, "doc_number": r.doc_number, "leader": r.leader,
            "issued_on": r.issued_on.isoformat(), "lead_unit": r.unit, "deadline": r.deadline.isoformat(),
            "priority": r.priority, "state": r.state, "overdue": r.overdue, "days_overdue": r.days_overdue,
            "closed_on": r.closed_on.isoformat() if r.closed_on else None}


def _detail_json(detail: DirectionDetail) -> dict[str, Any]:
    return {
        **_row_json(detail.row), "content": detail.content, "first_deadline": detail.first_deadline.isoformat(),
        "pending_extension": detail.pending_extension.isoformat() if detail.pending_extension else None,
        "units": [{"code": u.code, "name_vi": u.name_vi, "role": u.role} for u in detail.units],
        "indicators": [i.key for i in detail.indicators], "areas": [a.key for a in detail.areas],
        "events": [{"at": e.at.isoformat() + "Z", "actor": e.actor, "role": e.role, "unit": e.unit, "kind": e.kind,
                    "from_state": e.from_state, "to_state": e.to_state, "text": e.text,
                    "new_deadline": e.new_deadline.isoformat() if e.new_deadline else None} for e in detail.events],
        "attachments": [{"id": a.id, "event_id": a.event_id, "filename": a.filename, "content_type": a.content_type,
                         "size": a.size, "sha256": a.sha256} for a in detail.attachments],
    }


def _int_arg(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError:
        raise ApiError(400, "bad_parameter", f"Tham số “{name}” phải là số nguyên.",
                       f"Parameter '{name}' must be an integer.") from None


@api_v1.get("/directions")
def list_directions_route() -> ResponseReturnValue:
    """The caller's directions, newest first (``state``, ``unit``, ``q``, ``page``, ``page_size``)."""
    viewer = viewer_of(_principal())
    state = request.args.get("state") or None
    if state is not None and state not in rules.FILTER_STATES:
        raise ApiError(400, "bad_parameter", "Trạng thái không hợp lệ.", "Unknown state.")
    filters = DirectionFilters(unit=request.args.get("unit") or None, state=state, text=request.args.get("q") or None)
    found = list_directions(filters, page=_int_arg("page", 1), page_size=_int_arg("page_size", 25), viewer=viewer)
    return jsonify({"total": found.total, "page": found.page, "page_size": found.page_size,
                    "items": [_row_json(r) for r in found.rows]})


@api_v1.get("/directions/<ref>")
def get_direction(ref: str) -> ResponseReturnValue:
    detail = direction_detail(ref, viewer_of(_principal()))
    if detail is None:
        raise _refused(DirectionError("dir.err.not_found", "ref"))
    return jsonify(_detail_json(detail))


@api_v1.post("/directions/<ref>/reports")
def report_on_direction(ref: str) -> ResponseReturnValue:
    """A unit's report on a direction: progress, done (with evidence) or an extension request."""
    principal = _principal()
    kind = request.form.get("kind", "progress")
    if kind not in REPORT_KINDS:
        raise ApiError(422, "invalid", "“kind” phải là progress, done hoặc extension.",
                       "'kind' must be progress, done or extension.", {"field": "kind"})
    files = [Upload(f.filename or "", f.stream) for f in request.files.getlist("files") if f.filename or f.content_length]
    actor = actor_of(principal, request.remote_addr)
    try:
        with current_warehouse().engine.begin() as conn:
            state = act(conn, actor, ref, REPORT_KINDS[kind], text=request.form.get("text", ""),
                        new_deadline=request.form.get("new_deadline") or None, attachments=files)
    except DirectionError as err:
        raise _refused(err) from None
    res = jsonify({"ref": ref, "state": state})
    res.status_code = 201
    res.headers["Location"] = f"/api/v1/directions/{ref}"
    return res


def openapi_paths(unauthorized: dict[str, Any], unavailable: dict[str, Any]) -> dict[str, Any]:
    """The routes above in the OpenAPI document (:func:`api.intake.openapi_document`)."""
    auth = [{"bearer": []}, {}]
    not_found = _error_response("No such direction for this caller (another unit's is not found either)")
    ref = _param("ref", "path", True, "string", "NV-2026-00042", "The direction's reference")
    return {
        "/api/v1/directions": {"get": {
            "summary": "The caller's directions", "operationId": "listDirections", "tags": ["directions"],
            "security": auth,
            "description": "A unit's token or a reporter: the directions its unit leads or cooperates on.",
            "parameters": [_param("state", "query", False, "string", "overdue", "A state, or overdue"),
                           _param("unit", "query", False, "string", "BCT", "The lead unit's code"),
                           _param("q", "query", False, "string", "san xuat", "Words, with or without diacritics"),
                           _param("page", "query", False, "integer", 1, "Page, from 1"),
                           _param("page_size", "query", False, "integer", 25, "10, 25, 50 or 100")],
            "responses": {"200": {"description": "A page of directions", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/DirectionPage"}}}},
                "400": _error_response("A bad parameter"), "401": unauthorized, "503": unavailable}}},
        "/api/v1/directions/{ref}": {"get": {
            "summary": "One direction", "operationId": "getDirection", "tags": ["directions"], "security": auth,
            "parameters": [ref],
            "responses": {"200": {"description": "The direction with its units, events and attachments",
                                  "content": {"application/json": {
                                      "schema": {"$ref": "#/components/schemas/Direction"}}}},
                          "401": unauthorized, "404": not_found, "503": unavailable}}},
        "/api/v1/directions/{ref}/reports": {"post": {
            "summary": "Report on a direction", "operationId": "reportOnDirection", "tags": ["directions"],
            "security": auth, "parameters": [ref],
            "description": "progress (lead or cooperating unit), done or extension (the lead unit). Files: PDF, "
                           "DOCX or XLSX (recognised by their content), each within the size limit.",
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["kind"], "properties": {
                    "kind": {"type": "string", "enum": sorted(REPORT_KINDS)}, "text": {"type": "string"},
                    "new_deadline": {"type": "string", "format": "date"},
                    "files": {"type": "array", "items": {"type": "string", "contentMediaType": "application/octet-stream"}}}}}}},
            "responses": {"201": {"description": "Recorded: the direction's new state", "content": {"application/json": {
                "schema": {"type": "object", "properties": {"ref": {"type": "string"}, "state": {"type": "string"}}}}}},
                "401": unauthorized, "404": not_found,
                "409": _error_response("Not allowed in the direction's state or for this unit's role"),
                "422": _error_response("A field is refused (key: the message, field): text, new_deadline, files"),
                "503": unavailable}}},
    }


def openapi_schemas() -> dict[str, Any]:
    row = {"type": "object", "properties": {
        "ref": {"type": "string"}, "title": {"type": "string"}, "form": {"type": "string", "enum": list(rules.FORMS)},
        "doc_number": {"type": "string"}, "leader": {"type": "string"}, "issued_on": {"type": "string", "format": "date"},
        "lead_unit": {"type": "string"}, "deadline": {"type": "string", "format": "date"},
        "priority": {"type": "string", "enum": list(rules.PRIORITIES)},
        "state": {"type": "string", "enum": list(rules.STATES)}, "overdue": {"type": "boolean"},
        "days_overdue": {"type": "integer"}, "closed_on": {"type": ["string", "null"], "format": "date"}}}
    return {
        "DirectionRow": row,
        "DirectionPage": {"type": "object", "properties": {
            "total": {"type": "integer"}, "page": {"type": "integer"}, "page_size": {"type": "integer"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/DirectionRow"}}}},
        "Direction": {"allOf": [{"$ref": "#/components/schemas/DirectionRow"}, {"type": "object", "properties": {
            "content": {"type": "string"}, "first_deadline": {"type": "string", "format": "date"},
            "pending_extension": {"type": ["string", "null"], "format": "date"},
            "units": {"type": "array", "items": {"type": "object"}},
            "indicators": {"type": "array", "items": {"type": "string"}},
            "areas": {"type": "array", "items": {"type": "string"}},
            "events": {"type": "array", "items": {"type": "object"}},
            "attachments": {"type": "array", "items": {"type": "object"}}}}]},
    }
