# size: one world of two workers serves every test here (access, units, indicators, tokens, the reporter).
"""Issue 8, the admin pages and the reporter's scope, with units and indicators on the
configuration's pages since issue 17 (``/admin/metadata/units``, ``/admin/metadata/indicators``, one
write path: :mod:`metadata.service`; the former ``/admin/units`` and ``/admin/catalogue`` only
redirect there and write nothing). Admins only; units searched (without diacritics), added,
renamed, retired (the intake then refuses the unit on every channel, the upload page no longer
offers it, it leaves the compliance calendar) and reactivated; tokens created (the secret shown
once, never listed or logged) and revoked with effect on the next request; an indicator made
confidential disappears for every uncleared viewer on the next request (page, search, API) on
every worker, and its responsible agency changes; a reporter sees its own unit only on
/compliance and /submit, enforced in the callbacks, and its uploads record who sent them. Every
change is in the audit log, a configuration change with its record before and after."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from sqlalchemy import select, text

from app import create_app
from auth.audit import AuditQuery, search
from auth.tokens import create_token
from data_access import schema
from metadata import store
from tests.auth_helpers import ORIGIN, callback_body, csrf_from, post_callback, router_body
from tests.auth_sessions import session_cookies
from tests.conftest import make_settings, seeded_sqlite_world
from tests.test_metadata_pages import form_values, problems_beside

ADMIN_PAGES = ("/admin/metadata/units", "/admin/metadata/units/TK", "/admin/metadata/indicators",
               "/admin/metadata/indicators/CPI_YOY", "/admin/tokens",
               "/admin/mappings")
MOVED = {"/admin/units": "/admin/metadata/units", "/admin/catalogue": "/admin/metadata/indicators"}
ROLES = (("admin", "admin", None, False), ("leader", "leader", None, False), ("analyst", "analyst", None, False),
         ("analyst_c", "analyst", None, True), ("reporter", "reporter", "TK", False))


@pytest.fixture(scope="module")
def world(databases, tmp_path_factory):
    """A copy of the seeded SQLite warehouse, a user of every role with a session, a wall's display
    token, a unit's API token; two apps on it (two workers, each with its own cache) with access
    control on."""
    from auth.displays import create_display_token

    url, tmp, engine = seeded_sqlite_world(databases, tmp_path_factory, "authadmin")
    cookies = session_cookies(engine, "t", ROLES)
    _, display = create_display_token(engine, "admin-test wall")
    api_token, _ = create_token(engine, "TK")
    engine.dispose()
    servers = []
    for i in (1, 2):
        server = create_app(make_settings(url, tmp / f"w{i}", auth_required=True))
        client = server.test_client()
        client.set_cookie("occ_session", cookies["admin"])
        client.get("/_dash-dependencies")  # serves once: Dash hands this app the page callbacks before the next is built
        servers.append(server)
    yield {"server": servers[0], "second": servers[1], "cookies": cookies, "display": display,
           "api_token": api_token, "engine": servers[0].extensions["warehouse"].engine}
    for server in servers:
        server.extensions["warehouse"].dispose()


def client_for(world, who: str, server: str = "server"):
    c = world[server].test_client()
    if who in world["cookies"]:
        c.set_cookie("occ_session", world["cookies"][who])
    elif who == "display":
        c.set_cookie("occ_display", world["display"])
    return c


def _post(client, path: str, data: dict):
    token = csrf_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data}, headers={"Origin": ORIGIN})


def _audit(world, **q):
    with world["engine"].connect() as conn:
        return search(conn, AuditQuery(per_page=500, **q))[0]


def _version(world) -> int:
    with world["engine"].connect() as conn:
        return int(conn.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar())


def _config(world, kind: str) -> dict:
    with world["engine"].connect() as conn:
        return store.read_config(conn, [kind])[kind]


def _changes(world, action: str, target: str) -> list[dict]:
    """The records (kind, key, before, after) of every ``metadata.<action>`` entry on ``target``."""
    return [r for e in _audit(world, action=f"metadata.{action}") if e.target == target
            for r in e.detail_dict["records"]]


def _callback(world, output_part: str):
    """(output spec, callback map entry) of the server callback whose output names ``output_part``."""
    app = world["server"].extensions["dash"]
    for output, entry in app.callback_map.items():
        if output_part in output and entry.get("callback") is not None:
            return output, entry
    raise AssertionError(f"no callback with output {output_part}")


def _body(world, output_part: str, **values) -> dict:
    """A callback body with every input and state None except ``values`` (by component id)."""
    output, entry = _callback(world, output_part)
    body = callback_body(output, entry)
    for item in body["inputs"] + body["state"]:
        if item["id"] in values:
            item["value"] = values[item["id"]]
    return body


# -- who may open the admin pages ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "leader", "analyst", "analyst_c", "reporter", "display", "token", "anonymous"])
def test_adm001_admin_pages_for_admins_only(world, who):
    client = client_for(world, who)
    headers = {"Authorization": f"Bearer {world['api_token']}"} if who == "token" else {}
    before = _version(world)
    for path in (*ADMIN_PAGES, *MOVED):
        res = client.get(path, headers=headers)
        posted = client.post(path, data={"action": "retire", "code": "TK"}, headers={"Origin": ORIGIN, **headers})
        if who == "admin":
            assert res.status_code == (303 if path in MOVED else 200), (who, path)
            assert posted.status_code in (400, 405), (who, path, posted.status_code)  # no CSRF token, or GET only
        elif who in ("anonymous", "token"):
            assert res.status_code == 302 and res.headers["Location"].startswith("/signin?next="), (who, path)
            assert posted.status_code == 401, (who, path)
        else:
            assert res.status_code == 403 and posted.status_code == 403, (who, path, res.status_code, posted.status_code)
    assert _version(world) == before and _config(world, "units")["TK"]["status"] == "active"
    if who in ("leader", "reporter"):
        denied = {e.target for e in _audit(world, actor=f"t.{who}", action="access.denied")}
        assert {f"GET {p}" for p in (*ADMIN_PAGES, *MOVED)} <= denied


def test_adm002_admin_navigation_and_languages(world):
    """The navigation links the configuration and the tokens, never the former pages."""
    admin = client_for(world, "admin")
    for path in ("/admin/users", "/admin/metadata", "/admin/metadata/units", "/admin/tokens", "/admin/audit"):
        page = admin.get(path).get_data(as_text=True)
        assert 'href="/admin/metadata"' in page and 'href="/admin/tokens"' in page, path
        assert 'href="/admin/units' not in page and 'href="/admin/catalogue' not in page, path
    assert "Đơn vị báo cáo" in admin.get("/admin/metadata/units").get_data(as_text=True)
    english = admin.get("/admin/metadata/units?lang=en").get_data(as_text=True)
    assert "Reporting units" in english and 'href="/admin/metadata/indicators?lang=en"' in english
    assert "Indicators" in admin.get("/admin/metadata/indicators?lang=en").get_data(as_text=True)
    assert "Mã truy cập" in admin.get("/admin/tokens").get_data(as_text=True)
    # the Dash pages' header links them too, for admins only
    body = _body(world, "shell-header", **{"shell-location": "/"})
    for item in body["inputs"]:
        item["value"] = "/" if item["property"] == "pathname" else ""
    header = post_callback(admin, body).get_data(as_text=True).replace("\\u002f", "/")  # JSON escapes "/"
    assert "/admin/metadata" in header and "/admin/tokens" in header
    assert "/admin/units" not in header and "/admin/catalogue" not in header
    other = post_callback(client_for(world, "leader"), body).get_data(as_text=True).replace("\\u002f", "/")
    assert "/admin/" not in other


def test_adm003_forms_need_the_csrf_token(world):
    admin = client_for(world, "admin")
    forms = {"/admin/metadata/units/new": {"action": "new", "code": "CSRF1"},
             "/admin/metadata/units/TK": {"action": "retire"},
             "/admin/metadata/indicators/CPI_YOY": {"action": "update", "confidential": "true"},
             "/admin/tokens": {"action": "create_display", "label": "CSRF1"}}
    for path, data in forms.items():
        assert admin.post(path, data=data, headers={"Origin": ORIGIN}).status_code == 400, path
        token = csrf_from(admin.get(path).get_data(as_text=True))
        res = admin.post(path, data={"csrf_token": token, **data}, headers={"Origin": "https://evil.example"})
        assert res.status_code == 403, path  # the guard refuses cross-site posts first
    assert "CSRF1" not in _config(world, "units") and _config(world, "units")["TK"]["status"] == "active"
    assert not _config(world, "indicators")["CPI_YOY"]["confidential"]


def test_adm004_former_pages_redirect_and_write_nothing(world):
    """``/admin/units`` and ``/admin/catalogue`` answer a GET with 303 to the configuration's
    pages, their filters carried over where they have a counterpart; a POST, even a well-formed one
    with its CSRF token, is refused (405) and writes nothing."""
    admin = client_for(world, "admin")
    cases = {
        "/admin/units": "/admin/metadata/units",
        "/admin/units?q=thong+ke&state=inactive&lang=en": "/admin/metadata/units?q=thong+ke&status=retired&lang=en",
        "/admin/units?state=active&q=": "/admin/metadata/units?status=active",
        "/admin/units?state=bogus": "/admin/metadata/units",
        "/admin/catalogue": "/admin/metadata/indicators",
        "/admin/catalogue?q=chi+so+gia&group=G02&access=confidential":
            "/admin/metadata/indicators?q=chi+so+gia&group=G02&confidential=true",
        "/admin/catalogue?access=public&lang=en": "/admin/metadata/indicators?confidential=false&lang=en",
    }
    for old, new in cases.items():
        res = admin.get(old)
        assert res.status_code == 303 and res.headers["Location"] == new, (old, res.status_code, res.headers.get("Location"))
        assert admin.get(new).status_code == 200, new
    found = admin.get("/admin/units?q=thong+ke", follow_redirects=True).get_data(as_text=True)
    assert "TK" in _unit_codes(found)
    before, units, indicators = _version(world), _config(world, "units"), _config(world, "indicators")
    token = csrf_from(admin.get("/admin/metadata/units").get_data(as_text=True))
    posts = {"/admin/units": {"action": "create", "code": "UBOLD", "name_vi": "Cũ", "name_en": "Old", "kind": "ministry"},
             "/admin/units?q=tk": {"action": "deactivate", "code": "TK"},
             "/admin/catalogue": {"action": "update", "code": "CPI_YOY", "access": "confidential", "agency": "BCT"}}
    for path, data in posts.items():
        res = admin.post(path, data={"csrf_token": token, **data}, headers={"Origin": ORIGIN})
        assert res.status_code == 405 and "GET" in res.headers["Allow"], (path, res.status_code)
    assert _version(world) == before
    assert _config(world, "units") == units and _config(world, "indicators") == indicators
    assert not [e for e in _audit(world, actor="t.admin") if e.action.startswith(("unit.", "indicator."))]


# -- units -----------------------------------------------------------------------------------------------


def _unit_codes(page: str) -> list[str]:
    return re.findall(r'data-key="([^"]+)"', page)


def _post_form(client, path: str, changes: dict, action: str = "update"):
    """The record's form as the page shows it, with ``changes``, posted."""
    values = form_values(client.get(path).get_data(as_text=True))
    return _post(client, path, {"action": action, **values, **changes})


