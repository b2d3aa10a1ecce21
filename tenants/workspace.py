"""What a new workspace starts with, so that a brand that signs up by itself can take an order once it adds its own
products and dealers: the headquarters node named after the brand, units, China's administrative divisions as
territories, common carriers, an active base price list, a default warehouse, and an approval workflow in which
the brand confirms (接单) each order.

Two parts, both idempotent (what exists is left as it is):
  reference_data_ensure      the same for every brand (divisions, carriers): baked into the template schema after
                             its migrations, so that a clone or a pool claim already has it (then one count each);
  workspace_defaults_ensure  per brand, in its language, after the schema is claimed or cloned (a few inserts).
Each part writes through the owning app's services.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_tenants.utils import schema_context

from tenant_apps.accounts.permissions import Role
from tenant_apps.approvals import services as approval_services
from tenant_apps.approvals.models import ApprovalWorkflow
from tenant_apps.catalog import services as catalog_services
from tenant_apps.dealers import divisions
from tenant_apps.dealers import services as dealer_services
from tenant_apps.fulfillment import services as fulfillment_services
from tenant_apps.fulfillment.models import Carrier
from tenant_apps.inventory import services as inventory_services
from tenant_apps.inventory.models import Warehouse
from tenant_apps.pricing import services as pricing_services
from tenant_apps.pricing.models import PriceList, PriceListKind, PriceListStatus
from tenants.models import Tenant

OWN_DELIVERY = "own"
OWN_DELIVERY_NAME = "自行配送"
# Carriers by their Chinese names (English ones below for brands working in English); each tracking page takes
# the waybill number.
CARRIERS = (
    ("sf", "顺丰速运", "https://www.sf-express.com/chn/sc/waybill/waybill-detail/{number}"),
    ("jd", "京东物流", "https://www.jdl.com/orderSearch/?waybillCodes={number}"),
    ("zto", "中通快递", "https://www.kuaidi100.com/chaxun?com=zhongtong&nu={number}"),
    ("yto", "圆通速递", "https://www.kuaidi100.com/chaxun?com=yuantong&nu={number}"),
    ("yunda", "韵达快递", "https://www.kuaidi100.com/chaxun?com=yunda&nu={number}"),
    ("ems", "EMS", "https://www.ems.com.cn/queryList?mailNum={number}"),
    (OWN_DELIVERY, OWN_DELIVERY_NAME, ""),
)
# what the carriers call themselves in English (for brands that work in English)
CARRIER_NAMES_EN = {"sf": "SF Express", "jd": "JD Logistics", "zto": "ZTO Express", "yto": "YTO Express",
                    "yunda": "Yunda Express", "ems": "EMS"}
WAREHOUSE_CODE = "MAIN"
PRICE_LIST_CODE = "DEFAULT"
# Who confirms an order in the default workflow: brand staff who hold orders.approve at headquarters.
CONFIRMERS = [Role.OWNER, Role.ADMIN, Role.SALES_REP]
# Tried after the workflows the brand adds (their default priority is 100): it catches the orders they do not.
DEFAULT_WORKFLOW_PRIORITY = 1000


def _units() -> list[tuple[str, str]]:
    """Codes of UN/ECE Recommendations 20 and 21 (what ERPs and e-invoices use), names in the brand's language."""
    return [
        ("PCE", pgettext("unit of measure", "piece")),
        ("CS", pgettext("unit of measure", "case")),
        ("BO", pgettext("unit of measure", "bottle")),
        ("BX", pgettext("unit of measure", "box")),
        ("PK", pgettext("unit of measure", "pack")),
        ("BG", pgettext("unit of measure", "bag")),
        ("BA", pgettext("unit of measure", "barrel")),
        ("UNIT", pgettext("unit of measure", "unit")),
        ("SET", pgettext("unit of measure", "set")),
        ("KGM", pgettext("unit of measure", "kg")),
    ]


def reference_data_ensure(*, actor) -> None:
    """Divisions and carriers, in the schema the connection is on (the template schema, or a workspace whose
    schema came from an older pool)."""
    with transaction.atomic():
        divisions.territories_china_ensure(actor=actor)
        fulfillment_services.carriers_ensure(actor=actor, carriers=CARRIERS)


def template_reference_data_ensure(*, schema_name: str) -> None:
    with schema_context(schema_name):
        reference_data_ensure(actor=None)


def _localise_reference_data(locale: str) -> None:
    """The two reference names that are not proper names follow the brand's language (one UPDATE each, only
    while they still have the name the template gave them)."""
    divisions.territory_root_localise(locale=locale)
    own = _("Own delivery")
    if own != OWN_DELIVERY_NAME:
        Carrier.objects.filter(code=OWN_DELIVERY, name=OWN_DELIVERY_NAME).update(name=own)
    if not locale.startswith("zh"):  # the carriers' own English names, while they keep the template's
        Carrier.objects.filter(code__in=CARRIER_NAMES_EN, name__in=[name for _c, name, _u in CARRIERS]).update(
            name=Case(*(When(code=code, then=Value(name)) for code, name in CARRIER_NAMES_EN.items())))


@transaction.atomic
def workspace_defaults_ensure(*, actor, tenant: Tenant) -> None:
    """Give the workspace what a brand needs before its first order (see the module). Call with the connection on
    the tenant's schema. Idempotent: a second call changes nothing."""
    with translation.override(tenant.default_locale):
        dealer_services.headquarters_ensure(name=tenant.display_name or tenant.name)
        reference_data_ensure(actor=actor)
        _localise_reference_data(tenant.default_locale)
        catalog_services.units_ensure(actor=actor, units=_units())
        if not Warehouse.objects.exists():
            inventory_services.warehouse_create(actor=actor, code=WAREHOUSE_CODE, name=_("Main warehouse"))
        if not PriceList.objects.filter(kind=PriceListKind.BASE).exists():
            pricing_services.price_list_create(
                actor=actor, code=PRICE_LIST_CODE, name=_("Base price list"), kind=PriceListKind.BASE,
                currency=tenant.default_currency, status=PriceListStatus.ACTIVE)
        if not ApprovalWorkflow.objects.exists():
            approval_services.workflow_create(
                actor=actor, name=_("Order confirmation"), priority=DEFAULT_WORKFLOW_PRIORITY,
                steps=[approval_services.StepSpec(name=_("Confirm the order"), approver_roles=CONFIRMERS,
                                                  scope="hq")])
