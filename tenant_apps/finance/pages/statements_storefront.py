"""The dealer's finance pages on the storefront (/account/finance/, namespace finance). Statements: the list,
a statement by sections, confirm, dispute lines with a comment, downloads. Thin over the services; another
dealer's statement is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import FINANCE_PAY, FINANCE_VIEW_OWN, has_perm
from tenant_apps.core.errors import DomainError
from tenant_apps.finance import selectors_statements as selectors
from tenant_apps.finance import services_statements as services
from tenant_apps.finance.api.views_statements import statement_download
from tenant_apps.finance.models import StatementStatus
from tenant_apps.finance.pages.statements_console import error_message, statement_context, statement_for_page

# --- the dealer's pages --------------------------------------------------------------------------------------


def _dealer_only(request):
    if request.user.dealer_id is None:
        raise PermissionDenied


@requires(FINANCE_VIEW_OWN)
def my_statements(request):
    _dealer_only(request)
    statements = selectors.statements_visible_to(request.user)
    return render(request, "finance/storefront_statements.html", {
        "listing": listing(request, statements, sorts={"period": "ends_at"}, default="-period", per_page=24)})


@requires(FINANCE_VIEW_OWN)
def my_statement(request, statement_id):
    _dealer_only(request)
    statement = statement_for_page(request, statement_id)
    context = statement_context(request, statement)
    context["can_answer"] = has_perm(request.user, FINANCE_PAY)
    context["pick"] = context["can_answer"] and statement.status != StatementStatus.CONFIRMED
    return render(request, "finance/storefront_statement.html", context)


@requires(FINANCE_VIEW_OWN)
def my_statement_file(request, statement_id, fmt):
    _dealer_only(request)
    return statement_download(statement_for_page(request, statement_id), fmt)


@requires(FINANCE_PAY)
@require_POST
def my_statement_confirm(request, statement_id):
    _dealer_only(request)
    statement = statement_for_page(request, statement_id)
    try:
        services.statement_confirm(actor=request.user, statement=statement)
    except DomainError as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, _("Statement %(number)s confirmed. Thank you.") % {"number": statement.number})
    return redirect("finance:statement", statement.pk)


@requires(FINANCE_PAY)
@require_POST
def my_statement_dispute(request, statement_id):
    _dealer_only(request)
    statement = statement_for_page(request, statement_id)
    try:
        services.statement_dispute(actor=request.user, statement=statement, line_ids=request.POST.getlist("line"),
                                   comment=request.POST.get("comment", ""))
    except DomainError as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, _("Your objection was sent to the brand's finance team."))
    return redirect("finance:statement", statement.pk)
