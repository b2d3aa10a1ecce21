"""Who is concerned by each event of a batch, and on which channels (services.recipients_of is the entry).

Who, by kind (the channels per role: defaults.DEFAULTS, over which the brand's RolePreference and the person's
UserPreference win; a role not listed there for a kind is never told of it):
- the dealer's own users: an order placed for it by the brand's staff, an order's progress (and whoever placed the
  order), a return received, a qualification
  expiring, money (payment received, statement ready, payment due or overdue);
- the people who look after the dealer (its regional manager and sales rep): an order submitted or revised, a
  return requested, a qualification expiring;
- the approvers of an approval step (approval.waiting, approval.escalated): the named person, else the active
  staff of the step's roles who see the dealer (their data scope; for a "region" step, a part of the network above
  the dealer), as approvals.selectors.approval_inbox shows it to them; for an order placed with a supplier (the
  event's `seller`, S2B2B), only that supplier's own people (its dealer's users of the step's roles holding
  supplier.orders, while it is an active supplier), as approvals.selectors.can_decide lets them decide: never
  headquarters' staff, never a sibling agent's people;
- the dealers a promotion applies to (its tier, region and dealer scopes) and an announcement's audience (a resolver
  the announcements app registers: notifications.registry), their users;
- the brand's staff of the concerned roles: stock low (the stock keepers), a webhook endpoint turned off (owners and
  admins).
Never the person who caused the event; never another dealer's users. A person told approval.waiting of an order
in the batch is not also told that it was submitted, revised or sent for approval.

A constant number of queries for any batch: the promotions' dealers (1), each registered audience resolver (1),
the dealers (1), the orders' placers (1), the people (1, the suppliers' approvers among them), the preferences (2);
each only when the batch needs it."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, TextField, When
from django.db.models.functions import Cast

from tenant_apps.accounts.permissions import (
    DEALER_ROLES,
    MATRIX,
    ORDERS_APPROVE,
    SCOPE,
    SUPPLIER_MATRIX,
    SUPPLIER_ORDERS,
    Role,
    Scope,
)
from tenant_apps.notifications.defaults import APPROVER_KINDS, DEALER_KINDS, DEFAULTS, INAPP, concerned
from tenant_apps.notifications.registry import dealer_audience

STEP_KINDS = ("approval.waiting", "approval.escalated")
# the event's dealer's own users
DEALER_STAFF_KINDS = (*DEALER_KINDS, "order.placed_for_you", "return.received", "qualification.expiring",
                      "payment.received", "statement.ready", "payment.due", "payment.overdue")
# the dealer's regional manager and sales rep
DEALER_CARER_KINDS = (*APPROVER_KINDS, "return.requested", "qualification.expiring")
# the users of dealers worked out per event
AUDIENCE_KINDS = ("promotion.published", "announcement.published")
# every active staff member of a concerned role
STAFF_WIDE_KINDS = ("stock.low", "webhook.disabled")


def _under(path: str | None, ancestor: str | None) -> bool:
    return bool(path) and bool(ancestor) and (path == ancestor or path.startswith(f"{ancestor}."))


def _promotion_dealers(events: Sequence) -> dict[int, set[int]]:
    """event id -> the dealers (not terminated) a published promotion applies to: its tier, dealer and region
    scopes (a region takes in the dealers with a territory at or under it; an empty scope is everyone). One
    query."""
    from tenant_apps.dealers.models import Dealer
    from tenant_apps.promotions.models import Promotion

    by_promotion: dict[int, list[int]] = {}
    for event in events:
        if event.subject_id.isdigit():
            by_promotion.setdefault(int(event.subject_id), []).append(event.id)
    if not by_promotion:
        return {}
    links = Dealer.territories.through._meta.db_table
    territory = Dealer.territories.field.related_model._meta.db_table
    sql = f"""
        SELECT p.id, d.id FROM {Promotion._meta.db_table} p JOIN {Dealer._meta.db_table} d
          ON (cardinality(p.scope_tier_ids) = 0 OR d.tier_id = ANY(p.scope_tier_ids))
         AND (cardinality(p.scope_dealer_ids) = 0 OR d.id = ANY(p.scope_dealer_ids))
         AND (cardinality(p.scope_territory_ids) = 0 OR EXISTS (
              SELECT 1 FROM {links} dt JOIN {territory} t ON t.id = dt.territory_id
              JOIN {territory} s ON t.path <@ s.path
              WHERE dt.dealer_id = d.id AND s.id = ANY(p.scope_territory_ids)))
        WHERE p.id = ANY(%s) AND p.status = 'published' AND d.status <> 'terminated'"""  # noqa: S608 - our tables
    result: dict[int, set[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(by_promotion)])
        for promotion_id, dealer_id in cursor.fetchall():
            for event_id in by_promotion[promotion_id]:
                result.setdefault(event_id, set()).add(dealer_id)
    return result


def _payload_dealers(events: Sequence) -> dict[int, set[int]]:
    return {event.id: {int(pk) for pk in (event.payload or {}).get("dealer_ids", ()) if str(pk).isdigit()}
            for event in events}


def _audiences(events: Sequence) -> dict[int, set[int]]:
    """event id -> the dealers it reaches, for the kinds whose audience is worked out per event."""
    result: dict[int, set[int]] = {}
    for kind in AUDIENCE_KINDS:
        batch = [event for event in events if event.kind == kind]
        if not batch:
            continue
        resolver = dealer_audience(kind)
        if resolver is not None:
            found = resolver(batch)
        elif kind == "promotion.published":
            found = _promotion_dealers(batch)
        else:
            found = _payload_dealers(batch)
        for event_id, dealer_ids in found.items():
            result[event_id] = set(dealer_ids)
    return result


def _order_placers(events: Sequence) -> dict[str, int]:
    from tenant_apps.ordering.models import Order

    ids = {int(event.subject_id) for event in events
           if event.subject_type == "order" and event.kind in DEALER_KINDS and event.subject_id.isdigit()}
    if not ids:
        return {}
    return {str(pk): placed_by for pk, placed_by in
            Order.objects.filter(pk__in=ids, placed_by__isnull=False).values_list("pk", "placed_by_id")}


def _step(event) -> tuple[list[str], str, int | None]:
    """(roles, scope, named person) of the step an approval event is about (its payload, from approvals)."""
    payload = event.payload or {}
    user = payload.get("step_user")
    return list(payload.get("step_roles") or ()), str(payload.get("step_scope") or ""), \
        int(user) if str(user).isdigit() else None


def _seller(event) -> int | None:
    """The supplier node an approval event's order is placed with (None: headquarters)."""
    seller = (event.payload or {}).get("seller")
    return int(seller) if str(seller).isdigit() else None


