"""The ship form of the fulfilment console, written by hand, says when there are no carriers yet: with a link
to the carriers page and back for who may add one, whom to ask for the others."""

from urllib.parse import quote

from tenant_apps.fulfillment import services
from tenant_apps.fulfillment.models import Carrier
from tests.fulfillment.conftest import client_for, order, people  # noqa: F401  (fixtures)
from tests.ordering.conftest import store  # noqa: F401  (the ordering tests' store fixture)


def test_the_ship_form_says_there_are_no_carriers(store, people, order):  # noqa: F811
    Carrier.objects.all().delete()
    services.order_allocate(actor=people.warehouse, order=order)
    services.shipment_create(actor=people.warehouse, order=order, warehouse_id=store.west.pk)
    url = f"/console/fulfillment/orders/{order.pk}/"
    owner_page = client_for(people.owner, token=False).get(url).content.decode()
    assert "There are no carriers yet, so shipments go as your own delivery." in owner_page
    assert f'href="/console/fulfillment/carriers/?next={quote(url, safe="")}"' in owner_page
    warehouse_page = client_for(people.warehouse, token=False).get(url).content.decode()
    assert "There are no carriers yet" in warehouse_page and "/console/fulfillment/carriers/?" not in warehouse_page
    assert "Ask someone who may add it: Owner, Administrator." in warehouse_page


def test_adding_a_carrier_returns_to_the_order(store, people):  # noqa: F811
    back = "/console/fulfillment/orders/1/"
    response = client_for(people.owner, token=False).post(
        f"/console/fulfillment/carriers/?next={quote(back)}", {"code": "sto", "name": "申通快递"})
    assert response.status_code == 302 and response["Location"] == back
