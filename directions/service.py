"""The writes of directions: :func:`create` and :func:`act`, one command behind every door (the
pages, the API, the demo seed).

Each runs in the caller's transaction: it checks everything first (the transition table of
:mod:`domain.directions`, the fields, the files), then writes the direction, its event, its
attachments and one audit entry (``direction.<action>``), and bumps the ``directions`` cache stamp
so every cached read of :mod:`data_access.directions` is recomputed. A direction that is (still or
again) open past its deadline after the write is evaluated at once by the ``direction`` alert
rules (:func:`alerts.evaluate.on_directions`, one direction; the hourly job catches up on the rest
and on bulk writes, ``stamp=False``). A refusal raises
:class:`directions.errors.DirectionError` and writes nothing to the warehouse.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Connection

from alerts.evaluate import on_directions
from alerts.store import escalate as escalate_alerts
from auth import audit
from data_access import schema
from data_access.directions import SCOPE
from data_access.engine import bump_data_version
from directions.attachments import StoredFile, Upload, store
from directions.errors import NOT_FOUND, DirectionError
from directions.summary import refresh as refresh_summary
from domain import directions as rules
from domain.text import fold

d, du, di, da, ev, att = (schema.direction, schema.direction_unit, schema.direction_indicator,
                          schema.direction_area, schema.direction_event, schema.direction_attachment)
ag, ind, ar = schema.agency, schema.indicator, schema.area
TITLE_MAX, TEXT_MAX, SHORT_MAX = 500, 20_000, 60
MAX_FILES = 10
EDITABLE = ("title", "content", "form", "doc_number", "leader", "priority")


@dataclass(frozen=True)
class Actor:
    """Who writes: a user (name, role, unit of a reporter, confidential grant) or a unit's token
    (role ``unit-token``, its unit). ``display`` is the name shown as the issuing leader by default."""

    name: str
    role: str
    unit: str | None = None
    cleared: bool = False
    display: str = ""
    ip: str | None = None

    @property
    def viewer(self) -> rules.Viewer:
        return rules.Viewer(self.role, self.unit, self.cleared)


def actor_of(principal: Any, ip: str | None = None) -> Actor:
    """The actor of an ``auth.policy.Principal`` (a user, a unit's token: role ``unit-token``)."""
    return Actor(principal.name, principal.role, principal.unit_code, principal.clearance in ("all", "admin"),
                 principal.display_name or principal.name, ip)


def viewer_of(principal: Any) -> rules.Viewer:
    """The :class:`domain.directions.Viewer` of an ``auth.policy.Principal`` (users, walls, tokens)."""
    if principal is None:
        return rules.Viewer("none")
    return rules.Viewer(principal.role, principal.unit_code, principal.clearance in ("all", "admin"))


def utc_now() -> datetime:
    """Now in UTC, naive, to the second (how directions' timestamps are stored)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _settings() -> Any:
    from flask import current_app, has_app_context

    if has_app_context() and "SETTINGS" in current_app.config:
        return current_app.config["SETTINGS"]
    from settings import Settings

    return Settings.from_env()


# --- reading the fields --------------------------------------------------------------------------


def _text(fields: Mapping[str, Any], name: str, limit: int, *, required: bool = False) -> str:
    value = fields.get(name)
    text = "" if value is None else str(value).replace("\x00", "").strip()
    if required and not text:
        raise DirectionError("dir.err.required", name)
    if len(text) > limit:
        raise DirectionError("dir.err.too_long", name, limit=limit)
    return text


def _date(value: Any, name: str, *, required: bool = False) -> date | None:
    if value is None or value == "":
        if required:
            raise DirectionError("dir.err.required", name)
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise DirectionError("dir.err.bad_date", name) from None


def _choice(fields: Mapping[str, Any], name: str, allowed: Sequence[str], default: str) -> str:
    value = str(fields.get(name) or default)
    if value not in allowed:
        raise DirectionError("dir.err.bad_choice", name)
    return value


def _codes(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return list(dict.fromkeys(str(v).strip() for v in items if str(v).strip()))


def _ids(conn: Connection, column: Any, id_column: Any, codes: list[str], field: str,
         *extra: Any) -> dict[str, int]:
    if not codes:
        return {}
    found = {c: i for c, i in conn.execute(select(column, id_column).where(column.in_(codes), *extra))}
    missing = [c for c in codes if c not in found]
    if missing:
        raise DirectionError("dir.err.unknown", field, value=", ".join(missing[:5]))
    return found


def _search_text(*parts: str) -> str:
    return fold(" ".join(p for p in parts if p))


# --- create --------------------------------------------------------------------------------------


def create(conn: Connection, actor: Actor, fields: Mapping[str, Any], *, at: datetime | None = None,
           today: date | None = None, stamp: bool = True) -> str:
    """Create a direction from ``fields`` and return its ref ("NV-2026-00042"). A leader's or an
    admin's is assigned at once, an analyst's is a draft awaiting a leader's approval.

    Fields: title, content, form, doc_number, leader (default: the actor's name), issued_on
    (default: today), lead_unit (agency code), cooperating_units (codes), deadline, priority,
    indicators (codes), areas (area keys), origin, origin_context (a dict: indicator, area, period
    shown). ``stamp=False``: the caller bumps the ``directions`` stamp itself (the demo seed, once
    for all)."""
    at = at or utc_now()
    today = today or rules.center_date(at)
    state = rules.next_state(rules.NEW, rules.CREATE, actor.role)
    if state is None:
        raise DirectionError("dir.err.not_allowed", "action")
    title = _text(fields, "title", TITLE_MAX, required=True)
    content = _text(fields, "content", TEXT_MAX)
    doc_number = _text(fields, "doc_number", SHORT_MAX)
    leader = _text(fields, "leader", 200) or actor.display or actor.name
    form = _choice(fields, "form", rules.FORMS, "van_ban")
    priority = _choice(fields, "priority", rules.PRIORITIES, "normal")
    origin = _choice(fields, "origin", rules.ORIGINS, "page")
    issued_on = _date(fields.get("issued_on"), "issued_on") or today
    deadline = _date(fields.get("deadline"), "deadline", required=True)
    assert deadline is not None
    if deadline < issued_on:
        raise DirectionError("dir.err.deadline_before_issue", "deadline")
    lead_code = _text(fields, "lead_unit", 24, required=True)
    units = _ids(conn, ag.c.code, ag.c.id, [lead_code], "lead_unit")
    cooperating = [c for c in _codes(fields.get("cooperating_units")) if c != lead_code]
    co_units = _ids(conn, ag.c.code, ag.c.id, cooperating, "cooperating_units")
    visible = [] if actor.viewer.sees_confidential else [ind.c.confidential.is_(False)]
    indicators = _ids(conn, ind.c.code, ind.c.id, _codes(fields.get("indicators")), "indicators", *visible)
    areas = _ids(conn, ar.c.key, ar.c.id, _codes(fields.get("areas")), "areas")
    confidential = bool(indicators) and bool(conn.execute(
        select(func.count()).where(ind.c.id.in_(list(indicators.values())), ind.c.confidential.is_(True))).scalar())
    context = fields.get("origin_context")
    ref = _next_ref(conn, issued_on.year)
    did = conn.execute(d.insert().values(
        ref=ref, title=title, content=content, form=form, doc_number=doc_number, leader=leader,
        leader_key=" ".join(fold(leader).split()), issued_on=issued_on,
        lead_agency_id=units[lead_code], deadline=deadline, first_deadline=deadline, priority=priority, state=state,
        confidential=confidential, created_by=actor.name, created_at=at, updated_at=at,
        search_text=_search_text(ref, title, content, doc_number, leader), origin=origin,
        origin_context=json.dumps(context, ensure_ascii=False, default=str) if isinstance(context, dict) else None,
    )).inserted_primary_key[0]
    rows = [{"direction_id": did, "agency_id": units[lead_code], "role": rules.LEAD}]
    rows += [{"direction_id": did, "agency_id": i, "role": rules.COOPERATE} for i in co_units.values()]
    conn.execute(du.insert(), rows)
    if state != rules.DRAFT:
        refresh_summary(conn, units[lead_code])
    if indicators:
        conn.execute(di.insert(), [{"direction_id": did, "indicator_id": i} for i in indicators.values()])
    if areas:
        conn.execute(da.insert(), [{"direction_id": did, "area_id": i} for i in areas.values()])
    conn.execute(ev.insert().values(direction_id=did, at=at, actor=actor.name, role=actor.role, agency_id=None,
                                    kind=rules.CREATE, from_state=None, to_state=state, text="", new_deadline=None))
    audit.record(conn, "direction.create", actor=actor.name, role=actor.role, ip=actor.ip, target=ref,
                 detail={"state": state, "lead_unit": lead_code, "deadline": deadline.isoformat(),
                         "indicators": sorted(indicators), "confidential": confidential, "origin": origin})
    if stamp:
        bump_data_version(conn, [SCOPE])
        _alert_if_overdue(conn, did, state, deadline, at)
    return ref


_LOCK_REFS = 0x0CD1  # pg_advisory_xact_lock(namespace, year): one numbering of a year's refs at a time


def _next_ref(conn: Connection, year: int) -> str:
    """The year's next ref; on PostgreSQL the year's numbering is locked to the end of the
    transaction, so two leaders creating at once never draw the same number."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:ns, :year)"), {"ns": _LOCK_REFS, "year": year})
    prefix = f"NV-{year}-"
    last = conn.execute(select(func.max(d.c.ref)).where(d.c.ref.like(f"{prefix}%"))).scalar()
    number = int(str(last)[len(prefix):]) + 1 if last else 1
    return f"{prefix}{number:05d}"


