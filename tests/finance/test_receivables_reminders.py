"""Receivable reminders: N days before the due date and M days after, a payment.due / payment.overdue event that
notifications mails to the dealer's owner and finance people (SMS too when overdue), each in their own language,
once per item and step."""

from datetime import date

from django.core import mail

from tenant_apps.events.models import OutboxEvent
from tenant_apps.events.services import outbox_relay
from tenant_apps.finance import services
from tenant_apps.finance import services_receivables as ar
from tenant_apps.finance.models import ReceivableReminder
from tenant_apps.notifications.models import Delivery, Notification
from tenant_apps.notifications.sending import deliveries_send
from tests.factories import UserFactory


def _deliver() -> None:
    """What the relay and the sending task do after the commit."""
    outbox_relay()
    deliveries_send()


def _world(books):
    services.dealer_settlement_set(actor=None, dealer=books.one, mode="credit", credit_limit="100000.00",
                                   terms_days=30)
    for reference, shipped in (("SO-1", date(2026, 11, 2)), ("SO-2", date(2026, 11, 2))):  # due 2026-12-02
        services.credit_hold(actor=None, dealer=books.one, amount="1200.00", currency="CNY", reference=reference)
        ar.receivable_shipped(reference=reference, dealer=books.one, shipped_on=shipped)
    services.payment_record(actor=None, dealer=books.one, amount="1200.00", currency="CNY", reference="SO-2")
    UserFactory(email="boss@one.test", role="dealer_owner", dealer=books.one, preferred_language="en")
    UserFactory(email="buyer@one.test", role="dealer_buyer", dealer=books.one)  # not a finance person
    UserFactory(email="boss@two.test", role="dealer_owner", dealer=books.two)
    _deliver()  # the payment's own notice (payment.received) is out of the way
    mail.outbox.clear()


def test_reminders_before_and_after_the_due_date_go_once(books):
    _world(books)
    ar.finance_terms_update(actor=None, remind_before_days=3, remind_after_days=7)
    assert ar.receivable_reminders_send(today=date(2026, 11, 28)) == 0  # 4 days before
    assert ar.receivable_reminders_send(today=date(2026, 11, 29)) == 1  # SO-1 only: SO-2 is paid
    assert ar.receivable_reminders_send(today=date(2026, 11, 30)) == 0  # once
    assert ar.receivable_reminders_send(today=date(2026, 12, 8)) == 0  # 6 days after
    event = OutboxEvent.objects.get(kind="payment.due")
    assert (event.dealer_id, event.subject_ref, event.payload["due_on"]) == (books.one.pk, "SO-1", "2026-12-02")
    _deliver()
    english, chinese = sorted(mail.outbox, key=lambda message: message.to)
    assert (english.to, chinese.to) == (["boss@one.test"], ["fin-clerk@acme.test"])
    assert english.subject == "Payment reminder: order SO-1, CN¥1,200.00 due on 2026-12-02"
    assert chinese.subject == "付款提醒：订单 SO-1，¥1,200.00 将于 2026-12-02 到期"  # no language of their own
    assert "Please pay by then" in english.body
    # the owner and the finance clerk of that dealer only: not its buyer, not another dealer's owner
    assert set(Notification.objects.filter(kind="payment.due").values_list("recipient__email", flat=True)) == {
        "boss@one.test", "fin-clerk@acme.test"}
    mail.outbox.clear()
    assert ar.receivable_reminders_send(today=date(2026, 12, 9)) == 1
    assert ar.receivable_reminders_send(today=date(2026, 12, 20)) == 0
    _deliver()
    assert sorted(message.subject for message in mail.outbox) == [
        "Overdue: order SO-1, CN¥1,200.00 was due on 2026-12-02", "逾期提醒：订单 SO-1，¥1,200.00 已于 2026-12-02 到期"]
    assert sorted(ReceivableReminder.objects.values_list("step", flat=True)) == ["after_due", "before_due"]
    # overdue goes by SMS too (by default): one delivery each, failed here for want of a mobile number and provider
    assert Delivery.objects.filter(notification__kind="payment.overdue", channel="sms").count() == 2


def test_a_step_set_to_zero_is_off_and_a_missed_step_comes_on_the_next_run(books):
    _world(books)
    ar.finance_terms_update(actor=None, remind_before_days=0, remind_after_days=1)
    assert ar.receivable_reminders_send(today=date(2026, 12, 1)) == 0
    assert ar.receivable_reminders_send(today=date(2026, 12, 10)) == 1  # late, but still applies
    _deliver()
    assert len(mail.outbox) == 2
    assert all(message.subject.startswith(("Overdue", "逾期")) for message in mail.outbox)


def test_the_daily_task_runs_in_every_tenant(tenant_a, tenant_b):
    from tenants.tasks import for_each_tenant

    assert for_each_tenant.delay("finance.tasks.receivable_reminders").get() == 2