def _submit_offers(client) -> str:
    return post_callback(client, router_body("/submit")).get_data(as_text=True)


def _in_calendar(world, client, regime: str, unit: str) -> bool:
    body = _body(world, "cmp-matrix", **{"cmp-regime": regime, "cmp-group": "all", "cmp-lang": "vi"})
    return f"unit={unit}" in post_callback(client, body).get_data(as_text=True)


def _upload(world, client, unit: str) -> str:
    csv = b"indicator_code,area_code,period,value\nCPI_YOY,VN,202510,3.2\n"
    body = _body(world, "sub-result", **{"sub-upload": "data:text/csv;base64," + base64.b64encode(csv).decode(),
                                         "sub-unit": unit, "sub-lang": "vi"})
    return post_callback(client, body).get_data(as_text=True)


def test_adm010_units_search_add_rename_retire_reactivate(world):
    """Through the configuration's pages only: search without diacritics; add (a code taken is
    refused, a provincial unit needs a province); rename; retire = deactivate (no longer offered
    for upload, its submissions refused by the API and the upload page, out of the compliance
    calendar) and reactivate (all of it back); each change one audit entry with before/after."""
    admin = client_for(world, "admin")
    assert _unit_codes(admin.get("/admin/metadata/units?q=thong+ke").get_data(as_text=True)) == ["TK"]
    assert "BCA" in _unit_codes(admin.get("/admin/metadata/units?q=bo+cong+an").get_data(as_text=True))
    assert "BCA" in _unit_codes(admin.get("/admin/metadata/units?q=Bộ+Công+an").get_data(as_text=True))
    assert len(_unit_codes(admin.get("/admin/metadata/units").get_data(as_text=True))) == 50  # a page of them
    assert len(_config(world, "units")) > 100

    new = {"action": "new", "code": "UBTEST", "name_vi": "Ủy ban Thử nghiệm", "name_en": "Test Committee",
           "kind": "ministry", "area": "VN", "status": "active"}
    res = _post(admin, "/admin/metadata/units/new", new)
    assert res.status_code == 303 and res.headers["Location"].startswith("/admin/metadata/units/UBTEST?done=created")
    res = _post(admin, "/admin/metadata/units/new", {**new, "name_vi": "Khác", "name_en": "Other"})
    assert res.status_code == 400 and "Đã có đơn vị báo cáo “UBTEST”" in res.get_data(as_text=True)
    res = _post(admin, "/admin/metadata/units/new?lang=en", {**new, "code": "UBP", "kind": "province", "area": "",
                                                            "lang": "en"})
    assert res.status_code == 400 and "province" in problems_beside(res.get_data(as_text=True))["area"]
    res = _post(admin, "/admin/metadata/units/new", {**new, "code": "UBP", "kind": "province", "area": "R1"})
    assert res.status_code == 400 and "tỉnh" in problems_beside(res.get_data(as_text=True))["area"]
    assert "UBP" not in _config(world, "units")
    url = "/admin/metadata/units/UBTEST"
    res = _post_form(admin, url, {"name_vi": "Ủy ban Thử nghiệm Quốc gia", "name_en": "National Test Committee",
                                  "short_vi": "Thử nghiệm", "short_en": "Test"})
    assert res.status_code == 303 and "done=updated" in res.headers["Location"]
    assert _unit_codes(admin.get("/admin/metadata/units?q=uy+ban+thu+nghiem+quoc+gia").get_data(as_text=True)) == ["UBTEST"]
    regime = {"action": "new", "code": "TEST-UB-M", "name_vi": "Báo cáo tháng thử nghiệm", "name_en": "Test monthly",
              "frequency": "M", "receiver": "VPCP", "units": ["UBTEST"], "indicators": ["CPI_YOY"], "cutoff_day": "14",
              "cutoff_month_offset": "0", "deadline_day": "20", "deadline_month_offset": "1", "status": "active"}
    assert _post(admin, "/admin/metadata/regimes/new", regime).status_code == 303
    assert "(UBTEST)" in _submit_offers(admin) and _in_calendar(world, admin, "TEST-UB-M", "UBTEST")

    # retired: no longer offered for upload, its submissions refused by every channel, out of the calendar
    token, _ = create_token(world["engine"], "UBTEST")
    before = _version(world)
    res = _post(admin, url, {"action": "retire"})
    assert res.status_code == 303 and "done=retired" in res.headers["Location"] and _version(world) > before
    assert _unit_codes(admin.get("/admin/metadata/units?status=retired").get_data(as_text=True)) == ["UBTEST"]
    page = admin.get(url).get_data(as_text=True)
    assert 'id="meta-reactivate"' in page and 'id="meta-retire"' not in page
    assert "(UBTEST)" not in _submit_offers(admin) and "(TK)" in _submit_offers(admin)
    api = world["server"].test_client()
    observation = {"observations": [{"indicator_code": "CPI_YOY", "area_code": "VN", "period": "202510", "value": 3}]}
    res = api.post("/api/v1/submissions", headers={"Authorization": f"Bearer {token}"}, json=observation)
    assert res.status_code == 422 and res.get_json()["errors"][0]["code"] == "inactive_unit"
    assert "đã ngừng hoạt động" in _upload(world, admin, "UBTEST")
    assert not _in_calendar(world, admin, "TEST-UB-M", "UBTEST")
    # reactivated: all of it back
    res = _post(admin, url, {"action": "reactivate"})
    assert res.status_code == 303 and "done=reactivated" in res.headers["Location"]
    assert _config(world, "units")["UBTEST"]["status"] == "active"
    assert 'id="meta-retire"' in admin.get(url).get_data(as_text=True)
    assert "(UBTEST)" in _submit_offers(admin) and _in_calendar(world, admin, "TEST-UB-M", "UBTEST")
    res = api.post("/api/v1/submissions", headers={"Authorization": f"Bearer {token}"}, json=observation)
    assert "inactive_unit" not in {e["code"] for e in res.get_json().get("errors", [])}

    target = "units:UBTEST"
    assert _changes(world, "create", target)[0]["after"]["name_vi"] == "Ủy ban Thử nghiệm"
    renamed = _changes(world, "update", target)[0]
    assert (renamed["before"]["name_vi"], renamed["after"]["name_vi"]) == ("Ủy ban Thử nghiệm", "Ủy ban Thử nghiệm Quốc gia")
    retired, reactivated = _changes(world, "retire", target)[0], _changes(world, "reactivate", target)[0]
    assert (retired["before"]["status"], retired["after"]["status"]) == ("active", "retired")
    assert (reactivated["before"]["status"], reactivated["after"]["status"]) == ("retired", "active")
    assert all(e.role == "admin" for e in _audit(world, actor="t.admin", action="metadata.") if e.target == target)
    history = admin.get(url + "/history").get_data(as_text=True)
    assert re.findall(r'id="version-(\d+)"', history) == ["4", "3", "2", "1"]


