"""Query parameters of the dealer list. django-filter validates them (a bad value is a 400 with field
errors) and documents them in the OpenAPI schema; the filtering itself is the selector's
(`selectors.dealer_list`), so that the API and the console read dealers the same way."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from tenant_apps.dealers import selectors
from tenant_apps.dealers.models import Dealer, DealerStatus, Node


def _visible_nodes(request):
    # `under` can only name a node of the actor's own scope, so it narrows the list and never widens it.
    if request is None:  # schema generation
        return Node.objects.none()
    return selectors.nodes_visible_to(request.user)


@extend_schema_field(OpenApiTypes.INT)
class NodeFilter(filters.ModelChoiceFilter):
    """A node id, chosen among the nodes the actor sees."""


class DealerFilter(filters.FilterSet):
    q = filters.CharFilter(max_length=100, help_text=_("Part of the code, short name or legal name."))
    status = filters.ChoiceFilter(choices=DealerStatus.choices)
    tier = filters.CharFilter(max_length=32, help_text=_("A tier code."))
    under = NodeFilter(
        queryset=_visible_nodes,
        help_text=_("A network node id: only dealers at or below it."),
        error_messages={"invalid_choice": _("No such place in the network.")},
    )
    territory = filters.CharFilter(max_length=32, help_text=_("A territory code."))

    class Meta:
        model = Dealer
        fields: list[str] = []

    def filter_queryset(self, queryset):
        # The view's queryset is `dealer_list(actor=...)` unfiltered; the selector applies the filters.
        data = self.form.cleaned_data
        return selectors.dealer_list(
            actor=self.request.user,
            q=data.get("q") or "",
            status=data.get("status") or "",
            tier=data.get("tier") or "",
            under=data.get("under"),
            territory=data.get("territory") or "",
        )
