"""Web push as a notifications channel: announcements registers "push" (notifications, a lower layer, never imports
it); a dealer user's subscribed browsers get the notification encrypted, a subscription the push service has
forgotten (404/410) is removed, and nobody without a subscription gets a push delivery or the column."""

import base64
import json

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tenant_apps.announcements.models import PushSubscription
from tenant_apps.notifications import sending
from tenant_apps.notifications.models import Delivery, DeliveryStatus
from tests.notifications.push_fake import PushServiceFake
from tests.notifications.test_channels import cancelled_order
from tests.notifications.test_inbox import signed_in

AUTH = b"0123456789abcdef"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def browser():
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return key, _b64(public)


@pytest.fixture
def service():
    with PushServiceFake() as fake:
        yield fake


def subscribe(user, service, path, public):
    return PushSubscription.objects.create(user=user, endpoint=f"{service.origin}{path}", p256dh=public,
                                           auth=_b64(AUTH))


def test_the_buyer_gets_the_cancellation_on_their_browser_and_a_gone_one_is_removed(world, service, browser):
    key, public = browser
    subscribe(world.buyer, service, "/ok/1", public)
    subscribe(world.buyer, service, "/gone/2", public)
    order = cancelled_order(world)
    sending.deliveries_send()
    pushed = [request for request in service.received if request["path"] == "/ok/1"]
    assert len(pushed) == 1
    message = json.loads(http_ece.decrypt(pushed[0]["body"], private_key=key, auth_secret=AUTH,
                                          version="aes128gcm"))
    assert message["title"] == "订单已取消" and message["url"] == f"/orders/{order.pk}/"
    assert order.number in message["body"]
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [f"{service.origin}/ok/1"]
    assert Delivery.objects.get(notification__recipient=world.buyer, channel="push").status == DeliveryStatus.SENT
    # the owner subscribed no browser: no push delivery for them
    assert not Delivery.objects.filter(notification__recipient=world.owner, channel="push").exists()


@pytest.mark.parametrize("path", ["/gone/1", "/missing/1"])
def test_when_every_subscription_is_gone_the_delivery_fails_and_they_are_removed(world, service, browser, path):
    subscribe(world.buyer, service, path, browser[1])
    cancelled_order(world)
    sending.deliveries_send()
    failed = Delivery.objects.get(notification__recipient=world.buyer, channel="push")
    assert failed.status == DeliveryStatus.FAILED and failed.attempts == 1 and "removed" in failed.error
    assert not PushSubscription.objects.exists()


def test_a_busy_push_service_is_retried(world, service, browser):
    subscribe(world.buyer, service, "/busy/1", browser[1])
    cancelled_order(world)
    sending.deliveries_send()
    waiting = Delivery.objects.get(notification__recipient=world.buyer, channel="push")
    assert waiting.status == DeliveryStatus.PENDING and waiting.attempts == 1
    assert PushSubscription.objects.get().failures == 1


def test_the_push_column_shows_only_to_someone_with_a_subscribed_browser(world, service, browser):
    with world.inside():
        subscribe(world.buyer, service, "/ok/1", browser[1])
    assert 'data-channel="push"' in signed_in(world.buyer).get("/account/notifications/settings/").content.decode()
    assert 'data-channel="push"' not in signed_in(world.owner).get(
        "/account/notifications/settings/").content.decode()
