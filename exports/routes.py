"""The export routes (a blueprint mounted at ``/export``).

* ``GET /export/chart.<fmt>?spec=<spec>&lang=vi`` — one chart as ``png`` (3840x2160), ``svg``,
  ``pdf``, ``csv`` or ``xlsx``. ``spec`` is base64url JSON (:func:`exports.specs.encode_spec`) or
  plain JSON.
* ``POST /export/pack.<fmt>`` — a briefing pack as ``pptx`` or ``pdf``; the body is JSON
  ``{"title": ..., "specs": [...], "lang": "vi"}`` or a form with the fields ``title``, ``specs``
  (JSON list) and ``lang``. ``GET /export/pack.<fmt>?pack=<compact>&lang=vi`` does the same from a
  link (:func:`exports.specs.encode_pack`).
  With the header ``Prefer: respond-async`` the answer is ``202`` and a job
  (:mod:`exports.jobs`): ``GET /export/jobs/<id>`` says whether it is queued (and where), running,
  done or failed; ``GET /export/jobs/<id>/file`` is the file. The briefing page works this way.
* ``GET /export/kinds`` — the chart kinds and their parameters.

Renders go through the render gate (:mod:`exports.gate`), shared by every worker and host: packs
at most ``EXPORT_PACK_CONCURRENCY`` at once and ``EXPORT_PACK_PER_USER`` of one user, the rest
queued first come, first served (a synchronous request waits in the queue, up to
``EXPORT_WAIT_SECONDS``); chart images (PNG, SVG, PDF; they take well under a second) at most
``EXPORT_CHART_CONCURRENCY`` at once and ``EXPORT_CHART_PER_USER`` of one user, without a queue.
CSV and XLSX use no browser and pass freely. Beyond the queue's bounds the answer is ``429`` with
``Retry-After`` and JSON ``{"error": "busy", "scope": "user"|"all", "message": ...}``.

A bad spec is a ``400`` with JSON ``{"error": "bad_spec", "message": ..., "field": ...}``; a
browser that cannot render is a ``503``. Every file served is recorded by
:func:`exports.audit.record_export`. Responses are private (they may hold confidential
indicators for a cleared viewer) and never cached by shared caches.
"""

from __future__ import annotations

import json
import logging
import threading

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for

from exports import files, jobs, packs
from exports.audit import record_export
from exports.gate import Busy, Gate, Limits
from exports.render import RenderError
from exports.specs import KINDS, SpecError, build, decode_pack, decode_spec
from i18n import t
from web.lang import request_lang

log = logging.getLogger(__name__)

bp = Blueprint("exports", __name__, url_prefix="/export")

PACK_FORMATS = ("pptx", "pdf")
IMAGE_FORMATS = ("png", "svg", "pdf")  # chart formats drawn by the export browser
_gates_lock = threading.Lock()


def gate(kind: str) -> Gate:
    """The app's render gate of ``kind`` ("pack" or "chart"), on its warehouse."""
    gates = current_app.extensions.setdefault("occ_export_gates", {})
    if kind not in gates:
        with _gates_lock:
            if kind not in gates:
                from data_access.engine import current_warehouse

                st = current_app.config["SETTINGS"]
                if kind == "pack":
                    limits = Limits(running=st.export_pack_concurrency, per_user=st.export_pack_per_user,
                                    queue=st.export_queue_max, queue_per_user=st.export_queue_per_user,
                                    lease_s=st.export_lease_seconds)
                else:
                    limits = Limits(running=st.export_chart_concurrency, per_user=st.export_chart_per_user,
                                    queue=0, queue_per_user=0, lease_s=st.export_lease_seconds, retry_after_s=2)
                gates[kind] = Gate(current_warehouse().engine, kind, limits)
    return gates[kind]


def owner() -> str:
    """Whose render this is: the signed-in user, else (access control off) the client's address."""
    name = getattr(g.get("occ_principal"), "name", None)
    return f"user:{name}" if name else f"ip:{request.remote_addr}"


def _request_lang() -> str:
    body = request.get_json(silent=True) if request.is_json else None
    return request_lang(form=True, body=body if isinstance(body, dict) else None)


def _error(status: int, error: str, message: str, field: str | None = None) -> Response:
    res = jsonify({"error": error, "message": message, "field": field})
    res.status_code = status
    return res


def _file(body: bytes, fmt: str, name: str) -> Response:
    res = Response(body, mimetype=files.MIME[fmt])
    res.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    res.headers["Cache-Control"] = "private, no-store"
    res.headers["X-Content-Type-Options"] = "nosniff"
    return res


@bp.errorhandler(SpecError)
def _bad_spec(exc: SpecError):
    return _error(400, "bad_spec", str(exc), exc.field)


