"""Caching of data-access reads (flask-caching), keyed by the warehouse ``data_version``.

* Backend: RedisCache when ``CACHE_REDIS_URL`` is set (shared by every worker and host);
  FileSystemCache under gunicorn or when ``CACHE_TYPE=FileSystemCache``; SimpleCache for one
  development process.
* Every key carries the current ``data_version`` and the viewer's clearance, so data accepted by
  any process is served by every worker on its next request, and confidential values never sit
  in an entry that an uncleared viewer can hit. Nothing is ever cleared by hand.
* The version is read once per request (kept on ``flask.g``): one indexed one-row query.
* A cache outage degrades to direct queries: errors are logged once, and the backend is skipped
  for a few seconds before it is tried again (a small circuit breaker), never an error page.
* A warehouse outage degrades to the last known data: :func:`current_data_version` falls back to
  the last version this process (or, for a fresh worker, any worker through the shared cache)
  saw and flags the request as stale (:func:`request_is_stale`), so cached queries and responses
  of that version are still served; the response cache also keeps a "last good" response per
  request body (without the version) and serves it when rendering fails for a database error.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, has_app_context, has_request_context
from flask_caching import Cache
from sqlalchemy.exc import SQLAlchemyError

from data_access.engine import current_connection, get_data_version, release_connection
from settings import ConfigError, Settings

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

_RETRY_AFTER_S = 5.0

# What a warehouse outage raises: driver errors wrapped by SQLAlchemy, and ConfigError from a
# worker whose engine is first created while the server is down.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, ConfigError)
LAST_GOOD_TIMEOUT_S = 7 * 24 * 3600  # "last good" responses outlive normal entries: they serve outages
STALE_HEADER = "X-OCC-Stale"  # on responses served from last-known data while the warehouse is away


def _backend_config(settings: Settings) -> dict:
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

    def init_app(self, server, settings: Settings) -> None:
        cache = Cache()
        cache.init_app(server, config=_backend_config(settings))
        server.extensions["occ_cache"] = _GuardedCache(cache)

    @staticmethod
    def current() -> _GuardedCache | None:
        if not has_app_context():
            return None
        return current_app.extensions.get("occ_cache")


class _GuardedCache:
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

    def set(self, key: str, value: Any, timeout: int | None = None) -> None:
        if not self.available:
            return
        try:
            self.cache.cache.set(key, (value,), timeout=timeout)  # a 1-tuple: a cached None is still a hit
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)


cache_manager = CacheManager()


def current_data_version() -> int:
    """The warehouse ``data_version``, read once per request.

    When the warehouse cannot be read, the last version seen is returned instead (this
    process's, else the one any worker left in the shared cache) and the request is flagged
    stale (:func:`request_is_stale`): cached queries and responses of that version keep being
    served. With no version known at all the database error is raised."""
    if has_request_context() and "occ_data_version" in g:
        return g.occ_data_version
    try:
        version = get_data_version(current_connection())
    except DATABASE_ERRORS as exc:
        _discard_connection()
        version = last_known_version()
        if version is None:
            raise
        mark_stale(exc)
    else:
        _remember_version(version)
    if has_request_context():
        g.occ_data_version = version
    return version


_SHARED_VERSION_KEY = "meta:last_data_version"


class _VersionMemo:
    """The newest ``data_version`` this process has read (per app)."""

    def __init__(self) -> None:
        self.version: int | None = None


def _version_memo() -> _VersionMemo:
    return current_app.extensions.setdefault("occ_last_version", _VersionMemo())


def _remember_version(version: int) -> None:
    if not has_app_context():
        return
    memo = _version_memo()
    if memo.version is None or version > memo.version:
        memo.version = version
        cache = CacheManager.current()
        if cache is not None:  # written only when this process sees a newer version: rare
            cache.set(_SHARED_VERSION_KEY, version, timeout=LAST_GOOD_TIMEOUT_S)


def last_known_version() -> int | None:
    """The last ``data_version`` read by this process, else by any worker (shared cache)."""
    if not has_app_context():
        return None
    memo = _version_memo()
    if memo.version is not None:
        return memo.version
    cache = CacheManager.current()
    if cache is not None:
        hit, value = cache.get(_SHARED_VERSION_KEY)
        if hit and isinstance(value, int):
            return value
    return None


_OUTAGE_LOG_EVERY_S = 10.0
_outage_logged = [0.0]


def outage_log_due() -> bool:
    """At most one warning every 10 s per process about the warehouse being away (an outage under
    load would otherwise log every request)."""
    now = time.monotonic()
    if now - _outage_logged[0] >= _OUTAGE_LOG_EVERY_S:
        _outage_logged[0] = now
        return True
    return False


def mark_stale(exc: BaseException | None = None) -> None:
    """Flag the current request as served from last-known data (the warehouse is away)."""
    if has_request_context() and not g.get("occ_stale"):
        g.occ_stale = True
        if outage_log_due():
            log.warning("warehouse unavailable (%s); serving last-known data",
                        str(exc).strip().splitlines()[0] if exc is not None and str(exc).strip()
                        else type(exc).__name__)


def request_is_stale() -> bool:
    return has_request_context() and bool(g.get("occ_stale"))


def _discard_connection() -> None:
    """Drop the request's connection after a failure, so that a later read tries afresh."""
    if has_request_context():
        release_connection()


def current_clearance() -> str:
    """What the viewer may see; part of every key. ``public`` until access control exists."""
    if has_request_context():
        return getattr(g, "occ_clearance", "public")
    return "public"


def _key(fn: Callable, version: int, clearance: str, args: tuple, kwargs: dict) -> str:
    payload = repr((args, sorted(kwargs.items()))).encode()
    digest = hashlib.blake2b(payload, digest_size=12).hexdigest()
    return f"{fn.__module__}.{fn.__qualname__}:v{version}:{clearance}:{digest}"


def cached_query(fn: F) -> F:
    """Memoize a data-access read under (function, data_version, clearance, arguments).

    Arguments must have stable ``repr`` (str, int, float, tuples, frozensets, dates).
    ``fn.uncached`` calls the function directly (used by the benchmark and tests).
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        cache = CacheManager.current()
        if cache is None:
            return fn(*args, **kwargs)
        key = _key(fn, current_data_version(), current_clearance(), args, kwargs)
        hit, value = cache.get(key)
        if hit:
            return value
        value = fn(*args, **kwargs)
        cache.set(key, value)
        return value

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


class _ProcessMemo:
    """Small immutable reference data (the catalogue, areas) kept in this process for the current
    ``data_version`` only: a hit costs a dict look-up instead of a cache round trip and an
    unpickle. Correct across workers because the version is read from the warehouse on every
    request; entries of older versions are dropped as soon as a newer version is seen."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.entries: dict[tuple, Any] = {}

    def get(self, version: int, key: tuple) -> tuple[bool, Any]:
        if version != self.version:
            return False, None
        if key in self.entries:
            return True, self.entries[key]
        return False, None

    def put(self, version: int, key: tuple, value: Any) -> None:
        if self.version is None or version > self.version:
            self.version, self.entries = version, {}
        if version == self.version and len(self.entries) < 4096:
            self.entries[key] = value


def reference_data(fn: F) -> F:
    """Like :func:`cached_query`, plus a per-process memo for the current ``data_version``.
    Only for functions that return immutable values (tuples, frozen dataclasses, or dicts that
    callers never mutate)."""
    shared = cached_query(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not has_app_context():
            return fn(*args, **kwargs)
        version = current_data_version()
        key = (fn.__module__, fn.__qualname__, current_clearance(), args, tuple(sorted(kwargs.items())))
        memo = current_app.extensions.setdefault("occ_memo", _ProcessMemo())
        hit, value = memo.get(version, key)
        if hit:
            return value
        value = shared(*args, **kwargs)
        memo.put(version, key, value)
        return value

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


# --- whole callback responses ---------------------------------------------------------------------

# Callbacks whose outputs are pure views of (their inputs, the warehouse, the viewer's clearance,
# the day): their JSON response can be served again for the same request body until the data
# version changes. Outputs are matched by id prefix; a callback qualifies only if ALL its outputs do.
# Anything with side effects (uploads, forms, the briefing basket) is deliberately absent.
VIEW_OUTPUT_PREFIXES = (
    "_pages_content", "_pages_store", "shell-header", "shell-footer",
    "ind-", "idx-", "cat-", "sec-", "prov-", "pf-", "cmp-", "daily-content", "wall-board", "wall-asof", "wall-ticker",
)


def _view_only(output: str) -> bool:
    """``output`` is Dash's output spec: ``id.prop`` or ``..id.prop...id2.prop..`` (pattern ids as JSON)."""
    parts = [p for p in output.split("...") if p] if output.startswith("..") else [output]
    for part in parts:
        ident = part.strip(".")
        if ident.startswith("{"):  # pattern-matching id: {"name":..,"type":"wall-board"}.children
            try:
                ident = str(json.loads(ident[: ident.rindex("}") + 1]).get("type", ""))
            except ValueError:
                return False
        if not ident.startswith(VIEW_OUTPUT_PREFIXES):
            return False
    return True


def cache_view_callbacks(server) -> None:
    """Serve repeated view callbacks from the cache. The Flask view of ``/_dash-update-component`` is
    wrapped (so every ``before_request`` hook, sign-in included, still runs first); the key is the
    request body plus data_version, clearance and the date.

    Warehouse outages: each rendered response is also kept as the "last good" response of its
    body (key without version and date); when rendering fails with a database error, that
    response is served (header ``X-OCC-Stale: 1``), or, for a body never rendered before, a
    "data unavailable" page content or an empty 204 (Dash: no update). Other callbacks (forms,
    uploads) that fail for a database error did nothing: 204 with ``X-OCC-Stale``, so the page
    shows its stale mark. Never a 5xx."""
    from datetime import date as _date

    from flask import Response, request

    endpoint = "/_dash-update-component"
    original = server.view_functions[endpoint]

    @functools.wraps(original)
    def dispatch(*args, **kwargs):
        cache = CacheManager.current()
        body = request.get_data(cache=True)
        try:
            output = json.loads(body).get("output", "")
        except (ValueError, AttributeError):
            output = ""
        if cache is None or not output or not _view_only(output):
            try:
                return original(*args, **kwargs)
            except DATABASE_ERRORS as exc:  # nothing was done; the page shows its stale mark
                _discard_connection()
                mark_stale(exc)
                return _unavailable(Response, "", body)
        digest = hashlib.blake2b(body, digest_size=16).hexdigest()
        # the viewer's clearance, role and unit (the auth guard sets the scope): responses may depend on them
        clearance = current_clearance() + ":" + (g.get("occ_cache_scope", "") if has_request_context() else "")
        try:
            version: int | None = current_data_version()
        except DATABASE_ERRORS as exc:  # no version known at all: render, else last good
            mark_stale(exc)
            version = None
        key = f"resp:v{version}:{clearance}:{_date.today().isoformat()}:{digest}"
        last_good = f"resp:last:{clearance}:{digest}"
        if version is not None:
            hit, value = cache.get(key)
            if hit:
                return _json_response(Response, value)
        try:
            response = server.make_response(original(*args, **kwargs))
        except DATABASE_ERRORS as exc:
            _discard_connection()
            mark_stale(exc)
            hit, value = cache.get(last_good)
            if hit:
                return _json_response(Response, value)
            return _unavailable(Response, output, body)
        if response.status_code == 200 and not response.direct_passthrough:
            data = response.get_data()
            if version is not None:
                cache.set(key, data)
            cache.set(last_good, data, timeout=LAST_GOOD_TIMEOUT_S)
        if request_is_stale():
            response.headers[STALE_HEADER] = "1"
        return response

    server.view_functions[endpoint] = dispatch
    _serve_pages_during_outages(server)


def _serve_pages_during_outages(server) -> None:
    """The HTML shell of a page (Dash's index) asks pages with a computed title (an indicator's,
    a province's) for that title, which reads the catalogue. When that fails for a database error
    the shell is served with the overview's static meta tags instead: the page itself renders
    through its callbacks (last good responses, or the notice of :func:`_unavailable`)."""
    from flask import request

    for endpoint in ("/", "/<path:path>"):
        original = server.view_functions.get(endpoint)
        if original is None:
            continue

        def index(*args, _original=original, **kwargs):
            try:
                return _original(*args, **kwargs)
            except DATABASE_ERRORS as exc:
                _discard_connection()
                mark_stale(exc)
                with server.test_request_context("/", base_url=request.host_url):
                    html = server.extensions["dash"].index()
                res = server.make_response(html)
                res.headers[STALE_HEADER] = "1"
                return res

        functools.update_wrapper(index, original)
        server.view_functions[endpoint] = index


def _json_response(response_cls, data: bytes):
    res = response_cls(data, mimetype="application/json")
    if request_is_stale():
        res.headers[STALE_HEADER] = "1"
    return res


def _unavailable(response_cls, output: str, body: bytes):
    """A body never rendered before, while the warehouse is away: the page container gets a short
    "data unavailable" notice (the page renders by itself once the warehouse is back, on the next
    navigation or reload); any other view keeps what it shows (204 = Dash's "no update")."""
    if "_pages_content.children" not in output:
        res = response_cls(status=204)
        res.headers[STALE_HEADER] = "1"
        return res
    from components.stale_banner import unavailable_notice

    try:
        search = next((i.get("value") for i in json.loads(body).get("inputs", [])
                       if i.get("id") == "_pages_location" and i.get("property") == "search"), "")
    except (ValueError, AttributeError):
        search = ""
    from plotly.io.json import to_json_plotly

    payload = {"multi": True, "response": {"_pages_content": {"children": unavailable_notice(search or "")}}}
    res = response_cls(to_json_plotly(payload), mimetype="application/json")
    res.headers[STALE_HEADER] = "1"
    return res
