"""Issue 8, the admin pages and the reporter's scope: ``/admin/units``, ``/admin/catalogue`` and
``/admin/tokens`` open to admins only; units searched (without diacritics), added, renamed,
deactivated (the intake then refuses the unit) and reactivated; tokens created (the secret shown
once, never listed or logged) and revoked with effect on the next request; an indicator made
confidential disappears for an uncleared analyst on the next request (page, search, API) on every
worker; a reporter sees its own unit only on /compliance and /submit, enforced in the callbacks,
and its uploads record who sent them. Every change is in the audit log."""

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
from tests.auth_helpers import ORIGIN, callback_body, csrf_from, post_callback, router_body
from tests.auth_sessions import session_cookies
from tests.conftest import make_settings, seeded_sqlite_world

ADMIN_PAGES = ("/admin/units", "/admin/catalogue", "/admin/tokens", "/admin/mappings")
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
    for path in ADMIN_PAGES:
        res = client.get(path, headers=headers)
        posted = client.post(path, data={"action": "create", "code": "X"}, headers={"Origin": ORIGIN, **headers})
        if who == "admin":
            assert res.status_code == 200, (who, path)
        elif who in ("anonymous", "token"):
            assert res.status_code == 302 and res.headers["Location"].startswith("/signin?next="), (who, path)
            assert posted.status_code == 401, (who, path)
        else:
            assert res.status_code == 403 and posted.status_code == 403, (who, path, res.status_code, posted.status_code)
    if who in ("leader", "reporter"):
        denied = {e.target for e in _audit(world, actor=f"t.{who}", action="access.denied")}
        assert {f"GET {p}" for p in ADMIN_PAGES} <= denied


def test_adm002_admin_navigation_and_languages(world):
    admin = client_for(world, "admin")
    for path in ("/admin/users", *ADMIN_PAGES, "/admin/audit"):
        page = admin.get(path).get_data(as_text=True)
        for link in ADMIN_PAGES:
            assert f'href="{link}"' in page, (path, link)
    assert "Đơn vị báo cáo" in admin.get("/admin/units").get_data(as_text=True)
    english = admin.get("/admin/units?lang=en").get_data(as_text=True)
    assert "Reporting units" in english and 'href="/admin/catalogue?lang=en"' in english
    assert "Danh mục chỉ tiêu" in admin.get("/admin/catalogue").get_data(as_text=True)
    assert "Indicator catalogue" in admin.get("/admin/catalogue?lang=en").get_data(as_text=True)
    assert "Mã truy cập" in admin.get("/admin/tokens").get_data(as_text=True)
    # the Dash pages' header links them too, for admins only
    body = _body(world, "shell-header", **{"shell-location": "/"})
    for item in body["inputs"]:
        item["value"] = "/" if item["property"] == "pathname" else ""
    header = post_callback(admin, body).get_data(as_text=True).replace("\\u002f", "/")  # JSON escapes "/"
    for link in ADMIN_PAGES:
        assert link in header, link
    other = post_callback(client_for(world, "leader"), body).get_data(as_text=True).replace("\\u002f", "/")
    assert "/admin/" not in other


def test_adm003_forms_need_the_csrf_token(world):
    admin = client_for(world, "admin")
    admin.get("/admin/units")
    for path in ADMIN_PAGES:
        assert admin.post(path, data={"action": "create", "code": "CSRF1"}, headers={"Origin": ORIGIN}).status_code == 400
        token = csrf_from(admin.get(path).get_data(as_text=True))
        res = admin.post(path, data={"csrf_token": token, "action": "create", "code": "CSRF1"},
                         headers={"Origin": "https://evil.example"})
        assert res.status_code == 403, path  # the guard refuses cross-site posts first


# -- units -----------------------------------------------------------------------------------------------


def _unit_codes(page: str) -> list[str]:
    return re.findall(r'<tr id="unit-([^"]+)"', page)


