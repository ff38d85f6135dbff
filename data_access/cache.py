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
import pickle
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, has_app_context, has_request_context, request
from flask_caching import Cache
from sqlalchemy.exc import SQLAlchemyError

from data_access.engine import current_connection, get_stamps, get_versions, release_connection
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

    def get_stamped(self, key: str) -> tuple[bool, Any]:
        """An entry stored by :func:`packed` as ``(stamps, pickled value)``: a hit only while its
        stamps are current (an outdated entry counts as a miss). The value is unpickled only
        for a hit: after a load, a board's first request meets a dozen outdated entries
        (DataFrames of hundreds of rows) and learns from their stamps alone that they are."""
        hit, entry = self.get(key)
        if not hit:
            return False, None
        if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], bytes) and _valid(entry[0]):
            try:
                value = pickle.loads(entry[1])
            except Exception:  # noqa: BLE001 - an entry of an older layout: recompute it
                value = _MISSING
            if value is not _MISSING:
                _depends(s for s, _ in entry[0])
                return True, value
        self.hits -= 1
        self.misses += 1
        return False, None

    def set(self, key: str, value: Any, timeout: int | None = None) -> None:
        if not self.available:
            return
        try:
            self.cache.cache.set(key, (value,), timeout=timeout)  # a 1-tuple: a cached None is still a hit
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)

    def set_many(self, items: dict[str, Any]) -> None:
        """Store several entries at once (one round trip to Redis)."""
        if not self.available or not items:
            return
        try:
            self.cache.cache.set_many({k: (v,) for k, v in items.items()})
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)


cache_manager = CacheManager()
_MISSING = object()


def packed(entry: tuple[tuple[tuple[str, int], ...], Any]) -> tuple[tuple[tuple[str, int], ...], bytes]:
    """``(stamps, value)`` as stored: the value pickled on its own (see :meth:`_GuardedCache.get_stamped`)."""
    return entry[0], pickle.dumps(entry[1], protocol=pickle.HIGHEST_PROTOCOL)


def current_data_version() -> int:
    """The warehouse ``data_version``, read once per request.

    When the warehouse cannot be read, the last version seen is returned instead (this
    process's, else the one any worker left in the shared cache) and the request is flagged
    stale (:func:`request_is_stale`): cached queries and responses of that version keep being
    served. With no version known at all the database error is raised."""
    if has_request_context() and "occ_data_version" in g:
        return g.occ_data_version
    try:
        with untracked():
            version, submissions = get_versions(current_connection())
    except DATABASE_ERRORS as exc:
        _discard_connection()
        version = last_known_version()
        if version is None:
            raise
        mark_stale(exc)
        submissions = _version_memo().submissions if has_app_context() else None
    else:
        _remember_version(version, submissions)
    if has_request_context():
        g.occ_data_version, g.occ_submissions = version, submissions
    return version


def current_submissions() -> int | None:
    """Submissions recorded (``data_version.submissions``), read with the version."""
    if has_request_context() and "occ_submissions" in g:
        return g.occ_submissions
    current_data_version()
    if has_request_context():
        return g.occ_submissions
    with untracked():
        return get_versions(current_connection())[1]


_SHARED_VERSION_KEY = "meta:last_data_version"


class _VersionMemo:
    """The newest ``data_version`` this process has read (per app)."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.submissions: int | None = None


def _version_memo() -> _VersionMemo:
    return current_app.extensions.setdefault("occ_last_version", _VersionMemo())


def _remember_version(version: int, submissions: int | None = None) -> None:
    if not has_app_context():
        return
    memo = _version_memo()
    if submissions is not None and (memo.submissions is None or submissions > memo.submissions):
        memo.submissions = submissions
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
    """What the viewer may see (set by the access guard before any read); part of every key."""
    if has_request_context():
        return getattr(g._get_current_object(), "occ_clearance", "public")
    return "public"


# --- what an entry depends on ---------------------------------------------------------------------
#
# A submission changes a few indicators; bumping one global version would throw away every entry.
# Instead every entry records the *scopes* it read (``data_stamp``: ``*``, ``i:<code>``, ``daily``,
# ``submissions``) with their stamps when it was computed, and a hit is valid only while those
# stamps are unchanged. Functions declare the scopes their own SQL reads (``scopes=``); what they
# get from other cached functions is added as it is read; a function without a declaration, or
# a view callback that reads the warehouse directly, depends on everything (the global version).

GLOBAL = "#"  # the pseudo-scope "anything": the global data_version


class _StampMemo:
    """``data_stamp`` of this process, read once per global ``data_version``."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.stamps: dict[str, int] = {}


