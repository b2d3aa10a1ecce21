"""The demo seed stays alive: `make run` shows a network of at least 3 levels and 50 dealers per brand, a catalog,
prices, promotions, approval chains and orders in every state; and it looks real: each brand sells its own products
in its own language, each with a picture, and a larger pack always costs more.

Both brands are seeded once for the module (Acme in zh-Hans in tenant A, Globex in English in tenant B), every step
through the services as `make run` does it, in a transaction rolled back when the module ends (seeding again for
each test cost ~25 s of the test run); each test checks one step on it and that running that step again changes
nothing.
"""

import json
import re
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.test import override_settings
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from billing_saas.stripe_fake import FakeStripe
from shared_apps.demo.network import seed_network
from tenant_apps.accounts.models import User
from tenant_apps.dealers.models import Dealer, Node
from tenants.models import Tenant
from tests.factories.billing import on_plan


def _storage_forget():
    from django.core.files.storage import storages

    storages["default"].__dict__.pop("relative_media_root", None)  # see conftest.media_root


def _seed(brand, tenant):
    """The brand's demo as `seed_demo` makes it: network, catalog, prices, promotions, approvals, orders."""
    from shared_apps.demo.seed import seed_tenant

    on_plan(tenant, "growth")
    with schema_context(tenant.schema_name), translation.override(brand.locale):
        return seed_tenant(brand)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    from shared_apps.demo.seed import BRANDS

    brands = {brand.slug: brand for brand in BRANDS}
    # the brands' Stripe is connected to a fake (test mode), as `make run` connects them to its local one
    fake = FakeStripe(webhook_secret="whsec_demo", delivery="hold").start()
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("demo-media")), STRIPE_SECRET_KEY="sk_test_demo",
                              STRIPE_API_BASE=fake.url, STRIPE_FAKE=False)
    media.enable()
    _storage_forget()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock():
            tenant, globex = Tenant.objects.get(slug="acme"), Tenant.objects.get(slug="globex")
            lines = _seed(brands["acme"], tenant)
            _seed(brands["globex"], globex)
            connection.check_constraints()  # once, not again at the end of every test (tests/conftest.building_in)
        yield SimpleNamespace(tenant=tenant, globex=globex, lines=lines, fake=fake)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            connection.set_schema_to_public()
        media.disable()
        _storage_forget()
        fake.stop()


def test_demo_network_has_three_levels_fifty_dealers_and_people_in_roles(demo, db, in_tenant):
    with in_tenant(demo.tenant):
        assert Dealer.objects.count() == 54
        depths = {node.path.count(".") for node in Node.objects.all()}
        assert depths == {0, 1, 2, 3}  # HQ -> region -> provincial agent -> city dealer
        assert set(User.objects.values_list("role", flat=True)) >= {
            "owner", "admin", "finance", "sales_rep", "regional_manager", "dealer_owner"}
        again = seed_network(slug="acme", password="acme-demo-2026", brand_word="饮料", brand_name="Acme 饮料集团")
        assert again == demo.lines[:len(again)]  # idempotent
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
        seed_catalog(brand_slug="acme")  # idempotent
        assert Sku.objects.count() == 500


def test_demo_prices_tier_a_cheapest_and_compensation_owed(demo, db, in_tenant):
    from shared_apps.demo.pricing import seed_pricing
    from tenant_apps.catalog.models import Sku
    from tenant_apps.pricing.models import PriceEntry, PriceList, ProtectionCompensation
    from tenant_apps.pricing.selectors import dealer_prices

    with in_tenant(demo.tenant):
        base = PriceList.objects.get(code="BASE")
        assert Sku.objects.count() == 500
        assert PriceEntry.objects.filter(price_list=base, min_quantity=1).count() == 1000  # by the unit, by the case
        assert PriceEntry.objects.filter(price_list=base, min_quantity__gt=1).count() == 1000  # quantity breaks
        assert set(PriceList.objects.values_list("kind", flat=True)) == {"base", "tier", "region", "contract"}
        sku = Sku.objects.order_by("-code").first()  # not in the region or contract lists
        by_tier = {}
        for dealer in Dealer.objects.filter(tier__code__in="ABC").exclude(
                territories__code__in=PriceList.objects.filter(kind="region").values("territory__code"),
        ).select_related("tier"):
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
        # 防窜货: one order shipped to a depot outside the dealer's territories, flagged for HQ (the brand flags)
        [flagged] = Order.objects.filter(outside_territory=True)
        assert (flagged.dealer.code, flagged.shipping_address["outside_territory"]) == ("SH-A01", True)
        assert flagged.events.filter(kind="note", data__outside_territory=True).count() == 1
        assert ledger_mismatches() == []
        count = Order.objects.count()
        seed_orders(brand_slug="acme")  # idempotent
        assert Order.objects.count() == count


