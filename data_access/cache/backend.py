"""The cache backend (flask-caching) behind a small circuit breaker, and stamped entries.

* RedisCache when ``CACHE_REDIS_URL`` is set (shared by every worker and host); FileSystemCache
  under gunicorn or when ``CACHE_TYPE=FileSystemCache``; SimpleCache for one development process.
* A cache outage degrades to direct queries: errors are logged once, and the backend is skipped
  for a few seconds before it is tried again, never an error page.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from flask_caching import Cache
from sqlalchemy.exc import SQLAlchemyError

from settings import ConfigError, Settings

log = logging.getLogger(__name__)

_RETRY_AFTER_S = 5.0

# What a warehouse outage raises: driver errors wrapped by SQLAlchemy, and ConfigError from a
# worker whose engine is first created while the server is down.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, ConfigError)
LAST_GOOD_TIMEOUT_S = 7 * 24 * 3600  # "last good" entries outlive normal ones: they serve outages

#: What an entry depends on: ``((scope, version), ...)``, sorted by scope.
Stamps = tuple[tuple[str, int], ...]
MISSING = object()  # "no value" where None is a value


def _backend_config(settings: Settings) -> dict[str, Any]:
    timeout = settings.cache_timeout
    if settings.cache_redis_url:
        return {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": settings.cache_redis_url,
            "CACHE_KEY_PREFIX": "occ:",
            "CACHE_DEFAULT_TIMEOUT": timeout,
            "CACHE_OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25},
        }
    kind = settings.cache_type
    if kind is None:
        under_gunicorn = "gunicorn" in os.environ.get("SERVER_SOFTWARE", "")
        kind = "FileSystemCache" if under_gunicorn else "SimpleCache"
    if kind == "FileSystemCache":
        folder = settings.cache_dir or (settings.instance_dir / "cache")
        return {
            "CACHE_TYPE": "FileSystemCache",
            "CACHE_DIR": str(folder),
            "CACHE_THRESHOLD": 20000,
            "CACHE_DEFAULT_TIMEOUT": timeout,
        }
    if kind == "NullCache":
        return {"CACHE_TYPE": "NullCache"}
    return {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 5000, "CACHE_DEFAULT_TIMEOUT": timeout}


class CacheManager:
    """Created without an app; ``init_app`` binds one flask-caching ``Cache`` per app."""

    def init_app(self, server: Flask, settings: Settings) -> None:
        cache = Cache()
        cache.init_app(server, config=_backend_config(settings))
        server.extensions["occ_cache"] = GuardedCache(cache)

    @staticmethod
    def current() -> GuardedCache | None:
        if not has_app_context():
            return None
        return current_app.extensions.get("occ_cache")


class GuardedCache:
    """Wraps a flask-caching ``Cache``: errors never escape, a failing backend is skipped briefly."""

    def __init__(self, cache: Cache):
        self.cache = cache
        self.backend = type(cache.cache).__name__
        self._down_until = 0.0
        self.hits = 0
        self.misses = 0
        self.errors = 0

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, exc: Exception) -> None:
        self.errors += 1
        if self.available:
            log.warning("cache backend %s unavailable (%s); querying directly", self.backend, exc)
        self._down_until = time.monotonic() + _RETRY_AFTER_S

    def get(self, key: str) -> tuple[bool, Any]:
        if not self.available:
            return False, None
        try:
            raw = self.cache.cache.get(key)
        except Exception as exc:  # noqa: BLE001 - any backend failure means "not cached"
            self._failed(exc)
            return False, None
        if raw is None:
            self.misses += 1
            return False, None
        self.hits += 1
        return True, raw[0]

    def get_stamped(self, key: str, valid: Callable[[Stamps], bool]) -> tuple[bool, Stamps, Any]:
        """An entry stored by :func:`packed` as ``(stamps, pickled value)``: a hit only while
        ``valid(stamps)`` (an outdated entry counts as a miss). The value is unpickled only for a
        hit: after a load, a board's first request meets a dozen outdated entries (DataFrames of
        hundreds of rows) and learns from their stamps alone that they are."""
        hit, stamped, value, _keys = self.get_view(key, valid)
        return hit, stamped, value

    def get_view(self, key: str, valid: Callable[[Stamps], bool]) -> tuple[bool, Stamps, Any, tuple[str, ...]]:
        """:meth:`get_stamped` of a stored response, and the keys of the data entries it read when
        it was rendered (:func:`packed` with ``keys``; ``()`` for none), outdated or not: a
        response rendered again reads most of them again (:meth:`get_raw_many`)."""
        hit, entry = self.get(key)
        return self.current(entry if hit else None, valid)

    def current(self, entry: Any, valid: Callable[[Stamps], bool]) -> tuple[bool, Stamps, Any, tuple[str, ...]]:
        """A stored entry as :meth:`get_view` reads it (None: no entry): ``(hit, stamps, value,
        keys)``, the value unpickled for a hit only."""
        if entry is None:
            return False, (), None, ()
        keys: tuple[str, ...] = ()
        if isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[2], tuple):
            keys, entry = entry[2], entry[:2]
        if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], bytes) and valid(entry[0]):
            try:
                value = pickle.loads(entry[1])
            except Exception:  # noqa: BLE001 - an entry of an older layout: recompute it
                value = MISSING
            if value is not MISSING:
                return True, entry[0], value, keys
        self.hits -= 1
        self.misses += 1
        return False, (), None, keys

    def get_raw_many(self, keys: tuple[str, ...]) -> dict[str, Any]:
        """The stored entries of ``keys`` in one round trip (MGET on Redis), as :meth:`current`
        takes them: ``{key: entry}``, only the keys found."""
        if not self.available or not keys:
            return {}
        try:
            raws = self.cache.cache.get_many(*keys)
        except Exception as exc:  # noqa: BLE001 - any backend failure means "not cached"
            self._failed(exc)
            return {}
        found = {k: r[0] for k, r in zip(keys, raws, strict=True) if r is not None}
        self.hits += len(found)  # counted as :meth:`get` counts; :meth:`current` moves outdated ones
        self.misses += len(keys) - len(found)
        return found

    def set(self, key: str, value: Any, timeout: int | None = None) -> None:
        if not self.available:
            return
        try:
            self.cache.cache.set(key, (value,), timeout=timeout)  # a 1-tuple: a cached None is still a hit
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)

    def set_many(self, items: dict[str, Any], lasting: dict[str, Any] | None = None) -> None:
        """Store several entries at once, and ``lasting`` ones with :data:`LAST_GOOD_TIMEOUT_S`
        (one round trip to Redis)."""
        lasting = lasting or {}
        if not self.available or not (items or lasting):
            return
        try:
            backend: Any = self.cache.cache
            client = getattr(backend, "_write_client", None)
            # cachelib's RedisCache internals: without any of them (another backend, another
            # cachelib), the plain writes below, never an error that would take the cache down
            if client is None or not lasting or not all(hasattr(backend, a) for a in _PIPELINE_NEEDS):
                backend.set_many({k: (v,) for k, v in items.items()})
                for k, v in lasting.items():
                    backend.set(k, (v,), timeout=LAST_GOOD_TIMEOUT_S)
                return
            prefix, dumps = backend._get_prefix(), backend.serializer.dumps  # cachelib's RedisCache
            default = backend._normalize_timeout(None)
            pipe = client.pipeline(transaction=False)
            for group, timeout in ((items, default), (lasting, LAST_GOOD_TIMEOUT_S)):
                for k, v in group.items():
                    pipe.set(name=f"{prefix}{k}", value=dumps((v,)), ex=timeout if timeout != -1 else None)
            pipe.execute()
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)


#: What :meth:`GuardedCache.set_many` uses of cachelib's RedisCache to write two timeouts in one pipeline.
_PIPELINE_NEEDS = ("_get_prefix", "serializer", "_normalize_timeout")

cache_manager = CacheManager()

#: The product's root: its packages and top-level modules (:func:`code_build`).
_ROOT = Path(__file__).resolve().parents[2]
_NOT_SERVED = frozenset({"tests", "bench", "migrations"})


@functools.cache
def code_build() -> bytes:
    """A digest of the product's own code (the Python of its packages and top-level modules, read
    once per process). Every key of the shared cache hashes it in: the processes of another
    release (a deployment, one node of a rolling upgrade) never read an answer or a value that
    other code rendered (another layout, another shape), and never serve theirs to this one."""
    digest = hashlib.blake2b(digest_size=8)
    files = list(_ROOT.glob("*.py"))
    for folder in sorted(_ROOT.iterdir()):
        if folder.name not in _NOT_SERVED and (folder / "__init__.py").is_file():
            files.extend(folder.rglob("*.py"))
    for path in sorted(files):
        digest.update(path.relative_to(_ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def packed(entry: tuple[Stamps, Any], keys: tuple[str, ...] | None = None) -> tuple[Any, ...]:
    """``(stamps, value)`` as stored: the value pickled on its own (see :meth:`GuardedCache.get_stamped`);
    a response's entry also carries the keys of the data entries it read (``keys``: see
    :meth:`GuardedCache.get_view`)."""
    stored = entry[0], pickle.dumps(entry[1], protocol=pickle.HIGHEST_PROTOCOL)
    return stored if keys is None else (*stored, keys)
