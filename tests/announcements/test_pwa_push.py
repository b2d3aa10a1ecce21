"""The storefront as a PWA (manifest per brand, icons, service worker, offline page, the layout's links) and web
push: the subscription endpoint, and webpush_send against a fake push service on loopback that checks the VAPID
header and decrypts the message; a subscription the service answers 410 for is dropped."""

from __future__ import annotations

import base64
import json

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.core.cache import cache

from tenant_apps.announcements.models import PushSubscription
from tenant_apps.announcements.push import vapid_generate, vapid_public_key, webpush_send
from tenants.models import Tenant
from tests.announcements.conftest import login
from tests.conftest import host_client
from tests.notifications.push_fake import PushServiceFake


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_the_manifest_carries_the_brands_name_and_colour_and_differs_between_tenants(tenant_a, tenant_b):
    Tenant.objects.filter(pk=tenant_a.pk).update(primary_colour="#C8102E", display_name="红星饮料")
    Tenant.objects.filter(pk=tenant_b.pk).update(primary_colour="#00875A", display_name="Globex Foods")
    a = host_client("acme.localhost").get("/manifest.webmanifest")
    b = host_client("globex.localhost").get("/manifest.webmanifest")
    assert a.status_code == b.status_code == 200
    assert a["Content-Type"] == "application/manifest+json"
    assert "max-age=3600" in a["Cache-Control"] and "Host" in a["Vary"]
    ma, mb = a.json(), b.json()
    assert (ma["name"], ma["theme_color"], ma["background_color"]) == ("红星饮料", "#C8102E", "#C8102E")
    assert (mb["name"], mb["theme_color"], mb["short_name"]) == ("Globex Foods", "#00875A", "Globex Foods")
    assert [icon["sizes"] for icon in ma["icons"]] == ["192x192", "512x512"]
    assert ma["icons"][0]["src"] != mb["icons"][0]["src"]  # keyed by the look of each brand
    assert ma["start_url"] == "/" and ma["display"] == "standalone"


def test_icons_are_pngs_in_the_brands_colour_cached_and_keyed_by_tenant(tenant_a, tenant_b):
    from io import BytesIO

    from PIL import Image

    cache.clear()
    Tenant.objects.filter(pk=tenant_a.pk).update(primary_colour="#C8102E")
    Tenant.objects.filter(pk=tenant_b.pk).update(primary_colour="#00875A")
    for host, colour, size in (("acme.localhost", (0xC8, 0x10, 0x2E), 192), ("globex.localhost", (0, 0x87, 0x5A), 512)):
        response = host_client(host).get(f"/pwa/icon-{size}.png")
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert "max-age=86400" in response["Cache-Control"]
        picture = Image.open(BytesIO(response.content))
        assert picture.size == (size, size)
        assert picture.convert("RGB").getpixel((2, 2)) == colour
        again = host_client(host).get(f"/pwa/icon-{size}.png", HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304
    assert host_client("acme.localhost").get("/pwa/icon-64.png").status_code == 404


def test_the_service_worker_is_served_at_the_root_scope(tenant_a):
    response = host_client("acme.localhost").get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    text = response.content.decode()
    for needle in ('addEventListener("push"', 'addEventListener("notificationclick"', '"/offline/"',
                   "showNotification", "openWindow"):
        assert needle in text
    assert "__VERSION__" not in text
    offline = host_client("acme.localhost").get("/offline/")
    assert offline.status_code == 200 and "You are offline" in offline.content.decode()
    zh = host_client("acme.localhost", language="zh-hans").get("/offline/").content.decode()
    assert "网络已断开" in zh


def test_the_storefront_layout_links_the_manifest_and_registers_the_worker_from_a_file(world):
    page = login("pudong@ann.test").get("/announcements/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert "announcements/pwa.js" in page
    assert f'data-vapid-key="{vapid_public_key()}"' in page
    assert "<script>" not in page  # no inline script under the CSP


def test_the_browser_saves_and_removes_its_subscription(world, tenant_a, in_tenant):
    client = login("pudong@ann.test")
    body = {"endpoint": "https://push.example.test/sub/1", "keys": {"p256dh": "BKEY", "auth": "AUTH"}}
    assert client.post("/push/subscription/", json.dumps(body), content_type="application/json").status_code == 201
    again = client.post("/push/subscription/", json.dumps(body), content_type="application/json")
    assert again.status_code == 201
    bad = client.post("/push/subscription/", json.dumps({"endpoint": "javascript:alert(1)", "keys": []}),
                      content_type="application/json")
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"endpoint", "p256dh", "auth"}
    assert client.post("/push/subscription/", "not json", content_type="application/json").status_code == 400
    assert client.post("/push/subscription/", "[1]", content_type="application/json").status_code == 400
    with in_tenant(tenant_a):
        assert list(PushSubscription.objects.values_list("user__email", "endpoint")) == [
            ("pudong@ann.test", "https://push.example.test/sub/1")]
    other = login("canton@ann.test")  # someone else's endpoint is not theirs to remove
    assert other.delete("/push/subscription/", json.dumps(body), content_type="application/json").json() == {
        "removed": 0}
    assert client.delete("/push/subscription/", json.dumps(body), content_type="application/json").json() == {
        "removed": 1}
    assert host_client("acme.localhost").post("/push/subscription/", "{}",
                                              content_type="application/json").status_code == 302
    with in_tenant(tenant_a):
        assert PushSubscription.objects.count() == 0


def _verify_vapid(header: str, *, audience: str, subject: str) -> None:
    """Authorization: vapid t=<ES256 JWT>,k=<the server's public key>: the key is ours, the signature checks out
    with it, and the claims name the push service's origin and our contact."""
    scheme, _, params = header.partition(" ")
    assert scheme == "vapid"
    fields = dict(part.split("=", 1) for part in params.split(","))
    assert fields["k"] == vapid_public_key()
    head, claims, signature = fields["t"].split(".")
    raw = _unb64(signature)
    assert len(raw) == 64
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64(fields["k"]))
    public.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                  f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises when forged
    assert json.loads(_unb64(head)) == {"typ": "JWT", "alg": "ES256"}
    payload = json.loads(_unb64(claims))
    assert payload["aud"] == audience and payload["sub"] == subject and payload["exp"] > 0


