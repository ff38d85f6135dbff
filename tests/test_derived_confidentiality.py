"""Text derived from a confidential indicator's values is confidential too.

A unit submits a value of a confidential indicator that the intake flags as implausible (the
warning quotes the value and the median of the confidential series) and a rejected file whose
error echoes a confidential value cell. Every channel that shows those findings is read as an
analyst without the confidential grant (the submission API, the compliance page's unit detail in
both languages, the audit log) and must carry none of those numbers, in either number format;
a leader, a granted analyst, and the submitting unit (its token, its reporter) read them in full.
A public indicator's warning in the same submission stays readable to everyone.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app import create_app
from auth.tokens import create_token
from data_access import schema
from data_access.engine import bump_data_version
from ingest.issues import make_issue
from metadata import service
from tests.auth_helpers import callback_body, post_callback
from tests.auth_sessions import session_cookies
from tests.conftest import BACKENDS, make_settings, module_warehouse

SECRET = "CPI_YOY"  # made confidential here; its history is shifted to a median of 6.644
SHIFT = 3.644
PUBLIC = "RETAIL_SALES"
SECRET_VALUE = 4321.5  # implausible against the series: the warning quotes it and the median
SECRET_CELL = "5.432"  # an ambiguous value cell: the error echoes it
# every number computed from (or sent for) the confidential series, in both number formats
SECRET_FORMS = ("6.644", "6,644", "4321.5", "4321,5", "4.321,5", "4,321.5", "5.432", "5,432")
PUBLIC_VALUE_TEXT = "99999"  # the public warning's value, readable by everyone
PUBLIC_CELL = "1.357"
REDACTED_EN = "value flagged for review (confidential indicator)"
REDACTED_VI = "giá trị được đánh dấu để rà soát (chỉ tiêu mật)"

USERS = {  # name -> (role, unit, grant)
    "leader": ("leader", None, False),
    "analyst": ("analyst", None, False),
    "analyst_c": ("analyst", None, True),
    "reporter": ("reporter", "TK", False),
}
CLEARED = ("leader", "analyst_c", "reporter")


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, databases, tmp_path_factory):
    url, tmp, engine = module_warehouse(request, databases, tmp_path_factory)
    ind = schema.indicator
    with engine.begin() as conn:
        secret_id = conn.execute(select(ind.c.id).where(ind.c.code == SECRET)).scalar_one()
        for table in (schema.observation, schema.current_observation):
            conn.execute(table.update().where(table.c.indicator_id == secret_id).values(value=table.c.value + SHIFT))
        bump_data_version(conn)
    assert service.update(engine, "indicators", SECRET, {"confidential": True},
                          actor=service.Actor("test-harness", "admin")).applied
    cookies = session_cookies(engine, "d", ((who, *user) for who, user in USERS.items()))
    token, _ = create_token(engine, "TK")
    app = create_app(make_settings(url, tmp, auth_required=True))
    api = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    accepted = api.post("/api/v1/submissions", headers=auth, json={"unit": "TK", "observations": [
        {"indicator_code": SECRET, "area_code": "VN", "period": "202510", "value": SECRET_VALUE},
        {"indicator_code": PUBLIC, "area_code": "VN", "period": "202510", "value": float(PUBLIC_VALUE_TEXT)}]})
    rejected = api.post("/api/v1/submissions", headers=auth, json={"unit": "TK", "observations": [
        {"indicator_code": SECRET, "area_code": "VN", "period": "202509", "value": SECRET_CELL},
        {"indicator_code": PUBLIC, "area_code": "VN", "period": "202509", "value": PUBLIC_CELL}]})
    assert accepted.status_code == 201, accepted.json
    assert rejected.status_code == 422, rejected.json
    yield {"app": app, "engine": engine, "cookies": cookies, "auth": auth, "accepted": accepted.json,
           "rejected": rejected.json}
    app.extensions["warehouse"].dispose()
    engine.dispose()


def client(world, who: str):
    c = world["app"].test_client()
    c.set_cookie("occ_session", world["cookies"][who])
    return c


def secrets_in(body: str) -> list[str]:
    return [s for s in SECRET_FORMS if s in body]


def unit_detail(c, lang: str) -> str:
    app = world_dash(c)
    output = "cmp-detail.children"
    body = callback_body(output, app.callback_map[output], values=["TK", lang])
    res = post_callback(c, body)
    assert res.status_code == 200, res.get_data(as_text=True)[:300]
    return res.get_data(as_text=True)


def world_dash(c):
    c.get("/_dash-dependencies")
    return c.application.extensions["dash"]


def submission_bodies(world, c, **headers) -> list[str]:
    out = []
    for key in ("accepted", "rejected"):
        res = c.get(f"/api/v1/submissions/{world[key]['submission_id']}", headers=headers)
        assert res.status_code == 200, res.get_data(as_text=True)[:300]
        out.append(res.get_data(as_text=True))
    return out


def test_dcf001_the_crafted_submissions_quote_the_confidential_numbers(world):
    """The premise: the submitting unit's own answers carry the numbers (else the test proves nothing)."""
    acc, rej = world["accepted"], world["rejected"]
    assert [w["code"] for w in acc["warnings"]] == ["implausible_value", "implausible_value"]
    assert "6.644" in acc["warnings"][0]["message_en"] and acc["warnings"][0]["value"] == "4321.5"
    assert [(e["code"], e["value"]) for e in rej["errors"]] == [("ambiguous_number", SECRET_CELL),
                                                               ("ambiguous_number", PUBLIC_CELL)]


