"""The console order list's filters (region, sales rep, amount, warehouse, beside state, dealer, dates and search)
and saved views (a named filter set shown as a tab; the owner's, or shared with the team). Filters and their
choices stay inside the reader's data scope; a bad value is a 400 with the field's error; the page costs the same
queries for 2 orders as for 22."""

from __future__ import annotations

import pytest

from tenant_apps.accounts.services import user_create
from tenant_apps.dealers import services as dealers
from tenant_apps.ordering import saved_views
from tenant_apps.ordering.models import SavedOrderView
from tenant_apps.ordering.submission import SubmitLine, order_submit
from tests.factories import DEFAULT_PASSWORD
from tests.ordering.test_pages import signed_in, world  # noqa: F401  (the pages' world fixture)


def numbers(page) -> set[str]:
    import re

    return set(re.findall(r'<tr data-number="([^"]+)"', page.content.decode()))


@pytest.fixture
def rep(world, in_tenant):  # noqa: F811
    with in_tenant(world.tenant):
        made = user_create(actor=None, email="rep@acme.test", password=DEFAULT_PASSWORD, role="sales_rep",
                           full_name="张销售")
        dealers.dealer_update(actor=None, dealer=world.other, sales_rep=made)
    return made


def test_region_filter_takes_the_subtree(world):  # noqa: F811
    board = signed_in(world.rm_hq)
    assert numbers(board.get("/console/orders/")) == {world.order.number, world.theirs.number}
    assert numbers(board.get(f"/console/orders/?region={world.west.pk}")) == {world.theirs.number}
    page = board.get("/console/orders/").content.decode()
    assert f'<option value="{world.west.pk}">西区</option>' in page


def test_a_regional_manager_is_offered_and_may_pick_only_their_regions(world, in_tenant):  # noqa: F811
    with in_tenant(world.tenant):
        east = dealers.region_create(actor=None, parent=dealers.headquarters_ensure(name="HQ"), name="东区",
                                     code="R-EAST")
    west = signed_in(world.rm_west)
    page = west.get("/console/orders/").content.decode()
    assert "东区" not in page
    outside = west.get(f"/console/orders/?region={east.pk}")
    assert outside.status_code == 400 and "No such region in your part of the network." in outside.content.decode()
    assert numbers(outside) == set()


def test_sales_rep_filter_and_its_choices_follow_the_scope(world, rep):  # noqa: F811
    board = signed_in(world.rm_hq)
    assert numbers(board.get(f"/console/orders/?sales_rep={rep.pk}")) == {world.theirs.number}
    assert "张销售" in board.get("/console/orders/").content.decode()
    # A rep sees their own dealers' orders; the filter cannot reach a dealer of someone else.
    mine = signed_in(rep)
    assert numbers(mine.get("/console/orders/")) == {world.theirs.number}
    assert numbers(mine.get(f"/console/orders/?region={world.west.pk}")) == set()  # no region is theirs to pick


def test_amount_and_warehouse_filters(world):  # noqa: F811
    board = signed_in(world.rm_hq)
    # world.order: 30 cans at 5.00 = 150.00, reserved in Shanghai; world.theirs: 5 x 330 ml at 6.00 = 30.00.
    assert numbers(board.get("/console/orders/?amount_min=100")) == {world.order.number}
    assert numbers(board.get("/console/orders/?amount_max=30")) == {world.theirs.number}
    assert numbers(board.get("/console/orders/?amount_min=30&amount_max=150")) == {world.order.number,
                                                                                   world.theirs.number}
    bad = board.get("/console/orders/?amount_min=lots")
    assert bad.status_code == 400 and 'data-field="amount_min"' in bad.content.decode()
    east = world.store.east
    held_east = {number for number in (world.order.number, world.theirs.number)}
    shown = numbers(board.get(f"/console/orders/?warehouse={east.pk}"))
    assert world.order.number in shown and shown <= held_east
    assert numbers(board.get(f"/console/orders/?warehouse={world.store.west.pk}&amount_min=100")) == set()


def test_save_open_and_delete_a_view(world, in_tenant):  # noqa: F811
    board = signed_in(world.rm_hq)
    query = f"region={world.west.pk}&amount_max=100"
    saved = board.post("/console/orders/views/", {"name": "西区小单", "query": query, "shared": "on"})
    assert saved.status_code == 302 and saved["Location"] == f"/console/orders/?{query}"
    with in_tenant(world.tenant):  # a request leaves the connection on the public schema
        view = SavedOrderView.objects.get(name="西区小单")
    assert (view.owner_id, view.shared, view.params) == (world.rm_hq.pk, True,
                                                         {"region": str(world.west.pk), "amount_max": "100"})
    page = board.get(f"/console/orders/?{query}").content.decode()
    assert 'class="ord-view active" data-view="西区小单"' in page and "Delete 西区小单" in page
    # Shared: the team sees it as a tab, cannot delete it, and reads it through their own scope.
    other = signed_in(world.owner)
    assert 'data-view="西区小单"' in other.get("/console/orders/").content.decode()
    assert other.post(f"/console/orders/views/{view.pk}/delete/").status_code == 404
    # Saving the same name again replaces the filters; then the owner deletes it.
    board.post("/console/orders/views/", {"name": "西区小单", "query": "amount_max=50"})
    with in_tenant(world.tenant):
        view.refresh_from_db()
    assert (view.params, view.shared) == ({"amount_max": "50"}, False)
    assert 'data-view="西区小单"' not in other.get("/console/orders/").content.decode()  # no longer shared
    assert board.post(f"/console/orders/views/{view.pk}/delete/").status_code == 302
    with in_tenant(world.tenant):
        assert not SavedOrderView.objects.filter(pk=view.pk).exists()


def test_a_view_with_no_name_or_a_bad_filter_is_refused(world, in_tenant):  # noqa: F811
    board = signed_in(world.rm_west)
    nameless = board.post("/console/orders/views/", {"name": " ", "query": "amount_max=50"})
    assert nameless.status_code == 400 and "Give the view a name." in nameless.content.decode()
    outside = board.post("/console/orders/views/", {"name": "x", "query": "region=999999"})
    assert outside.status_code == 400 and 'data-field="region"' in outside.content.decode()
    with in_tenant(world.tenant):
        assert not SavedOrderView.objects.exists()
        with pytest.raises(saved_views.SavedViewInvalid):
            saved_views.saved_order_view_save(actor=world.rm_west, name="y", params={"warehouse": "abc"})


def test_the_filtered_board_runs_the_same_queries_for_2_and_22_orders(world, in_tenant, count_queries,  # noqa: F811
                                                                       rep):
    board = signed_in(world.rm_hq)
    board.post("/console/orders/views/", {"name": "mine", "query": "amount_max=1000"})
    url = f"/console/orders/?region={world.west.pk}&sales_rep={rep.pk}&amount_max=1000&warehouse={world.store.east.pk}"
    board.get(url)
    with count_queries() as few:
        assert board.get(url).status_code == 200
    with in_tenant(world.tenant):
        for _n in range(20):
            order_submit(actor=world.other_buyer, dealer=world.other, lines=[SubmitLine(world.store.water.pk, None, 1)])
    with count_queries() as many:
        page = board.get(url)
    assert len(numbers(page)) >= 1 and len(many.sql) == len(few.sql)
