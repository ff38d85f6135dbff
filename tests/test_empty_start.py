"""Issue 17: an empty centre (``SEED_DEMO=0``) works. Every board — overview, sectors, provinces,
a province, the catalogue, an indicator, the daily brief, compliance, the wall, and the exports of
their charts — answers with an honest empty state, never a server error, first with nothing
configured and then with a configuration made only through the metadata service; and once the
unit's first report has come in through the API with its token, the overview, the indicator page,
/compliance and the wall show it, in the same running app (the new indicators, unit and regime
reach the cached data layer through the stamps the service bumps)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from auth.displays import create_display_token
from auth.tokens import create_token
from data_access import schema
from data_access.engine import make_engine
from ingest.bootstrap import bootstrap
from ingest.reference import DEMO_PACKAGE, reference_rows
from ingest.seed import is_empty
from metadata import service
from metadata.package import from_records
from tests import empty_centre as centre
from tests.auth_helpers import ORIGIN, callback_body, csrf_from, dep_id, post_callback, router_body
from tests.auth_sessions import ensure_session
from tests.conftest import make_settings
from tests.utils import ids_in

BOARDS = ("/", "/sectors", "/provinces", "/provinces/01", "/indicators", "/daily", "/compliance", "/wall")
EMPTY = ("Chưa có số liệu", "Chưa có chỉ tiêu nào", "Không tìm thấy chỉ tiêu", "Chưa có thông tin", "Chưa có chế độ báo cáo")
ACTOR = service.Actor("test.admin", "admin", channel="api")


@dataclass
class Centre:
    """A running empty centre: its app, a signed-in admin's client, its engine and a wall token."""

    server: Flask
    engine: Engine
    admin: FlaskClient
    wall_token: str
    lines: list[str] = field(default_factory=list)


@pytest.fixture
def empty(tmp_path, empty_url) -> Centre:
    """``SEED_DEMO=0`` bootstrap (what ``python app.py`` does first), then the app, access control on."""
    from app import create_app

    lines: list[str] = []
    bootstrap(make_settings(empty_url, tmp_path).with_(seed_demo=False), echo=lines.append)
    engine = make_engine(make_settings(empty_url, tmp_path))
    cookie = ensure_session(engine, "centre.admin", "admin", token="session-of-centre-admin-" + "z" * 20)[1]
    server = create_app(make_settings(empty_url, tmp_path, auth_required=True))
    admin = server.test_client()
    admin.set_cookie("occ_session", cookie)
    yield Centre(server, engine, admin, create_display_token(engine, "Phòng họp")[1], lines)
    server.extensions["warehouse"].dispose()
    engine.dispose()


def _configure(c: Centre) -> None:
    outcome = service.apply(c.engine, from_records(centre.CONFIGURATION), actor=ACTOR)
    assert outcome.ok and outcome.applied, [p.message_en for p in outcome.problems]


def _report(c: Centre) -> dict:
    token, _ = create_token(c.engine, centre.UNIT)
    res = c.server.test_client().post("/api/v1/submissions", data=centre.report_body(),
                                      content_type="application/json",
                                      headers={"Authorization": f"Bearer {token}", "Origin": ORIGIN})
    assert res.status_code == 201, res.get_data(as_text=True)[:2000]
    return res.get_json()


# -- the sweep of every board ------------------------------------------------------------------------------------


def _text(body: object) -> str:
    """The words of a response (JSON strings joined), to look for messages and values in."""
    found: list[str] = []

    def visit(node: object) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(body)
    return " ".join(found)


def _ok(res, where: object) -> None:
    assert res.status_code < 500, (where, res.status_code, res.get_data(as_text=True)[-1500:])


def sweep(c: Centre, path: str) -> str:
    """Render ``path`` through Dash's router, then run every callback whose inputs that layout
    rendered, with the values it rendered (as the browser does on load), and download every chart
    export the answers link to (CSV, XLSX). Nothing may answer with a server error. Returns the
    text of everything the page showed."""
    page, _, query = path.partition("?")
    search = "?" + query if query else ""
    if page == "/wall":
        c.admin.get(f"/wall?token={c.wall_token}")  # the token moves into the wall's cookie
    routed = post_callback(c.admin, router_body(page, search))
    _ok(routed, path)
    assert routed.status_code == 200, path
    layout = routed.get_json()["response"]
    rendered = ids_in(layout["_pages_content"]["children"])
    texts = [_text(layout)]
    app = c.server.extensions["dash"]
    for output, entry in app.callback_map.items():
        cb = entry.get("callback")
        if cb is None or cb.__module__ == "dash.dash":
            continue
        deps = entry.get("inputs", []) + entry.get("state", [])
        keys = [json.dumps(dep_id(d), sort_keys=True) if isinstance(dep_id(d), dict) else dep_id(d) for d in deps]
        if not entry.get("inputs") or any(k not in rendered for k in keys[: len(entry["inputs"])]):
            continue  # not this page's, or fired by another callback's output
        values = [rendered[k]["props"].get(d["property"]) if k in rendered else None for k, d in zip(keys, deps, strict=True)]
        res = post_callback(c.admin, callback_body(output, entry, values=values))
        _ok(res, (path, cb.__module__, cb.__name__))
        if res.status_code == 200:
            texts.append(_text(res.get_json()))
    text = " ".join(texts)
    for link in sorted(set(re.findall(r"/export/chart\.(?:csv|xlsx)\?spec=[^\"'\s&]+", text))):
        _ok(c.admin.get(link), (path, link))
    return text


