"""Send an e-mail once, and never lose it.

:func:`send` stores the message (its raw bytes, with a stable Message-ID) in ``mail_delivery``
under a caller's key, then tries to hand it over at once. A key already stored is not stored or
sent again (never sent twice). A failed attempt (server down, refused) is retried with back-off
by :func:`deliver_due`, which the scheduler runs every minute (never lost); after
``MAX_ATTEMPTS`` the row stays ``failed`` with its last error, for the delivery log. An attempt
first takes the row (``pending`` → ``sending`` with a lease), so two processes never hand over
the same message; a process that died while sending leaves a lease that expires.

Without ``SMTP_HOST`` the message is written to ``instance/outbox/<key>.eml`` instead.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import make_msgid
from pathlib import Path

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from data_access import schema
from settings import Settings

log = logging.getLogger("mail")

MAX_ATTEMPTS = 12  # 1, 2, 4 … 60 minutes apart: about half a day of trying
LEASE = timedelta(minutes=5)
T = schema.mail_delivery


@dataclass(frozen=True)
class Delivery:
    """One row of ``mail_delivery`` as the delivery log shows it."""

    id: int
    key: str
    state: str  # pending | sending | sent | failed
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    next_attempt_at: datetime


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4 … minutes, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def outbox_dir(settings: Settings) -> Path:
    """Where messages go without ``SMTP_HOST``."""
    return settings.instance_dir / "outbox"


def _utcnow() -> datetime:
    from scheduler.core import utcnow

    return utcnow()


def send(engine: Engine, settings: Settings, message: EmailMessage, key: str, *,
         now: datetime | None = None) -> Delivery:
    """Store ``message`` under ``key`` (once: a key already stored keeps its first message) and try
    to deliver it now. Returns the delivery as it stands after the attempt."""
    now = now or _utcnow()
    if not message["Message-ID"]:
        message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or "localhost")
    if not message["From"]:
        message["From"] = settings.smtp_from
    recipients = ", ".join(a.strip() for a in str(message["To"] or "").split(",") if a.strip())
    insert = postgresql_insert if engine.dialect.name == "postgresql" else sqlite_insert
    with engine.begin() as conn:
        conn.execute(insert(T).values(
            key=key[:200], message_id=str(message["Message-ID"]), recipients=recipients,
            subject=str(message["Subject"] or ""), raw=message.as_bytes(policy=SMTP_POLICY), state="pending", attempts=0,  # raw: CRLF, as sent
            next_attempt_at=now, created_at=now,
        ).on_conflict_do_nothing(index_elements=["key"]))
        row_id = conn.execute(select(T.c.id).where(T.c.key == key[:200])).scalar_one()
    _attempt(engine, settings, row_id, now)
    return get(engine, key)


def get(engine: Engine, key: str) -> Delivery:
    """The delivery stored under ``key``."""
    with engine.connect() as conn:
        row = conn.execute(select(T.c.id, T.c.key, T.c.state, T.c.attempts, T.c.last_error, T.c.sent_at,
                                  T.c.next_attempt_at).where(T.c.key == key[:200])).one()
    return Delivery(*row)


def deliver_due(engine: Engine, settings: Settings, now: datetime | None = None) -> int:
    """Attempt every delivery whose next attempt is due (and every ``sending`` one whose process
    died). Returns how many were handed over."""
    now = now or _utcnow()
    with engine.connect() as conn:
        ids = conn.execute(select(T.c.id).where(or_(
            (T.c.state == "pending") & (T.c.next_attempt_at <= now),
            (T.c.state == "sending") & (T.c.lease_until < now),
        )).order_by(T.c.next_attempt_at).limit(500)).scalars().all()
    return sum(_attempt(engine, settings, row_id, now) for row_id in ids)


def _take(engine: Engine, row_id: int, now: datetime) -> tuple[bytes, str, int] | None:
    """Take the row for one attempt (only one process can), or None."""
    with engine.begin() as conn:
        taken = conn.execute(update(T).where(T.c.id == row_id, or_(
            (T.c.state == "pending") & (T.c.next_attempt_at <= now),
            (T.c.state == "sending") & (T.c.lease_until < now),
        )).values(state="sending", lease_until=now + LEASE, attempts=T.c.attempts + 1)).rowcount
        if taken != 1:
            return None
        raw, recipients, attempts = conn.execute(
            select(T.c.raw, T.c.recipients, T.c.attempts).where(T.c.id == row_id)).one()
    return bytes(raw), recipients, attempts


def _attempt(engine: Engine, settings: Settings, row_id: int, now: datetime) -> bool:
    taken = _take(engine, row_id, now)
    if taken is None:
        return False
    raw, recipients, attempts = taken
    try:
        transport = _hand_over(settings, row_id, raw, [a.strip() for a in recipients.split(",") if a.strip()])
    except (OSError, smtplib.SMTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        gave_up = attempts >= MAX_ATTEMPTS
        log.warning("mail %s: attempt %d failed (%s)%s", row_id, attempts, error, "; giving up" if gave_up else "")
        with engine.begin() as conn:
            conn.execute(update(T).where(T.c.id == row_id).values(
                state="failed" if gave_up else "pending", last_error=error, lease_until=None,
                next_attempt_at=now + backoff(attempts)))
        return False
    with engine.begin() as conn:
        conn.execute(update(T).where(T.c.id == row_id).values(
            state="sent", sent_at=now, lease_until=None, transport=transport))
    return True


def _hand_over(settings: Settings, row_id: int, raw: bytes, recipients: list[str]) -> str:
    if not settings.smtp_host:
        folder = outbox_dir(settings)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{row_id:08d}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(raw)
        tmp.replace(path)
        return "outbox"
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.sendmail(settings.smtp_from, recipients, raw)
    return "smtp"


_KEY_SAFE = re.compile(r"[^A-Za-z0-9_.:-]")


def safe_key(*parts: object) -> str:
    """A delivery key from its parts (``subscription:12:2026-12-03T00:00:vi``)."""
    return _KEY_SAFE.sub("_", ":".join(str(p) for p in parts))[:200]
