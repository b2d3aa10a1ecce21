"""Reads of the approval chain, always through the actor's data scope (tenant_apps.dealers.selectors)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from tenant_apps.accounts.permissions import ORDERS_APPROVE, SUPPLIER_ORDERS, has_perm, supplier_node_id
from tenant_apps.approvals.errors import WorkflowNotFound
from tenant_apps.approvals.models import (
    ApprovalStatus,
    ApprovalStep,
    ApprovalWorkflow,
    AutoApprovalRule,
    OrderApproval,
    StepScope,
)
from tenant_apps.core import prepared
from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.ordering.models import Order, OrderStatus


def under(path: str, ancestors) -> bool:
    """Is the ltree `path` equal to or below one of `ancestors`?"""
    return any(path == a or path.startswith(f"{a}.") for a in ancestors)


def _waiting_for(user) -> Q | None:
    """The condition on pending OrderApproval rows that `user` may decide; None for none."""
    if not has_perm(user, ORDERS_APPROVE):
        return None
    by_role = Q(assigned_user__isnull=True, assigned_roles__contains=[user.role], scope=StepScope.HQ)
    if user.scope_node_id:
        by_role |= Q(assigned_user__isnull=True, assigned_roles__contains=[user.role], scope=StepScope.REGION,
                     order__dealer__node__path__descendant_of=user.scope_node.path)
    return Q(assigned_user=user) | by_role


def approval_inbox(*, actor) -> QuerySet[OrderApproval]:
    """Steps waiting for `actor`, with their order and dealer; a constant number of queries for any page."""
    condition = _waiting_for(actor)
    if condition is None:
        return OrderApproval.objects.none()
    return (OrderApproval.objects.filter(condition, status=ApprovalStatus.PENDING,
                                         order__status=OrderStatus.IN_APPROVAL,
                                         order__dealer__in=dealers_visible_to(actor))
            .select_related("order", "order__dealer", "order__dealer__tier")
            .annotate(line_count=Count("order__lines", distinct=True)))


def approval_pending(*, order: Order) -> OrderApproval | None:
    return (OrderApproval.objects.filter(order=order, status=ApprovalStatus.PENDING)
            .select_related("assigned_user").first())


def approval_history(*, order: Order) -> QuerySet[OrderApproval]:
    return OrderApproval.objects.filter(order=order).select_related("assigned_user", "decided_by").order_by(
        "revision", "id")


def can_decide(*, actor, approval: OrderApproval | None, order: Order) -> bool:
    """May `actor` decide this pending step of `order` (the order already found in the actor's scope)?"""
    if approval is None or approval.status != ApprovalStatus.PENDING or order.status != OrderStatus.IN_APPROVAL:
        return False
    if order.seller_id is not None:  # placed with a supplier: its own people decide (S2B2B)
        if not has_perm(actor, SUPPLIER_ORDERS) or supplier_node_id(actor) != order.seller_id:
            return False
        if approval.assigned_user_id:
            return approval.assigned_user_id == actor.pk
        return actor.role in approval.assigned_roles
    if not has_perm(actor, ORDERS_APPROVE):
        return False
    if approval.assigned_user_id:
        return approval.assigned_user_id == actor.pk
    if actor.role not in approval.assigned_roles:
        return False
    if approval.scope == StepScope.REGION:
        return bool(actor.scope_node_id) and under(str(order.dealer.node.path), [str(actor.scope_node.path)])
    return True


def workflows_annotated() -> QuerySet[ApprovalWorkflow]:
    """Workflows with their conditions as arrays (ids and ltree paths) and steps prefetched: two queries."""
    through = ApprovalWorkflow
    return ApprovalWorkflow.objects.annotate(
        tier_ids=ArraySubquery(through.tiers.through.objects.filter(approvalworkflow_id=OuterRef("pk"))
                               .values("tier_id")),
        node_ids=ArraySubquery(through.nodes.through.objects.filter(approvalworkflow_id=OuterRef("pk"))
                               .values("node_id")),
        territory_ids=ArraySubquery(through.territories.through.objects.filter(approvalworkflow_id=OuterRef("pk"))
                                    .values("territory_id")),
        category_ids=ArraySubquery(through.categories.through.objects.filter(approvalworkflow_id=OuterRef("pk"))
                                   .values("category_id")),
        node_paths=ArraySubquery(through.nodes.through.objects.filter(approvalworkflow_id=OuterRef("pk"))
                                 .values(p=Cast("node__path", TextField()))),
        territory_paths=ArraySubquery(through.territories.through.objects.filter(
            approvalworkflow_id=OuterRef("pk")).values(p=Cast("territory__path", TextField()))),
        category_paths=ArraySubquery(through.categories.through.objects.filter(
            approvalworkflow_id=OuterRef("pk")).values(p=Cast("category__path", TextField()))),
    ).prefetch_related(Prefetch("steps", queryset=ApprovalStep.objects.select_related("approver", "escalate_to")))


# The active auto-approval rules (by id) and workflows (by priority) with what services.workflow_for tests (tier
# ids; paths of nodes, territories and categories), as one JSON value: plain SQL, since this runs on every
# submission, where compiling the ORM's array subqueries cost more than the query. Submission reads it in its
# context query (tenant_apps.ordering.submission); anything else through approval_config().
APPROVAL_CONFIG_SQL = """json_build_array(
    (SELECT COALESCE(json_agg(json_build_array(
         r.id, r.name, r.max_total::text, r.currency,
         ARRAY(SELECT t.tier_id FROM approvals_autoapprovalrule_tiers t WHERE t.autoapprovalrule_id = r.id))
         ORDER BY r.id), '[]') FROM approvals_autoapprovalrule r WHERE r.active),
    (SELECT COALESCE(json_agg(json_build_array(
         w.id, w.name, w.min_total::text, w.max_total::text, w.currency,
         ARRAY(SELECT t.tier_id FROM approvals_approvalworkflow_tiers t WHERE t.approvalworkflow_id = w.id),
         ARRAY(SELECT n.path::text FROM approvals_approvalworkflow_nodes x JOIN dealers_node n ON n.id = x.node_id
               WHERE x.approvalworkflow_id = w.id),
         ARRAY(SELECT r.path::text FROM approvals_approvalworkflow_territories x
               JOIN dealers_territory r ON r.id = x.territory_id WHERE x.approvalworkflow_id = w.id),
         ARRAY(SELECT c.path::text FROM approvals_approvalworkflow_categories x
               JOIN catalog_category c ON c.id = x.category_id WHERE x.approvalworkflow_id = w.id),
         w.owner_id)
         ORDER BY w.priority, w.id), '[]') FROM approvals_approvalworkflow w WHERE w.active))"""


@dataclass(frozen=True)
class ApprovalConfig:
    """The active auto-approval rules (by id) and workflows (by priority), without their steps (read for the one
    workflow that applies)."""

    rules: tuple[AutoApprovalRule, ...]
    workflows: tuple[ApprovalWorkflow, ...]

    def rules_for(self, total, currency: str) -> list[AutoApprovalRule]:
        """The rules whose limit covers `total` (a rule's limit in another currency covers nothing)."""
        return [rule for rule in self.rules if rule.currency == currency and rule.max_total >= total]


def approval_config() -> ApprovalConfig:
    """The active rules and workflows: one query."""
    with connection.cursor() as cursor:
        prepared.execute(cursor, "approval_config", f"SELECT {APPROVAL_CONFIG_SQL}", {})  # noqa: S608 - constant
        return approval_config_from(cursor.fetchone()[0])


def approval_config_from(value) -> ApprovalConfig:
    """The ApprovalConfig of APPROVAL_CONFIG_SQL's value."""
    rules_json, workflows_json = value
    rules = []
    for pk, name, max_total, currency, tier_ids in rules_json:
        rule = AutoApprovalRule(id=pk, name=name, max_total=Decimal(max_total), currency=currency, active=True)
        rule.tier_ids = list(tier_ids)
        rules.append(_saved(rule))
    workflows = []
    for (pk, name, min_total, max_total, currency, tier_ids, node_paths, territory_paths, category_paths,
         owner_id) in workflows_json:
        workflow = ApprovalWorkflow(id=pk, name=name, active=True, min_total=_decimal(min_total),
                                    max_total=_decimal(max_total), currency=currency, owner_id=owner_id)
        workflow.tier_ids, workflow.node_paths = list(tier_ids), list(node_paths)
        workflow.territory_paths, workflow.category_paths = list(territory_paths), list(category_paths)
        workflows.append(_saved(workflow))
    return ApprovalConfig(rules=tuple(rules), workflows=tuple(workflows))


def _decimal(text):
    return None if text is None else Decimal(text)


def _saved(instance):
    instance._state.adding, instance._state.db = False, "default"
    return instance


def workflow_get(*, workflow_id) -> ApprovalWorkflow:
    workflow = workflows_annotated().filter(pk=workflow_id).first() if str(workflow_id).isdigit() else None
    if workflow is None:
        raise WorkflowNotFound(_("No such workflow."))
    return workflow
