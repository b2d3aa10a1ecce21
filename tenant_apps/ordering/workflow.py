"""What happens to an order once submitted: the brand's approval chain (tenant_apps.approvals)."""

from __future__ import annotations


def order_submitted(*, order, actor) -> None:
    """Start the approval chain of a just-submitted order (inside the submission transaction): approved at
    once by an auto-approval rule or when no workflow applies, else in approval at its first step."""
    from tenant_apps.approvals.services import approval_start

    approval_start(actor=actor, order=order)