# --- actions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Current:
    id: int
    state: str
    deadline: date
    confidential: bool
    relation: str | None
    unit_id: int | None
    reported_done_at: datetime | None
    lead_agency_id: int


def _load(conn: Connection, actor: Actor, ref: str) -> _Current:
    """The direction as ``actor`` may see it; one it may not see is not found (never "forbidden")."""
    unit_id = None
    if actor.unit:
        unit_id = conn.execute(select(ag.c.id).where(ag.c.code == actor.unit)).scalar()
    relation = (select(du.c.role).where(du.c.direction_id == d.c.id, du.c.agency_id == unit_id)
                .scalar_subquery() if unit_id is not None else None)
    cols = [d.c.id, d.c.state, d.c.deadline, d.c.confidential, d.c.reported_done_at, d.c.lead_agency_id]
    row = conn.execute(select(*cols, *([relation] if relation is not None else []))
                       .where(d.c.ref == str(ref)).with_for_update()).first()
    if row is None:
        raise DirectionError(NOT_FOUND, "ref")
    rel = row[6] if relation is not None else None
    if not rules.may_see(actor.viewer, state=row[1], confidential=bool(row[3]), relation=rel):
        raise DirectionError(NOT_FOUND, "ref")
    return _Current(int(row[0]), row[1], row[2], bool(row[3]), rel, unit_id, row[4], int(row[5]))


