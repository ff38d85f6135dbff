# size: the intake routes and their OpenAPI document (about 250 lines of schema data) kept together
"""Report intake routes on ``/api/v1``: submissions, the reading endpoints, XLSX templates and the
OpenAPI document. A thin shell over :func:`ingest.pipeline.submit` and the ``data_access`` reads.

JSON everywhere; an error is ``{"error": {"code", "message_vi", "message_en"}}``.

Warehouse outages: a route that cannot reach the warehouse answers 503 with ``Retry-After``
(code ``warehouse_unavailable``), never 500; a submission answered 201/200 is committed, any other
answer means nothing was acknowledged and the same bytes can be sent again (an accepted copy is
recognised by its sha256 and answered 200 ``duplicate``). Reads served from last-known data while
the warehouse is away carry ``X-OCC-Stale: 1``.

Authentication: ``Authorization: Bearer <token>`` (``flask --app app create-token``). Submitting
needs a valid token and submits as the token's unit. Reading endpoints go through
:func:`require_reader`: a valid token or a signed-in session whose role may read the route
(``auth.policy``); a unit's token and a reporter read only their own unit's submissions.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import date

import pandas as pd
from flask import Response, current_app, g, jsonify, request
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError, PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from api import api_v1
from auth.tokens import TokenInfo, authenticate
from data_access.area_names import AreaParamError, area_param
from data_access.cache.scopes import current_clearance, outage_log_due, request_is_stale
from data_access.catalogue import (
    NotFound,
    area_map,
    get_indicator,
    indicator_groups,
    indicators_frame,
    search_indicators,
)
from data_access.compliance import report_for_viewer, submission_detail
from data_access.engine import current_warehouse
from domain.periods import PeriodError
from domain.periods import parse as parse_period
from ingest.mappings import MappingError, mapping_from_json, saved_import_mapping
from ingest.pipeline import ACCEPTED, DUPLICATE, IntakeLimits, submit
from ingest.published import ImportMapping
from ingest.templates import TemplateError, build_template
from settings import ConfigError
from web.responses import STALE_HEADER

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message_vi: str, message_en: str, extra: dict | None = None):
        super().__init__(message_en)
        self.status, self.code, self.message_vi, self.message_en, self.extra = status, code, message_vi, message_en, extra


@api_v1.errorhandler(ApiError)
def _api_error(exc: ApiError):
    body = {"error": {"code": exc.code, "message_vi": exc.message_vi, "message_en": exc.message_en}}
    if exc.extra:
        body.update(exc.extra)
    res = jsonify(body)
    res.status_code = exc.status
    if exc.status == 401:
        res.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return res


_HTTP_VI = {400: "Yêu cầu không hợp lệ.", 404: "Không có địa chỉ này trong API.",
            405: "Phương thức này không dùng được cho địa chỉ này.", 413: "Nội dung gửi lên quá lớn.",
            415: "Định dạng nội dung không được hỗ trợ."}


@api_v1.app_errorhandler(HTTPException)
def _api_http_error(exc: HTTPException):
    """Errors Flask raises itself (an unknown API path, a method a route does not take, a
    malformed request) answer JSON on ``/api/``, like every other API answer; elsewhere Flask's
    own page is kept."""
    if not request.path.startswith(f"{api_v1.url_prefix}/") or exc.code is None:
        return exc
    res = jsonify({"error": {"code": (exc.name or "error").lower().replace(" ", "_"),
                             "message_vi": _HTTP_VI.get(exc.code, f"Lỗi {exc.code}."),
                             "message_en": exc.description or exc.name or f"Error {exc.code}."}})
    res.status_code = exc.code
    for name in ("Allow", "Retry-After", "WWW-Authenticate"):
        value = exc.get_response().headers.get(name)
        if value:
            res.headers[name] = value
    return res


# -- warehouse outages ------------------------------------------------------------------------------

RETRY_AFTER_S = 10  # what a reporting unit is asked to wait before sending the same bytes again
_OUTAGE_ERRORS = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError, PendingRollbackError,
                  ConfigError)


def _is_outage(exc: BaseException) -> bool:
    """The warehouse is unreachable (refused, restarting, connection lost, pool exhausted), as
    opposed to a bug, which stays a 500."""
    return isinstance(exc, _OUTAGE_ERRORS) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


def warehouse_unavailable() -> Response:
    res = jsonify({"error": {"code": "warehouse_unavailable",
                             "message_vi": "Kho dữ liệu tạm thời không truy cập được; báo cáo chưa được tiếp nhận. "
                                           f"Đề nghị gửi lại sau {RETRY_AFTER_S} giây.",
                             "message_en": "The data warehouse is temporarily unavailable; nothing was accepted. "
                                           f"Send the same request again in {RETRY_AFTER_S} seconds."},
                   "retry_after_s": RETRY_AFTER_S})
    res.status_code = 503
    res.headers["Retry-After"] = str(RETRY_AFTER_S)
    res.headers["Cache-Control"] = "no-store"
    return res


# App-wide, for every /api/ path: the request guard (a unit's token is checked in the warehouse)
# also runs for requests that match no API route, which have no blueprint.
@api_v1.app_errorhandler(DBAPIError)
@api_v1.app_errorhandler(DisconnectionError)
@api_v1.app_errorhandler(PoolTimeoutError)
@api_v1.app_errorhandler(PendingRollbackError)
@api_v1.app_errorhandler(ConfigError)
def _warehouse_error(exc):
    if not _is_outage(exc) or not request.path.startswith(f"{api_v1.url_prefix}/"):
        raise exc
    if outage_log_due():
        log.warning("warehouse unavailable on %s %s: %s", request.method, request.path,
                    (str(exc).strip().splitlines() or [type(exc).__name__])[0])
    return warehouse_unavailable()


@api_v1.after_request
def _mark_stale(res: Response) -> Response:
    if request_is_stale():
        res.headers[STALE_HEADER] = "1"
    return res


# -- authentication -------------------------------------------------------------------------------

_TOKEN_MESSAGES = {
    "missing": ("Thiếu mã truy cập: gửi kèm tiêu đề Authorization: Bearer <mã truy cập>.",
                "Missing token: send the header Authorization: Bearer <token>."),
    "unknown": ("Mã truy cập không hợp lệ.", "The token is not valid."),
    "revoked": ("Mã truy cập đã bị thu hồi.", "The token has been revoked."),
    "expired": ("Mã truy cập đã hết hạn; đề nghị cấp mã mới.", "The token has expired; ask for a new one."),
}


def _presented_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ApiError(401, "invalid_token", "Tiêu đề Authorization phải có dạng: Bearer <mã truy cập>.",
                       "The Authorization header must read: Bearer <token>.")
    return value.strip()


def _token_info(token: str) -> TokenInfo:
    info, state = authenticate(current_warehouse().engine, token)
    if info is None:
        vi, en = _TOKEN_MESSAGES[state]
        raise ApiError(401, f"{state}_token" if state != "unknown" else "invalid_token", vi, en)
    g.occ_token = info
    return info


def require_unit() -> TokenInfo:
    """The unit of a valid bearer token (401 otherwise)."""
    token = _presented_token()
    if token is None:
        vi, en = _TOKEN_MESSAGES["missing"]
        raise ApiError(401, "missing_token", vi, en)
    return _token_info(token)


class UnitReader:
    """A signed-in reporter reading the API: limited to its unit, like a unit's token."""

    def __init__(self, unit_code: str):
        self.unit_code = unit_code


