"""Receivable reminders: N days before the due date and M days after, to the dealer's owner and finance people,
each in their own language, once per item and step."""

from datetime import date

from django.core import mail

from tenant_apps.finance import services
from tenant_apps.finance import services_receivables as ar
from tenant_apps.finance.models import ReceivableReminder
from tests.factories import UserFactory


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


def test_reminders_before_and_after_the_due_date_go_once(books, django_capture_on_commit_callbacks):
    _world(books)
    ar.finance_terms_update(actor=None, remind_before_days=3, remind_after_days=7)
    with django_capture_on_commit_callbacks(execute=True):
        assert ar.receivable_reminders_send(today=date(2026, 11, 28)) == 0  # 4 days before
        assert ar.receivable_reminders_send(today=date(2026, 11, 29)) == 1  # SO-1 only: SO-2 is paid
        assert ar.receivable_reminders_send(today=date(2026, 11, 30)) == 0  # once
        assert ar.receivable_reminders_send(today=date(2026, 12, 8)) == 0  # 6 days after
    english, chinese = sorted(mail.outbox, key=lambda message: message.to)
    assert (english.to, chinese.to) == (["boss@one.test"], ["fin-clerk@acme.test"])
    assert english.subject == "Payment reminder: order SO-1, CN¥1,200.00 due on 2026-12-02"
    assert chinese.subject == "付款提醒：订单 SO-1，¥1,200.00 将于 2026-12-02 到期"  # the workspace's language
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert ar.receivable_reminders_send(today=date(2026, 12, 9)) == 1
        assert ar.receivable_reminders_send(today=date(2026, 12, 20)) == 0
    assert sorted(message.subject for message in mail.outbox) == [
        "Overdue: order SO-1, CN¥1,200.00 was due on 2026-12-02", "逾期提醒：订单 SO-1，¥1,200.00 已于 2026-12-02 到期"]
    assert sorted(ReceivableReminder.objects.values_list("step", flat=True)) == ["after_due", "before_due"]


def test_a_step_set_to_zero_is_off_and_a_missed_step_comes_on_the_next_run(books, django_capture_on_commit_callbacks):
    _world(books)
    ar.finance_terms_update(actor=None, remind_before_days=0, remind_after_days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert ar.receivable_reminders_send(today=date(2026, 12, 1)) == 0
        assert ar.receivable_reminders_send(today=date(2026, 12, 10)) == 1  # late, but still applies
    assert len(mail.outbox) == 2
    assert all(message.subject.startswith(("Overdue", "逾期")) for message in mail.outbox)


def test_the_daily_task_runs_in_every_tenant(tenant_a, tenant_b):
    from tenants.tasks import for_each_tenant

    assert for_each_tenant.delay("finance.tasks.receivable_reminders").get() == 2
