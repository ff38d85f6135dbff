"""Whole responses of Dash's view callbacks, served again from the cache, and what a page gets
while the warehouse is away.

A callback is cached when it is declared a view where it is declared (:func:`cacheable`): its
outputs are pure views of (its inputs, the warehouse, the viewer's clearance and role scope, the
day), so its JSON response can be served again for the same request body while everything it
read is unchanged (:mod:`data_access.cache`). Dash's own page router (``_pages_content``) is a
view too. Anything with side effects (uploads, forms, the briefing basket) is not marked.

A rendered response's entries (the response, the data entries it computed, its last good copy)
are written when the server closes the response, i.e. once it has sent it: the viewer does not
wait for their pickling and the round trip to the cache. Every WSGI server closes what it sent;
Flask's test client does so only when asked, so the app's test client (:class:`ClosingClient`)
reads every answer whole and closes it, as a server does.

Warehouse outages: each rendered response is also kept as the "last good" response of its body
(key without stamps and date); when rendering fails with a database error that response is
served (header :data:`STALE_HEADER`), or, for a body never rendered before, a "data unavailable"
page content or an empty 204 (Dash: no update). Other callbacks that fail for a database error
did nothing: 204 with the header, so the page shows its stale mark. Never a 5xx.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import plotly.io.json as plotly_json
from flask import Flask, Response, g, request
from flask.testing import FlaskClient

from data_access.cache.backend import DATABASE_ERRORS, LAST_GOOD_TIMEOUT_S, CacheManager, GuardedCache, code_build
from data_access.cache.memo import recording_view, store_pending
from data_access.cache.scopes import (
    current_clearance,
    current_data_version,
    current_stamps,
    get_current_view,
    mark_stale,
    note_outage,
    request_is_stale,
    share_version,
    stamp,
    version_to_share,
)

F = TypeVar("F", bound=Callable[..., Any])
#: Builds the page content shown in place of a page never rendered, from the page's query string.
Notice = Callable[[str], Any]
#: Whether this request's wall cookie holds a valid display token (``auth.displays.wall_cookie_valid``).
WallCheck = Callable[[], bool]

STALE_HEADER = "X-OCC-Stale"  # on responses served from last-known data while the warehouse is away
VERSION_HEADER = "X-OCC-Data-Version"  # the data_version a response's reads saw (what a node served)
ENDPOINT = "/_dash-update-component"
PAGE_ROUTER = "_pages_content"  # Dash's page container: its router callback renders every page's layout
WALL_STORE = b'"wall-config"'  # in the body of every wall callback (see :func:`_canonical_body`)

#: The view callbacks (the functions given to Dash's ``@callback``), marked by :func:`cacheable`.
VIEW_CALLBACKS: set[Callable[..., Any]] = set()


def cacheable(fn: F) -> F:
    """Declare a server callback a view (its response may be served again from the cache). Put it
    above ``@callback(...)``: Dash hands back the function it registered."""
    VIEW_CALLBACKS.add(fn)
    return fn


def view_outputs(callback_map: dict[str, dict[str, Any]]) -> frozenset[str]:
    """The output specs (Dash's ``id.prop`` / ``..id.prop...id2.prop..``) of the view callbacks of
    one app: Dash's page router and the callbacks marked :func:`cacheable`."""
    outputs = set()
    for output, entry in callback_map.items():
        fn = entry.get("callback")  # clientside callbacks have none: they never reach the server
        if fn is None:
            continue
        if getattr(fn, "__wrapped__", fn) in VIEW_CALLBACKS or output.startswith(f"..{PAGE_ROUTER}.children..."):
            outputs.add(output)
    return frozenset(outputs)


def _is_view(server: Flask, output: str) -> bool:
    """``output`` is a view callback's; its app's views computed once (the map is complete once
    Dash has set up its routes, before the first callback)."""
    callback_map = server.extensions["dash"].callback_map
    known = server.extensions.get("occ_views")
    if known is None or known[0] != len(callback_map):
        known = server.extensions["occ_views"] = (len(callback_map), view_outputs(callback_map))
    return output in known[1]


class ClosingClient(FlaskClient):
    """Flask's test client, closing every response as a WSGI server closes what it has sent (the
    cached entries of a view are written then: :func:`_view_response`). ``buffered=False``
    keeps a response open, as Flask's client does."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


def cache_view_callbacks(server: Flask, unavailable: Notice, wall_valid: WallCheck) -> None:
    """Serve repeated view callbacks from the cache. The Flask view of ``/_dash-update-component`` is
    wrapped (so every ``before_request`` hook, sign-in included, still runs first); the key is the
    request body plus the viewer's clearance and role scope and the date, and an entry is served
    while the stamps of what it read are current. ``unavailable(search)`` is the page content
    shown in place of a page never rendered, while the warehouse is away; ``wall_valid()`` says
    whether a wall's token is valid (part of its callbacks' key). Also serves Dash's
    index during outages (:func:`_serve_pages_during_outages`)."""
    original = server.view_functions[ENDPOINT]
    server.test_client_class = ClosingClient
    code_build()  # read the code once now, not on a first request
    server.after_request(_mark_version)
    server.after_request(share_version)

    @functools.wraps(original)
    def dispatch(*args: Any, **kwargs: Any) -> Any:
        cache = CacheManager.current()
        body = request.get_data(cache=True)
        try:
            output = json.loads(body).get("output", "")
        except (ValueError, AttributeError):
            output = ""
        if cache is None or not output or not _is_view(server, output):
            try:
                return original(*args, **kwargs)
            except DATABASE_ERRORS as exc:  # nothing was done; the page shows its stale mark
                note_outage(exc)
                return _unavailable(unavailable, "", body)
        return _view_response(server, cache, original, (unavailable, wall_valid), output, body, args, kwargs)

    server.view_functions[ENDPOINT] = dispatch
    _serve_pages_during_outages(server)


def _view_response(server: Flask, cache: GuardedCache, original: Callable[..., Any],
                   hooks: tuple[Notice, WallCheck], output: str, body: bytes, args: tuple, kwargs: dict) -> Any:
    """One view callback's response: from the cache, else rendered (and stored with the entries
    it computed), else the last good one. ``hooks``: those of :func:`cache_view_callbacks`."""
    unavailable, wall_valid = hooks
    # this release's answers only (another layout after a deployment): the code's digest is hashed in
    digest = hashlib.blake2b(_canonical_body(body, wall_valid) + code_build(), digest_size=16).hexdigest()
    # the viewer's clearance, role and unit (the auth guard sets the scope): responses may depend on them
    clearance = current_clearance() + ":" + g.get("occ_cache_scope", "")
    try:
        version: int | None = current_data_version()
        current_stamps()
    except DATABASE_ERRORS as exc:  # no version known at all: render, else last good
        mark_stale(exc)
        version = None
    key = f"resp:{clearance}:{date.today().isoformat()}:{digest}"
    last_good = f"resp:last:{clearance}:{digest}"
    looked_up: tuple[str, ...] = ()
    if version is not None:
        hit, value, looked_up = get_current_view(cache, key)
        if hit:
            g.occ_stored_answer = True  # encoded once per process (web.delivery)
            return _json_response(value)
    with recording_view(looked_up) as recording:
        try:
            response = server.make_response(original(*args, **kwargs))
        except DATABASE_ERRORS as exc:
            note_outage(exc)
            hit, value = cache.get(last_good)
            return _json_response(value) if hit else _unavailable(unavailable, output, body)
    fresh = version is not None and not request_is_stale()
    pending, lasting = recording.pending, {}
    if response.status_code == 200 and not response.direct_passthrough:
        data = response.get_data()
        if fresh:
            pending[key] = (stamp(recording.read), data)
        lasting[last_good] = data
    if fresh:  # the response, the data entries it computed, its last good copy, the version: one round trip
        # once the answer has left: the viewer does not wait for the pickling and the write
        writes = (pending, {key: recording.keys_read()}, {**lasting, **version_to_share()})
        response.call_on_close(functools.partial(store_pending, *writes, cache=cache))
    elif lasting:
        cache.set(last_good, lasting[last_good], timeout=LAST_GOOD_TIMEOUT_S)
    if request_is_stale():
        response.headers[STALE_HEADER] = "1"
    return response


def _mark_version(response: Response) -> Response:
    """Name the data_version a response that read the warehouse saw (``X-OCC-Data-Version``; not on
    last-known data): what the cluster's consistency check compares across nodes."""
    version = g.get("occ_data_version")
    if version is not None and not request_is_stale():
        response.headers[VERSION_HEADER] = str(version)
    return response


