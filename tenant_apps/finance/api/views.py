"""Finance API: the dealer accounts in the reader's scope (a dealer's staff: their own company's) and each
account's ledger, newest first. Sign convention of the amounts: tenant_apps/finance/models.py."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action

from tenant_apps.accounts.permissions import FINANCE_VIEW, FINANCE_VIEW_OWN
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.finance import selectors
from tenant_apps.finance.api.serializers import AccountSerializer, LedgerEntrySerializer

VIEW = (FINANCE_VIEW, FINANCE_VIEW_OWN)


class AccountViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Dealer accounts (balance: prepaid money; credit_used: owed on credit), one per dealer and currency.
    Filters: `dealer`, `currency`."""

    serializer_class = AccountSerializer
    permission_classes = [HasCapability]
    required_capabilities = {"list": VIEW, "ledger": VIEW}

    def get_queryset(self):
        accounts = selectors.accounts_visible_to(self.request.user).order_by("dealer__code", "currency")
        params = self.request.query_params
        if params.get("dealer", "").isdigit():
            accounts = accounts.filter(dealer_id=int(params["dealer"]))
        if params.get("currency"):
            accounts = accounts.filter(currency=params["currency"][:3])
        return accounts

    @extend_schema(responses=LedgerEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def ledger(self, request, pk=None):
        account = selectors.account_get_for(actor=request.user, account_id=pk)
        entries = account.entries.order_by("-created_at", "-id")
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(LedgerEntrySerializer(page, many=True).data)
