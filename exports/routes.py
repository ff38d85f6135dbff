"""The export routes (a blueprint mounted at ``/export``).

* ``GET /export/chart.<fmt>?spec=<spec>&lang=vi`` — one chart as ``png`` (3840x2160), ``svg``,
  ``pdf``, ``csv`` or ``xlsx``. ``spec`` is base64url JSON (:func:`exports.specs.encode_spec`) or
  plain JSON.
* ``POST /export/pack.<fmt>`` — a briefing pack as ``pptx`` or ``pdf``; the body is JSON
  ``{"title": ..., "specs": [...], "lang": "vi"}`` or a form with the fields ``title``, ``specs``
  (JSON list) and ``lang``. ``GET /export/pack.<fmt>?pack=<compact>&lang=vi`` does the same from a
  link (:func:`exports.specs.encode_pack`).
* ``GET /export/kinds`` — the chart kinds and their parameters.

A bad spec is a ``400`` with JSON ``{"error": "bad_spec", "message": ..., "field": ...}``; a
browser that cannot render is a ``503``. Every file served is recorded by
:func:`exports.audit.record_export`. Responses are private (they may hold confidential
indicators for a cleared viewer) and never cached by shared caches.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, jsonify, request

from components.i18n import norm_lang
from exports import files, packs
from exports.audit import record_export
from exports.render import RenderError
from exports.specs import KINDS, SpecError, build, decode_pack, decode_spec

log = logging.getLogger(__name__)

bp = Blueprint("exports", __name__, url_prefix="/export")

PACK_FORMATS = ("pptx", "pdf")


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


@bp.get("/chart.<fmt>")
def chart(fmt: str):
    if fmt not in files.FORMATS:
        return _error(404, "unknown_format", f"format must be one of {', '.join(files.FORMATS)}", "format")
    text = request.args.get("spec")
    if not text:
        raise SpecError("missing the spec parameter", "spec")
    lang = norm_lang(request.args.get("lang"))
    result = build(decode_spec(text), lang)
    if fmt == "csv":
        body = files.chart_csv(result)
    elif fmt == "xlsx":
        body = files.chart_xlsx(result)
    else:
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
        return title, specs, norm_lang(request.args.get("lang"))
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise SpecError("the body must be a JSON object {title, specs, lang}")
        return str(body.get("title") or ""), body.get("specs"), norm_lang(body.get("lang"))
    try:
        specs = json.loads(request.form.get("specs") or "null")
    except ValueError:
        raise SpecError("specs must be a JSON list", "specs") from None
    return request.form.get("title", ""), specs, norm_lang(request.form.get("lang") or request.args.get("lang"))


@bp.route("/pack.<fmt>", methods=["GET", "POST"])
def pack(fmt: str):
    if fmt not in PACK_FORMATS:
        return _error(404, "unknown_format", f"format must be one of {', '.join(PACK_FORMATS)}", "format")
    title, specs, lang = _pack_request()
    result = packs.build_pack(title, specs, lang)
    body = packs.to_pptx(result) if fmt == "pptx" else packs.to_pdf(result)
    record_export("pack", {"title": result.title, "specs": [c.spec for c in result.charts]}, fmt)
    return _file(body, fmt, packs.pack_filename(result, fmt))


@bp.get("/kinds")
def kinds():
    return jsonify({name: {"parameters": sorted(k for k in kind.fields if k != "kind"),
                           "required": [k for k in kind.required if k != "kind"]} for name, kind in KINDS.items()})
