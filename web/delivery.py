"""How answers travel: compressed, and static files cached by the browser for a year.

* **Fingerprinted static files are immutable.** Dash names its component suites with the
  package's version and a hash (``dash_renderer.v4_4_1m1796269430.min.js``) and the files of
  ``assets/`` with ``?m=<modification time>``; :func:`asset_url` gives the same kind of address to
  the files the product links itself (the map geometry, the charts' plotly.js). Such an answer
  carries ``Cache-Control: public, max-age=31536000, immutable`` when its fingerprint is the
  file's current one; any other address of a static file (a former fingerprint, none) is
  revalidated (``no-cache`` with its ETag), so a changed file is never served stale.
* **Compression** (brotli, else gzip; Flask-Compress for dynamic answers: HTML, Dash's JSON
  callbacks, the API). A static file is compressed once per process and fingerprint and kept.
  Not compressed: streamed answers (exports: ``send_file`` streams), answers under 1 KB, types
  that do not shrink (images, spreadsheets, PDF), and any answer carrying a secret next to
  content an attacker may choose (BREACH): ``secret_in_body()`` (handed in by ``app.py``: the
  request put a CSRF token in the page, i.e. every form page and the Dash layout's sign-out form)
  keeps that answer plain. The response cache stores the bytes a callback rendered (before this
  hook), so its entries and the ``X-OCC-Stale`` mark are those of an uncompressed answer.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib
import os
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import brotli
import dash
from dash import __version__ as dash_version
from dash.fingerprint import build_fingerprint, check_fingerprint
from flask import Flask, Response, g, has_request_context, request
from flask_compress import Compress

ASSETS = Path(__file__).resolve().parent.parent / "assets"
IMMUTABLE = "public, max-age=31536000, immutable"
SUITES = "/_dash-component-suites/"
STATIC = ("/assets/", SUITES)
FAVICON = "/_favicon.ico"  # Dash's own icon, addressed with ``?v=<Dash's version>``
MIN_SIZE = 1024  # bytes; smaller answers gain less than the encoding's cost
#: Compressed static files kept per process: (path, fingerprint, encoding) -> bytes.
_STATIC_CACHE_SIZE = 64
_static_cache: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
#: Stored answers served again, encoded (see :func:`_compress_stored`): at most this many bytes
STORED_CACHE_BYTES = 16 * 1024 * 1024
_stored: OrderedDict[tuple[str, bytes], bytes] = OrderedDict()
_stored_lock = threading.Lock()
_stored_bytes = 0
#: Whether the answer being sent carries a secret (a CSRF token) beside reflected input.
SecretCheck = Callable[[], bool]


def fingerprint(path: Path) -> str:
    """The file's fingerprint as Dash writes it for ``assets/`` (``?m=<st_mtime>``)."""
    return str(os.stat(path).st_mtime)


def asset_url(relative: str) -> str:
    """The fingerprinted address of a file of ``assets/`` (``geo/provinces_34.geojson``)."""
    return f"/assets/{relative}?m={fingerprint(ASSETS / relative)}"


# Two of the scripts Dash links on every page are not run there any more (measured in
# bench/results/browser-2026-12-05):
# * @babel/polyfill (core-js 2 and regenerator-runtime, 90 kB minified, run before React): about a
#   tenth of a board's first load in the browser. The browsers the centre supports have every
#   feature core-js 2 adds; Dash's bundles still call the global ``regeneratorRuntime`` of their
#   transpiled async functions (the lazy loading of the graph, the dropdown), which
#   regenerator-runtime gives alone (assets/vendor/NOTICE.md).
# * dash-ag-grid's suite (1.3 MB): only the pages with a table need it. Its address goes to
#   ``<meta name="occ-grid">`` and assets/lazy_grid.js loads it when a page first shows a grid;
#   a page registered with ``grid=True`` keeps the suite's script tag (it is fetched with the
#   others instead of after the page has rendered), and the loader then stands aside.
# And three of Dash's lazily loaded chunks are linked with the page instead
# (bench/results/browser-2026-12-04-static): the dropdown's and the graph's (8 and 5 kB
# compressed) on every page, the grid's community modules on a ``grid=True`` page. Left lazy, each
# was fetched only once its component had rendered, under an address without fingerprint (so
# revalidated on every visit), and Dash holds back a callback whose component is still loading: a
# second round of callbacks after the chunk's round trip. Linked after their suite, a chunk
# registers itself with the suite's loader at once (webpack's JSONP array), under a fingerprinted,
# immutable address. For the same reason a page links the other chunks its first render needs
# (``chunks=(...)`` in its ``register_page``: the daily brief's date picker), and a page registered
# with ``charts=True`` links the charts' plotly.js (Dash's graph then finds ``window.Plotly``
# instead of loading it once the page has rendered); the other pages still load it only when a
# chart first shows (assets/plotly_bundle.js).
REGENERATOR = "vendor/regenerator-runtime-0.13.11.js"
EAGER_CHUNKS = (("dash", "dcc/async-dropdown.js"), ("dash", "dcc/async-graph.js"))
GRID_CHUNKS = (("dash_ag_grid", "async-community.js"),)
_POLYFILL_TAG = re.compile(r'<script src="[^"]*/deps/polyfill@[^"]*"></script>')
_GRID_TAG = re.compile(r'<script src="([^"]*/dash_ag_grid/dash_ag_grid\.[^"]*\.js)"></script>')


