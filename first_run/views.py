"""The first-run page: the checklist (GET), and the shipped demo configuration checked as a dry run
(``action=check_demo``: the diff) and applied (``action=apply_demo``), through the same import as the
command line, the API and the package page (:func:`ingest.metadata_files.import_package`: all of
the package or nothing, one transaction with its audit entry, history and cache stamps)."""

from __future__ import annotations

from flask import abort, current_app, request
from flask.typing import ResponseReturnValue

from auth.guard import current_principal, engine
from auth.views import _csrf_or_400, _lang, render_page
from data_access.setup_state import SetupState, setup_state
from domain.metadata import KINDS
from first_run import PATH, bp
from i18n import t
from ingest.metadata_files import import_package
from ingest.pipeline import IntakeLimits
from ingest.reference import DEMO_PACKAGE
from metadata.service import Actor, Outcome

# The API's example: the unit's first report as JSON (its codes are the reader's own).
API_EXAMPLE = """curl -X POST {origin}/api/v1/submissions \\
  -H "Authorization: Bearer occ_..." -H "Content-Type: application/json" \\
  -d '{{"observations": [{{"indicator_code": "...", "area_code": "01", "period": "202611", "value": 12.3}}]}}'"""


def _actor() -> Actor:
    p = current_principal()
    return Actor(p.name if p else "anonymous", p.role if p else None, request.remote_addr, "page")


def _state() -> SetupState:
    with engine().connect() as conn:
        return setup_state(conn)


def _show(status: int = 200, *, outcome: Outcome | None = None, message: str | None = None,
          error: str | None = None) -> ResponseReturnValue:
    state = _state()
    steps = [("configured", state.configured), ("units", state.units_ready), ("report", state.reported)]
    return render_page("first_run/page.html", status, state=state, steps=steps, kinds=KINDS, outcome=outcome,
                       message=message, error=error, api_example=API_EXAMPLE.format(origin=request.host_url.rstrip("/")))


def _changed(outcome: Outcome) -> int:
    return sum(n for counts in outcome.diff.counts().values() for n in counts.values())


@bp.route(PATH, methods=["GET", "POST"])
def first_run_page() -> ResponseReturnValue:
    if request.method == "GET":
        return _show()
    _csrf_or_400()
    lang = _lang()
    action = request.form.get("action")
    if action not in ("check_demo", "apply_demo"):
        abort(400)
    limits = IntakeLimits.from_settings(current_app.config.get("SETTINGS"))
    outcome = import_package(engine(), DEMO_PACKAGE.read_bytes(), actor=_actor(), dry_run=action == "check_demo",
                             limits=limits)
    if not outcome.ok:
        return _show(400, outcome=outcome, error=t("first.demo_refused", lang, n=len(outcome.problems)))
    if action == "check_demo":
        key = "first.demo_same" if outcome.diff.empty else "first.demo_preview"
        return _show(outcome=outcome, message=t(key, lang))
    return _show(message=t("first.demo_applied", lang, n=_changed(outcome)))

