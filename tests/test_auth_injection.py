"""Issue 8: hostile strings in every URL parameter, filter, callback input, form field, uploaded
file name and file text are stored or rejected harmlessly: the warehouse stays intact, HTML
answers never carry the raw script, JSON answers are served as JSON (never sniffed as HTML), and
what was stored comes back as text."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from auth.displays import create_display_token
from auth.tokens import create_token
from tests.auth_helpers import ORIGIN, callback_body, csrf_from, dep_id, post_callback, router_body
from tests.auth_sessions import ensure_session
from tests.conftest import make_settings, seeded_sqlite_world
from tests.utils import ids_in

PAYLOADS = ("'; DROP TABLE observation; --", "<script>alert(1)</script>", '" onmouseover="alert(1)', "1 OR 1=1",
            "%27%3B--", "../../etc/passwd", "\u0000\u202e")
RAW = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def world(databases, tmp_path_factory):
    url, tmp, engine = seeded_sqlite_world(databases, tmp_path_factory, "authinj")
    cookie = ensure_session(engine, "inj.admin", "admin", token="session-of-inj-admin-xxxxxxxxxxxxxxxx")[1]
    api_token, _ = create_token(engine, "TK")
    with engine.connect() as conn:
        counts = _counts(conn)
    engine.dispose()
    server = create_app(make_settings(url, tmp, auth_required=True))
    yield {"server": server, "cookie": cookie, "api_token": api_token, "counts": counts, "url": url}
    server.extensions["warehouse"].dispose()


def _counts(conn) -> dict:
    return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
            for t in ("observation", "current_observation", "indicator", "area", "app_user", "submission")}


def _admin(world):
    c = world["server"].test_client()
    c.set_cookie("occ_session", world["cookie"])
    return c


def _check(res, where) -> None:
    """No server error, no raw script in HTML, JSON served as JSON."""
    body = res.get_data(as_text=True)
    ctype = res.headers.get("Content-Type", "")
    assert res.status_code < 500, (where, res.status_code, body[:300])
    assert res.headers.get("X-Content-Type-Options") == "nosniff"
    if "text/html" in ctype:
        assert RAW not in body and 'onmouseover="alert' not in body, where
    else:
        assert "html" not in ctype, (where, ctype)


def _intact(world) -> None:
    engine = create_engine(world["url"])
    with engine.connect() as conn:
        now = _counts(conn)
    engine.dispose()
    for table in ("observation", "current_observation", "indicator", "area"):
        assert now[table] == world["counts"][table], table


PAGE_PARAMS = {
    "/": ["lang"], "/daily": ["day", "lang"], "/sectors": ["group", "agency", "sort", "lang"],
    "/provinces": ["indicator", "period", "region", "lang"], "/provinces/01": ["indicator", "lang"],
    "/indicators": ["q", "group", "lang"], "/indicator/CPI_YOY": ["areas", "area", "start", "end", "mode", "lang"],
    "/compliance": ["period", "unit", "lang"], "/submit": ["unit", "period", "lang"], "/wall": ["token", "boards"],
}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_inj001_url_parameters_of_every_page(world, payload):
    """The page shell and the page router (which renders the layout from the URL) with every
    parameter set to the payload, and the payload as a path segment."""
    from urllib.parse import urlencode

    c = _admin(world)
    for path, params in PAGE_PARAMS.items():
        search = "?" + urlencode({p: payload for p in params})
        _check(c.get(path + search), path)
        _check(post_callback(c, router_body(path, search)), "router " + path)
    for path in ("/indicator/", "/provinces/"):
        _check(post_callback(c, router_body(path + payload)), "router " + path)
        _check(c.get(path + payload.replace("/", "%2F")), path)
    _intact(world)


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_inj002_every_callback_input(world, payload):
    c = _admin(world)
    app = world["server"].extensions["dash"]
    c.get("/_dash-dependencies")
    for output, entry in app.callback_map.items():
        if entry.get("callback") is None or entry["callback"].__module__ == "dash.dash":
            continue
        _check(post_callback(c, callback_body(output, entry, value=payload)), output)
    _intact(world)


# Pages whose layouts give the callbacks below their real input values (the wall's is added with a token).
LAYOUTS = ("/", "/daily", "/sectors", "/sectors?agency=BTC", "/provinces", "/provinces/08", "/indicators",
           "/indicator/CPI_YOY", "/indicator/RETAIL_SALES", "/compliance", "/submit", "/briefing")
HOSTILE_VALUES = (RAW, 123, ["<b>", 1], {"a": {"b": RAW}}, None)


def test_inj006_one_hostile_input_among_real_ones(world):
    """Every page callback, given the values its page rendered, with one input or state at a time
    replaced by a hostile value of another JSON type (what a forged request can send where a
    string, a list or a store's object was rendered): a harmless answer, never a server error."""
    c = _admin(world)
    engine = create_engine(world["url"])
    token = create_display_token(engine, "inj006")[1]
    engine.dispose()
    rendered: dict = {}
    for page in (*LAYOUTS, f"/wall?token={token}"):
        path, _, query = page.partition("?")
        res = post_callback(c, router_body(path, "?" + query if query else ""))
        assert res.status_code == 200, page
        rendered.update(ids_in(res.get_json()["response"]))
    app = world["server"].extensions["dash"]
    for output, entry in app.callback_map.items():
        cb = entry.get("callback")
        deps = entry.get("inputs", []) + entry.get("state", [])
        if cb is None or cb.__module__ == "dash.dash" or any(
                isinstance(dep_id(d), dict) and any(isinstance(v, list) for v in dep_id(d).values()) for d in deps):
            continue  # Dash's own, and wildcard inputs (test_inj002 sends those)

        def real(d):
            ident = dep_id(d)
            node = rendered.get(json.dumps(ident, sort_keys=True) if isinstance(ident, dict) else ident)
            return node["props"].get(d["property"]) if node else None

        values = [real(d) for d in deps]
        for i, dep in enumerate(deps):
            for hostile in HOSTILE_VALUES:
                body = callback_body(output, entry, values=values[:i] + [hostile] + values[i + 1:])
                _check(post_callback(c, body), (cb.__module__, cb.__name__, dep["id"], dep["property"], hostile))
    _intact(world)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_inj003_api_parameters_and_upload_names(world, payload):
    c = world["server"].test_client()
    auth = {"Authorization": f"Bearer {world['api_token']}"}
    for url, params in (("/api/v1/indicators", ("q", "group")), ("/api/v1/observations", ("indicator", "area", "from", "to"))):
        for p in params:
            _check(c.get(url, query_string={p: payload, "indicator": "CPI_YOY"} if p != "indicator" else {p: payload},
                         headers=auth), f"{url} {p}")
    _check(c.get(f"/api/v1/templates/{payload}/2026Q3.xlsx", headers=auth), "template")
    _check(c.get("/api/v1/submissions/1", query_string={"x": payload}, headers=auth), "submission")
    body = f"indicator,area,period,value\nCPI_YOY,VN,202611,{payload}\n{payload},VN,202611,1\n".encode()
    res = c.post("/api/v1/submissions", headers=auth,
                 data={"file": (io.BytesIO(body), f"{payload}.csv")}, content_type="multipart/form-data")
    _check(res, "upload")
    assert res.status_code in (200, 201, 403, 422), res.get_data()[:300]
    res = c.post("/api/v1/submissions", query_string={"filename": payload}, data=body, headers={**auth,
                 "Content-Type": "text/csv"})
    _check(res, "raw upload")
    _intact(world)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_inj004_forms_sign_in_audit_search_users(world, payload):
    c = world["server"].test_client()
    token = csrf_from(c.get("/signin").get_data(as_text=True))
    res = c.post("/signin", data={"csrf_token": token, "username": payload, "password": payload, "next": payload},
                 headers={"Origin": ORIGIN})
    _check(res, "signin")
    admin = _admin(world)
    for field in ("actor", "action", "q", "since", "until", "page"):
        res = admin.get("/admin/audit", query_string={field: payload})
        _check(res, f"audit {field}")
    res = admin.get("/admin/audit", query_string={"actor": payload[:60]})
    if payload == RAW:  # stored by the failed sign-in above, shown escaped
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in res.get_data(as_text=True)
    token = csrf_from(admin.get("/admin/users").get_data(as_text=True))
    res = admin.post("/admin/users", data={"csrf_token": token, "action": "create", "username": payload,
                                           "display_name": payload, "role": "leader", "password": "a fine password 42"},
                     headers={"Origin": ORIGIN})
    _check(res, "users")
    assert res.status_code == 400  # such a user name is refused
    res = admin.post("/admin/users", data={"csrf_token": token, "action": "update", "username": "inj.admin",
                                           "role": payload, "unit": payload}, headers={"Origin": ORIGIN})
    _check(res, "users update")
    _intact(world)


def test_inj005_stored_strings_come_back_as_text(world):
    """A display name with markup is stored as given and rendered escaped (admin page, account
    page) or as a text node (the Dash header: JSON, React renders text)."""
    engine = world["server"].extensions["warehouse"].engine
    ensure_session(engine, "inj.leader", "leader", token="session-of-inj-leader-xxxxxxxxxxxxxxx")
    with engine.begin() as conn:
        conn.execute(text("UPDATE app_user SET display_name = :n WHERE username = 'inj.leader'"), {"n": RAW})
    c = world["server"].test_client()
    c.set_cookie("occ_session", "session-of-inj-leader-xxxxxxxxxxxxxxx")
    page = c.get("/account").get_data(as_text=True)
    assert RAW not in page and "&lt;script&gt;" in page
    layout = c.get("/_dash-layout")
    assert layout.headers["Content-Type"].startswith("application/json")
    assert json.dumps(layout.get_json()).count("alert(1)") == 1  # a string prop, never markup
    assert RAW not in _admin(world).get("/admin/users").get_data(as_text=True)
