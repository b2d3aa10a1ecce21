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
from shared_apps.demo.catalog import seed_catalog
from shared_apps.demo.network import seed_network
from shared_apps.demo.orders import seed_orders
from shared_apps.demo.pricing import seed_pricing
from shared_apps.demo.promotions import seed_promotions
from tenant_apps.accounts import services as account_services
from tenant_apps.accounts.models import User
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
    ),
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
        tenant = Tenant.objects.filter(slug=brand.slug).first()
        if tenant is None:
            tenant = tenant_services.tenant_provision(
                actor=None,
                name=brand.name,
                slug=brand.slug,
                locale=brand.locale,
                plan=Plan.objects.get(code="growth"),  # the demo network has more dealers than starter's 50
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
        lines.append(
            f"{brand.display_name:<16}  {base_url(brand.slug)}/  {brand.owner_email} / {brand.owner_password}"
        )
        # In the brand's language: what the seed writes as text (order timelines, frozen price breakdowns, approval
        # notes) is written in the language of whoever acted, as it is when the brand's own people do it.
        with tenant_context(tenant), translation.override(brand.locale):
            lines.extend(seed_tenant(brand))
    tenant_services.tenant_pool_fill()  # leave the warm pool full for the next sign-up
    return lines


def seed_tenant(brand: DemoBrand) -> list[str]:
    """Per-tenant demo data; later capabilities (catalog, prices, orders) add theirs here."""
    english = not brand.locale.startswith("zh")
    lines = seed_network(slug=brand.slug, password=brand.owner_password, brand_word="Tile" if english else "饮料",
                         language="en" if english else "zh", brand_name=brand.display_name)
    seed_catalog(brand_slug=brand.slug, colour=brand.colour)
    seed_pricing(brand_slug=brand.slug)
    seed_promotions(brand_slug=brand.slug)
    seed_approvals(brand_slug=brand.slug)
    seed_orders(brand_slug=brand.slug)
    return lines
