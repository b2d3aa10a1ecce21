"""What happens to an order once submitted: the brand's approval chain (tenant_apps.approvals)."""

from __future__ import annotations


def order_submitted_rows(*, order, actor, node_path: str, territory_paths: list[str], category_paths: set[str],
                         now, config=None) -> list:
    """The approval chain's start for an order being submitted (in memory, written with the order): approved
    at once by an auto-approval rule or when no workflow applies, else in approval at its first step. `config`:
    the approval rules and workflows when already read (approvals.selectors.ApprovalConfig)."""
    from tenant_apps.approvals.services import approval_plan

    rows, _opened = approval_plan(actor=actor, order=order, now=now, node_path=node_path,
                                  territory_paths=territory_paths, category_paths=category_paths, config=config)
    return rows
