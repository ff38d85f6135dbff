"""How answers travel (web/delivery.py): large answers compressed (brotli or gzip), fingerprinted
static files cached for a year, signed-in answers never stored, and no compression of an answer
that carries a CSRF token (BREACH)."""

from __future__ import annotations

import contextlib
import gzip
import json
import re

import brotli
import pytest
from sqlalchemy import create_engine

from tests.auth_helpers import ORIGIN, router_body
from tests.auth_sessions import ensure_session
from tests.conftest import make_settings, seeded_sqlite_world

IMMUTABLE = "public, max-age=31536000, immutable"
BR = {"Accept-Encoding": "gzip, deflate, br"}
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture(scope="module")
def world(databases, tmp_path_factory):
    url, tmp, engine = seeded_sqlite_world(databases, tmp_path_factory, "delivery")
    cookie = ensure_session(engine, "delivery.leader", "leader")
    engine.dispose()
    return url, tmp, cookie


@pytest.fixture
def app(world, tmp_path):
    from app import create_app

    url, _, _ = world
    server = create_app(make_settings(url, tmp_path, auth_required=True))
    yield server
    server.extensions["warehouse"].dispose()


@pytest.fixture
def client(app, world):
    c = app.test_client()
    name, value = world[2]
    c.set_cookie(name, value, domain="localhost")
    return c


def decoded(res) -> bytes:
    encoding = res.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(res.data)
    if encoding == "gzip":
        return gzip.decompress(res.data)
    assert encoding is None, encoding
    return res.data


def same_page(a: bytes, b: bytes) -> bool:
    """Two renderings of a page's HTML are the same but for the token Dash mints per page load."""
    end_id = re.compile(rb'"end_id":"[^"]*"')
    return end_id.sub(b"", a) == end_id.sub(b"", b)


def callback(client, body: dict, **headers):
    return client.post("/_dash-update-component", data=json.dumps(body),
                       headers={"Content-Type": "application/json", "Origin": ORIGIN, **headers})


