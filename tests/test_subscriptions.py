"""Subscriptions (issue 20): delivered at their time through a real SMTP server (aiosmtpd on
127.0.0.1), in the recipient's language, with the owner's rights at delivery time; retried with
back-off while the server is down, never sent twice; the unsubscribe link; who may do what.
The clock is faked (``dispatch_one(app, sub, now)`` / ``deliver_due(..., now)``)."""

from __future__ import annotations

import email
import email.policy
import io
from datetime import datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, text

from data_access import schema
from mail import delivery
from subscriptions import deliver, model
from tests.auth_helpers import ORIGIN, csrf_from
from tests.auth_sessions import session_cookies
from tests.conftest import app_on, free_port, seeded_sqlite_world


class Inbox:
    """An aiosmtpd handler keeping every message it accepted."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture(scope="module")
def world(databases, tmp_path_factory):
    url, tmp, engine = seeded_sqlite_world(databases, tmp_path_factory, "subs")
    cookies = session_cookies(engine, "s", (("admin", "admin", None, False), ("leader", "leader", None, False),
                                            ("analyst", "analyst", None, False), ("reporter", "reporter", "TK", False)))
    with engine.begin() as conn:
        for who in ("admin", "leader", "analyst", "reporter"):
            conn.execute(text("UPDATE app_user SET email = :e WHERE username = :u"), {"e": f"{who}@example.vn",
                                                                                    "u": f"s.{who}"})
    engine.dispose()
    port = free_port()
    yield {"url": url, "tmp": tmp, "cookies": cookies, "port": port}


@pytest.fixture
def smtp(world):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=world["port"])
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def app(world):
    with app_on(world["url"], world["tmp"], auth_required=True, smtp_host="127.0.0.1", smtp_port=world["port"],
                smtp_starttls=False, smtp_from="occ@example.vn", public_url="https://occ.example.vn") as server:
        eng = server.extensions["warehouse"].engine
        with eng.begin() as conn:
            for table in ("subscription_delivery", "subscription", "mail_delivery", "job_run"):
                conn.execute(text(f"DELETE FROM {table}"))
            conn.execute(text("UPDATE app_user SET active = 1, confidential = 0"))
        yield server


def fake_render(sub, lang):
    return deliver.Rendered(f"{sub.kind}-{lang}", [deliver.Attachment("x.pdf", "application/pdf", b"%PDF-fake")])


def user_id(server, name: str) -> int:
    with server.extensions["warehouse"].engine.connect() as conn:
        return conn.execute(select(schema.app_user.c.id).where(schema.app_user.c.username == name)).scalar_one()


def subscribe(server, owner: str, **form) -> model.Subscription:
    eng = server.extensions["warehouse"].engine
    created = datetime(2026, 12, 2, 12, 0)
    sub_id = model.create(eng, user_id(server, owner), model.Form(**form), actor=owner, role=None)
    with eng.begin() as conn:
        conn.execute(model.S.update().where(model.S.c.id == sub_id).values(created_at=created))
        return model.get(conn, sub_id)


def log(server, sub_id: int) -> list[model.LogEntry]:
    with server.extensions["warehouse"].engine.connect() as conn:
        return model.log_of(conn, sub_id)


AT_7 = datetime(2026, 12, 3, 0, 0)  # 07:00 in Hà Nội, as UTC


@pytest.mark.render
def test_sub001_daily_brief_arrives_at_its_time_with_the_pdf_in_the_recipients_language(app, smtp):
    from pypdf import PdfReader

    sub = subscribe(app, "s.leader", kind="brief", lang="vi", cadence="daily", at_time="07:00",
                    recipients=(model.Recipient("s.analyst", "en"),))
    with app.app_context():
        assert deliver.dispatch_one(app, sub, AT_7 - timedelta(minutes=1)) is None  # not yet
        assert deliver.dispatch_one(app, sub, AT_7 + timedelta(seconds=20)) == "queued"
        assert deliver.dispatch_one(app, sub, AT_7 + timedelta(seconds=80)) is None  # once
    by_to = {m["To"]: m for m in smtp.messages}
    assert sorted(by_to) == ["analyst@example.vn", "leader@example.vn"]
    for to, title in (("analyst@example.vn", "Daily brief"), ("leader@example.vn", "Bản tin hằng ngày")):
        msg = by_to[to]
        assert title in msg["Subject"]
        pdf = [p for p in msg.walk() if p.get_content_type() == "application/pdf"]
        assert len(pdf) == 1
        text_of = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf[0].get_payload(decode=True))).pages)
        assert title in text_of
        body = next(p for p in msg.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
        assert "https://occ.example.vn/daily?lang=" in body and "https://occ.example.vn/unsubscribe/" in body
    assert log(app, sub.id)[0].outcome == "queued" and not log(app, sub.id)[0].late


def test_sub002_server_down_retried_with_backoff_never_lost_never_twice(app, world, monkeypatch):
    monkeypatch.setattr(deliver, "render", fake_render)
    sub = subscribe(app, "s.leader", kind="brief", lang="en", cadence="daily", at_time="07:00")
    eng, settings = app.extensions["warehouse"].engine, app.config["SETTINGS"]
    with app.app_context():  # no server listens: the first attempt fails
        assert deliver.dispatch_one(app, sub, AT_7 + timedelta(seconds=5)) == "queued"
    entry = log(app, sub.id)[0]
    assert entry.mails[0][1:3] == ("pending", 1) and "Connection" in entry.mails[0][3]
    assert delivery.deliver_due(eng, settings, AT_7 + timedelta(seconds=30)) == 0  # back-off: not yet due
    assert delivery.deliver_due(eng, settings, AT_7 + timedelta(minutes=1, seconds=10)) == 0  # still down
    assert log(app, sub.id)[0].mails[0][1:3] == ("pending", 2)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=world["port"])
    controller.start()
    try:
        assert delivery.deliver_due(eng, settings, AT_7 + timedelta(minutes=2)) == 0  # 2 min after the 2nd failure
        assert delivery.deliver_due(eng, settings, AT_7 + timedelta(minutes=4)) == 1
        assert delivery.deliver_due(eng, settings, AT_7 + timedelta(hours=5)) == 0
        with app.app_context():
            assert deliver.dispatch_one(app, sub, AT_7 + timedelta(minutes=5)) is None
    finally:
        controller.stop()
    assert len(inbox.messages) == 1 and inbox.messages[0]["To"] == "leader@example.vn"
    assert log(app, sub.id)[0].mails[0][1:3] == ("sent", 3)


def test_sub003_a_missed_occurrence_is_delivered_once_marked_late(app, smtp, monkeypatch):
    monkeypatch.setattr(deliver, "render", fake_render)
    sub = subscribe(app, "s.leader", kind="brief", lang="vi", cadence="daily", at_time="07:00")
    with app.app_context():
        assert deliver.dispatch_one(app, sub, AT_7 + timedelta(days=2, hours=3)) == "queued"
        assert deliver.dispatch_one(app, sub, AT_7 + timedelta(days=2, hours=4)) is None
    entries = log(app, sub.id)
    assert [(e.due_at, e.late) for e in entries] == [(AT_7 + timedelta(days=2), True)]
    assert len(smtp.messages) == 1 and "muộn" in smtp.messages[0].get_payload()[0].get_payload(decode=True).decode()


def test_sub004_owners_rights_at_delivery_time(app, smtp, monkeypatch):
    eng = app.extensions["warehouse"].engine
    monkeypatch.setattr(deliver, "render", fake_render)
    sub = subscribe(app, "s.leader", kind="brief", lang="vi", cadence="daily", at_time="07:00")
    with eng.begin() as conn:
        conn.execute(text("UPDATE app_user SET active = 0 WHERE username = 's.leader'"))
    with app.app_context():
        assert deliver.dispatch_one(app, sub, AT_7) == "stopped"
    assert log(app, sub.id)[0].reason == {"key": "subs.why.owner_disabled"} and smtp.messages == []
    monkeypatch.undo()
    # a revoked grant: the analyst's subscription to a confidential indicator stops, saying why
    with eng.begin() as conn:
        conn.execute(text("UPDATE app_user SET confidential = 1 WHERE username = 's.analyst'"))
    conf = subscribe(app, "s.analyst", kind="indicator", target="FX_RESERVES", lang="vi", cadence="daily",
                     at_time="07:00")
    with eng.begin() as conn:
        conn.execute(text("UPDATE app_user SET confidential = 0 WHERE username = 's.analyst'"))
    with app.app_context():
        assert deliver.dispatch_one(app, conf, AT_7) == "stopped"
    assert log(app, conf.id)[0].reason["key"] == "subs.why.no_access" and smtp.messages == []


def test_sub005_a_recipient_without_the_grant_gets_no_confidential_content(app, smtp, monkeypatch):
    seen: list[tuple[str, str]] = []

    def spy(sub, lang):
        from flask import g

        seen.append((lang, g.occ_clearance))
        return deliver.render.__wrapped__(sub, lang) if hasattr(deliver.render, "__wrapped__") else fake_render(sub, lang)

    monkeypatch.setattr(deliver, "render", spy)
    sub = subscribe(app, "s.leader", kind="brief", lang="vi", cadence="daily", at_time="07:00",
                    recipients=(model.Recipient("s.analyst", "en"), model.Recipient("s.reporter", "vi")))
    with app.app_context():
        assert deliver.dispatch_one(app, sub, AT_7) == "queued"
    assert sorted(seen) == [("en", "public"), ("vi", "all")]  # the analyst's copy: what an uncleared viewer sees
    assert sorted(m["To"] for m in smtp.messages) == ["analyst@example.vn", "leader@example.vn"]
    skipped = log(app, sub.id)[0].reason["skipped"]
    assert skipped == [{"user": "s.reporter", "key": "subs.why.recipient_disabled"}]


def client(app, world, who: str | None):
    c = app.test_client()
    if who:
        c.set_cookie("occ_session", world["cookies"][who])
    return c


def post(c, path: str, data: dict, form_of: str):
    token = csrf_from(c.get(form_of).get_data(as_text=True))
    return c.post(path, data={"csrf_token": token, **data}, headers={"Origin": ORIGIN})


def test_sub006_unsubscribe_link_confirms_on_get_and_stops_on_post(app, world):
    sub = subscribe(app, "s.leader", kind="brief", lang="vi", cadence="daily", at_time="07:00",
                    recipients=(model.Recipient("s.analyst", "en"),))
    anon = client(app, world, None)
    token = deliver.unsubscribe_token(app.config["SECRET_KEY"], sub.id, "s.analyst")
    res = anon.get(f"/unsubscribe/{token}")
    assert res.status_code == 200 and "Ngừng nhận" in res.get_data(as_text=True)
    with app.app_context(), app.extensions["warehouse"].engine.connect() as conn:
        assert model.get(conn, sub.id).recipients == (model.Recipient("s.analyst", "en"),)  # GET changed nothing
    assert anon.get(f"/unsubscribe/{token[:-3]}xyz").status_code == 404
    res = post(anon, f"/unsubscribe/{token}", {}, f"/unsubscribe/{token}")
    assert res.status_code == 200 and "Đã hủy" in res.get_data(as_text=True)
    owner_token = deliver.unsubscribe_token(app.config["SECRET_KEY"], sub.id, "s.leader")
    post(anon, f"/unsubscribe/{owner_token}", {}, f"/unsubscribe/{owner_token}")
    with app.extensions["warehouse"].engine.connect() as conn:
        after = model.get(conn, sub.id)
        actions = conn.execute(text("SELECT action FROM audit_log WHERE target = :t ORDER BY id"),
                               {"t": f"subscription:{sub.id}"}).scalars().all()
    assert after.recipients == () and not after.active
    assert actions[-3:] == ["subscription.create", "subscription.unsubscribe", "subscription.unsubscribe"]


FORM = {"kind": "brief", "fmt": "pdf", "sub_lang": "vi", "cadence": "weekly", "at_time": "07:30", "weekday": "0"}


def test_sub007_role_matrix(app, world):
    assert client(app, world, "reporter").get("/subscriptions").status_code == 403
    assert client(app, world, None).get("/subscriptions").status_code == 302
    page = client(app, world, "analyst").get("/subscriptions").get_data(as_text=True)
    assert "instance" not in page or "Chưa cấu hình máy chủ thư" not in page  # SMTP_HOST is set here
    analyst = client(app, world, "analyst")
    refused = post(analyst, "/subscriptions", {**FORM, "recipient_user": "s.leader", "recipient_lang": "vi"},
                   "/subscriptions")
    assert refused.status_code == 400  # an analyst may subscribe only themself
    ok = post(analyst, "/subscriptions", FORM, "/subscriptions")
    assert ok.status_code == 303
    sub_id = int(ok.headers["Location"].split("?")[0].rsplit("/", 1)[1])
    leader = client(app, world, "leader")
    assert leader.get(f"/subscriptions/{sub_id}").status_code == 404  # not theirs
    assert client(app, world, "admin").get(f"/subscriptions/{sub_id}").status_code == 200
    res = post(leader, "/subscriptions", {**FORM, "recipient_user": "s.analyst", "recipient_lang": "en"},
               "/subscriptions")
    assert res.status_code == 303
    assert post(analyst, f"/subscriptions/{sub_id}/pause", {}, f"/subscriptions/{sub_id}").status_code == 303
    assert post(analyst, f"/subscriptions/{sub_id}/delete", {}, f"/subscriptions/{sub_id}").status_code == 303
    with app.extensions["warehouse"].engine.connect() as conn:
        actions = conn.execute(text("SELECT action FROM audit_log WHERE target = :t ORDER BY id"),
                               {"t": f"subscription:{sub_id}"}).scalars().all()
    assert actions[-3:] == ["subscription.create", "subscription.pause", "subscription.delete"]


def test_sub008_without_smtp_host_the_page_says_outbox_and_mail_goes_there(world, tmp_path, monkeypatch):
    monkeypatch.setattr(deliver, "render", fake_render)
    with app_on(world["url"], tmp_path, auth_required=True) as server:
        page = client(server, world, "leader").get("/subscriptions").get_data(as_text=True)
        assert "Chưa cấu hình máy chủ thư" in page and str(tmp_path / "outbox") in page
        sub = subscribe(server, "s.leader", kind="brief", lang="vi", cadence="daily", at_time="07:00")
        with server.app_context():
            assert deliver.dispatch_one(server, sub, AT_7 + timedelta(days=30)) == "queued"
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1 and email.message_from_bytes(files[0].read_bytes())["To"] == "leader@example.vn"
