"""Rebate API: rules (brand finance reads and edits), runs with their lines (computed after each period closes,
or asked for a closed period), excluding a line, approving a run (its lines credited to the rebate pools).
Thin over finance.services_rebates; lines are read within the actor's data scope."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from tenant_apps.accounts.permissions import FINANCE_EDIT, FINANCE_VIEW
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.finance import selectors_rebates as selectors
from tenant_apps.finance import services_rebates as services
from tenant_apps.finance.api.serializers_rebates import (
    RebateLineExcludeIn,
    RebateLineSerializer,
    RebateRuleIn,
    RebateRuleSerializer,
    RebateRunDetailSerializer,
    RebateRunIn,
    RebateRunSerializer,
)


def _valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data, context={"request": request})
    data.is_valid(raise_exception=True)
    return data.validated_data


class RebateRuleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Rebate rules: per period (month, quarter, year), tiers of threshold -> rate (%) applied to the whole basis
    or to the part above each threshold, the dealers covered (tiers, territories, a list; empty: all)."""

    serializer_class = RebateRuleSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": FINANCE_VIEW, "retrieve": FINANCE_VIEW, "create": FINANCE_EDIT,
                             "update": FINANCE_EDIT, "destroy": FINANCE_EDIT}

    def get_queryset(self):
        return selectors.rebate_rules().order_by("name", "pk")

    def retrieve(self, request, pk=None):
        return Response(RebateRuleSerializer(selectors.rebate_rule_get(rule_id=pk)).data)

    @extend_schema(request=RebateRuleIn, responses={201: RebateRuleSerializer})
    def create(self, request):
        rule = services.rebate_rule_create(actor=request.user, **_valid(RebateRuleIn, request))
        return Response(RebateRuleSerializer(selectors.rebate_rule_get(rule_id=rule.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=RebateRuleIn, responses=RebateRuleSerializer)
    def update(self, request, pk=None):
        rule = selectors.rebate_rule_get(rule_id=pk)
        services.rebate_rule_update(actor=request.user, rule=rule, **_valid(RebateRuleIn, request))
        return Response(RebateRuleSerializer(selectors.rebate_rule_get(rule_id=pk)).data)

    @extend_schema(summary="Delete a rule that has no runs (409 otherwise)")
    def destroy(self, request, pk=None):
        services.rebate_rule_delete(actor=request.user, rule=selectors.rebate_rule_get(rule_id=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RebateRunViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Rebate runs, newest period first: one per rule and period (asking again returns the same run)."""

    serializer_class = RebateRunSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": FINANCE_VIEW, "retrieve": FINANCE_VIEW, "create": FINANCE_EDIT,
                             "approve": FINANCE_EDIT}

    def get_queryset(self):
        return selectors.rebate_runs_visible_to(self.request.user).order_by("-period_start", "-pk")

    @extend_schema(responses=RebateRunDetailSerializer)
    def retrieve(self, request, pk=None):
        return Response(RebateRunDetailSerializer(selectors.rebate_run_get_for(actor=request.user, run_id=pk)).data)

    @extend_schema(request=RebateRunIn, responses={201: RebateRunDetailSerializer},
                   summary="Compute (once) a rule's run for a closed period")
    def create(self, request):
        data = _valid(RebateRunIn, request)
        rule = selectors.rebate_rule_get(rule_id=data["rule"])
        run = services.rebate_run_compute(actor=request.user, rule=rule, period_start=data["period_start"])
        return Response(RebateRunDetailSerializer(selectors.rebate_run_get_for(actor=request.user, run_id=run.pk))
                        .data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RebateRunDetailSerializer,
                   summary="Approve: every line not excluded is credited to its dealer's rebate pool (once)")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        run = selectors.rebate_run_get_for(actor=request.user, run_id=pk)
        services.rebate_run_approve(actor=request.user, run=run)
        return Response(RebateRunDetailSerializer(selectors.rebate_run_get_for(actor=request.user, run_id=pk)).data)


class RebateLineViewSet(viewsets.GenericViewSet):
    serializer_class = RebateLineSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"exclude": FINANCE_EDIT}

    @extend_schema(request=RebateLineExcludeIn, responses=RebateLineSerializer,
                   summary="Exclude a line of a run under review (with a reason), or take it back in")
    @action(detail=True, methods=["post"])
    def exclude(self, request, pk=None):
        data = _valid(RebateLineExcludeIn, request)
        line = selectors.rebate_line_get_for(actor=request.user, line_id=pk)
        line = services.rebate_line_exclude(actor=request.user, line=line, excluded=data["excluded"],
                                            reason=data["reason"])
        return Response(RebateLineSerializer(line).data)