def test_seed_demo_names_the_brands_it_knows_when_asked_for_another():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="invalid choice: 'initech'.*'acme', 'globex'"):
        call_command("seed_demo", "--brand", "initech")


CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _texts(*querysets_and_fields):
    """Every value of these fields, for the language checks."""
    texts = []
    for queryset, fields in querysets_and_fields:
        for row in queryset.values_list(*fields):
            texts += [str(value) for value in row]
    return texts


def _shown_texts():
    """What the demo wrote that people read: catalog, network, people, prices, promotions, approvals, orders."""
    from tenant_apps.accounts.models import User
    from tenant_apps.approvals.models import ApprovalStep, ApprovalWorkflow, AutoApprovalRule
    from tenant_apps.catalog.models import Category, Product, Series, Sku, Unit
    from tenant_apps.dealers.models import DealerAddress, DealerContact, QualificationType, Tier
    from tenant_apps.fulfillment.models import Carrier, ReturnRequest, TrackingEvent
    from tenant_apps.inventory.models import Warehouse
    from tenant_apps.ordering.models import Order
    from tenant_apps.pricing.models import PriceList, ProtectionWindow
    from tenant_apps.promotions.models import Promotion

    used_units = set(Sku.objects.values_list("base_unit", flat=True)) | set(
        Sku.objects.values_list("units__unit", flat=True))
    texts = _texts(
        (Category.objects.all(), ("name", "name_en")), (Series.objects.all(), ("name",)),
        (Product.objects.all(), ("name", "name_en", "specifications")), (Sku.objects.all(), ("name", "attributes")),
        (Unit.objects.filter(pk__in=used_units), ("name",)), (Warehouse.objects.all(), ("name",)),
        (Dealer.objects.all(), ("name", "legal_name", "bank_name")), (Node.objects.all(), ("name",)),
        (DealerAddress.objects.all(), ("recipient", "line", "label")), (DealerContact.objects.all(), ("name",)),
        (Tier.objects.all(), ("name",)), (QualificationType.objects.all(), ("name",)),
        (User.objects.all(), ("full_name",)), (PriceList.objects.all(), ("name",)),
        (ProtectionWindow.objects.all(), ("name",)), (Promotion.objects.all(), ("name", "description")),
        (ApprovalWorkflow.objects.all(), ("name",)), (ApprovalStep.objects.all(), ("name",)),
        (AutoApprovalRule.objects.all(), ("name",)), (Carrier.objects.all(), ("name",)),
        (TrackingEvent.objects.all(), ("description", "location")), (ReturnRequest.objects.all(), ("reason_text",)),
    )
    assert Order.objects.exists() and len(texts) > 1000
    return texts


def test_globex_is_an_english_brand_with_no_chinese_in_what_it_shows(demo, db, in_tenant):
    with in_tenant(demo.globex):
        chinese = [text for text in _shown_texts() if CJK.search(text)]
        assert chinese == []
        from tenant_apps.catalog.models import Product

        assert Product.objects.get(code="CARRARA-01").name == "Carrara White"
        assert Product.objects.get(code="LUMEN-02").skus.order_by("code").first().name == "Lumen Ivory 600x600 mm"


def test_acme_sells_its_own_lines_in_chinese_and_no_third_party_brand(demo, db, in_tenant):
    from tenant_apps.catalog.models import Product

    with in_tenant(demo.tenant):
        products = list(Product.objects.select_related("series"))
        assert len(products) == 100 and all(p.series is not None and p.name.startswith(p.series.name)
                                            for p in products)
        assert all(CJK.search(p.name) and p.name_en.startswith("Acme ") for p in products)
        names = " ".join(p.name for p in products)
        for other in ("红牛", "可口可乐", "百事", "雪碧", "芬达", "农夫", "怡宝", "百岁山", "康师傅", "统一", "汇源",
                      "美汁源", "东鹏", "魔爪", "三得利", "东方树叶"):
            assert other not in names
        assert Product.objects.get(code="SPRING-01").name == "艾可山泉 天然矿泉水"