def test_adm011_a_unit_in_use_is_not_retired(world):
    """A unit responsible for active indicators is not retired: the reason names them, nothing
    changes (move the indicators to another agency first, or retire and replace)."""
    admin = client_for(world, "admin")
    before = _version(world)
    res = _post(admin, "/admin/metadata/units/BTC", {"action": "retire"})
    assert res.status_code == 400 and 'role="alert"' in res.get_data(as_text=True)
    assert "<code>BUDGET_REVENUE</code>: Đơn vị “BTC” (cột “agency”) đã thôi dùng" in res.get_data(as_text=True)
    assert _config(world, "units")["BTC"]["status"] == "active" and _version(world) == before


# -- tokens ----------------------------------------------------------------------------------------------


def test_adm020_api_token_shown_once_and_revoked_on_the_next_request(world):
    admin = client_for(world, "admin")
    res = _post(admin, "/admin/tokens", {"action": "create_api", "unit": "TK", "label": "Hệ thống thử", "days": "30"})
    page = res.get_data(as_text=True)
    assert res.status_code == 200 and res.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="secret" class="secret" readonly value="(occ_[^"]+)"', page).group(1)
    token_id = int(re.search(r"(?:số|Token) (\d+)", page).group(1))
    api = world["server"].test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/indicators", headers=auth).status_code == 200
    # never again: not in the list, not in the audit log, not in the database (its hash only)
    listing = admin.get("/admin/tokens").get_data(as_text=True)
    assert secret not in listing and f'id="api-token-{token_id}"' in listing and "Hệ thống thử" in listing
    assert not any(secret in (e.detail or "") + (e.target or "") for e in _audit(world))
    with world["engine"].connect() as conn:
        row = conn.execute(select(schema.api_token).where(schema.api_token.c.id == token_id)).first()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in str(tuple(row))
    assert row.last_used_at is not None and row.expires_at is not None
    # revoked from the page: the very next request is refused
    res = _post(admin, "/admin/tokens", {"action": "revoke_api", "id": str(token_id)})
    assert res.status_code == 200 and "Đã thu hồi mã số" in res.get_data(as_text=True)
    res = api.get("/api/v1/indicators", headers=auth)
    assert res.status_code == 401 and res.get_json()["error"]["code"] == "revoked_token"
    row_html = re.search(rf'<tr id="api-token-{token_id}".*?</tr>', admin.get("/admin/tokens").get_data(as_text=True), re.S)
    assert "Đã thu hồi" in row_html.group(0) and "revoke_api" not in row_html.group(0)
    entries = [(e.action, e.target) for e in _audit(world, actor="t.admin", action="token.")]
    assert ("token.create", f"api_token:{token_id}") in entries and ("token.revoke", f"api_token:{token_id}") in entries
    assert _post(admin, "/admin/tokens", {"action": "create_api", "unit": "NOPE", "days": "5"}).status_code == 400
    assert _post(admin, "/admin/tokens", {"action": "create_api", "unit": "TK", "days": "-3"}).status_code == 400
    assert _post(admin, "/admin/tokens", {"action": "revoke_api", "id": "999999"}).status_code == 400


