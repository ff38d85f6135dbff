"""The first-run page of an empty centre, ``/admin/first-run`` (admins only): a checklist of the
three steps from an empty warehouse (``SEED_DEMO=0``) to a working centre, each ticked from what
the warehouse holds (:mod:`data_access.setup_state`):

1. import a metadata package: the shipped demo configuration in one click (checked first as a dry
   run that shows the diff, then applied), or an uploaded package on the package page, or records
   created one by one on the configuration's pages;
2. create the reporting units and their API tokens;
3. send a first report (the upload page, or the API with the unit's token).

A signed-in admin who opens the overview while the centre has no configuration (no indicator, no
unit) is sent here; afterwards the page stays in the admin navigation as a checklist.

A package of its own, like :mod:`metadata_pages`: it calls :mod:`ingest` and :mod:`metadata`,
which import :mod:`auth` (the audit log), so it cannot live in :mod:`auth`.
"""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, request
from flask.typing import ResponseReturnValue

PATH = "/admin/first-run"

bp = Blueprint("first_run", __name__, template_folder="templates")

from first_run import views  # noqa: E402,F401 - the routes, on bp

__all__ = ["PATH", "bp", "init_first_run"]


def _to_first_run() -> ResponseReturnValue | None:
    """The overview, asked for by a signed-in admin of a centre without configuration: the
    first-run page instead (one cheap probe, only for that request)."""
    if request.method != "GET" or request.path != "/":
        return None
    from auth.guard import current_principal, engine
    from auth.policy import ADMIN
    from data_access.setup_state import has_configuration

    principal = current_principal()
    if principal is None or principal.kind != "user" or principal.role != ADMIN:
        return None
    with engine().connect() as conn:
        if has_configuration(conn):
            return None
    suffix = "?lang=en" if request.args.get("lang") == "en" else ""
    return redirect(PATH + suffix, code=303)


def init_first_run(server: Flask) -> None:
    """Mount the page and the overview's redirect (after :func:`auth.init_auth`, whose guard has
    already said who is asking)."""
    server.register_blueprint(bp)
    server.before_request(_to_first_run)
