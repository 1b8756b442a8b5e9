"""Alert delivery to a loopback webhook receiver and a loopback SMTP server, with retries."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from analyst.alerts.deliver import DELIVERED, WEBHOOK_ATTEMPTS, deliver_alerts
from analyst.alerts.store import list_alerts
from analyst.models import Alert
from index.backends import open_backend
from index.settings import Settings
from tests.analyst.conftest import QUARRY, QUARRY_NAME, SURGE_END, TAN_THANH


def _alert() -> Alert:
    return Alert(
        id="alert-test-1", raised_at=SURGE_END, kind="volume_rise", subject="project", subject_key=QUARRY,
        title="Quan tâm tăng đột biến: Mỏ đá Khau Lù (xã Tân Thành, Lạng Sơn)", places=[TAN_THANH],
        projects=[QUARRY], project_names={QUARRY: QUARRY_NAME}, window={"stories_24h": 12}, score=19.2, escalation=90.0,
        reasons=["24 giờ qua: 12 tin/bài so với 14 tin/bài trong 14 ngày trước đó"], signals=["volume_rise"],
    )


class Receiver:
    """A webhook endpoint on 127.0.0.1 that answers the scripted statuses in turn, then 200."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.requests: list[tuple[dict[str, str], dict]] = []  # type: ignore[type-arg]
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), json.loads(body)))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/envmon"


@pytest.fixture
def receiver() -> Iterator[type[Receiver]]:
    started: list[Receiver] = []

    def start(statuses: list[int]) -> Receiver:
        started.append(Receiver(statuses))
        return started[-1]

    yield start  # type: ignore[misc]
    for server in started:
        server.server.shutdown()
        server.server.server_close()


class Mailbox:
    """aiosmtpd handler: keeps messages; refuses the first `busy` deliveries with 451."""

    def __init__(self, busy: int = 0) -> None:
        self.busy = busy
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]  # noqa: N802 (aiosmtpd API)
        if self.busy:
            self.busy -= 1
            return "451 Requested action aborted: try again later"
        self.messages.append(envelope.original_content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox(busy=1)
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


def _deliver(settings: Settings, alert: Alert) -> Alert:
    backend = open_backend(settings)
    try:
        deliver_alerts(settings, backend, [alert], sleep=lambda seconds: None)
        (stored,) = list_alerts(backend)
    finally:
        backend.close()
    return stored


def test_webhook_delivery_retries_server_errors_until_accepted(settings: Settings, receiver) -> None:  # type: ignore[no-untyped-def]
    hook = receiver([503, 502])
    settings.webhook_url = hook.url
    stored = _deliver(settings, _alert())
    assert stored.deliveries == {"webhook": DELIVERED}
    assert len(hook.requests) == 3
    headers, payload = hook.requests[-1]
    assert headers["Idempotency-Key"] == "alert-test-1"
    assert payload["type"] == "envmon.alert" and payload["alert"]["subject_key"] == QUARRY


def test_webhook_that_refuses_the_alert_is_not_retried_and_the_failure_is_recorded(settings: Settings, receiver) -> None:  # type: ignore[no-untyped-def]
    hook = receiver([400])
    settings.webhook_url = hook.url
    stored = _deliver(settings, _alert())
    assert len(hook.requests) == 1
    assert stored.deliveries["webhook"].startswith("failed: webhook refused the alert with 400")


def test_an_unreachable_webhook_fails_after_every_attempt(settings: Settings) -> None:
    settings.webhook_url = f"http://127.0.0.1:{_free_port()}/hook"
    stored = _deliver(settings, _alert())
    assert stored.deliveries["webhook"].endswith(f"(after {WEBHOOK_ATTEMPTS} attempts)")


def test_email_delivery_retries_a_busy_server_and_sends_the_alert_in_vietnamese(settings: Settings, smtp_server) -> None:  # type: ignore[no-untyped-def]
    mailbox, port = smtp_server
    settings.smtp_host, settings.smtp_port, settings.smtp_to = "127.0.0.1", port, ["truc-ban@example.vn"]
    stored = _deliver(settings, _alert())
    assert stored.deliveries == {"email": DELIVERED}
    (raw,) = mailbox.messages
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == "[envmon] Cảnh báo sớm: Quan tâm tăng đột biến: Mỏ đá Khau Lù (xã Tân Thành, Lạng Sơn)"
    assert message["To"] == "truc-ban@example.vn"
    body = message.get_content()  # type: ignore[attr-defined]
    assert "xã Tân Thành, Lạng Sơn" in body and "24 giờ qua" in body and "alert-test-1" in body


def test_an_alert_a_channel_missed_is_sent_by_a_later_run_and_only_once(settings: Settings, receiver) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from analyst.alerts.deliver import deliver_pending
    from analyst.alerts.store import save_alert

    backend = open_backend(settings)
    try:
        save_alert(backend, _alert())  # stored, then the run stopped before delivering it
        hook = receiver([])
        settings.webhook_url = hook.url
        resent = deliver_pending(settings, backend, SURGE_END + timedelta(hours=1), sleep=lambda seconds: None)
        assert [alert.id for alert in resent] == ["alert-test-1"] and len(hook.requests) == 1
        assert list_alerts(backend)[0].deliveries == {"webhook": DELIVERED}
        assert deliver_pending(settings, backend, SURGE_END + timedelta(hours=2)) == []
        assert len(hook.requests) == 1
        # a day later a missed alert is stale news: not sent
        save_alert(backend, _alert().model_copy(update={"id": "alert-test-2"}))
        assert deliver_pending(settings, backend, SURGE_END + timedelta(days=2)) == []
    finally:
        backend.close()