def test_adm021_display_token_shown_once_and_revoked_on_the_next_refresh(world):
    admin = client_for(world, "admin")
    res = _post(admin, "/admin/tokens?lang=en", {"action": "create_display", "label": "Phòng họp tầng 3",
                                                 "lang": "en"})
    page = res.get_data(as_text=True)
    assert res.status_code == 200 and "shown once" in page
    secret = re.search(r'id="secret" class="secret" readonly value="([^"]+)"', page).group(1)
    assert f"/wall?token={secret}" in page
    token_id = int(re.search(r"Token (\d+) created", page).group(1))
    wall = world["server"].test_client()
    assert wall.get(f"/wall?token={secret}&boards=overview").status_code == 302  # into the wall's cookie
    body = router_body("/wall", "?boards=overview")
    assert "wall-canvas" in post_callback(wall, body).get_data(as_text=True)
    assert secret not in admin.get("/admin/tokens").get_data(as_text=True)
    assert not any(secret in (e.detail or "") for e in _audit(world))
    res = _post(admin, "/admin/tokens", {"action": "revoke_display", "id": str(token_id)})
    assert res.status_code == 200
    res = post_callback(wall, body)  # the guard refuses it; the wall reloads and its page says why
    assert res.status_code == 401 and res.headers.get("X-OCC-Reload") == "1"
    assert "wall-canvas" not in res.get_data(as_text=True)
    page = wall.get("/wall?boards=overview")
    assert page.status_code == 403 and "thu hồi" in page.get_data(as_text=True)
    entries = [(e.action, e.target) for e in _audit(world, actor="t.admin", action="display_token")]
    assert ("display_token.create", f"display_token:{token_id}") in entries
    assert ("display_token.revoke", f"display_token:{token_id}") in entries
    assert _post(admin, "/admin/tokens", {"action": "create_display", "label": " "}).status_code == 400


