"""One configuration object, read from the environment, with a working default for every
setting on the embedded first run (SQLite under ``instance/``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar, overload

ROOT = Path(__file__).resolve().parent
N = TypeVar("N", int, float)


class ConfigError(RuntimeError):
    """Bad configuration: the message says what to fix, in one line."""


@overload
def _env(name: str, default: str) -> str: ...
@overload
def _env(name: str, default: None = None) -> str | None: ...
def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _path_or_none(text: str | None) -> Path | None:
    return Path(text) if text else None


def _number(name: str, default: N, kind: Callable[[str], N], what: str) -> N:
    text = _env(name, str(default))
    try:
        value = kind(text)
    except ValueError:
        raise ConfigError(f"{name} must be {what}, got {text!r}") from None
    if not value >= 0:  # NaN is not a count or a duration either
        raise ConfigError(f"{name} must not be negative, got {text}")
    return value


def _int(name: str, default: int) -> int:
    return _number(name, default, int, "a whole number")


def _float(name: str, default: float) -> float:
    return _number(name, default, float, "a number")


@dataclass(frozen=True)
class Settings:
    """Every setting the app reads. Build with :meth:`from_env`; tests use :func:`dataclasses.replace`."""

    app_env: str = "development"
    instance_dir: Path = ROOT / "instance"
    database_url: str = ""
    cache_redis_url: str | None = None
    cache_type: str | None = None  # None: SimpleCache in one process, FileSystemCache under gunicorn
    cache_dir: Path | None = None
    cache_timeout: int = 3600
    secret_key: str = "dev-only-not-secret"
    host: str = "127.0.0.1"
    port: int = 8050
    seed_demo: bool = True
    demo_seed: int = 2020
    demo_until: str | None = None  # ISO date: last day of demo data; default today
    debug: bool = False
    wall_min_poll_s: float = 15.0  # the fastest a wall may poll the data version
    # access control (auth package). auth_required is not read from the environment: only code (the
    # test suite's make_settings) can turn it off, and APP_ENV=production refuses to run without it.
    auth_required: bool = True
    session_idle_minutes: int = 60  # a session ends after this long without a request
    session_max_hours: int = 12  # and after this long in all
    # the sign-in throttle (auth/throttle.py): free failures before back-off starts, per key
    signin_max_failures: int = 5  # of one (user name, client) pair; the client is a known device or the address
    signin_user_max_failures: int = 20  # of one user name from unknown devices, any address
    signin_ip_max_failures: int = 30  # from one address on unknown devices, any names
    signin_lockout_minutes: int = 15  # the longest wait back-off imposes (failures are forgotten after 4 times that)
    trust_proxy: int = 0  # reverse proxies in front (their X-Forwarded-For/-Proto are trusted)
    # the budget of one upload, on every channel (API, upload page, CLI; ingest.pipeline.IntakeLimits,
    # ingest.bounds): a file beyond any of these is refused with an intake error saying which limit
    intake_max_bytes: int = 50 * 1024 * 1024  # INTAKE_MAX_BYTES: the file as sent
    intake_max_rows: int = 2_000_000  # INTAKE_MAX_ROWS: data rows; an XLSX is read up to this + 1
    intake_parse_seconds: float = 45.0  # INTAKE_PARSE_SECONDS: wall clock of reading a file (gunicorn's timeout is 60)
    intake_max_unzipped_bytes: int = 1024 * 1024 * 1024  # INTAKE_MAX_UNZIPPED_BYTES: an XLSX unpacked, declared and read
    intake_max_zip_ratio: int = 100  # INTAKE_MAX_ZIP_RATIO: unpacked / packed of an XLSX part over 1 MiB (real: 5-20)
    intake_max_line_bytes: int = 1024 * 1024  # INTAKE_MAX_LINE_BYTES: a CSV line (and a quoted field)
    intake_max_columns: int = 1000  # INTAKE_MAX_COLUMNS: columns of the header row
    # the render gate of exports (exports/gate.py), across every worker and host
    export_pack_concurrency: int = 2  # briefing packs rendered at once, in all
    export_pack_per_user: int = 1  # briefing packs of one user rendered at once
    export_queue_max: int = 6  # packs waiting for their turn, in all (beyond: 429)
    export_queue_per_user: int = 2  # packs of one user waiting (beyond: 429)
    export_wait_seconds: int = 300  # the longest a pack waits in the queue
    export_lease_seconds: int = 30  # a render whose process stopped renewing it frees its slot after this
    export_chart_concurrency: int = 4  # single chart images (PNG, SVG, PDF) at once, in all; no queue
    export_chart_per_user: int = 2  # single chart images of one user at once
    # a direction's attachment (directions.attachments): PDF, DOCX or XLSX up to this size, read streamed
    direction_file_max_bytes: int = 20 * 1024 * 1024  # DIRECTION_FILE_MAX_BYTES
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        instance = Path(_env("INSTANCE_DIR", str(ROOT / "instance")))
        url = _env("DATABASE_URL") or f"sqlite:///{instance / 'warehouse.sqlite'}"
        port_text = _env("PORT", "8050")
        try:
            port = int(port_text)
        except ValueError:
            raise ConfigError(f"PORT must be a number, got {port_text!r}") from None
        return cls(
            app_env=_env("APP_ENV", "development"),
            instance_dir=instance,
            database_url=url,
            cache_redis_url=_env("CACHE_REDIS_URL"),
            cache_type=_env("CACHE_TYPE"),
            cache_dir=_path_or_none(_env("CACHE_DIR")),
            cache_timeout=int(_env("CACHE_TIMEOUT", "3600")),
            secret_key=_env("SECRET_KEY", "dev-only-not-secret"),
            host=_env("HOST", "127.0.0.1"),
            port=port,
            seed_demo=_env("SEED_DEMO", "1") not in ("0", "false", "no"),
            demo_seed=int(_env("DEMO_SEED", "2020")),
            demo_until=_env("DEMO_UNTIL"),
            debug=_env("DASH_DEBUG", "0") in ("1", "true", "yes"),
            wall_min_poll_s=float(_env("WALL_MIN_POLL_SECONDS", "15")),
            session_idle_minutes=_int("SESSION_IDLE_MINUTES", 60),
            session_max_hours=_int("SESSION_MAX_HOURS", 12),
            signin_max_failures=_int("SIGNIN_MAX_FAILURES", 5),
            signin_user_max_failures=_int("SIGNIN_USER_MAX_FAILURES", 20),
            signin_ip_max_failures=_int("SIGNIN_IP_MAX_FAILURES", 30),
            signin_lockout_minutes=_int("SIGNIN_LOCKOUT_MINUTES", 15),
            trust_proxy=_int("TRUST_PROXY", 0),
            intake_max_bytes=_int("INTAKE_MAX_BYTES", cls.intake_max_bytes),
            intake_max_rows=_int("INTAKE_MAX_ROWS", cls.intake_max_rows),
            intake_parse_seconds=_float("INTAKE_PARSE_SECONDS", cls.intake_parse_seconds),
            intake_max_unzipped_bytes=_int("INTAKE_MAX_UNZIPPED_BYTES", cls.intake_max_unzipped_bytes),
            intake_max_zip_ratio=_int("INTAKE_MAX_ZIP_RATIO", cls.intake_max_zip_ratio),
            intake_max_line_bytes=_int("INTAKE_MAX_LINE_BYTES", cls.intake_max_line_bytes),
            intake_max_columns=_int("INTAKE_MAX_COLUMNS", cls.intake_max_columns),
            export_pack_concurrency=max(1, _int("EXPORT_PACK_CONCURRENCY", 2)),
            export_pack_per_user=max(1, _int("EXPORT_PACK_PER_USER", 1)),
            export_queue_max=_int("EXPORT_QUEUE_MAX", 6),
            export_queue_per_user=_int("EXPORT_QUEUE_PER_USER", 2),
            export_wait_seconds=_int("EXPORT_WAIT_SECONDS", 300),
            export_lease_seconds=max(3, _int("EXPORT_LEASE_SECONDS", 30)),
            export_chart_concurrency=max(1, _int("EXPORT_CHART_CONCURRENCY", 4)),
            export_chart_per_user=max(1, _int("EXPORT_CHART_PER_USER", 2)),
            direction_file_max_bytes=max(1024, _int("DIRECTION_FILE_MAX_BYTES", cls.direction_file_max_bytes)),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)
