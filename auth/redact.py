"""Secrets kept out of every log line: the access log (gunicorn's, and the development server's),
the application's log and the audit log.

A wall's display token reaches the server once in an address (``/wall?token=``, exchanged at once
for a cookie), and could come back in a ``Referer`` or a sign-in ``next=``; API tokens travel in
``Authorization``. :func:`redact` replaces the value of any secret-named query parameter (plain
or percent-encoded, as inside ``next=``) and of any bearer credential with ``[redacted]``.
:class:`RedactingFilter` applies it to log records, :class:`RedactingLogger` to gunicorn's access
and error logs (``logger_class`` in ``gunicorn.conf.py``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

SECRET_NAMES = ("token", "access_token", "password", "secret", "api_key", "session")
MASK = "[redacted]"
_NAMES = "|".join(SECRET_NAMES)
# name=value in a query string, a form or free text; the value ends at &, whitespace, a quote or
# a closing bracket. The second form is the same inside a percent-encoded address (next=%2Fwall%3Ftoken%3D...).
_PLAIN = re.compile(rf"(?i)\b({_NAMES})=([^&\s\"'<>)\]]+)")
_ENCODED = re.compile(rf"(?i)(?:(?<=%3F)|(?<=%26)|(?<=%253F)|(?<=%2526)|\b)({_NAMES})(%3D|%253D)"
                      r"((?:(?!%26|%2526)[^&\s\"'<>)\]])+)")
_BEARER = re.compile(r"(?i)\b(Bearer)\s+[A-Za-z0-9._~+/=-]{16,}")


def redact(text: str) -> str:
    """``text`` with every secret value replaced by ``[redacted]``."""
    if not text or ("=" not in text and "%3" not in text.upper() and "earer" not in text):
        return text
    text = _PLAIN.sub(lambda m: f"{m.group(1)}={MASK}", text)
    text = _ENCODED.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    return _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)


def redact_value(value: Any) -> Any:
    """Strings, and the strings inside lists and dicts, redacted (audit details)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_value(v) for v in value]
    return value


class RedactingFilter(logging.Filter):
    """A logging filter that rewrites a record's message (with its arguments) redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logged as the logging module would
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Redact every handler of ``logger`` (the root logger by default) and the development
    server's request log."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactingFilter) for f in werkzeug.filters):
        werkzeug.addFilter(RedactingFilter())


try:  # gunicorn is the production server; the embedded default runs without it
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - gunicorn is in requirements.txt
    _GunicornLogger = object  # type: ignore[assignment,misc]


class RedactingLogger(_GunicornLogger):  # type: ignore[misc,valid-type]
    """gunicorn's logger with every access-log atom and every error-log line redacted."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:  # gunicorn's signature
        found = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in found.items()}

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        install(self.error_log)