@pytest.mark.parametrize("brand", ["acme", "globex"])
def test_a_larger_pack_always_costs_more_and_a_case_its_units_less_a_small_discount(brand, demo, db, in_tenant):
    """Every seeded SKU, in every price list: each pack size of a product costs more than the one before it, and
    a case costs between 95% and 100% of its units one by one (never less than one unit fewer). A dealer's own
    prices follow."""
    from tenant_apps.catalog.models import Sku, SkuUnit
    from tenant_apps.pricing.engine import price_book_load
    from tenant_apps.pricing.models import PriceEntry
    from tenant_apps.pricing.quote_types import CartLine
    from tenant_apps.pricing.selectors import dealer_context

    with in_tenant(demo.tenant if brand == "acme" else demo.globex):
        cases = {row.sku_id: row for row in SkuUnit.objects.all()}
        skus = list(Sku.objects.order_by("product_id", "code").values_list("pk", "product_id", "base_unit_id"))
        assert len(skus) == len(cases) == 500
        unit_prices, case_prices = {}, {}
        for entry in PriceEntry.objects.filter(min_quantity=1):
            target = case_prices if entry.unit_id == cases[entry.sku_id].unit_id else unit_prices
            target[entry.price_list_id, entry.sku_id] = entry.price
        assert len(unit_prices) == len(case_prices) > 500
        for (price_list, sku_id), price in unit_prices.items():
            factor = cases[sku_id].factor
            case = case_prices[price_list, sku_id]
            assert price * (factor - 1) < case <= price * factor
            assert case >= price * factor * Decimal("0.95")
        rising = 0
        for (pk, product, _unit), (next_pk, next_product, _next_unit) in zip(skus, skus[1:], strict=False):
            if product == next_product:
                for price_list in {pl for pl, sku in unit_prices if sku == pk}:
                    assert unit_prices[price_list, pk] < unit_prices[price_list, next_pk]
                    rising += 1
        assert rising >= 400 * 4  # each of the 4 steps of 100 products, in every list that prices them

        dealer = Dealer.objects.get(code="D310104-1")
        book = price_book_load(dealer_context(dealer, None), [pk for pk, _p, _u in skus])
        for index, (pk, _product, unit) in enumerate(skus[:50]):
            one = book.price(CartLine(sku_id=pk, unit_id=unit, quantity=1), index).unit_price
            case = book.price(CartLine(sku_id=pk, unit_id=cases[pk].unit_id, quantity=1), index).unit_price
            assert one * (cases[pk].factor - 1) < case <= one * cases[pk].factor


@pytest.mark.parametrize("brand", ["acme", "globex"])
def test_every_product_has_a_drawn_picture_of_itself_in_the_brand_colour(brand, demo, db, in_tenant):
    from PIL import Image

    from tenant_apps.catalog.models import Product, ProductImage

    tenant = demo.tenant if brand == "acme" else demo.globex
    colour = {"acme": (0xD9, 0x28, 0x2F), "globex": (0x0E, 0x7C, 0x66)}[brand]
    with in_tenant(tenant):
        assert not Product.objects.filter(images__isnull=True).exists()
        images = list(ProductImage.objects.select_related("product").order_by("product__code")[::25])
        for row in images:
            with row.image.open("rb") as file, Image.open(file) as picture:
                colours = picture.convert("RGB").getcolors(maxcolors=1 << 16)
            assert picture.size == (480, 480) and len(colours) > 50  # a drawing, not a flat square
            label = sum(count for count, rgb in colours
                        if all(abs(a - b) <= 6 for a, b in zip(rgb, colour, strict=True)))
            assert label > 480 * 480 * 0.02, row.product.code  # the brand-coloured label


def test_demo_audit_log_shows_what_the_seed_did_in_each_readers_scope(demo, db, in_tenant):
    from django.conf import settings as django_settings
    from django.test import Client

    from tenant_apps.audit.models import AuditEntry
    from tenant_apps.console.selectors import audit_entry_list
    from tenant_apps.dealers.selectors import dealers_visible_to
    from tenant_apps.ordering.models import Order

    with in_tenant(demo.tenant):
        submitted = AuditEntry.objects.filter(action="ordering.order.submitted").count()
        assert submitted == Order.objects.count() > 0
        owner = User.objects.filter(role="owner").order_by("pk").first()
        manager = User.objects.filter(role="regional_manager").order_by("pk").first()
        theirs = list(audit_entry_list(actor=manager).values_list("dealer_id", flat=True))
        visible = set(dealers_visible_to(manager).values_list("pk", flat=True))
        assert theirs and set(theirs) <= visible < set(Dealer.objects.values_list("pk", flat=True))
        client = Client(HTTP_HOST="acme.localhost", HTTP_ACCEPT_LANGUAGE="en")
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
        client.force_login(owner)  # the session lives in the tenant's schema
    response = client.get("/console/audit/?subject=ordering.order")
    connection.set_schema_to_public()
    assert response.status_code == 200 and "Order · Submitted" in response.content.decode()