def require_reader() -> TokenInfo | UnitReader | None:
    """Access hook of every reading endpoint: a unit's bearer token (validated again here; 401
    when invalid) or a signed-in session. The request guard (``auth.guard``) has already refused
    anyone the policy table does not let read this route. Returns what the route must restrict
    to one unit (a token, or a reporter's session), or None for an unrestricted reader (admin,
    leader, analyst; or any caller when access control is off)."""
    token = _presented_token()
    if token is not None:
        return _token_info(token)
    from auth.guard import current_principal

    principal = current_principal()
    if principal is not None and principal.unit_code:
        return UnitReader(principal.unit_code)
    return None


# -- submissions ----------------------------------------------------------------------------------

_RAW_TYPES = {
    "text/csv": "api.csv",
    "application/csv": "api.csv",
    "text/plain": "api.csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "api.xlsx",
    "text/x-pcaxis": "api.px",
    "application/x-pcaxis": "api.px",
    "application/xml": "api.xml",
    "text/xml": "api.xml",
    "application/vnd.sdmx.genericdata+xml": "api.xml",
    "application/vnd.sdmx.data+csv": "api.csv",
}


@api_v1.post("/submissions")
def create_submission():
    """Submit values (JSON body, multipart ``file``, or a raw CSV/XLSX body) as the token's unit.
    201 accepted, 200 duplicate, 422 rejected (body: the report), 403 when the content declares
    another unit."""
    info = require_unit()
    limits = IntakeLimits.from_settings(current_app.config.get("SETTINGS"))
    payload, filename = uploaded(limits, _RAW_TYPES, (
        "Định dạng không được hỗ trợ: gửi JSON, tệp CSV/XLSX/JSON (multipart, trường “file”) hoặc CSV/XLSX.",
        "Unsupported content type: send JSON, a CSV/XLSX/JSON file (multipart field 'file') or a CSV/XLSX body."))
    report = submit(current_warehouse().engine, unit_code=info.unit_code, payload=payload, filename=filename,
                    channel="api", submitted_by=f"token:{info.id}", limits=limits,
                    mapping=request_mapping(info.unit_code))
    body = report_for_viewer(report.as_dict(), report.unit, info.unit_code)  # the sender: in full
    if report.status == ACCEPTED:
        res = jsonify(body)
        res.status_code = 201
        res.headers["Location"] = f"/api/v1/submissions/{report.submission_id}"
        return res
    if report.status == DUPLICATE:
        return jsonify(body), 200
    mismatch = next((e for e in report.errors if e.code == "unit_mismatch"), None)
    if mismatch is not None:
        raise ApiError(403, "unit_mismatch", mismatch.message_vi, mismatch.message_en, {"report": body})
    return jsonify(body), 422


