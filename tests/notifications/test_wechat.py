"""WeChat subscription messages against a local fake of WeChat's API: linking a person's WeChat (the
mini-program's wx.login() code exchanged at jscode2session), the access token fetched once and cached, refreshed
once on 42001, the event's template and fields, 43101 failing the delivery at once; the channel offered only when
set up and to people who linked WeChat."""

import pytest
from django.core.cache import cache

from tenant_apps.notifications import preferences, sending
from tenant_apps.notifications.models import Delivery, DeliveryStatus, PersonSettings
from tests.notifications.test_channels import cancelled_order
from tests.notifications.test_inbox import signed_in
from tests.notifications.wechat_fake import WeChatFake


@pytest.fixture
def wechat(settings):
    cache.clear()  # no access token of another test's fake
    with WeChatFake() as fake:
        settings.NOTIFICATIONS_WECHAT = fake.settings()
        yield fake


def link(world, fake, user, openid):
    fake.codes[f"code-{openid}"] = openid
    preferences.wechat_bind(actor=user, code=f"code-{openid}")


def test_a_person_links_their_wechat_from_the_mini_programs_page(world, wechat):
    wechat.codes["081abc"] = "o-owner-1"
    client = signed_in(world.owner, "zh-hans")
    before = client.get("/account/notifications/settings/").content.decode()
    assert 'id="wechat-link"' in before and 'data-channel="wechat"' not in before
    page = client.get("/account/notifications/wechat/?code=081abc")
    assert page.status_code == 200 and 'value="081abc"' in page.content.decode()
    assert client.post("/account/notifications/wechat/", {"code": "081abc"}).status_code == 302
    with world.inside():
        person = PersonSettings.objects.get(user=world.owner)
        assert (person.wechat_openid, person.wechat_app_id) == ("o-owner-1", "wx-test-app")
    after = client.get("/account/notifications/settings/").content.decode()
    assert 'data-channel="wechat"' in after and 'id="wechat-unlink"' in after
    # a code is good once; a made-up one is refused; nothing changes either time
    for code in ("081abc", "forged"):
        refused = client.post("/account/notifications/wechat/", {"code": code})
        assert refused.status_code == 400 and 'id="wechat-errors"' in refused.content.decode()
    assert client.post("/account/notifications/wechat/", {"action": "unlink"}).status_code == 302
    with world.inside():
        assert PersonSettings.objects.get(user=world.owner).wechat_openid == ""


def test_the_page_is_not_there_without_wechat_set_up(world, settings):
    settings.NOTIFICATIONS_WECHAT = {}
    assert signed_in(world.owner).get("/account/notifications/wechat/?code=x").status_code == 404


def test_a_linked_person_gets_the_events_template_with_its_fields(world, wechat):
    link(world, wechat, world.owner, "o-owner-1")
    order = cancelled_order(world, reason="季节性商品已经全部售完，无法继续供货，请谅解")
    sending.deliveries_send()
    assert len(wechat.messages) == 1
    message = wechat.messages[0]
    assert (message["touser"], message["template_id"], message["page"], message["miniprogram_state"],
            message["lang"]) == ("o-owner-1", "TPL-CANCELLED", "pages/orders/index", "developer", "zh_CN")
    data = {field: value["value"] for field, value in message["data"].items()}
    assert data["thing1"] == "订单已取消" and data["character_string2"] == order.number
    assert len(data["thing3"]) == 20 and data["thing3"].startswith(f"订单 {order.number}")
    assert len(data["time4"]) == 16
    assert Delivery.objects.get(notification__recipient=world.owner, channel="wechat").status == DeliveryStatus.SENT
    # the buyer has not linked WeChat: no WeChat delivery for them at all
    assert not Delivery.objects.filter(notification__recipient=world.buyer, channel="wechat").exists()
    # a second message reuses the cached token
    cancelled_order(world)
    sending.deliveries_send()
    assert len(wechat.messages) == 2 and len(wechat.token_requests) == 1


def test_an_expired_token_is_refreshed_once_and_the_message_sent(world, wechat):
    link(world, wechat, world.owner, "o-owner-1")
    cancelled_order(world)
    sending.deliveries_send()
    wechat.expire()
    cancelled_order(world)
    sending.deliveries_send()
    assert wechat.answers == [0, 42001, 0]
    assert [request["force_refresh"] for request in wechat.token_requests] == [False, True]
    assert set(Delivery.objects.filter(channel="wechat").values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_a_token_wechat_no_longer_knows_is_replaced(world, wechat):
    link(world, wechat, world.owner, "o-owner-1")
    cache.set("notifications:wechat:token:wx-test-app", "token-of-another-process", 3600)
    cancelled_order(world)
    sending.deliveries_send()
    assert wechat.answers == [40001, 0] and len(wechat.messages) == 1
    assert [request["force_refresh"] for request in wechat.token_requests] == [True]


def test_a_refused_subscription_fails_at_once_with_the_reason(world, wechat):
    link(world, wechat, world.owner, "o-owner-1")
    wechat.refused.add("o-owner-1")
    cancelled_order(world)
    sending.deliveries_send()
    sending.deliveries_send()
    failed = Delivery.objects.get(notification__recipient=world.owner, channel="wechat")
    assert failed.status == DeliveryStatus.FAILED and failed.attempts == 1
    assert "43101" in failed.error and "not accepted" in failed.error
    assert wechat.answers == [43101]


def test_only_kinds_with_a_template_and_only_when_set_up(world, wechat, settings):
    from tenant_apps.ordering.lifecycle import order_cancel
    from tests.factories.ordering import OrderFactory
    from tests.notifications.conftest import relay

    link(world, wechat, world.owner, "o-owner-1")
    OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 2)])
    relay()  # order.approved: no WeChat template for it
    assert not Delivery.objects.filter(channel="wechat").exists()
    client = signed_in(world.brand_owner)
    grid = client.get("/console/notifications/defaults/?role=dealer_owner").content.decode()
    assert "WeChat" in grid and 'value="order.cancelled:wechat"' in grid
    assert 'value="order.approved:wechat"' not in grid  # no template: no box
    settings.NOTIFICATIONS_WECHAT = {}
    assert "WeChat" not in client.get("/console/notifications/defaults/?role=dealer_owner").content.decode()
    with world.inside():
        order = OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 2)])
        order_cancel(actor=world.brand_owner, order=order, reason="x")
        relay()
        assert not Delivery.objects.filter(channel="wechat").exists()
