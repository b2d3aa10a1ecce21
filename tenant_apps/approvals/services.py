"""Writes of the approval chain: workflow configuration, and the chain itself (start at submission, decide,
escalate on timeout, restart after an edit).

How an order goes through the chain:
1. At submission (ordering asks the chain registered in ordering.approval -> approval_plan, written with the
   order) the active auto-approval rules are tried first: an order at or below a rule's total from a dealer
   of its tiers is approved at once.
2. Otherwise the first active workflow by priority whose conditions all hold applies (an empty condition
   holds for every order). No workflow, or one without steps: the order is approved at once.
3. The order goes "in approval" and its steps open one after the other. A step whose "skip below" is above
   the order total is recorded as skipped. Each open step waits for its approvers: a regional manager above
   the dealer ("region"), anyone with one of its roles ("HQ", within their own data scope), or one named
   person. Approving opens the next step; after the last one the order is approved.
4. Rejecting (with a reason) rejects the order, which gives its stock back; sending back (with a reason)
   returns it to the dealer as a draft of a new revision.
5. A step with a timeout is escalated (to roles or a person) or approved automatically when it is overdue,
   by a periodic task (approvals_escalate_due), once.
Every decision is an OrderApproval row (who, when, why) moved by STEP_MACHINE (the core state-machine helper:
check, lock, change, audit), an "approval" event on the order's timeline and an audit entry. Approvals sits
above ordering: the order's state changes through tenant_apps.ordering.lifecycle.order_transition only, its
row lock is ordering's order_lock, its timeline ordering's order_event_add; ordering reaches this chain only
through the interface it owns (tenant_apps.ordering.approval), which ApprovalsConfig.ready registers (`Chain`
below).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import (
    BRAND_ROLES,
    MATRIX,
    ORDERS_APPROVE,
    SUPPLIER_MATRIX,
    SUPPLIER_ORDERS,
    Role,
    has_perm,
)
from tenant_apps.approvals import selectors
from tenant_apps.approvals.errors import ApprovalInvalid, NotYourStep
from tenant_apps.approvals.models import (
    ApprovalStatus,
    ApprovalStep,
    ApprovalWorkflow,
    AutoApprovalRule,
    OnTimeout,
    OrderApproval,
    StepScope,
)
from tenant_apps.audit.services import actor_label, audit_record
from tenant_apps.core.bulk import insert_grouped
from tenant_apps.core.errors import DomainError
from tenant_apps.core.money import format_money, tenant_currency
from tenant_apps.core.states import Move, StateMachine
from tenant_apps.core.text import SYSTEM_LABEL, words
from tenant_apps.events.services import relay_soon
from tenant_apps.ordering.approval import order_approval_start
from tenant_apps.ordering.errors import IllegalOrderTransition, OrderNotFound
from tenant_apps.ordering.lifecycle import (
    order_event,
    order_event_add,
    order_events_add,
    order_lock,
    order_outbox_row,
    order_transition,
    transition_fresh,
)
from tenant_apps.ordering.models import Order, OrderEvent, OrderLine, OrderStatus
from tenant_apps.ordering.selectors import order_get_for

MAX_STEPS = 10
P = ApprovalStatus.PENDING
# An open step's legal moves (a step recorded as skipped is born so).
STEP_MACHINE = StateMachine(name="approvals.step", states=ApprovalStatus, moves={
    "approve": Move(P, ApprovalStatus.APPROVED, audited_as="approved"),
    "reject": Move(P, ApprovalStatus.REJECTED, audited_as="rejected"),
    "send_back": Move(P, ApprovalStatus.SENT_BACK, audited_as="sent_back"),
    "time_out": Move(P, ApprovalStatus.APPROVED, audited_as="timed_out"),
    "escalate": Move(P, ApprovalStatus.ESCALATED, audited_as="escalated"),
    "supersede": Move(P, ApprovalStatus.SUPERSEDED, audited_as="superseded"),
}, error=IllegalOrderTransition)
MAX_BULK = 200
# Roles that may be asked to approve: brand staff holding orders.approve (platform support never is).
APPROVER_ROLES = [role for role in Role if role in BRAND_ROLES and role != Role.SUPPORT
                  and ORDERS_APPROVE in MATRIX.get(role, ())]
# A supplier's workflow (owner set): its own people decide, those holding supplier.orders (S2B2B).
SUPPLIER_APPROVER_ROLES = [role for role in SUPPLIER_MATRIX if SUPPLIER_ORDERS in SUPPLIER_MATRIX[role]]


# --- configuration ------------------------------------------------------------------------------

@dataclass(frozen=True)
class StepSpec:
    """One step as given by a form or the API (position = its place in the list)."""

    name: str
    approver_roles: Sequence[str] = ()
    scope: str = StepScope.HQ
    approver: User | None = None
    timeout_hours: int | None = None
    on_timeout: str = OnTimeout.WAIT
    escalate_roles: Sequence[str] = ()
    escalate_to: User | None = None
    skip_below: Decimal | None = None


def _money_or_none(value, field: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        errors[field] = [_("Enter an amount.")]
        return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e14"):
        errors[field] = [_("Enter an amount of 0 or more.")]
        return None
    return amount.quantize(Decimal("0.01"))


def _approver_user_error(user) -> str | None:
    if user is None:
        return None
    if not user.is_active or not has_perm(user, ORDERS_APPROVE) or user.role == Role.SUPPORT:
        return _("This person cannot approve orders.")
    return None


def _step_errors(spec: StepSpec, prefix: str, allowed: Sequence[str] = ()) -> tuple[dict, dict]:
    """Field errors of one step and its cleaned values (`allowed`: the roles that may approve)."""
    allowed = allowed or APPROVER_ROLES
    errors: dict[str, list[str]] = {}
    name = (spec.name or "").strip()
    if not name:
        errors[f"{prefix}name"] = [_("Give the step a name.")]
    elif len(name) > 200:
        errors[f"{prefix}name"] = [_("At most 200 characters.")]
    roles = list(dict.fromkeys(spec.approver_roles or ()))
    bad_roles = [r for r in roles if r not in allowed]
    if bad_roles:
        errors[f"{prefix}approver_roles"] = [_("These roles cannot approve orders: %(roles)s.")
                                             % {"roles": ", ".join(bad_roles)}]
    if spec.scope not in StepScope.values:
        errors[f"{prefix}scope"] = [_("Choose who approves.")]
    elif spec.scope == StepScope.USER:
        if spec.approver is None:
            errors[f"{prefix}approver"] = [_("Choose the person who approves.")]
        elif message := _approver_user_error(spec.approver):
            errors[f"{prefix}approver"] = [message]
    elif not roles and f"{prefix}approver_roles" not in errors:
        errors[f"{prefix}approver_roles"] = [_("Choose at least one role.")]
    timeout = spec.timeout_hours
    if timeout is not None and (not isinstance(timeout, int) or timeout < 1 or timeout > 24 * 90):
        errors[f"{prefix}timeout_hours"] = [_("Enter a number of hours from 1 to 2160.")]
    if spec.on_timeout not in OnTimeout.values:
        errors[f"{prefix}on_timeout"] = [_("Choose what happens on timeout.")]
    elif spec.on_timeout != OnTimeout.WAIT and not timeout:
        errors[f"{prefix}timeout_hours"] = [_("Set a timeout for this to happen.")]
    escalate_roles = list(dict.fromkeys(spec.escalate_roles or ()))
    if [r for r in escalate_roles if r not in allowed]:
        errors[f"{prefix}escalate_roles"] = [_("These roles cannot approve orders.")]
    if spec.on_timeout == OnTimeout.ESCALATE and not escalate_roles and spec.escalate_to is None:
        errors[f"{prefix}escalate_roles"] = [_("Choose the roles or the person to escalate to.")]
    if message := _approver_user_error(spec.escalate_to):
        errors[f"{prefix}escalate_to"] = [message]
    skip_below = _money_or_none(spec.skip_below, f"{prefix}skip_below", errors)
    cleaned = {"name": name, "approver_roles": roles if spec.scope != StepScope.USER else [],
               "scope": spec.scope, "approver": spec.approver if spec.scope == StepScope.USER else None,
               "timeout_hours": timeout or None, "on_timeout": spec.on_timeout,
               "escalate_roles": escalate_roles if spec.on_timeout == OnTimeout.ESCALATE else [],
               "escalate_to": spec.escalate_to if spec.on_timeout == OnTimeout.ESCALATE else None,
               "skip_below": skip_below}
    return errors, cleaned


def _workflow_values(*, name, active, priority, min_total, max_total, errors: dict) -> dict:
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the workflow a name.")]
    elif len(name) > 200:
        errors["name"] = [_("At most 200 characters.")]
    if not isinstance(priority, int) or isinstance(priority, bool) or not 1 <= priority <= 10000:
        errors["priority"] = [_("Enter a number from 1 to 10000.")]
    low = _money_or_none(min_total, "min_total", errors)
    high = _money_or_none(max_total, "max_total", errors)
    if low is not None and high is not None and low > high:
        errors["max_total"] = [_("The upper bound is below the lower bound.")]
    return {"name": name, "active": bool(active), "priority": priority, "min_total": low, "max_total": high}


def _snapshot(workflow: ApprovalWorkflow) -> dict:
    workflow = selectors.workflow_get(workflow_id=workflow.pk)
    return {
        "name": workflow.name, "active": workflow.active, "priority": workflow.priority,
        "min_total": None if workflow.min_total is None else str(workflow.min_total),
        "max_total": None if workflow.max_total is None else str(workflow.max_total),
        "tiers": sorted(workflow.tier_ids), "nodes": sorted(workflow.node_paths),
        "territories": sorted(workflow.territory_paths), "categories": sorted(workflow.category_paths),
        "steps": [{"position": s.position, "name": s.name, "roles": s.approver_roles, "scope": s.scope,
                   "approver": s.approver_id, "timeout_hours": s.timeout_hours, "on_timeout": s.on_timeout,
                   "escalate_roles": s.escalate_roles, "escalate_to": s.escalate_to_id,
                   "skip_below": None if s.skip_below is None else str(s.skip_below)}
                  for s in workflow.steps.all()],
    }


def _set_steps(workflow: ApprovalWorkflow, cleaned_steps: list[dict]) -> None:
    workflow.steps.all().delete()
    ApprovalStep.objects.bulk_create([ApprovalStep(workflow=workflow, position=number, **values)
                                      for number, values in enumerate(cleaned_steps, start=1)])


def _clean_steps(steps: Sequence[StepSpec], errors: dict, allowed: Sequence[str] = ()) -> list[dict]:
    if len(steps) > MAX_STEPS:
        errors["steps"] = [_("A workflow has at most %(max)s steps.") % {"max": MAX_STEPS}]
        return []
    cleaned = []
    for number, spec in enumerate(steps, start=1):
        step_errors, values = _step_errors(spec, f"steps.{number}.", allowed)
        errors.update(step_errors)
        cleaned.append(values)
    return cleaned


@transaction.atomic
def workflow_create(*, actor, name: str, active: bool = True, priority: int = 100, min_total=None,
                    max_total=None, tiers: Iterable = (), nodes: Iterable = (), territories: Iterable = (),
                    categories: Iterable = (), steps: Sequence[StepSpec] = (),
                    currency: str | None = None, owner=None) -> ApprovalWorkflow:
    """A workflow with its conditions and steps (all validated first, one audit entry). Its amounts (order
    total bounds, steps' skip limits) are in `currency`, the brand's when None. `owner`: a supplier's node (its
    sub-dealers' orders; its own people approve, by role or by name), None for headquarters."""
    errors: dict[str, list[str]] = {}
    values = _workflow_values(name=name, active=active, priority=priority, min_total=min_total,
                              max_total=max_total, errors=errors)
    values["currency"] = tenant_currency() if currency is None else currency
    cleaned_steps = _clean_steps(steps, errors, SUPPLIER_APPROVER_ROLES if owner is not None else ())
    if owner is not None and any(step["scope"] == StepScope.REGION for step in cleaned_steps):
        errors["steps"] = [_("A supplier's steps are decided by its own people, not by a region.")]
    if errors:
        raise ApprovalInvalid(_("The workflow could not be saved."), fields=errors)
    workflow = ApprovalWorkflow.objects.create(**values, owner=owner)
    workflow.tiers.set(tiers)
    workflow.nodes.set(nodes)
    workflow.territories.set(territories)
    workflow.categories.set(categories)
    _set_steps(workflow, cleaned_steps)
    audit_record(actor=actor, action="approvals.workflow.created", target=workflow, after=_snapshot(workflow))
    return workflow


_UNSET = object()


@transaction.atomic
def workflow_update(*, actor, workflow: ApprovalWorkflow, name=_UNSET, active=_UNSET, priority=_UNSET,
                    min_total=_UNSET, max_total=_UNSET, tiers=_UNSET, nodes=_UNSET, territories=_UNSET,
                    categories=_UNSET, steps=_UNSET) -> ApprovalWorkflow:
    """Change what is given (steps, when given, replace the workflow's steps). Orders already in approval
    keep the steps they have opened; their next steps are read from the workflow as it is then."""
    workflow = ApprovalWorkflow.objects.select_for_update(of=("self",)).get(pk=workflow.pk)
    before = _snapshot(workflow)

    def pick(value, current):
        return current if value is _UNSET else value

    errors: dict[str, list[str]] = {}
    values = _workflow_values(name=pick(name, workflow.name), active=pick(active, workflow.active),
                              priority=pick(priority, workflow.priority),
                              min_total=pick(min_total, workflow.min_total),
                              max_total=pick(max_total, workflow.max_total), errors=errors)
    owned = workflow.owner_id is not None  # a supplier's: its steps name its own dealer roles, never a region
    cleaned_steps = None if steps is _UNSET else _clean_steps(steps, errors, SUPPLIER_APPROVER_ROLES if owned else ())
    if owned and cleaned_steps and any(step["scope"] == StepScope.REGION for step in cleaned_steps):
        errors["steps"] = [_("A supplier's steps are decided by its own people, not by a region.")]
    if errors:
        raise ApprovalInvalid(_("The workflow could not be saved."), fields=errors)
    for field, value in values.items():
        setattr(workflow, field, value)
    workflow.save()
    for relation, value in (("tiers", tiers), ("nodes", nodes), ("territories", territories),
                            ("categories", categories)):
        if value is not _UNSET:
            getattr(workflow, relation).set(value)
    if cleaned_steps is not None:
        _set_steps(workflow, cleaned_steps)
    audit_record(actor=actor, action="approvals.workflow.updated", target=workflow, before=before,
                 after=_snapshot(workflow))
    return workflow


@transaction.atomic
def workflow_delete(*, actor, workflow: ApprovalWorkflow) -> None:
    """Delete a workflow; orders it is approving finish the step they are at, then are approved."""
    before = _snapshot(workflow)
    audit_record(actor=actor, action="approvals.workflow.deleted", target=workflow, before=before)
    workflow.delete()


def _step_spec(step: ApprovalStep) -> StepSpec:
    return StepSpec(name=step.name, approver_roles=step.approver_roles, scope=step.scope, approver=step.approver,
                    timeout_hours=step.timeout_hours, on_timeout=step.on_timeout,
                    escalate_roles=step.escalate_roles, escalate_to=step.escalate_to, skip_below=step.skip_below)


def step_add(*, actor, workflow: ApprovalWorkflow, spec: StepSpec) -> ApprovalWorkflow:
    """Append a step (field errors are named without the "steps.N." prefix)."""
    current = [_step_spec(s) for s in workflow.steps.select_related("approver", "escalate_to")]
    errors, _cleaned = _step_errors(spec, "")
    if errors:
        raise ApprovalInvalid(_("The step could not be saved."), fields=errors)
    return workflow_update(actor=actor, workflow=workflow, steps=[*current, spec])


def step_remove(*, actor, workflow: ApprovalWorkflow, position: int) -> ApprovalWorkflow:
    current = [_step_spec(s) for s in workflow.steps.select_related("approver", "escalate_to")]
    if not 1 <= position <= len(current):
        raise ApprovalInvalid(_("No such step."), fields={"position": [_("No such step.")]})
    del current[position - 1]
    return workflow_update(actor=actor, workflow=workflow, steps=current)


def step_move(*, actor, workflow: ApprovalWorkflow, position: int, up: bool) -> ApprovalWorkflow:
    current = [_step_spec(s) for s in workflow.steps.select_related("approver", "escalate_to")]
    other = position - 1 if up else position + 1
    if not (1 <= position <= len(current) and 1 <= other <= len(current)):
        raise ApprovalInvalid(_("The step cannot move that way."), fields={"position": [_("No such move.")]})
    current[position - 1], current[other - 1] = current[other - 1], current[position - 1]
    return workflow_update(actor=actor, workflow=workflow, steps=current)


@transaction.atomic
def auto_rule_create(*, actor, name: str, max_total, tiers: Iterable = (), active: bool = True,
                     currency: str | None = None) -> AutoApprovalRule:
    """Orders up to `max_total` in `currency` (the brand's when None) from dealers of `tiers` are approved at
    submission."""
    currency = tenant_currency() if currency is None else currency
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 200:
        errors["name"] = [_("Give the rule a name of at most 200 characters.")]
    amount = _money_or_none(max_total, "max_total", errors)
    if amount is None and "max_total" not in errors:
        errors["max_total"] = [_("Enter the largest order total approved automatically.")]
    if errors:
        raise ApprovalInvalid(_("The rule could not be saved."), fields=errors)
    rule = AutoApprovalRule.objects.create(name=name, max_total=amount, currency=currency, active=bool(active))
    rule.tiers.set(tiers)
    audit_record(actor=actor, action="approvals.auto_rule.created", target=rule,
                 after={"name": name, "max_total": str(amount), "currency": currency,
                        "tiers": sorted(t.pk for t in rule.tiers.all()),
                        "active": rule.active})
    return rule


@transaction.atomic
def auto_rule_delete(*, actor, rule: AutoApprovalRule) -> None:
    audit_record(actor=actor, action="approvals.auto_rule.deleted", target=rule,
                 before={"name": rule.name, "max_total": str(rule.max_total)})
    rule.delete()


# --- the chain ----------------------------------------------------------------------------------

@dataclass
class _Facts:
    """What the conditions look at, loaded only when some condition needs it."""

    order: Order
    # Known already (submission has them from its own reads): not read again.
    known_node_path: str | None = None
    known_territory_paths: list[str] | None = None
    known_category_paths: set[str] | None = None

    def __post_init__(self):
        self._node_path, self._territories, self._categories = (
            self.known_node_path, self.known_territory_paths, self.known_category_paths)

    @property
    def total(self) -> Decimal:
        return self.order.total

    @property
    def currency(self) -> str:
        return self.order.currency

    @property
    def tier_id(self):
        return self.order.dealer.tier_id

    @property
    def node_path(self) -> str:
        if self._node_path is None:
            self._node_path = str(self.order.dealer.node.path)
        return self._node_path

    @property
    def territory_paths(self) -> list[str]:
        if self._territories is None:
            from tenant_apps.dealers.models import Territory

            self._territories = [str(p) for p in Territory.objects.filter(dealers=self.order.dealer_id)
                                 .values_list("path", flat=True)]
        return self._territories

    @property
    def category_paths(self) -> set[str]:
        if self._categories is None:
            self._categories = {str(p) for p in OrderLine.objects.filter(order=self.order)
                                .values_list("sku__product__category__path", flat=True).distinct()}
        return self._categories


def _matches(workflow: ApprovalWorkflow, facts: _Facts) -> bool:
    if (workflow.min_total is not None or workflow.max_total is not None) and workflow.currency != facts.currency:
        return False  # bounds in another currency say nothing about this order's total
    if workflow.min_total is not None and facts.total < workflow.min_total:
        return False
    if workflow.max_total is not None and facts.total > workflow.max_total:
        return False
    if workflow.tier_ids and facts.tier_id not in workflow.tier_ids:
        return False
    if workflow.node_paths or workflow.territory_paths:
        in_network = bool(workflow.node_paths) and selectors.under(facts.node_path, workflow.node_paths)
        in_area = bool(workflow.territory_paths) and any(
            selectors.under(path, workflow.territory_paths) for path in facts.territory_paths)
        if not (in_network or in_area):
            return False
    if workflow.category_paths and not any(selectors.under(path, workflow.category_paths)
                                           for path in facts.category_paths):
        return False
    return True


def workflow_for(order: Order, facts: _Facts | None = None, config: selectors.ApprovalConfig | None = None,
                 ) -> tuple[AutoApprovalRule | None, ApprovalWorkflow | None]:
    """The auto-approval rule that approves `order`, else the workflow that applies to it (either may be None).
    `config`: the rules and workflows, when already read (selectors.APPROVAL_CONFIG_SQL). Only the workflows of the
    order's seller (headquarters' own: owner NULL) apply."""
    facts = facts or _Facts(order)
    config = config or selectors.approval_config()
    seller = getattr(order, "seller_id", None)
    # Auto-approval rules are headquarters' (for its own sales); workflows only the seller's own (S2B2B).
    for rule in config.rules_for(order.total, order.currency) if seller is None else ():
        if not rule.tier_ids or facts.tier_id in rule.tier_ids:
            return rule, None
    for workflow in config.workflows:
        if workflow.owner_id == seller and _matches(workflow, facts):
            return None, workflow
    return None, None


def _event(order: Order, actor, message: str, data: dict) -> OrderEvent:
    return order_event(order, actor, kind="approval", message=message, data=data)


def _step_due(step: ApprovalStep, now):
    return now + timedelta(hours=step.timeout_hours) if step.timeout_hours else None


def _steps_after(workflow: ApprovalWorkflow | None, after: int) -> list[ApprovalStep]:
    return list(workflow.steps.select_related("approver").filter(position__gt=after)) if workflow else []


def _step_outbox_row(order: Order, actor, step: OrderApproval, *, kind: str, now):
    """The outbox event of a step that now waits for its approvers (approval.waiting, approval.escalated), to
    write with the step: notifications tells the approvers (the named person, else the step's roles within their
    data scope, above the dealer for a "region" step; for an order placed with a supplier, `seller`, its own
    people of the step's roles)."""
    relay_soon()
    return order_outbox_row(order, actor, kind=kind, at=now, payload={
        "step": step.name, "position": step.position, "step_roles": list(step.assigned_roles),
        "step_scope": step.scope, "step_user": step.assigned_user_id, "seller": order.seller_id})


def _next_rows(*, actor, order: Order, workflow: ApprovalWorkflow | None, steps: list[ApprovalStep],
               now) -> tuple[list, OrderApproval | None]:
    """In memory: the rows that open the first of `steps` not skipped (skipped ones recorded), and that step
    (None: every step was skipped, the order is to be approved)."""
    rows = []
    for step in steps:
        if (step.skip_below is not None and order.total < step.skip_below
                and (workflow is None or workflow.currency == order.currency)):
            rows.append(OrderApproval(
                order=order, revision=order.revision, workflow=workflow, step=step, position=step.position,
                name=step.name, status=ApprovalStatus.SKIPPED, assigned_roles=step.approver_roles,
                scope=step.scope, assigned_user=step.approver, decided_at=now,
                reason=_("The order total is below %(amount)s.") % {
                    "amount": format_money(step.skip_below, order.currency)}))
            rows.append(_event(order, None, _("Step skipped: %(step)s") % {"step": step.name},
                               {"step": step.name, "position": step.position, "status": "skipped"}))
            continue
        opened = OrderApproval(
            order=order, revision=order.revision, workflow=workflow, step=step, position=step.position,
            name=step.name, assigned_roles=step.approver_roles, scope=step.scope, assigned_user=step.approver,
            due_at=_step_due(step, now))
        rows.append(opened)
        rows.append(_event(order, actor, _("Waiting for approval: %(step)s") % {"step": step.name},
                           {"step": step.name, "position": step.position, "status": "pending"}))
        rows.append(_step_outbox_row(order, actor, opened, kind="approval.waiting", now=now))
        return rows, opened
    return rows, None


def _open_next(*, actor, order: Order, workflow: ApprovalWorkflow | None, after: int, now,
               steps: list[ApprovalStep] | None = None) -> OrderApproval | None:
    """Open the first step after position `after` that is not skipped (`steps`: those steps, when already
    read); approve the order when none is left."""
    steps = _steps_after(workflow, after) if steps is None else steps
    rows, opened = _next_rows(actor=actor, order=order, workflow=workflow, steps=steps, now=now)
    insert_grouped([row for row in rows if not isinstance(row, OrderEvent)])
    order_events_add(events=[row for row in rows if isinstance(row, OrderEvent)])
    if opened is None:
        order_transition(actor=actor, order=order, action="approve", reason=_("Every approval step is done."))
    return opened


def approval_plan(*, actor, order: Order, now, node_path: str | None = None, territory_paths: list[str] | None = None,
                  category_paths: set[str] | None = None, config: selectors.ApprovalConfig | None = None,
                  ) -> tuple[list, OrderApproval | None]:
    """In memory, for a submitted order: its chain's start. Moves `order` (not saved) to approved (an
    auto-approval rule, no workflow, a workflow without steps or with every step skipped) or in approval, and
    returns the rows to write with it (approval steps, timeline, audit) and the step now waiting, if any.
    What the conditions look at may be given (an order not written yet must give its category paths), and the
    rules and workflows when already read."""
    rule, workflow = workflow_for(order, _Facts(order, known_node_path=node_path, known_territory_paths=territory_paths,
                                                known_category_paths=category_paths), config)
    if rule is not None:
        reason = _("Approved automatically by the rule %(name)s.") % {"name": rule.name}
        return [OrderApproval(order=order, revision=order.revision, position=0, name=rule.name,
                              status=ApprovalStatus.APPROVED, decided_at=now, decided_by_label=SYSTEM_LABEL,
                              reason=reason),
                *transition_fresh(actor=None, order=order, action="approve", reason=reason,
                                  data={"auto_rule": rule.pk}, now=now)], None
    steps = _steps_after(workflow, 0)
    if not steps:
        return transition_fresh(actor=None, order=order, action="approve",
                                reason=_("No approval workflow applies to this order."), now=now), None
    rows = transition_fresh(actor=actor, order=order, action="start_approval",
                            reason=_("Approval workflow: %(name)s") % {"name": workflow.name},
                            data={"workflow": workflow.pk}, now=now)
    opened_rows, opened = _next_rows(actor=actor, order=order, workflow=workflow, steps=steps, now=now)
    rows += opened_rows
    if opened is None:
        rows += transition_fresh(actor=actor, order=order, action="approve",
                                 reason=_("Every approval step is done."), now=now)
    return rows, opened


def approval_start(*, actor, order: Order) -> OrderApproval | None:
    """Run a submitted order (saved, locked by the caller) into its chain: auto-approved, approved (no workflow
    applies) or waiting at its first step (returned). Call inside the transaction that locked it. Ordering
    writes the order with the plan's rows (ordering.approval.order_approval_start)."""
    order_approval_start(actor=actor, order=order)
    return OrderApproval.objects.filter(order=order, revision=order.revision, status=P).first()


class Chain:
    """The approval chain as ordering asks for it (ordering.approval.ApprovalChain), registered by
    ApprovalsConfig.ready."""

    config_sql = selectors.APPROVAL_CONFIG_SQL

    def config_from(self, value) -> selectors.ApprovalConfig:
        return selectors.approval_config_from(value)

    def plan(self, *, actor, order: Order, now, node_path: str | None = None,
             territory_paths: list[str] | None = None, category_paths: set[str] | None = None,
             config: selectors.ApprovalConfig | None = None) -> list:
        rows, _opened = approval_plan(actor=actor, order=order, now=now, node_path=node_path,
                                      territory_paths=territory_paths, category_paths=category_paths,
                                      config=config)
        return rows

    def restart(self, *, actor, order: Order, reason: str = "") -> None:
        approval_restart(actor=actor, order=order, reason=reason)


DECISIONS = {"approve": ApprovalStatus.APPROVED, "reject": ApprovalStatus.REJECTED,
             "send_back": ApprovalStatus.SENT_BACK}


def _lock(order: Order) -> Order:
    return order_lock(order.pk, related=("dealer", "dealer__node"))


@transaction.atomic
def approval_decide(*, actor, order: Order, decision: str, reason: str = "") -> Order:
    """The actor's decision on the order's open step: "approve" (next step, or the order is approved),
    "reject" (a reason; the order is rejected and its stock released) or "send_back" (a reason; the order
    returns to the dealer as a draft). The order must already come from the actor's scope
    (ordering.selectors.order_get_for). Not waiting for approval: 409; waiting for someone else: 403."""
    if decision not in DECISIONS:
        raise ApprovalInvalid(_("Unknown decision."), fields={"decision": [_("Approve, reject or send back.")]})
    reason = (reason or "").strip()
    if decision != "approve" and not reason:
        raise ApprovalInvalid(_("Give a reason."), fields={"reason": [_("A reason is required for this decision.")]})
    if len(reason) > 2000:
        raise ApprovalInvalid(_("The reason is too long."), fields={"reason": [_("At most 2000 characters.")]})
    locked = _lock(order)
    pending = (OrderApproval.objects.select_for_update(of=("self",)).filter(order=locked, status=ApprovalStatus.PENDING)
               .select_related("workflow").first())
    if locked.status != OrderStatus.IN_APPROVAL or pending is None:
        raise IllegalOrderTransition(_("Order %(number)s is %(state)s; it is not waiting for approval.")
                                     % {"number": locked.number, "state": locked.get_status_display()})
    if not selectors.can_decide(actor=actor, approval=pending, order=locked):
        raise NotYourStep(_("Order %(number)s is waiting for someone else: %(step)s.")
                          % {"number": locked.number, "step": pending.name})
    now = timezone.now()

    def decided(step: OrderApproval, _before: str) -> list[str]:
        step.decided_by, step.decided_by_label = actor, actor_label(actor)
        step.decided_at, step.reason = now, reason
        message = _("%(decision)s: %(step)s") % {"decision": step.get_status_display(), "step": step.name}
        order_event_add(actor=actor, order=locked, kind="approval",
                        message=f"{message} ({reason})" if reason else message,
                        data={"step": step.name, "position": step.position, "status": step.status,
                              "reason": reason})
        return ["decided_by", "decided_by_label", "decided_at", "reason"]

    STEP_MACHINE.move(actor=actor, obj=pending, action=decision, audit=audit_record, reason=reason,
                      lock=lambda step: step, effects=decided)
    if decision == "approve":
        _open_next(actor=actor, order=locked, workflow=pending.workflow, after=pending.position, now=now)
    else:
        order_transition(actor=actor, order=locked, action=decision, reason=reason,
                         data={"step": pending.name})
    order.status, order.revision, order.approved_at, order.closed_at = (
        locked.status, locked.revision, locked.approved_at, locked.closed_at)
    return locked


@dataclass(frozen=True)
class BulkResult:
    order_id: int
    ok: bool
    number: str = ""
    status: str = ""
    code: str = ""
    detail: str = ""


def approval_bulk_approve(*, actor, order_ids: Sequence, reason: str = "") -> list[BulkResult]:
    """Approve each order on its own (one transaction each): one result per id, in the order given."""
    if not order_ids:
        raise ApprovalInvalid(_("Choose at least one order."), fields={"orders": [_("Choose at least one order.")]})
    if len(order_ids) > MAX_BULK:
        raise ApprovalInvalid(_("At most %(max)s orders at once.") % {"max": MAX_BULK},
                              fields={"orders": [_("At most %(max)s orders at once.") % {"max": MAX_BULK}]})
    results = []
    for order_id in dict.fromkeys(order_ids):
        try:
            order = order_get_for(actor=actor, order_id=order_id)
            approval_decide(actor=actor, order=order, decision="approve", reason=reason)
        except DomainError as error:
            results.append(BulkResult(order_id=order_id, ok=False, code=error.code, detail=str(error.detail)))
        else:
            results.append(BulkResult(order_id=order.pk, ok=True, number=order.number, status=order.status))
    return results


def approvals_escalate_due(*, now=None) -> int:
    """Escalate or auto-approve the open steps past their due time (each once, in its own transaction);
    returns how many steps were handled. Steps that only wait are left alone."""
    now = now or timezone.now()
    due = list(OrderApproval.objects.filter(status=ApprovalStatus.PENDING, due_at__lte=now)
               .values_list("pk", "order_id"))
    handled = 0
    for approval_id, order_id in due:
        with transaction.atomic():
            try:
                order = order_lock(order_id)
            except OrderNotFound:
                continue
            approval = (OrderApproval.objects.select_for_update(of=("self",))
                        .filter(pk=approval_id, status=ApprovalStatus.PENDING, due_at__lte=now)
                        .select_related("step", "workflow").first())
            if approval is None:
                continue  # decided or handled meanwhile
            handled += _time_out(order, approval, now)
    return handled


def _time_out(order: Order, approval: OrderApproval, now) -> int:
    step = approval.step
    action = step.on_timeout if step is not None else OnTimeout.WAIT
    hours = step.timeout_hours if step is not None else None
    if action == OnTimeout.WAIT or order.status != OrderStatus.IN_APPROVAL:
        approval.due_at = None  # nothing to do when it is overdue: not looked at again
        approval.save(update_fields=["due_at"])
        return 0
    message = _("No decision within %(hours)s hours.") % {"hours": hours}

    def timed_out(approval: OrderApproval, _before: str) -> list[str]:
        approval.decided_at, approval.decided_by_label, approval.reason = now, SYSTEM_LABEL, message
        return ["decided_at", "decided_by_label", "reason"]

    def escalate(approval: OrderApproval, _before: str) -> dict:
        """After the step is stored as escalated (one pending step per order): its escalated copy opens."""
        escalated = OrderApproval.objects.create(
            order=order, revision=approval.revision, workflow=approval.workflow, step=step,
            position=approval.position, name=_("%(step)s (escalated)") % {"step": approval.name},
            assigned_roles=step.escalate_roles, scope=StepScope.USER if step.escalate_to_id else StepScope.HQ,
            assigned_user=step.escalate_to)
        _step_outbox_row(order, None, escalated, kind="approval.escalated", now=now).save(force_insert=True)
        target = step.escalate_to.get_full_name() if step.escalate_to_id else words(
            Role(r).label for r in step.escalate_roles)
        order_event_add(actor=None, order=order, kind="approval",
                        message=_("Escalated to %(target)s: %(step)s. %(why)s")
                        % {"target": target, "step": approval.name, "why": message},
                        data={"step": approval.name, "status": "escalated", "to_roles": step.escalate_roles,
                              "to_user": step.escalate_to_id})
        return {"escalated_to": escalated.pk}

    def approved(approval: OrderApproval, _before: str) -> None:
        order_event_add(actor=None, order=order, kind="approval",
                        message=_("Approved automatically: %(step)s. %(why)s")
                        % {"step": approval.name, "why": message},
                        data={"step": approval.name, "status": "approved", "timeout": True})

    auto = action == OnTimeout.AUTO_APPROVE
    STEP_MACHINE.move(actor=None, obj=approval, action="time_out" if auto else "escalate",
                      audit=audit_record, reason=message, lock=lambda step: step, effects=timed_out,
                      then=approved if auto else escalate)
    if action == OnTimeout.AUTO_APPROVE:
        _open_next(actor=None, order=order, workflow=approval.workflow, after=approval.position, now=now)
    return 1


@transaction.atomic
def approval_restart(*, actor, order: Order, reason: str = "") -> OrderApproval | None:
    """The order was edited: its chain starts again from the first step, for its current revision.
    - submitted (re-submitted after being sent back and edited): the chain starts as at submission;
    - in approval (edited while waiting): open steps are superseded and the first step opens again;
    - approved (edited after approval): the order goes back to draft through the lifecycle's send_back
      (new revision); the chain starts again when it is submitted;
    - draft: open steps are superseded; the chain starts at the next submission.
    Returns the step now waiting, if any."""
    locked = _lock(order)
    reason = (reason or "").strip() or _("The order was edited.")
    superseded = OrderApproval.objects.filter(
        order=locked, status__in=STEP_MACHINE.sources("supersede")).update(
        status=STEP_MACHINE.moves["supersede"].target, decided_at=timezone.now(), reason=reason)
    opened = None
    if locked.status == OrderStatus.APPROVED:
        order_transition(actor=actor, order=locked, action="send_back", reason=reason)
    elif locked.status == OrderStatus.SUBMITTED:
        opened = approval_start(actor=actor, order=locked)
    elif locked.status == OrderStatus.IN_APPROVAL:
        _rule, workflow = workflow_for(locked)
        order_event_add(actor=actor, order=locked, kind="approval",
                        message=_("Approval starts again: %(why)s") % {"why": reason},
                        data={"superseded": superseded})
        opened = _open_next(actor=actor, order=locked, workflow=workflow, after=0, now=timezone.now())
    elif locked.status != OrderStatus.DRAFT:
        raise IllegalOrderTransition(_("Order %(number)s is %(state)s; its approval cannot start again.")
                                     % {"number": locked.number, "state": locked.get_status_display()})
    order.status, order.revision = locked.status, locked.revision
    return opened
