"""Console pages of the approval chain (/console/approvals/): the approver's inbox with bulk approval, an
order's approval page (lines, frozen price breakdown, steps, timeline, decisions), and the configuration of
workflows and auto-approval rules. Thin: capabilities declared, orders looked up in the actor's scope (404
outside), writes through approvals.services, domain errors shown as messages or on the fields."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import APPROVALS_CONFIGURE, ORDERS_APPROVE, ORDERS_VIEW, Role
from tenant_apps.approvals import selectors, services
from tenant_apps.approvals.errors import WorkflowNotFound
from tenant_apps.approvals.forms import AutoRuleForm, DecisionForm, StepForm, WorkflowForm
from tenant_apps.approvals.models import ApprovalStatus, AutoApprovalRule
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.core.text import person
from tenant_apps.dealers.models import Node, Territory, Tier
from tenant_apps.ordering.errors import OrderNotFound
from tenant_apps.ordering.models import OrderLine, OrderStatus
from tenant_apps.ordering.selectors import order_get_for

SORTS = {"waiting": "created_at", "due": "due_at", "total": "order__total", "number": "order__number",
         "dealer": "order__dealer__name"}
STATUS_BADGE = {ApprovalStatus.APPROVED: "ok", ApprovalStatus.REJECTED: "danger", ApprovalStatus.SENT_BACK: "warn",
                ApprovalStatus.ESCALATED: "warn", ApprovalStatus.PENDING: ""}
DECISION_DONE = {"approve": gettext_lazy("Order %(number)s approved at your step."),
                 "reject": gettext_lazy("Order %(number)s rejected."),
                 "send_back": gettext_lazy("Order %(number)s sent back to the dealer.")}


def _order_or_404(user, order_id):
    try:
        return order_get_for(actor=user, order_id=order_id)
    except OrderNotFound:
        raise Http404 from None


def _workflow_or_404(workflow_id):
    try:
        return selectors.workflow_get(workflow_id=workflow_id)
    except WorkflowNotFound:
        raise Http404 from None


def _age(since, now) -> str:
    hours = int((now - since).total_seconds() // 3600) if since else 0
    if hours < 1:
        return _("under an hour")
    if hours < 48:
        return _("%(n)s h") % {"n": hours}
    return _("%(n)s days") % {"n": hours // 24}


@requires(ORDERS_APPROVE)
def inbox(request):
    page = listing(request, selectors.approval_inbox(actor=request.user), sorts=SORTS, default="waiting")
    now = timezone.now()
    rows = [{"approval": a, "order": a.order, "age": _age(a.order.submitted_at, now),
             "overdue": a.due_at is not None and a.due_at <= now} for a in page.page.object_list]
    return render(request, "approvals/inbox.html", {"listing": page, "rows": rows})


@requires(ORDERS_APPROVE)
@require_POST
def bulk_approve(request):
    ids = [value for value in request.POST.getlist("orders") if value.isdigit()]
    if not ids:
        messages.error(request, _("Choose the orders to approve."))
        return redirect("approvals:inbox")
    try:
        results = services.approval_bulk_approve(actor=request.user, order_ids=[int(i) for i in ids])
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("approvals:inbox")
    done = [r for r in results if r.ok]
    if done:
        messages.success(request, _("%(count)s orders approved at your step.") % {"count": len(done)})
    for result in results:
        if not result.ok:
            messages.error(request, _("Order %(id)s: %(detail)s") % {"id": result.order_id, "detail": result.detail})
    return redirect("approvals:inbox")


def _events(order) -> list[dict]:
    """The order's events for the timeline, with statuses in words ("已提交", not "submitted")."""
    def label(status: str) -> str:
        return str(OrderStatus(status).label) if status in OrderStatus.values else status

    return [{"at": e.at, "actor_label": person(e.actor_label), "message": e.message,
             "from_status": label(e.from_status), "to_status": label(e.to_status)} for e in order.events.all()]


@requires(ORDERS_VIEW)
def order_detail(request, order_id: int):
    order = _order_or_404(request.user, order_id)
    pending = selectors.approval_pending(order=order)
    lines = (OrderLine.objects.filter(order=order).select_related("sku", "unit").order_by("line_no"))
    return render(request, "approvals/order.html", {
        "order": order, "lines": lines, "pending": pending,
        "can_decide": selectors.can_decide(actor=request.user, approval=pending, order=order),
        "history": selectors.approval_history(order=order), "events": _events(order),
        "promotions": order.breakdown.get("promotions", []), "notes": order.breakdown.get("notes", []),
        "reason_form": DecisionForm(), "badges": STATUS_BADGE,
    })


@requires(ORDERS_APPROVE)
@require_POST
def decide(request, order_id: int, decision: str):
    order = _order_or_404(request.user, order_id)
    form = DecisionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.approval_decide(actor=request.user, order=order, decision=decision, reason=reason)
    except DomainError as error:
        messages.error(request, " ".join([str(error.detail), *[m for ms in error.fields.values() for m in ms]]))
        return redirect("approvals:order", order.pk)
    messages.success(request, DECISION_DONE[decision] % {"number": order.number})
    return redirect("approvals:inbox")