def current_stamps() -> dict[str, int]:
    """{scope: version of its last change}, one snapshot per request, taken before the request
    reads data: read with their own data_version in one statement (per process, once per version),
    so an entry never claims stamps newer than its data. While the warehouse is away: the last
    known stamps, else everything at the last known version."""
    per_request = has_request_context()
    if per_request and "occ_stamps" in g:
        return g.occ_stamps
    version = current_data_version()
    memo = current_app.extensions.setdefault("occ_stamps", _StampMemo())
    stamps = memo.stamps if memo.version == version else None
    if stamps is None and not request_is_stale():
        try:
            with untracked():
                read_version, stamps = get_stamps(current_connection())
        except DATABASE_ERRORS as exc:
            _discard_connection()
            mark_stale(exc)
            stamps = None
        else:
            stamps.setdefault("*", 0)
            if memo.version is None or read_version > memo.version:
                memo.version, memo.stamps = read_version, stamps
    if stamps is None:
        stamps = memo.stamps if memo.version is not None else {"*": version}
    if per_request:
        g.occ_stamps = stamps
    return stamps


SUBMISSIONS = "submissions"  # the pseudo-scope of the submission register (``data_version.submissions``)


def _versions():
    """``scope -> version`` for many scopes: the stamps looked up once (a province's scorecard
    depends on a hundred and more)."""
    stamps = current_stamps()

    def version(scope: str) -> int | None:
        if scope == GLOBAL:
            return current_data_version()
        if scope == SUBMISSIONS:
            return current_submissions()
        return stamps.get(scope, 0)
    return version


def _stamp(scopes) -> tuple[tuple[str, int], ...]:
    version = _versions()
    return tuple((s, version(s)) for s in sorted(scopes))


def _valid(stamped: tuple[tuple[str, int], ...]) -> bool:
    version = _versions()
    return all(version(s) == v for s, v in stamped)


class _untracked:
    def __enter__(self):
        if has_app_context():
            g.occ_untracked = g.get("occ_untracked", 0) + 1

    def __exit__(self, *exc):
        if has_app_context():
            g.occ_untracked -= 1


def untracked() -> _untracked:
    """Reads inside are not warehouse data a view depends on (a token check, the stamps)."""
    return _untracked()


def _frames() -> list[set] | None:
    return g.get("occ_frames") if has_app_context() else None


def _depends(scopes) -> None:
    """The entry being computed (if any) read ``scopes``."""
    frames = _frames()
    if frames:
        frames[-1].update(scopes)


def note_direct_read() -> None:
    """Called for every statement the app's engine runs (an event, see ``engine.Warehouse.engine``):
    a read by a view callback itself, not through a cached function, makes its response depend on
    everything."""
    if not has_app_context():
        return
    frames = g.get("occ_frames")
    if frames is not None and len(frames) == 1 and g.get("occ_view") and not g.get("occ_untracked"):
        frames[0].add(GLOBAL)


def _compute(fn: Callable, declared, args: tuple, kwargs: dict) -> tuple[tuple[tuple[str, int], ...], Any]:
    """Run ``fn`` recording what it reads; stamps are taken before the data are read, so an entry
    never claims newer stamps than its data."""
    own = {"*"} | ({GLOBAL} if declared is None else set(declared(*args, **kwargs)))
    frames = _frames()
    if frames is None:
        g.occ_frames = frames = []
        top = True
    else:
        top = False
    frames.append(set(own))
    try:
        stamped = _stamp(own)
        value = fn(*args, **kwargs)
    finally:
        scopes = frames.pop()
        if top:
            g.pop("occ_frames", None)
    extra = scopes - own
    if extra:
        stamped = tuple(sorted({*stamped, *_stamp(extra)}))
    _depends(scopes)
    return stamped, value


