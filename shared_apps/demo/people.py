"""Demo: a dealer that runs its own people (dealers.people). The demo dealer's owner (dealer@<slug>.test) invited a
buyer who sees no prices and whose orders above an amount wait for the owner's approval; one such order waits.
Through the services, as the owner would on My company > People; idempotent (nothing if the buyer exists)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from shared_apps.demo.fulfillment import say
from shared_apps.demo.orders import _lines
from tenant_apps.accounts import invitations
from tenant_apps.accounts.models import User
from tenant_apps.catalog.selectors import sku_search
from tenant_apps.dealers import people
from tenant_apps.dealers import services as dealer_services
from tenant_apps.inventory.selectors import availability_for
from tenant_apps.ordering.submission import order_submit
from tenant_apps.pricing.selectors import dealer_prices

LIMIT = Decimal("2000")


@transaction.atomic
def seed_dealer_people(*, brand_slug: str, password: str) -> list[str]:
    owner = User.objects.filter(email=f"dealer@{brand_slug}.test", role="dealer_owner").first()
    email = f"buyer.noprice@{brand_slug}.test"
    if owner is None or User.objects.filter(email=email).exists():
        return []
    _invitation, raw = dealer_services.invitation_create(actor=owner, email=email, role="dealer_buyer")
    buyer = invitations.invitation_accept(raw_token=raw, full_name=say("小陈（采购）", "Chen (buyer)"),
                                          password=password)
    buyer = people.person_rights_set(actor=owner, user_id=buyer.pk, order=True, see_prices=False, pay=False,
                                     approve=False, approval_limit=LIMIT)
    dealer = owner.dealer
    candidates = list(sku_search(dealer=dealer).order_by("code")[:200])
    prices = dealer_prices(dealer, [sku.pk for sku in candidates])
    stock = {sku_id: available for sku_id, (available, _low) in availability_for([s.pk for s in candidates]).items()}
    skus = [sku for sku in candidates if sku.pk in prices and stock.get(sku.pk, 0) >= 500]
    if skus and dealer.addresses.filter(kind="shipping").exists():
        # above the buyer's limit: waits on the owner's "My orders" for the internal approval
        order_submit(actor=buyer, dealer=dealer, lines=_lines(skus, prices, 40, 2, LIMIT * 2))
    return [f"  dealer buyer without prices, internal approval above {LIMIT}: {email} / {password}"]
