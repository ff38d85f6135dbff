"""Issue 17, the configuration's admin pages (``/admin/metadata``), through the Flask test client:
for every kind (groups, indicators, units, regimes, targets) the list (search without diacritics,
filters, sort, pages), create, edit, retire, retire-and-replace and the history with a
field-by-field diff; a refused change shows the service's reasons beside the field they name and
writes nothing; the package page exports and imports with a dry run first; admins only, with
CSRF; every change in the audit log with before and after."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from sqlalchemy import text

from app import create_app
from auth.audit import AuditQuery, search
from metadata import store
from metadata.package import document, json_bytes
from tests.auth_helpers import ORIGIN, csrf_from
from tests.auth_sessions import session_cookies
from tests.conftest import make_settings, seeded_sqlite_world

ROLES = (("admin", "admin", None, False), ("admin2", "admin", None, False), ("leader", "leader", None, False),
         ("analyst", "analyst", None, False), ("reporter", "reporter", "TK", False))


@pytest.fixture(scope="module")
def world(databases, tmp_path_factory):
    url, tmp, engine = seeded_sqlite_world(databases, tmp_path_factory, "metapages")
    cookies = session_cookies(engine, "t", ROLES)
    engine.dispose()
    server = create_app(make_settings(url, tmp, auth_required=True))
    yield {"server": server, "cookies": cookies, "engine": server.extensions["warehouse"].engine}
    server.extensions["warehouse"].dispose()


def client_for(world, who: str = "admin"):
    c = world["server"].test_client()
    if who in world["cookies"]:
        c.set_cookie("occ_session", world["cookies"][who])
    return c


def config(world, kind: str) -> dict:
    with world["engine"].connect() as conn:
        return store.read_config(conn, [kind])[kind]


def version(world) -> int:
    with world["engine"].connect() as conn:
        return int(conn.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar())


def post(client, path: str, data: dict, *, form_of: str | None = None):
    """A form posted as the page's own form: the CSRF token read from the page (``form_of``: another page)."""
    token = csrf_from(client.get(form_of or path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data}, headers={"Origin": ORIGIN})