def request_mapping(unit_code: str) -> ImportMapping | None:
    """The mapping a submission names: ``mapping=NAME`` (a saved mapping of the token's unit; another
    unit's is not found), or an explicit one as the multipart field ``mapping`` (JSON); ``indicator=``
    where it names none. 400 for an unknown name or a malformed mapping."""
    indicator = (request.args.get("indicator") or "").strip().upper() or None
    name = (request.args.get("mapping") or "").strip()
    explicit = request.form.get("mapping") if request.mimetype == "multipart/form-data" else None
    try:
        if name:
            with current_warehouse().engine.connect() as conn:
                mapping = saved_import_mapping(conn, unit_code, name)
        elif explicit:
            mapping = mapping_from_json(explicit)
        else:
            return ImportMapping(indicator=indicator) if indicator else None
    except MappingError as exc:
        raise ApiError(400, exc.code, exc.message_vi, exc.message_en) from None
    return dataclasses.replace(mapping, indicator=indicator) if indicator else mapping


def uploaded(limits: IntakeLimits, raw_types: dict[str, str], unsupported: tuple[str, str]) -> tuple[bytes, str]:
    """``(payload, file name)`` of an upload: the multipart field ``file``, a JSON body, or a body of
    one of ``raw_types`` (media type → default file name); 413 beyond the limit, 415 (saying
    ``unsupported``) for another media type, 400 for a form without its file."""
    if request.content_length is not None and request.content_length > limits.max_bytes + 1024 * 1024:
        raise _too_large(request.content_length, limits)
    try:
        if request.mimetype == "multipart/form-data":
            upload = request.files.get("file")
            if upload is None:
                raise ApiError(400, "missing_file", "Thiếu trường tệp “file” trong biểu mẫu.",
                               "The multipart form has no 'file' field.")
            return upload.read(), upload.filename or "upload"
        if request.mimetype == "application/json" or request.mimetype.endswith("+json"):
            return request.get_data(cache=False), "api.json"
        if request.mimetype in raw_types:
            return request.get_data(cache=False), request.args.get("filename") or raw_types[request.mimetype]
    except RequestEntityTooLarge:
        raise _too_large(request.content_length or 0, limits) from None
    raise ApiError(415, "unsupported_media_type", *unsupported)


def _too_large(size: int, limits: IntakeLimits) -> ApiError:
    return ApiError(413, "file_too_large", f"Tệp quá lớn ({size} byte); giới hạn là {limits.max_bytes} byte.",
                    f"The upload is too large ({size} bytes); the limit is {limits.max_bytes} bytes.")


# The largest key the warehouse can hold (BIGINT; SQLite's INTEGER): a larger id names no submission.
MAX_ID = 2**63 - 1


@api_v1.get("/submissions/<int:submission_id>")
def get_submission(submission_id: int):
    """One submission and its report. A unit's token reads only its own submissions (403). The
    findings about confidential indicators are redacted for a viewer without the clearance
    (:func:`data_access.compliance.report_for_viewer`)."""
    reader = require_reader()
    viewer_unit = reader.unit_code if reader is not None else None
    found = submission_detail(submission_id, viewer_unit=viewer_unit) if submission_id <= MAX_ID else None
    if found is None:
        raise ApiError(404, "not_found", f"Không có báo cáo số {submission_id}.", f"No submission {submission_id}.")
    if reader is not None and found["unit_code"] != reader.unit_code:
        raise ApiError(403, "forbidden", "Mã truy cập này chỉ được xem báo cáo của đơn vị mình.",
                       "This token may only read its own unit's submissions.")
    report = found["report"] or {}
    return jsonify({
        **report,
        "submission_id": found["id"],
        "status": found["status"],
        "unit": found["unit_code"],
        "received_at": found["received_at"].isoformat(timespec="seconds"),
        "channel": found["channel"],
        "submitted_by": found["submitted_by"],
        "filename": found["filename"],
        "sha256": found["sha256"],
        "period": found["period"],
        "regime": found["regime_code"],
        "rows_total": found["rows_total"],
        "rows_written": found["rows_written"],
        "errors_total": found["errors"],
        "warnings_total": found["warnings"],
    })