def test_demo_brands_sit_on_different_plans_in_different_states_and_seeding_again_changes_nothing(db):
    """Each demo brand as `seed_demo` leaves it (the two without data provisioned here): acme on growth paid by card
    with a special invoice issued, globex on enterprise paid a year ahead by Alipay with an invoice issued, yunshan in
    its starter trial, jinlong past due after its card was declined; the tenant rows mirror it."""
    from billing_saas.models import InvoiceRequest, PrepaidPayment, Subscription, SubscriptionChange
    from shared_apps.demo.billing import seed_billing
    from shared_apps.demo.seed import BRANDS, brand_ensure
    from tests.conftest import host_client
    from tests.factories import DEFAULT_PASSWORD

    def seed_all():
        return {brand.slug: seed_billing(tenant=brand_ensure(brand), billing_plan=brand.billing,
                                         owner_email=brand.owner_email) for brand in BRANDS}

    where = seed_all()
    connection.set_schema_to_public()
    assert where == {"acme": "growth monthly, active", "globex": "enterprise yearly, active",
                     "yunshan": "starter monthly, trialing", "jinlong": "starter monthly, past_due"}
    subscriptions = {s.tenant.slug: s for s in Subscription.objects.select_related("tenant", "plan")}
    rows = {slug: (s.plan.code, s.interval, s.state, s.renewal, s.tenant.plan_id == s.plan_id, s.tenant.billing_state)
            for slug, s in subscriptions.items()}
    assert rows == {
        "acme": ("growth", "month", "active", "card", True, ""),
        "globex": ("enterprise", "year", "active", "prepaid", True, ""),
        "yunshan": ("starter", "month", "trialing", "", True, ""),
        "jinlong": ("starter", "month", "past_due", "card", True, "past_due"),
    }
    assert (subscriptions["acme"].stripe_customer_id, subscriptions["acme"].stripe_subscription_id) == ("", "")
    assert subscriptions["globex"].current_period_end > subscriptions["globex"].current_period_start + timedelta(
        days=364)
    [prepaid] = PrepaidPayment.objects.all()
    assert (prepaid.subscription.tenant.slug, prepaid.method, prepaid.status, prepaid.amount, prepaid.periods) == (
        "globex", "alipay", "succeeded", Decimal("199990.00"), 1)
    invoices = {i.subscription.tenant.slug: i for i in InvoiceRequest.objects.select_related("subscription__tenant")}
    assert {slug: (i.kind, i.status, i.payment_ref, i.amount, len(i.number)) for slug, i in invoices.items()} == {
        "acme": ("special", "issued", "in_DemoAcme0001", Decimal("6999.00"), 20),
        "globex": ("ordinary", "issued", f"prepaid:{prepaid.pk}", Decimal("199990.00"), 20),
    }
    # what the history holds for the past-due brand: paid, then the renewal declined (through the services)
    jinlong = SubscriptionChange.objects.filter(subscription=subscriptions["jinlong"]).order_by("id")
    assert [change.action for change in jinlong] == [
        "billing.subscription.started", "billing.subscription.activated", "billing.subscription.payment_failed"]

    counts = (SubscriptionChange.objects.count(), InvoiceRequest.objects.count(), PrepaidPayment.objects.count(),
              Subscription.objects.count())
    assert seed_all() == where  # idempotent
    connection.set_schema_to_public()
    assert (SubscriptionChange.objects.count(), InvoiceRequest.objects.count(), PrepaidPayment.objects.count(),
            Subscription.objects.count()) == counts

    # the owner sees the invoice and its number on the console's invoice page
    owner = host_client("acme.localhost")
    assert owner.post("/accounts/login/", {"username": "owner@acme.test", "password": DEFAULT_PASSWORD}
                      ).status_code == 302
    page = owner.get("/console/billing/fapiao/")
    assert page.status_code == 200 and invoices["acme"].number in page.content.decode()