def form_values(html: str) -> dict:
    """What the page's record form would post as it stands (inputs, selects, textareas, checkboxes)."""
    form = html[html.index('id="meta-form"'):html.index("</form>", html.index('id="meta-form"'))]
    out: dict = {}
    for m in re.finditer(r"<input ([^>]*)>", form):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', m.group(1)))
        if "name" not in attrs or attrs["name"] in ("csrf_token", "lang", "action"):
            continue
        if attrs.get("type") == "checkbox":
            if " checked" in m.group(1):
                out.setdefault(attrs["name"], []).append(attrs["value"])
            continue
        out[attrs["name"]] = _unescape(attrs.get("value", ""))
    for m in re.finditer(r'<select id="[^"]*" name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', m.group(2))
        out[m.group(1)] = _unescape(chosen.group(1)) if chosen else ""
    for m in re.finditer(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        out[m.group(1)] = _unescape(m.group(2))
    return out


def _unescape(s: str) -> str:
    import html

    return html.unescape(s)


def problems_beside(html: str) -> dict[str, str]:
    """Field name → the reasons drawn beside it."""
    return {m.group(1): re.sub(r"<[^>]+>", " ", m.group(2)) for m in
            re.finditer(r'<div class="meta-problem" id="problem-([a-z_]+)">(.*?)</div>', html, re.S)}


def audit_entries(world, action: str) -> list[tuple[object, dict]]:
    """(entry, its detail as a dict) of every audit entry of ``action``."""
    with world["engine"].connect() as conn:
        entries = search(conn, AuditQuery(action=action, per_page=500))[0]
    return [(e, json.loads(e.detail) if isinstance(e.detail, str) else e.detail) for e in entries]


# -- who may open the pages -----------------------------------------------------------------------------

PAGES = ("/admin/metadata", "/admin/metadata/indicators", "/admin/metadata/indicators/new",
         "/admin/metadata/indicators/GDP_GROWTH", "/admin/metadata/indicators/GDP_GROWTH/history",
         "/admin/metadata/indicators/GDP_GROWTH/replace", "/admin/metadata/package.json")


@pytest.mark.parametrize("who", ["admin", "leader", "analyst", "reporter", "anonymous"])
def test_mpg001_admins_only(world, who):
    """Only admins open or post to the configuration's pages; others are refused by the guard
    before any form is read, and nothing changes."""
    client = client_for(world, who)
    before = version(world)
    for path in PAGES:
        res = client.get(path)
        posted = client.post(path, data={"action": "update", "name_vi": "x"}, headers={"Origin": ORIGIN})
        if who == "admin":
            assert res.status_code == 200, path
            assert posted.status_code in (400, 405), (path, posted.status_code)  # no CSRF token: refused
        elif who == "anonymous":
            assert res.status_code == 302 and res.headers["Location"].startswith("/signin?next="), path
            assert posted.status_code == 401, path
        else:
            assert res.status_code == 403 and posted.status_code == 403, (who, path)
    assert version(world) == before
    assert config(world, "indicators")["GDP_GROWTH"]["name_vi"] != "x"


def test_mpg002_nav_links_the_pages(world):
    """The admin navigation links the configuration; its page links every kind's list."""
    html = client_for(world).get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/metadata"' in html
    page = client_for(world).get("/admin/metadata?lang=en").get_data(as_text=True)
    for kind in ("groups", "indicators", "units", "regimes", "targets"):
        assert f'href="/admin/metadata/{kind}?lang=en"' in page
    assert "Configuration" in page and 'lang="en"' in page


# -- the lists -----------------------------------------------------------------------------------------


def _keys(html: str) -> list[str]:
    return re.findall(r'data-key="([^"]+)"', html)


def test_mpg003_search_without_diacritics(world):
    """"dan so" finds what "dân số" finds, POPULATION among them; a record matches on its code too."""
    client = client_for(world)
    plain = _keys(client.get("/admin/metadata/indicators?q=dan+so").get_data(as_text=True))
    marked = _keys(client.get("/admin/metadata/indicators?q=D%C3%A2n+s%E1%BB%91").get_data(as_text=True))
    assert "POPULATION" in plain and plain == marked
    assert len(plain) < len(config(world, "indicators"))
    assert _keys(client.get("/admin/metadata/units?q=cong+an").get_data(as_text=True))[:1] == ["BCA"]
    assert _keys(client.get("/admin/metadata/groups?q=zzzz").get_data(as_text=True)) == []


def test_mpg004_filters_sort_and_pages(world):
    client = client_for(world)
    records = config(world, "indicators")
    g01 = _keys(client.get("/admin/metadata/indicators?group=G01").get_data(as_text=True))
    assert set(g01) == {k for k, r in records.items() if r["group"] == "G01"} and len(g01) > 1
    monthly = set(_keys(client.get("/admin/metadata/indicators?periodicity=M&group=G01").get_data(as_text=True)))
    assert monthly == {k for k, r in records.items() if r["group"] == "G01" and r["periodicity"] == "M"}
    provinces = _keys(client.get("/admin/metadata/units?kind=province").get_data(as_text=True))
    assert provinces and all(config(world, "units")[k]["kind"] == "province" for k in provinces)
    down = _keys(client.get("/admin/metadata/groups?sort=-code").get_data(as_text=True))
    assert down == sorted(config(world, "groups"), reverse=True)
    # pages of 50, sorted by key by default; page 2 follows page 1
    targets = sorted(config(world, "targets"))
    first = client.get("/admin/metadata/targets").get_data(as_text=True)
    second = client.get("/admin/metadata/targets?page=2").get_data(as_text=True)
    assert len(_keys(first)) == 50 and 'rel="next"' in first
    assert _keys(first) + _keys(second) == sorted(targets, key=lambda k: (k.split("|")[0].lower(), k))[:100]
    hostile = client.get("/admin/metadata/targets?page=-9&sort=%3Cscript%3E&status=%22")
    assert hostile.status_code == 200 and "<script>" not in hostile.get_data(as_text=True)


# -- create, edit, retire, history per kind ---------------------------------------------------------------

NEW = {
    "groups": ({"code": "GT1", "name_vi": "Nhóm thử nghiệm", "name_en": "Test group", "sort": "990", "status": "active"},
               {"name_vi": "Nhóm thử nghiệm đã sửa"}),
    "indicators": ({"code": "TEST_PAGES", "name_vi": "Chỉ tiêu thử nghiệm", "name_en": "Test indicator",
                    "group": "G01", "unit_vi": "%", "unit_en": "%", "periodicity": "Y", "levels": ["nation"],
                    "aggregation": "sum", "direction": "up", "decimals": "1", "agency": "TK", "status": "active"},
                   {"definition_vi": "Định nghĩa mới", "confidential": "true"}),
    "units": ({"code": "TEST-UNIT", "name_vi": "Đơn vị thử nghiệm", "name_en": "Test unit", "kind": "ministry",
               "area": "VN", "status": "active"}, {"short_vi": "Thử nghiệm"}),
    "regimes": ({"code": "TEST-Y", "name_vi": "Báo cáo năm thử nghiệm", "name_en": "Test annual report",
                 "frequency": "Y", "receiver": "VPCP", "units": ["TK"], "indicators": ["POPULATION"],
                 "cutoff_day": "14", "cutoff_month_offset": "0", "deadline_day": "25", "deadline_month_offset": "1",
                 "status": "active"}, {"legal_basis": "Nghị định 09/2019/NĐ-CP"}),
    "targets": ({"indicator": "POPULATION", "area": "VN", "year": "2030", "comparison": "at_least", "value": "105",
                 "source": "Nghị quyết thử nghiệm", "status": "active"}, {"value": "106.5"}),
}
KEYS = {"groups": "GT1", "indicators": "TEST_PAGES", "units": "TEST-UNIT", "regimes": "TEST-Y",
        "targets": "POPULATION|VN|2030"}


@pytest.mark.parametrize("kind", list(NEW))
def test_mpg005_create_edit_retire_history(world, kind):
    """Through the pages only: the new record is stored as the service's canonical record; the edit
    form posts back every field with one changed; retiring keeps the record; the history shows
    three versions by the admin, with the changed field before and after; each change is one audit
    entry with before/after and a new data version."""
    client = client_for(world)
    row, change = NEW[kind]
    key = KEYS[kind]
    url = f"/admin/metadata/{kind}/{quote(key, safe='')}"
    v0 = version(world)
    res = post(client, f"/admin/metadata/{kind}/new", {"action": "new", **row})
    assert res.status_code == 303 and res.headers["Location"].startswith(url + "?done=created"), res.get_data(as_text=True)[:500]
    stored = config(world, kind)[key]
    assert stored["status"] == "active" and version(world) > v0
    page = client.get(res.headers["Location"]).get_data(as_text=True)
    assert 'role="status"' in page and key in page
    values = form_values(page)
    assert values["status"] == "active"
    # edit: the form as shown, one field changed
    res = post(client, url, {"action": "update", **values, **change})
    assert res.status_code == 303 and "done=updated" in res.headers["Location"]
    after = config(world, kind)[key]
    field, new = next(iter(change.items()))
    assert after[field] != stored[field]
    assert {k for k in after if after[k] != stored[k]} == set(change)
    # the same form again: nothing changes, no version
    v1 = version(world)
    res = post(client, url, {"action": "update", **form_values(client.get(url).get_data(as_text=True))})
    assert "done=unchanged" in res.headers["Location"] and version(world) == v1
    # retire: kept, with its history
    res = post(client, url, {"action": "retire"})
    assert res.status_code == 303 and "done=retired" in res.headers["Location"]
    assert config(world, kind)[key]["status"] == "retired"
    history = client.get(url + "/history").get_data(as_text=True)
    assert [m for m in re.findall(r'id="version-(\d+)"', history)] == ["3", "2", "1"]
    v2 = history[history.index('id="version-2"'):history.index('id="version-1"')]
    assert "t.admin" in v2 and "Trang quản trị" in v2
    label = {"name_vi": "Tên tiếng Việt", "definition_vi": "Định nghĩa, phương pháp tính (tiếng Việt)",
             "short_vi": "Tên ngắn tiếng Việt", "legal_basis": "Căn cứ pháp lý",
             "value": "Giá trị mục tiêu (với khoảng: cận dưới)"}[field]
    assert re.search(rf"<th scope=\"row\">{re.escape(label)}</th><td class=\"before\">[^<]*</td><td class=\"after\">"
                     rf"{re.escape(new)}</td>", v2), v2
    entries = [(e, d) for e, d in audit_entries(world, "metadata.update") if e.target == f"{kind}:{key}"]
    assert len(entries) == 1
    entry, detail = entries[0]
    record = detail["records"][0]
    assert record["before"][field] == stored[field] and str(record["after"][field]) == new
    assert detail["channel"] == "page" and entry.actor == "t.admin"
    assert any(e.target == f"{kind}:{key}" for e, _ in audit_entries(world, "metadata.create"))
    retired = [d for e, d in audit_entries(world, "metadata.retire") if e.target == f"{kind}:{key}"]
    assert retired and retired[0]["records"][0]["after"]["status"] == "retired"


def test_mpg006_form_controls_fit_the_fields(world):
    """Choices as selects, references as selects of active records, levels as checkboxes, dates as
    date inputs, the formula as a text input with its grammar explained, the key read-only on edit."""
    html = client_for(world).get("/admin/metadata/indicators/GDP_GROWTH").get_data(as_text=True)
    assert re.search(r'<select id="f-periodicity" name="periodicity" required>', html)
    assert re.search(r'<select id="f-group" name="group" required>', html)
    assert re.findall(r'<input type="checkbox" name="levels" value="(\w+)"', html) == ["nation", "region", "province"]
    assert 'id="f-valid_from" name="valid_from" value="" type="date"' in html
    assert 'id="f-formula" name="formula" value="" type="text"' in html and "last_year(" in html
    assert re.search(r'id="f-code" name="code" value="GDP_GROWTH"[^>]*readonly', html)
    assert 'aria-describedby="help-formula"' in html
    new = client_for(world).get("/admin/metadata/indicators/new").get_data(as_text=True)
    select = new[new.index('id="f-group"'):]
    offered = re.findall(r'<option value="(\w+)"', select[:select.index("</select>")])
    assert set(offered) == {g for g, r in config(world, "groups").items() if r["status"] == "active"}


# -- refusals ----------------------------------------------------------------------------------------------


def test_mpg007_refused_change_shows_reasons_beside_fields(world):
    """A ratio indicator without its denominator, with a code taken by another indicator only by
    case, a bad date and a formula outside the grammar: 400, the form again with what was typed,
    each reason beside its field, and nothing written."""
    client = client_for(world)
    before, v0 = config(world, "indicators"), version(world)
    row = {**NEW["indicators"][0], "code": "BAD_RATIO", "aggregation": "ratio", "numerator": "POPULATION",
           "valid_from": "2025-02-30", "formula": "__import__('os')"}
    res = post(client, "/admin/metadata/indicators/new", {"action": "new", **row})
    html = res.get_data(as_text=True)
    assert res.status_code == 400 and 'role="alert"' in html
    beside = problems_beside(html)
    assert "valid_from" in beside and "YYYY-MM-DD" in beside["valid_from"]
    assert "formula" in beside
    assert 'value="BAD_RATIO"' in html and 'aria-invalid="true"' in html
    assert config(world, "indicators") == before and version(world) == v0
    # the parse passes, the rules refuse: the ratio's missing denominator, beside the denominator
    row = {**NEW["indicators"][0], "code": "BAD_RATIO", "aggregation": "ratio", "numerator": "POPULATION"}
    html = post(client, "/admin/metadata/indicators/new", {"action": "new", **row}).get_data(as_text=True)
    assert "denominator" in problems_beside(html) and "ratio" in problems_beside(html)["denominator"]
    assert "BAD_RATIO" not in config(world, "indicators")
    # an existing code
    html = post(client, "/admin/metadata/groups/new", {"action": "new", **NEW["groups"][0], "code": "G01"}
                ).get_data(as_text=True)
    assert "Đã có nhóm chỉ tiêu “G01”" in html
    # a deadline before the cut-off (Decree 09, Art. 12/13), beside the deadline
    regime = {**NEW["regimes"][0], "code": "BAD-Y", "deadline_day": "5", "deadline_month_offset": "0"}
    html = post(client, "/admin/metadata/regimes/new", {"action": "new", **regime}).get_data(as_text=True)
    assert "Điều 12, 13" in problems_beside(html)["deadline_day"]
    assert version(world) == v0


def test_mpg008_refused_retire_and_locked_periodicity_then_replace(world):
    """Retiring a group that active indicators use is refused (the reason names them); changing the
    periodicity of an indicator with observations is refused beside the periodicity; retire-and-
    replace makes the new code and retires the old one, whose history stays; refused while active
    regimes carry the old one."""
    client = client_for(world)
    v0 = version(world)
    html = post(client, "/admin/metadata/groups/G01", {"action": "retire"}).get_data(as_text=True)
    assert 'role="alert"' in html and "GDP_GROWTH" in html and config(world, "groups")["G01"]["status"] == "active"
    url = "/admin/metadata/indicators/CPI_YOY"
    values = form_values(client.get(url).get_data(as_text=True))
    res = post(client, url, {"action": "update", **values, "periodicity": "Q"})
    assert res.status_code == 400 and "đã có số liệu" in problems_beside(res.get_data(as_text=True))["periodicity"]
    assert config(world, "indicators")["CPI_YOY"]["periodicity"] == "M"
    replace = form_values(client.get(url + "/replace").get_data(as_text=True))
    assert replace["code"] == "" and replace["name_vi"] == config(world, "indicators")["CPI_YOY"]["name_vi"]
    res = post(client, url + "/replace", {"action": "replace", **replace, "code": "CPI_YOY_2"})
    assert res.status_code == 400 and "CPI_YOY_2" not in config(world, "indicators")  # monthly regimes carry it
    assert version(world) == v0
    row = {**NEW["indicators"][0], "code": "TEST_OLD"}
    assert post(client, "/admin/metadata/indicators/new", {"action": "new", **row}).status_code == 303
    url = "/admin/metadata/indicators/TEST_OLD"
    replace = form_values(client.get(url + "/replace").get_data(as_text=True))
    res = post(client, url + "/replace", {"action": "replace", **replace, "code": "TEST_NEW", "periodicity": "Q"})
    assert res.status_code == 303 and res.headers["Location"].startswith("/admin/metadata/indicators/TEST_NEW?done=replaced")
    after = config(world, "indicators")
    assert after["TEST_NEW"]["periodicity"] == "Q" and after["TEST_NEW"]["name_vi"] == row["name_vi"]
    assert after["TEST_OLD"]["status"] == "retired"
    assert "version-2" in client.get(url + "/history").get_data(as_text=True)
    assert [d for _, d in audit_entries(world, "metadata.replace") if "TEST_OLD" in json.dumps(d)]


def test_mpg009_csrf_and_unknown(world):
    client = client_for(world)
    v0 = version(world)
    res = client.post("/admin/metadata/groups/new", data={"action": "new", **NEW["groups"][0], "code": "GX9"},
                      headers={"Origin": ORIGIN})
    assert res.status_code == 400 and "GX9" not in config(world, "groups")
    assert 'id="meta-table"' not in client.get("/admin/metadata/widgets").get_data(as_text=True)  # not a kind
    assert client.get("/admin/metadata/groups/NOPE").status_code == 404
    assert post(client, "/admin/metadata/groups/G02", {"action": "drop"}).status_code == 400
    assert version(world) == v0


# -- the package ---------------------------------------------------------------------------------------


def test_mpg010_export_is_the_configuration(world):
    client = client_for(world)
    res = client.get("/admin/metadata/package.json")
    with world["engine"].connect() as conn:
        assert res.data == json_bytes(document(store.read_config(conn)))
    assert res.headers["Content-Disposition"].startswith("attachment")
    xlsx = client.get("/admin/metadata/package.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:4] == b"PK\x03\x04"


def _upload(client, payload: bytes, name: str = "cau-hinh.json"):
    import io

    token = csrf_from(client.get("/admin/metadata").get_data(as_text=True))
    return client.post("/admin/metadata", data={"csrf_token": token, "action": "check",
                                                "file": (io.BytesIO(payload), name)},
                       headers={"Origin": ORIGIN}, content_type="multipart/form-data")


def test_mpg011_import_dry_run_then_apply(world):
    """An uploaded package is checked first: the diff per kind, nothing written; "Apply" writes it
    (one import entry in the audit log); a second admin cannot apply the first one's file; a bad
    package lists its problems with rows and writes nothing."""
    client = client_for(world)
    doc = json.loads(client.get("/admin/metadata/package.json").data)
    doc["groups"] = [{**g, "name_en": "Growth (renamed)"} if g["code"] == "G02" else g for g in doc["groups"]]
    doc["groups"].append({"code": "GPK", "name_vi": "Nhóm từ gói", "name_en": "Group from a package", "sort": 999,
                          "status": "active"})
    v0 = version(world)
    res = _upload(client, json.dumps(doc).encode())
    html = res.get_data(as_text=True)
    assert res.status_code == 200 and 'id="meta-apply"' in html
    row = html[html.index('id="diff-groups"'):html.index("</tr>", html.index('id="diff-groups"'))]
    assert re.findall(r"<td>(\d+)</td>", row) == ["1", "1", "0"]
    assert re.search(r'id="keys-groups-added">.*?<p class="meta-keys">GPK</p>', html, re.S)
    assert re.search(r'id="keys-groups-changed">.*?<p class="meta-keys">G02</p>', html, re.S)
    assert re.search(r'<td><code>G02</code></td><td>Tên tiếng Anh</td><td class="before">[^<]+</td>'
                     r'<td class="after">Growth \(renamed\)</td>', html)  # the change field by field
    assert 'id="keys-groups-retired"' not in html and 'id="keys-indicators-changed"' not in html
    assert version(world) == v0 and "GPK" not in config(world, "groups")
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', html).group(1)
    other = client_for(world, "admin2")
    assert post(other, "/admin/metadata", {"action": "apply", "digest": digest}).status_code == 400
    res = post(client, "/admin/metadata", {"action": "apply", "digest": digest})
    assert res.status_code == 200 and "Đã áp dụng gói cấu hình: 2 bản ghi thay đổi." in res.get_data(as_text=True)
    assert config(world, "groups")["GPK"]["name_en"] == "Group from a package"
    assert any(d.get("channel") == "page" and d["counts"]["groups"] == {"added": 1, "changed": 1}
               for _, d in audit_entries(world, "metadata.import"))
    assert post(client, "/admin/metadata", {"action": "apply", "digest": digest}).status_code == 400  # used once
    # a bad package: its problems, row by row, nothing written
    doc["indicators"].append({**doc["indicators"][0], "code": "LOOP_A", "formula": "LOOP_B + 1", "aggregation": "none"})
    doc["indicators"].append({**doc["indicators"][0], "code": "LOOP_B", "formula": "LOOP_A + 1", "aggregation": "none"})
    v1 = version(world)
    html = _upload(client, json.dumps(doc).encode()).get_data(as_text=True)
    assert 'id="meta-problems"' in html and "vòng lặp" in html and 'id="meta-apply"' not in html
    assert version(world) == v1 and "LOOP_A" not in config(world, "indicators")
    assert "Tệp không phải gói" in _upload(client, b"not json").get_data(as_text=True)


def test_mpg012_import_read_within_the_intake_limit(world, monkeypatch):
    """The upload is read no further than the intake's limit (as the API's import): a larger file
    is refused with the limit named, nothing checked, staged or written."""
    import dataclasses

    settings = world["server"].config["SETTINGS"]
    monkeypatch.setitem(world["server"].config, "SETTINGS", dataclasses.replace(settings, intake_max_bytes=300))
    client = client_for(world)
    v0 = version(world)
    res = _upload(client, b'{"format": "occ-metadata", "version": 1, "groups": []}' + b" " * 400)
    assert res.status_code == 413 and "300 byte" in res.get_data(as_text=True)
    assert 'id="meta-apply"' not in res.get_data(as_text=True) and version(world) == v0
    small = _upload(client, b'{"format": "occ-metadata", "version": 1, "groups": []}')
    assert small.status_code == 200 and "giống hệt" in small.get_data(as_text=True)  # read and checked: no change
    assert client.post("/admin/metadata", data={"csrf_token": csrf_from(client.get("/admin/metadata").get_data(
        as_text=True)), "action": "check"}, headers={"Origin": ORIGIN}).status_code == 400  # no file
