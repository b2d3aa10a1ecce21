"""SMS through Tencent Cloud (SendSms 2021-01-11): requests signed with TC3-HMAC-SHA256, checked by a local fake of
the endpoint; a template per event kind; the provider's refusals fail the delivery with their code (at once when a
retry cannot help); a timeout is retried later, as with Aliyun."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tenant_apps.notifications import preferences, sending
from tenant_apps.notifications.models import Delivery, DeliveryStatus
from tests.notifications.tencent_fake import TencentSmsFake
from tests.notifications.test_channels import cancelled_order

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def tencent(settings, world):
    with TencentSmsFake() as fake:
        settings.NOTIFICATIONS_SMS = fake.settings(templates={"order.cancelled": "200002"})
        preferences.person_settings_set(actor=world.owner, mobile="13800000001")
        yield fake


def owners_sms():
    return Delivery.objects.get(notification__recipient__email="owner@sh.test", channel="sms")


def test_a_signed_sms_goes_with_the_events_template(world, tencent):
    order = cancelled_order(world)
    sending.deliveries_send()
    assert tencent.rejected == []
    assert tencent.messages == [{"to": "+8613800000001", "sign": "品牌", "template": "200002",
                                 "params": [f"订单已取消: 订单 {order.number}：out of season"],
                                 "region": "ap-shanghai"}]
    sent = owners_sms()
    assert (sent.status, sent.attempts, sent.error) == (DeliveryStatus.SENT, 1, "")


def test_a_wrong_secret_is_refused_by_the_signature_check_and_retried(world, tencent, settings):
    settings.NOTIFICATIONS_SMS = tencent.settings(secret="wrong")
    cancelled_order(world)
    for day in range(1, 5):
        with time_machine.travel(datetime(2030, 1, day, tzinfo=SHANGHAI)):
            sending.deliveries_send()
    failed = owners_sms()
    assert failed.status == DeliveryStatus.FAILED and failed.attempts == 3
    assert "AuthFailure.SignatureFailure" in failed.error and tencent.messages == []


@pytest.mark.parametrize(("knob", "code"), [
    ("status", "InvalidParameterValue.IncorrectPhoneNumber"),
    ("error", "FailedOperation.TemplateIncorrectOrUnapproved"),
])
def test_a_refusal_a_retry_cannot_cure_fails_at_once_with_its_code(world, tencent, knob, code):
    setattr(tencent, knob, code)
    cancelled_order(world)
    sending.deliveries_send()
    failed = owners_sms()
    assert failed.status == DeliveryStatus.FAILED and failed.attempts == 1
    assert failed.error.startswith(f"tencent: {code}")
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=SHANGHAI)):
        sending.deliveries_send()
    assert tencent.requests == 1


def test_a_rate_limit_is_retried(world, tencent):
    tencent.status = "LimitExceeded.PhoneNumberThirtySecondLimit"
    cancelled_order(world)
    sending.deliveries_send()
    waiting = owners_sms()
    assert waiting.status == DeliveryStatus.PENDING and "LimitExceeded" in waiting.error
    tencent.status = "Ok"
    with time_machine.travel(waiting.not_before + timedelta(seconds=1)):
        sending.deliveries_send()
    assert owners_sms().status == DeliveryStatus.SENT and len(tencent.messages) == 1


def test_a_timeout_waits_and_is_retried_later(world, tencent, settings):
    settings.NOTIFICATIONS_SMS = {**settings.NOTIFICATIONS_SMS, "timeout": 0.3}
    tencent.delay = 0.8
    cancelled_order(world)
    before = datetime.now(tz=SHANGHAI)
    sending.deliveries_send()
    waiting = owners_sms()
    assert waiting.status == DeliveryStatus.PENDING and waiting.attempts == 1
    assert "timed out" in waiting.error
    assert waiting.not_before >= before + sending.RETRY_AFTER
    tencent.delay = 0
    sending.deliveries_send()  # not due yet
    assert owners_sms().attempts == 1
    with time_machine.travel(waiting.not_before + timedelta(seconds=1)):
        sending.deliveries_send()
    sent = owners_sms()
    assert (sent.status, sent.attempts) == (DeliveryStatus.SENT, 2)
    assert [message["to"] for message in tencent.messages] == ["+8613800000001"]