@pytest.mark.parametrize("brand", ["acme", "globex"])
def test_demo_finance_modes_overdue_rebate_statement_and_stripe(brand, demo, db, in_tenant):
    """Dealer finance in the demo: a dealer in each settlement mode, JS-A01 overdue and blocked from ordering, a
    rebate rule and a rebate in the demo dealer's pool, last month's statement waiting for the demo dealer, the
    brand's Stripe connected (test mode); the ledger adds up, and seeding again changes nothing."""
    from shared_apps.demo import finance as demo_finance
    from shared_apps.demo.seed import BRANDS
    from tenant_apps.finance.models import (
        DealerSettlement,
        LedgerEntry,
        ProviderAccount,
        RebateRule,
        Statement,
    )
    from tenant_apps.finance.selectors import ledger_mismatches
    from tenant_apps.finance.selectors_receivables import order_block_reason
    from tenant_apps.finance.services_statements import period_last_ended
    from tenant_apps.ordering.models import Order

    tenant = demo.tenant if brand == "acme" else demo.globex
    password = next(b.owner_password for b in BRANDS if b.slug == brand)
    with in_tenant(tenant):
        main = Dealer.objects.get(users__email=f"dealer@{brand}.test")
        assert set(DealerSettlement.objects.values_list("mode", flat=True)) == {"credit", "prepay", "mixed", "cod"}
        overdue = Dealer.objects.get(code=demo_finance.OVERDUE_CODE)
        reason = order_block_reason(overdue)
        assert reason is not None and "30" in reason  # overdue more than the brand's 30 days
        assert order_block_reason(main) is None
        [owed] = Order.objects.filter(dealer=overdue, created_at__date=timezone.localdate())  # not its history
        assert owed.status == "shipped" and owed.total > 1000
        assert User.objects.filter(email=f"cashier@{brand}.test", dealer=overdue, role="dealer_finance").exists()
        assert RebateRule.objects.count() == 1
        assert LedgerEntry.objects.filter(dealer=main, kind="rebate", rebate_delta__gt=0).count() == 1
        assert main.finance_accounts.get().rebate_balance > 0
        statement = Statement.objects.get(dealer=main)
        assert (statement.period, statement.status, statement.opening) == (period_last_ended(), "issued", 0)
        assert statement.closing == Decimal("28000.00") and statement.lines.count() == 2
        assert Statement.objects.count() == 3  # the demo dealer, the prepaid and the mixed dealers
        [stripe] = ProviderAccount.objects.all()
        assert stripe.code == "stripe" and stripe.enabled
        account_id = json.loads(stripe.credentials)["account_id"]
        assert demo.fake.object(account_id)["object"] == "account"
        counts = (LedgerEntry.objects.count(), Statement.objects.count(), Order.objects.count())
        demo_finance.seed_finance_terms(brand_slug=brand)
        demo_finance.seed_finance_payments(brand_slug=brand)
        demo_finance.seed_finance_overdue(brand_slug=brand, password=password)
        demo_finance.seed_finance_rebate(brand_slug=brand)
        demo_finance.seed_finance_statements(brand_slug=brand)
        assert demo_finance.seed_finance_stripe(brand_slug=brand, brand_url="http://x") == "Stripe connected"
        assert (LedgerEntry.objects.count(), Statement.objects.count(), Order.objects.count()) == counts
        assert ProviderAccount.objects.count() == 1
        assert ledger_mismatches() == []


