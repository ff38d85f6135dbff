"""The upload page's command: an uploaded file through the intake command (the same ``submit``
as the API and the CLI), its report as this viewer may read it."""

from __future__ import annotations

from auth import current_principal
from data_access.compliance import report_for_viewer
from data_access.engine import current_warehouse
from ingest.pipeline import submit


def submit_upload(unit: str, payload: bytes, filename: str | None) -> dict:
    """Submit ``payload`` for ``unit`` on the upload channel, by the signed-in user; the report as
    a dict. The uploader sent these values as ``unit`` (a reporter: its own unit; else an admin):
    the report shows them in full."""
    principal = current_principal()  # None only with access control off
    report = submit(current_warehouse().engine, unit_code=unit, payload=payload,
                    filename=(filename or "upload")[:200], channel="upload",
                    submitted_by=principal.name if principal is not None else f"upload:{unit}")
    return report_for_viewer(report.as_dict(), report.unit, unit)
