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
