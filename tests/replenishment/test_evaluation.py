"""The hold-out evaluation on generated orders with regular rhythms: the engine's expected quantities in the held-out
weeks beat "what it ordered in the same number of weeks before cutoff"."""

from __future__ import annotations

from datetime import date

from tenant_apps.replenishment.evaluation import holdout
from tests.factories.accounts import UserFactory
from tests.factories.dealers import DealerFactory, address
from tests.replenishment.conftest import NOW

CUTOFF = date(2026, 5, 11)  # a Monday, 30 days before NOW


def test_holdout_beats_naive_on_regular_rhythms(shop, now):
    assert CUTOFF.weekday() == 0 and (NOW.date() - CUTOFF).days == 30
    second = DealerFactory(code="SH-9", legal_name="上海九号", tier=shop.tier, territories=[shop.shanghai],
                           status="active")
    address(dealer=second, territory=shop.shanghai)
    second_buyer = UserFactory(email="buyer@sh9.test", role="dealer_buyer", dealer=second, full_name="")
    # SH-1: 40 cans every 10 days, 10 of the 330 ml every 12; SH-9: 24 cans every 9 days
    for start, every, lines, dealer, buyer in ((30 + 2, 10, [(shop.sku, 40)], None, None),
                                               (30 + 5, 12, [(shop.water, 10)], None, None),
                                               (30 + 1, 9, [(shop.sku, 24)], second, second_buyer)):
        day = start + 70  # 10 weeks of history before cutoff
        while day > 30 - 28:  # and the 4 held-out weeks
            shop.ordered(day, *lines, dealer=dealer, buyer=buyer)
            day -= every
    result = holdout(cutoff=CUTOFF, weeks=4)
    assert result["pairs"] == 3
    assert result["model_wape"] < result["naive_wape"]
    assert result["model_wape"] <= 0.15