def test_dcf002_every_stored_finding_records_its_indicator(world):
    acc, rej = world["accepted"], world["rejected"]
    assert [w["indicator"] for w in acc["warnings"]] == [SECRET, PUBLIC]
    assert [e["indicator"] for e in rej["errors"]] == [SECRET, PUBLIC]


def test_dcf003_api_submission_detail_of_an_uncleared_analyst(world):
    for body in submission_bodies(world, client(world, "analyst")):
        assert secrets_in(body) == [], body[:2000]
    acc_body, rej_body = submission_bodies(world, client(world, "analyst"))
    assert REDACTED_EN in acc_body and PUBLIC_VALUE_TEXT in acc_body  # flagged, not why; the public one in full
    assert PUBLIC_CELL in rej_body and SECRET not in acc_body + rej_body


def test_dcf004_compliance_unit_detail_of_an_uncleared_analyst(world):
    c = client(world, "analyst")
    for lang, redacted in (("vi", REDACTED_VI), ("en", REDACTED_EN)):
        body = unit_detail(c, lang)
        assert secrets_in(body) == [], body[:2000]
        assert redacted in body and PUBLIC_VALUE_TEXT in body and PUBLIC_CELL in body


@pytest.mark.parametrize("who", CLEARED)
def test_dcf005_cleared_viewers_and_the_submitting_unit_read_the_numbers(world, who):
    c = client(world, who)
    acc_body, rej_body = submission_bodies(world, c)
    assert "6.644" in acc_body and "4321.5" in acc_body and SECRET_CELL in rej_body
    for lang in ("vi", "en"):
        body = unit_detail(c, lang)  # the median in the page's language
        assert {"vi": "6,644", "en": "6.644"}[lang] in body and SECRET_CELL in body


def test_dcf006_the_units_token_reads_its_own_submission_in_full(world):
    acc_body, rej_body = submission_bodies(world, world["app"].test_client(), **world["auth"])
    assert "6.644" in acc_body and "4321.5" in acc_body and SECRET_CELL in rej_body


def test_dcf007_audit_log_holds_no_derived_numbers(world):
    """The audit log (admins only, at /admin/audit and `flask audit`) records submissions by unit,
    channel, file name and hash: no value and no statistic of any series."""
    assert client(world, "analyst").get("/admin/audit").status_code == 403
    with world["engine"].connect() as conn:
        rows = conn.execute(text("SELECT action, target, detail FROM audit_log")).all()
    assert any(r.action == "submission.accepted" for r in rows)
    assert secrets_in(" ".join(str(tuple(r)) for r in rows)) == []


def test_dcf008_redaction_is_pure_and_fails_closed():
    from domain.findings import redact_report

    issue = make_issue("implausible_value", row=12, column="value", value=4321.5, median="6.644", indicator=SECRET)
    public = make_issue("implausible_value", row=13, column="value", value=99999.0, median="287", indicator=PUBLIC)
    legacy = {k: v for k, v in make_issue("ambiguous_number", row=14, column="value", value="5.432").as_dict().items()
              if k != "indicator"}  # stored before findings named their indicator
    file_level = make_issue("no_rows")
    report = {"status": "accepted", "warnings": [issue.as_dict(), public.as_dict()], "errors": [legacy],
              "notes": [file_level.as_dict()], "counts": {"flagged": 2}}
    before = repr(report)
    out = redact_report(report, {SECRET})
    assert repr(report) == before  # the input (perhaps a cached value) is not changed
    w0, w1 = out["warnings"]
    assert w0["message_en"] == f"Row 12: {REDACTED_EN}."
    assert w0["message_vi"] == f"Dòng 12: {REDACTED_VI}."
    assert (w0["value"], w0["indicator"], w0["code"], w0["redacted"]) == (None, None, "implausible_value", True)
    assert w1 == public.as_dict()
    assert out["errors"][0]["value"] is None and secrets_in(repr(out["errors"])) == []
    assert out["notes"] == [file_level.as_dict()] and out["counts"] == {"flagged": 2}


def test_dcf009_reports_reach_viewers_only_through_the_redaction():
    """The stored reports are read raw only inside ``data_access.compliance``; every other module
    asks for them through ``unit_submissions``/``submission_detail``/``report_for_viewer``."""
    import re
    from pathlib import Path

    from settings import ROOT

    raw = re.compile(r"_unit_submissions|_submission_detail|\bc\.report\b")  # not c.reported_done_at
    offenders = []
    for package in ("api", "auth", "components", "dashboards", "data_access", "exports", "ingest"):
        for path in sorted((Path(ROOT) / package).rglob("*.py")):
            if path.as_posix().endswith("data_access/compliance.py"):
                continue
            source = path.read_text(encoding="utf-8")
            offenders += [f"{path.relative_to(ROOT)}: {name}" for name in sorted(set(raw.findall(source)))]
    assert offenders == []


def test_dcf010_the_upload_page_shows_its_sender_the_numbers(world):
    """The upload page's report goes through the same redaction; its sender (a reporter of the unit)
    reads its own confidential finding in full."""
    import base64

    c = client(world, "reporter")
    app = world_dash(c)
    output = "sub-result.children"
    payload = f"indicator_code,area_code,period,value\n{SECRET},VN,202508,{SECRET_CELL}\n".encode()
    contents = "data:text/csv;base64," + base64.b64encode(payload).decode()
    body = callback_body(output, app.callback_map[output], values=[contents, "tk.csv", "TK", "en"])
    res = post_callback(c, body)
    assert res.status_code == 200, res.get_data(as_text=True)[:300]
    assert SECRET_CELL in res.get_data(as_text=True) and REDACTED_EN not in res.get_data(as_text=True)
