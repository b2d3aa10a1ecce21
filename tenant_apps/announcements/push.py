"""Web push to a user's browsers (the storefront PWA's service worker shows it): `webpush_send(user, title, body,
url)`, for any app that has something to tell a person (notifications may call it).

VAPID keys come from settings VAPID_PRIVATE_KEY (the raw 32-byte P-256 private key, base64url) and
VAPID_PUBLIC_KEY (the uncompressed point, base64url), VAPID_SUBJECT (mailto: or https: contact). When the private
key is not set (development), a pair is derived from SECRET_KEY at first use: every process agrees on it and it
stays the same across restarts, but production should set its own (docs/dev/announcements.md)."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush
from requests import RequestException

from tenant_apps.announcements.models import PushSubscription

logger = logging.getLogger(__name__)
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
GONE = (404, 410)  # the push service forgot the subscription: drop it
TIMEOUT = 10


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=4)
def _keys(private: str, secret: str) -> tuple[str, str]:
    if private:
        key = ec.derive_private_key(int.from_bytes(_b64url_decode(private), "big"), ec.SECP256R1())
    else:  # development: derived from SECRET_KEY, the same in every process
        number = int.from_bytes(hashlib.sha256(f"vapid:{secret}".encode()).digest(), "big") % (P256_ORDER - 1) + 1
        key = ec.derive_private_key(number, ec.SECP256R1())
    raw_private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64url(raw_private), _b64url(public)


def vapid_generate() -> dict[str, str]:
    """A new pair for the environment: {"VAPID_PRIVATE_KEY": ..., "VAPID_PUBLIC_KEY": ...}."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = _b64url(key.private_numbers().private_value.to_bytes(32, "big"))
    return {"VAPID_PRIVATE_KEY": private, "VAPID_PUBLIC_KEY": _keys(private, "")[1]}


def vapid_keys() -> tuple[str, str]:
    """(private, public) base64url: the configured pair, or the development pair derived from SECRET_KEY."""
    private, public = _keys(getattr(settings, "VAPID_PRIVATE_KEY", "") or "", settings.SECRET_KEY)
    return private, getattr(settings, "VAPID_PUBLIC_KEY", "") or public


def vapid_public_key() -> str:
    """What the browser's pushManager.subscribe() takes as applicationServerKey."""
    return vapid_keys()[1]


def webpush_send(user, title: str, body: str, url: str = "/") -> int:
    """Send a notification to each browser `user` subscribed; how many push services accepted it. A subscription
    the push service answers 404/410 for is removed; other failures are counted on it."""
    private, _public = vapid_keys()
    vapid = Vapid02.from_raw(private.encode())
    subject = getattr(settings, "VAPID_SUBJECT", "") or "mailto:webmaster@localhost"
    data = json.dumps({"title": str(title), "body": str(body), "url": str(url)}, ensure_ascii=False)
    sent = 0
    for subscription in PushSubscription.objects.filter(user_id=user.pk).order_by("id"):
        info = {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
        try:
            webpush(info, data=data, vapid_private_key=vapid, vapid_claims={"sub": subject}, timeout=TIMEOUT,
                    ttl=60 * 60 * 24)
        except WebPushException as error:
            status = getattr(error.response, "status_code", None)
            if status in GONE:
                logger.info("announcements.push.gone", extra={"subscription": subscription.pk, "status": status})
                subscription.delete()
                continue
            _failed(subscription, status)
        except (RequestException, ValueError, TypeError) as error:  # unreachable service, a malformed key
            _failed(subscription, type(error).__name__)
        else:
            PushSubscription.objects.filter(pk=subscription.pk).update(last_success=timezone.now(), failures=0)
            sent += 1
    return sent


def _failed(subscription: PushSubscription, why) -> None:
    PushSubscription.objects.filter(pk=subscription.pk).update(failures=F("failures") + 1)
    logger.warning("announcements.push.failed", extra={"subscription": subscription.pk, "why": str(why)})


def subscribed(user_ids) -> set[int]:
    """Of these users, those with a browser subscribed to web push (one query)."""
    return set(PushSubscription.objects.filter(user_id__in=list(user_ids)).values_list("user_id", flat=True))


def notification_push(message) -> None:
    """The notifications channel "push": the message to each of the person's browsers. Subscriptions the push
    service has forgotten (404/410) are removed by webpush_send; none left fails the delivery for good, none
    accepting it (unreachable, refused) fails this attempt (retried)."""
    from tenant_apps.notifications.channels.registry import SendError

    if not PushSubscription.objects.filter(user_id=message.user.pk).exists():
        raise SendError("push: the person has no browser subscribed", final=True)
    if webpush_send(message.user, message.title, message.body, message.url or "/") == 0:
        if not PushSubscription.objects.filter(user_id=message.user.pk).exists():
            raise SendError("push: the push service no longer knows the person's browsers (removed)", final=True)
        raise SendError("push: no push service accepted the message")
