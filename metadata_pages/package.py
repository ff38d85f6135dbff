"""The package page, ``/admin/metadata``: the counts of each kind with links to their lists, the
export (``/admin/metadata/package.json`` and ``.xlsx``), and the import — an uploaded file is read
within the intake's limits and checked as a dry run that shows the diff (added / changed / retired
per kind) or every problem; "Apply" then applies that same file through the same service, all of
it or nothing.

Between the check and "Apply" the file waits in the instance folder under its SHA-256 and the
admin's name (``metadata-staged/``); the form carries only the digest. A staged file is used once,
and files older than a day are removed at the next check."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

from flask import Response, current_app, request
from flask.typing import ResponseReturnValue

from auth.guard import engine
from auth.views import _csrf_or_400, _lang, render_page
from domain.metadata import KINDS
from i18n import t
from ingest.metadata_files import import_package, read_package
from ingest.pipeline import IntakeLimits
from metadata import store
from metadata.package import document, json_bytes, xlsx_bytes
from metadata.service import Outcome, parse_package
from metadata_pages import bp, forms
from metadata_pages.views import actor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STAGED_FOR = 24 * 3600  # seconds a checked file waits for "Apply"
SHOWN_KEYS = 200  # keys listed per kind and part of a diff (the counts are exact)
SHOWN_PROBLEMS = 500
SHOWN_CHANGES = 50  # changed records of a kind shown field by field
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def _staging() -> Path:
    folder = Path(current_app.instance_path) / "metadata-staged"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _staged_path(digest: str) -> Path:
    owner = hashlib.sha256(actor().name.encode("utf-8")).hexdigest()[:16]  # one admin's file is not another's
    return _staging() / f"{digest}-{owner}"


def _stage(payload: bytes) -> str:
    now = time.time()
    for old in _staging().iterdir():
        if now - old.stat().st_mtime > STAGED_FOR:
            old.unlink(missing_ok=True)
    digest = hashlib.sha256(payload).hexdigest()
    _staged_path(digest).write_bytes(payload)
    return digest


def _counts() -> dict[str, int]:
    with engine().connect() as conn:
        config = store.read_config(conn)
    return {kind: len(config[kind]) for kind in KINDS}


def _show(status: int = 200, **context: object) -> ResponseReturnValue:
    context = {"outcome": None, "file_name": None, "digest": None, "message": None, "error": None, "changes": {},
               **context}
    return render_page("metadata_pages/package.html", status, kind=None, kinds=forms.KINDS_SHOWN, forms=forms,
                       counts=_counts(), shown_keys=SHOWN_KEYS, shown_problems=SHOWN_PROBLEMS, **context)


def _upload(limits: IntakeLimits, lang: str) -> tuple[bytes | None, str, tuple[int, str] | None]:
    """(payload, file name, None), or (None, "", (status, error)): the posted file, read no further
    than the intake's limit."""
    if request.content_length is not None and request.content_length > limits.max_bytes + 1024 * 1024:
        return None, "", (413, t("meta.too_large", lang, size=request.content_length, limit=limits.max_bytes))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None, "", (400, t("meta.no_file", lang))
    payload = upload.stream.read(limits.max_bytes + 1)
    if len(payload) > limits.max_bytes:
        return None, "", (413, t("meta.too_large", lang, size=f"> {limits.max_bytes}", limit=limits.max_bytes))
    return payload, upload.filename[:200], None


@bp.route("/admin/metadata", methods=["GET", "POST"])
def package_page() -> ResponseReturnValue:
    if request.method == "GET":
        return _show()
    _csrf_or_400()
    lang = _lang()
    limits = IntakeLimits.from_settings(current_app.config.get("SETTINGS"))
    if request.form.get("action") == "apply":
        digest = request.form.get("digest") or ""
        staged = _staged_path(digest) if _DIGEST.match(digest) else None
        if staged is None or not staged.exists():
            return _show(400, error=t("meta.staged_gone", lang))
        payload = staged.read_bytes()
        outcome = import_package(engine(), payload, actor=actor(), limits=limits)
        if outcome.ok:
            staged.unlink(missing_ok=True)
            changed = sum(n for c in outcome.diff.counts().values() for n in c.values())
            return _show(message=t("meta.applied", lang, n=changed), outcome=outcome)
        return _show(400, outcome=outcome, error=t("meta.preview_bad", lang, n=len(outcome.problems)))
    payload, name, refusal = _upload(limits, lang)
    if payload is None or refusal is not None:
        status, error = refusal or (400, t("meta.no_file", lang))
        return _show(status, error=error)
    outcome = import_package(engine(), payload, actor=actor(), dry_run=True, limits=limits)
    return _preview(outcome, payload, name, limits, lang)


def _changes(outcome: Outcome, payload: bytes, limits: IntakeLimits, lang: str
             ) -> dict[str, list[tuple[str, list[tuple[str, str, str]]]]]:
    """Per kind, the first changed records of a valid package with their fields before and after."""
    with engine().connect() as conn:
        base = store.read_config(conn)
    records, _, _ = parse_package(read_package(payload, limits), base)
    return {kind: [(key, forms.field_diff(kind, base[kind][key], records[kind][key], lang))
                   for key in outcome.diff.changed[kind][:SHOWN_CHANGES]]
            for kind in KINDS if outcome.diff.changed[kind]}


def _preview(outcome: Outcome, payload: bytes, name: str, limits: IntakeLimits, lang: str) -> ResponseReturnValue:
    if not outcome.ok:
        return _show(400, outcome=outcome, file_name=name, error=t("meta.preview_bad", lang, n=len(outcome.problems)))
    if outcome.diff.empty:
        return _show(outcome=outcome, file_name=name, message=t("meta.preview_same", lang))
    return _show(outcome=outcome, file_name=name, digest=_stage(payload), message=t("meta.preview_ok", lang),
                 changes=_changes(outcome, payload, limits, lang))


@bp.get("/admin/metadata/package.<any(json, xlsx):fmt>")
def package_file(fmt: str) -> Response:
    """The whole configuration as one file (the same bytes as the API's export)."""
    with engine().connect() as conn:
        doc = document(store.read_config(conn))
    body, mimetype = (xlsx_bytes(doc), XLSX) if fmt == "xlsx" else (json_bytes(doc), "application/json")
    res = Response(body, mimetype=mimetype)
    res.headers["Content-Disposition"] = f'attachment; filename="cau-hinh.{fmt}"'
    res.headers["Cache-Control"] = "no-store"
    return res
