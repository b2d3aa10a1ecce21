"""Outbound webhooks: endpoints kept by the brand, deliveries written by the outbox relay, sent by a worker
(docs/dev/webhooks.md).

Deliveries are sent at least once, signed per Standard Webhooks (webhook-id is the event id, so receivers
deduplicate), and in order per (endpoint, subject): a delivery waits while an earlier one for the same endpoint and
subject is still open (pending or failed)."""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import socket
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from standardwebhooks import Webhook

from tenant_apps.audit.services import audit_record
from tenant_apps.events.catalog import KINDS
from tenant_apps.events.services import event_record
from tenant_apps.webhooks.models import OPEN_STATES, DeliveryState, WebhookDelivery, WebhookEndpoint

# Waits after the 1st, 2nd... failed attempt; after the last one the delivery is dead.
BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1),
           timedelta(hours=6), timedelta(hours=12), timedelta(hours=24))
MAX_ATTEMPTS = len(BACKOFF) + 1
EXCERPT = 500
ROTATION_OVERLAP = timedelta(hours=24)


def _disable_after() -> int:
    """Consecutive failed attempts (over all its deliveries) after which an endpoint is turned off."""
    return int(getattr(settings, "WEBHOOKS_DISABLE_AFTER", 15))


def _timeout() -> float:
    return float(getattr(settings, "WEBHOOKS_TIMEOUT", 5))


def _loopback_allowed() -> bool:
    """http:// to this machine is for development and tests only."""
    return bool(settings.DEBUG or getattr(settings, "TESTING", False))


def secret_new() -> str:
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


def url_check(url: str) -> str:
    """The URL if deliveries may go there, else ValidationError: https to a public address (resolved now); http
    only to loopback, and only in development and tests. Refusing private addresses keeps the platform from being
    turned against its own network."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        raise ValidationError(_("Enter a valid URL.")) from None
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
        raise ValidationError(_("Enter a valid URL."))
    loopback_names = {"localhost", "127.0.0.1", "::1"}
    if _loopback_allowed() and host in loopback_names:
        return url
    if parts.scheme != "https":
        raise ValidationError(_("The URL must start with https://."))
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise ValidationError(_("This host name does not resolve.")) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise ValidationError(_("The URL must point to a public address."))
    return url


def _kinds_check(kinds) -> list[str]:
    kinds = sorted({str(kind) for kind in kinds or []})
    if not kinds or any(kind not in KINDS for kind in kinds):
        raise ValidationError(_("Choose at least one event type."))
    return kinds


def _endpoint_fields(url: str, event_kinds) -> tuple[str, list[str]]:
    """The endpoint's URL and event types, checked together: every field's errors at once."""
    errors = {}
    try:
        url = url_check(url)
    except ValidationError as error:
        errors["url"] = error.messages
    try:
        event_kinds = _kinds_check(event_kinds)
    except ValidationError as error:
        errors["event_kinds"] = error.messages
    if errors:
        raise ValidationError(errors)
    return url, event_kinds


def endpoint_create(*, actor, url: str, event_kinds, description: str = "") -> WebhookEndpoint:
    """A new endpoint with a fresh secret (shown once: endpoint.secret right after)."""
    url, event_kinds = _endpoint_fields(url, event_kinds)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(url=url, event_kinds=event_kinds,
                                                  description=(description or "")[:200], secret=secret_new())
        audit_record(actor=actor, action="webhooks.endpoint.created", target=endpoint,
                     after={"url": url, "event_kinds": event_kinds})
    return endpoint


def endpoint_update(*, actor, endpoint: WebhookEndpoint, url: str, event_kinds, description: str = "") -> None:
    url, event_kinds = _endpoint_fields(url, event_kinds)
    with transaction.atomic():
        before = {"url": endpoint.url, "event_kinds": endpoint.event_kinds}
        endpoint.url, endpoint.event_kinds, endpoint.description = url, event_kinds, (description or "")[:200]
        endpoint.save(update_fields=["url", "event_kinds", "description"])
        audit_record(actor=actor, action="webhooks.endpoint.updated", target=endpoint, before=before,
                     after={"url": url, "event_kinds": event_kinds})


def endpoint_rotate_secret(*, actor, endpoint: WebhookEndpoint, overlap: timedelta = ROTATION_OVERLAP) -> str:
    """A new secret; the old one keeps signing beside it for `overlap` (receivers verify with either). Returns the
    new secret, to show once."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.previous_secret, endpoint.secret = endpoint.secret, secret_new()
        endpoint.previous_until = timezone.now() + overlap
        endpoint.save(update_fields=["secret", "previous_secret", "previous_until"])
        audit_record(actor=actor, action="webhooks.endpoint.secret_rotated", target=endpoint,
                     after={"previous_until": endpoint.previous_until.isoformat()})
    return endpoint.secret


