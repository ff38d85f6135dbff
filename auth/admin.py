"""The commands and reads behind the admin pages for reporting units (``agency``), the indicator
catalogue and tokens. Every change is written to the audit log; a change that boards, the API or
the intake read (a unit's names or state, an indicator's confidentiality or agency) also bumps
``data_version`` in the same transaction, so every worker's cached reads and responses miss from
the next request on (:mod:`data_access.cache`).

Tokens are created and revoked by :mod:`auth.tokens` and :mod:`auth.displays` (their own
transactions, as the command line does); the audit entry follows in a transaction of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from auth import audit
from auth.displays import create_display_token, revoke_display_token
from auth.tokens import TokenError, TokenInfo, create_token, revoke_token
from auth.users import UserError
from data_access import schema
from data_access.engine import bump_data_version
from domain.text import fold

ag, ar, ind = schema.agency, schema.area, schema.indicator

UNIT_KINDS = ("ministry", "ministry_level", "statistics", "government", "province")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,23}$")
MAX_NAME = 300
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


def list_units(conn: Connection, query: str = "", state: str = "") -> list[Unit]:
    """Units whose code or names (both languages, full and short) contain every word of ``query``,
    with or without diacritics; ``state`` ``active`` / ``inactive`` filters. Ordered by code."""
    words = fold(query or "").split()
    out = []
    for row in conn.execute(_unit_select().order_by(ag.c.code)):
        unit = _unit(row)
        if state == "active" and not unit.active or state == "inactive" and unit.active:
            continue
        text = fold(" ".join((unit.code, unit.name_vi, unit.name_en, unit.short_vi, unit.short_en)))
        if all(w in text for w in words):
            out.append(unit)
    return out


def get_unit(conn: Connection, code: str) -> Unit:
    row = conn.execute(_unit_select().where(ag.c.code == (code or "").strip().upper())).first()
    if row is None:
        raise AdminError(f"Không có đơn vị “{code}”.", f"No unit '{code}'.")
    return _unit(row)


def _names(name_vi: str, name_en: str, short_vi: str, short_en: str) -> dict[str, str]:
    values = {"name_vi": (name_vi or "").strip(), "name_en": (name_en or "").strip(),
              "short_vi": (short_vi or "").strip(), "short_en": (short_en or "").strip()}
    if not values["name_vi"] or not values["name_en"]:
        raise AdminError("Cần nhập tên đơn vị bằng tiếng Việt và tiếng Anh.",
                         "A unit needs its name in Vietnamese and in English.")
    if any(len(v) > MAX_NAME or any(ord(c) < 32 for c in v) for v in values.values()):
        raise AdminError(f"Tên quá dài (tối đa {MAX_NAME} ký tự) hoặc có ký tự điều khiển.",
                         f"A name is too long (at most {MAX_NAME} characters) or holds control characters.")
    values["short_vi"] = values["short_vi"] or values["name_vi"]
    values["short_en"] = values["short_en"] or values["name_en"]
    return values


def create_unit(engine: Engine, code: str, *, name_vi: str, name_en: str, short_vi: str = "", short_en: str = "",
                kind: str, area_key: str | None = None, actor: Actor) -> Unit:
    """A new, active reporting unit. ``area_key``: its province for ``kind="province"`` (required),
    else the nation (``VN``) by default."""
    code = (code or "").strip().upper()
    if not _CODE.match(code):
        raise AdminError("Mã đơn vị gồm chữ in hoa không dấu, số, _ hoặc - (tối đa 24 ký tự).",
                         "A unit code has capital letters A-Z, digits, _ or - (at most 24 characters).")
    if kind not in UNIT_KINDS:
        raise AdminError(f"Loại đơn vị “{kind}” không hợp lệ.", f"Unknown unit kind '{kind}'.")
    names = _names(name_vi, name_en, short_vi, short_en)
    area_key = (area_key or "").strip() or (None if kind == "province" else "VN")
    with engine.begin() as conn:
        if conn.execute(select(ag.c.id).where(ag.c.code == code)).first() is not None:
            raise AdminError(f"Mã đơn vị “{code}” đã có.", f"The unit code '{code}' is taken.")
        area = None
        if area_key is not None:
            area = conn.execute(select(ar.c.id, ar.c.level).where(ar.c.key == area_key)).first()
            if area is None:
                raise AdminError(f"Không có địa bàn “{area_key}”.", f"No area '{area_key}'.")
        if kind == "province" and (area is None or area.level != "province"):
            raise AdminError("Đơn vị cấp tỉnh cần mã địa bàn của một tỉnh, thành phố.",
                             "A province unit needs the area key of a province.")
        conn.execute(ag.insert().values(code=code, kind=kind, area_id=area.id if area is not None else None,
                                        active=True, **names))
        bump_data_version(conn)
        audit.record(conn, "unit.create", actor=actor.name, role=actor.role, target=f"unit:{code}", ip=actor.ip,
                     detail={"kind": kind, "area": area_key, **names})
        return get_unit(conn, code)


def update_unit_names(engine: Engine, code: str, *, name_vi: str, name_en: str, short_vi: str = "",
                      short_en: str = "", actor: Actor) -> Unit:
    names = _names(name_vi, name_en, short_vi, short_en)
    with engine.begin() as conn:
        unit = get_unit(conn, code)
        changes = {k: {"from": getattr(unit, k), "to": v} for k, v in names.items() if getattr(unit, k) != v}
        if not changes:
            return unit
        conn.execute(ag.update().where(ag.c.id == unit.id).values(**names))
        bump_data_version(conn)
        audit.record(conn, "unit.update", actor=actor.name, role=actor.role, target=f"unit:{unit.code}",
                     ip=actor.ip, detail=changes)
        return get_unit(conn, unit.code)


def set_unit_active(engine: Engine, code: str, active: bool, *, actor: Actor) -> Unit:
    """Deactivate (no upload choice, submissions refused by every channel, out of the compliance
    calendar) or reactivate a unit. Its history and tokens stay."""
    with engine.begin() as conn:
        unit = get_unit(conn, code)
        if unit.active == bool(active):
            return unit
        conn.execute(ag.update().where(ag.c.id == unit.id).values(active=bool(active)))
        bump_data_version(conn)
        audit.record(conn, "unit.activate" if active else "unit.deactivate", actor=actor.name, role=actor.role,
                     target=f"unit:{unit.code}", ip=actor.ip)
        return get_unit(conn, unit.code)


# -- the indicator catalogue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorChange:
    code: str
    changes: dict  # field -> {"from": .., "to": ..}; empty: nothing changed


def update_indicator(engine: Engine, code: str, *, confidential: bool | None = None, agency_code: str | None = None,
                     actor: Actor) -> IndicatorChange:
    """Mark an indicator confidential or public and/or change its responsible agency. Holds for
    every viewer, worker and wall from the next request on (``data_version`` is bumped with it)."""
    with engine.begin() as conn:
        row = conn.execute(select(ind.c.id, ind.c.code, ind.c.confidential, ag.c.code.label("agency_code"))
                           .join(ag, ag.c.id == ind.c.agency_id).where(ind.c.code == (code or "").strip())).first()
        if row is None:
            raise AdminError(f"Không có chỉ tiêu “{code}”.", f"No indicator '{code}'.")
        values: dict = {}
        changes: dict = {}
        if confidential is not None and bool(confidential) != bool(row.confidential):
            values["confidential"] = bool(confidential)
            changes["confidential"] = {"from": bool(row.confidential), "to": bool(confidential)}
        if agency_code and agency_code.strip().upper() != row.agency_code:
            agency = get_unit(conn, agency_code)
            values["agency_id"] = agency.id
            changes["agency"] = {"from": row.agency_code, "to": agency.code}
        if not values:
            return IndicatorChange(row.code, {})
        conn.execute(ind.update().where(ind.c.id == row.id).values(**values))
        bump_data_version(conn)
        audit.record(conn, "indicator.update", actor=actor.name, role=actor.role, target=f"indicator:{row.code}",
                     ip=actor.ip, detail=changes)
        return IndicatorChange(row.code, changes)


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
