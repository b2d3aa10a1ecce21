"""The one place that says who may do what: roles, their capabilities, and their data scope.

Capabilities are named `<area>.<verb>`; views and API endpoints declare the capability they need
(`@requires("dealers.edit")`, `HasCapability`), and lookups apply the data scope
(`dealers.selectors.dealers_visible_to`, `dealer_get_for`). Denied: 403; outside the scope: 404.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # brand staff
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    REGIONAL_MANAGER = "regional_manager", _("Regional manager")
    SALES_REP = "sales_rep", _("Sales representative")
    FINANCE = "finance", _("Finance")
    WAREHOUSE = "warehouse", _("Warehouse")
    ANALYST = "analyst", _("Analyst")
    # dealer staff
    DEALER_OWNER = "dealer_owner", _("Dealer owner")
    DEALER_BUYER = "dealer_buyer", _("Dealer buyer")
    DEALER_FINANCE = "dealer_finance", _("Dealer finance")
    # the platform operator's staff, during support access
    SUPPORT = "support", _("Platform support")


BRAND_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.REGIONAL_MANAGER, Role.SALES_REP, Role.FINANCE,
                         Role.WAREHOUSE, Role.ANALYST, Role.SUPPORT})
DEALER_ROLES = frozenset({Role.DEALER_OWNER, Role.DEALER_BUYER, Role.DEALER_FINANCE})
# Roles an inviter may hand out (never owner or support).
INVITABLE_ROLES = frozenset(BRAND_ROLES - {Role.OWNER, Role.SUPPORT}) | DEALER_ROLES


class Scope(models.TextChoices):
    ALL = "all", _("The whole network")
    SUBTREE = "subtree", _("Their part of the network")
    ASSIGNED = "assigned", _("Their assigned dealers")
    OWN_DEALER = "own_dealer", _("Their own company")


SCOPE = {
    Role.OWNER: Scope.ALL, Role.ADMIN: Scope.ALL, Role.FINANCE: Scope.ALL, Role.WAREHOUSE: Scope.ALL,
    Role.ANALYST: Scope.ALL, Role.SUPPORT: Scope.ALL,
    Role.REGIONAL_MANAGER: Scope.SUBTREE,
    Role.SALES_REP: Scope.ASSIGNED,
    Role.DEALER_OWNER: Scope.OWN_DEALER, Role.DEALER_BUYER: Scope.OWN_DEALER, Role.DEALER_FINANCE: Scope.OWN_DEALER,
}

CONSOLE = "console.access"
DEALERS_VIEW = "dealers.view"
DEALERS_CREATE = "dealers.create"
DEALERS_EDIT = "dealers.edit"
DEALERS_STATUS = "dealers.status"
DEALERS_BANK_VIEW = "dealers.bank_view"
NETWORK_EDIT = "network.edit"  # regions, moving nodes
DEALERS_IMPORT = "dealers.import"
DEALERS_EXPORT = "dealers.export"
QUALIFICATIONS_EDIT = "qualifications.edit"
USERS_VIEW = "users.view"
USERS_INVITE = "users.invite"
SETTINGS_EDIT = "settings.edit"  # tiers, territories, qualification types, channel policy
COMPANY_VIEW = "company.view"  # a dealer's own company
COMPANY_ADDRESSES = "company.addresses"
COMPANY_USERS = "company.users"  # a dealer owner invites their own staff
ACCOUNT_EDIT = "account.edit"
CATALOG_VIEW = "catalog.view"  # browse and search the catalog (dealers see what is visible to them)
CATALOG_EDIT = "catalog.edit"  # categories, products, SKUs, images
INVENTORY_VIEW = "inventory.view"
INVENTORY_EDIT = "inventory.edit"  # receipts, adjustments, transfers, warehouses, thresholds
INVENTORY_SYNC = "inventory.sync"  # an ERP/WMS pushing stock levels
PRICING_VIEW = "pricing.view"  # price lists, protection windows, quotes for any dealer in scope
PRICING_EDIT = "pricing.edit"  # price lists and entries, imports, protection windows, resale floors
PROMOTIONS_VIEW = "promotions.view"
PROMOTIONS_EDIT = "promotions.edit"  # build, publish and unpublish promotions and coupons
CART_EDIT = "cart.edit"  # a dealer's buyers fill the dealer's shared cart and see its quote
ORDERS_MANAGE = "orders.manage"  # brand staff: cancel and act on orders in their scope
ORDERS_VIEW_OWN = "orders.view_own"  # dealer staff: their own company's orders
FULFILLMENT_SHIP = "fulfillment.ship"  # allocate, pick, ship, track; receive returned goods
RETURNS_DECIDE = "returns.decide"  # approve or reject a dealer's return request (RMA)
ORDERS_VIEW = "orders.view"  # brand staff: orders of dealers in their scope
ORDERS_PLACE_FOR = "orders.place_for"  # brand staff: build and submit an order for a dealer in their scope (代客下单)
ORDERS_APPROVE = "orders.approve"  # approve, reject or send back orders at their step of the approval chain
APPROVALS_CONFIGURE = "approvals.configure"  # approval workflows, steps and auto-approval rules
AUDIT_VIEW = "audit.view"  # read the audit log (in the reader's data scope)
FINANCE_VIEW = "finance.view"  # brand staff: dealer accounts and ledgers in their scope
FINANCE_EDIT = "finance.edit"  # top-ups, adjustments and their approval, settlement settings
FINANCE_VIEW_OWN = "finance.view_own"  # dealer staff: their own company's accounts and ledgers
RECEIVABLES_VIEW = "finance.receivables_view"  # brand staff: receivables, ageing and overdue blocks in their scope
FINANCE_PAY = "finance.pay"  # dealer staff: pay orders, top up, record transfers, confirm statements, tax details
REPORTS_VIEW = "reports.view"  # brand staff: dashboards, analyses and saved reports, in their data scope
REPORTS_BUILD = "reports.build"  # build, save, share and schedule reports
REPORTS_EXPORT = "reports.export"  # export orders, shipments, returns and reports (CSV/XLSX), in their scope
REPORTS_VIEW_OWN = "reports.view_own"  # dealer staff: their own company's purchases
BILLING_MANAGE = "billing.manage"  # the workspace's own subscription: plan, payments, invoices (发票); the owner's
WORKSPACE_EXPORT = "workspace.export"  # export all the workspace's data and files (a zip): owner and administrators
SUPPLIERS_MANAGE = "suppliers.manage"  # brand staff: make dealers suppliers to their sub-dealers (S2B2B), or stop
# A supplier dealer's own people, only while their dealer is an active supplier (SUPPLIER_MATRIX, has_perm):
SUPPLIER_ORDERS = "supplier.orders"  # the orders placed with their company: read, approve at its steps
SUPPLIER_PRICING = "supplier.pricing"  # their company's price lists for its sub-dealers
SUPPLIER_INVENTORY = "supplier.inventory"  # their company's warehouses: stock, receipts
SUPPLIER_FINANCE = "supplier.finance"  # payments received from their sub-dealers, the credit and terms they give them
# A dealer's staff, narrowed or widened per person by their dealer owner (DEALER_RIGHTS below)
ORDERS_SUBMIT = "orders.submit"  # submit the company's cart as an order (filling the cart is CART_EDIT)
PRICES_SEE = "prices.see"  # see prices and totals (a dealer user without it sees products and quantities only)
ORDERS_APPROVE_OWN = "orders.approve_own"  # approve the company's own orders above a buyer's internal limit

_STAFF_READ = {CONSOLE, DEALERS_VIEW, USERS_VIEW, ACCOUNT_EDIT, CATALOG_VIEW, PRICING_VIEW, PROMOTIONS_VIEW,
               ORDERS_VIEW, REPORTS_VIEW, REPORTS_EXPORT}
_ADMIN = _STAFF_READ | {DEALERS_CREATE, DEALERS_EDIT, DEALERS_STATUS, DEALERS_BANK_VIEW, NETWORK_EDIT,
                        DEALERS_IMPORT, DEALERS_EXPORT, QUALIFICATIONS_EDIT, USERS_INVITE, SETTINGS_EDIT,
                        INVENTORY_VIEW, INVENTORY_EDIT, INVENTORY_SYNC, CATALOG_EDIT,
                        PRICING_EDIT, PROMOTIONS_EDIT, ORDERS_APPROVE, APPROVALS_CONFIGURE,
                        FULFILLMENT_SHIP, RETURNS_DECIDE, ORDERS_MANAGE, AUDIT_VIEW, FINANCE_VIEW, FINANCE_EDIT,
                        RECEIVABLES_VIEW, REPORTS_BUILD, SUPPLIERS_MANAGE}

MATRIX: dict[str, frozenset[str]] = {
    # (ordering on a dealer's behalf is the brand's own people's: not the platform's support staff)
    Role.OWNER: frozenset(_ADMIN | {BILLING_MANAGE, WORKSPACE_EXPORT, ORDERS_PLACE_FOR}),
    Role.ADMIN: frozenset(_ADMIN | {WORKSPACE_EXPORT, ORDERS_PLACE_FOR}),
    Role.SUPPORT: frozenset(_ADMIN),
    Role.REGIONAL_MANAGER: frozenset(_STAFF_READ | {DEALERS_CREATE, DEALERS_EDIT, DEALERS_STATUS, NETWORK_EDIT,
                                                    DEALERS_EXPORT, QUALIFICATIONS_EDIT, USERS_INVITE,
                                                    INVENTORY_VIEW, ORDERS_APPROVE, RETURNS_DECIDE,
                                                    ORDERS_MANAGE, AUDIT_VIEW, RECEIVABLES_VIEW,
                                                    REPORTS_BUILD, ORDERS_PLACE_FOR}),
    Role.SALES_REP: frozenset(_STAFF_READ | {DEALERS_EDIT, QUALIFICATIONS_EDIT, USERS_INVITE, INVENTORY_VIEW,
                                             ORDERS_APPROVE, RETURNS_DECIDE, ORDERS_MANAGE, RECEIVABLES_VIEW,
                                             ORDERS_PLACE_FOR}),
    Role.FINANCE: frozenset(_STAFF_READ | {DEALERS_BANK_VIEW, DEALERS_EXPORT, INVENTORY_VIEW, PRICING_EDIT,
                                           ORDERS_APPROVE, AUDIT_VIEW, FINANCE_VIEW, FINANCE_EDIT,
                                           RECEIVABLES_VIEW, REPORTS_BUILD}),
    Role.WAREHOUSE: frozenset(_STAFF_READ | {INVENTORY_VIEW, INVENTORY_EDIT, INVENTORY_SYNC, FULFILLMENT_SHIP}),
    Role.ANALYST: frozenset(_STAFF_READ | {DEALERS_EXPORT, INVENTORY_VIEW, AUDIT_VIEW, REPORTS_BUILD}),
    Role.DEALER_OWNER: frozenset({COMPANY_VIEW, COMPANY_ADDRESSES, COMPANY_USERS, ACCOUNT_EDIT, CATALOG_VIEW,
                                 CART_EDIT, ORDERS_SUBMIT, PRICES_SEE, ORDERS_APPROVE_OWN, ORDERS_VIEW_OWN,
                                 FINANCE_VIEW_OWN, FINANCE_PAY, REPORTS_VIEW_OWN}),
    Role.DEALER_BUYER: frozenset({COMPANY_VIEW, COMPANY_ADDRESSES, ACCOUNT_EDIT, CATALOG_VIEW, CART_EDIT,
                                  ORDERS_SUBMIT, PRICES_SEE, ORDERS_VIEW_OWN, REPORTS_VIEW_OWN}),
    Role.DEALER_FINANCE: frozenset({COMPANY_VIEW, ACCOUNT_EDIT, CATALOG_VIEW, PRICES_SEE, ORDERS_VIEW_OWN,
                                    FINANCE_VIEW_OWN, FINANCE_PAY, REPORTS_VIEW_OWN}),
}

# The rights a dealer owner sets per person of their company (accounts.User.may_*; None: the role's default):
# right -> (what granting it adds to the role's capabilities, what refusing it takes away). Applied in this
# order, so that refusing prices also closes the pages made of money (finance, purchase reports), whatever the
# pay right says. A dealer owner's own rights are never narrowed.
DEALER_RIGHTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "order": ((ORDERS_SUBMIT, CART_EDIT), (ORDERS_SUBMIT,)),
    "pay": ((FINANCE_PAY, FINANCE_VIEW_OWN), (FINANCE_PAY,)),
    "approve": ((ORDERS_APPROVE_OWN,), (ORDERS_APPROVE_OWN,)),
    "see_prices": ((PRICES_SEE,), (PRICES_SEE, FINANCE_PAY, FINANCE_VIEW_OWN, REPORTS_VIEW_OWN)),
}


def _with_rights(user, granted: frozenset[str]) -> frozenset[str]:
    changed = set(granted)
    for right, (adds, takes) in DEALER_RIGHTS.items():
        value = getattr(user, f"may_{right}", None)
        if value is True:
            changed.update(adds)
        elif value is False:
            changed.difference_update(takes)
    return frozenset(changed)


# Held by a dealer's people only while their dealer is an active supplier (tenant_apps.dealers.models.Supplier):
# whether it is is asked of the check the dealers app registers (accounts sits below dealers), once per user object.
SUPPLIER_CAPABILITIES = frozenset({SUPPLIER_ORDERS, SUPPLIER_PRICING, SUPPLIER_INVENTORY, SUPPLIER_FINANCE})
SUPPLIER_MATRIX: dict[str, frozenset[str]] = {
    Role.DEALER_OWNER: SUPPLIER_CAPABILITIES,
    Role.DEALER_BUYER: frozenset({SUPPLIER_ORDERS}),
}

_supplier_check: list = [lambda user: None]


def supplier_check_register(check) -> None:
    """Called once, by the dealers app's AppConfig.ready: `check(user)` is the supplier node id of the user's
    dealer when it is an active supplier, else None."""
    _supplier_check[0] = check


def supplier_node_id(user) -> int | None:
    """The node of the user's dealer when it is an active supplier (one query, then kept on the user object)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "dealer_id", None):
        return None
    if not hasattr(user, "_supplier_node_id"):
        user._supplier_node_id = _supplier_check[0](user)
    return user._supplier_node_id


