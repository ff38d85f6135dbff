"""User accounts (``app_user``): typed reads and the commands that change them. Every change is
written to the audit log in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from auth import audit, clock
from auth.passwords import check_rules, hash_password, verify_password
from auth.policy import ANALYST, REPORTER, ROLES
from data_access import schema
from data_access.engine import count_session_end

u, ag = schema.app_user, schema.agency

# The demo users of the seeded demo warehouse (one per role), all with this documented password.
# ``APP_ENV=production`` refuses to start while any of them still has it.
DEMO_PASSWORD = "minhhoa-demo"
DEMO_USERS = (
    # username, display name, role, unit, confidential grant
    ("demo.leader", "Lãnh đạo (minh họa)", "leader", None, False),
    ("demo.analyst", "Chuyên viên phân tích (minh họa)", "analyst", None, False),
    ("demo.analyst.mat", "Chuyên viên phân tích, được xem số liệu mật (minh họa)", "analyst", None, True),
    ("demo.reporter", "Cán bộ báo cáo – Cục Thống kê (minh họa)", "reporter", "TK", False),
)


class UserError(ValueError):
    """A user command was refused; ``message_vi`` / ``message_en`` say why."""

    def __init__(self, message_vi: str, message_en: str):
        super().__init__(message_en)
        self.message_vi, self.message_en = message_vi, message_en


class UserNotFound(UserError):
    def __init__(self, username: str):
        super().__init__(f"Không có người dùng “{username}”.", f"No user '{username}'.")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str
    unit_code: str | None
    confidential: bool
    active: bool
    demo: bool
    created_at: datetime
    updated_at: datetime
    password_changed_at: datetime
    last_sign_in_at: datetime | None
    email: str | None = None  # where the user's subscriptions go


def _select():
    return select(u.c.id, u.c.username, u.c.display_name, u.c.role, ag.c.code.label("unit_code"), u.c.confidential,
                  u.c.active, u.c.demo, u.c.created_at, u.c.updated_at, u.c.password_changed_at,
                  u.c.last_sign_in_at, u.c.email).outerjoin(ag, ag.c.id == u.c.agency_id)


def valid_email(address: str) -> bool:
    """A plausible single address (``name@host``), or empty (no address)."""
    return not address or ("@" in address.strip("@") and not any(c.isspace() or c in ",;<>" for c in address)
                           and len(address) <= 254)


def _user(row) -> User:
    m = dict(row._mapping)
    m["confidential"], m["active"], m["demo"] = bool(m["confidential"]), bool(m["active"]), bool(m["demo"])
    return User(**m)


def norm_username(username: str) -> str:
    return (username or "").strip().lower()


def get_user(conn: Connection, username: str) -> User:
    row = conn.execute(_select().where(u.c.username == norm_username(username))).first()
    if row is None:
        raise UserNotFound(username)
    return _user(row)


def list_users(conn: Connection) -> list[User]:
    return [_user(r) for r in conn.execute(_select().order_by(u.c.username))]


def count_users(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(u)).scalar() or 0)


def check_credentials(conn: Connection, username: str, password: str) -> User | None:
    """The active user with this name and password, else None (same cost either way)."""
    name = norm_username(username)
    row = conn.execute(select(u.c.password_hash, u.c.active).where(u.c.username == name)).first() if name else None
    ok = verify_password(row.password_hash if row else None, password)
    if not ok or not row.active:
        return None
    return get_user(conn, name)


def has_demo_password(conn: Connection, username: str) -> bool:
    row = conn.execute(select(u.c.password_hash).where(u.c.username == norm_username(username))).first()
    return bool(row) and verify_password(row.password_hash, DEMO_PASSWORD)


def users_with_default_password(conn: Connection) -> list[str]:
    """Active demo users whose password is still the documented demo password."""
    names = [r.username for r in conn.execute(select(u.c.username).where(u.c.active.is_(True), u.c.demo.is_(True)))]
    return [n for n in names if has_demo_password(conn, n)]


def _unit_id(conn: Connection, unit_code: str | None) -> int | None:
    if not unit_code:
        return None
    unit_id = conn.execute(select(ag.c.id).where(ag.c.code == unit_code.strip().upper())).scalar()
    if unit_id is None:
        raise UserError(f"Không có đơn vị “{unit_code}”.", f"No unit '{unit_code}'.")
    return int(unit_id)


def _check_role(role: str, unit_code: str | None, confidential: bool) -> None:
    if role not in ROLES:
        raise UserError(f"Vai trò “{role}” không hợp lệ (admin, leader, analyst, reporter).",
                        f"Unknown role '{role}' (admin, leader, analyst, reporter).")
    if role == REPORTER and not unit_code:
        raise UserError("Cán bộ báo cáo phải thuộc một đơn vị báo cáo.", "A reporter must belong to a reporting unit.")
    if role != REPORTER and unit_code:
        raise UserError("Chỉ cán bộ báo cáo mới gắn với đơn vị.", "Only reporters belong to a unit.")
    if confidential and role != ANALYST:
        raise UserError("Quyền xem số liệu mật chỉ cấp riêng cho chuyên viên phân tích (lãnh đạo và quản trị đã có).",
                        "The confidential grant is for analysts (leaders and admins have it already).")


def create_user(engine: Engine, username: str, password: str, role: str, *, display_name: str = "",
                unit_code: str | None = None, confidential: bool = False, demo: bool = False,
                actor: str = "system", actor_role: str | None = None, ip: str | None = None,
                check_password: bool = True) -> User:
    name = norm_username(username)
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-@" for c in name):
        raise UserError("Tên đăng nhập chỉ gồm chữ, số và . _ - @ (tối đa 64 ký tự).",
                        "A user name has letters, digits and . _ - @ only (at most 64 characters).")
    _check_role(role, unit_code, confidential)
    if check_password:
        check_rules(password, name)
    now = clock.now()
    with engine.begin() as conn:
        if conn.execute(select(u.c.id).where(u.c.username == name)).first() is not None:
            raise UserError(f"Tên đăng nhập “{name}” đã có.", f"The user name '{name}' is taken.")
        conn.execute(u.insert().values(
            username=name, display_name=(display_name or "").strip()[:200], role=role,
            agency_id=_unit_id(conn, unit_code), confidential=bool(confidential), password_hash=hash_password(password),
            active=True, demo=demo, created_at=now, updated_at=now, password_changed_at=now))
        audit.record(conn, "user.create", actor=actor, role=actor_role, target=f"user:{name}", ip=ip,
                     detail={"role": role, "unit": unit_code, "confidential": bool(confidential), "demo": demo})
        return get_user(conn, name)


def set_password(engine: Engine, username: str, password: str, *, actor: str = "system",
                 actor_role: str | None = None, ip: str | None = None) -> User:
    """A new password; every open session of the user ends (they sign in again)."""
    name = norm_username(username)
    check_rules(password, name)
    now = clock.now()
    with engine.begin() as conn:
        user = get_user(conn, name)
        conn.execute(u.update().where(u.c.id == user.id).values(
            password_hash=hash_password(password), password_changed_at=now, updated_at=now, demo=False))
        _end_sessions(conn, user.id, now)
        audit.record(conn, "user.password", actor=actor, role=actor_role, target=f"user:{name}", ip=ip)
        return get_user(conn, name)


def update_user(engine: Engine, username: str, *, role: str | None = None, unit_code: str | None = "",
                confidential: bool | None = None, active: bool | None = None, display_name: str | None = None,
                email: str | None = None, actor: str = "system", actor_role: str | None = None,
                ip: str | None = None) -> User:
    """Change role, unit (``""``: keep; None: none), grant, active flag, name or e-mail address (None:
    keep; ``""``: none). A change of role, unit, grant or active flag ends the user's sessions, so it
    holds from the next request."""
    name = norm_username(username)
    now = clock.now()
    with engine.begin() as conn:
        user = get_user(conn, name)
        new_role = role or user.role
        new_unit = user.unit_code if unit_code == "" else unit_code
        if role is not None and role != REPORTER and unit_code == "":
            new_unit = None
        new_conf = user.confidential if confidential is None else bool(confidential)
        if confidential is None and new_role != ANALYST:
            new_conf = False
        _check_role(new_role, new_unit, new_conf)
        values = {"role": new_role, "agency_id": _unit_id(conn, new_unit), "confidential": new_conf, "updated_at": now}
        if active is not None:
            values["active"] = bool(active)
        if display_name is not None:
            values["display_name"] = display_name.strip()[:200]
        if email is not None:
            if not valid_email(email.strip()):
                raise UserError(f"Địa chỉ thư “{email}” không hợp lệ.", f"'{email}' is not an e-mail address.")
            values["email"] = email.strip() or None
        conn.execute(u.update().where(u.c.id == user.id).values(**values))
        changes = {k: v for k, v in {"role": (user.role, new_role), "unit": (user.unit_code, new_unit),
                                     "confidential": (user.confidential, new_conf),
                                     "active": (user.active, values.get("active", user.active))}.items()
                   if v[0] != v[1]}
        if changes:
            _end_sessions(conn, user.id, now)
        audit.record(conn, "user.update", actor=actor, role=actor_role, target=f"user:{name}", ip=ip,
                     detail={k: {"from": a, "to": b} for k, (a, b) in changes.items()}
                     | ({"display_name": display_name} if display_name is not None else {})
                     | ({"email": {"from": user.email, "to": values["email"]}}
                        if email is not None and values["email"] != user.email else {}))
        return get_user(conn, name)


def _end_sessions(conn: Connection, user_id: int, now: datetime) -> None:
    s = schema.user_session
    if conn.execute(s.update().where(s.c.user_id == user_id, s.c.revoked_at.is_(None))
                    .values(revoked_at=now)).rowcount:
        count_session_end(conn)


def mark_signed_in(conn: Connection, user_id: int) -> None:
    conn.execute(u.update().where(u.c.id == user_id).values(last_sign_in_at=clock.now()))


def create_demo_users(engine: Engine) -> list[str]:
    """The demo users (documented password), unless they exist. Returns the names created."""
    created = []
    with engine.connect() as conn:
        existing = {r.username for r in conn.execute(select(u.c.username))}
    for name, display, role, unit, conf in DEMO_USERS:
        if name in existing:
            continue
        create_user(engine, name, DEMO_PASSWORD, role, display_name=display, unit_code=unit, confidential=conf,
                    demo=True, actor="bootstrap", check_password=False)
        created.append(name)
    return created
