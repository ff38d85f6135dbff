"""Issue 20: the alerts' channels. The webhook's signature checked by a real HTTP receiver on
127.0.0.1, its retries with back-off and its delivery log; the notification centre (list,
acknowledge, clearance), the bell's count and the wall's ticker through the app."""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select, text

from alerts import store
from alerts.delivery import BACKOFF, dispatch_due
from data_access import schema
from domain.alerts import Occurrence, Rule
from tests.auth_helpers import ORIGIN, csrf_from
from tests.auth_sessions import session_cookies
from tests.conftest import build_warehouse, csv_bytes, free_port, make_settings, seeded_sqlite_world, send

NOW = datetime(2025, 11, 20, 9, 0)
ACTOR = store.Actor("pytest", "admin")


class Receiver:
    """A real HTTP server on 127.0.0.1 that records each POST and answers the next status of ``answers``
    (then 200)."""

    def __init__(self, answers: list[int]):
        self.answers, self.got = list(answers), []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                owner.got.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(owner.answers.pop(0) if owner.answers else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver([500])
    yield r
    r.close()


@pytest.fixture
def wh(empty_url, tmp_path):
    engine = build_warehouse(empty_url, tmp_path)
    yield engine, tmp_path
    engine.dispose()


def deliveries(engine) -> list[tuple]:
    d = schema.alert_delivery
    with engine.connect() as conn:
        return conn.execute(select(d.c.channel, d.c.target, d.c.state, d.c.attempts, d.c.next_attempt_at, d.c.last_error,
                                   d.c.response_status).order_by(d.c.id)).all()


def test_alc001_webhook_signed_retried_with_backoff_and_logged(wh, receiver):
    engine, tmp = wh
    with engine.begin() as conn:
        hook, secret = store.create_webhook(conn, "Trực ban", receiver.url, False, ACTOR, NOW)
        closed, _ = store.create_webhook(conn, "Không ai nghe", f"http://127.0.0.1:{free_port()}/x", False, ACTOR, NOW)
        exports = conn.execute(select(schema.indicator.c.id).where(schema.indicator.c.code == "EXPORTS")).scalar()
        store.save_rule(conn, {"name": "Xuất khẩu trên 42", "kind": "threshold", "indicator_id": exports,
                               "comparison": "above", "threshold": 42.0, "webhooks": True}, ACTOR, NOW)
    send(engine, tmp, "TK", csv_bytes("EXPORTS,VN,202510,42.5"))
    assert [(c, t, s) for c, t, s, *_ in deliveries(engine)] == [("webhook", str(hook), "pending"),
                                                                 ("webhook", str(closed), "pending")]
    at = datetime.now()
    assert dispatch_due(engine, at) == {"sent": 0, "pending": 2, "failed": 0}
    (headers, body), = receiver.got
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-occ-signature"] == expected  # HMAC-SHA256 over the exact body, with the webhook's secret
    payload = json.loads(body)
    assert (payload["kind"], payload["indicator"], payload["area"], payload["period"], payload["value"]) == (
        "threshold", "EXPORTS", "VN", "202510", 42.5)
    assert payload["text"]["vi"].startswith("Giá trị xuất khẩu") or "42,5" in payload["text"]["vi"]
    first, refused = deliveries(engine)
    assert first[2:] == ("pending", 1, at + BACKOFF[0], "HTTP 500", 500)
    assert refused[2] == "pending" and refused[5].startswith(("ConnectionRefusedError", "URLError"))
    assert dispatch_due(engine, at + BACKOFF[0] - timedelta(seconds=1)) == {"sent": 0, "pending": 0, "failed": 0}
    assert dispatch_due(engine, at + BACKOFF[0]) == {"sent": 1, "pending": 1, "failed": 0}
    assert len(receiver.got) == 2 and receiver.got[1][1] == body  # the same body, the same delivery id
    assert receiver.got[1][0]["x-occ-delivery"] == headers["x-occ-delivery"]
    assert deliveries(engine)[0][2:4] == ("sent", 2)
    # the refused one: retried at each back-off, then given up (never more attempts than that)
    when, outcomes = at + BACKOFF[0], []
    for wait in BACKOFF[1:]:
        when += wait
        outcomes.append(dispatch_due(engine, when))
    assert outcomes == [{"sent": 0, "pending": 1, "failed": 0}] * (len(BACKOFF) - 2) + [
        {"sent": 0, "pending": 0, "failed": 1}]
    assert deliveries(engine)[1][2:4] == ("failed", len(BACKOFF) + 1)
    assert dispatch_due(engine, when + timedelta(days=30)) == {"sent": 0, "pending": 0, "failed": 0}
    assert len(receiver.got) == 2


def test_alc002_a_wrong_secret_does_not_verify(wh, receiver):
    engine, tmp = wh
    receiver.answers = []
    with engine.begin() as conn:
        _, secret = store.create_webhook(conn, "A", receiver.url, False, ACTOR, NOW)
        _, other = store.create_webhook(conn, "B", receiver.url, False, ACTOR, NOW)
        store.save_rule(conn, {"name": "Mọi giá trị bất thường", "kind": "implausible", "webhooks": True}, ACTOR, NOW)
    send(engine, tmp, "TK", csv_bytes("RETAIL_SALES,01,202510,3000"))
    assert dispatch_due(engine, datetime.now())["sent"] == 2
    (h1, b1), (h2, b2) = receiver.got
    assert b1 == b2 and h1["x-occ-signature"] != h2["x-occ-signature"]  # a secret per webhook
    assert h1["x-occ-signature"] == "sha256=" + hmac.new(secret.encode(), b1, hashlib.sha256).hexdigest()
    assert h1["x-occ-signature"] != "sha256=" + hmac.new(other.encode(), b1, hashlib.sha256).hexdigest()
    # the database keeps a seed, not the secret: a copy of it cannot sign
    with engine.connect() as conn:
        stored = conn.execute(select(schema.webhook.c.secret).order_by(schema.webhook.c.id)).scalars().all()
        dump = "\n".join(str(r) for t in ("webhook", "audit_log") for r in conn.execute(select(schema.metadata.tables[t])))
    assert all(s.startswith("k1:") for s in stored) and not {secret, other} & {s.removeprefix("k1:") for s in stored}
    assert secret not in dump and other not in dump


def test_alc003_a_webhook_stored_before_the_seeds_signs_with_its_secret(wh, receiver):
    engine, tmp = wh
    receiver.answers = []
    with engine.begin() as conn:
        hook, _ = store.create_webhook(conn, "Cũ", receiver.url, False, ACTOR, NOW)
        conn.execute(schema.webhook.update().where(schema.webhook.c.id == hook).values(secret="bi-mat-cu"))
        store.save_rule(conn, {"name": "Mọi giá trị bất thường", "kind": "implausible", "webhooks": True}, ACTOR, NOW)
    send(engine, tmp, "TK", csv_bytes("RETAIL_SALES,01,202510,3000"))
    assert dispatch_due(engine, datetime.now())["sent"] == 1
    (headers, body), = receiver.got
    assert headers["x-occ-signature"] == "sha256=" + hmac.new(b"bi-mat-cu", body, hashlib.sha256).hexdigest()


# -- the centre, the bell, the ticker ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(databases, tmp_path_factory):
    """The seeded demo with two alerts (one of a confidential indicator), users of each role."""
    from app import create_app

    url, tmp, engine = seeded_sqlite_world(databases, tmp_path_factory, "alertcentre")
    with engine.begin() as conn:
        ids = dict(conn.execute(select(schema.indicator.c.code, schema.indicator.c.id)).all())
        vn = conn.execute(select(schema.area.c.id).where(schema.area.c.key == "VN")).scalar()
        conn.execute(text("UPDATE indicator SET confidential = :t WHERE code = 'FX_RESERVES'"), {"t": True})
        rid = store.save_rule(conn, {"name": "Theo dõi", "kind": "implausible"}, ACTOR, NOW)
        rule = Rule(rid, "implausible", severity="critical")
        store.raise_alerts(conn, [
            Occurrence(rule, "k-public", indicator_id=ids["CPI_YOY"], area_id=vn, period="202510", value=9.75),
            Occurrence(rule, "k-secret", indicator_id=ids["FX_RESERVES"], area_id=vn, period="202510", value=12345.6),
        ], datetime.now())
    cookies = session_cookies(engine, "ac", (("leader", "leader", None, False), ("analyst", "analyst", None, False),
                                             ("admin", "admin", None, False)))
    engine.dispose()
    server = create_app(make_settings(url, tmp, auth_required=True))
    yield server, cookies
    server.extensions["warehouse"].dispose()


def client(world, who):
    server, cookies = world
    c = server.test_client()
    c.set_cookie("occ_session", cookies[who])
    return c


def test_alc010_centre_lists_only_what_the_viewer_may_see(world):
    leader = client(world, "leader").get("/alerts").get_data(as_text=True)
    analyst = client(world, "analyst").get("/alerts?lang=en").get_data(as_text=True)
    assert "12.345,6" in leader and "9,75" in leader and "Nghiêm trọng" in leader
    assert "9.75" in analyst and "12,345.6" not in analyst and "FX" not in analyst
    assert 'id="alerts-rules-link"' in leader and 'id="alerts-rules-link"' not in analyst


def test_alc011_bell_counts_and_acknowledge(world):
    from components.shell import alert_bell

    server, cookies = world

    def bell(who: str) -> str:
        with server.test_request_context("/", headers={"Cookie": f"occ_session={cookies[who]}"}):
            server.preprocess_request()
            return alert_bell("vi").children[1].children

    assert (bell("leader"), bell("analyst")) == ("2", "1")
    c = client(world, "analyst")
    page = c.get("/alerts").get_data(as_text=True)
    res = c.post("/alerts", data={"csrf_token": csrf_from(page), "action": "ack_all"}, headers={"Origin": ORIGIN})
    assert res.status_code == 303 and "n=1" in res.headers["Location"]
    assert (bell("leader"), bell("analyst")) == ("1", "0")  # the confidential one is still open
    assert "Chưa xác nhận" in client(world, "leader").get("/alerts?open=1").get_data(as_text=True)


def test_alc012_wall_ticker_shows_open_alerts_without_confidential_ones(world):
    from views.wall import alerts

    server, cookies = world
    with server.test_request_context("/", headers={"Cookie": f"occ_session={cookies['admin']}"}):
        server.preprocess_request()
        texts = [t for _, t in alerts("vi")]
    with server.app_context():
        public = [t for _, t in alerts("vi")]  # outside a request: the public clearance, as a wall's token
    assert any("12.345,6" in t for t in texts) or any("9,75" in t for t in texts)
    assert not any("12.345,6" in t for t in public)


def test_alc013_rules_page_creates_a_checked_rule(world):
    c = client(world, "leader")
    page = c.get("/alerts/rules").get_data(as_text=True)
    token = csrf_from(page)
    bad = c.post("/alerts/rules", data={"csrf_token": token, "action": "save", "name": "X", "kind": "threshold",
                                        "indicator": "NOPE", "comparison": "above", "threshold": "1"},
                 headers={"Origin": ORIGIN})
    assert bad.status_code == 400 and "Cần một chỉ tiêu có trong danh mục" in bad.get_data(as_text=True)
    ok = c.post("/alerts/rules", data={"csrf_token": token, "action": "save", "name": "CPI trên 4%", "kind": "threshold",
                                       "indicator": "cpi_yoy", "area": "VN", "comparison": "above", "threshold": "4,0",
                                       "severity": "critical"}, headers={"Origin": ORIGIN})
    assert ok.status_code == 303
    listed = c.get("/alerts/rules").get_data(as_text=True)
    assert "CPI trên 4%" in listed and "CPI_YOY" in listed
    assert client(world, "analyst").get("/alerts/rules").status_code == 403


# -- the scheduled jobs: e-mail through the mail delivery, the overdue rule on the calendar -----------------


@pytest.fixture
def app_wh(empty_url, tmp_path):
    from tests.conftest import app_on

    engine = build_warehouse(empty_url, tmp_path)
    with app_on(empty_url, tmp_path) as server:
        yield server, engine, tmp_path
    engine.dispose()


def test_alc020_email_to_recipients_through_the_outbox_once(app_wh):
    from alerts.jobs import deliver_job
    from scheduler.core import Occurrence as Tick
    from scheduler.core import utcnow

    server, engine, tmp = app_wh
    with engine.begin() as conn:
        conn.execute(schema.app_user.insert().values(username="lead", role="leader", password_hash="x", active=True,
                                                     email="lead@example.vn", created_at=NOW, updated_at=NOW,
                                                     password_changed_at=NOW))
        store.save_rule(conn, {"name": "Mọi giá trị bất thường", "kind": "implausible", "recipients": "lead"},
                        ACTOR, NOW)
    send(engine, tmp, "TK", csv_bytes("RETAIL_SALES,01,202510,3000"))
    now = utcnow()
    with server.app_context():
        assert deliver_job(Tick("alerts.deliver", now, False, now)) == {"sent": 1, "pending": 0, "failed": 0}
        assert deliver_job(Tick("alerts.deliver", now, False, now + timedelta(hours=1)))["sent"] == 0
    mails = list((tmp / "outbox").glob("*.eml"))
    assert len(mails) == 1
    message = email.message_from_bytes(mails[0].read_bytes(), policy=email.policy.default)
    body = message.get_body().get_content()
    assert message["To"] == "lead@example.vn" and message["Subject"].startswith("[Cảnh báo] ")
    assert "3.000" in body and "3,000" in body and "http://127.0.0.1:8050/alerts" in body  # Vietnamese, then English


def test_alc021_overdue_job_on_the_scheduler_once(app_wh):
    from scheduler.core import tick

    server, engine, tmp = app_wh
    with engine.begin() as conn:
        rid = store.save_rule(conn, {"name": "Quá hạn 5 ngày", "kind": "overdue", "days": 5}, ACTOR, NOW)
    start = datetime(2026, 1, 10, 0, 0)  # UTC; TK's monthly reports of 2025 are all missing by then
    tick(server, start)
    ran = tick(server, start + timedelta(hours=1, minutes=10))
    assert "alerts.overdue" in [o.job for o in ran]
    a = schema.alert
    with engine.connect() as conn:
        raised = conn.execute(select(a.c.occurrence_key, a.c.period).where(a.c.rule_id == rid)).all()
    assert raised and all(k.startswith(f"r{rid}:") for k, _ in raised)
    # on 2026-01-10 (Vietnam time) 202511 (due 2025-11-25) is overdue by more than 5 days, 202512 (due
    # 2025-12-25) too; 202601 is not due yet
    assert {"202511", "202512"} <= {p for _, p in raised} and "202601" not in {p for _, p in raised}
    again = tick(server, start + timedelta(hours=2, minutes=10))  # the next hour: nothing new
    assert "alerts.overdue" in [o.job for o in again]
    with engine.connect() as conn:
        assert len(conn.execute(select(a.c.id).where(a.c.rule_id == rid)).all()) == len(raised)
