"""Reads of bank transfers: remittances in the reader's scope (a dealer's staff: their own company's), statement
imports and lines (brand finance), matches, and the one-object getters that apply scope (outside it: 404)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.finance.errors import (
    BankLineNotFound,
    BankMappingNotFound,
    BankMatchNotFound,
    RemittanceNotFound,
    StatementNotFound,
)
from tenant_apps.finance.models import (
    BankMapping,
    BankMatch,
    BankStatementLine,
    LineStatus,
    Remittance,
    RemittanceStatus,
    StatementImport,
)


def _id(value) -> int | None:
    text = str(value)
    return int(text) if text.isdigit() and len(text) < 19 else None


def remittances_visible_to(user) -> QuerySet[Remittance]:
    return Remittance.objects.filter(dealer__in=dealers_visible_to(user)).select_related("dealer")


def remittance_get_for(*, actor, remittance_id) -> Remittance:
    found = None
    if (pk := _id(remittance_id)) is not None:
        found = remittances_visible_to(actor).filter(pk=pk).first()
    if found is None:
        raise RemittanceNotFound(_("No such transfer record."))
    return found


def remittances_pending() -> QuerySet[Remittance]:
    return Remittance.objects.filter(status=RemittanceStatus.PENDING).select_related("dealer").order_by(
        "created_at", "id")


def statements() -> QuerySet[StatementImport]:
    return StatementImport.objects.select_related("mapping", "uploaded_by").order_by("-created_at", "-id")


def statement_get(*, statement_id) -> StatementImport:
    found = None
    if (pk := _id(statement_id)) is not None:
        found = statements().filter(pk=pk).first()
    if found is None:
        raise StatementNotFound(_("No such statement."))
    return found


def _active_matches():
    return Prefetch("matches", queryset=BankMatch.objects.filter(reversal__isnull=True).select_related("dealer"),
                    to_attr="active_matches")


def lines(*, statement: StatementImport | None = None, status: str | None = None) -> QuerySet[BankStatementLine]:
    """Lines with their suggestion's dealer and remittance and their active match, a constant number of queries
    per page."""
    found = BankStatementLine.objects.select_related("suggested_dealer", "suggested_remittance").prefetch_related(
        _active_matches()).order_by("-booked_on", "-id")
    if statement is not None:
        found = found.filter(statement=statement)
    if status in LineStatus.values:
        found = found.filter(status=status)
    return found


def line_get(*, line_id) -> BankStatementLine:
    found = None
    if (pk := _id(line_id)) is not None:
        found = BankStatementLine.objects.filter(pk=pk).first()
    if found is None:
        raise BankLineNotFound(_("No such statement line."))
    return found


def matches_visible_to(user) -> QuerySet[BankMatch]:
    return BankMatch.objects.filter(dealer__in=dealers_visible_to(user)).select_related("dealer", "line")


def match_get_for(*, actor, match_id) -> BankMatch:
    found = None
    if (pk := _id(match_id)) is not None:
        found = matches_visible_to(actor).filter(pk=pk).first()
    if found is None:
        raise BankMatchNotFound(_("No such match."))
    return found


def mappings() -> QuerySet[BankMapping]:
    return BankMapping.objects.order_by("-builtin", "code")


def mapping_get(*, mapping_id=None, code: str | None = None) -> BankMapping:
    found = None
    if code:
        found = BankMapping.objects.filter(code=str(code)[:32]).first()
    elif (pk := _id(mapping_id)) is not None:
        found = BankMapping.objects.filter(pk=pk).first()
    if found is None:
        raise BankMappingNotFound(_("No such bank mapping."), fields={"mapping": [_("No such bank mapping.")]})
    return found