@pytest.mark.parametrize("brand", ["acme", "globex"])
def test_demo_has_a_year_of_history_for_every_chart(brand, demo, db, in_tenant):
    """A year of past orders ending yesterday (shared_apps.demo.history), written in bulk as the services would have:
    every active dealer with an address and every SKU on sale in it, in 12+ months; mostly completed (shipped and
    delivered), some cancelled, a few returns received; the season and the New Year promotions used; two dormant
    dealers, two new ones, the North declining. The rollups equal the orders, the stock and finance ledgers add up,
    no moment of the stock's past had more reserved than on hand, and seeding again adds nothing."""
    from datetime import datetime, time

    from django.db import connection as db_connection
    from django.db.models import Count, F, Max, Min, Sum

    from shared_apps.demo.history import HISTORY_MARK, seed_history
    from tenant_apps.catalog.models import Sku
    from tenant_apps.finance.selectors import ledger_mismatches as finance_mismatches
    from tenant_apps.fulfillment.models import ReturnRequest, ShipmentLine
    from tenant_apps.inventory.models import StockMovement
    from tenant_apps.inventory.selectors import ledger_mismatches as stock_mismatches
    from tenant_apps.ordering.models import Order, OrderEvent, OrderLine
    from tenant_apps.promotions.models import Promotion, PromotionUsage
    from tenant_apps.reporting.models import SalesMonth
    from tenant_apps.reporting.selectors import rollup_mismatches
    from tenant_apps.reporting.services import rollups_refresh

    today = timezone.localdate()
    with in_tenant(demo.tenant if brand == "acme" else demo.globex):
        history = Order.objects.filter(created_at__lt=timezone.make_aware(datetime.combine(today, time.min)))
        days = history.aggregate(first=Min("created_at__date"), last=Max("created_at__date"))
        assert today - timedelta(days=365) <= days["first"] <= today - timedelta(days=350)
        assert today - timedelta(days=7) <= days["last"] < today
        assert history.dates("created_at", "month").count() >= 12
        statuses = dict(history.values_list("status").annotate(n=Count("id")))
        assert set(statuses) == {"completed", "cancelled"} and 1000 < sum(statuses.values()) < 5000
        assert 0.02 < statuses["cancelled"] / sum(statuses.values()) < 0.08
        ordering = Dealer.objects.filter(status="active", addresses__kind="shipping").distinct()
        assert set(history.values_list("dealer_id", flat=True)) == set(ordering.values_list("pk", flat=True))
        sold = OrderLine.objects.filter(order__in=history.filter(status="completed"))
        assert sold.values("sku").distinct().count() == Sku.objects.filter(status="on_sale").count() == 500
        for order in history.order_by("id")[:50]:
            assert order.number == f"SO{timezone.localtime(order.created_at):%y%m%d}{order.pk:07d}"
        # the figures add up as a quote's: lines gross - discount = net, the order the sum of its lines
        assert not OrderLine.objects.filter(order__in=history).exclude(net=F("gross") - F("discount")).exists()
        sums = history.annotate(g=Sum("lines__gross"), d=Sum("lines__discount")).exclude(
            subtotal=F("g"), discount_total=F("d"), total=F("g") - F("d"))
        assert not sums.exists()
        # completed: shipped in full, a timeline to "completed"; promotions used as the breakdown says
        completed = history.filter(status="completed")
        assert (ShipmentLine.objects.filter(shipment__order__in=completed).aggregate(n=Sum("quantity"))["n"]
                == OrderLine.objects.filter(order__in=completed).aggregate(n=Sum("shipped_base"))["n"]
                == OrderLine.objects.filter(order__in=completed).aggregate(n=Sum("quantity"))["n"])
        assert OrderEvent.objects.filter(order__in=completed, to_status="completed").count() == completed.count()
        past = Promotion.objects.filter(code__startswith="HIST-")
        usages = PromotionUsage.objects.filter(promotion__in=past)
        # the season's and (in most years: they are 354-384 days apart) the New Year's, ended
        assert usages.values("promotion").distinct().count() == past.filter(status="unpublished").count() >= 1
        assert usages.count() > 100
        assert usages.aggregate(n=Sum("discount"))["n"] == history.aggregate(n=Sum("discount_total"))["n"]
        assert ReturnRequest.objects.filter(order__in=history, status="received").count() >= 5
        # dealers' rhythm: two dormant for three months, two new ones, the North declining
        last = dict(history.values_list("dealer_id").annotate(at=Max("created_at__date")))
        first = dict(history.values_list("dealer_id").annotate(at=Min("created_at__date")))
        assert sum(1 for day in last.values() if (today - day).days > 90) == 2
        assert sum(1 for day in first.values() if (today - day).days < 150) == 2
        sales = history.exclude(status="cancelled")
        north = sales.filter(dealer__node__path__descendant_of=Node.objects.get(code="NORTH").path)

        def share(since, until):  # the North's share of the sales of these days (the seasons cancel out)
            worth = {name: orders.filter(created_at__date__gte=since, created_at__date__lt=until).aggregate(
                n=Sum("total"))["n"] for name, orders in (("north", north), ("all", sales))}
            return worth["north"] / worth["all"]

        assert share(today - timedelta(days=90), today) < share(days["first"], days["first"] + timedelta(90)) * Decimal(
            "0.75")
        # the rollups hold the year; every check is clean
        assert SalesMonth.objects.values("month").distinct().count() >= 12
        assert rollup_mismatches() == [] and stock_mismatches() == [] and finance_mismatches() == []
        with db_connection.cursor() as cursor:
            cursor.execute("""SELECT count(*) FROM (SELECT sum(on_hand_delta) OVER w AS have,
                                                           sum(reserved_delta) OVER w AS held
                                                    FROM inventory_stockmovement
                                                    WINDOW w AS (PARTITION BY stock_id ORDER BY created_at, id)) x
                              WHERE held > have OR held < 0""")
            assert cursor.fetchone()[0] == 0
        counts = (Order.objects.count(), OrderLine.objects.count(), StockMovement.objects.count(),
                  PromotionUsage.objects.count(), Promotion.objects.count())
        assert Promotion.objects.filter(code=HISTORY_MARK).exists()
        assert seed_history(brand_slug=brand) == 0  # idempotent
        rollups_refresh(full=True)
        assert (Order.objects.count(), OrderLine.objects.count(), StockMovement.objects.count(),
                PromotionUsage.objects.count(), Promotion.objects.count()) == counts
        assert rollup_mismatches() == []


