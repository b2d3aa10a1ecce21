"""The audit log over the API: read-only, newest first, paginated, the console page's filters."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets

from tenant_apps.accounts.permissions import AUDIT_VIEW
from tenant_apps.audit.api.serializers import AuditEntrySerializer
from tenant_apps.audit.forms import AuditFilterForm
from tenant_apps.audit.selectors import audit_entry_list
from tenant_apps.core.errors import ValidationFailed
from tenant_apps.dealers.api.permissions import HasCapability

FILTERS = [
    OpenApiParameter("app", OpenApiTypes.STR, description="The area: the action's first word (ordering)."),
    OpenApiParameter("subject", OpenApiTypes.STR, description="What it is about (ordering.order)."),
    OpenApiParameter("action", OpenApiTypes.STR, description="A prefix of the action (ordering.order.sub)."),
    OpenApiParameter("actor", OpenApiTypes.STR, description="Part of the actor's email."),
    OpenApiParameter("target_type", OpenApiTypes.STR, description="The record's type (ordering.order)."),
    OpenApiParameter("target_id", OpenApiTypes.STR, description="The record's id."),
    OpenApiParameter("dealer", OpenApiTypes.INT, description="The dealer the change is about."),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="From this day (inclusive)."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="To this day (inclusive)."),
]


@extend_schema(parameters=FILTERS)
class AuditEntryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Entries the caller may read (whole network, or the dealers of their part of it), newest first."""

    serializer_class = AuditEntrySerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": AUDIT_VIEW}

    def get_queryset(self):
        form = AuditFilterForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationFailed(_("Check the filters."), fields={
                field: [str(message) for message in messages] for field, messages in form.errors.items()})
        return audit_entry_list(actor=self.request.user, filters=form.filters())
