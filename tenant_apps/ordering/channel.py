"""Channel rules at order time (防窜货): the ship-to area must lie in the dealer's territories.

The brand's policy (dealers' NetworkSettings.channel_conflict_policy) is applied when an order is submitted and
when it is revised, from the data as it is then, not only when the address was added (a dealer's territories
change later):
- the area of the order's shipping address (a Territory) is inside when its path equals or lies below one of the
  dealer's territory paths (dealers.selectors.path_in_territories);
- a dealer with no territories is not restricted: it may ship anywhere (the same rule as adding an address);
- "refuse": OrderRefused (409, code `outside_territory`, naming the area), nothing written;
- "flag": the order goes through with `Order.outside_territory` set and a timeline note; the brand's staff list
  flagged orders on the console's order list and the orders API (`?outside_territory=true`), in their data scope.
  A revision decides again: the flag follows the latest revision (the timeline keeps the earlier notes).

At submission everything comes from the context query (submission._CONTEXT_SQL: the dealer's territory paths,
the address's area and path, the policy), so the check costs no query; a revision reads the area's path and the
policy (two small queries) beside the dealer's context.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from tenant_apps.dealers.models import NetworkSettings
from tenant_apps.dealers.selectors import network_settings, path_in_territories, territory_path_of
from tenant_apps.ordering.errors import OrderRefused
from tenant_apps.ordering.lifecycle import order_event
from tenant_apps.ordering.models import Order

REFUSE = NetworkSettings.ConflictPolicy.REFUSE


def outside_territory_check(*, area: str, area_path: str | None, territory_paths, policy: str | None) -> bool:
    """Is the order shipped outside the dealer's territories? Under the refuse policy that is OrderRefused (409,
    `outside_territory`); under flag, True (the caller flags the order)."""
    if path_in_territories(area_path, territory_paths):
        return False
    if (policy or NetworkSettings().channel_conflict_policy) == REFUSE:
        raise OrderRefused(
            _("%(area)s is outside your company's sales territories, and the brand does not accept orders shipped "
              "there. Choose a shipping address in your territories.") % {"area": area},
            code="outside_territory",
            fields={"address": [_("%(area)s is outside your company's sales territories.") % {"area": area}]})
    return True


def address_snapshot(address: dict, *, outside: bool) -> dict:
    """The shipping address as the order keeps it: the area's id (a revision checks it again), the decision of this
    submission as `outside_territory`, and not the area's path (it may move in the tree)."""
    kept = {key: value for key, value in address.items() if key != "territory_path"}
    kept["outside_territory"] = outside
    return kept


def revision_check(*, order: Order, territory_paths) -> bool:
    """The rule again for a revision of `order` (under its lock): its address's area now (by the area kept with the
    order, or for an older order its address's), the dealer's territories now, the brand's policy now."""
    address = order.shipping_address or {}
    territory_id, address_id = address.get("territory_id"), address.get("id")
    path = territory_path_of(territory_id=territory_id if isinstance(territory_id, int) else None,
                             address_id=address_id if isinstance(address_id, int) else None)
    outside = outside_territory_check(area=address.get("area") or "", area_path=None if path is None else str(path),
                                      territory_paths=territory_paths,
                                      policy=network_settings().channel_conflict_policy)
    if outside != bool(address.get("outside_territory")):
        order.shipping_address = {**address, "outside_territory": outside}
    order.outside_territory = outside
    return outside


def flagged_event(order: Order, actor):
    """The timeline note of an order flagged as shipped outside the dealer's territories (unsaved)."""
    area = (order.shipping_address or {}).get("area") or ""
    return order_event(order, actor, kind="note",
                       message=_("Ships to %(area)s, outside the dealer's sales territories: flagged for review.")
                       % {"area": area}, data={"outside_territory": True, "area": area})