def test_adm010_units_search_add_rename_deactivate(world):
    admin = client_for(world, "admin")
    assert _unit_codes(admin.get("/admin/units?q=thong+ke").get_data(as_text=True)) == ["TK"]
    assert "BCA" in _unit_codes(admin.get("/admin/units?q=bo+cong+an").get_data(as_text=True))
    assert "BCA" in _unit_codes(admin.get("/admin/units?q=Bộ+Công+an").get_data(as_text=True))
    assert len(_unit_codes(admin.get("/admin/units").get_data(as_text=True))) > 100

    res = _post(admin, "/admin/units", {"action": "create", "code": "ubtest", "name_vi": "Ủy ban Thử nghiệm",
                                        "name_en": "Test Committee", "kind": "ministry"})
    assert res.status_code == 200 and "Đã thêm đơn vị UBTEST" in res.get_data(as_text=True)
    res = _post(admin, "/admin/units", {"action": "create", "code": "UBTEST", "name_vi": "Khác", "name_en": "Other",
                                        "kind": "ministry"})
    assert res.status_code == 400 and "đã có" in res.get_data(as_text=True)
    res = _post(admin, "/admin/units?lang=en", {"action": "create", "code": "UBP", "name_vi": "Tỉnh X",
                                                "name_en": "Province X", "kind": "province", "lang": "en"})
    assert res.status_code == 400 and "province" in res.get_data(as_text=True)
    res = _post(admin, "/admin/units", {"action": "update", "code": "UBTEST", "name_vi": "Ủy ban Thử nghiệm Quốc gia",
                                        "name_en": "National Test Committee", "short_vi": "Thử nghiệm",
                                        "short_en": "Test"})
    assert res.status_code == 200
    assert _unit_codes(admin.get("/admin/units?q=uy+ban+thu+nghiem+quoc+gia").get_data(as_text=True)) == ["UBTEST"]

    # deactivated: no longer offered for upload, its submissions refused by every channel
    token, _ = create_token(world["engine"], "UBTEST")
    before = _version(world)
    res = _post(admin, "/admin/units", {"action": "deactivate", "code": "UBTEST"})
    assert res.status_code == 200 and _version(world) > before
    assert _unit_codes(admin.get("/admin/units?state=inactive").get_data(as_text=True)) == ["UBTEST"]
    submit_page = post_callback(admin, router_body("/submit")).get_data(as_text=True)
    assert "UBTEST" not in submit_page and "(TK)" in submit_page
    res = world["server"].test_client().post(
        "/api/v1/submissions", headers={"Authorization": f"Bearer {token}"},
        json={"observations": [{"indicator_code": "CPI_YOY", "area_code": "VN", "period": "202510", "value": 3}]})
    assert res.status_code == 422 and res.get_json()["errors"][0]["code"] == "inactive_unit"
    res = _post(admin, "/admin/units", {"action": "reactivate", "code": "UBTEST"})
    assert res.status_code == 200 and "UBTEST" in post_callback(admin, router_body("/submit")).get_data(as_text=True)

    actions = [(e.action, e.target) for e in _audit(world, actor="t.admin", action="unit")]
    for action in ("unit.create", "unit.update", "unit.deactivate", "unit.activate"):
        assert (action, "unit:UBTEST") in actions, action
    created = next(e for e in _audit(world, action="unit.create") if e.target == "unit:UBTEST")
    assert created.role == "admin" and created.detail_dict["name_vi"] == "Ủy ban Thử nghiệm"


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


# -- the catalogue: confidentiality --------------------------------------------------------------------


def _sees_cpi(world, who: str, server: str = "server") -> dict[str, bool]:
    """Whether ``who`` sees CPI_YOY on each channel: the API list and search, its observations,
    its page, the catalogue page's search."""
    c = client_for(world, who, server)
    listed = "CPI_YOY" in c.get("/api/v1/indicators").get_data(as_text=True)
    searched = "CPI_YOY" in c.get("/api/v1/indicators?q=chi+so+gia+tieu+dung").get_data(as_text=True)
    observations = c.get("/api/v1/observations?indicator=CPI_YOY&area=VN").status_code == 200
    page = post_callback(c, router_body("/indicator/CPI_YOY")).get_data(as_text=True)
    found = post_callback(c, _body(world, "cat-results", **{"cat-query": "chi so gia tieu dung", "cat-lang": "vi"}))
    return {"list": listed, "search": searched, "observations": observations,
            "page": "ind-trend" in page or "Chỉ số giá tiêu dùng (CPI) so với cùng kỳ" in page,
            "catalogue": "/indicator/CPI_YOY" in found.get_data(as_text=True).replace("\\u002f", "/")}