@bp.errorhandler(RenderError)
def _render_failed(exc: RenderError):
    log.error("export rendering failed: %s", exc)
    return _error(503, "render_failed", "the chart could not be rendered; try again in a moment")


@bp.errorhandler(Busy)
def _busy(exc: Busy):
    res = jsonify({"error": "busy", "scope": exc.scope, "retry_after": exc.retry_after,
                   "message": t(f"exp.busy.{exc.scope}", _request_lang(), seconds=exc.retry_after)})
    res.status_code = 429
    res.headers["Retry-After"] = str(exc.retry_after)
    return res


@bp.get("/chart.<fmt>")
def chart(fmt: str):
    if fmt not in files.FORMATS:
        return _error(404, "unknown_format", f"format must be one of {', '.join(files.FORMATS)}", "format")
    text = request.args.get("spec")
    if not text:
        raise SpecError("missing the spec parameter", "spec")
    lang = request_lang()
    result = build(decode_spec(text), lang)
    if fmt == "csv":
        body = files.chart_csv(result)
    elif fmt == "xlsx":
        body = files.chart_xlsx(result)
    else:
        with gate("chart").hold(owner()):
            body = files.image(result, fmt)
    record_export(result.spec["kind"], result.spec, fmt)
    return _file(body, fmt, files.filename(result, fmt))


def _pack_request() -> tuple[str, list, str]:
    """(title, specs, lang) from a JSON body, a form, or the ``pack`` query parameter."""
    if request.method == "GET":
        text = request.args.get("pack")
        if not text:
            raise SpecError("missing the pack parameter", "pack")
        title, specs = decode_pack(text)
        return title, specs, request_lang()
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise SpecError("the body must be a JSON object {title, specs, lang}")
        return str(body.get("title") or ""), body.get("specs"), request_lang(body=body)
    try:
        specs = json.loads(request.form.get("specs") or "null")
    except ValueError:
        raise SpecError("specs must be a JSON list", "specs") from None
    return request.form.get("title", ""), specs, request_lang(form=True)


@bp.route("/pack.<fmt>", methods=["GET", "POST"])
def pack(fmt: str):
    if fmt not in PACK_FORMATS:
        return _error(404, "unknown_format", f"format must be one of {', '.join(PACK_FORMATS)}", "format")
    title, specs, lang = _pack_request()
    result = packs.build_pack(title, specs, lang)
    detail = {"title": result.title, "specs": [c.spec for c in result.charts]}
    wait_s = current_app.config["SETTINGS"].export_wait_seconds
    if "respond-async" in request.headers.get("Prefer", ""):
        job_id = jobs.submit(current_app._get_current_object(), gate("pack"), owner(), result, fmt,
                             {"spec": detail, "lang": lang}, wait_s)
        res = _job_status(job_id, lang)
        res.status_code = 202
        res.headers["Location"] = url_for("exports.job", job_id=job_id, lang=lang)
        res.headers["Preference-Applied"] = "respond-async"
        return res
    with gate("pack").hold(owner(), timeout=wait_s):
        body = packs.render_file(result, fmt)
    record_export("pack", detail, fmt)
    return _file(body, fmt, packs.pack_filename(result, fmt))


def _job_status(job_id: str, lang: str) -> Response:
    status = jobs.status(gate("pack"), job_id, owner())
    if status is None:
        return _error(404, "unknown_job", "no such export job", "job")
    state = status["state"]
    status["message"] = {"queued": t("exp.queued", lang, position=status["position"]),
                         "running": t("brief.preparing", lang), "done": t("exp.ready", lang),
                         "failed": t("exp.failed", lang)}[state]
    status["status_url"] = url_for("exports.job", job_id=job_id, lang=lang)
    status["file_url"] = url_for("exports.job_file", job_id=job_id) if state == "done" else None
    res = jsonify(status)
    res.headers["Cache-Control"] = "private, no-store"
    return res


@bp.get("/jobs/<job_id>")
def job(job_id: str):
    return _job_status(job_id, request_lang())


@bp.get("/jobs/<job_id>/file")
def job_file(job_id: str):
    row = jobs.result(gate("pack").engine, job_id, owner())
    if row is None:
        return _error(404, "unknown_job", "no such finished export job", "job")
    record_export("pack", json.loads(row.detail)["spec"], row.fmt)
    return _file(row.body, row.fmt, row.filename)


@bp.get("/kinds")
def kinds():
    return jsonify({name: {"parameters": sorted(k for k in kind.fields if k != "kind"),
                           "required": [k for k in kind.required if k != "kind"]} for name, kind in KINDS.items()})