def page_at(path: str) -> dict | None:
    """The registered Dash page serving ``path`` (a template's variable part matches any one path
    segment), or None."""
    for page in dash.page_registry.values():
        template = page.get("path_template")
        if template is None:
            if path.rstrip("/") == page["path"].rstrip("/"):
                return page
        else:
            prefix = template.split("<", 1)[0]
            rest = path[len(prefix):]
            if path.startswith(prefix) and rest and "/" not in rest.rstrip("/"):
                return page
    return None


def shows_grid(path: str) -> bool:
    """Whether the Dash page at ``path`` shows a table from its first render (``grid=True``)."""
    return bool((page_at(path) or {}).get("grid"))


_SUITES_PREFIX = re.compile(r'<script src="([^"]*' + re.escape(SUITES) + r')dash/')


@functools.cache  # once per process, as Dash fingerprints its own suites
def chunk_path(namespace: str, relative: str) -> str:
    """A component package's file as Dash addresses its suites: ``<package>/<path with Dash's
    fingerprint>`` (the package's version and the file's modification time), served immutable."""
    package = sys.modules.get(namespace) or importlib.import_module(namespace)
    top = relative.split("/", 1)[0]
    version = (importlib.import_module(f"{namespace}.{top}").__version__ if namespace == "dash" and top in ("dcc", "html")
               else package.__version__)
    modified = int(os.stat(Path(package.__file__).parent / relative).st_mtime)
    return f"{namespace}/{build_fingerprint(relative, version, modified)}"


def lean_scripts(interpolate: Callable[..., str], plotly: str | None = None) -> Callable[..., str]:
    """Dash's ``interpolate_index`` with the polyfill's script replaced by regenerator-runtime, the
    grid's suite named in a meta tag instead of run, and the chunks every page needs linked; on a
    page registered with ``charts=True``, ``plotly`` (the charts' bundle) too."""

    def interpolate_index(**parts: str) -> str:
        scripts = _POLYFILL_TAG.sub(f'<script src="{asset_url(REGENERATOR)}"></script>', parts.get("scripts", ""),
                                    count=1)
        page = (page_at(request.path) if has_request_context() else None) or {}
        grid = _GRID_TAG.search(scripts)
        chunks = EAGER_CHUNKS + tuple(("dash", rel) for rel in page.get("chunks", ()))  # e.g. the date picker's
        if grid and not page.get("grid"):
            scripts = scripts[:grid.start()] + scripts[grid.end():]
            parts["metas"] = parts.get("metas", "") + f'<meta name="occ-grid" content="{grid.group(1)}">'
        elif grid:
            chunks += GRID_CHUNKS
        suites = _SUITES_PREFIX.search(scripts)
        if suites:
            scripts += "".join(f'<script src="{suites.group(1)}{chunk_path(ns, rel)}"></script>' for ns, rel in chunks)
        if plotly and page.get("charts"):
            scripts += f'<script src="{plotly}"></script>'
        parts["scripts"] = scripts
        return interpolate(**parts)

    return interpolate_index


