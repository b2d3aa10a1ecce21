"""Dates outside 2000-01-01..2099-12-31 (tenant_apps.core.dates) are refused with a field error by every service
that takes one, so by the pages and the API on top of them: price lists, resale prices, protection windows,
promotions and dealer qualifications."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tenant_apps.core.errors import ValidationFailed
from tenant_apps.dealers import services as dealers
from tenant_apps.pricing import services as pricing
from tenant_apps.promotions import services as promotions
from tests.pricing.test_api import _as, _made, priced, tokens, world  # noqa: F401 (fixtures)

WINDOW = ["Enter a date from 2000-01-01 to 2099-12-31."]
UTC = ZoneInfo("UTC")


def _refused(call, field):
    with pytest.raises(ValidationFailed) as refused:
        call()
    assert refused.value.fields[field] == WINDOW


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1999, 12, 31), date(2100, 1, 1), date(9999, 12, 31)])
def test_every_dated_service_refuses_a_day_outside_the_window(world, in_tenant, tenant_a, day):  # noqa: F811
    with in_tenant(tenant_a):
        _refused(lambda: pricing.price_list_create(actor=None, code="OLD", name="old", kind="base", valid_from=day),
                 "valid_from")
        _refused(lambda: pricing.price_list_create(actor=None, code="OLD", name="old", kind="base",
                                                   valid_from=date(2026, 1, 1), valid_to=day if day.year > 2026
                                                   else date(9999, 1, 1)), "valid_to")
        _refused(lambda: pricing.resale_price_set(actor=None, sku=world.rb, price="1.00", valid_from=day),
                 "valid_from")
        _refused(lambda: pricing.protection_window_create(actor=None, name="w", starts_on=day,
                                                          ends_on=date(2026, 1, 1)), "starts_on")
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        _refused(lambda: promotions.promotion_create(actor=None, code="OLD", name="old", kind="percent",
                                                     rule={"percent": "5"}, starts_at=moment), "starts_at")
        licence = dealers.qualification_type_create(actor=None, code=f"Q{day.year}", name="licence")
        _refused(lambda: dealers.qualification_add(actor=None, dealer=world.dealer, type=licence, number="1",
                                                   valid_to=day), "valid_to")


def test_the_price_list_api_refuses_year_one(tokens):  # noqa: F811
    response = _as(tokens, "owner").post("/api/v1/pricing/lists/", {
        "code": "Y1", "name": "year one", "kind": "base", "valid_from": "0001-01-01"},
        content_type="application/json")
    assert response.status_code == 400 and response.json()["fields"]["valid_from"] == WINDOW


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00", "9999-12-31T23:59:59-14:00", "1970-01-01T00:00:00Z"])
def test_the_promotions_api_refuses_a_start_outside_the_window(tokens, moment):  # noqa: F811
    response = _as(tokens, "owner").post("/api/v1/promotions/", {
        "code": "OLD", "name": "old", "kind": "percent", "rule": {"percent": "5"}, "starts_at": moment},
        content_type="application/json")
    assert response.status_code == 400 and response.json()["fields"]["starts_at"] == WINDOW
