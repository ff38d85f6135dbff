"""The warehouse ``data_version`` and ``data_stamp`` as one request sees them, and what entries depend on.

* Every key carries the viewer's clearance, and every entry the stamps of the scopes it read, so
  data accepted by any process is served by every worker on its next request, and confidential
  values never sit in an entry that an uncleared viewer can hit. Nothing is ever cleared by hand.
* The version is read once per request (kept on ``flask.g``): one indexed one-row query.
* A warehouse outage degrades to the last known data: :func:`current_data_version` falls back to
  the last version this process (or, for a fresh worker, any worker through the shared cache)
  saw and flags the request as stale (:func:`request_is_stale`), so cached entries of that
  version are still served.

A submission changes a few indicators; bumping one global version would throw away every entry.
Instead every entry records the *scopes* it read (``data_stamp``: ``*``, ``i:<code>``, ``daily``,
``submissions``) with their stamps when it was computed, and a hit is valid only while those
stamps are unchanged. Functions declare the scopes their own SQL reads (``scopes=``, the
``*_scope`` functions below); what they get from other cached functions is added as it is read;
a function without a declaration, or a view callback that reads the warehouse directly, depends
on everything (:data:`~data_access.cache.tracking.GLOBAL`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import current_app, g, has_app_context, has_request_context

from data_access.cache.backend import DATABASE_ERRORS, LAST_GOOD_TIMEOUT_S, CacheManager, GuardedCache, Stamps
from data_access.cache.tracking import GLOBAL, depends, untracked
from data_access.engine import (
    current_connection,
    current_warehouse,
    discard_connection,
    get_counters,
    get_counters_and_stamps,
    get_stamps,
    get_versions,
    primary_connection,
)

log = logging.getLogger(__name__)

SUBMISSIONS = "submissions"  # the pseudo-scope of the submission register (``data_version.submissions``)
TARGETS = "targets"  # the pseudo-scope of the annual plan targets (stamped with their indicators' by a change)
_SHARED_VERSION_KEY = "meta:last_data_version"


# --- the data version and last-known data -----------------------------------------------------------


def current_data_version() -> int:
    """The warehouse ``data_version``, read once per request.

    When the warehouse cannot be read, the last version seen is returned instead (this
    process's, else the one any worker left in the shared cache) and the request is flagged
    stale (:func:`request_is_stale`): cached queries and responses of that version keep being
    served. With no version known at all the database error is raised."""
    if has_request_context() and "occ_data_version" in g:
        known: int = g.occ_data_version  # an annotation, not a cast: no call on the hot path
        return known
    version: int | None
    submissions: int | None
    ended: int | None = None
    stamps: dict[str, int] | None = None
    memo = _stamp_memo() if has_app_context() else None
    try:
        with untracked():  # the stamps come with it when this process holds another version's
            version, submissions, ended, stamps = get_counters_and_stamps(
                current_connection(), memo.version if memo is not None else None)
    except DATABASE_ERRORS as exc:
        discard_connection()
        version = last_known_version()
        if version is None:
            raise
        mark_stale(exc)
        submissions = _version_memo().submissions if has_app_context() else None
    else:
        _remember_version(version, submissions)
    if stamps is not None and memo is not None:
        _took_stamps(memo, version, stamps)
    if has_request_context():
        g.occ_data_version, g.occ_submissions, g.occ_sessions_ended = version, submissions, ended
        if stamps is not None:
            g.occ_stamps = stamps  # this request's snapshot, read with its version
    return version


def current_sessions_ended() -> int | None:
    """``data_version.sessions_ended`` as read with this request's version from the warehouse;
    None when it was not (an outage served from the last known version, or no version row). With a
    replica it is read on the primary: a sign-out changes no data version, so the replica's copy of
    the counter could lag behind it."""
    current_data_version()
    if not has_request_context():
        return None
    if current_warehouse().router is not None:
        with untracked():
            return get_counters(primary_connection())[2]
    ended: int | None = g.get("occ_sessions_ended")
    return ended


def current_submissions() -> int | None:
    """Submissions recorded (``data_version.submissions``), read with the version."""
    if has_request_context() and "occ_submissions" in g:
        counted: int | None = g.occ_submissions
        return counted
    current_data_version()
    if has_request_context():
        counted = g.occ_submissions
        return counted
    with untracked():
        return get_versions(current_connection())[1]


class _VersionMemo:
    """The newest ``data_version`` this process has read (per app)."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.submissions: int | None = None


def _version_memo() -> _VersionMemo:
    memo: _VersionMemo = current_app.extensions.setdefault("occ_last_version", _VersionMemo())
    return memo


def _remember_version(version: int, submissions: int | None = None) -> None:
    if not has_app_context():
        return
    memo = _version_memo()
    if submissions is not None and (memo.submissions is None or submissions > memo.submissions):
        memo.submissions = submissions
    if memo.version is None or version > memo.version:
        memo.version = version
        if has_request_context():  # stored with the request's own entries (one round trip), or after it
            g.occ_share_version = version
        else:
            _share_version(version)


def _share_version(version: int) -> None:
    cache = CacheManager.current()
    if cache is not None:  # written only when this process sees a newer version
        cache.set(_SHARED_VERSION_KEY, version, timeout=LAST_GOOD_TIMEOUT_S)


def version_to_share() -> dict[str, int]:
    """The version this request was the first in its process to read, for the shared cache (taken
    once: a view stores it with its response, :func:`share_version` after any other request)."""
    version = g.pop("occ_share_version", None) if has_request_context() else None
    return {} if version is None else {_SHARED_VERSION_KEY: version}


def share_version(response: Any) -> Any:
    """``after_request`` hook: the version of :func:`version_to_share`, if no view stored it."""
    for _key, version in version_to_share().items():
        _share_version(version)
    return response


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
    """This request is served from last-known data (see :func:`mark_stale`)."""
    return has_request_context() and bool(g.get("occ_stale"))


def note_outage(exc: BaseException) -> None:
    """A read failed for a database error: drop the request's connection (a later read tries
    afresh) and flag the request as stale."""
    discard_connection()
    mark_stale(exc)


def current_clearance() -> str:
    """What the viewer may see (set by the access guard before any read); part of every key."""
    if has_request_context():
        return getattr(g._get_current_object(), "occ_clearance", "public")
    return "public"


# --- stamps ------------------------------------------------------------------------------------------


class _StampMemo:
    """``data_stamp`` of this process, read once per global ``data_version``."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.stamps: dict[str, int] = {}


def _stamp_memo() -> _StampMemo:
    memo: _StampMemo = current_app.extensions.setdefault("occ_stamps", _StampMemo())
    return memo


def _took_stamps(memo: _StampMemo, version: int, stamps: dict[str, int]) -> None:
    """Stamps just read with their ``version``: kept for the process while no newer ones are."""
    stamps.setdefault("*", 0)
    if memo.version is None or version > memo.version:
        memo.version, memo.stamps = version, stamps


def current_stamps() -> dict[str, int]:
    """{scope: version of its last change}, one snapshot per request, taken before the request
    reads data: read with their own data_version in one statement (per process, once per version;
    on PostgreSQL by the request's read of its version, :func:`current_data_version`), so an entry
    never claims stamps newer than its data. While the warehouse is away: the last
    known stamps, else everything at the last known version."""
    per_request = has_request_context()
    version = current_data_version()  # on PostgreSQL it may bring this request's stamps
    if per_request and "occ_stamps" in g:
        taken: dict[str, int] = g.occ_stamps
        return taken
    memo = _stamp_memo()
    stamps = memo.stamps if memo.version == version else None
    if stamps is None and not request_is_stale():
        try:
            with untracked():
                read_version, stamps = get_stamps(current_connection())
        except DATABASE_ERRORS as exc:
            note_outage(exc)
            stamps = None
        else:
            _took_stamps(memo, read_version, stamps)
    if stamps is None:
        stamps = memo.stamps if memo.version is not None else {"*": version}
    if per_request:
        g.occ_stamps = stamps
    return stamps


def _versions() -> Callable[[str], int | None]:
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


def stamp(scopes: Iterable[str]) -> Stamps:
    """``scopes`` with their current versions, sorted: what an entry computed now depends on."""
    version = _versions()
    return tuple((s, version(s)) for s in sorted(scopes))  # type: ignore[misc]


def valid(stamped: Stamps) -> bool:
    """Every scope of ``stamped`` is still at its recorded version."""
    version = _versions()
    return all(version(s) == v for s, v in stamped)


def get_current(cache: GuardedCache, key: str) -> tuple[bool, Any]:
    """A stamped entry of ``cache`` while its stamps are current; a hit counts as a read of its scopes."""
    hit, stamped, value = cache.get_stamped(key, valid)
    if hit:
        depends(s for s, _ in stamped)
    return hit, value


def get_current_view(cache: GuardedCache, key: str) -> tuple[bool, Any, tuple[str, ...]]:
    """:func:`get_current` of a stored response, and the keys of the data entries it looked up
    when it was rendered (outdated or not: see :meth:`GuardedCache.get_view`)."""
    hit, stamped, value, keys = cache.get_view(key, valid)
    if hit:
        depends(s for s, _ in stamped)
    return hit, value, keys


# --- ``scopes=`` declarations ----------------------------------------------------------------------


def indicator_scope(code: str, *_args: Any, **_kwargs: Any) -> tuple[str, ...]:
    """``scopes=`` of a function whose first argument is one indicator code."""
    return (f"i:{code}",)


def indicators_scope(codes: Iterable[str], *_args: Any, **_kwargs: Any) -> tuple[str, ...]:
    """``scopes=`` of a function whose first argument is a tuple of indicator codes."""
    return tuple(f"i:{c}" for c in codes)


def reference_scope(*_args: Any, **_kwargs: Any) -> tuple[str, ...]:
    """``scopes=`` of reference data (catalogue, areas, regimes): only ``*`` changes them."""
    return ()


def submissions_scope(*_args: Any, **_kwargs: Any) -> tuple[str, ...]:
    """``scopes=`` of what any submission changes, accepted or not (the calendar, a unit's list)."""
    return (SUBMISSIONS,)


def targets_scope(*_args: Any, **_kwargs: Any) -> tuple[str, ...]:
    """``scopes=`` of a read of the plan targets alone: a submission leaves them as they are; a
    change of targets stamps :data:`TARGETS` with its indicators (:mod:`metadata.service`)."""
    return (TARGETS,)


def daily_scope(*_args: Any, **_kwargs: Any) -> tuple[str, ...]:
    """``scopes=`` of the daily information items."""
    return ("daily",)
