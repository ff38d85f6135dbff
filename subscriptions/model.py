"""Subscriptions as records: read, create, change, pause, delete (each audited in its transaction),
and the delivery log. What a subscription shows is a list of export specs (``exports.specs``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection, Engine

from auth import audit
from data_access import schema
from domain.schedules import CADENCES, cron_line
from exports.specs import SpecError, decode_pack
from scheduler.core import utcnow

KINDS = ("brief", "pack", "board", "indicator")
FORMATS = ("pdf", "png")
LANGS = ("vi", "en")
#: The boards a subscription may carry: name → (the specs it renders, the live board's path).
BOARDS: dict[str, tuple[list[dict[str, Any]], str]] = {
    "overview": ([{"kind": "kpi_tiles", "area": "VN"}], "/"),
    "daily": ([{"kind": "daily"}], "/daily"),
}
S, D = schema.subscription, schema.subscription_delivery


class SubscriptionError(ValueError):
    """A refused subscription form: ``key`` is the message (i18n) saying why."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Recipient:
    user: str
    lang: str


@dataclass(frozen=True)
class Subscription:
    id: int
    owner_id: int
    owner: str
    kind: str
    target: str
    fmt: str
    lang: str
    cadence: str
    at_time: str
    weekday: int | None
    recipients: tuple[Recipient, ...]
    active: bool
    stamp: str | None
    created_at: datetime
    updated_at: datetime

    def specs(self) -> tuple[str, list[dict[str, Any]]]:
        """(title, export specs) of what it delivers; SpecError when the target no longer is one."""
        if self.kind == "brief":
            return "", [{"kind": "daily"}]
        if self.kind == "indicator":
            return "", [{"kind": "trend", "indicator": self.target}]
        if self.kind == "board":
            if self.target not in BOARDS:
                raise SpecError(f"unknown board {self.target!r}", "target")
            return "", [dict(s) for s in BOARDS[self.target][0]]
        return decode_pack(self.target)

    def live_path(self) -> str:
        """The live board the e-mail links back to."""
        if self.kind == "brief":
            return "/daily"
        if self.kind == "indicator":
            return f"/indicator/{self.target}"
        if self.kind == "board":
            return BOARDS.get(self.target, ([], "/"))[1]
        return "/briefing"


@dataclass(frozen=True)
class Form:
    """A subscription as the page's form sends it (checked by :func:`check`)."""

    kind: str
    target: str = ""
    fmt: str = "pdf"
    lang: str = "vi"
    cadence: str = "daily"
    at_time: str = "07:00"
    weekday: int | None = None
    recipients: tuple[Recipient, ...] = field(default_factory=tuple)


def check(conn: Connection, form: Form, *, may_add_others: bool, owner: str) -> Form:
    """The form, normalised; SubscriptionError (its message key) when it is refused."""
    if form.kind not in KINDS:
        raise SubscriptionError("subs.err.kind")
    if form.fmt not in FORMATS or form.lang not in LANGS:
        raise SubscriptionError("subs.err.format")
    if form.cadence not in CADENCES:
        raise SubscriptionError("subs.err.schedule")
    try:
        cron_line(form.cadence, form.at_time, form.weekday if form.cadence == "weekly" else None)
    except ValueError:
        raise SubscriptionError("subs.err.schedule") from None
    target = form.target.strip()
    if form.kind == "indicator" and not target:
        raise SubscriptionError("subs.err.target")
    if form.kind == "board" and target not in BOARDS:
        raise SubscriptionError("subs.err.target")
    if form.kind == "pack":
        try:
            decode_pack(target)
        except SpecError:
            raise SubscriptionError("subs.err.target") from None
    others = tuple(r for r in form.recipients if r.user and r.user != owner)
    if others and not may_add_others:
        raise SubscriptionError("subs.err.recipients")
    known = set(conn.execute(select(schema.app_user.c.username)
                             .where(schema.app_user.c.username.in_([r.user for r in others]))).scalars())
    if any(r.user not in known or r.lang not in LANGS for r in others):
        raise SubscriptionError("subs.err.recipients")
    return Form(form.kind, target, form.fmt, form.lang, form.cadence, form.at_time,
                form.weekday if form.cadence == "weekly" else None, others)


def _values(form: Form) -> dict[str, Any]:
    return {"kind": form.kind, "target": form.target, "fmt": form.fmt, "lang": form.lang, "cadence": form.cadence,
            "at_time": form.at_time, "weekday": form.weekday,
            "recipients": json.dumps([{"user": r.user, "lang": r.lang} for r in form.recipients])}


def _select() -> Any:
    u = schema.app_user
    return select(S.c.id, S.c.owner_id, u.c.username, S.c.kind, S.c.target, S.c.fmt, S.c.lang, S.c.cadence,
                  S.c.at_time, S.c.weekday, S.c.recipients, S.c.active, S.c.stamp, S.c.created_at,
                  S.c.updated_at).join(u, u.c.id == S.c.owner_id)


