"""Dates the platform cannot represent are refused: a tracking event in year 1 was stored and shown at +08:05:43
(Asia/Shanghai's local mean time). Every date or moment taken from people or systems lies in 2000-01-01 to
2099-12-31 (tenant_apps.core.dates): the tracking API, the console page and the carrier webhook alike."""

import pytest

from tenant_apps.fulfillment.models import TrackingEvent
from tests.fulfillment.conftest import client_for, ship_everything
from tests.fulfillment.test_api import _webhook

WINDOW = ["Enter a date from 2000-01-01 to 2099-12-31."]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00", "1999-12-31T10:00:00+08:00",
                                    "2100-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00"])
def test_a_tracking_event_outside_the_window_is_a_field_error(store, people, allocated, moment):
    first, _second = ship_everything(allocated, people)
    response = client_for(people.warehouse).post(f"/api/v1/shipments/{first.pk}/tracking/", {
        "status": "in_transit", "occurred_at": moment}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"occurred_at": WINDOW}
    assert not TrackingEvent.objects.exists()


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "2026-02-30T10:00"])
def test_the_console_page_refuses_such_a_moment_too(store, people, allocated, moment):
    first, _second = ship_everything(allocated, people)
    console = client_for(people.warehouse, token=False)
    page = console.post(f"/console/fulfillment/orders/{allocated.pk}/", {
        "action": "tracking", "shipment": first.pk, "status": "in_transit", "occurred_at": moment})
    assert page.status_code == 400
    assert not TrackingEvent.objects.exists()


def test_the_carrier_webhook_refuses_it(store, people, allocated, carrier):
    first, _second = ship_everything(allocated, people, carrier=carrier)
    response = _webhook({"event_id": "evt-old", "tracking_number": first.tracking_number, "status": "delivered",
                         "occurred_at": "0001-01-01T00:00:00+14:00"})
    assert response.status_code == 400 and response.json()["fields"] == {"occurred_at": WINDOW}
    assert not TrackingEvent.objects.exists()