# -- reading endpoints ------------------------------------------------------------------------------

INDICATOR_FIELDS = ["code", "name_vi", "name_en", "group_code", "unit_vi", "unit_en", "periodicity", "agency_code",
                    "aggregation", "direction", "levels", "decimals", "definition_vi", "definition_en"]


@api_v1.get("/indicators")
def list_indicators():
    """The indicator catalogue; ``group`` filters by group code, ``q`` searches code and names in
    both languages, with or without diacritics."""
    require_reader()
    group = (request.args.get("group") or "").strip() or None
    query = (request.args.get("q") or "").strip()
    if group is not None and group not in set(indicator_groups()["code"]):
        raise ApiError(400, "bad_parameter", f"Nhóm chỉ tiêu “{group}” không tồn tại.", f"Unknown indicator group '{group}'.")
    df = search_indicators(query, limit=1000) if query else indicators_frame(group=group)
    if query and group is not None and not df.empty:
        df = df[df["group_code"] == group]
    items = []
    for rec in df.to_dict("records") if not df.empty else []:
        item = {k: rec.get(k) for k in INDICATOR_FIELDS}
        item["levels"] = list(item["levels"] or ())
        items.append(item)
    return jsonify({"count": len(items), "indicators": items})


def _area_keys(area: str, bounds: dict[str, str | None]) -> tuple[tuple[str, ...], bool]:
    """The area key of the ``area=`` parameter (:func:`data_access.area_names.area_param`)."""
    first, last = (parse_period(bounds[k]).end if bounds[k] else None for k in ("from", "to"))
    try:
        key, territory = area_param(area, first, last)
    except AreaParamError as exc:
        if not exc.meanings:
            raise _bad(f"Mã địa bàn “{area}” không có trong danh mục.", f"Unknown area '{area}'.") from None
        listed = "; ".join(f"{k} ({label}, {since or '…'} – {until or '…'})" for k, label, since, until in exc.meanings)
        raise _bad(f"Mã địa bàn “{area}” chỉ các địa bàn khác nhau trong các kỳ được hỏi: {listed}. Hãy dùng khóa "
                   f"địa bàn (ví dụ {exc.meanings[-1][0]}), giới hạn from/to trong một thời kỳ, hoặc {area}@2025 "
                   "cho địa bàn hiện nay qua các kỳ.",
                   f"Area code '{area}' meant different areas within the periods asked for: {listed}. Use an area "
                   f"key (e.g. {exc.meanings[-1][0]}), keep from/to within one era, or {area}@2025 for today's "
                   "territory through time.") from None
    return (key,), territory


def _territory_items(code: str, key: str, bounds: dict[str, str | None], own: list[dict]) -> list[dict]:
    """``area=CODE@WHEN`` for a province of today: its comparable series (back-casts as stored, the
    periods before 2025-07-01 otherwise rebuilt from its former provinces, marked ``rebuilt``)."""
    from data_access.queries import comparable_series

    if area_map()[key].valid_to is not None or area_map()[key].level != "province":
        return own
    by_period = {o["period"]: o for o in own}
    cs = comparable_series(code, (key,), bounds["from"], bounds["to"])
    out = []
    for r in cs.itertuples(index=False):
        if r.rebuilt:
            if r.value == r.value:  # NaN: a former province did not report
                out.append({"area_key": key, "area_code": area_map()[key].code, "period": r.period,
                            "value": float(r.value), "status": None, "revision": None, "flag": None,
                            "recorded_at": None, "rebuilt": True})
        elif r.period in by_period:
            out.append(by_period[r.period])
    return out


def _bad(vi: str, en: str) -> ApiError:
    return ApiError(400, "bad_parameter", vi, en)


