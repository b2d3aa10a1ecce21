"""What a new workspace starts with, so that a brand that signs up by itself can take an order once it adds its own
products and dealers: the headquarters node named after the brand, units, China's administrative divisions as
territories, common carriers, an active base price list, a default warehouse, and an approval workflow in which
the brand confirms (接单) each order.

All of it is baked into the template schema after its migrations (template_defaults_ensure), so that a pool claim
or a clone already has it; workspace_defaults_ensure then checks it is all there (one query) and names it for the
brand: the headquarters after the brand, the rest in its language and currency. A schema that lacks something (an
older pool, the migrations fallback) gets it made through the owning app's services. Idempotent: what exists is
left as it is.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_tenants.utils import schema_context

from tenant_apps.accounts.permissions import Role
from tenant_apps.approvals import services as approval_services
from tenant_apps.approvals.models import ApprovalStep, ApprovalWorkflow
from tenant_apps.audit.models import AuditEntry
from tenant_apps.audit.services import audit_record
from tenant_apps.catalog import services as catalog_services
from tenant_apps.catalog.models import Unit
from tenant_apps.dealers import divisions
from tenant_apps.dealers import services as dealer_services
from tenant_apps.dealers.models import Node
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
# The template schema holds the per-brand defaults in this language (tenants.services.tenant_template_migrate).
TEMPLATE_LOCALE = "zh-hans"
# ... and in this currency: a brand in another one gets its base list and approval workflow in its own.
TEMPLATE_CURRENCY = "CNY"
UNIT_CODES = ["PCE", "CS", "BO", "BX", "PK", "BG", "BA", "UNIT", "SET", "KGM"]


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
    """Divisions and carriers, in the schema the connection is on."""
    with transaction.atomic():
        divisions.territories_china_ensure(actor=actor)
        fulfillment_services.carriers_ensure(actor=actor, carriers=CARRIERS)


def template_defaults_ensure(*, schema_name: str) -> None:
    """Bake the defaults into the template schema, so that a clone or a pool claim already has them: the reference
    data, and the per-brand rows in the template's language with an unnamed headquarters, which
    workspace_defaults_ensure then names for the brand (a couple of UPDATEs instead of some forty statements)."""
    stand_in = SimpleNamespace(name="", display_name="", default_locale=TEMPLATE_LOCALE,
                               default_currency=TEMPLATE_CURRENCY)
    with schema_context(schema_name), transaction.atomic(), translation.override(TEMPLATE_LOCALE):
        _make_missing(actor=None, tenant=stand_in)
        # The template is no brand: how its defaults were made is no workspace's history (each records its own).
        AuditEntry.objects.all().delete()


def _present() -> bool:
    """Whether the schema has every default already (one query); the divisions' completeness is checked only
    when something is missing (territories_china_ensure)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT EXISTS (SELECT 1 FROM dealers_node WHERE kind = 'headquarters')
                  AND EXISTS (SELECT 1 FROM dealers_territory WHERE code = %s)
                  AND (SELECT count(*) FROM fulfillment_carrier WHERE code = ANY(%s)) = %s
                  AND (SELECT count(*) FROM catalog_unit WHERE code = ANY(%s)) = %s
                  AND EXISTS (SELECT 1 FROM inventory_warehouse)
                  AND EXISTS (SELECT 1 FROM pricing_pricelist WHERE kind = 'base')
                  AND EXISTS (SELECT 1 FROM approvals_approvalworkflow)""",
            [divisions.ROOT_CODE, [code for code, *_rest in CARRIERS], len(CARRIERS), UNIT_CODES, len(UNIT_CODES)])
        return cursor.fetchone()[0]


def _carriers_localise(locale: str) -> None:
    """The carriers in the brand's language: own delivery translated, and for a brand working in English the
    carriers' own English names (one UPDATE, only of the rows that still carry the names the defaults gave them).
    Call with the brand's language active."""
    names = {OWN_DELIVERY: _("Own delivery"), **({} if locale.startswith("zh") else CARRIER_NAMES_EN)}
    Carrier.objects.filter(code__in=names, name__in=[name for _c, name, _u in CARRIERS]).update(
        name=Case(*(When(code=code, then=Value(name)) for code, name in names.items()), default=F("name")))


