"""The upload page's commands: an uploaded file's proposed mapping (names to codes), the file through
the intake command (the same ``submit`` as the API and the CLI) with the mapping the officer
confirmed, its report as this viewer may read it, and a confirmed mapping saved for the unit."""

from __future__ import annotations

from auth import current_principal
from data_access.compliance import report_for_viewer
from data_access.engine import current_warehouse
from ingest.mappings import FileProposal, propose, save_mapping
from ingest.pipeline import IntakeLimits, submit
from ingest.published import ImportMapping


def _submitter(unit: str) -> str:
    principal = current_principal()  # None only with access control off
    return principal.name if principal is not None else f"upload:{unit}"


def submit_upload(unit: str, payload: bytes, filename: str | None, mapping: ImportMapping | None = None) -> dict:
    """Submit ``payload`` for ``unit`` on the upload channel, by the signed-in user, with the
    ``mapping`` the officer confirmed; the report as a dict. The uploader sent these values as
    ``unit`` (a reporter: its own unit; else an admin): the report shows them in full."""
    report = submit(current_warehouse().engine, unit_code=unit, payload=payload,
                    filename=(filename or "upload")[:200], channel="upload", submitted_by=_submitter(unit),
                    mapping=mapping)
    return report_for_viewer(report.as_dict(), report.unit, unit)


def propose_upload(unit: str, payload: bytes, filename: str | None) -> FileProposal:
    """The mapping the product proposes for the uploaded file (the unit's saved one for its shape
    when there is one); ``needs_mapping`` False when the file names everything by codes."""
    from flask import current_app

    limits = IntakeLimits.from_settings(current_app.config.get("SETTINGS"))
    if len(payload) > limits.max_bytes:
        return FileProposal(unit=unit)
    with current_warehouse().engine.connect() as conn:
        return propose(conn, unit, payload, (filename or "upload")[:200], max_rows=limits.max_rows,
                       budget=limits.read_budget())


def save_upload_mapping(unit: str, name: str, signature: str, mapping: ImportMapping) -> int:
    """Save the confirmed ``mapping`` as the unit's mapping ``name`` (the signed-in officer of the
    unit, or an admin: the page holds a reporter to its own unit)."""
    principal = current_principal()
    return save_mapping(current_warehouse().engine, unit, name, signature, mapping, actor=_submitter(unit),
                        role=principal.role if principal is not None else None, channel="upload")