def act(conn: Connection, actor: Actor, ref: str, action: str, *, text: str = "", new_deadline: date | str | None = None,
        attachments: Iterable[Upload] = (), fields: Mapping[str, Any] | None = None, at: datetime | None = None,
        archive_dir: Path | None = None, max_bytes: int | None = None, stamp: bool = True) -> str:
    """Take ``action`` (:data:`domain.directions.ACTIONS` but ``create``) on the direction ``ref``
    as ``actor`` and return its new state: a progress report, "done", an extension request or
    decision, an approval, a close, a return, a cancel, an edit (``fields``: :data:`EDITABLE`).
    ``attachments`` are read streamed and archived; they belong to the action's event."""
    at = at or utc_now()
    today = rules.center_date(at)
    if action not in rules.ACTIONS or action == rules.CREATE:
        raise DirectionError("dir.err.bad_choice", "action")
    current = _load(conn, actor, ref)
    role = rules.acting_role(actor.role, current.relation)
    new_state = rules.next_state(current.state, action, role) if role else None
    if new_state is None:
        raise DirectionError("dir.err.not_allowed", "action", state=current.state)
    body = _text({"text": text}, "text", TEXT_MAX, required=action in rules.NEEDS_TEXT)
    deadline = _date(new_deadline, "new_deadline") if action in rules.NEEDS_DEADLINE else None
    problem = rules.check_new_deadline(action, deadline, current.deadline, today)
    if problem:
        raise DirectionError(problem, "new_deadline")
    if action == rules.REFUSE_EXTENSION and _pending(conn, current.id) is None:
        raise DirectionError("dir.err.no_pending_extension", "action")
    changes = _edits(fields or {}) if action == rules.EDIT else {}
    files = list(attachments)
    if len(files) > MAX_FILES:
        raise DirectionError("dir.err.too_many_files", "files", limit=MAX_FILES)
    stored = _store_all(files, at, archive_dir, max_bytes)
    values: dict[str, Any] = {"state": new_state, "updated_at": at, **changes}
    if action == rules.EXTEND:
        values["deadline"] = deadline
    elif action == rules.DONE:
        values["reported_done_at"] = at
    elif action == rules.CLOSE:
        done_on = rules.center_date(current.reported_done_at or at)
        values.update(closed_at=at, closed_on=today, days_late=rules.days_late(done_on, current.deadline))
    if changes:
        values["search_text"] = _refolded(conn, current.id, changes)
        if "leader" in changes:
            values["leader_key"] = " ".join(fold(changes["leader"]).split())
    conn.execute(update(d).where(d.c.id == current.id).values(**values))
    if new_state != current.state or action == rules.CLOSE:  # the measures' summary (direction_month)
        refresh_summary(conn, current.lead_agency_id)
    event_id = conn.execute(ev.insert().values(
        direction_id=current.id, at=at, actor=actor.name, role=role, agency_id=current.unit_id if current.relation else None,
        kind=action, from_state=current.state, to_state=new_state, text=body, new_deadline=deadline,
    )).inserted_primary_key[0]
    if stored:
        conn.execute(att.insert(), [{"direction_id": current.id, "event_id": event_id, "filename": f.filename,
                                     "content_type": f.content_type, "size": f.size, "sha256": f.sha256,
                                     "archive_path": f.archive_path, "uploaded_at": at} for f in stored])
    audit.record(conn, f"direction.{action}", actor=actor.name, role=actor.role, ip=actor.ip, target=str(ref),
                 detail={"from": current.state, "to": new_state, "acting_as": role, "text": body[:500],
                         "new_deadline": deadline.isoformat() if deadline else None,
                         "files": [{"name": f.filename, "sha256": f.sha256} for f in stored],
                         **({"changes": sorted(changes)} if changes else {})})
    if stamp:
        bump_data_version(conn, [SCOPE])
        _alert_if_overdue(conn, current.id, new_state, values.get("deadline", current.deadline), at)
    return new_state


