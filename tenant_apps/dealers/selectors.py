"""Reads of the dealer network, always through the actor's data scope."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import Exists, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.accounts.models import Invitation, User
from tenant_apps.accounts.permissions import COMPANY_USERS, Scope, has_perm, scope_of
from tenant_apps.core.errors import NotFound
from tenant_apps.dealers.errors import DealerNotFound, NodeNotFound
from tenant_apps.dealers.models import (
    Dealer,
    DealerAddress,
    DealerStatus,
    NetworkSettings,
    Node,
    Supplier,
    Territory,
)


def dealers_count() -> int:
    """The dealers a plan counts: every dealer not terminated (billing's meter of "dealers")."""
    return Dealer.objects.exclude(status=DealerStatus.TERMINATED).count()


def headquarters() -> Node:
    return Node.objects.get(kind=Node.Kind.HEADQUARTERS)


def network_settings() -> NetworkSettings:
    return NetworkSettings.objects.first() or NetworkSettings()


def _dealer_scope(user) -> Q | None:
    """The condition on dealers that `user` may see; None for nothing."""
    scope = scope_of(user)
    if scope == Scope.ALL:
        return Q()
    if scope == Scope.SUBTREE and user.scope_node_id:
        return Q(node__path__descendant_of=user.scope_node.path)
    if scope == Scope.ASSIGNED:
        condition = Q(sales_rep=user)
        if user.scope_node_id:
            condition |= Q(node__path__descendant_of=user.scope_node.path)
        return condition
    if scope == Scope.OWN_DEALER and user.dealer_id:
        return Q(pk=user.dealer_id)
    return None


def dealers_visible_to(user) -> QuerySet[Dealer]:
    condition = _dealer_scope(user)
    if condition is None:
        return Dealer.objects.none()
    return Dealer.objects.filter(condition)


def users_visible_to(actor) -> QuerySet[User]:
    """The workspace's people (not the platform's support) that `actor` may see: everyone for the whole-network
    roles, else the staff of the dealers in their part of the network."""
    users = User.objects.exclude(role="").select_related("dealer").order_by("email")
    if scope_of(actor) != Scope.ALL:
        users = users.filter(dealer__in=dealers_visible_to(actor))
    return users


def nodes_visible_to(user) -> QuerySet[Node]:
    scope = scope_of(user)
    if scope == Scope.ALL:
        return Node.objects.all()
    if scope == Scope.SUBTREE and user.scope_node_id:
        return Node.objects.filter(path__descendant_of=user.scope_node.path)
    return Node.objects.filter(dealer__in=dealers_visible_to(user))


def dealer_get_for(*, actor, dealer_id) -> Dealer:
    """The dealer, if the actor may see it; DealerNotFound (404) otherwise, existing or not."""
    dealer = (
        dealers_visible_to(actor)
        .select_related("node", "tier", "supplier", "sales_rep", "regional_manager")
        .filter(pk=dealer_id)
        .first()
    )
    if dealer is None:
        raise DealerNotFound(_("No such dealer."))
    return dealer


def node_get_for(*, actor, node_id) -> Node:
    node = nodes_visible_to(actor).filter(pk=node_id).first()
    if node is None:
        raise NodeNotFound(_("No such place in the network."))
    return node


def dealer_list(*, actor, q: str = "", status: str = "", tier: str = "", under: Node | None = None,
                territory: str = "") -> QuerySet[Dealer]:
    dealers = (
        dealers_visible_to(actor)
        .select_related("node", "tier", "supplier", "sales_rep", "regional_manager")
        .prefetch_related("territories")
    )
    if q:
        dealers = dealers.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(legal_name__icontains=q))
    if status:
        dealers = dealers.filter(status=status)
    if tier:
        dealers = dealers.filter(tier__code=tier)
    if under is not None:
        dealers = dealers.filter(node__path__descendant_of=under.path)
    if territory:
        dealers = dealers.filter(territories__code=territory).distinct()
    return dealers


def territory_covers(*, dealer: Dealer, territory: Territory) -> bool:
    """Is `territory` inside one of the dealer's territories (or the dealer has none set)?"""
    paths = [t.path for t in dealer.territories.all()]
    if not paths:
        return True
    return Territory.objects.filter(pk=territory.pk).filter(
        Q.create([("path__descendant_of", path) for path in paths], connector=Q.OR)
    ).exists()


def path_in_territories(path: str | None, territory_paths) -> bool:
    """Is the area `path` (a territory's ltree path) equal to or below one of `territory_paths`? A dealer with no
    territories is not restricted (True), nor is an area that is not known (None: an order's address whose area was
    deleted). Pure: the ordering submission reads both from its one context query (防窜货 at order time)."""
    paths = [p for p in territory_paths if p]
    if not paths or not path:
        return True
    return any(path == mine or path.startswith(mine + ".") for mine in paths)


def territory_path_of(*, territory_id: int | None = None, address_id: int | None = None) -> str | None:
    """The current path of a territory, given by id or as a dealer address's area (one query; None if gone)."""
    if territory_id is not None:
        return Territory.objects.filter(pk=territory_id).values_list("path", flat=True).first()
    if address_id is not None:
        return Territory.objects.filter(pk__in=DealerAddress.objects.filter(pk=address_id).values("territory_id")) \
            .values_list("path", flat=True).first()
    return None


