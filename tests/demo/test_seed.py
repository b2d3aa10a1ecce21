"""The demo seed stays alive: `make run` shows a network of at least 3 levels and 50 dealers per brand."""

from billing_saas.models import Plan
from shared_apps.demo.network import seed_network
from tenant_apps.accounts.models import User
from tenant_apps.dealers.models import Dealer, Node
from tenants.models import Tenant


def test_demo_network_has_three_levels_fifty_dealers_and_people_in_roles(tenant_a, in_tenant):
    Tenant.objects.filter(pk=tenant_a.pk).update(plan=Plan.objects.get(code="growth"))
    with in_tenant(tenant_a):
        lines = seed_network(slug="acme", password="acme-demo-2026", brand_word="饮料")
        assert Dealer.objects.count() == 54
        depths = {node.path.count(".") for node in Node.objects.all()}
        assert depths == {0, 1, 2, 3}  # HQ -> region -> provincial agent -> city dealer
        assert set(User.objects.values_list("role", flat=True)) >= {
            "owner", "admin", "finance", "sales_rep", "regional_manager", "dealer_owner"}
        assert seed_network(slug="acme", password="acme-demo-2026", brand_word="饮料") == lines  # idempotent
        assert Dealer.objects.count() == 54
