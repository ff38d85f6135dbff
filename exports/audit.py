"""The audit hook of exports: every export route calls :func:`record_export` once per file served."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from flask import g, has_request_context, request

log = logging.getLogger("exports.audit")


def record_export(kind: str, spec: dict | list, fmt: str) -> None:
    """Record that the current request exported ``kind`` (a chart kind, or ``pack``) described by
    ``spec`` (a chart's resolved spec, or a pack's ``{"title", "specs"}``) as ``fmt``: who (the
    signed-in user, else "anonymous"), from which address, what and when.

    This is the single place every export passes through. It writes one structured line to the
    ``exports.audit`` logger, and an ``export`` entry to the append-only audit log table
    (:func:`auth.audit.record_request`, target ``<kind>.<fmt>``, the spec in the detail). It never
    raises: an export is not refused because it could not be recorded (the audit module logs its
    own write failures)."""
    try:
        who, role, address = "anonymous", None, None
        if has_request_context():
            principal = g.get("occ_principal")
            who = getattr(principal, "name", None) or who
            role = getattr(principal, "role", None)
            address = request.remote_addr
        entry = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "who": who, "role": role,
                 "ip": address, "action": "export", "kind": kind, "format": fmt, "spec": spec}
        log.info("export %s", json.dumps(entry, ensure_ascii=False, sort_keys=True, default=str))
        if has_request_context():
            from auth.audit import record_request

            record_request("export", target=f"{kind}.{fmt}", detail={"spec": spec})
    except Exception:  # noqa: BLE001 - recording must never break the export
        log.exception("could not record an export")