@pytest.mark.parametrize("brand", ["acme", "globex"])
def test_demo_history_has_pairs_bought_together_and_two_dealers_like_clockwork(brand, demo, db, in_tenant):
    """What the recommendations' "often bought together" and the replenishment suggestions read (issue 26): each of
    the brand's pairs (a cola and its zero-sugar cola, a floor tile and its wall tile) on most orders holding either;
    two dealers ordering the same SKUs in the same quantities every 14 days, the last 11 days ago."""
    from collections import defaultdict
    from datetime import datetime, time

    from shared_apps.demo.history import PAIRS
    from tenant_apps.ordering.models import Order, OrderLine

    today = timezone.localdate()
    with in_tenant(demo.tenant if brand == "acme" else demo.globex):
        history = Order.objects.filter(created_at__lt=timezone.make_aware(datetime.combine(today, time.min))).exclude(
            status="cancelled")
        skus_of = defaultdict(set)
        for order_id, code in OrderLine.objects.filter(order__in=history).values_list("order_id", "sku__code"):
            skus_of[order_id].add(code)
        for a, b in PAIRS[brand]:
            either = [held for held in skus_of.values() if a in held or b in held]
            assert len(either) >= 20
            assert sum(a in held and b in held for held in either) / len(either) >= 0.7
        orders = defaultdict(list)
        for order in history.order_by("created_at").prefetch_related("lines"):
            basket = frozenset((line.sku_id, line.quantity) for line in order.lines.all())
            orders[order.dealer_id].append((timezone.localtime(order.created_at).date(), basket))
        clockwork = [days for days in orders.values()
                     if len({basket for _day, basket in days}) == 1
                     and {(b[0] - a[0]).days for a, b in zip(days, days[1:], strict=False)} == {14}]
        assert len(clockwork) == 2
        for days in clockwork:
            assert days[-1][0] == today - timedelta(days=11) and len(days) >= 24


def test_demo_provincial_agent_supplies_two_sub_dealers_on_a_plan_with_multi_tier(demo, db, in_tenant):
    from shared_apps.demo.seed import BRANDS
    from shared_apps.demo.suppliers import AGENT, seed_suppliers
    from tenant_apps.dealers.models import Supplier
    from tenant_apps.inventory.models import SafetyStock, Stock
    from tenant_apps.ordering.demand import demand_rollup
    from tenant_apps.ordering.models import Order
    from tenant_apps.pricing.models import PriceList
    from tests.factories.suppliers import multi_tier_plan

    brand = next(b for b in BRANDS if b.slug == "globex")
    with in_tenant(demo.globex):
        assert seed_suppliers(brand_slug="globex", password=brand.owner_password, tenant=demo.globex) == []
        multi_tier_plan(demo.globex)
        seed_suppliers(brand_slug="globex", password=brand.owner_password, tenant=demo.globex)
        supplier = Supplier.objects.select_related("node").get()
        assert (supplier.node.code, supplier.active) == (AGENT, True)
        assert Dealer.objects.filter(supplier=supplier.node).count() == 2
        assert PriceList.objects.get(owner=supplier.node).entries.count() > 0
        assert Stock.objects.filter(warehouse__owner=supplier.node, on_hand__gt=0).exists()
        order, passed_for = Order.objects.filter(seller=supplier.node).order_by("id")
        assert order.reservations.filter(warehouse__owner=supplier.node).exists()
        assert not order.reservations.exclude(warehouse__owner=supplier.node).exists()
        # the second: the agent shipped one line from its stock, passed the other up to headquarters as a
        # drop-ship that headquarters shipped straight to the sub-dealer: both shipments on the sub-dealer's order
        passed = Order.objects.get(passed_up_from=passed_for)
        assert (passed.dealer.node_id, passed.seller_id, passed.pass_up_mode, passed.status) == (
            supplier.node_id, None, "drop_ship", "shipped")
        assert passed_for.status == "shipped"
        from tenant_apps.fulfillment.models import Shipment

        assert sorted(s.order_id for s in Shipment.objects.filter(
            Q(order=passed_for) | Q(drop_ship_for=passed_for))) == sorted([passed_for.pk, passed.pk])
        # its receivables: the order charged to the sub-dealer's account with the agent, partly paid; the other
        # sub-dealer has a credit line with it; the brand's own accounts owe nothing of it
        from tenant_apps.finance.models import DealerAccount, SupplierTerms
        from tenant_apps.finance.selectors_suppliers import supplier_receivables

        rows = {row.dealer.pk: row for row in supplier_receivables(node_id=supplier.node_id)}
        owed = rows[order.dealer_id]
        # both its orders with the agent are owed to the agent, less the 40 % of the first paid by bank transfer
        assert owed.figures.credit_used == order.total + passed_for.total - (
            order.total * Decimal("0.4")).quantize(Decimal("0.01"))
        assert not DealerAccount.objects.filter(dealer=order.dealer, creditor__isnull=True, credit_used__gt=0).exists()
        assert SupplierTerms.objects.filter(creditor=supplier.node, mode="credit").count() == 1
        # its demand page suggests buying one SKU from headquarters (safety stock above its stock), priced for it
        suggested = demand_rollup(dealer=supplier.node.dealer).suggestions
        assert len(suggested) == 1 and suggested[0].suggested >= 100 and suggested[0].price is not None
        seed_suppliers(brand_slug="globex", password=brand.owner_password, tenant=demo.globex)
        assert SafetyStock.objects.filter(owner=supplier.node).count() == 2