def _empty_state(text: str) -> bool:
    return any(words in text for words in EMPTY)


# -- the tests -------------------------------------------------------------------------------------------------


def test_emp001_seed_demo_off_starts_an_empty_centre_with_its_geography_and_an_admin(empty):
    with empty.engine.connect() as conn:
        assert is_empty(conn)  # the demo can still be seeded into it (``flask --app app seed-demo``)
        areas = conn.execute(select(func.count()).select_from(schema.area)).scalar()
        configured = [conn.execute(select(func.count()).select_from(t)).scalar()
                      for t in (schema.indicator_group, schema.agency, schema.indicator, schema.report_regime)]
    assert areas == len(reference_rows("areas.csv")) and configured == [0, 0, 0, 0]  # units can be given an area
    assert any("Administrator created" in line and "as admin" in line for line in empty.lines)
    _configure(empty)
    with empty.engine.connect() as conn:
        assert not is_empty(conn)


@pytest.mark.parametrize("path", BOARDS)
def test_emp002_every_board_of_an_empty_centre_says_it_has_no_data(empty, path):
    text = sweep(empty, path)
    if path == "/provinces/01":  # Hà Nội's profile: its header, and nothing to compare
        assert "Hà Nội" in text and _empty_state(text), text[:3000]
    elif path == "/wall":
        assert "Chưa có số liệu" in text, text[:3000]
    else:
        assert _empty_state(text), text[:3000]


@pytest.mark.parametrize("path", BOARDS + ("/indicator/BANLE", "/indicator/BANLE_LD", "/indicator/TIEUDUNG",
                                           "/sectors?group=XH", "/provinces?indicator=BANLE"))
def test_emp003_configured_through_the_service_but_no_report_yet(empty, path):
    sweep(empty, "/")  # the boards cached on the empty centre: the configuration must reach them
    _configure(empty)
    text = sweep(empty, path)
    if path == "/indicators":  # the catalogue lists them
        assert all(i["name_vi"] in text for i in centre.INDICATORS), text[:3000]
    elif path == "/compliance":  # the unit owes its report
        assert "Ủy ban nhân dân thành phố Hà Nội" in text and "quá" in text, text[:3000]
    else:
        assert _empty_state(text), text[:3000]
    if path in ("/", "/indicator/BANLE", "/wall"):
        assert "Tổng mức bán lẻ hàng hóa" in text


def test_emp004_the_first_report_shows_on_the_overview_indicator_compliance_and_wall(empty):
    for path in ("/", "/indicator/BANLE", "/compliance", "/wall"):
        sweep(empty, path)  # cached before the configuration and the report
    _configure(empty)
    for path in ("/", "/indicator/BANLE", "/compliance", "/wall"):
        assert centre.SHOWN not in sweep(empty, path)
    report = _report(empty)
    assert report["status"] == "accepted" and report["counts"]["written"] == len(centre.VALUES), report

    overview = sweep(empty, "/")
    assert centre.SHOWN in overview and "Tổng mức bán lẻ hàng hóa" in overview and "11/2026" in overview
    indicator = sweep(empty, "/indicator/BANLE")
    assert centre.SHOWN in indicator
    compliance = sweep(empty, "/compliance")
    assert "UBND Hà Nội" in compliance or "Ủy ban nhân dân thành phố Hà Nội" in compliance
    assert "Chưa có số liệu báo cáo cho kỳ này" not in compliance
    wall = sweep(empty, "/wall")
    assert centre.SHOWN in wall



# -- the first-run page --------------------------------------------------------------------------------------


def _page_text(res) -> str:
    html = res.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html[html.index("<main"):]).split())


def _post(client: FlaskClient, action: str | None, lang: str = "vi"):
    page = client.get("/admin/first-run")
    form = {"csrf_token": csrf_from(page.get_data(as_text=True)), "lang": lang}
    return client.post("/admin/first-run", data={**form, **({"action": action} if action else {})},
                       headers={"Origin": ORIGIN})


def _step(res, name: str) -> str:
    found = re.search(rf'id="first-step-{name}" class="first-step (done|todo)"', res.get_data(as_text=True))
    assert found, name
    return found.group(1)