def _sub(row: Any) -> Subscription:
    values = list(row)
    values[10] = tuple(Recipient(r["user"], r["lang"]) for r in json.loads(values[10] or "[]"))
    values[11] = bool(values[11])
    return Subscription(*values)


def get(conn: Connection, sub_id: int) -> Subscription | None:
    row = conn.execute(_select().where(S.c.id == sub_id)).first()
    return _sub(row) if row else None


def list_for(conn: Connection, owner_id: int | None = None, *, active_only: bool = False) -> list[Subscription]:
    """An owner's subscriptions (every one with ``owner_id`` None), newest first."""
    stmt = _select().order_by(S.c.id.desc())
    if owner_id is not None:
        stmt = stmt.where(S.c.owner_id == owner_id)
    if active_only:
        stmt = stmt.where(S.c.active.is_(True))
    return [_sub(r) for r in conn.execute(stmt)]


def _audit(conn: Connection, action: str, actor: str, role: str | None, sub_id: int, detail: dict[str, Any],
           ip: str | None) -> None:
    audit.record(conn, action, actor=actor, role=role, target=f"subscription:{sub_id}", detail=detail, ip=ip)


def create(engine: Engine, owner_id: int, form: Form, *, actor: str, role: str | None, ip: str | None = None,
           stamp: str | None = None) -> int:
    now = utcnow()
    with engine.begin() as conn:
        sub_id = int(conn.execute(S.insert().values(owner_id=owner_id, active=True, stamp=stamp, created_at=now,
                                                    updated_at=now, **_values(form))).inserted_primary_key[0])
        _audit(conn, "subscription.create", actor, role, sub_id, _values(form), ip)
    return sub_id


def change(engine: Engine, sub_id: int, form: Form, *, actor: str, role: str | None, ip: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(update(S).where(S.c.id == sub_id).values(updated_at=utcnow(), **_values(form)))
        _audit(conn, "subscription.update", actor, role, sub_id, _values(form), ip)


def set_active(engine: Engine, sub_id: int, active: bool, *, actor: str, role: str | None,
               ip: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(update(S).where(S.c.id == sub_id).values(active=active, updated_at=utcnow()))
        _audit(conn, "subscription.resume" if active else "subscription.pause", actor, role, sub_id, {}, ip)


def remove(engine: Engine, sub_id: int, *, actor: str, role: str | None, ip: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(delete(D).where(D.c.subscription_id == sub_id))
        conn.execute(delete(S).where(S.c.id == sub_id))
        _audit(conn, "subscription.delete", actor, role, sub_id, {}, ip)


def drop_recipient(engine: Engine, sub: Subscription, username: str, *, ip: str | None = None) -> None:
    """Unsubscribe one recipient: the owner pauses the subscription, another is taken off it."""
    with engine.begin() as conn:
        if username == sub.owner:
            conn.execute(update(S).where(S.c.id == sub.id).values(active=False, updated_at=utcnow()))
        else:
            kept = [{"user": r.user, "lang": r.lang} for r in sub.recipients if r.user != username]
            conn.execute(update(S).where(S.c.id == sub.id).values(recipients=json.dumps(kept), updated_at=utcnow()))
        _audit(conn, "subscription.unsubscribe", username, None, sub.id, {"user": username}, ip)


@dataclass(frozen=True)
class LogEntry:
    due_at: datetime
    at: datetime
    outcome: str
    late: bool
    reason: dict[str, Any]
    mails: list[tuple[str, str, int, str | None]]  # (recipients, state, attempts, last error)


def log_of(conn: Connection, sub_id: int, limit: int = 50) -> list[LogEntry]:
    """The delivery log of one subscription, newest first, with the state of each mail it queued."""
    m = schema.mail_delivery
    entries = []
    for due_at, at, outcome, late, reason, mail_key in conn.execute(
            select(D.c.due_at, D.c.at, D.c.outcome, D.c.late, D.c.reason, D.c.mail_key)
            .where(D.c.subscription_id == sub_id).order_by(D.c.due_at.desc()).limit(limit)):
        mails = conn.execute(select(m.c.recipients, m.c.state, m.c.attempts, m.c.last_error)
                             .where(m.c.key.startswith(mail_key or "\x00", autoescape=True))
                             .order_by(m.c.id)).all() if mail_key else []
        entries.append(LogEntry(due_at, at, outcome, bool(late), json.loads(reason) if reason else {}, list(mails)))
    return entries


def last_due(conn: Connection, sub_id: int) -> datetime | None:
    return conn.execute(select(func.max(D.c.due_at)).where(D.c.subscription_id == sub_id)).scalar()
