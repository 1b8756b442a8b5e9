"""Deliver new alerts to the configured channels: a webhook (JSON POST) and e-mail (SMTP).

Each channel retries transient failures with exponential backoff; a channel that still fails
is recorded on the alert ("failed: reason") and never stops detection or the other channel.
Later runs retry alerts of the last day that a channel has not received (`deliver_pending`),
so an outage or a crash between detection and delivery delays an alert instead of losing it.
The webhook carries the alert id as Idempotency-Key, so a receiver can drop a retried copy.
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import partial

import httpx

from analyst.alerts.store import alerts_between, save_alert
from analyst.alerts.text import alert_subject_line, alert_text
from analyst.models import Alert
from index.backend import Backend
from index.settings import Settings

log = logging.getLogger(__name__)

WEBHOOK_ATTEMPTS = 4
SMTP_ATTEMPTS = 3
BACKOFF_S = 0.5  # waits 0.5 s, 1 s, 2 s between attempts: rides out a receiver restart
WEBHOOK_TIMEOUT_S = 10.0
SMTP_TIMEOUT_S = 20.0
USER_AGENT = "envmon-alerts/0.1"
# Python's header folding drops the space between two encoded words ("tăng đột" arrives as
# "tăngđột"); lines up to 998 characters (RFC 5322) keep a Vietnamese subject unfolded.
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)
DELIVERED = "delivered"
REDELIVERY_WINDOW = timedelta(hours=24)  # an alert older than a day is stale news for the duty officer

Sleep = Callable[[float], None]


class TransientDeliveryError(Exception):
    """Worth retrying: a timeout, a refused connection, 429 or 5xx, an SMTP 4xx."""


def deliver_alerts(settings: Settings, backend: Backend, alerts: list[Alert], sleep: Sleep = time.sleep) -> None:
    """Send each alert to every configured channel it has not reached yet; store the outcome."""
    for alert in alerts:
        attempted = False
        if settings.webhook_url and alert.deliveries.get("webhook") != DELIVERED:
            alert.deliveries["webhook"] = _outcome(partial(post_webhook, settings.webhook_url, alert), WEBHOOK_ATTEMPTS, sleep)
            attempted = True
        if settings.smtp_host and settings.smtp_to and alert.deliveries.get("email") != DELIVERED:
            alert.deliveries["email"] = _outcome(partial(send_email, settings, alert), SMTP_ATTEMPTS, sleep)
            attempted = True
        if attempted:
            save_alert(backend, alert)


def deliver_pending(
    settings: Settings, backend: Backend, now: datetime, sleep: Sleep = time.sleep, window: timedelta = REDELIVERY_WINDOW
) -> list[Alert]:
    """Retry stored alerts of the last `window` that a configured channel has not received
    (it was down past its retries, or the run stopped between detection and delivery)."""
    channels = [name for name, on in (("webhook", bool(settings.webhook_url)), ("email", bool(settings.smtp_host and settings.smtp_to))) if on]
    if not channels:
        return []
    pending = [
        alert
        for alert in alerts_between(backend, now - window, now)
        if any(alert.deliveries.get(channel) != DELIVERED for channel in channels)
    ]
    deliver_alerts(settings, backend, pending, sleep)
    return pending


def _outcome(send: Callable[[], None], attempts: int, sleep: Sleep) -> str:
    """Call send with retries; "delivered" or "failed: <reason>"."""
    for attempt in range(1, attempts + 1):
        try:
            send()
            return DELIVERED
        except TransientDeliveryError as exc:
            if attempt == attempts:
                return f"failed: {exc} (after {attempts} attempts)"
            log.warning("alert delivery attempt %d failed (%s); retrying", attempt, exc)
            sleep(BACKOFF_S * 2 ** (attempt - 1))
        except Exception as exc:  # a permanent refusal: retrying cannot help
            return f"failed: {exc}"
    return "failed: no attempt made"


def post_webhook(url: str, alert: Alert) -> None:
    """POST {"type": "envmon.alert", "alert": …} as JSON; 2xx is success."""
    payload = {"type": "envmon.alert", "alert": alert.model_dump(mode="json")}
    headers = {"User-Agent": USER_AGENT, "Idempotency-Key": alert.id}
    try:
        response = httpx.post(url, json=payload, headers=headers, timeout=WEBHOOK_TIMEOUT_S)
    except httpx.TransportError as exc:
        raise TransientDeliveryError(f"webhook unreachable ({exc.__class__.__name__})") from exc
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientDeliveryError(f"webhook answered {response.status_code}")
    if not response.is_success:
        raise RuntimeError(f"webhook refused the alert with {response.status_code}")


def alert_email(settings: Settings, alert: Alert) -> EmailMessage:
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = alert_subject_line(alert)
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(settings.smtp_to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(idstring=alert.id, domain="envmon")
    message.set_content(alert_text(alert, settings.tz))
    return message


def send_email(settings: Settings, alert: Alert) -> None:
    """Send the alert as a plain-text e-mail to ENVMON_SMTP_TO."""
    try:
        with smtplib.SMTP(settings.smtp_host or "", settings.smtp_port, timeout=SMTP_TIMEOUT_S) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username and settings.smtp_password is not None:
                smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            smtp.send_message(alert_email(settings, alert))
    except smtplib.SMTPRecipientsRefused as exc:
        raise RuntimeError(f"mail server refused every recipient ({', '.join(exc.recipients)})") from exc
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise TransientDeliveryError(f"mail server answered {exc.smtp_code}") from exc
        raise RuntimeError(f"mail server refused the alert with {exc.smtp_code}") from exc
    except smtplib.SMTPServerDisconnected as exc:
        raise TransientDeliveryError("mail server closed the connection") from exc
    except smtplib.SMTPException as exc:  # e.g. STARTTLS or AUTH not supported: configuration
        raise RuntimeError(f"mail server cannot take the alert ({exc})") from exc
    except OSError as exc:  # refused, unreachable, timed out (SMTPException is an OSError too)
        raise TransientDeliveryError(f"mail server unreachable ({exc.__class__.__name__})") from exc
