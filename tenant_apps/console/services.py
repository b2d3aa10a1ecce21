"""Console services that span apps: making a dealer a supplier (S2B2B) and stopping one touch dealers, approvals and
ordering, which sit in different layers; the console stands above them all."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tenant_apps.accounts.permissions import Role
from tenant_apps.approvals.models import ApprovalWorkflow
from tenant_apps.approvals.services import StepSpec, workflow_create
from tenant_apps.dealers import services as dealers_services
from tenant_apps.ordering.selectors import supplier_open_orders_count


def supplier_start(*, actor, dealer):
    """Make `dealer` a supplier and, when it has no approval workflow yet, give it the one a new workspace starts
    with: every order placed with it waits for its own dealer owner to confirm it, as headquarters' orders wait for
    the brand's confirmation (without one, its sub-dealers' orders would be approved unseen)."""
    with transaction.atomic():
        supplier = dealers_services.supplier_designate(actor=actor, dealer=dealer)
        if not ApprovalWorkflow.objects.filter(owner_id=dealer.node_id).exists():
            workflow_create(actor=actor, name=_("Order confirmation"), owner=dealer.node,
                            steps=[StepSpec(name=_("Confirm the order"), approver_roles=[Role.DEALER_OWNER],
                                            scope="hq")])
    return supplier


def supplier_stop(*, actor, supplier):
    """Stop a supplier: dealers' services refuse while orders placed with it are open (counted here: ordering sits
    above dealers)."""
    return dealers_services.supplier_undesignate(
        actor=actor, supplier=supplier, open_orders=supplier_open_orders_count(node_id=supplier.node_id))