def test_webpush_send_posts_an_encrypted_message_with_vapid_and_drops_a_gone_subscription(world, tenant_a,
                                                                                        in_tenant, settings):
    settings.VAPID_SUBJECT = "mailto:ops@acme.test"
    browser_key = ec.generate_private_key(ec.SECP256R1())
    browser_public = _b64(browser_key.public_key().public_bytes(serialization.Encoding.X962,
                                                                serialization.PublicFormat.UncompressedPoint))
    auth = b"0123456789abcdef"
    with PushServiceFake() as service, in_tenant(tenant_a):
        user = world["pudong_buyer"]
        ok = PushSubscription.objects.create(user=user, endpoint=f"{service.origin}/ok/1", p256dh=browser_public,
                                             auth=_b64(auth))
        PushSubscription.objects.create(user=user, endpoint=f"{service.origin}/gone/2", p256dh=browser_public,
                                        auth=_b64(auth))
        PushSubscription.objects.create(user=world["canton_buyer"], endpoint=f"{service.origin}/ok/3",
                                        p256dh=browser_public, auth=_b64(auth))
        assert webpush_send(user, "到货通知", "您的订单已发货", "/orders/") == 1
        assert [r["path"] for r in service.received] == ["/ok/1", "/gone/2"]
        first = service.received[0]
        _verify_vapid(first["headers"]["authorization"], audience=service.origin, subject="mailto:ops@acme.test")
        assert first["headers"]["content-encoding"] == "aes128gcm"
        assert int(first["headers"]["ttl"]) > 0
        message = json.loads(http_ece.decrypt(first["body"], private_key=browser_key, auth_secret=auth,
                                              version="aes128gcm"))
        assert message == {"title": "到货通知", "body": "您的订单已发货", "url": "/orders/"}
        assert sorted(PushSubscription.objects.values_list("endpoint", flat=True)) == [
            f"{service.origin}/ok/1", f"{service.origin}/ok/3"]
        ok.refresh_from_db()
        assert ok.last_success is not None and ok.failures == 0


def test_an_unreachable_push_service_counts_a_failure(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        subscription = PushSubscription.objects.create(user=world["agent_buyer"], endpoint="http://127.0.0.1:9/x",
                                                       p256dh=_b64(b"\x04" + b"\x01" * 64), auth=_b64(b"a" * 16))
        assert webpush_send(world["agent_buyer"], "t", "b") == 0
        subscription.refresh_from_db()
        assert subscription.failures == 1 and subscription.last_success is None


def test_a_generated_vapid_pair_is_used_when_configured(settings):
    pair = vapid_generate()
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY = pair["VAPID_PRIVATE_KEY"], pair["VAPID_PUBLIC_KEY"]
    assert vapid_public_key() == pair["VAPID_PUBLIC_KEY"] and len(_unb64(pair["VAPID_PUBLIC_KEY"])) == 65


@pytest.mark.parametrize("path", ["/manifest.webmanifest", "/sw.js", "/pwa/icon-192.png"])
def test_the_pwa_files_carry_the_security_policy(tenant_a, path):
    response = host_client("acme.localhost").get(path)
    assert response.status_code == 200 and "default-src 'self'" in response["Content-Security-Policy"]