# -- the catalogue: confidentiality, responsible agency ---------------------------------------------------


def _sees_cpi(world, who: str, server: str = "server") -> dict[str, bool]:
    """Whether ``who`` sees CPI_YOY on each channel: the API list and search, its observations,
    its page, the catalogue page's search."""
    c = client_for(world, who, server)
    listed = "CPI_YOY" in c.get("/api/v1/indicators").get_data(as_text=True)
    searched = "CPI_YOY" in c.get("/api/v1/indicators?q=chi+so+gia+tieu+dung").get_data(as_text=True)
    if who == "reporter":  # no boards: the API's list and search only
        return {"list": listed, "search": searched}
    observations = c.get("/api/v1/observations?indicator=CPI_YOY&area=VN").status_code == 200
    page = post_callback(c, router_body("/indicator/CPI_YOY")).get_data(as_text=True)
    found = post_callback(c, _body(world, "cat-results", **{"cat-query": "chi so gia tieu dung", "cat-lang": "vi"}))
    return {"list": listed, "search": searched, "observations": observations,
            "page": "ind-trend" in page or "Chỉ số giá tiêu dùng (CPI) so với cùng kỳ" in page,
            "catalogue": "/indicator/CPI_YOY" in found.get_data(as_text=True).replace("\\u002f", "/")}