def endpoint_enable(*, actor, endpoint: WebhookEndpoint) -> None:
    """Turn an endpoint back on: its waiting deliveries go out from now."""
    with transaction.atomic():
        # the deliveries first, then the endpoint: the sender locks in that order too (no deadlock)
        WebhookDelivery.objects.filter(endpoint=endpoint, state__in=OPEN_STATES).update(
            next_attempt_at=timezone.now())
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=True, disabled_reason="", disabled_at=None,
                                                              consecutive_failures=0)
        audit_record(actor=actor, action="webhooks.endpoint.enabled", target=endpoint)
    endpoint.refresh_from_db()


def endpoint_disable(*, actor, endpoint: WebhookEndpoint, reason: str = "") -> None:
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            active=False, disabled_reason=(reason or _("Turned off by a user"))[:200], disabled_at=timezone.now())
        audit_record(actor=actor, action="webhooks.endpoint.disabled", target=endpoint, reason=reason)
    endpoint.refresh_from_db()


def delivery_replay(*, actor, delivery: WebhookDelivery) -> None:
    """Send a delivery again now (a dead one too, or one that succeeded: the receiver deduplicates by id)."""
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.PENDING,
                                                              next_attempt_at=timezone.now())
        audit_record(actor=actor, action="webhooks.delivery.replayed", target=delivery)
    delivery.refresh_from_db()


# The outbox consumer ---------------------------------------------------------------------------------------------

def deliveries_for_events(events) -> None:
    """The relay's consumer: one delivery per active endpoint subscribed to each event's kind (idempotent: the
    (endpoint, event) pair is unique, a repeated hand-over adds nothing)."""
    endpoints = list(WebhookEndpoint.objects.filter(active=True))
    if not endpoints:
        return
    rows = []
    for event in events:  # in id order: a subject's deliveries get increasing ids
        for endpoint in endpoints:
            if event.kind in endpoint.event_kinds:
                rows.append(WebhookDelivery(
                    endpoint=endpoint, event_id=event.id, kind=event.kind, subject_type=event.subject_type,
                    subject_id=event.subject_id, subject_ref=event.subject_ref, payload=_payload(event)))
    if rows:
        WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)


def _payload(event) -> dict:
    return {"id": str(event.id), "type": event.kind,
            "timestamp": event.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "data": {"subject": {"type": event.subject_type, "id": event.subject_id, "ref": event.subject_ref},
                     "dealer_id": event.dealer_id, **(event.payload or {})}}


# The sender --------------------------------------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer (a failure), never followed


_OPENER = urllib.request.build_opener(_NoRedirect)


def signed_headers(endpoint: WebhookEndpoint, msg_id: str, body: str, now=None) -> dict:
    """Standard Webhooks headers; during a rotation one signature per secret, space-separated."""
    at = datetime.now(UTC)
    signatures = [Webhook(secret).sign(msg_id, at, body) for secret in endpoint.secrets(now)]
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": " ".join(signatures), "content-type": "application/json",
            "user-agent": "dms-webhooks/1"}


def _post(url: str, headers: dict, body: str) -> tuple[int | None, str, str]:
    """(status or None, response excerpt, error)."""
    if not _loopback_allowed():
        try:
            url_check(url)  # the name may resolve elsewhere than when it was saved
        except ValidationError as error:
            return None, "", str(error.messages[0])[:200]
    if urlsplit(url).scheme not in ("http", "https"):
        return None, "", "unsupported scheme"
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")  # noqa: S310
    try:
        with _OPENER.open(request, timeout=_timeout()) as response:
            return response.status, response.read(EXCERPT * 4).decode(errors="replace")[:EXCERPT], ""
    except urllib.error.HTTPError as error:
        try:
            text = error.read(EXCERPT * 4).decode(errors="replace")[:EXCERPT]
        except OSError:
            text = ""
        return error.code, text, ""
    except (OSError, ValueError) as error:
        return None, "", str(error)[:200]


