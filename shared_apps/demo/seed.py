"""The demo showcase that `make run` seeds. Each capability adds its own data here, through services.

Idempotent: what exists is left as it is. The accounts are for local demos only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django_tenants.utils import tenant_context

from billing_saas.models import Plan
from shared_apps.demo.approvals import seed_approvals
from shared_apps.demo.billing import DemoBilling, DemoFapiao, seed_billing
from shared_apps.demo.catalog import seed_catalog
from shared_apps.demo.finance import (
    finance_lines,
    seed_finance_bank,
    seed_finance_overdue,
    seed_finance_payments,
    seed_finance_rebate,
    seed_finance_statements,
    seed_finance_stripe,
    seed_finance_terms,
)
from shared_apps.demo.history import seed_history
from shared_apps.demo.network import seed_network
from shared_apps.demo.orders import seed_orders
from shared_apps.demo.people import seed_dealer_people
from shared_apps.demo.planning import seed_planning
from shared_apps.demo.pricing import seed_pricing
from shared_apps.demo.promotions import seed_promotions
from shared_apps.demo.suppliers import seed_suppliers
from tenant_apps.accounts import services as account_services
from tenant_apps.accounts.models import User
from tenant_apps.reporting.services import rollups_refresh
from tenants import domains as domain_services
from tenants import services as tenant_services
from tenants.models import Tenant


@dataclass(frozen=True)
class DemoBrand:
    slug: str
    name: str
    display_name: str
    colour: str
    locale: str
    owner_email: str
    owner_password: str
    owner_name: str
    custom_domain: str = ""
    # how the brand pays (shared_apps.demo.billing); the showcase brands are on a plan that holds their data
    billing: DemoBilling = DemoBilling(plan="growth", how="trial")
    showcase: bool = True  # seeded with a dealer network, catalog, prices, orders; else the owner alone


OPERATOR = ("operator@platform.test", "operator-demo-2026")
BRANDS = [
    DemoBrand(
        "acme",
        "Acme Beverage Group",
        "Acme 饮料集团",
        "#D9282F",
        "zh-hans",
        "owner@acme.test",
        "acme-demo-2026",
        "王建国",
        "order.acme-drinks.example",
        # a card that renews every month, and a special VAT invoice (专票) for its latest payment
        billing=DemoBilling(plan="growth", how="card", fapiao=DemoFapiao(
            title="Acme 饮料集团有限公司", tax_id="91310115MA1K4D2E0R", email="finance@acme.test", kind="special",
            address_phone="上海市浦东新区张江路 88 号 021-58880000",
            bank_account="招商银行上海张江支行 121900000000018")),
    ),
    DemoBrand(
        "globex",
        "Globex Tiles",
        "Globex Tiles",
        "#0E7C66",
        "en",
        "owner@globex.test",
        "globex-demo-2026",
        "Grace Lin",
        # a year paid ahead with Alipay, and an ordinary VAT invoice (普票) for it
        billing=DemoBilling(plan="enterprise", how="prepaid", interval="year", fapiao=DemoFapiao(
            title="环球瓷砖（深圳）有限公司", tax_id="91440300MA5G8TLE1N", email="ap@globex.test")),
    ),
    # two brands with their owner alone, to show the plans' other states
    DemoBrand("yunshan", "Yunshan Tea", "云山茶业", "#2E7D32", "zh-hans", "owner@yunshan.test", "yunshan-demo-2026",
              "林晓云", billing=DemoBilling(plan="starter", how="trial"), showcase=False),
    DemoBrand("jinlong", "Jinlong Building Materials", "金龙建材", "#B26A00", "zh-hans", "owner@jinlong.test",
              "jinlong-demo-2026", "赵金龙", billing=DemoBilling(plan="starter", how="card_declined"),
              showcase=False),
]


def base_url(slug: str | None = None) -> str:
    host = settings.PLATFORM_DOMAIN if slug is None else f"{slug}.{settings.PLATFORM_DOMAIN}"
    return f"{settings.PLATFORM_SCHEME}://{host}"


def seed(brands: Sequence[str] | None = None) -> list[str]:
    """Create what is missing, for the brands with these slugs (default: all); return the lines to print (URLs and
    sign-in accounts)."""
    lines = []
    if not User.objects.filter(email=OPERATOR[0]).exists():
        account_services.user_create(
            actor=None,
            email=OPERATOR[0],
            password=OPERATOR[1],
            full_name="Platform operator",
            is_staff=True,
            is_superuser=True,
        )
    lines.append(f"operator console  {base_url()}/operator/  {OPERATOR[0]} / {OPERATOR[1]}")
    for brand in (b for b in BRANDS if brands is None or b.slug in brands):
        tenant = brand_ensure(brand)
        data = []
        if brand.showcase:
            # In the brand's language: what the seed writes as text (order timelines, frozen price breakdowns,
            # approval notes) is written in the language of whoever acted, as when the brand's own people do it.
            with tenant_context(tenant), translation.override(brand.locale):
                data = seed_tenant(brand)
        # billing last: the data above is seeded into a workspace that may still write (a trial)
        where = seed_billing(tenant=tenant, billing_plan=brand.billing, owner_email=brand.owner_email)
        if brand.showcase:  # multi-tier distribution, on a plan that has it (after billing: the plan is set)
            tenant.refresh_from_db()
            with tenant_context(tenant), translation.override(brand.locale):
                data.extend(seed_suppliers(brand_slug=brand.slug, password=brand.owner_password, tenant=tenant))
        lines.append(
            f"{brand.display_name:<16}  {base_url(brand.slug)}/  {brand.owner_email} / {brand.owner_password}"
            f"  ({where})"
        )
        lines.extend(data)
    tenant_services.tenant_pool_fill()  # leave the warm pool full for the next sign-up
    return lines


def brand_ensure(brand: DemoBrand) -> Tenant:
    """The brand's tenant, provisioned with its owner and branding (on its plan's trial) if it is missing."""
    tenant = Tenant.objects.filter(slug=brand.slug).first()
    if tenant is None:
        tenant = tenant_services.tenant_provision(
            actor=None,
            name=brand.name,
            slug=brand.slug,
            locale=brand.locale,
            # the showcase brands' networks have more dealers than starter's 50: they start on growth
            plan=Plan.objects.get(code="growth" if brand.showcase else brand.billing.plan),
            owner=tenant_services.Owner(
                email=brand.owner_email, password=brand.owner_password, full_name=brand.owner_name
            ),
        )
        tenant = tenant_services.tenant_branding_update(
            actor=None, tenant=tenant, display_name=brand.display_name, primary_colour=brand.colour
        )
    if brand.custom_domain and not tenant.domains.filter(domain=brand.custom_domain).exists():
        # shown on the console's Domains page, waiting for its DNS record
        domain_services.domain_add(actor=None, tenant=tenant, domain=brand.custom_domain)
    return tenant


def seed_tenant(brand: DemoBrand) -> list[str]:
    """Per-tenant demo data; later capabilities (catalog, prices, orders) add theirs here."""
    english = not brand.locale.startswith("zh")
    lines = seed_network(slug=brand.slug, password=brand.owner_password, brand_word="Tile" if english else "饮料",
                         language="en" if english else "zh", brand_name=brand.display_name)
    seed_catalog(brand_slug=brand.slug, colour=brand.colour)
    seed_pricing(brand_slug=brand.slug)
    seed_promotions(brand_slug=brand.slug)
    seed_approvals(brand_slug=brand.slug)
    seed_finance_terms(brand_slug=brand.slug)  # before the orders: they are charged by the dealers' terms
    seed_orders(brand_slug=brand.slug)
    seed_finance_payments(brand_slug=brand.slug)
    seed_finance_overdue(brand_slug=brand.slug, password=brand.owner_password)
    seed_finance_rebate(brand_slug=brand.slug)
    seed_finance_bank(brand_slug=brand.slug)
    seed_finance_statements(brand_slug=brand.slug)
    stripe = seed_finance_stripe(brand_slug=brand.slug, brand_url=base_url(brand.slug))
    seed_history(brand_slug=brand.slug)  # last: the orders above are today's, the history is the year before
    lines = [*lines, *seed_dealer_people(brand_slug=brand.slug, password=brand.owner_password)]
    rollups_refresh(full=True)  # the reports' rollups, with the history
    lines = [*lines, *seed_planning(brand_slug=brand.slug)]  # forecasts, recommendations, suggestions: learnt from it
    return [*lines, *finance_lines(slug=brand.slug, password=brand.owner_password), f"  online payments: {stripe}"]
