"""The catalog: units, categories, products and SKUs."""

from __future__ import annotations

import factory

from tenant_apps.catalog import services
from tenant_apps.catalog.models import Category, Product, Sku, Unit
from tests.factories.base import ServiceFactory


def unit(code: str = "CAN", name: str = "罐") -> Unit:
    """A unit of measure (made once per code)."""
    return services.unit_ensure(code=code, name=name)


class CategoryFactory(ServiceFactory):
    class Meta:
        model = Category

    _service = staticmethod(services.category_create)
    parent = None
    code = factory.Sequence(lambda n: f"C{n}")
    name = factory.LazyAttribute(lambda o: o.code)


class ProductFactory(ServiceFactory):
    """On sale unless `status` says otherwise."""

    class Meta:
        model = Product

    _service = staticmethod(services.product_create)
    category = factory.SubFactory(CategoryFactory)
    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.LazyAttribute(lambda o: o.code)
    status = "on_sale"


class SkuFactory(ServiceFactory):
    """`units=[(case, 24, "")]` adds packaging units; the base unit is the can unless given."""

    class Meta:
        model = Sku

    _service = staticmethod(services.sku_create)
    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"SKU-{n}")
    name = factory.LazyAttribute(lambda o: o.code)
    base_unit = factory.LazyFunction(unit)
