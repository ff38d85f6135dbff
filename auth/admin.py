"""The commands and reads behind the tokens' admin page: the reporting units (``agency``) a token
can be made for, and the tokens themselves. Every change is written to the audit log. Units and
indicators are changed by the configuration's one service, :mod:`metadata.service` (its pages,
API and commands), never here.

Tokens are created and revoked by :mod:`auth.tokens` and :mod:`auth.displays` (their own
transactions, as the command line does); the audit entry follows in a transaction of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from auth import audit
from auth.displays import create_display_token, revoke_display_token
from auth.tokens import TokenError, TokenInfo, create_token, revoke_token
from auth.users import UserError
from data_access import schema

ag, ar = schema.agency, schema.area

MAX_TOKEN_DAYS = 3650


class AdminError(UserError):
    """An admin command was refused; ``message_vi`` / ``message_en`` say why."""


@dataclass(frozen=True)
class Actor:
    """Who changes something, for the audit log."""

    name: str
    role: str | None = None
    ip: str | None = None


# -- reporting units ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    id: int
    code: str
    name_vi: str
    name_en: str
    short_vi: str
    short_en: str
    kind: str
    area_key: str | None
    valid_from: date | None
    valid_to: date | None
    active: bool

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


def _unit_select():
    return (select(ag.c.id, ag.c.code, ag.c.name_vi, ag.c.name_en, ag.c.short_vi, ag.c.short_en, ag.c.kind,
                   ar.c.key.label("area_key"), ag.c.valid_from, ag.c.valid_to, ag.c.active)
            .outerjoin(ar, ar.c.id == ag.c.area_id))


def _unit(row) -> Unit:
    m = dict(row._mapping)
    m["active"] = bool(m["active"])
    return Unit(**m)


def list_units(conn: Connection) -> list[Unit]:
    """Every reporting unit, ordered by code (the tokens page offers the active ones)."""
    return [_unit(row) for row in conn.execute(_unit_select().order_by(ag.c.code))]


def get_unit(conn: Connection, code: str) -> Unit:
    row = conn.execute(_unit_select().where(ag.c.code == (code or "").strip().upper())).first()
    if row is None:
        raise AdminError(f"Không có đơn vị “{code}”.", f"No unit '{code}'.")
    return _unit(row)


# -- tokens -------------------------------------------------------------------------------------------


def token_days(text: str | None, default: int | None) -> int | None:
    """Days of validity from a form field: empty → ``default``; 0 → no expiry (None)."""
    text = (text or "").strip()
    if not text:
        return default
    try:
        days = int(text)
    except ValueError:
        days = -1
    if not 0 <= days <= MAX_TOKEN_DAYS:
        raise AdminError(f"Số ngày hiệu lực phải từ 0 đến {MAX_TOKEN_DAYS} (0: không hết hạn).",
                         f"Days of validity must be 0 to {MAX_TOKEN_DAYS} (0: no expiry).")
    return days or None


def _label(text: str | None, required: bool) -> str:
    label = (text or "").strip()
    if required and not label:
        raise AdminError("Hãy nhập nhãn (ví dụ nơi đặt màn hình).", "Enter a label (e.g. where the wall is).")
    if len(label) > 200 or any(ord(c) < 32 for c in label):
        raise AdminError("Nhãn quá dài (tối đa 200 ký tự) hoặc có ký tự điều khiển.",
                         "The label is too long (at most 200 characters) or holds control characters.")
    return label


def create_api_token(engine: Engine, unit_code: str, *, label: str = "", days: int | None = 365,
                     actor: Actor) -> tuple[str, TokenInfo]:
    """A unit's API token: ``(token, TokenInfo)``; the token is for the answer page only."""
    label = _label(label, required=False)
    with engine.connect() as conn:
        unit = get_unit(conn, unit_code)
    if not unit.active:
        raise AdminError(f"Đơn vị “{unit.code}” đã ngừng hoạt động.", f"Unit '{unit.code}' is deactivated.")
    try:
        token, info = create_token(engine, unit.code, days=days, label=label)
    except TokenError:
        raise AdminError(f"Không có đơn vị “{unit_code}”.", f"No unit '{unit_code}'.") from None
    audit.write(engine, "token.create", actor=actor.name, role=actor.role, target=f"api_token:{info.id}", ip=actor.ip,
                detail={"unit": info.unit_code, "label": label, "days": days})
    return token, info


def revoke_api_token(engine: Engine, token_id: int, *, actor: Actor) -> TokenInfo:
    """Revoke a unit's API token (refused from the next request on)."""
    try:
        info = revoke_token(engine, token_id)
    except TokenError:
        raise AdminError(f"Không có mã truy cập số {token_id}.", f"No token {token_id}.") from None
    audit.write(engine, "token.revoke", actor=actor.name, role=actor.role, target=f"api_token:{token_id}",
                ip=actor.ip, detail={"unit": info.unit_code, "label": info.label})
    return info


def create_wall_token(engine: Engine, *, label: str, days: int | None = None, actor: Actor) -> tuple[int, str]:
    """A wall's display token: ``(id, token)``; the token is for the answer page only."""
    label = _label(label, required=True)
    token_id, token = create_display_token(engine, label, days)
    audit.write(engine, "display_token.create", actor=actor.name, role=actor.role,
                target=f"display_token:{token_id}", ip=actor.ip, detail={"label": label, "days": days})
    return token_id, token


def revoke_wall_token(engine: Engine, token_id: int, *, actor: Actor) -> None:
    """Revoke a wall's token (the data version is bumped with it: every wall refreshes now)."""
    with engine.connect() as conn:
        known = conn.execute(select(func.count()).select_from(schema.display_token)
                             .where(schema.display_token.c.id == token_id)).scalar()
    if not known:
        raise AdminError(f"Không có mã màn hình số {token_id}.", f"No display token {token_id}.")
    if revoke_display_token(engine, token_id):
        audit.write(engine, "display_token.revoke", actor=actor.name, role=actor.role,
                    target=f"display_token:{token_id}", ip=actor.ip)


# -- units' saved mappings of names to codes (issue 18) ---------------------------------------------


def delete_mapping(engine: Engine, mapping_id: int, *, actor: Actor) -> str:
    """Delete a unit's saved mapping: the next file of its shape gets the product's proposal again.
    Audited (``mapping.delete``) with the mapping as it was, so that it can be entered again.
    Returns ``unit/name``."""
    m = schema.import_mapping
    with engine.begin() as conn:
        row = conn.execute(select(ag.c.code, m.c.name, m.c.signature, m.c.mapping, m.c.created_by)
                           .join(ag, ag.c.id == m.c.agency_id).where(m.c.id == mapping_id)).first()
        if row is None:
            raise AdminError(f"Không có cách đối chiếu số {mapping_id}.", f"No saved mapping number {mapping_id}.")
        conn.execute(m.delete().where(m.c.id == mapping_id))
        target = f"{row.code}/{row.name}"
        audit.record(conn, "mapping.delete", actor=actor.name, role=actor.role, target=target, ip=actor.ip,
                     detail={"signature": row.signature, "created_by": row.created_by, "mapping": row.mapping})
    return target
