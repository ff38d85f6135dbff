"""The download of a direction's attachment (``/direction-files/<ref>/<id>``) for the signed-in
users who may see the direction (the guard opens the prefix to the centre and to reporters; the
service's visibility rule decides the rest: another unit's or a confidential direction's file is
"not found", as the direction itself is). Every download served is audited (``direction.file``: who,
which file, from where), as an export is. A plain Flask view: a file, not a page."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, request, send_file
from flask.typing import ResponseReturnValue

from auth.audit import record_request
from auth.guard import current_principal, engine
from directions import service

PATH = "/direction-files"
bp = Blueprint("direction_files", __name__)


@bp.get(f"{PATH}/<ref>/<int:attachment_id>")
def attachment(ref: str, attachment_id: int) -> ResponseReturnValue:
    p = current_principal()
    actor = (service.Actor("admin", "admin", None, True) if p is None else service.actor_of(p, request.remote_addr))
    with engine().connect() as conn:
        found = service.attachment_path(conn, actor, ref[:40], attachment_id)
    if found is None or not found[0].is_file():
        abort(404)
    path, filename, content_type = found
    record_request("direction.file", target=f"{ref[:40]}/{attachment_id}", detail={"filename": filename})
    return send_file(path, mimetype=content_type, as_attachment=True, download_name=filename, max_age=0)


def init_direction_files(server: Flask) -> None:
    """Mount the download route (the guard, registered by :func:`auth.init_auth`, covers it)."""
    server.register_blueprint(bp)
