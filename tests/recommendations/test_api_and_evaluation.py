"""The recommendations API (a dealer's blocks with reasons, scoped; the brand's switches, audited, with field
errors for bad input) and the held-out evaluation on generated orders with known structure (co-purchased pairs,
region x tier preferences), where the model must beat "most popular"."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from rest_framework.authtoken.models import Token

from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditEntry
from tenant_apps.ordering import services as cart
from tenant_apps.ordering.models import Order, OrderLine, OrderStatus
from tenant_apps.recommendations.evaluation import holdout
from tenant_apps.recommendations.models import RecommendationSettings
from tests.conftest import host_client
from tests.factories.dealers import DealerFactory


def _api(user, tenant, in_tenant):
    with in_tenant(tenant):
        key = Token.objects.get_or_create(user=user)[0].key
    return host_client("acme.localhost", HTTP_AUTHORIZATION=f"Token {key}")


def _owner(tenant, in_tenant):
    with in_tenant(tenant):
        return User.objects.get(email="owner@acme.test")


def test_a_dealer_reads_its_own_recommendations_whatever_dealer_it_names(shop, in_tenant):
    with in_tenant(shop.tenant):
        usual = shop.sku("USUAL")
        for days in (60, 50, 40):
            shop.order("me", usual, days_ago=days)
        for days in (3, 4):
            shop.order("peer1", usual, days_ago=days)
    mine = _api(shop.buyers["me"], shop.tenant, in_tenant)
    own = mine.get("/api/v1/recommendations/").json()
    lapsed = next(block for block in own if block["block"] == "lapsed")
    assert lapsed["items"][0]["code"] == "USUAL" and lapsed["items"][0]["figures"]["interval"] == 10
    assert lapsed["items"][0]["reason"].startswith("You ordered it about every 10 days (3 orders)")
    # naming another dealer changes nothing: a dealer reads only its own
    other = mine.get(f"/api/v1/recommendations/?dealer={shop.dealers['peer1'].pk}").json()
    assert other == own
    peer = _api(shop.buyers["peer1"], shop.tenant, in_tenant).get("/api/v1/recommendations/").json()
    assert "lapsed" not in {block["block"] for block in peer}


def test_brand_staff_name_a_dealer_in_their_scope(shop, in_tenant, tenant_b):
    with in_tenant(shop.tenant):
        shop.sku("FRESH")
    owner = _api(_owner(shop.tenant, in_tenant), shop.tenant, in_tenant)
    found = owner.get(f"/api/v1/recommendations/?dealer={shop.dealers['me'].pk}")
    assert found.status_code == 200 and "new" in {block["block"] for block in found.json()}
    missing = owner.get("/api/v1/recommendations/")
    assert missing.status_code == 400 and missing.json()["fields"] == {"dealer": ["Enter a dealer id."]}
    assert owner.get("/api/v1/recommendations/?dealer=999999").status_code == 404
    bad_place = owner.get(f"/api/v1/recommendations/?dealer={shop.dealers['me'].pk}&place=attic")
    assert bad_place.status_code == 400 and "place" in bad_place.json()["fields"]
    me = shop.dealers["me"].pk
    for product in ("", "¹", "99999999999999999999"):
        bad_product = owner.get(f"/api/v1/recommendations/?dealer={me}&place=product&product={product}")
        assert bad_product.status_code == 400 and bad_product.json()["fields"] == {"product": ["Enter a product id."]}


def test_switches_are_read_and_patched_by_the_brand_with_an_audit_entry(shop, in_tenant):
    owner_user = _owner(shop.tenant, in_tenant)
    owner = _api(owner_user, shop.tenant, in_tenant)
    assert owner.get("/api/v1/recommendations/settings/").json() == {
        "together": True, "similar": True, "lapsed": True, "new": True, "promotions": True}
    changed = owner.patch("/api/v1/recommendations/settings/", {"lapsed": False}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["lapsed"] is False and changed.json()["new"] is True
    refused = owner.patch("/api/v1/recommendations/settings/", {"new": "perhaps"}, content_type="application/json")
    assert refused.status_code == 400 and "new" in refused.json()["fields"]
    dealer = _api(shop.buyers["me"], shop.tenant, in_tenant)
    assert dealer.patch("/api/v1/recommendations/settings/", {"new": False},
                        content_type="application/json").status_code == 403
    with in_tenant(shop.tenant):
        settings = RecommendationSettings.objects.get()
        assert (settings.lapsed, settings.new) == (False, True)
        entry = AuditEntry.objects.get(action="recommendations.settings.updated")
        assert entry.actor_id == owner_user.pk and entry.before["lapsed"] is True and entry.after["lapsed"] is False


def _generated_history(shop, *, cutoff, seed: int = 26) -> int:
    """Orders with known structure, written as rows (hundreds of orders; the bench generates its history the
    same way): 3 co-purchased pairs (the partner follows the first line in 80% of orders), each region x tier
    group with 3 SKUs of its own it often adds, and 2 SKUs every dealer adds half the time (what "most popular"
    ranks first). 16 weeks before `cutoff`, 4 after. Returns the held-out orders with 2+ SKUs."""
    rng = random.Random(seed)
    skus = [shop.sku(f"G{number:02d}") for number in range(20)]
    pairs = [(skus[0], skus[1]), (skus[2], skus[3]), (skus[4], skus[5])]
    fillers = [skus[18], skus[19]]
    dealers = list(shop.dealers.values())
    dealers += [DealerFactory(parent=region, code=f"D-GEN{number}", legal_name=f"经销商 GEN{number}", tier=tier,
                              territories=[shop.base.shanghai], status="active")
                for number, (region, tier) in enumerate([(shop.east, shop.tier_b), (shop.west, shop.tier_a),
                                                         (shop.west, shop.tier_b), (shop.west, shop.tier_b)])]
    groups = {(shop.east.pk, shop.tier_a.pk): skus[6:9], (shop.east.pk, shop.tier_b.pk): skus[9:12],
              (shop.west.pk, shop.tier_a.pk): skus[12:15], (shop.west.pk, shop.tier_b.pk): skus[15:18]}
    region_of = {dealer.pk: (shop.east if dealer.node.parent_id == shop.east.pk else shop.west).pk
                 for dealer in dealers}
    start = cutoff - timedelta(weeks=16)
    orders, lines, held = [], [], 0
    for week in range(20):
        for dealer in dealers:
            for _repeat in range(2):
                first, partner = rng.choice(pairs)
                chosen = [first]
                if rng.random() < 0.8:
                    chosen.append(partner)
                preferred = groups[(region_of[dealer.pk], dealer.tier_id)]
                if rng.random() < 0.7:
                    chosen.append(rng.choice(preferred))
                chosen += [filler for filler in fillers if rng.random() < 0.5 and filler not in chosen]
                day = start + timedelta(weeks=week, days=rng.randrange(5))
                at = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) + timedelta(
                    hours=10)
                orders.append(Order(number=f"GEN{len(orders):06d}", dealer=dealer, status=OrderStatus.APPROVED,
                                    currency="CNY", submitted_at=at))
                lines.append(chosen)
                held += week >= 16 and len(set(chosen)) >= 2
    Order.objects.bulk_create(orders)
    OrderLine.objects.bulk_create([
        OrderLine(order=order, line_no=number, sku=sku, unit=shop.base.can, quantity=1, unit_price=Decimal("5"),
                  gross=Decimal("5"), net=Decimal("5"))
        for order, chosen in zip(orders, lines, strict=True) for number, sku in enumerate(chosen, start=1)])
    return held


def test_the_model_beats_most_popular_on_held_out_orders(shop, in_tenant):
    with in_tenant(shop.tenant):
        today = timezone.localdate()
        cutoff = today - timedelta(days=today.weekday()) - timedelta(weeks=5)
        held = _generated_history(shop, cutoff=cutoff)
        result = holdout(cutoff=cutoff, weeks=4, k=5)
    assert result["orders"] == held
    assert result["model_hit_rate"] > result["popular_hit_rate"] + 0.05, result
    assert 0 <= result["popular_hit_rate"] < result["model_hit_rate"] <= 1


def test_a_cart_line_does_not_break_the_evaluation(shop, in_tenant):
    """The evaluation reads history only: a dealer's open cart is not an order."""
    with in_tenant(shop.tenant):
        item = shop.sku("CARTONLY")
        cart.cart_line_set(actor=shop.buyers["me"], dealer=shop.dealers["me"], sku_id=item.pk, quantity=1)
        today = timezone.localdate()
        result = holdout(cutoff=today - timedelta(days=today.weekday()), weeks=4, k=5)
    assert result["orders"] == 0 and result["model_hit_rate"] == 0.0