def _attempt(delivery: WebhookDelivery, endpoint: WebhookEndpoint, now) -> bool:
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    headers = signed_headers(endpoint, str(delivery.event_id), body, now)
    started = time.monotonic()
    status, excerpt, error = _post(endpoint.url, headers, body)
    ok = status is not None and 200 <= status < 300
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status, delivery.response_excerpt, delivery.last_error = status, excerpt, error
    delivery.duration_ms = int((time.monotonic() - started) * 1000)
    if ok:
        delivery.state, delivery.succeeded_at = DeliveryState.SUCCEEDED, now
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.state = DeliveryState.DEAD
    else:
        delivery.state = DeliveryState.FAILED
        delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
    delivery.save(update_fields=["attempts", "last_attempt_at", "last_status", "response_excerpt", "last_error",
                                 "duration_ms", "state", "succeeded_at", "next_attempt_at"])
    return ok


def webhook_deliver_due(now=None, *, limit: int = 100) -> int:
    """Send the due deliveries of active endpoints, oldest event first; the number attempted. Each is sent in its
    own transaction with its row locked (SKIP LOCKED: two workers never send the same one; a worker that dies
    mid-send leaves only that one due again), and a delivery waits while an earlier one for the same endpoint and
    subject is open, so a subject's events reach each endpoint in order."""
    now = now or timezone.now()
    candidates = list(WebhookDelivery.objects.filter(state__in=OPEN_STATES, next_attempt_at__lte=now,
                                                     endpoint__active=True)
                      .order_by("event_id").values_list("id", "endpoint_id", "subject_type", "subject_id")[:limit])
    blocked: set[tuple] = set()
    attempted = 0
    for delivery_id, *key in candidates:
        key = tuple(key)
        if key in blocked:
            continue
        with transaction.atomic():
            delivery = (WebhookDelivery.objects.filter(pk=delivery_id, state__in=OPEN_STATES,
                                                       next_attempt_at__lte=now)
                        .select_for_update(skip_locked=True).first())
            if delivery is None:  # another worker has it, or had it
                blocked.add(key)
                continue
            endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
            if not endpoint.active or WebhookDelivery.objects.filter(
                    endpoint_id=delivery.endpoint_id, subject_type=delivery.subject_type,
                    subject_id=delivery.subject_id, event_id__lt=delivery.event_id,
                    state__in=OPEN_STATES).exists():
                blocked.add(key)
                continue
            attempted += 1
            if _attempt(delivery, endpoint, now):
                if endpoint.consecutive_failures:
                    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
                continue
            blocked.add(key)
            endpoint.consecutive_failures += 1
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=endpoint.consecutive_failures)
            if endpoint.consecutive_failures >= _disable_after():
                _auto_disable(endpoint, now)
    return attempted


def _auto_disable(endpoint: WebhookEndpoint, now) -> None:
    """Too many failures in a row: the endpoint is turned off, the brand's owners and admins are told (an email
    after the commit, and a webhook.disabled event)."""
    from django.core.mail import send_mail

    from tenant_apps.accounts.models import User

    reason = _("%(count)s deliveries in a row failed") % {"count": endpoint.consecutive_failures}
    endpoint.active, endpoint.disabled_reason, endpoint.disabled_at = False, reason[:200], now
    endpoint.save(update_fields=["active", "disabled_reason", "disabled_at"])
    audit_record(actor=None, action="webhooks.endpoint.auto_disabled", target=endpoint, reason=reason)
    event_record(kind="webhook.disabled", subject_id=endpoint.pk, subject_ref=endpoint.url[:64],
                 payload={"url": endpoint.url, "reason": reason})
    recipients = list(User.objects.filter(role__in=["owner", "admin"], is_active=True)
                      .exclude(email="").values_list("email", flat=True))
    if recipients:
        subject = _("A webhook endpoint was turned off")
        body = _("Deliveries to %(url)s failed %(count)s times in a row, so the endpoint was turned off. Check the "
                 "receiver, then turn it back on in the console (Settings, Webhooks): waiting events will be "
                 "sent.") % {"url": endpoint.url, "count": endpoint.consecutive_failures}
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients, fail_silently=True))
