"""Memoisation of data-access reads: :func:`cached_query` (any read, in the shared cache) and
:func:`reference_data` (small immutable reference data, also kept in the process and the request).

A key is (function, clearance, arguments); an entry is valid while the stamps of every scope it
read are unchanged (:mod:`data_access.cache.scopes`).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast, overload

from flask import current_app, g, has_app_context, has_request_context

from data_access.cache.backend import MISSING, CacheManager, GuardedCache, Stamps, code_build, packed
from data_access.cache.scopes import current_clearance, current_stamps, get_current, reference_scope, stamp, valid
from data_access.cache.tracking import GLOBAL, depends, frames

F = TypeVar("F", bound=Callable[..., Any])
Scopes = Callable[..., Any]
#: Entries computed in this request, stored with its response in one round trip: {key: (stamps, value)}.
Pending = dict[str, tuple[Stamps, Any]]


def _compute(fn: Callable[..., Any], declared: Scopes | None, args: tuple[Any, ...], kwargs: dict[str, Any]
             ) -> tuple[Stamps, Any]:
    """Run ``fn`` recording what it reads; stamps are taken before the data are read, so an entry
    never claims newer stamps than its data."""
    own = {"*"} | ({GLOBAL} if declared is None else set(declared(*args, **kwargs)))
    stack = frames()
    if stack is None:
        g.occ_frames = stack = []
        top = True
    else:
        top = False
    stack.append(set(own))
    try:
        stamped = stamp(own)
        value = fn(*args, **kwargs)
    finally:
        scopes = stack.pop()
        if top:
            g.pop("occ_frames", None)
    extra = scopes - own
    if extra:
        stamped = tuple(sorted({*stamped, *stamp(extra)}))
    depends(scopes)
    return stamped, value


class Recording:
    """What :func:`recording_view` records of one view callback's rendering."""

    def __init__(self, ahead: dict[str, Any]) -> None:
        self.read: set[str] = {"*"}  # the scopes it read
        self.pending: Pending = {}  # the entries it computed: {key: (stamps, value)}
        self.keys: list[str] = []  # the data entries it looked up, in order (hits and misses)
        self.ahead = ahead  # the stored entries of the keys its last rendering looked up, read ahead
        self.rows: dict[tuple[Any, ...], Any] = {}  # rows read by a statement more than one entry runs

    def keys_read(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.keys))


def view_rows() -> dict[tuple[Any, ...], Any] | None:
    """While a view callback renders (a pure read): its memo of rows that several of its entries
    read with the same statement and parameters (a board's cross-section of the provinces, of the
    nation and its regional aggregates read the same rows). Read after the request's stamps, as
    any of its data; None outside a view (a request that writes must read what it wrote)."""
    if not has_app_context():
        return None
    recording: Recording | None = g.get("occ_recording")
    return None if recording is None else recording.rows


@contextmanager
def recording_view(keys: tuple[str, ...] = ()) -> Iterator[Recording]:
    """Record a view callback's response (:class:`Recording`). Entries computed inside are not
    stored at once: the caller stores them with the response (:func:`store_pending`). ``keys``:
    the data entries the response's last rendering looked up, read here in one round trip, so
    that its lookups do not each make one (an entry read ahead is still checked against the
    stamps when it is looked up)."""
    cache = CacheManager.current()
    recording = Recording(cache.get_raw_many(keys) if cache is not None and keys else {})
    g.occ_view, g.occ_frames, g.occ_pending, g.occ_recording = True, [recording.read], recording.pending, recording
    try:
        yield recording
    finally:
        g.occ_view, g.occ_frames, g.occ_pending, g.occ_recording = False, None, None, None


def store_pending(pending: Pending, keys: dict[str, tuple[str, ...]] | None = None,
                  lasting: dict[str, Any] | None = None, cache: GuardedCache | None = None) -> None:
    """Store the entries of :func:`recording_view` (one round trip to Redis); ``keys``: for a
    response's entry, the data entries it looked up (:func:`~data_access.cache.backend.packed`);
    ``lasting``: values kept as long as last-good responses. ``cache``: the app's, for a call
    outside its context (once the response has been sent)."""
    cache = CacheManager.current() if cache is None else cache
    if cache is not None:
        keys = keys or {}
        cache.set_many({k: packed(e, keys.get(k)) for k, e in pending.items()}, lasting)


def _lookup(cache: GuardedCache, key: str, recording: Recording | None) -> tuple[bool, Any]:
    """An entry while its stamps are current: from what the view read ahead, else the cache."""
    if recording is None:
        return get_current(cache, key)
    recording.keys.append(key)
    entry = recording.ahead.get(key, MISSING)
    if entry is MISSING:
        return get_current(cache, key)
    hit, stamped, value, _keys = cache.current(entry, valid)
    if hit:
        depends(s for s, _ in stamped)
    return hit, value


def _key(fn: Callable[..., Any], clearance: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    payload = repr((args, sorted(kwargs.items()))).encode() + code_build()  # this release's entries only
    digest = hashlib.blake2b(payload, digest_size=12).hexdigest()
    return f"{fn.__module__}.{fn.__qualname__}:{clearance}:{digest}"


@overload
def cached_query(fn: F, *, scopes: Scopes | None = None) -> F: ...
@overload
def cached_query(fn: None = None, *, scopes: Scopes | None = None) -> Callable[[F], F]: ...
def cached_query(fn: F | None = None, *, scopes: Scopes | None = None) -> F | Callable[[F], F]:
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
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cache = CacheManager.current()
        if cache is None:
            return fn(*args, **kwargs)
        key = _key(fn, current_clearance(), args, kwargs)
        pending = g.get("occ_pending") if has_app_context() else None
        if pending is not None and key in pending:  # computed earlier in this request, not yet stored
            depends(s for s, _ in pending[key][0])
            return pending[key][1]
        hit, value = _lookup(cache, key, g.get("occ_recording") if pending is not None else None)
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
    return cast(F, wrapper)


class _ProcessMemo:
    """Small immutable reference data (the catalogue, areas) kept in this process: a hit costs a
    dict look-up and a comparison with the ``*`` stamp instead of a cache round trip and an
    unpickle. Correct across workers because the stamps are read from the warehouse whenever the
    version changes. Every entry depends on ``*`` only, which every entry being computed already
    depends on, so a hit records nothing."""

    def __init__(self) -> None:
        self.entries: dict[tuple[Any, ...], tuple[int, Any]] = {}

    def get(self, key: tuple[Any, ...], star: int) -> tuple[bool, Any]:
        entry = self.entries.get(key)
        if entry is not None and entry[0] == star:
            return True, entry[1]
        return False, None

    def put(self, key: tuple[Any, ...], star: int, value: Any) -> None:
        if len(self.entries) >= 4096:
            self.entries.clear()
        self.entries[key] = (star, value)


def _request_memo() -> dict[tuple[Any, ...], Any]:
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
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not has_app_context():
            return fn(*args, **kwargs)
        if has_request_context():  # a page asks for the catalogue a thousand times: answer from the request
            mine, key = _request_memo(), (wrapper, args, tuple(kwargs.items()))
            got = mine.get(key, MISSING)
            if got is MISSING:
                got = mine[key] = shared_memo(*args, **kwargs)
            return got
        return shared_memo(*args, **kwargs)

    def shared_memo(*args: Any, **kwargs: Any) -> Any:
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
    return cast(F, wrapper)
