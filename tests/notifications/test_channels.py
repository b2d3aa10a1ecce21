"""Email and SMS: each recipient in their own language, their own choices over the brand's defaults over the
built-in ones, quiet hours holding SMS, the daily digest once a day, and the SMS provider's signed requests (a local
fake of Aliyun's endpoint checks the signature)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tenant_apps.notifications import preferences, sending
from tenant_apps.notifications.models import Delivery, DeliveryStatus, DigestSent
from tenant_apps.ordering.lifecycle import order_cancel
from tests.factories.ordering import OrderFactory
from tests.notifications.conftest import relay
from tests.notifications.sms_fake import AliyunSmsFake

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def sms(settings):
    with AliyunSmsFake() as fake:
        settings.NOTIFICATIONS_SMS = fake.settings()
        yield fake


def cancelled_order(world, reason="out of season"):
    order = OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 2)])
    order_cancel(actor=world.brand_owner, order=order, reason=reason)
    relay()
    return order


def test_each_recipient_gets_the_email_in_their_own_language(world, mailoutbox):
    from tenant_apps.approvals.services import StepSpec
    from tests.factories.approvals import WorkflowFactory
    from tests.factories.dealers import headquarters

    world.rm.scope_node = headquarters()  # the regional manager of the whole network: sees the dealer
    world.rm.save(update_fields=["scope_node"])
    WorkflowFactory(steps=[StepSpec(name="销售审批", approver_roles=["regional_manager", "sales_rep"], scope="hq")])
    order = OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 2)])
    relay()
    # the step's approvers, each once (order.submitted is the bell only, and not for who has approval.waiting)
    assert sending.deliveries_send() == 2
    mails = {mail.to[0]: mail for mail in mailoutbox}
    assert set(mails) == {"rm@brand.test", "rep@brand.test"}
    assert mails["rm@brand.test"].subject == "待审批"
    assert mails["rm@brand.test"].body == f"订单 {order.number} 等待您审批：销售审批"
    assert mails["rep@brand.test"].subject == "Approval waiting"
    assert mails["rep@brand.test"].body == f"Order {order.number} is waiting for you: 销售审批"
    assert sending.deliveries_send() == 0 and len(mailoutbox) == 2


def test_sms_goes_signed_to_the_provider_except_to_whoever_turned_it_off(world, sms, mailoutbox):
    preferences.person_settings_set(actor=world.owner, mobile="13800000001")
    preferences.person_settings_set(actor=world.buyer, mobile="13800000002")
    preferences.user_preference_set(actor=world.buyer, kind="order.cancelled", channel="sms", enabled=False)
    order = cancelled_order(world)
    sending.deliveries_send()
    assert sms.rejected == []
    assert sms.messages == [{"to": "13800000001", "sign": "品牌", "template": "SMS_1",
                             "text": f"订单已取消: 订单 {order.number}：out of season"}]
    assert not Delivery.objects.filter(notification__recipient=world.buyer, channel="sms").exists()
    sent = Delivery.objects.get(notification__recipient=world.owner, channel="sms")
    assert sent.status == DeliveryStatus.SENT and sent.attempts == 1
    # the buyer still has the email and the inbox
    assert world.buyer.email in {mail.to[0] for mail in mailoutbox}


def test_a_badly_signed_request_is_refused_retried_then_failed(world, sms, settings):
    settings.NOTIFICATIONS_SMS = sms.settings(secret="wrong")
    preferences.person_settings_set(actor=world.owner, mobile="13800000001")
    cancelled_order(world)
    for day in range(1, 5):  # each retry due a day later
        with time_machine.travel(datetime(2030, 1, day, tzinfo=SHANGHAI)):
            sending.deliveries_send()
    failed = Delivery.objects.get(notification__recipient=world.owner, channel="sms")
    assert failed.status == DeliveryStatus.FAILED and failed.attempts == 3
    assert "SignatureDoesNotMatch" in failed.error and sms.messages == []
    assert sms.rejected == ["SignatureDoesNotMatch"] * 3


def test_quiet_hours_hold_sms_until_they_end_but_not_the_inbox_or_email(world, sms, mailoutbox):
    preferences.person_settings_set(actor=world.owner, mobile="13800000001", quiet_start=time(22, 0),
                                    quiet_end=time(7, 30))
    # a late evening still to come (the world's prices start today, whatever day the suite runs)
    evening = datetime.now(SHANGHAI).date() + timedelta(days=1)
    morning = evening + timedelta(days=1)
    with time_machine.travel(datetime.combine(evening, time(23, 15), SHANGHAI), tick=False):
        cancelled_order(world)
        sending.deliveries_send()
        held = Delivery.objects.get(notification__recipient=world.owner, channel="sms")
        assert held.status == DeliveryStatus.PENDING
        assert held.not_before == datetime.combine(morning, time(7, 30), SHANGHAI)
        assert sms.messages == [] and world.owner.email in {mail.to[0] for mail in mailoutbox}
    with time_machine.travel(datetime.combine(morning, time(7, 31), SHANGHAI), tick=False):
        sending.deliveries_send()
    assert [message["to"] for message in sms.messages] == ["13800000001"]


def test_the_brands_default_for_a_role_applies_unless_the_person_chose(world, mailoutbox):
    preferences.role_preference_set(actor=world.brand_owner, role="dealer_owner", kind="order.cancelled",
                                    channel="email", enabled=False)
    preferences.role_preference_set(actor=world.brand_owner, role="dealer_buyer", kind="order.cancelled",
                                    channel="email", enabled=False)
    preferences.user_preference_set(actor=world.buyer, kind="order.cancelled", channel="email", enabled=True)
    cancelled_order(world)
    sending.deliveries_send()
    cancelled = [mail.to[0] for mail in mailoutbox if mail.subject == "订单已取消"]
    assert cancelled == [world.buyer.email]


def test_the_digest_collects_the_days_events_once(world, mailoutbox):
    preferences.person_settings_set(actor=world.owner, digest=True)
    order = cancelled_order(world)
    sending.deliveries_send()
    assert world.owner.email not in {mail.to[0] for mail in mailoutbox}  # held for the digest
    mailoutbox.clear()
    assert sending.digests_send() == 1
    assert sending.digests_send() == 0
    assert len(mailoutbox) == 1
    digest = mailoutbox[0]
    assert digest.to == [world.owner.email] and digest.subject.endswith("的通知汇总")
    assert digest.body.splitlines() == [
        f"- 订单已审核通过: 订单 {order.number}：No approval workflow applies to this order.",
        f"- 订单已取消: 订单 {order.number}：out of season"]
    assert DigestSent.objects.get(user=world.owner).count == 2
