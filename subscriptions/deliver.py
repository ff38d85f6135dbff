"""Deliver subscriptions: the scheduler's ``subscriptions.dispatch`` job finds each active
subscription's due occurrence, claims it (``scheduler.run_once``: once across every process), renders
what it shows with its OWNER's rights as they are at delivery time, and mails it to each recipient
in the recipient's language through ``mail.send`` (stored once, retried with back-off).

A recipient receives what both the owner and the recipient may see (the lower clearance of the
two): a confidential indicator never reaches a recipient without the grant. A disabled owner, an
owner whose role no longer opens boards, or content the owner may no longer read (a revoked grant)
stops the delivery, and the log says why."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine

from auth.policy import EXPORTERS, Principal
from data_access import schema
from data_access.cache.tracking import GLOBAL
from data_access.engine import get_stamps
from domain.schedules import cron_line
from exports.specs import SpecError
from i18n import fmt_datetime, t
from mail import backoff, safe_key, send
from mail.delivery import MAX_ATTEMPTS
from scheduler.core import LOCAL_TZ, Occurrence, finish, latest_due, run_once
from subscriptions.model import D, S, Subscription, get, last_due, list_for

log = logging.getLogger("subscriptions")
RANK = {"public": 0, "all": 1, "admin": 2}
DATA_CLAIM_AT = datetime(2000, 1, 1)  # the due time of "new data" claims: their job name carries the data state


@dataclass(frozen=True)
class Attachment:
    filename: str
    mime: str
    body: bytes


@dataclass(frozen=True)
class Rendered:
    title: str
    files: list[Attachment]


# -- who sees what ------------------------------------------------------------------------------------


def _users(conn: Connection, names: list[str]) -> dict[str, Any]:
    u, ag = schema.app_user, schema.agency
    rows = conn.execute(select(u.c.id, u.c.username, u.c.display_name, u.c.role, u.c.confidential, u.c.active,
                               u.c.email, ag.c.code).outerjoin(ag, ag.c.id == u.c.agency_id)
                        .where(u.c.username.in_(names)))
    return {r[1]: r for r in rows}


def _principal(row: Any) -> Principal:
    return Principal("user", row[3], row[1], row[2] or "", row[0], row[7], bool(row[4]))


@contextmanager
def acting_as(principal: Principal, clearance: str) -> Iterator[None]:
    """Reads inside see what ``clearance`` sees, for ``principal`` (an app context's ``g``)."""
    saved = {k: g.get(k) for k in ("occ_principal", "occ_clearance", "occ_reference")}
    g.occ_principal, g.occ_clearance = principal, clearance
    g.pop("occ_reference", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                g.pop(key, None)
            else:
                setattr(g, key, value)


def unsubscribe_token(secret: str, sub_id: int, username: str) -> str:
    """The signed token of an e-mail's unsubscribe link (no sign-in needed to use it)."""
    return str(URLSafeSerializer(secret, salt="occ-unsubscribe").dumps([sub_id, username]))


def read_unsubscribe_token(secret: str, token: str) -> tuple[int, str] | None:
    try:
        sub_id, username = URLSafeSerializer(secret, salt="occ-unsubscribe").loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    return int(sub_id), str(username)


# -- rendering ----------------------------------------------------------------------------------------


def render(sub: Subscription, lang: str) -> Rendered:
    """What ``sub`` shows, in ``lang``, as the current principal may see it (the export browser)."""
    from exports import files, packs

    title, specs = sub.specs()
    pack = packs.build_pack(title or t(f"subs.kind.{sub.kind}", lang), specs, lang)
    if sub.fmt == "pdf":
        return Rendered(pack.title, [Attachment(packs.pack_filename(pack, "pdf"), "application/pdf",
                                                packs.to_pdf(pack))])
    return Rendered(pack.title, [Attachment(files.filename(c, "png"), "image/png", files.image(c, "png"))
                                 for c in pack.charts])


def scopes_of(sub: Subscription) -> set[str]:
    """The data stamps what ``sub`` shows depends on (``GLOBAL`` when it is not narrower)."""
    try:
        _, specs = sub.specs()
    except SpecError:
        return {GLOBAL}
    scopes: set[str] = set()
    for spec in specs:
        if spec.get("kind") == "daily":
            scopes.add("daily")
        elif spec.get("indicator"):
            scopes.add(f"i:{spec['indicator']}")
        elif spec.get("indicators"):
            scopes.update(f"i:{code}" for code in spec["indicators"])
        else:
            scopes.add(GLOBAL)
    return scopes


def data_state(conn: Connection, sub: Subscription) -> str:
    """The stamps of what ``sub`` shows, as text: it changes exactly when new data arrives there."""
    version, stamps = get_stamps(conn)
    scopes = scopes_of(sub)
    state = {s: (version if s == GLOBAL else stamps.get(s, 0)) for s in sorted(scopes)}
    return json.dumps(state, sort_keys=True)


# -- one occurrence -----------------------------------------------------------------------------------


def _log(engine: Engine, sub_id: int, due: datetime, outcome: str, late: bool, reason: dict[str, Any] | None,
         mail_key: str | None, now: datetime) -> None:
    """Write the occurrence's line of the delivery log (a retry rewrites its line)."""
    values = {"at": now, "outcome": outcome, "late": late, "mail_key": mail_key,
              "reason": json.dumps(reason, ensure_ascii=False) if reason else None}
    with engine.begin() as conn:
        if not conn.execute(update(D).where(D.c.subscription_id == sub_id, D.c.due_at == due).values(**values)).rowcount:
            conn.execute(D.insert().values(subscription_id=sub_id, due_at=due, **values))


def _message(sub: Subscription, rendered: Rendered, to: str, username: str, lang: str, due: datetime,
             late: bool) -> EmailMessage:
    settings = current_app.config["SETTINGS"]
    base = settings.public_url.rstrip("/")
    local = due.replace(tzinfo=UTC).astimezone(ZoneInfo(LOCAL_TZ)).replace(tzinfo=None)
    unsubscribe = f"{base}/unsubscribe/{unsubscribe_token(settings.secret_key, sub.id, username)}"
    msg = EmailMessage()
    msg["To"] = to
    msg["Subject"] = t("subs.mail.subject", lang, title=rendered.title, when=fmt_datetime(local, lang))
    msg["List-Unsubscribe"] = f"<{unsubscribe}>"
    lines = [t("subs.mail.intro", lang, title=rendered.title, when=fmt_datetime(local, lang))]
    if late:
        lines.append(t("subs.mail.late", lang))
    lines += ["", t("subs.mail.live", lang, url=f"{base}{sub.live_path()}?lang={lang}"),
              t("subs.mail.manage", lang, url=f"{base}/subscriptions?lang={lang}"),
              t("subs.mail.unsubscribe", lang, url=unsubscribe)]
    msg.set_content("\n".join(lines))
    for f in rendered.files:
        maintype, subtype = f.mime.split("/")
        msg.add_attachment(f.body, maintype=maintype, subtype=subtype, filename=f.filename)
    return msg


def _render_in_turn(sub: Subscription, lang: str) -> Rendered:
    """:func:`render` in a slot of the export gate (``exports.gate``, the pack renders' limits, the
    owner counting as the user): a subscription never renders beside the interactive packs beyond
    ``EXPORT_PACK_CONCURRENCY``. Waits up to ``min(EXPORT_WAIT_SECONDS, 60)``; then ``Busy`` (retried)."""
    from exports.routes import gate

    wait_s = min(float(current_app.config["SETTINGS"].export_wait_seconds), 60.0)
    with gate("pack").hold(sub.owner, timeout=wait_s):
        return render(sub, lang)


def _stored(engine: Engine, keys: list[str]) -> bool:
    """Every one of these mails is already stored (a retry does not render for them again)."""
    m = schema.mail_delivery
    with engine.connect() as conn:
        return len(conn.execute(select(m.c.key).where(m.c.key.in_(keys))).all()) == len(keys)


def deliver(app: Flask, sub: Subscription, due: datetime, late: bool, now: datetime, attempt: int = 1) -> str:
    """Render and mail one claimed occurrence of ``sub`` (its ``attempt``-th try); log it. Returns the
    outcome: a render that failed for some recipients leaves it ``retrying`` (see :func:`retry_due`)."""
    engine = app.extensions["warehouse"].engine
    with engine.connect() as conn:
        people = _users(conn, [sub.owner, *(r.user for r in sub.recipients)])
    owner = people.get(sub.owner)
    if owner is None or not owner[5]:
        _log(engine, sub.id, due, "stopped", late, {"key": "subs.why.owner_disabled"}, None, now)
        return "stopped"
    owner_p = _principal(owner)
    if owner_p.role not in EXPORTERS:
        _log(engine, sub.id, due, "stopped", late, {"key": "subs.why.owner_role"}, None, now)
        return "stopped"
    wanted = [(sub.owner, sub.lang), *((r.user, r.lang) for r in sub.recipients)]
    skipped: list[dict[str, str]] = []
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for username, lang in wanted:
        row = people.get(username)
        if row is None or not row[5] or row[3] not in EXPORTERS:
            skipped.append({"user": username, "key": "subs.why.recipient_disabled"})
            continue
        if not row[6]:
            skipped.append({"user": username, "key": "subs.why.no_email"})
            continue
        clearance = min(owner_p.clearance, _principal(row).clearance, key=RANK.__getitem__)
        groups.setdefault((lang, clearance), []).append((username, row[6]))
    mail_key = safe_key("sub", sub.id, due.isoformat()) + ":"
    sent_any = False
    failed: list[str] = []
    for (lang, clearance), people_of in groups.items():
        if _stored(engine, [mail_key + u for u, _ in people_of]):  # an earlier attempt queued them
            sent_any = True
            continue
        try:
            with acting_as(owner_p, clearance):
                rendered = _render_in_turn(sub, lang)
        except Exception as exc:  # noqa: BLE001 - the log says why; the other groups still go
            if not isinstance(exc, SpecError):
                log.exception("subscription %s: rendering failed (attempt %d)", sub.id, attempt)
                failed += [u for u, _ in people_of]
                continue
            key = "subs.why.no_access" if clearance == owner_p.clearance else "subs.why.recipient_no_access"
            if key == "subs.why.no_access":
                _log(engine, sub.id, due, "stopped", late, {"key": key, "detail": str(exc)}, None, now)
                return "stopped"
            skipped += [{"user": u, "key": key} for u, _ in people_of]
            continue
        for username, address in people_of:
            send(engine, app.config["SETTINGS"], _message(sub, rendered, address, username, lang, due, late),
                 mail_key + username, now=now)
            sent_any = True
    reason: dict[str, Any] | None = {"key": "subs.why.skipped", "skipped": skipped} if skipped else None
    outcome = "queued" if sent_any else "skipped"
    if failed:  # retried with back-off like a failed send; after the last attempt it stays "failed"
        outcome = "retrying" if attempt < MAX_ATTEMPTS else "failed"
        reason = {"key": "subs.why.render_retry" if outcome == "retrying" else "subs.why.render_gave_up",
                  "attempt": attempt, "users": failed, "skipped": skipped,
                  "retry_at": (now + backoff(attempt)).isoformat()}
    _log(engine, sub.id, due, outcome, late, reason, mail_key if sent_any or failed else None, now)
    return outcome


def retry_due(app: Flask, now: datetime) -> list[str]:
    """Render again every occurrence whose render failed and whose back-off has passed. Taking a
    retry moves its ``retry_at`` on (a compare-and-set on the log line), so one process takes it
    and, should that process die, another takes it after the back-off: never lost."""
    engine = app.extensions["warehouse"].engine
    with engine.connect() as conn:
        rows = conn.execute(select(D.c.id, D.c.subscription_id, D.c.due_at, D.c.late, D.c.reason)
                            .where(D.c.outcome == "retrying").order_by(D.c.due_at)).all()
    outcomes = []
    for row_id, sub_id, due, late, text in rows:
        reason = json.loads(text or "{}")
        attempt = int(reason.get("attempt") or 1)
        if datetime.fromisoformat(str(reason.get("retry_at") or now.isoformat())) > now:
            continue
        lease = {**reason, "retry_at": (now + backoff(attempt + 1)).isoformat()}
        with engine.begin() as conn:
            taken = conn.execute(update(D).where(D.c.id == row_id, D.c.outcome == "retrying", D.c.reason == text)
                                 .values(reason=json.dumps(lease, ensure_ascii=False))).rowcount
            sub = get(conn, sub_id) if taken == 1 else None
        if sub is not None and not sub.active:  # paused or unsubscribed meanwhile
            _log(engine, sub_id, due, "stopped", bool(late), {"key": "subs.why.paused"}, None, now)
        elif sub is not None:
            outcomes.append(deliver(app, sub, due, bool(late), now, attempt + 1))
    return outcomes


# -- the scheduler's job ------------------------------------------------------------------------------


def grace(app: Flask) -> timedelta:
    return timedelta(seconds=max(90.0, 3 * app.config["SETTINGS"].scheduler_tick_seconds))


def dispatch_one(app: Flask, sub: Subscription, now: datetime) -> str | None:
    """Deliver ``sub``'s due occurrence if this process claims it; the outcome, or None."""
    engine = app.extensions["warehouse"].engine
    line = cron_line(sub.cadence, sub.at_time, sub.weekday)
    if line is None:  # "when new data arrives"
        with engine.connect() as conn:
            state = data_state(conn, sub)
        if sub.stamp is None or state == sub.stamp:
            if sub.stamp is None:
                with engine.begin() as conn:
                    conn.execute(update(S).where(S.c.id == sub.id, S.c.stamp.is_(None)).values(stamp=state))
            return None
        claim = f"subscription:{sub.id}:data:{hashlib.sha256(state.encode()).hexdigest()[:24]}"
        if not run_once(claim, DATA_CLAIM_AT, engine=engine):
            return None
        with engine.begin() as conn:
            conn.execute(update(S).where(S.c.id == sub.id).values(stamp=state))
        return _deliver_claimed(app, sub, claim, DATA_CLAIM_AT, now, False, now)
    with engine.connect() as conn:
        previous = last_due(conn, sub.id)
    due = latest_due(line, max(sub.created_at, previous or sub.created_at), now)
    if due is None:
        return None
    late = now - due > grace(app)
    if not run_once(f"subscription:{sub.id}", due, late=late, engine=engine):
        return None
    return _deliver_claimed(app, sub, f"subscription:{sub.id}", due, due, late, now)


def _deliver_claimed(app: Flask, sub: Subscription, claim: str, claim_due: datetime, due: datetime, late: bool,
                     now: datetime) -> str:
    error: str | None = None
    try:
        return deliver(app, sub, due, late, now)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        raise
    finally:
        with app.extensions["warehouse"].engine.begin() as conn:
            finish(conn, claim, claim_due, error)


def dispatch(occurrence: Occurrence) -> None:
    """The scheduler's ``subscriptions.dispatch`` job (every minute, in an app context)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    with app.extensions["warehouse"].engine.connect() as conn:
        subs = list_for(conn, active_only=True)
    for sub in subs:
        try:
            dispatch_one(app, sub, occurrence.now)
        except Exception:  # noqa: BLE001 - one subscription's failure does not stop the others
            log.exception("subscription %s: delivery failed", sub.id)
    retry_due(app, occurrence.now)