def static_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/(?:_dash-component-suites|assets)/[^"]+)"', html)


def test_dlv001_pages_and_callbacks_are_compressed_and_never_stored(client):
    """A board's page and its view callback: compressed when the browser accepts it (brotli first,
    gzip else), the same bytes once decoded, ``no-store`` kept, ``Vary: Accept-Encoding``."""
    plain = client.get("/provinces")
    packed = client.get("/provinces", headers=BR)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers and packed.headers["Content-Encoding"] == "br"
    assert same_page(decoded(packed), plain.data)
    for res in (plain, packed):
        assert res.headers["Cache-Control"] == "no-store" and "Accept-Encoding" in res.headers["Vary"]
    body = router_body("/provinces", "?indicator=RETAIL_SALES&period=202409")
    first = callback(client, body, **GZIP)  # rendered, stored plain in the response cache
    again = callback(client, body, **BR)  # served from the response cache, encoded on the way out
    plain = callback(client, body)
    assert first.status_code == again.status_code == plain.status_code == 200
    assert first.headers["Content-Encoding"] == "gzip" and again.headers["Content-Encoding"] == "br"
    assert "Content-Encoding" not in plain.headers and len(again.data) < len(plain.data) / 3
    assert decoded(first) == decoded(again) == plain.data
    assert all(r.headers["Cache-Control"] == "no-store" for r in (first, again, plain))


def test_dlv011_a_stored_answer_is_encoded_once_per_process_and_body(client, monkeypatch):
    """Issue 22: an answer served from the response cache is the same bytes for every viewer of its
    key: encoded once per process (per encoding and body), then served encoded from memory; a
    different answer is encoded anew; a browser that accepts no encoding gets it plain."""
    from web import delivery

    monkeypatch.setattr(delivery, "_stored", type(delivery._stored)())
    encoded: list[str] = []
    real = delivery._encode

    def counting(data: bytes, name: str, **kwargs) -> bytes:
        encoded.append(name)
        return real(data, name, **kwargs)

    monkeypatch.setattr(delivery, "_encode", counting)
    body = router_body("/provinces", "?indicator=RETAIL_SALES&period=202408")
    first = callback(client, body, **BR)  # rendered (the client's first answer: no encoding, it sets a token)
    rendered = callback(client, router_body("/provinces", "?indicator=RETAIL_SALES&period=202406"), **BR)
    assert encoded == [] and rendered.headers["Content-Encoding"] == "br"  # rendered: encoded, not kept
    answers = [callback(client, body, **BR) for _ in range(3)] + [callback(client, body, **GZIP)]
    assert encoded == ["br", "gzip"]  # the stored answer: once per encoding
    plain = callback(client, body)
    assert "Content-Encoding" not in plain.headers and len(encoded) == 2
    assert [r.headers["Content-Encoding"] for r in answers] == ["br", "br", "br", "gzip"]
    assert all(decoded(r) == decoded(first) == plain.data for r in answers)
    assert all("Accept-Encoding" in r.headers["Vary"] and r.headers["Cache-Control"] == "no-store"
               for r in (*answers, plain))
    other = router_body("/provinces", "?indicator=RETAIL_SALES&period=202407")
    callback(client, other, **BR)
    assert decoded(callback(client, other, **BR)) != plain.data and encoded == ["br", "gzip", "br"]


def test_dlv002_stale_answers_keep_their_mark_when_compressed(world, tmp_path):
    """While the warehouse is away a view is served from its last good response: compressed, the
    same bytes, with ``X-OCC-Stale``."""
    from app import create_app
    from web.responses import STALE_HEADER

    app = create_app(make_settings(world[0], tmp_path))  # access control off: no session to read
    client = app.test_client()
    body = router_body("/daily")
    fresh = callback(client, body)
    assert fresh.status_code == 200 and STALE_HEADER not in fresh.headers
    warehouse = app.extensions["warehouse"]
    warehouse._engine.dispose()
    warehouse._engine = create_engine(f"sqlite:///{tmp_path / 'gone' / 'nowhere.sqlite'}")  # cannot open
    stale = callback(client, body, **BR)
    assert stale.status_code == 200 and stale.headers[STALE_HEADER] == "1"
    assert stale.headers["Content-Encoding"] == "br" and decoded(stale) == fresh.data


def test_dlv003_fingerprinted_static_files_are_immutable_and_compressed(client):
    """Every script and stylesheet a page links is fingerprinted (Dash's suites: version and hash
    in the name; assets/: ``?m=``): cached for a year, compressed once (the same bytes decoded).
    The same file without its fingerprint, or with another, is revalidated instead."""
    html = client.get("/").get_data(as_text=True)
    urls = static_urls(html)
    assert any(u.startswith("/_dash-component-suites/") for u in urls) and any("/assets/" in u for u in urls)
    for url in urls:
        res = client.get(url, headers=BR)
        assert res.status_code == 200, url
        assert res.headers["Cache-Control"] == IMMUTABLE, url
        assert "no-store" not in res.headers.get("Cache-Control", "")
        plain = client.get(url)
        if len(plain.data) > 1024:
            assert res.headers["Content-Encoding"] == "br", url
        assert decoded(res) == plain.data, url
    again = client.get(urls[0], headers=GZIP)
    assert again.headers["Content-Encoding"] == "gzip" and decoded(again) == client.get(urls[0]).data
    for url in ("/assets/style.css", "/assets/style.css?m=1", "/assets/geo/provinces_34.geojson"):
        res = client.get(url, headers=BR)
        assert res.status_code == 200 and "immutable" not in res.headers.get("Cache-Control", ""), url
    suite = next(u for u in urls if u.startswith("/_dash-component-suites/dash/deps/react@"))
    unversioned = re.sub(r"\.v[\w-]+m[0-9a-f]+", "", suite)
    assert "immutable" not in client.get(unversioned).headers.get("Cache-Control", "")


def test_dlv004_map_geometry_and_plotly_have_fingerprinted_addresses(client):
    """The map's geometry and the charts' plotly.js (the basic bundle, not on every page's script
    tags) are addressed by fingerprint: cached for a year by the browser, compressed."""
    from web.delivery import asset_url

    geo = asset_url("geo/provinces_34.geojson")
    res = client.get(geo, headers=BR)
    assert res.status_code == 200 and res.headers["Cache-Control"] == IMMUTABLE
    assert res.headers["Content-Encoding"] == "br" and len(res.data) < len(decoded(res)) / 3
    html = client.get("/").get_data(as_text=True)
    (bundle,) = re.findall(r'<meta name="occ-plotly" content="([^"]+)"', html)
    assert re.fullmatch(r"/assets/vendor/plotly-basic-[\d.]+\.min\.js\?m=[\d.]+", bundle)
    assert bundle not in static_urls(html) and "plotly.min.js" not in html  # a page without a chart
    res = client.get(bundle.replace("&amp;", "&"), headers=BR)
    assert res.headers["Cache-Control"] == IMMUTABLE and res.headers["Content-Encoding"] == "br"
    assert len(res.data) < 450_000
    with client.application.test_request_context("/"):
        from components.shell import header

        emblem = json.dumps(header("/", ""), default=lambda c: c.to_plotly_json())
    (src,) = re.findall(r'"src": "(/assets/emblem\.svg[^"]*)"', emblem)
    assert client.get(src).headers["Cache-Control"] == IMMUTABLE  # the header's emblem: fingerprinted too


def test_dlv007_no_babel_polyfill_but_its_regenerator_runtime(client):
    """Dash's @babel/polyfill (90 kB run before React on every page) is replaced by the one part
    its bundles use, regenerator-runtime: served fingerprinted, before React, and it defines the
    global ``regeneratorRuntime`` that Dash's lazy loaders call."""
    html = client.get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert not any("polyfill" in s for s in scripts), scripts
    (runtime,) = [s for s in scripts if "regenerator-runtime" in s]
    react = next(i for i, s in enumerate(scripts) if "/deps/react@" in s)
    assert scripts.index(runtime) < react
    res = client.get(runtime, headers=BR)
    assert res.status_code == 200 and res.headers["Cache-Control"] == IMMUTABLE
    body = decoded(res).decode()
    assert "regeneratorRuntime = runtime" in body and "exports.mark" in body and "exports.wrap" in body


@contextlib.contextmanager
def flagged_page(module: str, flag: str):
    """The page of ``module`` registered with ``flag=True``, for a while."""
    import dash

    entry = dash.page_registry[module]
    entry[flag] = True
    try:
        yield
    finally:
        entry.pop(flag, None)


def grid_page(module: str = "dashboards.province"):
    """The page registered as one that opens with a grid (``grid=True``)."""
    return flagged_page(module, "grid")


def charts_page(module: str):
    """The page registered as one that opens with a Plotly chart (``charts=True``)."""
    return flagged_page(module, "charts")


def test_dlv008_the_grid_suite_is_named_not_run(client):
    """dash-ag-grid's suite (1.3 MB) is not among a page's scripts: its fingerprinted address is in
    ``<meta name="occ-grid">`` for assets/lazy_grid.js (linked after React, before Dash's renderer),
    which loads it when a page first shows a table."""
    html = client.get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert not any("dash_ag_grid" in s for s in scripts), scripts
    (grid,) = re.findall(r'<meta name="occ-grid" content="([^"]+)">', html)
    assert re.fullmatch(r"/_dash-component-suites/dash_ag_grid/dash_ag_grid\.v[\w-]+m\d+\.min\.js", grid), grid
    res = client.get(grid, headers=BR)
    assert res.status_code == 200 and res.headers["Cache-Control"] == IMMUTABLE and len(decoded(res)) > 500_000
    names = [s.rsplit("/", 1)[-1].split("?")[0] for s in scripts]
    loader = names.index("lazy_grid.js")
    assert names.index(next(n for n in names if n.startswith("react-dom@"))) < loader
    assert loader < names.index(next(n for n in names if n.startswith("dash_renderer")))
    # a page registered as showing a table on its first screen (``grid=True``; none does today: the
    # profile's scorecard is a plain table, assets/table.js) fetches the suite with the other
    # scripts; the sectors board and the indicator page draw theirs when the reader comes near
    with grid_page():
        html = client.get("/provinces/01").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    suite = [i for i, s in enumerate(scripts) if "/dash_ag_grid/dash_ag_grid.v" in s]
    assert len(suite) == 1 and suite[0] < [i for i, s in enumerate(scripts) if "lazy_grid.js" in s][0]
    for path in ("/provinces", "/provinces/01", "/daily", "/indicators", "/wall", "/sectors", "/indicator/CPI_YOY"):
        assert "dash_ag_grid.v" not in "".join(re.findall(r'<script src="([^"]+)"', client.get(path).get_data(as_text=True))), path


def test_dlv009_pages_that_show_a_grid(client):  # the app registers its pages
    from web.delivery import shows_grid

    paths = ("/", "/provinces", "/provinces/", "/indicators", "/indicator/", "/provinces/01/x", "/sectorsx", "/daily",
             "/sectors", "/indicator/CPI_YOY", "/provinces/01", "/provinces/79/")
    assert not any(shows_grid(p) for p in paths)  # tables below the first screen, or plain tables
    with grid_page():  # a page template registered with grid=True: each of its addresses
        assert shows_grid("/provinces/01") and shows_grid("/provinces/79/")
        assert not any(shows_grid(p) for p in ("/provinces", "/provinces/01/x", "/sectors"))


def test_dlv010_lazy_chunks_linked_with_the_page_under_fingerprints(client):
    """Dash's dropdown and graph chunks (and, on a page that opens with a table, the grid's
    community modules) come with the page's scripts, after their suite, at fingerprinted addresses
    served immutable: no later round trip once the component has rendered, no revalidation. The
    charts' plotly.js is linked by the pages that open with a Plotly chart only (none today)."""
    def scripts_of(path: str) -> list[str]:
        return re.findall(r'<script src="([^"]+)"', client.get(path).get_data(as_text=True))

    plotly = "/assets/vendor/plotly-basic-"
    for path in ("/", "/sectors", "/provinces", "/provinces/01", "/indicator/CPI_YOY", "/compliance", "/wall"):
        scripts = scripts_of(path)
        names = [u.rsplit("/", 1)[-1] for u in scripts]
        for chunk in ("async-dropdown", "async-graph"):
            (at,) = [i for i, n in enumerate(names) if n.startswith(chunk + ".v")]
            assert at > names.index(next(n for n in names if n.startswith("dash_core_components.v"))), (path, chunk)
            res = client.get(scripts[at], headers=BR)
            assert res.status_code == 200 and res.headers["Cache-Control"] == IMMUTABLE, scripts[at]
            assert b"webpackChunkdash_core_components" in decoded(res)
        assert not [u for u in scripts if "/dash_ag_grid/async-community.v" in u], path
        # no board opens with a Plotly chart on its first screen: the provinces board draws its map
        # and ranking itself, the indicator page its trend (assets/linechart.js), the wall's first
        # board has no chart, the profile's trends are below its first screen
        assert not [u for u in scripts if u.startswith(plotly)], path
    with charts_page("dashboards.indicator"):  # a page registered with charts=True links the bundle
        assert len([u for u in scripts_of("/indicator/CPI_YOY") if u.startswith(plotly)]) == 1
    pickers = [u for u in scripts_of("/daily") if "/dash/dcc/async-datepicker.v" in u]  # its chunks=(...)
    assert len(pickers) == 1 and not [u for u in scripts_of("/") if "async-datepicker" in u]
    assert client.get(pickers[0], headers=BR).headers["Cache-Control"] == IMMUTABLE
    with grid_page():  # a page that opens with a grid: the grid's community modules with its scripts
        community = [u for u in scripts_of("/provinces/01") if "async-community" in u]
    assert len(community) == 1
    res = client.get(community[0], headers=BR)
    assert res.headers["Cache-Control"] == IMMUTABLE and b"webpackChunkdash_ag_grid" in decoded(res)


def test_dlv005_answers_with_a_csrf_token_are_never_compressed(client, app):
    """BREACH: an answer that carries a CSRF token beside input the requester chose (the sign-in
    form reflects ``next``; the Dash layout holds the sign-out form) is sent plain."""
    signin = app.test_client().get("/signin?next=/provinces%3Fx%3D" + "a" * 2000, headers=BR)
    assert signin.status_code == 200 and 'name="csrf_token"' in signin.get_data(as_text=True)
    assert len(signin.data) > 1024 and "Content-Encoding" not in signin.headers
    layout = client.get("/_dash-layout", headers=BR)
    assert layout.status_code == 200 and b"csrf_token" in layout.data
    assert "Content-Encoding" not in layout.headers and layout.headers["Cache-Control"] == "no-store"
    account = client.get("/account", headers=BR)
    assert account.status_code == 200 and "Content-Encoding" not in account.headers
    deps = client.get("/_dash-dependencies", headers=BR)  # no secret in it: compressed
    assert deps.headers["Content-Encoding"] == "br" and deps.headers["Cache-Control"] == "no-store"


def test_dlv006_streamed_answers_pass_through_uncompressed(world, tmp_path):
    """A streamed answer (an export written as it is produced) goes out as it is streamed."""
    from flask import Response

    from app import create_app

    app = create_app(make_settings(world[0], tmp_path))
    chunks = [json.dumps({"row": i, "text": "x" * 200}).encode() + b"\n" for i in range(50)]
    app.add_url_rule("/export/stream-probe", "stream_probe",
                     lambda: Response(iter(chunks), mimetype="application/json"))
    res = app.test_client().get("/export/stream-probe", headers=BR, buffered=False)  # as a server sends it
    assert res.status_code == 200 and res.is_streamed
    assert "Content-Encoding" not in res.headers and res.data == b"".join(chunks)
