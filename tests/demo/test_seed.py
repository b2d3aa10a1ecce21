"""The demo seed stays alive: `make run` shows a network of at least 3 levels and 50 dealers per brand, a catalog,
prices, promotions, approval chains and orders in every state.

The brand is seeded once for the module, every step through the services as `make run` does it, in a transaction
rolled back when the module ends (seeding it again for each test cost ~25 s of the test run); each test checks one
step on it and that running that step again changes nothing.
"""

from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import translation
from django_tenants.utils import schema_context

from billing_saas.models import Plan
from shared_apps.demo.network import seed_network
from tenant_apps.accounts.models import User
from tenant_apps.dealers.models import Dealer, Node
from tenants.models import Tenant


def _storage_forget():
    from django.core.files.storage import storages

    storages["default"].__dict__.pop("relative_media_root", None)  # see conftest.media_root


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    from shared_apps.demo.approvals import seed_approvals
    from shared_apps.demo.catalog import seed_catalog
    from shared_apps.demo.orders import seed_orders
    from shared_apps.demo.pricing import seed_pricing
    from shared_apps.demo.promotions import seed_promotions

    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("demo-media")))
    media.enable()
    _storage_forget()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock(), translation.override("en"):
            tenant = Tenant.objects.get(slug="acme")
            Tenant.objects.filter(pk=tenant.pk).update(plan=Plan.objects.get(code="growth"))
            with schema_context(tenant.schema_name):
                lines = seed_network(slug="acme", password="acme-demo-2026", brand_word="饮料")
                seed_catalog(brand_slug="acme", kind="drinks")
                seed_pricing(brand_slug="acme")
                seed_promotions(brand_slug="acme")
                seed_approvals(brand_slug="acme")
                seed_orders(brand_slug="acme")
        yield SimpleNamespace(tenant=tenant, lines=lines)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            connection.set_schema_to_public()
        media.disable()
        _storage_forget()


def test_demo_network_has_three_levels_fifty_dealers_and_people_in_roles(demo, db, in_tenant):
    with in_tenant(demo.tenant):
        assert Dealer.objects.count() == 54
        depths = {node.path.count(".") for node in Node.objects.all()}
        assert depths == {0, 1, 2, 3}  # HQ -> region -> provincial agent -> city dealer
        assert set(User.objects.values_list("role", flat=True)) >= {
            "owner", "admin", "finance", "sales_rep", "regional_manager", "dealer_owner"}
        assert seed_network(slug="acme", password="acme-demo-2026", brand_word="饮料") == demo.lines  # idempotent
        assert Dealer.objects.count() == 54


def test_demo_catalog_has_500_skus_with_images_in_two_warehouses(demo, db, in_tenant):
    from shared_apps.demo.catalog import seed_catalog
    from tenant_apps.catalog.models import Product, ProductImage, Sku
    from tenant_apps.inventory.models import Stock, Warehouse
    from tenant_apps.inventory.selectors import ledger_mismatches

    with in_tenant(demo.tenant):
        assert Sku.objects.count() == 500
        assert Product.objects.count() == ProductImage.objects.count() == 100
        assert Warehouse.objects.count() == 2
        assert Stock.objects.values("sku").distinct().count() == 500
        assert ledger_mismatches() == []
        image = ProductImage.objects.first()
        assert image.thumbnail.name.endswith(".jpg") and image.image.size > 0
        seed_catalog(brand_slug="acme", kind="drinks")  # idempotent
        assert Sku.objects.count() == 500


def test_demo_prices_tier_a_cheapest_and_compensation_owed(demo, db, in_tenant):
    from shared_apps.demo.pricing import seed_pricing
    from tenant_apps.catalog.models import Sku
    from tenant_apps.pricing.models import PriceEntry, PriceList, ProtectionCompensation
    from tenant_apps.pricing.selectors import dealer_prices

    with in_tenant(demo.tenant):
        base = PriceList.objects.get(code="BASE")
        assert PriceEntry.objects.filter(price_list=base, min_quantity=1).count() == Sku.objects.count() == 500
        assert PriceEntry.objects.filter(price_list=base, min_quantity__gt=1).count() == 500  # quantity breaks
        assert set(PriceList.objects.values_list("kind", flat=True)) == {"base", "tier", "region", "contract"}
        sku = Sku.objects.order_by("-code").first()  # not in the region or contract lists
        by_tier = {}
        for dealer in Dealer.objects.filter(tier__code__in="ABC").exclude(territories__code__in=PriceList.objects.filter(
                kind="region").values("territory__code")).select_related("tier"):
            by_tier.setdefault(dealer.tier.code, dealer_prices(dealer, [sku.pk])[sku.pk].unit_price)
        assert by_tier["A"] < by_tier["B"] < by_tier["C"]
        owed = ProtectionCompensation.objects.get()
        assert owed.status == "owed" and owed.amount > 0
        seed_pricing(brand_slug="acme")  # idempotent
        assert ProtectionCompensation.objects.count() == 1


def test_demo_has_orders_in_every_state_made_through_the_services(demo, db, in_tenant):
    from shared_apps.demo.orders import seed_orders
    from tenant_apps.inventory.selectors import ledger_mismatches
    from tenant_apps.ordering.models import Order, OrderStatus

    with in_tenant(demo.tenant):
        assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
        assert Order.objects.filter(backorder_of__isnull=False, status="submitted").exists()
        assert ledger_mismatches() == []
        count = Order.objects.count()
        seed_orders(brand_slug="acme")  # idempotent
        assert Order.objects.count() == count


def test_seed_demo_names_the_brands_it_knows_when_asked_for_another():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="invalid choice: 'initech'.*'acme', 'globex'"):
        call_command("seed_demo", "--brand", "initech")
