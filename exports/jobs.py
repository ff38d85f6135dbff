"""Briefing packs rendered in the background: ``POST /export/pack.<fmt>`` with the header
``Prefer: respond-async`` answers ``202`` at once with a job; the pack waits for its turn at the
render gate (:mod:`exports.gate`) and is rendered on a thread of the worker that accepted it, so a
queued pack holds no request thread. The browser polls ``GET /export/jobs/<id>`` (queued with its
position, running, done, failed) and downloads ``GET /export/jobs/<id>/file`` when it is done.

The pack's data is read (and its specs validated) in the request, with the viewer's clearance;
only the rendering waits. Jobs and their files are rows of ``export_job`` in the warehouse, so the
poll and the download may reach any worker or host; only the job's owner sees it; a job is
deleted :data:`KEEP_S` after it was made. A job whose worker died is reported failed once its
place at the gate has lapsed (one lease)."""

from __future__ import annotations

import json
import logging
import threading

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from data_access import schema
from exports import packs
from exports.gate import Gate

log = logging.getLogger(__name__)

j = schema.export_job
KEEP_S = 900  # a job and its file are kept this long after the request


def submit(app, gate: Gate, owner: str, pack: packs.Pack, fmt: str, detail: dict, wait_s: float) -> str:
    """Queue the render of ``pack``; the job's id. :class:`exports.gate.Busy` when the queue is full."""
    ticket = gate.enqueue(owner)
    try:
        now = gate.clock()
        with gate.engine.begin() as conn:
            conn.execute(delete(j).where(j.c.created_at < now - KEEP_S))
            conn.execute(insert(j).values(id=ticket.id, owner=owner, fmt=fmt, state=ticket.state, created_at=now,
                                          detail=json.dumps(detail, ensure_ascii=False, default=str)))
    except BaseException:
        gate.release(ticket.id)
        raise
    threading.Thread(target=_run, args=(app, gate, ticket.id, ticket.state, pack, fmt, wait_s),
                     name="occ-pack-job", daemon=True).start()
    return ticket.id


def _set(engine: Engine, job_id: str, **values) -> None:
    with engine.begin() as conn:
        conn.execute(update(j).where(j.c.id == job_id).values(**values))


def _run(app, gate: Gate, job_id: str, state: str, pack: packs.Pack, fmt: str, wait_s: float) -> None:
    try:
        with app.app_context():
            if state == "queued" and gate.wait(job_id, wait_s).state != "running":
                raise RuntimeError("the job lost its place in the queue")
            _set(gate.engine, job_id, state="running")
            body = packs.render_file(pack, fmt)
            _set(gate.engine, job_id, state="done", body=body, filename=packs.pack_filename(pack, fmt),
                 finished_at=gate.clock())
    except Exception as exc:  # noqa: BLE001 - any failure is the job's state, read by the poll
        log.error("briefing pack job %s failed: %r", job_id, exc)
        try:
            _set(gate.engine, job_id, state="failed", error=repr(exc)[:500], finished_at=gate.clock())
        except Exception:  # noqa: BLE001 - the warehouse is away: the lapsed lease reports the job failed
            log.exception("could not record the failure of job %s", job_id)
    finally:
        gate.release(job_id)


def status(gate: Gate, job_id: str, owner: str) -> dict | None:
    """``{"id", "state", "position", "format"}`` of the owner's job (None: no such job of this owner).
    A job still queued or running without a live place at the gate belongs to a dead worker: failed."""
    with gate.engine.connect() as conn:
        row = conn.execute(select(j.c.state, j.c.fmt).where(j.c.id == job_id, j.c.owner == owner)).first()
    if row is None:
        return None
    state, position = row.state, 0
    if state in ("queued", "running"):
        ticket = gate.peek(job_id)
        state = {"gone": "failed", "queued": "queued"}.get(ticket.state, "running")
        position = ticket.position
        if ticket.state == "gone":  # it may have just finished: read once more
            with gate.engine.connect() as conn:
                state = conn.execute(select(j.c.state).where(j.c.id == job_id)).scalar()
            state = state if state in ("done", "failed") else "failed"
    return {"id": job_id, "state": state, "position": position, "format": row.fmt}


def result(engine: Engine, job_id: str, owner: str):
    """The owner's finished job (``body``, ``filename``, ``fmt``, ``detail``), or None."""
    with engine.connect() as conn:
        return conn.execute(select(j.c.body, j.c.filename, j.c.fmt, j.c.detail)
                            .where(j.c.id == job_id, j.c.owner == owner, j.c.state == "done")).first()
