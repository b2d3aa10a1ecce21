"""Approvals API (tenant hosts, /api/v1/): the approver's inbox, decisions on an order (approve, reject, send
back), bulk approval, and CRUD of approval workflows. Thin: capabilities per action (HasCapability), orders
looked up in the actor's scope (404 outside), writes through approvals.services, one error shape."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tenant_apps.accounts.permissions import APPROVALS_CONFIGURE, ORDERS_APPROVE
from tenant_apps.approvals import selectors, services
from tenant_apps.approvals.api.serializers import (
    BulkApproveOutput,
    BulkInput,
    DecisionInput,
    DecisionOutput,
    InboxOutput,
    WorkflowInput,
    WorkflowOutput,
)
from tenant_apps.approvals.errors import ApprovalInvalid
from tenant_apps.approvals.models import OnTimeout, StepScope
from tenant_apps.approvals.services import StepSpec
from tenant_apps.catalog.models import Category
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.dealers.models import Node, Territory, Tier
from tenant_apps.ordering.selectors import order_get_for


def _objects(model, ids, field: str, errors: dict) -> list:
    found = {obj.pk: obj for obj in model.objects.filter(pk__in=ids)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        errors[field] = [_("Unknown ids: %(ids)s.") % {"ids": ", ".join(missing)}]
    return [found[i] for i in ids if i in found]


def _service_kwargs(data: dict) -> dict:
    """Ids of the input resolved to objects (unknown ids: field errors); steps as StepSpec."""
    errors: dict[str, list[str]] = {}
    kwargs = {key: value for key, value in data.items() if key not in {"tiers", "nodes", "territories",
                                                                        "categories", "steps"}}
    for field, model in (("tiers", Tier), ("nodes", Node), ("territories", Territory), ("categories", Category)):
        if field in data:
            kwargs[field] = _objects(model, data[field], field, errors)
    if "steps" in data:
        user_ids = {s.get(key) for s in data["steps"] for key in ("approver_id", "escalate_to_id")} - {None}
        users = {u.pk: u for u in get_user_model().objects.filter(pk__in=user_ids)}
        specs = []
        for number, step in enumerate(data["steps"], start=1):
            people = {}
            for key, field in (("approver_id", "approver"), ("escalate_to_id", "escalate_to")):
                if step.get(key) is not None and step[key] not in users:
                    errors[f"steps.{number}.{field}"] = [_("No such person.")]
                people[field] = users.get(step.get(key))
            specs.append(StepSpec(name=step.get("name", ""), approver_roles=step.get("approver_roles", []),
                                  scope=step.get("scope", StepScope.HQ), timeout_hours=step.get("timeout_hours"),
                                  on_timeout=step.get("on_timeout", OnTimeout.WAIT),
                                  escalate_roles=step.get("escalate_roles", []), skip_below=step.get("skip_below"),
                                  **people))
        kwargs["steps"] = specs
    if errors:
        raise ApprovalInvalid(_("The workflow could not be saved."), fields=errors)
    return kwargs


def _validated(serializer_class, request, *, partial=False) -> dict:
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _decision(order) -> dict:
    pending = selectors.approval_pending(order=order)
    return {"id": order.pk, "number": order.number, "status": order.status, "revision": order.revision,
            "waiting_for": pending.name if pending else None}


class ApprovalViewSet(viewsets.GenericViewSet):
    permission_classes = [HasCapability]
    metadata_class = None
    serializer_class = InboxOutput
    required_capabilities = {"inbox": ORDERS_APPROVE, "bulk_approve": ORDERS_APPROVE}

    @extend_schema(summary="Orders waiting for me, oldest first", responses=InboxOutput(many=True))
    @action(detail=False, methods=["get"])
    def inbox(self, request):
        rows = selectors.approval_inbox(actor=request.user).order_by("created_at", "id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(InboxOutput(page, many=True).data)

    @extend_schema(summary="Approve several orders; each is decided on its own", request=BulkInput,
                   responses=BulkApproveOutput)
    @action(detail=False, methods=["post"], url_path="bulk-approve")
    def bulk_approve(self, request):
        data = _validated(BulkInput, request)
        results = services.approval_bulk_approve(actor=request.user, order_ids=data["orders"],
                                                 reason=data["reason"])
        return Response(BulkApproveOutput({"results": results, "approved": sum(1 for r in results if r.ok)}).data)


@extend_schema_view(
    approve=extend_schema(summary="Approve the order's current step", request=DecisionInput,
                          responses={200: DecisionOutput, 403: OpenApiResponse(description="Not your step"),
                                     404: OpenApiResponse(description="Not in your scope"),
                                     409: OpenApiResponse(description="Not waiting for approval")}),
    reject=extend_schema(summary="Reject the order (reason required); its stock is released",
                         request=DecisionInput, responses={200: DecisionOutput}),
    send_back=extend_schema(summary="Send the order back to the dealer for changes (reason required)",
                            request=DecisionInput, responses={200: DecisionOutput}),
)
class OrderDecisionViewSet(viewsets.GenericViewSet):
    permission_classes = [HasCapability]
    metadata_class = None
    serializer_class = DecisionOutput
    lookup_value_regex = "[0-9]+"
    required_capabilities = {"approve": ORDERS_APPROVE, "reject": ORDERS_APPROVE, "send_back": ORDERS_APPROVE}

    def _decide(self, request, pk, decision):
        order = order_get_for(actor=request.user, order_id=pk)
        data = _validated(DecisionInput, request)
        services.approval_decide(actor=request.user, order=order, decision=decision, reason=data["reason"])
        return Response(DecisionOutput(_decision(order)).data)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk):
        return self._decide(request, pk, "approve")

    @action(detail=True, methods=["post"])
    def reject(self, request, pk):
        return self._decide(request, pk, "reject")

    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk):
        return self._decide(request, pk, "send_back")


@extend_schema_view(
    list=extend_schema(summary="Approval workflows in the order they are tried"),
    retrieve=extend_schema(summary="An approval workflow with its conditions and steps"),
    create=extend_schema(summary="Create a workflow", request=WorkflowInput, responses={201: WorkflowOutput}),
    partial_update=extend_schema(summary="Change a workflow (steps, when given, replace its steps)",
                                 request=WorkflowInput, responses={200: WorkflowOutput}),
    destroy=extend_schema(summary="Delete a workflow", responses={204: None}),
)
class WorkflowViewSet(viewsets.GenericViewSet):
    permission_classes = [HasCapability]
    metadata_class = None
    serializer_class = WorkflowOutput
    lookup_value_regex = "[0-9]+"
    required_capabilities = {action: APPROVALS_CONFIGURE for action in
                             ("list", "retrieve", "create", "partial_update", "destroy")}

    def _output(self, workflow, code=status.HTTP_200_OK) -> Response:
        return Response(WorkflowOutput(selectors.workflow_get(workflow_id=workflow.pk)).data, status=code)

    def list(self, request):
        page = self.paginate_queryset(selectors.workflows_annotated().order_by("priority", "id"))
        return self.get_paginated_response(WorkflowOutput(page, many=True).data)

    def retrieve(self, request, pk):
        return Response(WorkflowOutput(selectors.workflow_get(workflow_id=pk)).data)

    def create(self, request):
        workflow = services.workflow_create(actor=request.user,
                                            **_service_kwargs(_validated(WorkflowInput, request)))
        return self._output(workflow, status.HTTP_201_CREATED)

    def partial_update(self, request, pk):
        workflow = selectors.workflow_get(workflow_id=pk)
        changes = _service_kwargs(_validated(WorkflowInput, request, partial=True))
        return self._output(services.workflow_update(actor=request.user, workflow=workflow, **changes))

    def destroy(self, request, pk):
        services.workflow_delete(actor=request.user, workflow=selectors.workflow_get(workflow_id=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