# SQL of the brand's channel policy (NetworkSettings.channel_conflict_policy; the first row, as network_settings()),
# as an expression (read inside the order submission's one context query).
CHANNEL_POLICY_SQL = "(SELECT ns.channel_conflict_policy FROM dealers_networksettings ns ORDER BY ns.id LIMIT 1)"


# Names of the required qualification types the dealer %(dealer)s lacks a valid one of on %(today)s, as an
# array expression (also read inside the order submission's one context query).
QUALIFICATION_BLOCKERS_SQL = """ARRAY(
    SELECT qt.name FROM dealers_qualificationtype qt
    WHERE qt.required AND NOT EXISTS (
        SELECT 1 FROM dealers_qualification q
        WHERE q.dealer_id = %(dealer)s AND q.type_id = qt.id
          AND (q.valid_to IS NULL OR q.valid_to >= %(today)s) AND (q.valid_from IS NULL OR q.valid_from <= %(today)s))
    ORDER BY qt.code)"""


def qualification_blockers(*, dealer: Dealer, today: date | None = None) -> list[str]:
    """Why this dealer may not order: required qualification types missing or expired (names)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + QUALIFICATION_BLOCKERS_SQL,
                       {"dealer": dealer.pk, "today": today or timezone.localdate()})
        return list(cursor.fetchone()[0])


# --- suppliers (S2B2B) ---------------------------------------------------------------------------------------

# The node the dealer %(dealer)s buys from when it is an active supplier, else NULL (headquarters), as an SQL
# expression: read inside the order submission's one context query (tenant_apps.ordering.submission) and by the
# warehouses' ranking there.
SELLER_SQL = """(SELECT s.node_id FROM dealers_supplier s JOIN dealers_dealer sd ON sd.supplier_id = s.node_id
                 WHERE sd.id = %(dealer)s AND s.active)"""


def seller_of(dealer: Dealer) -> int | None:
    """The node `dealer` buys from when it is an active supplier, else None (headquarters). One query."""
    return Supplier.objects.filter(node_id=dealer.supplier_id, active=True).values_list("node_id", flat=True).first()


def seller_name_of(dealer: Dealer) -> str | None:
    """The name of the node `dealer` buys from when it is an active supplier, else None (headquarters). One
    query."""
    return Supplier.objects.filter(node_id=dealer.supplier_id, active=True).values_list(
        "node__name", flat=True).first()


def supplier_node_id_of_user(user) -> int | None:
    """The node of the user's dealer when it is an active supplier, else None (accounts.permissions asks this)."""
    return Supplier.objects.filter(node__dealer__pk=user.dealer_id, active=True).values_list(
        "node_id", flat=True).first()


def supplier_list() -> QuerySet[Supplier]:
    return Supplier.objects.select_related("node__dealer").order_by("node__code")


def supplier_get(*, node_id) -> Supplier:
    supplier = Supplier.objects.select_related("node__dealer").filter(
        node_id=node_id if str(node_id).isdigit() and int(node_id) < 2 ** 62 else -1).first()
    if supplier is None:
        raise NodeNotFound(_("No such supplier."))
    return supplier


def supplier_dealers(*, node_id: int) -> QuerySet[Dealer]:
    """The dealers that buy from the supplier `node_id` (its sub-dealers): a supplier's data scope."""
    return Dealer.objects.filter(supplier_id=node_id).select_related("node", "tier").order_by("code")


def supplier_dealer_get(*, node_id: int, dealer_id) -> Dealer:
    """One of the supplier's sub-dealers; DealerNotFound (404) for any other, existing or not."""
    dealer = supplier_dealers(node_id=node_id).filter(
        pk=dealer_id if str(dealer_id).isdigit() and int(dealer_id) < 2 ** 62 else -1).first()
    if dealer is None:
        raise DealerNotFound(_("No such dealer."))
    return dealer


def hq_orders_only_own():
    """An expression, true when the brand shows its staff only headquarters' own sales on the order list (no query
    of its own: it goes into the list's query)."""
    return Exists(NetworkSettings.objects.filter(hq_orders_only_own=True))


# --- a dealer's own people (dealers.people) ---------------------------------------------------------


def company_people(*, actor) -> QuerySet[User]:
    """The people of the actor's own company (none for anyone without one)."""
    if not actor.dealer_id or not has_perm(actor, COMPANY_USERS):
        return User.objects.none()
    return User.objects.filter(dealer_id=actor.dealer_id).exclude(role="").order_by("-is_active", "email")


def company_invitations(*, actor) -> QuerySet[Invitation]:
    """Pending invitations into the actor's company, whoever sent them."""
    if not actor.dealer_id or not has_perm(actor, COMPANY_USERS):
        return Invitation.objects.none()
    return Invitation.objects.filter(dealer_id=actor.dealer_id, accepted_at__isnull=True,
                                     revoked_at__isnull=True).select_related("invited_by").order_by("-created_at")


def person_get_for(*, actor, user_id) -> User:
    """A person of the actor's company; NotFound (404) for anyone else, existing or not."""
    person = company_people(actor=actor).filter(pk=user_id).first() if str(user_id).isdigit() else None
    if person is None:
        raise NotFound(_("No such person in your company."))
    return person
