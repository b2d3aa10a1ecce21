"""Events emitted by the services that cause them, in their transaction."""

from tenant_apps.dealers import services as dealer_services
from tenant_apps.events.models import OutboxEvent
from tests.factories.promotions import PromotionFactory


def test_publishing_a_promotion_emits_promotion_published(world):
    promotion = PromotionFactory(published=True)
    event = OutboxEvent.objects.get(kind="promotion.published", subject_id=str(promotion.pk))
    assert event.subject_type == "promotion" and event.subject_ref == promotion.name[:64]


def test_inviting_someone_emits_invitation_sent(world):
    invitation, _raw = dealer_services.invitation_create(actor=world.brand_owner, email="new@sh.test",
                                                         role="dealer_buyer", dealer=world.dealer)
    event = OutboxEvent.objects.get(kind="invitation.sent", subject_id=str(invitation.pk))
    assert event.dealer_id == world.dealer.pk and event.actor_id == world.brand_owner.pk
    assert event.payload == {"role": "dealer_buyer"}


def test_a_low_stock_alert_emits_stock_low(world):
    from tenant_apps.inventory.models import Stock
    from tenant_apps.inventory.services import low_stock_scan

    stock = Stock.objects.get(sku=world.store.sku, warehouse=world.store.east)
    Stock.objects.filter(pk=stock.pk).update(low_threshold=1000)
    low_stock_scan()
    event = OutboxEvent.objects.get(kind="stock.low", subject_id=str(stock.pk))
    assert event.payload["sku_id"] == world.store.sku.pk and event.payload["threshold"] == "1000"
    low_stock_scan()  # the alert is open: no second event
    assert OutboxEvent.objects.filter(kind="stock.low", subject_id=str(stock.pk)).count() == 1


def test_a_payment_emits_payment_received(world):
    from tenant_apps.finance.services import payment_record

    entry = payment_record(actor=world.brand_owner, dealer=world.dealer, amount="100.00", currency="CNY",
                           reference="BANK-1")
    event = OutboxEvent.objects.get(kind="payment.received", subject_id=str(entry.pk))
    assert (event.dealer_id, event.subject_ref, event.payload) == (
        world.dealer.pk, "BANK-1", {"amount": "100.00", "currency": "CNY"})