def test_emp005_an_admin_of_an_empty_centre_lands_on_the_first_run_page(empty):
    res = empty.admin.get("/")
    assert res.status_code == 303 and res.headers["Location"] == "/admin/first-run"
    assert empty.admin.get("/?lang=en").headers["Location"] == "/admin/first-run?lang=en"
    leader = empty.server.test_client()
    leader.set_cookie("occ_session", ensure_session(empty.engine, "centre.leader", "leader",
                                                    token="session-of-centre-leader-" + "z" * 20)[1])
    assert leader.get("/").status_code == 200  # other roles see the (empty) overview
    assert leader.get("/admin/first-run").status_code == 403
    page = empty.admin.get("/admin/first-run")
    assert page.status_code == 200 and 'href="/admin/first-run"' in page.get_data(as_text=True)  # in the admin nav
    _configure(empty)
    assert empty.admin.get("/").status_code == 200  # configured: the overview itself


def test_emp006_the_checklist_is_ticked_from_the_warehouse(empty):
    page = empty.admin.get("/admin/first-run")
    assert [_step(page, s) for s in ("configured", "units", "report")] == ["todo", "todo", "todo"]
    assert "Đã hoàn thành 0/3 bước" in _page_text(page)

    preview = _post(empty.admin, "check_demo")  # the dry run: the diff, nothing written
    text = _page_text(preview)
    assert preview.status_code == 200 and "Các thay đổi nếu áp dụng" in text and 'id="first-apply-demo"' in \
        preview.get_data(as_text=True)
    added = re.search(r'id="first-diff-indicators"><th scope="row">[^<]+</th>\s*<td>(\d+)</td>',
                      preview.get_data(as_text=True))
    assert added and int(added.group(1)) == len(json.loads(DEMO_PACKAGE.read_bytes())["indicators"])
    with empty.engine.connect() as conn:
        assert is_empty(conn)

    applied = _post(empty.admin, "apply_demo")
    assert applied.status_code == 200 and "Đã áp dụng cấu hình minh họa" in _page_text(applied)
    assert [_step(applied, s) for s in ("configured", "units", "report")] == ["done", "todo", "todo"]
    with empty.engine.connect() as conn:
        actions = [r.action for r in conn.execute(select(schema.audit_log.c.action))]
    assert "metadata.import" in actions
    assert "không có gì thay đổi" in _page_text(_post(empty.admin, "check_demo"))  # the same package again

    create_token(empty.engine, "TK")
    assert _step(empty.admin.get("/admin/first-run"), "units") == "done"
    report = empty.server.test_client().post(
        "/api/v1/submissions", data=json.dumps({"observations": [
            {"indicator_code": "CPI_YOY", "area_code": "VN", "period": "202610", "value": 3.1}]}),
        content_type="application/json", headers={"Authorization": f"Bearer {create_token(empty.engine, 'TK')[0]}"})
    assert report.status_code == 201, report.get_data(as_text=True)[:1000]
    done = empty.admin.get("/admin/first-run?lang=en")
    assert [_step(done, s) for s in ("configured", "units", "report")] == ["done", "done", "done"]
    assert "3 of 3 steps done" in _page_text(done) and "The centre is ready." in _page_text(done)


def test_emp007_the_first_run_form_needs_its_csrf_token_and_a_known_action(empty):
    assert empty.admin.post("/admin/first-run", data={"action": "apply_demo"},
                            headers={"Origin": ORIGIN}).status_code == 400
    assert _post(empty.admin, "drop_everything").status_code == 400
    assert _post(empty.admin, None).status_code == 400
    with empty.engine.connect() as conn:
        assert is_empty(conn)


def test_emp008_a_centre_of_its_own_reports_is_not_marked_illustrative(empty):
    """Neither the demo seed nor import-real filled it: the header, the footer and the wall say
    "Số liệu báo cáo" (its units' reports), never "Dữ liệu minh họa" nor "Số liệu chính thức"."""
    from components.shell import dataset_badge

    _configure(empty)
    _report(empty)
    body = {"output": "..shell-header.children...shell-footer.children..",
            "outputs": [{"id": "shell-header", "property": "children"}, {"id": "shell-footer", "property": "children"}],
            "inputs": [{"id": "shell-location", "property": "pathname", "value": "/"},
                       {"id": "shell-location", "property": "search", "value": ""}],
            "changedPropIds": ["shell-location.pathname"]}
    chrome = _text(post_callback(empty.admin, body).get_json())
    assert "Số liệu báo cáo" in chrome and "Số liệu do các bộ, ngành, địa phương báo cáo" in chrome
    assert "minh họa" not in chrome and "Số liệu chính thức" not in chrome
    with empty.server.test_request_context("/"):
        wall = dataset_badge("en", wall=True)
    assert (wall.children, wall.className) == ("Reported data", "wall-reported")
