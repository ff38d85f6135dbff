"""Password hashing with scrypt (werkzeug's ``generate_password_hash(method="scrypt")``: n=2**15,
r=8, p=1, a 16-byte salt per hash) and the password rules."""

from __future__ import annotations

import secrets

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
MAX_LENGTH = 200  # longer inputs are refused before hashing (no hashing of megabyte "passwords")

# A valid hash of a random password: checked when the user does not exist, so that an unknown
# name costs the same time as a wrong password (no user enumeration by timing).
_DUMMY = generate_password_hash(secrets.token_urlsafe(16), method="scrypt")


class PasswordRuleError(ValueError):
    """The password breaks a rule; ``message_vi`` / ``message_en`` say which."""

    def __init__(self, message_vi: str, message_en: str):
        super().__init__(message_en)
        self.message_vi, self.message_en = message_vi, message_en


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; with no hash, a dummy check of equal cost."""
    if not password or len(password) > MAX_LENGTH:
        check_password_hash(_DUMMY, "x")
        return False
    if not stored_hash:
        check_password_hash(_DUMMY, password)
        return False
    try:
        return check_password_hash(stored_hash, password)
    except (ValueError, TypeError):
        return False


def check_rules(password: str, username: str = "") -> None:
    """Raise :class:`PasswordRuleError` unless the password is 10-200 characters, not the user
    name, and not one character repeated."""
    if len(password) < MIN_LENGTH:
        raise PasswordRuleError(f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự.",
                                f"The password must have at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise PasswordRuleError(f"Mật khẩu không được dài quá {MAX_LENGTH} ký tự.",
                                f"The password must not be longer than {MAX_LENGTH} characters.")
    if username and password.strip().lower() == username.strip().lower():
        raise PasswordRuleError("Mật khẩu không được trùng tên đăng nhập.",
                                "The password must not be the user name.")
    if len(set(password)) < 4:
        raise PasswordRuleError("Mật khẩu quá đơn giản.", "The password is too simple.")


def random_password() -> str:
    """A password to print once (about 120 bits)."""
    return secrets.token_urlsafe(15)
