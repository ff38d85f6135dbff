"""Issue 20's journey in headless Chromium, on ``python app.py`` (the scheduler in its process, no
SMTP_HOST: mail goes to instance/outbox/): a leader gives an address and subscribes to the daily
brief, writes an alert rule "report overdue by more than 5 days" mailed to themself; a unit then
sends a report late (its daily report of the day after the demo's last, through the API with the
unit's token, as a reporting unit's system does); the alert appears in the bell, on the wall's
ticker and, as an e-mail, in the outbox; acknowledged, it leaves the bell."""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import urllib.request

import pytest
from sqlalchemy import create_engine, text

from tests.browser.conftest import start_server, stop_server
from tests.conftest import seeded_url_for
from tests.utils import until

pytestmark = pytest.mark.browser

try:
    from playwright.sync_api import expect
except ImportError:  # the Selenium-only lane
    expect = None

LEADER_MAIL = "lanh.dao@example.vn"


@pytest.fixture
def centre(root, databases, tmp_path):
    """A copy of the seeded demo served by ``python app.py`` (signed in as a leader), with a token for
    the State Bank's (NHNN) daily reports, one of its daily indicators and a wall's display token."""
    from auth.displays import create_display_token
    from auth.tokens import create_token

    copy = tmp_path / "centre.sqlite"
    shutil.copy(seeded_url_for("sqlite", databases).split("sqlite:///", 1)[1], copy)
    url = f"sqlite:///{copy}"
    engine = create_engine(url)
    token, _ = create_token(engine, "NHNN")
    _, wall = create_display_token(engine, "alerts wall")
    with engine.connect() as conn:
        code = conn.execute(text(
            "SELECT i.code FROM indicator i JOIN regime_indicator ri ON ri.indicator_id = i.id "
            "JOIN report_regime r ON r.id = ri.regime_id WHERE r.code = 'NHNN-D' AND i.periodicity = 'D' "
            "AND i.formula IS NULL ORDER BY i.code LIMIT 1")).scalar()
        last = conn.execute(text(
            "SELECT MAX(s.period) FROM submission s JOIN report_regime r ON r.id = s.regime_id "
            "WHERE r.code = 'NHNN-D'")).scalar()
    engine.dispose()
    instance = tmp_path / "instance"
    server = start_server(root, url, instance, role="leader",
                          extra_env={"SCHEDULER_TICK_SECONDS": "2", "WALL_MIN_POLL_SECONDS": "1"})
    yield server, instance, token, code, last, wall
    stop_server(server)


def _late_report(server, token: str, code: str, last_day: str) -> dict:
    """The unit's report of the day after the demo's last (due the day after it: days ago)."""
    from datetime import date, timedelta

    day = (date.fromisoformat(last_day) + timedelta(days=1)).isoformat()
    body = json.dumps({"observations": [{"indicator_code": code, "area_code": "VN", "period": day,
                                          "value": 24321.5}]}).encode()
    req = urllib.request.Request(server("/api/v1/submissions"), data=body, method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as res:
        return json.loads(res.read())


def _outbox_alerts(instance) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted((instance / "outbox").glob("*.eml")) if (instance / "outbox").exists() else []:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if str(msg["Subject"]).startswith("[Cảnh báo]"):
            found.append(msg)
    return found


def test_alb001_late_report_alert_in_the_bell_the_ticker_and_the_outbox(centre, probe):
    server, instance, token, code, last_day, wall = centre
    page = probe.page
    # the leader's address and the daily brief
    probe.goto(server("/subscriptions"))
    page.fill("#sub-email", LEADER_MAIL)
    page.locator("form[action='/subscriptions/email'] button[type=submit]").click()
    page.wait_for_load_state()
    page.select_option("#sub-kind", "brief")
    page.select_option("#sub-cadence", "daily")
    page.fill("#sub-time", "06:45")
    page.locator("#sub-form button[type=submit]").click()
    page.wait_for_load_state()  # the new subscription's own page
    probe.goto(server("/subscriptions"))
    expect(page.locator("#subs-table")).to_contain_text("06:45")
    # the rule, on the rules' page
    probe.goto(server("/alerts/rules"))
    page.fill("#rule-name", "Báo cáo chậm quá 5 ngày")
    page.select_option("#rule-kind", "overdue")
    page.fill("#rule-days", "5")
    page.select_option("#rule-severity", "critical")
    page.fill("#rule-recipients", "browser.leader")
    page.locator("form[action='/alerts/rules'].auth-form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#rules-table")).to_contain_text("Báo cáo chậm quá 5 ngày")
    # the late report
    report = _late_report(server, token, code, last_day)
    assert report["status"] == "accepted", report
    # the bell
    probe.goto(server("/"))
    expect(page.locator("#shell-bell-count")).not_to_have_text("0")
    bell = int(page.locator("#shell-bell-count").inner_text())
    # the centre lists it
    probe.goto(server("/alerts?open=1"))
    row = page.locator("#alerts-table tr.alert-row", has_text="chậm nộp")
    expect(row.first).to_contain_text("Ngân hàng Nhà nước")
    expect(row.first).to_contain_text("Nghiêm trọng")
    # the wall's ticker (a wall screen: its display token, the public clearance)
    probe.goto(server(f"/wall?boards=overview&seconds=600&poll=1&token={wall}"))
    expect(page.locator("#wall-ticker")).to_contain_text("chậm nộp")
    # the outbox (the scheduler's delivery job, every 30 s)
    mails = until(lambda: _outbox_alerts(instance), timeout=120, what="the alert's e-mail in the outbox", interval=0.5)
    assert mails[0]["To"] == LEADER_MAIL and "chậm nộp" in str(mails[0]["Subject"])
    assert "/alerts" in mails[0].get_body().get_content()
    # acknowledged, it leaves the bell
    probe.goto(server("/alerts?open=1"))
    page.locator("#alerts-table tr.alert-row", has_text="chậm nộp").first.locator("input[type=checkbox]").check()
    page.locator("#alerts-ack").click()
    page.wait_for_load_state()
    expect(page.locator("[role=status]")).to_contain_text("Đã xác nhận 1 cảnh báo")
    probe.goto(server("/"))
    expect(page.locator("#shell-bell-count")).to_have_text(str(bell - 1))
    probe.assert_clean()
