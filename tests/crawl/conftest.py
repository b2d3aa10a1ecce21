"""The brand the crawl walks: the session tenant acme with a network, people in every role, a small catalog with
stock, price lists, resale floors, a protection window, promotions, an approval workflow, carriers, and orders in
every state (shipped, delivered, returned, in approval, rejected, sent back, cancelled, backordered) and a cart.

Built once for the module, through the services (the demo's steps where they exist, a catalog of 12 SKUs instead
of the demo's 500), in a transaction rolled back when the module ends; each crawl runs in its own savepoint.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import override_settings
from django.utils import translation
from django_tenants.utils import schema_context
from PIL import Image

from tenants.models import Tenant
from tests.factories import DEFAULT_PASSWORD
from tests.factories.billing import on_plan

# role -> the acme account that holds it (made below)
ACCOUNTS = {
    "owner": "owner@acme.test",
    "admin": "admin@acme.test",
    "finance": "finance@acme.test",
    "sales_rep": "rep@acme.test",
    "warehouse": "warehouse@acme.test",
    "regional_manager": "rm.east@acme.test",
    "dealer_owner": "dealer@acme.test",
    "dealer_buyer": "buyer@acme.test",
    "dealer_finance": "dealer.finance@acme.test",
    "analyst": "analyst@acme.test",
}


def _image(colour: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(buffer, "PNG")
    return SimpleUploadedFile("product.png", buffer.getvalue(), content_type="image/png")


def _small_catalog() -> None:
    """2 categories x 3 products x 2 SKUs, each product with an image, stocked in 2 warehouses (one SKU short)."""
    from shared_apps.demo.catalog import _ean13
    from tenant_apps.catalog import services as catalog
    from tenant_apps.inventory import services as inventory

    piece = catalog.unit_ensure(code="pc", name="瓶")
    case = catalog.unit_ensure(code="case", name="箱")
    root = catalog.category_create(actor=None, parent=None, code="ALL", name="全部商品", name_en="All products")
    warehouses = [inventory.warehouse_create(actor=None, code="SH-WH", name="上海中心仓"),
                  inventory.warehouse_create(actor=None, code="GZ-WH", name="广州中心仓")]
    number = 0
    for code, name, name_en, colour in (("WATER", "饮用水", "Water", "#1F6FEB"), ("TEA", "茶饮料", "Tea", "#0E7C66")):
        category = catalog.category_create(actor=None, parent=root, code=code, name=name, name_en=name_en)
        for p_index in range(3):
            product = catalog.product_create(actor=None, category=category, code=f"{code}-{p_index}",
                                             name=f"{name} {p_index + 1} 号", name_en=f"{name_en} {p_index + 1}",
                                             status="on_sale", specifications={"产地": "广东"})
            catalog.product_image_add(actor=None, product=product, image=_image(colour))
            for v_index, (variant, per_case) in enumerate((("500ml", 24), ("1.5L", 6))):
                number += 1
                sku = catalog.sku_create(actor=None, product=product, code=f"{product.code}-{v_index + 1}",
                                         name=f"{product.name} {variant}", base_unit=piece,
                                         attributes={"规格": variant}, barcode=_ean13(90000 + number),
                                         min_order_qty=per_case, order_step=per_case, units=[(case, per_case, "")])
                for w_index, warehouse in enumerate(warehouses):
                    quantity = (2400 if number != 5 else 10) * per_case if w_index == 0 else 40 * per_case
                    inventory.stock_receive(actor=None, sku_id=sku.pk, warehouse_id=warehouse.pk,
                                            quantity=quantity, reference="CRAWL-INIT")
                    inventory.low_threshold_set(actor=None, sku_id=sku.pk, warehouse_id=warehouse.pk,
                                                threshold=100 * per_case)
    inventory.low_stock_scan()


def _newest_first() -> None:
    """Lists show a few rows to the walk (it opens two examples of each page): put a draft promotion (whose
    edit form has date-times) and an order sent back to the dealer (which the dealer may change) first."""
    from datetime import timedelta

    from django.utils import timezone

    from tenant_apps.accounts.models import User
    from tenant_apps.approvals.services import approval_decide
    from tenant_apps.catalog.models import Sku
    from tenant_apps.ordering.submission import SubmitLine, order_submit
    from tenant_apps.promotions.services import promotion_create

    now = timezone.now()
    promotion_create(actor=None, code="DRAFT-SUMMER", name="夏季促销（草稿）", kind="percent", rule={"percent": "2"},
                     starts_at=now + timedelta(days=7), ends_at=now + timedelta(days=37), priority=99)
    buyer = User.objects.get(email=ACCOUNTS["dealer_owner"])
    sku = Sku.objects.filter(order_step=24).order_by("code").first()
    order = order_submit(actor=buyer, dealer=buyer.dealer, lines=[SubmitLine(sku.pk, None, 24 * 40)]).order
    approval_decide(actor=User.objects.get(email=ACCOUNTS["regional_manager"]), order=order, decision="send_back",
                    reason="请改为整箱 / please order whole cases")


def _storage_forget():
    from django.core.files.storage import storages

    storages["default"].__dict__.pop("relative_media_root", None)  # see conftest.media_root


@pytest.fixture(scope="module")
def brand(django_db_setup, django_db_blocker, tmp_path_factory):
    from shared_apps.demo.approvals import seed_approvals
    from shared_apps.demo.network import seed_network
    from shared_apps.demo.orders import seed_orders
    from shared_apps.demo.pricing import seed_pricing
    from shared_apps.demo.promotions import seed_promotions
    from tenant_apps.accounts import services as account_services
    from tenant_apps.accounts.models import User

    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("crawl-media")))
    media.enable()
    _storage_forget()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock(), translation.override("en"):
            tenant = Tenant.objects.get(slug="acme")
            on_plan(tenant, "growth")
            with schema_context(tenant.schema_name):
                seed_network(slug="acme", password=DEFAULT_PASSWORD, brand_word="饮料")
                _small_catalog()
                seed_pricing(brand_slug="acme")
                seed_promotions(brand_slug="acme")
                seed_approvals(brand_slug="acme")
                seed_orders(brand_slug="acme")
                dealer = User.objects.get(email=ACCOUNTS["dealer_owner"]).dealer
                account_services.user_create(actor=None, email=ACCOUNTS["dealer_buyer"], password=DEFAULT_PASSWORD,
                                             full_name="采购 李娜", role="dealer_buyer", dealer=dealer)
                account_services.user_create(actor=None, email=ACCOUNTS["dealer_finance"], password=DEFAULT_PASSWORD,
                                             full_name="财务 周婷", role="dealer_finance", dealer=dealer)
                account_services.user_create(actor=None, email=ACCOUNTS["analyst"], password=DEFAULT_PASSWORD,
                                             full_name="分析 吴昊", role="analyst")
                _newest_first()
                assert set(User.objects.filter(email__in=ACCOUNTS.values()).values_list("role", flat=True)) == set(
                    ACCOUNTS)
            connection.set_schema_to_public()
            account_services.user_create(actor=None, email="ops@platform.test", password=DEFAULT_PASSWORD,
                                         is_staff=True)
        yield SimpleNamespace(tenant=tenant)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            connection.set_schema_to_public()
        media.disable()
        _storage_forget()
