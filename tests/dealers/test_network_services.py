"""The dealer network's services: tree, moves, scope, status, addresses and territories, qualifications."""

from datetime import date, timedelta

import pytest

from tenant_apps.accounts.models import User
from tenant_apps.audit.models import AuditEntry
from tenant_apps.dealers import selectors, services
from tenant_apps.dealers.errors import (
    DealerInvalid,
    IllegalDealerTransition,
    NetworkConflict,
    OutsideTerritory,
)
from tenant_apps.dealers.models import Dealer, Node, Territory
from tests.factories import UserFactory


@pytest.fixture
def network(tenant_a, in_tenant):
    """HQ -> East (region) -> Shanghai agent (dealer) -> Pudong dealer; HQ -> South (region)."""
    with in_tenant(tenant_a):
        hq = services.headquarters_ensure(name="Acme HQ")
        east = services.region_create(actor=None, parent=hq, name="华东", code="EAST")
        south = services.region_create(actor=None, parent=hq, name="华南", code="SOUTH")
        # China's divisions (CN > 310000 > 310100 > 310115, CN > 440000) come with the workspace
        sh = Territory.objects.get(code="310000")
        pudong_area = Territory.objects.get(code="310115")
        gd = Territory.objects.get(code="440000")
        agent = services.dealer_create(actor=None, parent=east, code="SH-001", legal_name="上海总代理有限公司",
                                       territories=[sh], bank_account="6222 0212 3456 7890")
        pudong = services.dealer_create(actor=None, parent=agent.node, code="SH-002", legal_name="浦东经销商",
                                        territories=[pudong_area])
        canton = services.dealer_create(actor=None, parent=south, code="GD-001", legal_name="广州经销商",
                                        territories=[gd])
        yield {"hq": hq, "east": east, "south": south, "agent": agent, "pudong": pudong, "canton": canton,
               "sh": sh, "gd": gd, "pudong_area": pudong_area}


def test_paths_follow_the_tree_and_subtrees_are_one_query(network, count_queries):
    hq, east, agent, pudong = network["hq"], network["east"], network["agent"], network["pudong"]
    assert agent.node.path == f"{hq.pk}.{east.pk}.{agent.node.pk}"
    assert pudong.node.path == f"{agent.node.path}.{pudong.node.pk}"
    assert pudong.supplier == hq  # headquarters supplies by default
    with count_queries() as queries:
        codes = sorted(Dealer.objects.filter(node__path__descendant_of=east.path).values_list("code", flat=True))
    assert codes == ["SH-001", "SH-002"]
    assert len(queries.sql) == 1


def test_moving_a_node_moves_its_whole_subtree(network):
    agent, south, pudong = network["agent"], network["south"], network["pudong"]
    services.node_move(actor=None, node=agent.node, new_parent=south)
    assert Node.objects.get(pk=agent.node.pk).path == f"{south.path}.{agent.node.pk}"
    assert Node.objects.get(pk=pudong.node.pk).path == f"{south.path}.{agent.node.pk}.{pudong.node.pk}"
    assert AuditEntry.objects.filter(action="dealers.node.moved").count() == 1
    with pytest.raises(NetworkConflict):
        services.node_move(actor=None, node=agent.node, new_parent=pudong.node)
    with pytest.raises(NetworkConflict):
        services.node_move(actor=None, node=network["hq"], new_parent=south)


def test_scope_regional_manager_sees_only_their_subtree(network):
    manager = UserFactory(email="rm@acme.test", role="regional_manager", scope_node=network["east"])
    assert sorted(selectors.dealers_visible_to(manager).values_list("code", flat=True)) == ["SH-001", "SH-002"]
    rep = UserFactory(email="rep@acme.test", role="sales_rep")
    services.dealer_update(actor=None, dealer=network["canton"], sales_rep=rep)
    assert list(selectors.dealers_visible_to(rep).values_list("code", flat=True)) == ["GD-001"]
    buyer = UserFactory(email="buyer@pudong.test", role="dealer_buyer", dealer=network["pudong"])
    assert list(selectors.dealers_visible_to(buyer).values_list("code", flat=True)) == ["SH-002"]
    nobody = UserFactory(email="rm2@acme.test", role="regional_manager")  # no scope set: sees nothing
    assert not selectors.dealers_visible_to(nobody).exists()


def test_bank_account_is_encrypted_at_rest(network):
    from django.db import connection

    agent = Dealer.objects.get(code="SH-001")
    assert agent.bank_account == "6222 0212 3456 7890"
    assert agent.bank_account_masked == "**** 7890"
    with connection.cursor() as cursor:
        cursor.execute("SELECT bank_account FROM dealers_dealer WHERE code = 'SH-001'")
        stored = cursor.fetchone()[0]
    assert stored.startswith("v1:") and "6222" not in stored