UNCLEARED, CLEARED = ("analyst", "reporter"), ("leader", "analyst_c")


def test_adm030_confidentiality_holds_on_the_next_request_for_every_worker(world):
    """The indicator's form on the configuration's page marks it confidential: from the next
    request every uncleared role (analyst, reporter) on both workers no longer sees it anywhere,
    the cleared ones (leader, granted analyst) still do; public again, everyone sees it."""
    admin = client_for(world, "admin")
    assert "CPI_YOY" in _unit_codes(admin.get("/admin/metadata/indicators?q=chi+so+gia+tieu+dung").get_data(as_text=True))
    for server in ("server", "second"):  # both workers have it cached for every role
        for who in UNCLEARED + CLEARED:
            assert all(_sees_cpi(world, who, server).values()), (server, who)
    before = _version(world)
    url = "/admin/metadata/indicators/CPI_YOY"
    res = _post_form(admin, url, {"confidential": "true"})
    assert res.status_code == 303 and "done=updated" in res.headers["Location"]
    assert _version(world) > before
    assert "thay đổi có hiệu lực ngay" in admin.get(res.headers["Location"]).get_data(as_text=True)
    for server in ("server", "second"):
        for who in UNCLEARED:
            seen = _sees_cpi(world, who, server)
            assert not any(seen.values()), (server, who, seen)
        for who in CLEARED:
            assert all(_sees_cpi(world, who, server).values()), (server, who)
    confidential = _unit_codes(admin.get("/admin/metadata/indicators?confidential=true").get_data(as_text=True))
    assert "CPI_YOY" in confidential and "RETAIL_SALES" not in confidential
    assert "CPI_YOY" not in _unit_codes(admin.get("/admin/metadata/indicators?confidential=false").get_data(as_text=True))
    values = form_values(admin.get(url).get_data(as_text=True))
    assert values.pop("confidential") == ["true"]
    assert _post(admin, url, {"action": "update", **values}).status_code == 303  # the box unticked
    for server in ("server", "second"):
        for who in UNCLEARED:
            assert all(_sees_cpi(world, who, server).values()), (server, who)
    flips = [(r["before"]["confidential"], r["after"]["confidential"])
             for r in _changes(world, "update", "indicators:CPI_YOY")]
    assert (False, True) in flips and (True, False) in flips


def test_adm031_responsible_agency(world):
    admin = client_for(world, "admin")
    url = "/admin/metadata/indicators/NEW_ENTERPRISES"
    before = _config(world, "indicators")["NEW_ENTERPRISES"]
    res = _post_form(admin, url, {"agency": "NOPE"})
    assert res.status_code == 400 and "NOPE" in problems_beside(res.get_data(as_text=True))["agency"]
    assert _config(world, "indicators")["NEW_ENTERPRISES"] == before
    res = _post_form(admin, url + "?lang=en", {"agency": "BCT", "lang": "en"})
    assert res.status_code == 303
    c = client_for(world, "leader")
    item = next(i for i in c.get("/api/v1/indicators?q=NEW_ENTERPRISES").get_json()["indicators"]
                if i["code"] == "NEW_ENTERPRISES")
    assert item["agency_code"] == "BCT"
    change = _changes(world, "update", "indicators:NEW_ENTERPRISES")[0]
    assert {k for k in change["after"] if change["after"][k] != change["before"][k]} == {"agency"}
    assert (change["before"]["agency"], change["after"]["agency"]) == ("BTC", "BCT")