# --- configuration ------------------------------------------------------------------------------

def _names(model, ids) -> list[str]:
    return [str(obj) for obj in model if obj.pk in set(ids or ())]


@requires(APPROVALS_CONFIGURE)
def workflows(request):
    rows = list(selectors.workflows_annotated().order_by("priority", "id"))
    tiers = list(Tier.objects.all())
    nodes = list(Node.objects.filter(kind__in=[Node.Kind.HEADQUARTERS, Node.Kind.REGION]))
    used_territories = {pk for w in rows for pk in w.territory_ids}
    territories = list(Territory.objects.filter(pk__in=used_territories))
    from tenant_apps.catalog.models import Category

    categories = list(Category.objects.filter(pk__in={pk for w in rows for pk in w.category_ids}))
    role_names = dict(Role.choices)
    for workflow in rows:
        workflow.tier_names = _names(tiers, workflow.tier_ids)
        workflow.node_names = _names(nodes, workflow.node_ids)
        workflow.territory_names = _names(territories, workflow.territory_ids)
        workflow.category_names = _names(categories, workflow.category_ids)
        for step in workflow.steps.all():
            step.role_names = [str(role_names.get(r, r)) for r in step.approver_roles]
            step.escalate_names = [str(role_names.get(r, r)) for r in step.escalate_roles]
    rules = list(AutoApprovalRule.objects.prefetch_related("tiers").order_by("max_total", "id"))
    return render(request, "approvals/workflows.html", {"workflows": rows, "rules": rules,
                                                         "rule_form": AutoRuleForm()})


@requires(APPROVALS_CONFIGURE)
@require_http_methods(["GET", "POST"])
def workflow_edit(request, workflow_id: int | None = None):
    workflow = _workflow_or_404(workflow_id) if workflow_id else None
    initial = {}
    if workflow is not None:
        initial = {"name": workflow.name, "active": workflow.active, "priority": workflow.priority,
                   "min_total": workflow.min_total, "max_total": workflow.max_total, "tiers": workflow.tier_ids,
                   "nodes": workflow.node_ids, "territories": workflow.territory_ids,
                   "categories": workflow.category_ids}
    form = WorkflowForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if workflow is None:
                workflow = services.workflow_create(actor=request.user, **form.service_kwargs())
            else:
                services.workflow_update(actor=request.user, workflow=workflow, **form.service_kwargs())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Workflow saved."))
            return redirect("approvals:workflow", workflow.pk)
    return render(request, "approvals/workflow_form.html", {"form": form, "workflow": workflow})


@requires(APPROVALS_CONFIGURE)
@require_http_methods(["GET", "POST"])
def workflow_detail(request, workflow_id: int):
    workflow = _workflow_or_404(workflow_id)
    form = StepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.step_add(actor=request.user, workflow=workflow, spec=form.spec())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Step added."))
            return redirect("approvals:workflow", workflow.pk)
    role_names = dict(Role.choices)
    steps = list(workflow.steps.all())
    for step in steps:
        step.role_names = [str(role_names.get(r, r)) for r in step.approver_roles]
        step.escalate_names = [str(role_names.get(r, r)) for r in step.escalate_roles]
    return render(request, "approvals/workflow_detail.html", {"workflow": workflow, "steps": steps,
                                                               "form": form})


@requires(APPROVALS_CONFIGURE)
@require_POST
def step_change(request, workflow_id: int, position: int, change: str):
    workflow = _workflow_or_404(workflow_id)
    try:
        if change == "remove":
            services.step_remove(actor=request.user, workflow=workflow, position=position)
        else:
            services.step_move(actor=request.user, workflow=workflow, position=position, up=change == "up")
    except DomainError as error:
        messages.error(request, error.detail)
    return redirect("approvals:workflow", workflow.pk)


@requires(APPROVALS_CONFIGURE)
@require_POST
def workflow_delete(request, workflow_id: int):
    workflow = _workflow_or_404(workflow_id)
    services.workflow_delete(actor=request.user, workflow=workflow)
    messages.success(request, _("Workflow deleted."))
    return redirect("approvals:workflows")


@requires(APPROVALS_CONFIGURE)
@require_POST
def rule_add(request):
    form = AutoRuleForm(request.POST)
    if form.is_valid():
        try:
            services.auto_rule_create(actor=request.user, name=form.cleaned_data["name"],
                                      max_total=form.cleaned_data["max_total"], tiers=list(form.cleaned_data["tiers"]))
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Auto-approval rule added."))
            return redirect("approvals:workflows")
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(request, f"{form.fields[field].label if field in form.fields else ''} {error}".strip())
    return redirect("approvals:workflows")


@requires(APPROVALS_CONFIGURE)
@require_POST
def rule_delete(request, rule_id: int):
    rule = AutoApprovalRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    services.auto_rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("Auto-approval rule deleted."))
    return redirect("approvals:workflows")
