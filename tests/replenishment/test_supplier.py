"""A supplier's suggestions to buy from headquarters count its sub-dealers' expected orders (their rhythms) and what
they still wait for, against its stock and what it has on order; the reason says those figures."""

from __future__ import annotations

import time_machine
from django.utils import translation

from tenant_apps.replenishment.engine import suggested_quantity
from tenant_apps.replenishment.selectors import suggestions_for
from tests.factories.suppliers import chain
from tests.replenishment.conftest import at, signed_in


def test_supplier_counts_its_sub_dealers_rhythm_and_open_demand(shop, now):
    with time_machine.travel(at(400), tick=False):
        js = chain(shop, shop.tenant).js
    for days_ago in (35, 28, 21, 14, 7):  # the sub-dealer orders 10 cans every 7 days from JS
        shop.ordered(days_ago, (shop.sku, 10), dealer=js.sub, buyer=js.sub_buyer)
    with translation.override("en"):
        found = suggestions_for(dealer=js.dealer)
    assert found.supplier is True
    line = next(line for line in found.lines if line.sku.pk == shop.sku.pk)
    figures = line.reason.figures
    assert line.reason.code == "supplier"
    assert (figures["expected"], figures["window_days"]) == (30, 17)  # today, in 7 and in 14 days: 3 x 10
    needed = (figures["open_demand"] - figures["reserved"] + figures["expected"] - figures["available"]
              - figures["on_order"])
    assert (figures["open_demand"], figures["reserved"], figures["available"]) == (50, 40, 0)  # its 40 cans reserved
    assert line.needed == needed == 40
    assert line.quantity == suggested_quantity(line.needed, min_order_qty=shop.sku.min_order_qty,
                                               order_step=shop.sku.order_step)
    assert line.sentence == ("Your sub-dealers still wait for 50 罐 (40 reserved from your stock); they usually order "
                             "about 30 罐 in the next 17 days; you have 0 罐 available and 0 on order; delivery takes "
                             "about 3 days.")
    page = signed_in(shop, js.owner).get("/supplier/demand/")
    assert 'id="demand-suggestions"' in page.content.decode()