def _make_missing(*, actor, tenant) -> None:
    """Make each default that is missing, named in the language active now."""
    dealer_services.headquarters_ensure(name=tenant.display_name or tenant.name)
    reference_data_ensure(actor=actor)
    _carriers_localise(tenant.default_locale)
    divisions.territory_root_localise(locale=tenant.default_locale)
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
            currency=tenant.default_currency,
            steps=[approval_services.StepSpec(name=_("Confirm the order"), approver_roles=CONFIRMERS, scope="hq")])


def _names() -> dict:
    """The defaults' names in the language active now."""
    return {"units": dict(_units()), "warehouse": _("Main warehouse"), "price_list": _("Base price list"),
            "workflow": _("Order confirmation"), "step": _("Confirm the order")}


def _personalise(*, actor, tenant: Tenant) -> bool:
    """Name the template's defaults for this brand: the headquarters after the brand, the rest in its language and
    the base list and the approval workflow in its currency. Only rows that still carry the template's names
    change, so a brand's own edits stay; this workspace records it once, when its headquarters get their name.
    False when there was nothing to name (no unnamed headquarters: not a fresh copy of the template).

    These rows are the defaults this module made, hence plain UPDATEs here rather than a service per app."""
    with connection.cursor() as cursor:  # the unnamed headquarters named, in one statement
        cursor.execute(f"UPDATE {Node._meta.db_table} SET name = %s WHERE kind = %s AND name = '' RETURNING id",  # noqa: S608 - the model's table
                       [tenant.display_name or tenant.name, Node.Kind.HEADQUARTERS])
        named = cursor.fetchone()
    if named is None:
        return False  # named already: personalised before, or made for this brand by _make_missing
    hq = Node(pk=named[0], kind=Node.Kind.HEADQUARTERS, name=tenant.display_name or tenant.name)
    if tenant.default_locale != TEMPLATE_LOCALE:
        with translation.override(TEMPLATE_LOCALE):
            was = _names()
        now = _names()
        Unit.objects.filter(code__in=UNIT_CODES).update(name=Case(
            *(When(code=code, name=was["units"][code], then=Value(name)) for code, name in now["units"].items()),
            default=F("name")))
        Warehouse.objects.filter(code=WAREHOUSE_CODE, name=was["warehouse"]).update(name=now["warehouse"])
        PriceList.objects.filter(code=PRICE_LIST_CODE, name=was["price_list"]).update(name=now["price_list"])
        ApprovalWorkflow.objects.filter(name=was["workflow"]).update(name=now["workflow"])
        ApprovalStep.objects.filter(name=was["step"]).update(name=now["step"])
        _carriers_localise(tenant.default_locale)
        divisions.territory_root_localise(locale=tenant.default_locale)
    if tenant.default_currency != TEMPLATE_CURRENCY:
        PriceList.objects.filter(code=PRICE_LIST_CODE, currency=TEMPLATE_CURRENCY).update(
            currency=tenant.default_currency)
        ApprovalWorkflow.objects.filter(priority=DEFAULT_WORKFLOW_PRIORITY, currency=TEMPLATE_CURRENCY).update(
            currency=tenant.default_currency)
    audit_record(actor=actor, action="tenants.workspace.defaults_applied", target=hq,
                 after={"headquarters": tenant.display_name or tenant.name, "locale": tenant.default_locale,
                        "currency": tenant.default_currency})
    return True


@transaction.atomic
def workspace_defaults_ensure(*, actor, tenant: Tenant) -> None:
    """Give the workspace what a brand needs before its first order (see the module). Call with the connection on
    the tenant's schema. Idempotent: a second call changes nothing. From the pool or a clone the defaults are
    there already and only get the brand's names (two statements for a Chinese brand)."""
    with translation.override(tenant.default_locale):
        # a fresh copy of the template (pool or clone) has every default (template_defaults_ensure made them): it
        # only needs naming; anything else is checked (one query) and completed
        if not _personalise(actor=actor, tenant=tenant) and not _present():
            _make_missing(actor=actor, tenant=tenant)