def _key(fn: Callable, clearance: str, args: tuple, kwargs: dict) -> str:
    payload = repr((args, sorted(kwargs.items()))).encode()
    digest = hashlib.blake2b(payload, digest_size=12).hexdigest()
    return f"{fn.__module__}.{fn.__qualname__}:{clearance}:{digest}"


def cached_query(fn: F | None = None, *, scopes: Callable[..., Any] | None = None):
    """Memoize a data-access read under (function, clearance, arguments); a hit is served while
    the stamps of every scope it read are unchanged.

    ``scopes(*args, **kwargs)`` names the ``data_stamp`` scopes the function's own SQL reads
    (e.g. ``lambda code, *a, **k: (f"i:{code}",)``); without it the function depends on every
    change. Arguments must have stable ``repr`` (str, int, float, tuples, frozensets, dates).
    ``fn.uncached`` calls the function directly (used by the benchmark and tests).
    """
    if fn is None:
        return lambda f: cached_query(f, scopes=scopes)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        cache = CacheManager.current()
        if cache is None:
            return fn(*args, **kwargs)
        key = _key(fn, current_clearance(), args, kwargs)
        pending = g.get("occ_pending") if has_app_context() else None
        if pending is not None and key in pending:  # computed earlier in this request, not yet stored
            _depends(s for s, _ in pending[key][0])
            return pending[key][1]
        hit, value = cache.get_stamped(key)
        if hit:
            return value
        entry = _compute(fn, scopes, args, kwargs)
        if pending is not None:
            pending[key] = entry  # stored with the response, in one round trip
        else:
            cache.set(key, packed(entry))
        return entry[1]

    wrapper.uncached = fn  # type: ignore[attr-defined]
    wrapper.scopes = scopes  # type: ignore[attr-defined]
    return wrapper


def indicator_scope(code, *_args, **_kwargs) -> tuple[str, ...]:
    """``scopes=`` of a function whose first argument is one indicator code."""
    return (f"i:{code}",)


def indicators_scope(codes, *_args, **_kwargs) -> tuple[str, ...]:
    """``scopes=`` of a function whose first argument is a tuple of indicator codes."""
    return tuple(f"i:{c}" for c in codes)


def reference_scope(*_args, **_kwargs) -> tuple[str, ...]:
    """``scopes=`` of reference data (catalogue, areas, regimes): only ``*`` changes them."""
    return ()


def submissions_scope(*_args, **_kwargs) -> tuple[str, ...]:
    """``scopes=`` of what any submission changes, accepted or not (the calendar, a unit's list)."""
    return (SUBMISSIONS,)


def daily_scope(*_args, **_kwargs) -> tuple[str, ...]:
    """``scopes=`` of the daily information items."""
    return ("daily",)


class _ProcessMemo:
    """Small immutable reference data (the catalogue, areas) kept in this process: a hit costs a
    dict look-up and a comparison with the ``*`` stamp instead of a cache round trip and an
    unpickle. Correct across workers because the stamps are read from the warehouse whenever the
    version changes. Every entry depends on ``*`` only, which every entry being computed already
    depends on, so a hit records nothing."""

    def __init__(self) -> None:
        self.entries: dict[tuple, tuple[int, Any]] = {}

    def get(self, key: tuple, star: int) -> tuple[bool, Any]:
        entry = self.entries.get(key)
        if entry is not None and entry[0] == star:
            return True, entry[1]
        return False, None

    def put(self, key: tuple, star: int, value: Any) -> None:
        if len(self.entries) >= 4096:
            self.entries.clear()
        self.entries[key] = (star, value)


_MISSING = object()


def _request_memo() -> dict:
    """This request's answers of reference-data functions (the request sees one ``*`` stamp and
    one clearance; a new clearance starts afresh). Reached through the request's ``g`` object
    itself: each attribute read through the ``g`` proxy costs about a microsecond."""
    request_g = g._get_current_object()
    clearance = getattr(request_g, "occ_clearance", "public")
    memo = getattr(request_g, "occ_reference", None)
    if memo is None or memo[0] != clearance:
        memo = request_g.occ_reference = (clearance, {})
    return memo[1]