# -- the reporter's scope ------------------------------------------------------------------------------


def test_adm040_reporter_sees_its_unit_only_on_compliance(world):
    reporter, leader = client_for(world, "reporter"), client_for(world, "leader")
    body = _body(world, "cmp-matrix", **{"cmp-regime": "UBND-M", "cmp-group": "all", "cmp-lang": "vi"})
    everyone = post_callback(leader, body).get_data(as_text=True)
    assert "Hà Nội" in everyone and "unit=UB01" in everyone
    own = post_callback(reporter, body).get_data(as_text=True)
    assert "Hà Nội" not in own and "unit=" not in own
    body = _body(world, "cmp-matrix", **{"cmp-regime": "TK-M", "cmp-group": "all", "cmp-lang": "vi"})
    own = post_callback(reporter, body).get_data(as_text=True)
    assert "unit=TK" in own and "Cục Thống kê" in own
    # the page offers the reporter its own unit's regimes and opens on its submissions
    page = post_callback(reporter, router_body("/compliance")).get_data(as_text=True)
    assert "TK-M" in page and "UBND-M" not in page and "BCA-M" not in page
    detail = post_callback(reporter, _body(world, "cmp-detail", **{"cmp-unit": None, "cmp-lang": "vi"}))
    assert detail.status_code == 200 and "Các lần gửi báo cáo của TK" in detail.get_data(as_text=True)
    refused = post_callback(reporter, _body(world, "cmp-detail", **{"cmp-unit": "BCA", "cmp-lang": "vi"}))
    assert refused.status_code == 403


def test_adm041_reporter_sees_its_unit_only_on_submit_and_uploads_record_the_user(world):
    reporter, admin = client_for(world, "reporter"), client_for(world, "admin")
    page = post_callback(reporter, router_body("/submit")).get_data(as_text=True)
    assert re.findall(r'"value":\s*"([A-Z0-9]+)"', page.split("sub-period")[0]).count("TK") >= 1
    assert "(BCA)" not in page and "(UB01)" not in page and "(TK)" in page
    assert "(BCA)" in post_callback(admin, router_body("/submit")).get_data(as_text=True)
    template = post_callback(reporter, _body(world, "sub-template", **{"sub-unit": None, "sub-period": "202510"}))
    assert "/api/v1/templates/TK/202510.xlsx" in template.get_data(as_text=True).replace("\\u002f", "/")

    csv = b"indicator_code,area_code,period,value\nCPI_YOY,VN,202510,3.37\n"
    contents = "data:text/csv;base64," + base64.b64encode(csv).decode()
    upload = {"sub-upload": contents, "sub-lang": "vi"}
    res = post_callback(reporter, _body(world, "sub-result", **{**upload, "sub-unit": "BCA"}))
    assert res.status_code == 403  # another unit: refused by the guard before the callback runs
    res = post_callback(reporter, _body(world, "sub-result", **{**upload, "sub-unit": None}))  # the unit: its own
    text_ = res.get_data(as_text=True)
    assert res.status_code == 200 and "Đã tiếp nhận báo cáo số" in text_, text_[:500]
    submission_id = int(re.search(r"báo cáo số (\d+)", text_).group(1))
    with world["engine"].connect() as conn:
        row = conn.execute(select(schema.submission.c.submitted_by, schema.submission.c.channel, schema.agency.c.code)
                           .join(schema.agency, schema.agency.c.id == schema.submission.c.agency_id)
                           .where(schema.submission.c.id == submission_id)).first()
    assert tuple(row) == ("t.reporter", "upload", "TK")
    read_back = reporter.get(f"/api/v1/submissions/{submission_id}").get_json()
    assert read_back["submitted_by"] == "t.reporter" and read_back["unit"] == "TK"
    entry = next(e for e in _audit(world, actor="t.reporter", action="submission.") if
                 e.target == f"submission:{submission_id}")
    assert entry.action == "submission.accepted" and entry.detail_dict["unit"] == "TK"
    detail = post_callback(reporter, _body(world, "cmp-detail", **{"cmp-unit": "TK", "cmp-lang": "vi"}))
    assert "t.reporter" in detail.get_data(as_text=True) and "Người gửi" in detail.get_data(as_text=True)


