"""Warehouses and stock."""

from __future__ import annotations

import factory

from tenant_apps.inventory import services
from tenant_apps.inventory.models import Warehouse
from tests.factories.base import ServiceFactory


class WarehouseFactory(ServiceFactory):
    """`WarehouseFactory(code="E", territories=[...])`; `stock={sku: quantity}` receives stock into it."""

    class Meta:
        model = Warehouse

    _service = staticmethod(services.warehouse_create)
    code = factory.Sequence(lambda n: f"WH{n}")
    name = factory.LazyAttribute(lambda o: o.code)

    @classmethod
    def _create(cls, model_class, *args, stock=None, **kwargs):
        warehouse = super()._create(model_class, *args, **kwargs)
        for sku, quantity in (stock or {}).items():
            stock_receive(sku=sku, warehouse=warehouse, quantity=quantity)
        return warehouse


def stock_receive(*, sku, warehouse, quantity: int, actor=None):
    """Goods in: `quantity` base units of `sku` into `warehouse`."""
    return services.stock_receive(actor=actor, sku_id=sku.pk, warehouse_id=warehouse.pk, quantity=quantity)