# the dealer roles a supplier's step may name (approvals.services.SUPPLIER_APPROVER_ROLES)
SUPPLIER_APPROVERS = frozenset(role for role, caps in SUPPLIER_MATRIX.items() if SUPPLIER_ORDERS in caps)


def _may_approve_for_supplier(user, seller: int, roles: list[str], named: int | None) -> bool:
    """Would the step of an order placed with supplier node `seller` wait for `user`: one of that supplier's own
    people (their dealer is that node, an active supplier: `supplier_node`) holding supplier.orders, the named
    person or of the step's roles (approvals.selectors.can_decide)."""
    if getattr(user, "supplier_node", None) != seller or user.role not in SUPPLIER_APPROVERS:
        return False
    return user.pk == named if named is not None else user.role in roles


def _sees(user, dealer: dict) -> bool:
    """Does `user` (brand staff) see the dealer: their data scope (dealers.selectors.dealers_visible_to)."""
    scope = SCOPE.get(user.role)
    if scope == Scope.ALL:
        return True
    if scope == Scope.SUBTREE:
        return _under(dealer["path"], user.scope_path)
    if scope == Scope.ASSIGNED:
        return dealer["sales_rep_id"] == user.pk or _under(dealer["path"], user.scope_path)
    return False


def _may_approve(user, dealer: dict | None, roles: list[str], scope: str, named: int | None) -> bool:
    """Would the step (roles, scope, named person) wait for `user` on this dealer's order
    (approvals.selectors._waiting_for within the approver's data scope)?"""
    if dealer is None or user.role in DEALER_ROLES or user.role == Role.SUPPORT:
        return False
    if ORDERS_APPROVE not in MATRIX.get(user.role, ()) or not _sees(user, dealer):
        return False
    if named is not None:
        return user.pk == named
    if user.role not in roles:
        return False
    return scope != "region" or _under(dealer["path"], user.scope_path)