@api_v1.get("/observations")
def list_observations():
    """Current values of one indicator (``indicator``, required) for an area (``area``; default all
    areas) between the period keys ``from`` and ``to`` (inclusive). ``area`` is an area key
    (``08-63``), an official code (``08``: the one area the code meant within ``from``..``to``;
    400 when the periods cross the 2025 change of its meaning), or ``CODE@WHEN`` (``24@2025``:
    today's province through time, its comparable series, rebuilt values marked ``rebuilt``).
    Plain reads (no ``@``) list each area in its own periods only: back-casts are left out."""
    from data_access.queries import series

    require_reader()
    code = (request.args.get("indicator") or "").strip().upper()
    if not code:
        raise _bad("Thiếu tham số indicator (mã chỉ tiêu).", "The parameter 'indicator' (indicator code) is required.")
    try:
        ind = get_indicator(code)
    except NotFound:
        raise _bad(f"Mã chỉ tiêu “{code}” không có trong danh mục.", f"Unknown indicator '{code}'.") from None
    amap = area_map()
    area = (request.args.get("area") or "").strip()
    bounds = {}
    for name in ("from", "to"):
        value = (request.args.get(name) or "").strip()
        if not value:
            bounds[name] = None
            continue
        try:
            p = parse_period(value)
        except PeriodError:
            raise _bad(f"Tham số {name} “{value}” không phải mã kỳ (ví dụ 2025, 2025Q3, 202507, 2025-07-14).",
                       f"Parameter '{name}' = '{value}' is not a period key (e.g. 2025, 2025Q3, 202507, 2025-07-14).") from None
        if p.periodicity != ind.periodicity:
            raise _bad(f"Tham số {name} “{value}” không cùng kỳ báo cáo với chỉ tiêu {code} ({ind.periodicity}).",
                       f"Parameter '{name}' = '{value}' does not match the periodicity of {code} ({ind.periodicity}).")
        bounds[name] = p.key
    if bounds["from"] and bounds["to"] and parse_period(bounds["from"]).start > parse_period(bounds["to"]).start:
        raise _bad("Tham số from phải không sau tham số to.", "'from' must not be after 'to'.")
    keys, territory = _area_keys(area, bounds) if area else (tuple(amap), False)
    df = series(code, keys, bounds["from"], bounds["to"], backcasts=territory)
    items = [{"area_key": r.area_key, "area_code": amap[r.area_key].code, "period": r.period,
              "value": float(r.value), "status": r.status, "revision": int(r.revision),
              "flag": r.flag if isinstance(r.flag, str) else None,  # pandas' string column holds NaN for none
              "recorded_at": _iso(r.recorded_at), "rebuilt": False}
             for r in df.itertuples(index=False)]
    if territory:
        items = _territory_items(code, keys[0], bounds, items)
    return jsonify({"indicator": code, "unit_vi": ind.unit_vi, "unit_en": ind.unit_en, "count": len(items),
                    "observations": items})


def _iso(value) -> str | None:
    if value is None or value is pd.NaT:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


@api_v1.get("/templates/<unit>/<period>.xlsx")
def template(unit: str, period: str):
    """The XLSX form of what ``unit`` owes for ``period`` (see :mod:`ingest.templates`). A unit's
    token or reporter: its own unit's form only (403 ``another_unit`` otherwise, before anything is
    looked up), with the confidential indicators the unit reports; anyone else: confidential rows
    only with the confidential clearance."""
    reader = require_reader()
    if reader is not None and unit.strip().upper() != reader.unit_code:
        raise ApiError(403, "another_unit", "Mã truy cập hoặc tài khoản này chỉ được tải biểu mẫu của đơn vị mình.",
                       "This token or account may only download its own unit's form.")
    clearance = "all" if reader is not None else current_clearance()
    try:
        with current_warehouse().engine.connect() as conn:
            data = build_template(conn, unit, period, clearance=clearance)
    except TemplateError as exc:
        status = 400 if exc.code == "bad_period" else 404
        raise ApiError(status, exc.code, exc.message_vi, exc.message_en) from None
    res = Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    res.headers["Content-Disposition"] = f'attachment; filename="bieu-mau-{unit.upper()}-{period}.xlsx"'
    return res