@pytest.mark.parametrize(("start", "to", "legal"), [
    ("prospect", "active", True), ("active", "suspended", True), ("suspended", "active", True),
    ("active", "terminated", True), ("terminated", "active", False), ("prospect", "suspended", False),
])
def test_status_transitions(network, start, to, legal):
    dealer = network["canton"]
    if start != "prospect":
        services.dealer_status_change(actor=None, dealer=dealer, to="active")
        if start != "active":
            services.dealer_status_change(actor=None, dealer=dealer, to=start)
    if legal:
        assert services.dealer_status_change(actor=None, dealer=dealer, to=to, reason="r").status == to
    else:
        with pytest.raises(IllegalDealerTransition):
            services.dealer_status_change(actor=None, dealer=dealer, to=to)
        assert Dealer.objects.get(pk=dealer.pk).status == start


def test_shipping_outside_the_territory_is_flagged_or_refused(network):
    pudong, gd, pudong_area = network["pudong"], network["gd"], network["pudong_area"]
    inside = services.address_add(actor=None, dealer=pudong, kind="shipping", recipient="张三", phone="13800000000",
                                  territory=pudong_area, line="世纪大道 1 号")
    assert (inside.outside_territory, inside.is_default) == (False, True)
    flagged = services.address_add(actor=None, dealer=pudong, kind="shipping", recipient="张三", phone="13800000000",
                                   territory=gd, line="天河路 1 号")
    assert flagged.outside_territory is True
    services.network_settings_update(actor=None, channel_conflict_policy="refuse")
    with pytest.raises(OutsideTerritory) as error:
        services.address_add(actor=None, dealer=pudong, kind="shipping", recipient="张三", phone="13800000000",
                             territory=gd, line="天河路 2 号")
    assert "territory" in error.value.fields
    assert pudong.addresses.count() == 2


def test_required_qualifications_block_ordering_until_valid(network):
    dealer = network["canton"]
    licence = services.qualification_type_create(actor=None, code="FOOD", name="食品经营许可证", required=True)
    assert selectors.qualification_blockers(dealer=dealer) == ["食品经营许可证"]
    services.qualification_add(actor=None, dealer=dealer, type=licence, number="JY14401060001234",
                               valid_to=date.today() - timedelta(days=1))
    assert selectors.qualification_blockers(dealer=dealer) == ["食品经营许可证"]  # expired
    services.qualification_add(actor=None, dealer=dealer, type=licence, number="JY14401060009999",
                               valid_to=date.today() + timedelta(days=365))
    assert selectors.qualification_blockers(dealer=dealer) == []


def test_bad_dealer_input_is_field_errors(network):
    with pytest.raises(DealerInvalid) as error:
        services.dealer_create(actor=None, parent=network["east"], code="SH-001", legal_name=" ", tax_number="123")
    assert set(error.value.fields) == {"code", "legal_name", "name", "tax_number"}
    assert Dealer.objects.count() == 3
    assert User.objects.count() == 1


def test_expiry_reminders_go_once_per_expiry_to_the_dealer_and_sales_rep(network, django_capture_on_commit_callbacks):
    from django.core import mail

    from tenant_apps.dealers.models import QualificationReminder

    dealer = network["canton"]
    rep = UserFactory(email="rep@acme.test", role="sales_rep")
    services.dealer_update(actor=None, dealer=dealer, sales_rep=rep)
    UserFactory(email="boss@gz.test", role="dealer_owner", dealer=dealer)
    licence = services.qualification_type_create(actor=None, code="FOOD", name="食品经营许可证", reminder_days=30)
    today = date(2026, 11, 25)
    services.qualification_add(actor=None, dealer=dealer, type=licence, valid_to=today + timedelta(days=20))
    services.qualification_add(actor=None, dealer=dealer, type=licence, valid_to=today + timedelta(days=90))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.qualification_reminders_send(today=today) == 1
        assert services.qualification_reminders_send(today=today) == 0  # idempotent
    assert QualificationReminder.objects.count() == 1
    [message] = mail.outbox
    assert message.to == ["boss@gz.test", "rep@acme.test"]
    assert "2026-12-15" in message.subject


def test_the_daily_task_runs_in_every_active_tenant(tenant_a, tenant_b, in_tenant):
    from tenants.tasks import for_each_tenant

    assert for_each_tenant.delay("dealers.tasks.qualification_reminders").get() == 2


def test_nodes_come_in_tree_order_with_numeric_ids(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        hq = services.headquarters_ensure(name="HQ")
        regions = [services.region_create(actor=None, parent=hq, name=f"R{i}", code=f"R{i}") for i in range(12)]
        assert list(Node.objects.exclude(pk=hq.pk).values_list("pk", flat=True)) == [r.pk for r in regions]
