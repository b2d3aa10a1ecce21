"""Who is told of each kind of event, and who is not: another dealer's users, the person who caused it, someone who
turned it off, a role the brand turned a channel off for; links per subject; the text in the reader's language; and
a constant number of queries for a batch of 1 or 20 events."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenant_apps.approvals.services import StepSpec, approval_decide, approvals_escalate_due
from tenant_apps.events.models import OutboxEvent
from tenant_apps.events.services import event_record
from tenant_apps.notifications import preferences
from tenant_apps.notifications.models import Delivery, Notification
from tenant_apps.notifications.selectors import render
from tenant_apps.notifications.services import recipients_of
from tests.factories import UserFactory
from tests.factories.approvals import WorkflowFactory
from tests.factories.dealers import headquarters
from tests.factories.ordering import OrderFactory
from tests.notifications.conftest import relay


def told(kind, subject_id=None) -> set[str]:
    rows = Notification.objects.filter(kind=kind)
    if subject_id is not None:
        rows = rows.filter(event__subject_id=str(subject_id))
    return set(rows.values_list("recipient__email", flat=True))


def emailed(kind) -> set[str]:
    return set(Delivery.objects.filter(notification__kind=kind, channel="email")
               .values_list("notification__recipient__email", flat=True))


@pytest.fixture
def chain(world):
    """The world's regional manager over the whole network, a finance approver, and a two-step workflow: the
    regional manager above the dealer, then HQ finance."""
    world.rm.scope_node = headquarters()
    world.rm.save(update_fields=["scope_node"])
    world.finance = UserFactory(email="fin@brand.test", role="finance", preferred_language="en")
    world.escalation = UserFactory(email="director@brand.test", role="admin", preferred_language="zh-hans")
    world.workflow = WorkflowFactory(steps=[
        StepSpec(name="区域经理", approver_roles=["regional_manager"], scope="region", timeout_hours=24,
                 on_timeout="escalate", escalate_to=world.escalation),
        StepSpec(name="总部财务", approver_roles=["finance"], scope="hq")])
    return world


# --- orders and approval steps ------------------------------------------------------------------

def test_a_submitted_order_waits_for_its_steps_approvers_who_get_one_email(chain):
    world = chain
    order = OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 2)])
    relay()
    # the first step (regional managers above the dealer): the world's RM; not the other dealer's RM (no part of
    # the network), not finance (a later step), not the buyer who submitted it
    assert told("approval.waiting", order.pk) == {"rm@brand.test"}
    assert emailed("approval.waiting") == {"rm@brand.test"}
    # order.submitted is the bell only, and the RM already has approval.waiting for this order
    assert told("order.submitted", order.pk) == {"rep@brand.test"}
    assert not emailed("order.submitted") and not emailed("order.approval_started")
    item = Notification.objects.get(recipient=world.rm)
    assert render(item, reader=world.rm).url == f"/console/approvals/orders/{order.pk}/"
    assert render(item, reader=world.rm).body == f"订单 {order.number} 等待您审批：区域经理"
    # the RM approves: the next step waits for HQ finance; the RM (who acted) is not told of it
    approval_decide(actor=world.rm, order=order, decision="approve")
    relay()
    assert told("approval.waiting", order.pk) == {"rm@brand.test", "fin@brand.test"}
    mine = Notification.objects.get(recipient=world.finance, kind="approval.waiting")
    assert render(mine, reader=world.finance).body == f"Order {order.number} is waiting for you: 总部财务"


def test_an_overdue_step_is_escalated_to_its_target(chain):
    world = chain
    order = OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 2)])
    relay()
    assert approvals_escalate_due(now=timezone.now() + timedelta(hours=25)) == 1
    relay()
    assert told("approval.escalated", order.pk) == {"director@brand.test"}
    assert emailed("approval.escalated") == {"director@brand.test"}
    item = Notification.objects.get(recipient=world.escalation)
    text = render(item, reader=world.escalation)
    assert text.title == "审批已升级" and text.url == f"/console/approvals/orders/{order.pk}/"
    assert OutboxEvent.objects.get(kind="approval.escalated").payload["step_user"] == world.escalation.pk


def test_a_named_approver_alone_is_told(world):
    named = UserFactory(email="named@brand.test", role="finance")
    WorkflowFactory(steps=[StepSpec(name="指定审批人", scope="user", approver=named)])
    order = OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 1)])
    relay()
    assert told("approval.waiting", order.pk) == {"named@brand.test"}
    assert told("order.submitted", order.pk) == {"rm@brand.test", "rep@brand.test"}


# --- returns ----------------------------------------------------------------------------------------

def test_a_return_is_told_to_the_dealers_carers_then_to_the_dealer(world):
    from tenant_apps.fulfillment import services as fulfillment
    from tests.factories.fulfillment import ship_everything

    keeper = UserFactory(email="wh@brand.test", role="warehouse")
    order = OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 2)])
    order = fulfillment.order_allocate(actor=keeper, order=order)
    ship_everything(order, type("People", (), {"warehouse": keeper}))
    line = order.lines.first()
    rma = fulfillment.return_request_create(actor=world.buyer, order=order, reason_code="damaged",
                                            reason_text="罐子破了", lines={line.pk: 1})
    fulfillment.return_decide(actor=world.brand_owner, rma=rma, approve=True)
    fulfillment.return_receive(actor=keeper, rma=rma)
    relay()
    assert told("return.requested") == {"rm@brand.test", "rep@brand.test"}
    assert told("return.received") == {"owner@sh.test", world.buyer.email}
    for_rep = Notification.objects.get(recipient=world.rep, kind="return.requested")
    text = render(for_rep, reader=world.rep)
    assert text.body == f"Return {rma.number} of order {order.number}" and text.url == "/console/fulfillment/returns/"
    for_owner = Notification.objects.get(recipient=world.owner, kind="return.received")
    assert render(for_owner, reader=world.owner).url == f"/shipments/orders/{order.pk}/"
    assert not Notification.objects.filter(recipient__in=[world.other_buyer, world.other_rm]).exists()


# --- stock, qualifications, webhooks, invitations -----------------------------------------------------

def test_low_stock_is_told_to_the_stock_keepers_and_the_brand_can_turn_email_off(world):
    from tenant_apps.inventory.models import Stock
    from tenant_apps.inventory.services import low_stock_scan

    keeper = UserFactory(email="wh@brand.test", role="warehouse", preferred_language="en")
    admin = UserFactory(email="admin@brand.test", role="admin")
    preferences.role_preference_set(actor=world.brand_owner, role="admin", kind="stock.low", channel="email",
                                    enabled=False)
    Stock.objects.filter(sku=world.store.sku, warehouse=world.store.east).update(low_threshold=1000)
    low_stock_scan()
    relay()
    # the warehouse and the admins; not the brand's owner (off by default), no dealer, no sales staff
    assert told("stock.low") == {"wh@brand.test", "admin@brand.test"}
    assert emailed("stock.low") == {"wh@brand.test"}  # the brand turned email off for admins
    text = render(Notification.objects.get(recipient=keeper), reader=keeper)
    assert text.title == "Stock low" and text.url == "/console/inventory/"
    assert text.body == f"{world.store.sku.code} at 上海仓: 100 left (alert below 1000)"
    zh = render(Notification.objects.get(recipient=admin), reader=admin, language="zh-hans")
    assert zh.title == "库存不足" and zh.body == f"上海仓 的 {world.store.sku.code}：可用 100（预警线 1000）"


def test_an_expiring_qualification_tells_the_owner_and_the_dealers_carers_in_the_app(world, mailoutbox):
    from tenant_apps.dealers.models import Qualification, QualificationType
    from tenant_apps.dealers.services import qualification_reminders_send

    kind = QualificationType.objects.create(code="LIC", name="营业执照", reminder_days=30)
    today = date(2026, 6, 1)
    Qualification.objects.create(dealer=world.dealer, type=kind, valid_to=today + timedelta(days=10))
    assert qualification_reminders_send(today=today) == 1
    relay()
    assert told("qualification.expiring") == {"owner@sh.test", "rm@brand.test", "rep@brand.test"}
    assert not emailed("qualification.expiring")  # the dealers app mails them itself
    for_rm = Notification.objects.get(recipient=world.rm, kind="qualification.expiring")
    text = render(for_rm, reader=world.rm)
    assert text.body == f"{world.dealer.display_name} 的营业执照将于 2026-06-11 到期"
    assert text.url == f"/console/network/dealers/{world.dealer.pk}/"
    for_owner = Notification.objects.get(recipient=world.owner, kind="qualification.expiring")
    assert render(for_owner, reader=world.owner).url == "/account/company/"


def test_a_webhook_turned_off_is_in_the_admins_bell_only(world):
    admin = UserFactory(email="admin@brand.test", role="admin")
    event_record(kind="webhook.disabled", subject_id=7, subject_ref="https://erp.example/hook",
                 payload={"url": "https://erp.example/hook", "reason": "5 deliveries in a row failed"})
    relay()
    owners_and_admins = set(UserFactory._meta.model.objects.filter(role__in=["owner", "admin"], is_active=True)
                            .values_list("email", flat=True))
    assert told("webhook.disabled") == owners_and_admins >= {"boss@brand.test", "admin@brand.test"}
    assert not Delivery.objects.filter(notification__kind="webhook.disabled").exists()  # webhooks mails itself
    text = render(Notification.objects.get(recipient=admin), reader=admin, language="en")
    assert text.url == "/console/webhooks/7/" and text.body.endswith("5 deliveries in a row failed")


def test_an_invitation_tells_nobody(world):
    from tenant_apps.dealers import services as dealer_services

    dealer_services.invitation_create(actor=world.brand_owner, email="new@sh.test", role="dealer_buyer",
                                      dealer=world.dealer)
    assert [event.kind for event in relay()] == ["invitation.sent"]
    assert not Notification.objects.exists()


# --- promotions and announcements -------------------------------------------------------------------

def test_a_promotion_is_told_to_the_dealers_it_applies_to(world):
    from tests.factories.promotions import PromotionFactory

    only_sh = PromotionFactory(published=True, actor=world.brand_owner, dealers=[world.dealer])
    everyone = PromotionFactory(published=True, actor=world.brand_owner)
    relay()
    assert told("promotion.published", only_sh.pk) == {"owner@sh.test", world.buyer.email}
    assert told("promotion.published", everyone.pk) == {"owner@sh.test", world.buyer.email, "buyer@bj.test"}
    assert not emailed("promotion.published")  # the bell by default
    text = render(Notification.objects.get(recipient=world.owner, event__subject_id=str(only_sh.pk)),
                  reader=world.owner, language="zh-hans")
    assert text.title == "促销已发布" and text.body == only_sh.name and text.url == "/promotions/"


def test_an_announcement_reaches_its_audience_unless_withdrawn_first(world):
    from tenant_apps.announcements import services as announcements

    for_bj = announcements.announcement_create(actor=world.brand_owner, title="北京新仓开业", body="欢迎",
                                               audience="dealers", dealers=[world.other])
    announcements.announcement_publish(actor=world.brand_owner, announcement=for_bj)
    withdrawn = announcements.announcement_create(actor=world.brand_owner, title="撤回的", body="x")
    announcements.announcement_publish(actor=world.brand_owner, announcement=withdrawn)
    announcements.announcement_withdraw(actor=world.brand_owner, announcement=withdrawn, reason="错了")
    relay()
    assert told("announcement.published", for_bj.pk) == {"buyer@bj.test"}
    assert told("announcement.published", withdrawn.pk) == set()
    text = render(Notification.objects.get(recipient=world.other_buyer), reader=world.other_buyer)
    assert text.body == "北京新仓开业" and text.url == f"/announcements/{for_bj.pk}/"


def test_a_person_may_add_email_for_announcements(world):
    from tenant_apps.announcements import services as announcements

    preferences.user_preference_set(actor=world.other_buyer, kind="announcement.published", channel="email",
                                    enabled=True)
    made = announcements.announcement_create(actor=world.brand_owner, title="通知", body="x")
    announcements.announcement_publish(actor=world.brand_owner, announcement=made)
    relay()
    assert emailed("announcement.published") == {"buyer@bj.test"}
    assert {"owner@sh.test", world.buyer.email, "buyer@bj.test"} <= told("announcement.published")


# --- money ------------------------------------------------------------------------------------------

def test_a_payment_is_told_to_the_dealers_owner_and_finance_not_the_actor_nor_whoever_turned_it_off(world):
    from tenant_apps.finance.services import payment_record

    clerk = UserFactory(email="fin@sh.test", role="dealer_finance", dealer=world.dealer, preferred_language="en")
    quiet = UserFactory(email="fin2@sh.test", role="dealer_finance", dealer=world.dealer)
    for channel in ("inapp", "email"):
        preferences.user_preference_set(actor=quiet, kind="payment.received", channel=channel, enabled=False)
    UserFactory(email="fin@bj.test", role="dealer_finance", dealer=world.other)
    entry = payment_record(actor=world.owner, dealer=world.dealer, amount="1200.00", currency="CNY",
                           reference="BANK-9")
    relay()
    # the owner recorded it; the buyer is not a money person by default; the other dealer's finance never
    assert told("payment.received") == {"fin@sh.test"}
    text = render(Notification.objects.get(recipient=clerk), reader=clerk)
    assert text.body == "CN¥1,200.00 received (BANK-9)" and text.url == "/account/finance/ledger/"
    assert render(Notification.objects.get(recipient=clerk), reader=world.rep).url == \
        f"/console/finance/accounts/{world.dealer.pk}/"
    assert str(entry.pk) == Notification.objects.get(recipient=clerk).event.subject_id


@pytest.mark.parametrize(("kind", "subject", "channels"), [
    ("statement.ready", "statement", {"inapp", "email"}),
    ("payment.due", "receivable", {"inapp", "email"}),
    # SMS, and WeChat and web push wherever SMS goes (sent only to those who linked WeChat or subscribed a browser)
    ("payment.overdue", "receivable", {"inapp", "email", "sms", "wechat", "push"}),
])
def test_the_dealers_money_people_hear_of_statements_and_reminders(world, kind, subject, channels):
    clerk = UserFactory(email="fin@sh.test", role="dealer_finance", dealer=world.dealer)
    UserFactory(email="fin@bj.test", role="dealer_finance", dealer=world.other)
    event = event_record(kind=kind, subject_id=5, subject_ref="X-1", dealer_id=world.dealer.pk, payload={
        "period": "2026-11", "reference": "SO-1", "dealer": "上海", "open": "10.00", "currency": "CNY",
        "due_on": "2026-12-02"})
    # the owner and the finance clerk of that dealer; not its buyer, nobody of the other dealer, no staff
    assert recipients_of([event]) == {event.id: {world.owner.pk: channels, clerk.pk: channels}}


# --- a constant number of queries ---------------------------------------------------------------------

def test_working_out_the_recipients_takes_the_same_queries_for_1_or_20_events(chain):
    from tests.factories.promotions import PromotionFactory

    world = chain
    promotions = [PromotionFactory(published=True, actor=world.brand_owner) for _ in range(2)]
    orders = [OrderFactory(actor=world.buyer, dealer=world.dealer, lines=[(world.store.sku, 1)]) for _ in range(2)]
    relay()
    kinds = {"webhook.disabled": {}, "stock.low": {}, "payment.due": {"dealer_id": world.dealer.pk},
             "announcement.published": {"payload": {"dealer_ids": [world.dealer.pk, world.other.pk]}},
             "qualification.expiring": {"dealer_id": world.other.pk}}

    def batch(size: int) -> list:
        events = []
        for n in range(size):
            for kind, extra in kinds.items():
                events.append(event_record(kind=kind, subject_id=n + 1, **extra))
            events.append(event_record(kind="promotion.published", subject_id=promotions[n % 2].pk))
            order = orders[n % 2]
            events.append(event_record(kind="approval.waiting", subject_id=order.pk, dealer_id=world.dealer.pk,
                                       payload={"step_roles": ["regional_manager"], "step_scope": "region"}))
            events.append(event_record(kind="order.cancelled", subject_id=order.pk, dealer_id=world.dealer.pk))
        return events

    one, twenty = batch(1), batch(20)
    with CaptureQueriesContext(connection) as small:
        told_one = recipients_of(one)
    with CaptureQueriesContext(connection) as large:
        told_twenty = recipients_of(twenty)
    assert len(large.captured_queries) == len(small.captured_queries) <= 8
    assert sum(len(people) for people in told_twenty.values()) == 20 * sum(len(p) for p in told_one.values())
