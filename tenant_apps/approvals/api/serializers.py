"""The API's serializers: the shapes of what comes in and what goes out (views.py stays thin)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from tenant_apps.approvals import services
from tenant_apps.approvals.models import OnTimeout, StepScope


class InboxOutput(serializers.Serializer):
    approval_id = serializers.IntegerField(source="pk")
    order_id = serializers.IntegerField()
    number = serializers.CharField(source="order.number")
    revision = serializers.IntegerField()
    dealer_id = serializers.IntegerField(source="order.dealer_id")
    dealer = serializers.CharField(source="order.dealer.name")
    dealer_code = serializers.CharField(source="order.dealer.code")
    total = serializers.DecimalField(max_digits=16, decimal_places=2, source="order.total")
    currency = serializers.CharField(source="order.currency")
    lines = serializers.IntegerField(source="line_count")
    submitted_at = serializers.DateTimeField(source="order.submitted_at")
    step = serializers.CharField(source="name")
    position = serializers.IntegerField()
    waiting_since = serializers.DateTimeField(source="created_at")
    due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.SerializerMethodField()

    def get_overdue(self, approval) -> bool:
        return approval.due_at is not None and approval.due_at <= timezone.now()


class DecisionInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DecisionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    revision = serializers.IntegerField()
    waiting_for = serializers.CharField(allow_null=True)


class BulkInput(serializers.Serializer):
    orders = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False,
                                   max_length=services.MAX_BULK)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class BulkResultOutput(serializers.Serializer):
    order_id = serializers.IntegerField()
    ok = serializers.BooleanField()
    number = serializers.CharField()
    status = serializers.CharField()
    code = serializers.CharField()
    detail = serializers.CharField()


class BulkApproveOutput(serializers.Serializer):
    results = BulkResultOutput(many=True)
    approved = serializers.IntegerField()


class StepIO(serializers.Serializer):
    position = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    approver_roles = serializers.ListField(child=serializers.CharField(max_length=32), required=False, default=list)
    scope = serializers.ChoiceField(choices=StepScope.choices, required=False, default=StepScope.HQ)
    approver = serializers.IntegerField(required=False, allow_null=True, default=None, source="approver_id")
    timeout_hours = serializers.IntegerField(required=False, allow_null=True, default=None)
    on_timeout = serializers.ChoiceField(choices=OnTimeout.choices, required=False, default=OnTimeout.WAIT)
    escalate_roles = serializers.ListField(child=serializers.CharField(max_length=32), required=False, default=list)
    escalate_to = serializers.IntegerField(required=False, allow_null=True, default=None, source="escalate_to_id")
    skip_below = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True,
                                          default=None)


class WorkflowOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    active = serializers.BooleanField()
    priority = serializers.IntegerField()
    min_total = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    max_total = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    currency = serializers.CharField(help_text=gettext_lazy("Currency of its amounts (the brand's)."))
    tiers = serializers.ListField(child=serializers.IntegerField(), source="tier_ids")
    nodes = serializers.ListField(child=serializers.IntegerField(), source="node_ids")
    territories = serializers.ListField(child=serializers.IntegerField(), source="territory_ids")
    categories = serializers.ListField(child=serializers.IntegerField(), source="category_ids")
    steps = StepIO(many=True, source="steps.all")


def _ids(max_length):
    return serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list,
                                 max_length=max_length)


class WorkflowInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    active = serializers.BooleanField(required=False, default=True)
    priority = serializers.IntegerField(required=False, default=100)
    min_total = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True,
                                         default=None)
    max_total = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True,
                                         default=None)
    tiers = _ids(100)
    nodes = _ids(1000)
    territories = _ids(1000)
    categories = _ids(1000)
    steps = StepIO(many=True, required=False, default=list)