def test_adm042_the_callbacks_hold_a_reporter_to_its_unit_without_the_guard(world, monkeypatch):
    """The guard refuses another unit's code first; the callbacks enforce the scope themselves too."""
    from auth import policy
    from dashboards import submit

    monkeypatch.setattr(policy, "UNIT_INPUTS", frozenset())
    reporter = client_for(world, "reporter")
    csv = b"indicator_code,area_code,period,value\nCPI_YOY,VN,202510,3.38\n"
    body = _body(world, "sub-result", **{"sub-upload": "data:text/csv;base64," + base64.b64encode(csv).decode(),
                                         "sub-unit": "BCA", "sub-lang": "vi"})
    calls = []
    monkeypatch.setattr(submit, "submit_upload", lambda *a, **k: calls.append(k))
    res = post_callback(reporter, body)
    assert res.status_code == 200 and "chỉ được gửi báo cáo của đơn vị mình" in res.get_data(as_text=True)
    assert calls == []
    detail = post_callback(reporter, _body(world, "cmp-detail", **{"cmp-unit": "BCA", "cmp-lang": "vi"}))
    assert "Các lần gửi báo cáo của TK" in detail.get_data(as_text=True)
    template = post_callback(reporter, _body(world, "sub-template", **{"sub-unit": "BCA", "sub-period": "202510"}))
    assert "BCA" not in template.get_data(as_text=True)


def test_adm050_service_on_both_backends(empty_url, tmp_path):
    """The configuration's service on SQLite and PostgreSQL, as the pages, the API and the CLI use
    it: a new unit is active; retired, the intake refuses its submissions on the command line and
    it owes no reports; reactivated, it submits again; a confidentiality change bumps the data
    version and the same change again is none; every change is audited in its transaction."""
    from data_access.engine import make_engine, migrate
    from ingest.pipeline import submit
    from ingest.reference import load_reference
    from metadata import service

    engine = make_engine(make_settings(empty_url, tmp_path))
    migrate(engine)
    with engine.begin() as conn:
        load_reference(conn)  # through the metadata service: data_version 1
    actor = service.Actor("root", "admin", "127.0.0.1", "cli")
    unit = {"code": "UBX", "name_vi": "Ủy ban X", "name_en": "Committee X", "kind": "ministry", "area": "VN"}
    assert service.create(engine, "units", unit, actor=actor).applied
    with engine.connect() as conn:
        stored = store.read_config(conn, ["units"])["units"]["UBX"]
        assert conn.execute(select(schema.agency.c.active).where(schema.agency.c.code == "UBX")).scalar()
    assert stored["status"] == "active" and stored["short_vi"] == "Ủy ban X"
    assert not service.create(engine, "units", unit, actor=actor).ok  # the code is taken
    assert service.retire(engine, "units", "UBX", actor=actor).applied
    with engine.connect() as conn:
        assert not conn.execute(select(schema.agency.c.active).where(schema.agency.c.code == "UBX")).scalar()
    payload = b"indicator_code,area_code,period,value\nCPI_YOY,VN,202510,3.1\n"
    report = submit(engine, unit_code="UBX", payload=payload, filename="x.csv", channel="cli", submitted_by="root")
    assert report.status == "rejected" and [e.code for e in report.errors] == ["inactive_unit"]
    assert service.reactivate(engine, "units", "UBX", actor=actor).applied
    assert not service.reactivate(engine, "units", "UBX", actor=actor).applied  # already active: no change
    report = submit(engine, unit_code="UBX", payload=payload, filename="x.csv", channel="cli", submitted_by="root")
    assert "inactive_unit" not in [e.code for e in report.errors]
    with engine.connect() as conn:
        version = int(conn.execute(text("SELECT version FROM data_version")).scalar())
    change = service.update(engine, "indicators", "CPI_YOY", {"confidential": True}, actor=actor)
    assert change.applied and change.diff.changed["indicators"] == ["CPI_YOY"]
    assert not service.update(engine, "indicators", "CPI_YOY", {"confidential": True}, actor=actor).applied
    with engine.connect() as conn:
        assert int(conn.execute(text("SELECT version FROM data_version")).scalar()) > version
        assert conn.execute(text("SELECT confidential FROM indicator WHERE code = 'CPI_YOY'")).scalar()
        actions = [e.action for e in search(conn, AuditQuery(actor="root", per_page=50))[0]]
    assert actions[:2] == ["metadata.update", "submission.accepted" if report.status == "accepted" else
                           "submission.rejected"]
    assert actions[2:6] == ["metadata.reactivate", "submission.rejected", "metadata.retire", "metadata.create"]
    engine.dispose()