def capabilities(user) -> frozenset[str]:
    """The role's capabilities (the supplier ones, which depend on the user's dealer, are asked of has_perm)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    granted = MATRIX.get(user.role, frozenset())
    if user.role in (Role.DEALER_BUYER, Role.DEALER_FINANCE):
        return _with_rights(user, granted)
    return granted


def dealer_rights(user) -> dict[str, bool]:
    """The person's rights within their company (for the owner's page and the API), active or not."""
    granted = MATRIX.get(user.role, frozenset())
    if user.role in (Role.DEALER_BUYER, Role.DEALER_FINANCE):
        granted = _with_rights(user, granted)
    return {right: adds[0] in granted for right, (adds, _takes) in DEALER_RIGHTS.items()}


def sees_prices(user) -> bool:
    """Prices and totals are shown to everyone but a dealer's person whose owner took the right away."""
    return not (getattr(user, "role", "") in DEALER_ROLES and PRICES_SEE not in capabilities(user))


def has_perm(user, capability: str) -> bool:
    if capability in SUPPLIER_CAPABILITIES:
        return (getattr(user, "is_authenticated", False) and user.is_active
                and capability in SUPPLIER_MATRIX.get(user.role, frozenset()) and supplier_node_id(user) is not None)
    return capability in capabilities(user)


def scope_of(user) -> str | None:
    return SCOPE.get(getattr(user, "role", ""))