def _canonical_body(body: bytes, wall_valid: WallCheck) -> bytes:
    """The request body as the response depends on it: a wall's callback (its config store in the
    body) also depends on whether the display token in the wall's cookie is valid (checked again by
    the board callbacks), so a hundred walls share one entry per board and a revoked token never
    hits a valid one's entry."""
    if WALL_STORE not in body:
        return body
    try:
        valid = bool(wall_valid())
    except DATABASE_ERRORS as exc:  # the warehouse is away: the guard admitted this wall
        note_outage(exc)
        valid = True
    return body + (b"\x00display:1" if valid else b"\x00display:0")


def _serve_pages_during_outages(server: Flask) -> None:
    """The HTML shell of a page (Dash's index) asks pages with a computed title (an indicator's,
    a province's) for that title, which reads the catalogue. When that fails for a database error
    the shell is served with the overview's static meta tags instead: the page itself renders
    through its callbacks (last good responses, or the notice of :func:`_unavailable`)."""
    for endpoint in ("/", "/<path:path>"):
        original = server.view_functions.get(endpoint)
        if original is None:
            continue

        def index(*args: Any, _original: Callable[..., Any] = original, **kwargs: Any) -> Any:
            try:
                return _original(*args, **kwargs)
            except DATABASE_ERRORS as exc:
                note_outage(exc)
                with server.test_request_context("/", base_url=request.host_url):
                    html = server.extensions["dash"].index()
                res = server.make_response(html)
                res.headers[STALE_HEADER] = "1"
                return res

        functools.update_wrapper(index, original)
        server.view_functions[endpoint] = index


def _json_response(data: bytes) -> Response:
    res = Response(data, mimetype="application/json")
    if request_is_stale():
        res.headers[STALE_HEADER] = "1"
    return res


def _unavailable(notice: Notice, output: str, body: bytes) -> Response:
    """A body never rendered before, while the warehouse is away: the page container gets a short
    "data unavailable" notice (the page renders by itself once the warehouse is back, on the next
    navigation or reload); any other view keeps what it shows (204 = Dash's "no update")."""
    if f"{PAGE_ROUTER}.children" not in output:
        res = Response(status=204)
        res.headers[STALE_HEADER] = "1"
        return res
    try:
        search = next((i.get("value") for i in json.loads(body).get("inputs", [])
                       if i.get("id") == "_pages_location" and i.get("property") == "search"), "")
    except (ValueError, AttributeError):
        search = ""
    payload = {"multi": True, "response": {PAGE_ROUTER: {"children": notice(search or "")}}}
    res = Response(plotly_json.to_json_plotly(payload), mimetype="application/json")  # as Dash writes
    res.headers[STALE_HEADER] = "1"
    return res