def test_demo_dealer_runs_its_own_people_a_buyer_without_prices_whose_large_order_waits(demo, db, in_tenant):
    from tenant_apps.accounts.permissions import dealer_rights
    from tenant_apps.dealers.people import people_added
    from tenant_apps.ordering.models import InternalApproval

    with in_tenant(demo.tenant):
        buyer = User.objects.get(email="buyer.noprice@acme.test")
        assert (dealer_rights(buyer)["see_prices"], dealer_rights(buyer)["order"], str(buyer.approval_limit)) == (
            False, True, "2000.00")
        held = InternalApproval.objects.get(requested_by=buyer)
        assert (held.status, held.order.status, held.order.total > 2000) == ("pending", "submitted", True)
        added = next(row for row in people_added(dealer=buyer.dealer) if row["user"].pk == buyer.pk)
        assert (added["added_by"].email, added["added_by_dealer"]) == ("dealer@acme.test", True)
        assert any("buyer.noprice@acme.test" in line for line in demo.lines)


@pytest.mark.parametrize("brand", ["acme", "globex"])
def test_demo_shows_forecasts_recommendations_and_suggestions_learnt_from_its_history(brand, demo, db, in_tenant):
    """Issue 26 on `make run`: the forecasts trained on the history (some series on the model, each with its
    back-tested accuracy), the recommendation blocks for the demo dealer, and its replenishment suggestions with a
    line from its sell-out and one carrying the safety stock the brand set; seeding again changes nothing."""
    from shared_apps.demo.planning import seed_planning
    from tenant_apps.forecasting.models import Accuracy, Forecast, TrainingRun
    from tenant_apps.recommendations.selectors import recommendations_for
    from tenant_apps.replenishment.models import DealerSafetyStock, SellOutRecord
    from tenant_apps.replenishment.selectors import suggestions_for

    with in_tenant(demo.tenant if brand == "acme" else demo.globex):
        run = TrainingRun.objects.get()
        assert run.series == Accuracy.objects.count() > 100
        assert Accuracy.objects.filter(method="model").exists() and Accuracy.objects.exclude(method="model").exists()
        assert Forecast.objects.filter(week__gte=run.as_of).count() == run.series * run.horizon_weeks
        dealer = User.objects.get(email=f"dealer@{brand}.test").dealer
        blocks = {result.block: result.items for result in recommendations_for(dealer=dealer, place="home")}
        assert blocks.get("similar") or blocks.get("together")
        suggestions = suggestions_for(dealer=dealer)
        assert suggestions.has_history and len(suggestions.lines) >= 3
        codes = {line.reason.code for line in suggestions.lines}
        assert {"rhythm", "sell_out"} <= codes
        assert SellOutRecord.objects.filter(dealer=dealer).count() == 28
        safety = DealerSafetyStock.objects.get(dealer=dealer)
        assert any(line.sku.pk == safety.sku_id for line in suggestions.lines)
        assert seed_planning(brand_slug=brand) == [] and TrainingRun.objects.get().pk == run.pk