def _immutable() -> bool:
    """This request names a static file by its current fingerprint."""
    path = request.path
    if path.startswith(SUITES):  # Dash's own fingerprint: the package's version and a hash
        return check_fingerprint(path)[1]
    if path == FAVICON:
        return request.args.get("v") == dash_version
    relative, m = path[len("/assets/"):], request.args.get("m")
    if not m or ".." in relative.split("/"):
        return False
    try:
        return m == fingerprint(ASSETS / relative)
    except OSError:
        return False


def _encoding() -> str | None:
    accepted = request.accept_encodings
    return next((name for name in ("br", "gzip") if accepted[name] > 0), None)


def _compress_static(response: Response, mimetypes: set[str]) -> Response:
    """Encode a static file once per process and address; served again from memory. The ETag
    stays the file's (the answer varies by Accept-Encoding), so revalidation still answers 304."""
    name = _encoding()
    if name is None or response.mimetype not in mimetypes:
        return response
    key = (request.path, request.query_string.decode("latin-1"), name)
    body = _static_cache.get(key)
    if body is None:
        response.direct_passthrough = False
        data = response.get_data()
        if len(data) < MIN_SIZE:
            return response
        body = _encode(data, name, quality=5)
        _static_cache[key] = body
        while len(_static_cache) > _STATIC_CACHE_SIZE:
            _static_cache.popitem(last=False)
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = name
    return response


def _encode(data: bytes, name: str, quality: int = 4) -> bytes:
    """``data`` in ``name`` (``br`` at ``quality``, else gzip level 6)."""
    return brotli.compress(data, quality=quality) if name == "br" else gzip.compress(data, 6)


def _compress_stored(response: Response) -> Response:
    """A stored answer served again (``web.responses`` marks it: the same bytes to every viewer of
    its key until the data change) is encoded once per process and body, not on every request:
    brotli costs 0.3-1.6 ms on a board's answer, about as much as serving it. Keyed by the body's
    digest (0.1-0.3 ms), so a changed answer is encoded anew; the oldest go past
    :data:`STORED_CACHE_BYTES`."""
    name = _encoding()
    response.vary.add("Accept-Encoding")
    if name is None or response.status_code != 200 or "Content-Encoding" in response.headers:
        return response
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    key = (name, hashlib.blake2b(data, digest_size=16).digest())
    with _stored_lock:
        body = _stored.get(key)
        if body is not None:
            _stored.move_to_end(key)
    if body is None:
        body = _encode(data, name)
        _keep_stored(key, body)
    response.set_data(body)
    response.headers["Content-Encoding"] = name
    return response


def _keep_stored(key: tuple[str, bytes], body: bytes) -> None:
    """Keep an encoded answer (once, however many threads encoded it), dropping the oldest past
    :data:`STORED_CACHE_BYTES`."""
    global _stored_bytes
    with _stored_lock:
        if key in _stored:
            return
        _stored[key] = body
        _stored_bytes += len(body)
        while _stored_bytes > STORED_CACHE_BYTES:
            _stored_bytes -= len(_stored.popitem(last=False)[1])


def init_delivery(server: Flask, secret_in_body: SecretCheck) -> None:
    """Register the caching and compression of answers. Flask runs after-request hooks in reverse
    order: call this before the hooks that set other headers, so it sees their answer last."""
    server.config.update(COMPRESS_REGISTER=False, COMPRESS_STREAMS=False, COMPRESS_MIN_SIZE=MIN_SIZE,
                         COMPRESS_ALGORITHM=["br", "gzip"], COMPRESS_BR_LEVEL=4, COMPRESS_LEVEL=6)
    compress = Compress(server)
    mimetypes = compress.compress_mimetypes_set | {"application/geo+json"}  # the map geometry

    @server.after_request
    def deliver(response: Response) -> Response:
        if request.path.startswith(STATIC) or request.path == FAVICON:
            if response.status_code == 200 and _immutable():
                response.headers["Cache-Control"] = IMMUTABLE
            response.vary.add("Accept-Encoding")
            if response.status_code != 200 or "Content-Encoding" in response.headers:
                return response
            return _compress_static(response, mimetypes)
        if secret_in_body():  # BREACH: a secret beside reflected input is never compressed
            response.vary.add("Accept-Encoding")
            return response
        if g.get("occ_stored_answer"):
            return _compress_stored(response)
        return compress.after_request(response)
