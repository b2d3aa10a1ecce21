"""Prices: price lists and their entries, protection windows."""

from __future__ import annotations

import factory

from tenant_apps.pricing import services
from tenant_apps.pricing.models import PriceEntry, PriceList, ProtectionWindow
from tests.factories.base import ServiceFactory


class PriceListFactory(ServiceFactory):
    """A base list, active unless `status` says otherwise."""

    class Meta:
        model = PriceList

    _service = staticmethod(services.price_list_create)
    code = factory.Sequence(lambda n: f"PL{n}")
    name = factory.LazyAttribute(lambda o: o.code)
    kind = "base"
    status = "active"


class PriceEntryFactory(ServiceFactory):
    """`PriceEntryFactory(price_list=..., sku=..., unit=..., price="5.00")`."""

    class Meta:
        model = PriceEntry

    _service = staticmethod(services.price_entry_set)
    price_list = factory.SubFactory(PriceListFactory)
    unit = factory.LazyAttribute(lambda o: o.sku.base_unit)
    price = "1.00"


class ProtectionWindowFactory(ServiceFactory):
    class Meta:
        model = ProtectionWindow

    _service = staticmethod(services.protection_window_create)
    name = factory.Sequence(lambda n: f"保价 {n}")