def _alert_if_overdue(conn: Connection, direction_id: int, state: str, deadline: date, at: datetime) -> None:
    """Evaluate the ``direction`` alert rules on this direction when it is open past its deadline on
    the centre's date (cheap: nothing is read otherwise)."""
    if rules.is_overdue(state, deadline, rules.center_date(at)):
        on_directions(conn, at, direction_id)


def _pending(conn: Connection, direction_id: int) -> date | None:
    events = conn.execute(select(ev.c.at, ev.c.kind, ev.c.new_deadline).where(
        ev.c.direction_id == direction_id,
        ev.c.kind.in_((rules.REQUEST_EXTENSION, rules.EXTEND, rules.REFUSE_EXTENSION)))).all()
    return rules.pending_extension(events)


def _edits(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise DirectionError("dir.err.not_editable", unknown[0])
    out: dict[str, Any] = {}
    for name in fields:
        if name == "form":
            out[name] = _choice(fields, name, rules.FORMS, "van_ban")
        elif name == "priority":
            out[name] = _choice(fields, name, rules.PRIORITIES, "normal")
        else:
            limit = {"title": TITLE_MAX, "content": TEXT_MAX, "doc_number": SHORT_MAX}.get(name, 200)
            out[name] = _text(fields, name, limit, required=name == "title")
    if not out:
        raise DirectionError("dir.err.required", "fields")
    return out


def _refolded(conn: Connection, direction_id: int, changes: Mapping[str, Any]) -> str:
    row = conn.execute(select(d.c.ref, d.c.title, d.c.content, d.c.doc_number, d.c.leader)
                       .where(d.c.id == direction_id)).mappings().one()
    merged = {**row, **changes}
    return _search_text(*(str(merged[k]) for k in ("ref", "title", "content", "doc_number", "leader")))


def _store_all(files: list[Upload], at: datetime, archive_dir: Path | None, max_bytes: int | None) -> list[StoredFile]:
    if not files:
        return []
    settings = _settings() if archive_dir is None or max_bytes is None else None
    root = archive_dir or Path(settings.instance_dir) / "archive"
    limit = max_bytes or settings.direction_file_max_bytes
    return [store(f, root=root, max_bytes=limit, at=at) for f in files]


def attachment_path(conn: Connection, actor: Actor, ref: str, attachment_id: int,
                    archive_dir: Path | None = None) -> tuple[Path, str, str] | None:
    """(path on disk, file name, content type) of an attachment of ``ref`` that ``actor`` may see;
    None otherwise (a download route serves it)."""
    try:
        current = _load(conn, actor, ref)
    except DirectionError:
        return None
    row = conn.execute(select(att.c.archive_path, att.c.filename, att.c.content_type).where(
        att.c.id == attachment_id, att.c.direction_id == current.id)).first()
    if row is None:
        return None
    root = archive_dir or Path(_settings().instance_dir) / "archive"
    return root / row[0], row[1], row[2]


def escalate_confidential(conn: Connection, indicator_ids: Sequence[int]) -> list[int]:
    """After the catalogue made ``indicator_ids`` confidential: every direction about one of them
    becomes confidential too (with its measures' summary and its alerts), in the caller's
    transaction; the directions changed. Never the other way: a direction written as confidential
    is not made public by a catalogue change (its text was written under that mark)."""
    if not indicator_ids:
        return []
    rows = conn.execute(select(d.c.id, d.c.lead_agency_id).where(d.c.confidential.is_(False), d.c.id.in_(
        select(di.c.direction_id).where(di.c.indicator_id.in_(list(indicator_ids)))))).all()
    changed = [r.id for r in rows]
    if changed:
        conn.execute(update(d).where(d.c.id.in_(changed)).values(confidential=True))
        units = {r.lead_agency_id for r in rows}
        for unit in [None] if None in units else sorted(units):  # (a direction without a lead: recount all)
            refresh_summary(conn, unit)
    escalate_alerts(conn, list(indicator_ids), changed)
    return changed
