"""The channels beyond the centre: the queued deliveries (``alert_delivery``, one per alert, channel
and target, written with the alert) attempted by :func:`dispatch_due` (a scheduled job), retried
with back-off, logged.

* **webhook**: ``POST`` of the alert as JSON (:func:`alert_record`) with ``X-OCC-Signature:
  sha256=<hex>``, the HMAC-SHA256 of the exact body under the webhook's secret (:func:`sign`),
  ``X-OCC-Delivery`` (the delivery's id: a receiver drops a repeat) and ``X-OCC-Event: alert``. A
  2xx answer is delivered; anything else (an error status, a refused connection, a time-out) is
  retried after :data:`BACKOFF` and given up after the last.
* **email**: handed to the mail delivery (:func:`mail.send`, keyed ``alert-<id>-<user>``: stored
  once, retried there, never sent twice), in Vietnamese with the English below it, and a link back
  to the centre.

A delivery is claimed by a conditional update (``pending`` → ``sending``), so two dispatchers never
attempt the same one; one left ``sending`` by a dead process is taken again after :data:`LEASE`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Connection, Engine

from alerts.text import alert_text
from alerts.webhook_keys import signing_secret
from data_access import schema
from data_access.alerts import alert_select

BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1),
           timedelta(hours=6))
"""The wait after the 1st, 2nd, ... failed attempt; after the last, the delivery is ``failed``."""
LEASE = timedelta(minutes=5)
TIMEOUT_S = 10.0
BATCH = 100

d_ = schema.alert_delivery

Poster = Callable[[str, bytes, dict[str, str]], int]


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: the HMAC-SHA256 of ``body`` under ``secret`` (what ``X-OCC-Signature`` carries)."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return hmac.compare_digest(sign(secret, body), signature or "")


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST ``body``; the HTTP status (an error status is returned, not raised)."""
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:  # noqa: S310 - an admin's http(s) URL
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def alert_record(conn: Connection, alert_id: int) -> dict[str, Any]:
    """The alert as a webhook's JSON: ids and codes, both languages' names and sentence."""
    row = conn.execute(alert_select().where(schema.alert.c.id == alert_id)).mappings().one()
    return {
        "event": "alert", "id": int(row["id"]), "occurrence": row["occurrence_key"], "kind": row["kind"],
        "severity": row["severity"], "rule": {"id": int(row["rule_id"]), "name": row["rule_name"]},
        "indicator": row["indicator_code"], "area": row["area_key"], "unit": row["agency_code"],
        "regime": row["regime_code"], "period": row["period"], "value": row["value"], "reference": row["reference"],
        "detail": json.loads(row["detail"] or "{}"), "confidential": bool(row["confidential"]),
        "raised_at": row["raised_at"].isoformat(timespec="seconds"),
        "text": {"vi": alert_text(row, "vi"), "en": alert_text(row, "en")},
    }


def _due(conn: Connection, now: datetime) -> list[int]:
    stale = and_(d_.c.state == "sending", d_.c.next_attempt_at <= now - LEASE)
    return [int(x) for x in conn.execute(
        select(d_.c.id).where(or_(and_(d_.c.state == "pending", d_.c.next_attempt_at <= now), stale))
        .order_by(d_.c.next_attempt_at, d_.c.id).limit(BATCH)).scalars()]


def _claim(engine: Engine, delivery_id: int, now: datetime) -> Any | None:
    """Take one due delivery (``sending``, attempts + 1); None when another dispatcher has it."""
    with engine.begin() as conn:
        taken = conn.execute(
            update(d_).where(d_.c.id == delivery_id,
                             or_(and_(d_.c.state == "pending", d_.c.next_attempt_at <= now),
                                 and_(d_.c.state == "sending", d_.c.next_attempt_at <= now - LEASE)))
            .values(state="sending", attempts=d_.c.attempts + 1, next_attempt_at=now)).rowcount
        if not taken:
            return None
        return conn.execute(select(d_).where(d_.c.id == delivery_id)).first()


def _finish(engine: Engine, row: Any, now: datetime, status: int | None, error: str | None) -> str:
    if error is None:
        values: dict[str, Any] = {"state": "sent", "sent_at": now, "response_status": status, "last_error": None}
    elif row.attempts > len(BACKOFF):
        values = {"state": "failed", "response_status": status, "last_error": error[:500]}
    else:
        values = {"state": "pending", "next_attempt_at": now + BACKOFF[row.attempts - 1], "response_status": status,
                  "last_error": error[:500]}
    with engine.begin() as conn:
        conn.execute(update(d_).where(d_.c.id == row.id).values(**values))
    return str(values["state"])


def _webhook(engine: Engine, row: Any, poster: Poster) -> tuple[int | None, str | None]:
    w = schema.webhook
    with engine.connect() as conn:
        hook = conn.execute(select(w.c.url, w.c.secret, w.c.active).where(w.c.id == int(row.target))).first()
        if hook is None or not hook.active:
            return None, "webhook removed or switched off"
        body = json.dumps(alert_record(conn, row.alert_id), ensure_ascii=False, sort_keys=True).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "X-OCC-Signature": sign(signing_secret(hook.secret), body),
               "X-OCC-Delivery": str(row.id), "X-OCC-Event": "alert", "User-Agent": "occ-alerts"}
    try:
        status = poster(hook.url, body, headers)
    except (OSError, ValueError) as exc:  # refused, unreachable, timed out, a bad URL
        return None, f"{type(exc).__name__}: {exc}"
    return status, None if 200 <= status < 300 else f"HTTP {status}"


def dispatch_due(engine: Engine, now: datetime, *, poster: Poster = post,
                 mailer: Callable[[Engine, Any], None] | None = None) -> dict[str, int]:
    """Attempt every delivery due at ``now``; counts of the outcomes (``sent``, ``pending``: to
    retry, ``failed``: given up). ``mailer(engine, row)`` hands an e-mail delivery over."""
    with engine.connect() as conn:
        due = _due(conn, now)
    outcome = {"sent": 0, "pending": 0, "failed": 0}
    for delivery_id in due:
        row = _claim(engine, delivery_id, now)
        if row is None:
            continue
        if row.channel == "webhook":
            status, error = _webhook(engine, row, poster)
        elif mailer is not None:
            status, error = None, None
            try:
                mailer(engine, row)
            except Exception as exc:  # noqa: BLE001 - logged on the delivery, retried
                error = f"{type(exc).__name__}: {exc}"
        else:
            status, error = None, "no mail delivery configured"
        outcome[_finish(engine, row, now, status, error)] += 1
    return outcome


def mail_message(record: dict[str, Any], address: str, link: str) -> EmailMessage:
    """The e-mail of one alert to one address: Vietnamese, then English."""
    from i18n import t

    msg = EmailMessage()
    msg["To"] = address
    msg["Subject"] = t("alerts.mail.subject", "vi", text=record["text"]["vi"])
    msg.set_content("\n\n---\n\n".join(
        t("alerts.mail.body", lang, text=record["text"][lang], rule=record["rule"]["name"], link=link)
        for lang in ("vi", "en")))
    return msg