class _Batch:
    """What a batch of events needs, read once."""

    def __init__(self, events: Sequence):
        from tenant_apps.dealers.models import Dealer

        self.audiences = _audiences(events)
        carer_dealers = {event.dealer_id for event in events if event.dealer_id
                         and (event.kind in DEALER_CARER_KINDS or event.kind in STEP_KINDS)}
        self.dealers = {row["pk"]: row for row in Dealer.objects.filter(pk__in=carer_dealers).values(
            "pk", "regional_manager_id", "sales_rep_id", path=Cast("node__path", TextField()))} \
            if carer_dealers else {}
        self.placers = _order_placers(events)
        staff_dealers = {event.dealer_id for event in events if event.dealer_id and event.kind in DEALER_STAFF_KINDS}
        for dealer_ids in self.audiences.values():
            staff_dealers |= dealer_ids
        wanted = set(self.placers.values())
        wanted |= {uid for row in self.dealers.values() for uid in (row["regional_manager_id"], row["sales_rep_id"])
                   if uid}
        staff_roles: set[str] = set()
        sellers: dict[int, set[str]] = {}  # supplier node -> the roles its steps wait for
        for event in events:
            if event.kind in STAFF_WIDE_KINDS:
                staff_roles |= set(DEFAULTS[event.kind])
            elif event.kind in STEP_KINDS:
                roles, _scope, named = _step(event)
                seller = _seller(event)
                if named is not None:
                    wanted.add(named)
                elif seller is not None:
                    sellers.setdefault(seller, set()).update(set(roles) & SUPPLIER_APPROVERS)
                else:
                    staff_roles |= set(roles)
        staff_roles -= DEALER_ROLES | {Role.SUPPORT}
        condition = Q(pk__in=wanted) if wanted else Q(pk__in=[])
        if staff_dealers:
            condition |= Q(dealer_id__in=staff_dealers, role__in=DEALER_ROLES)
        if staff_roles:
            condition |= Q(role__in=staff_roles, dealer__isnull=True)
        for seller, roles in sellers.items():
            if roles:
                condition |= Q(dealer__node_id=seller, role__in=roles, dealer__node__as_supplier__active=True)
        self.users = {}
        if wanted or staff_dealers or staff_roles or sellers:
            people = get_user_model().objects.filter(condition, is_active=True).annotate(
                scope_path=Cast("scope_node__path", TextField()))
            if sellers or any(_seller(event) is not None for event in events if event.kind in STEP_KINDS):
                # the node of the user's dealer while it is an active supplier
                people = people.annotate(supplier_node=Case(
                    When(dealer__node__as_supplier__active=True, then=F("dealer__node_id")),
                    output_field=IntegerField()))
            self.users = {user.pk: user for user in people.only("pk", "role", "dealer_id", "scope_node_id")
                          .order_by("pk")}
        self.supplier_people: dict[int, list] = {}
        self.dealer_staff: dict[int, list] = {}
        self.staff: dict[str, list] = {}
        for user in self.users.values():
            if getattr(user, "supplier_node", None) is not None:
                self.supplier_people.setdefault(user.supplier_node, []).append(user)
            if user.dealer_id and user.role in DEALER_ROLES:
                self.dealer_staff.setdefault(user.dealer_id, []).append(user)
            elif user.role not in DEALER_ROLES and user.role != Role.SUPPORT:
                self.staff.setdefault(user.role, []).append(user)

    def concerned(self, event) -> list[tuple[object, set | None]]:
        """The people concerned by `event`, each with the channels to fall back on when their role has no
        default (only the person who placed an order: the bell)."""
        kind, found = event.kind, []
        dealer = self.dealers.get(event.dealer_id)
        if kind in DEALER_STAFF_KINDS and event.dealer_id:
            found += [(user, None) for user in self.dealer_staff.get(event.dealer_id, ())]
        if kind in DEALER_KINDS:
            placer = self.users.get(self.placers.get(event.subject_id))
            # whoever placed the order hears of it, if they belong to that dealer or are not dealer staff
            if placer is not None and placer.dealer_id in (None, event.dealer_id):
                found.append((placer, {INAPP}))
        if kind in DEALER_CARER_KINDS and dealer:
            found += [(self.users.get(uid), None) for uid in (dealer["regional_manager_id"], dealer["sales_rep_id"])]
        if kind in AUDIENCE_KINDS:
            for dealer_id in sorted(self.audiences.get(event.id, ())):
                found += [(user, None) for user in self.dealer_staff.get(dealer_id, ())]
        if kind in STAFF_WIDE_KINDS:
            found += [(user, None) for role in DEFAULTS[kind] for user in self.staff.get(role, ())]
        if kind in STEP_KINDS and _seller(event) is not None:  # placed with a supplier: its own people only
            roles, _scope, named = _step(event)
            seller = _seller(event)
            candidates = [self.users.get(named)] if named is not None else self.supplier_people.get(seller, [])
            found += [(user, None) for user in candidates
                      if user is not None and _may_approve_for_supplier(user, seller, roles, named)]
        elif kind in STEP_KINDS:
            roles, scope, named = _step(event)
            candidates = [self.users.get(named)] if named is not None else [
                user for role in roles for user in self.staff.get(role, ())]
            found += [(user, None) for user in candidates
                      if user is not None and _may_approve(user, dealer, roles, scope, named)]
        return found


def recipients_for(events: Sequence, preferences_load) -> dict[int, dict[int, set[str]]]:
    """event id -> {user id -> channels} (see the module); `preferences_load(users)` gives the Preferences."""
    events = [event for event in events if event.kind in DEFAULTS]
    if not events:
        return {}
    batch = _Batch(events)
    prefs = preferences_load(batch.users)
    result: dict[int, dict[int, set[str]]] = {}
    waiting: set[tuple[int, str]] = set()
    for event in events:
        told: dict[int, set[str]] = {}
        for user, fallback in batch.concerned(event):
            if user is None or user.pk in told or user.pk == event.actor_id:
                continue
            if fallback is None and not concerned(event.kind, user.role):
                continue
            told[user.pk] = prefs.channels(event.kind, user, fallback=fallback)
        result[event.id] = {uid: channels for uid, channels in told.items() if channels}
        if event.kind in STEP_KINDS:
            waiting |= {(uid, event.subject_id) for uid in result[event.id]}
    if waiting:
        for event in events:
            if event.kind in APPROVER_KINDS:
                result[event.id] = {uid: channels for uid, channels in result[event.id].items()
                                    if (uid, event.subject_id) not in waiting}
    return result