def test_adm030_confidentiality_holds_on_the_next_request_for_every_worker(world):
    admin = client_for(world, "admin")
    catalogue = admin.get("/admin/catalogue?q=chi+so+gia+tieu+dung").get_data(as_text=True)
    assert 'id="ind-CPI_YOY"' in catalogue  # the search works without diacritics
    for server in ("server", "second"):  # both workers have it cached for the analyst
        assert all(_sees_cpi(world, "analyst", server).values()), server
    before = _version(world)
    res = _post(admin, "/admin/catalogue", {"action": "update", "code": "CPI_YOY", "access": "confidential",
                                            "agency": "TK"})
    assert res.status_code == 200 and "Đã cập nhật chỉ tiêu CPI_YOY" in res.get_data(as_text=True)
    assert _version(world) > before
    row = re.search(r'<tr id="ind-CPI_YOY" class="confidential">', res.get_data(as_text=True))
    assert row, "the answer shows the new state"
    assert 'id="ind-RETAIL_SALES"' in res.get_data(as_text=True), "the row's form does not filter the answer"
    for server in ("server", "second"):
        seen = _sees_cpi(world, "analyst", server)
        assert not any(seen.values()), (server, seen)
        assert all(_sees_cpi(world, "analyst_c", server).values()), server
    assert 'id="ind-CPI_YOY"' in admin.get("/admin/catalogue?access=confidential").get_data(as_text=True)
    _post(admin, "/admin/catalogue", {"action": "update", "code": "CPI_YOY", "access": "public", "agency": "TK"})
    for server in ("server", "second"):
        assert all(_sees_cpi(world, "analyst", server).values()), server
    changes = [e.detail_dict for e in _audit(world, actor="t.admin", action="indicator.update")
               if e.target == "indicator:CPI_YOY"]
    assert {"confidential": {"from": True, "to": False}} in changes
    assert {"confidential": {"from": False, "to": True}} in changes


def test_adm031_responsible_agency(world):
    admin = client_for(world, "admin")
    res = _post(admin, "/admin/catalogue", {"action": "update", "code": "NEW_ENTERPRISES", "access": "public",
                                            "agency": "NOPE"})
    assert res.status_code == 400
    res = _post(admin, "/admin/catalogue?lang=en", {"action": "update", "code": "NEW_ENTERPRISES", "access": "public",
                                                    "agency": "BCT", "lang": "en"})
    assert res.status_code == 200
    c = client_for(world, "leader")
    item = next(i for i in c.get("/api/v1/indicators?q=NEW_ENTERPRISES").get_json()["indicators"]
                if i["code"] == "NEW_ENTERPRISES")
    assert item["agency_code"] == "BCT"
    entry = next(e for e in _audit(world, action="indicator.update") if e.target == "indicator:NEW_ENTERPRISES")
    assert entry.detail_dict == {"agency": {"from": "BTC", "to": "BCT"}}


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


def test_adm050_commands_on_both_backends(empty_url, tmp_path):
    """The admin commands on SQLite and PostgreSQL: a new unit is active (the migration's default),
    deactivation refuses its submissions, a confidentiality change bumps the data version; every
    change is audited in the same transaction."""
    from auth import admin
    from data_access.engine import make_engine, migrate
    from ingest.pipeline import submit
    from ingest.reference import load_reference

    engine = make_engine(make_settings(empty_url, tmp_path))
    migrate(engine)
    with engine.begin() as conn:
        load_reference(conn)  # through the metadata service: data_version 1
    actor = admin.Actor("root", "admin", "127.0.0.1")
    unit = admin.create_unit(engine, "ubx", name_vi="Ủy ban X", name_en="Committee X", kind="ministry", actor=actor)
    assert unit.active and unit.area_key == "VN" and unit.short_vi == "Ủy ban X"
    with engine.connect() as conn:
        assert all(u.active for u in admin.list_units(conn))
        assert [u.code for u in admin.list_units(conn, "uy ban x")] == ["UBX"]
    admin.set_unit_active(engine, "UBX", False, actor=actor)
    payload = b"indicator_code,area_code,period,value\nCPI_YOY,VN,202510,3.1\n"
    report = submit(engine, unit_code="UBX", payload=payload, filename="x.csv", channel="cli", submitted_by="root")
    assert report.status == "rejected" and [e.code for e in report.errors] == ["inactive_unit"]
    with engine.connect() as conn:
        version = int(conn.execute(text("SELECT version FROM data_version")).scalar())
    change = admin.update_indicator(engine, "CPI_YOY", confidential=True, actor=actor)
    assert change.changes == {"confidential": {"from": False, "to": True}}
    assert admin.update_indicator(engine, "CPI_YOY", confidential=True, actor=actor).changes == {}
    with engine.connect() as conn:
        assert int(conn.execute(text("SELECT version FROM data_version")).scalar()) > version
        assert conn.execute(text("SELECT confidential FROM indicator WHERE code = 'CPI_YOY'")).scalar()
        actions = [e.action for e in search(conn, AuditQuery(actor="root", per_page=50))[0]]
    assert actions[:4] == ["indicator.update", "submission.rejected", "unit.deactivate", "unit.create"]
    with pytest.raises(admin.AdminError):
        admin.create_unit(engine, "UBX", name_vi="a", name_en="b", kind="ministry", actor=actor)
    engine.dispose()