@api_v1.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of every ``/api/v1`` route."""
    return jsonify(openapi_document())


# -- the OpenAPI document ------------------------------------------------------------------------------

def _error_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(schema_ref: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


def _param(name: str, where: str, required: bool, type_: str, example: object,
           description: str | None = None) -> dict:
    """One parameter of a route: ``where`` is "query" or "path"."""
    out = {"name": name, "in": where, "required": required, "schema": {"type": type_, "examples": [example]}}
    if description is not None:
        out["description"] = description
    return out


def openapi_document() -> dict:
    """Hand-written: the schemas mirror :class:`ingest.pipeline.SubmissionReport` and the routes
    above; a test checks that it validates and lists every route of the blueprint."""
    issue = {
        "type": "object",
        "required": ["code", "message_vi", "message_en"],
        "properties": {
            "code": {"type": "string", "description": "Stable code, e.g. unknown_indicator, ambiguous_number"},
            "message_vi": {"type": "string"}, "message_en": {"type": "string"},
            "row": {"type": ["integer", "null"], "description": "Row as seen in the file (CSV/XLSX: header = 1; JSON: array position from 1)"},
            "column": {"type": ["string", "null"]}, "value": {"type": ["string", "null"]},
            "indicator": {"type": ["string", "null"],
                          "description": "The row's indicator code as written (upper case); null for file-level findings"},
            "redacted": {"type": "boolean",
                         "description": "Present and true when the finding is about a confidential indicator the "
                                        "reader may not see: a number-free message, no value, no indicator"},
        },
    }
    report = {
        "type": "object",
        "required": ["submission_id", "status", "unit", "sha256", "received_at", "counts", "errors", "warnings"],
        "properties": {
            "submission_id": {"type": ["integer", "null"]},
            "status": {"type": "string", "enum": ["accepted", "rejected", "duplicate"]},
            "duplicate_of": {"type": ["integer", "null"]},
            "unit": {"type": "string"}, "channel": {"type": "string"}, "filename": {"type": ["string", "null"]},
            "submitted_by": {"type": ["string", "null"],
                             "description": "Read-back only: who submitted (a signed-in user's name for the upload "
                                            "page, token:<id> for the API, the operator for the command line)"},
            "sha256": {"type": "string"}, "received_at": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$",
                            "description": "Local time of the operations centre, ISO 8601 to the second, "
                                           "without offset (e.g. 2025-11-20T09:00:00)"},
            "format": {"type": ["string", "null"], "enum": ["csv", "xlsx", "json", None]},
            "encoding": {"type": ["string", "null"]},
            "periods": {"type": "array", "items": {"type": "string"}},
            "regimes": {"type": "array", "items": {"type": "string"}},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"},
                       "description": "rows, valid, not_reported, written, revised, unchanged, flagged, daily_items"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Issue"}},
            "warnings": {"type": "array", "items": {"$ref": "#/components/schemas/Issue"}},
            "notes": {"type": "array", "items": {"$ref": "#/components/schemas/Issue"}},
            "mapping": {"type": ["object", "null"], "description": "the mapping given: source (explicit, confirmed, "
                        "saved), name (of a saved mapping), indicator"},
            "mappings": {"type": "object", "description": "names read as codes: {\"area\": {name as written: area key}}",
                         "additionalProperties": {"type": "object", "additionalProperties": {"type": "string"}}},
            "errors_total": {"type": "integer"}, "warnings_total": {"type": "integer"},
            "notes_total": {"type": "integer"}, "truncated": {"type": "boolean"},
            "data_version": {"type": ["integer", "null"]},
        },
    }
    observation_in = {
        "type": "object",
        "required": ["indicator_code", "area_code", "period", "value"],
        "properties": {
            "indicator_code": {"type": "string", "examples": ["CPI_YOY"]},
            "area_code": {"type": "string", "examples": ["01", "VN", "24@2025", "Hà Nội"],
                          "description": "An official code (read on the period's end date), an area key (24-63), "
                                         "CODE@YEAR or CODE@YYYY-MM-DD (the code read on that day: for an earlier "
                                         "period, that area's territory back-cast), or a name"},
            "period": {"type": "string", "examples": ["202509", "2025Q3", "2025", "2025-07-14"]},
            "value": {"type": ["number", "string", "null"],
                      "description": "A JSON number, or text by the number rule (1.234,5 / 1,234.5; 1.234 alone is ambiguous); null or empty = not reported"},
            "status": {"type": ["string", "null"], "description": "P, O, E or provisional/official/estimated; empty = O"},
            "note": {"type": ["string", "null"]},
            "territory": {"type": ["string", "null"], "examples": ["current"],
                          "description": "current (or hiện nay): the area cell is read in the reporting unit's "
                                         "current era (on the day received, or the unit's last day), as CODE@WHEN would; for a "
                                         "period before that area existed, the value is its territory back-cast "
                                         "(used by the comparable series instead of the former provinces' sum). "
                                         "Empty or absent: the code of the period's own era"},
        },
    }
    daily_in = {
        "type": "object",
        "required": ["date", "category", "severity", "title"],
        "properties": {
            "date": {"type": "string", "format": "date"}, "category": {"type": "string", "maxLength": 24},
            "severity": {"type": "string", "enum": ["info", "notice", "warning", "critical"]},
            "title": {"type": "string", "maxLength": 500}, "body": {"type": "string"},
        },
    }
    submission_in = {
        "type": "object",
        "properties": {
            "unit": {"type": "string", "description": "Optional; must be the token's unit (403 otherwise)"},
            "observations": {"type": "array", "items": {"$ref": "#/components/schemas/ObservationIn"}},
            "daily_items": {"type": "array", "items": {"$ref": "#/components/schemas/DailyItemIn"}},
        },
    }
    from api.directions import openapi_paths as direction_paths
    from api.directions import openapi_schemas as direction_schemas
    from api.metadata import openapi_paths, openapi_schemas

    bearer = [{"bearer": []}]
    optional_bearer = [{}, {"bearer": []}]
    unauthorized = _error_response("Missing, invalid, expired or revoked token")
    unavailable = {**_error_response("The warehouse is unavailable; nothing was done. Send the same request again "
                                     "after Retry-After seconds"),
                   "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Trung tâm Thông tin, Chỉ đạo điều hành — API",
            "version": "1.0.0",
            "description": "Report intake and reads of the Government operations centre (Decree 09/2019/NĐ-CP; "
                           "Decision 293/QĐ-TTg). Errors: {\"error\": {\"code\", \"message_vi\", \"message_en\"}}.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "Unit token from `flask --app app create-token`"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message_vi", "message_en"],
                    "properties": {"code": {"type": "string"}, "message_vi": {"type": "string"},
                                   "message_en": {"type": "string"}}}}},
                "Issue": issue,
                "SubmissionReport": report,
                "ObservationIn": observation_in,
                "DailyItemIn": daily_in,
                "SubmissionIn": submission_in,
                **openapi_schemas(),
                **direction_schemas(),
                "Indicator": {"type": "object", "properties": {
                    "code": {"type": "string"}, "name_vi": {"type": "string"}, "name_en": {"type": "string"},
                    "group_code": {"type": "string"}, "unit_vi": {"type": "string"}, "unit_en": {"type": "string"},
                    "periodicity": {"type": "string", "enum": ["D", "M", "Q", "S", "Y"]},
                    "agency_code": {"type": "string"}, "aggregation": {"type": "string"},
                    "direction": {"type": "string"}, "levels": {"type": "array", "items": {"type": "string"}},
                    "decimals": {"type": "integer"}, "definition_vi": {"type": "string"},
                    "definition_en": {"type": "string"}}},
                "Observation": {"type": "object", "properties": {
                    "area_key": {"type": "string"}, "area_code": {"type": "string"}, "period": {"type": "string"},
                    "value": {"type": "number"}, "status": {"type": ["string", "null"], "enum": ["P", "O", "E", None]},
                    "revision": {"type": ["integer", "null"]}, "flag": {"type": ["string", "null"]},
                    "recorded_at": {"type": ["string", "null"]},
                    "rebuilt": {"type": "boolean", "description": "rebuilt from former provinces (area=CODE@WHEN)"}}},
            },
        },
        "paths": {
            "/api/v1/health": {"get": {
                "summary": "Liveness and warehouse status", "operationId": "health", "tags": ["system"],
                "responses": {
                    "200": {"description": "The warehouse answers", "content": {"application/json": {"schema": {
                        "type": "object", "properties": {
                            "status": {"type": "string"}, "database": {"type": "string"},
                            "data_version": {"type": "integer"}, "updated_at": {"type": ["string", "null"]},
                            "observations": {"type": "integer"}, "latest_period": {"type": ["string", "null"]}}}}}},
                    "503": {"description": "The warehouse is unavailable"}}}},
            "/api/v1/version": {"get": {
                "summary": "The warehouse data_version (polled by live pages)", "operationId": "dataVersion",
                "tags": ["system"],
                "responses": {
                    "200": {"description": "Current version", "content": {"application/json": {"schema": {
                        "type": "object", "properties": {
                            "data_version": {"type": "integer"}, "updated_at": {"type": ["string", "null"]},
                            "min_interval_s": {"type": "number"}}}}}},
                    "503": {"description": "The warehouse is unavailable"}}}},
            "/api/v1/submissions": {"post": {
                "summary": "Submit values and daily items as the token's unit", "operationId": "createSubmission",
                "tags": ["intake"], "security": bearer,
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/SubmissionIn"}},
                    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                        "file": {"type": "string", "contentMediaType": "application/octet-stream",
                                 "description": "CSV (long, wide or SDMX-CSV), XLSX (long or wide), JSON, "
                                                "JSON-stat 2.0, PC-Axis .px or SDMX-ML 2.0/2.1 data"},
                        "mapping": {"type": "string", "contentMediaType": "application/json",
                                    "description": "An explicit mapping of the file's names to codes: "
                                                   "{\"indicator\": code, \"areas\": {name: area key, code or "
                                                   "CODE@YYYY; \"\" skips its rows}, \"indicators\": {name: code}}",
                                    "examples": ['{"indicator": "POPULATION", "areas": {"Ha Noi": "01"}}']}}}},
                    "text/csv": {"schema": {"type": "string"}}}},
                "parameters": [_param("indicator", "query", False, "string", "POPULATION",
                                      "Indicator code of a published table that names none (wide table, PC-Axis, "
                                      "JSON-stat)"),
                               _param("mapping", "query", False, "string", "dan-so-nien-giam",
                                      "Name of a mapping the token's unit saved on the upload page (names to "
                                      "codes); 400 mapping_not_found for a name the unit has not saved")],
                "responses": {
                    "201": _json("SubmissionReport", "Accepted: every value written in one transaction"),
                    "200": _json("SubmissionReport", "Duplicate: the same content was already accepted; nothing changed"),
                    "400": _error_response("Malformed request"),
                    "401": unauthorized,
                    "403": _error_response("The content declares another unit than the token's"),
                    "413": _error_response("Too large"),
                    "415": _error_response("Unsupported content type"),
                    "422": _json("SubmissionReport", "Rejected: nothing written; see errors"),
                    "503": unavailable}}},
            "/api/v1/submissions/{submission_id}": {"get": {
                "summary": "One submission and its validation report", "operationId": "getSubmission",
                "tags": ["intake"], "security": optional_bearer,
                "parameters": [_param("submission_id", "path", True, "integer", 1)],
                "responses": {
                    "200": _json("SubmissionReport", "The submission"),
                    "401": unauthorized,
                    "403": _error_response("A unit's token reading another unit's submission"),
                    "404": _error_response("No such submission"), "503": unavailable}}},
            "/api/v1/indicators": {"get": {
                "summary": "The indicator catalogue", "operationId": "listIndicators", "tags": ["catalogue"],
                "security": optional_bearer,
                "parameters": [
                    _param("group", "query", False, "string", "G01", "Group code (G01..G10)"),
                    _param("q", "query", False, "string", "gia", "Words in the code or names, with or without diacritics")],
                "responses": {
                    "200": {"description": "Indicators", "content": {"application/json": {"schema": {
                        "type": "object", "properties": {
                            "count": {"type": "integer"},
                            "indicators": {"type": "array", "items": {"$ref": "#/components/schemas/Indicator"}}}}}}},
                    "400": _error_response("Unknown group"), "401": unauthorized, "503": unavailable}}},
            "/api/v1/observations": {"get": {
                "summary": "Current values of one indicator", "operationId": "listObservations", "tags": ["data"],
                "security": optional_bearer,
                "parameters": [
                    _param("indicator", "query", True, "string", "RETAIL_SALES", "Indicator code"),
                    _param("area", "query", False, "string", "01",
                           "Area key (08-63); official code (08: the area it meant within from..to, 400 when "
                           "they cross its change in 2025); or CODE@WHEN (the area the code meant on that day, "
                           "a year meaning its 31 December: 24@2025 is today's Bắc Ninh through time, its "
                           "comparable series with back-casts as stored and earlier periods rebuilt from its "
                           "former provinces, marked rebuilt; 24@2019 is the former Bắc Giang). Without "
                           "CODE@WHEN, and without area, each area has only its own periods: a back-cast is "
                           "never listed"),
                    _param("from", "query", False, "string", "202401", "First period key (inclusive)"),
                    _param("to", "query", False, "string", "202512", "Last period key (inclusive)")],
                "responses": {
                    "200": {"description": "Observations", "content": {"application/json": {"schema": {
                        "type": "object", "properties": {
                            "indicator": {"type": "string"}, "unit_vi": {"type": "string"},
                            "unit_en": {"type": "string"}, "count": {"type": "integer"},
                            "observations": {"type": "array",
                                             "items": {"$ref": "#/components/schemas/Observation"}}}}}}},
                    "400": _error_response("Missing or bad parameter"), "401": unauthorized,
                    "503": unavailable}}},
            "/api/v1/templates/{unit}/{period}.xlsx": {"get": {
                "summary": "The XLSX form of what a unit owes for a period", "operationId": "getTemplate",
                "description": "A unit's token or reporter gets its own unit's form, with the confidential "
                               "indicators the unit reports; other callers get confidential rows only with "
                               "the confidential clearance.",
                "tags": ["intake"], "security": optional_bearer,
                "parameters": [
                    _param("unit", "path", True, "string", "UB01", "Unit (agency) code, e.g. UB01, TK"),
                    _param("period", "path", True, "string", "202509", "Period key, e.g. 202509")],
                "responses": {
                    "200": {"description": "The form", "content": {
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                            "schema": {"type": "string", "contentMediaType":
                                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}}},
                    "400": _error_response("Bad period key"), "401": unauthorized,
                    "403": _error_response("Another unit's form (a unit's token or reporter: its own only)"),
                    "404": _error_response("Unknown unit, unit not valid then, or nothing owed"),
                    "503": unavailable}}},
            **openapi_paths(unauthorized, unavailable),
            **direction_paths(unauthorized, unavailable),
            "/api/v1/openapi.json": {"get": {
                "summary": "This document", "operationId": "openapi", "tags": ["system"],
                "responses": {"200": {"description": "OpenAPI 3.1 document",
                                      "content": {"application/json": {"schema": {"type": "object"}}}},
                              "503": unavailable}}},
        },
    }