def _star() -> int:
    """The ``*`` stamp, once per request."""
    if has_request_context():
        request_g = g._get_current_object()
        star = getattr(request_g, "occ_star", None)
        if star is None:
            star = request_g.occ_star = current_stamps().get("*", 0)
        return star
    return current_stamps().get("*", 0)


def reference_data(fn: F) -> F:
    """Reference data (only ``*`` changes it): :func:`cached_query` plus a per-process memo and,
    inside a request, the request's own answers (:func:`_request_memo`). Only for functions that
    return immutable values (tuples, frozen dataclasses, or dicts that callers never mutate)."""
    shared = cached_query(fn, scopes=reference_scope)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not has_app_context():
            return fn(*args, **kwargs)
        if has_request_context():  # a page asks for the catalogue a thousand times: answer from the request
            mine, key = _request_memo(), (wrapper, args, tuple(kwargs.items()))
            got = mine.get(key, _MISSING)
            if got is _MISSING:
                got = mine[key] = shared_memo(*args, **kwargs)
            return got
        return shared_memo(*args, **kwargs)

    def shared_memo(*args, **kwargs):
        key = (fn.__module__, fn.__qualname__, current_clearance(), args, tuple(sorted(kwargs.items())) if kwargs else ())
        memo = current_app.extensions.get("occ_memo")
        if memo is None:
            memo = current_app.extensions.setdefault("occ_memo", _ProcessMemo())
        star = _star()
        hit, value = memo.get(key, star)
        if hit:
            return value
        value = shared(*args, **kwargs)
        memo.put(key, star, value)
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
        digest = hashlib.blake2b(_canonical_body(body), digest_size=16).hexdigest()
        # the viewer's clearance, role and unit (the auth guard sets the scope): responses may depend on them
        clearance = current_clearance() + ":" + (g.get("occ_cache_scope", "") if has_request_context() else "")
        try:
            version: int | None = current_data_version()
            current_stamps()
        except DATABASE_ERRORS as exc:  # no version known at all: render, else last good
            mark_stale(exc)
            version = None
        key = f"resp:{clearance}:{_date.today().isoformat()}:{digest}"
        last_good = f"resp:last:{clearance}:{digest}"
        if version is not None:
            hit, value = cache.get_stamped(key)
            if hit:
                return _json_response(Response, value)
        g.occ_view, g.occ_frames, g.occ_pending = True, [{"*"}], {}
        try:
            response = server.make_response(original(*args, **kwargs))
        except DATABASE_ERRORS as exc:
            _discard_connection()
            mark_stale(exc)
            hit, value = cache.get(last_good)
            if hit:
                return _json_response(Response, value)
            return _unavailable(Response, output, body)
        finally:
            read, pending = g.occ_frames[0], g.occ_pending
            g.occ_view, g.occ_frames, g.occ_pending = False, None, None
        fresh = version is not None and not request_is_stale()
        if response.status_code == 200 and not response.direct_passthrough:
            data = response.get_data()
            if fresh:
                pending[key] = (_stamp(read), data)
            cache.set(last_good, data, timeout=LAST_GOOD_TIMEOUT_S)
        if fresh:
            cache.set_many({k: packed(e) for k, e in pending.items()})  # the response and its queries: one round trip
        if request_is_stale():
            response.headers[STALE_HEADER] = "1"
        return response

    server.view_functions[endpoint] = dispatch
    _serve_pages_during_outages(server)


def _canonical_body(body: bytes) -> bytes:
    """The request body as the response depends on it: a wall's callback (its config store in the
    body) also depends on whether the display token in the wall's cookie is valid (checked again by
    the board callbacks), so a hundred walls share one entry per board and a revoked token never
    hits a valid one's entry."""
    if b'"wall-config"' not in body:
        return body
    from auth.displays import DISPLAY_COOKIE, check_display_token  # moves to web/ with this function

    try:
        valid = bool(check_display_token(current_connection(), request.cookies.get(DISPLAY_COOKIE)))
    except DATABASE_ERRORS as exc:  # the warehouse is away: the guard admitted this wall
        _discard_connection()
        mark_stale(exc)
        valid = True
    return body + (b"\x00display:1" if valid else b"\x00display:0")


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
