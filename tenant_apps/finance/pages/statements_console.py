"""The brand console's statement pages (/console/finance/statements/, namespace finance_console): the list by
state with the disputes waiting, a statement, answering a dispute, issuing a period now, downloads. Thin over
the services; a statement outside the reader's scope is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import FINANCE_EDIT, FINANCE_VIEW, FINANCE_VIEW_OWN, has_perm
from tenant_apps.core.errors import DomainError
from tenant_apps.finance import selectors_statements as selectors
from tenant_apps.finance import services_statements as services
from tenant_apps.finance import storefront_blocks, tabs
from tenant_apps.finance.api.views_statements import statement_download
from tenant_apps.finance.models import StatementStatus


def error_message(error: DomainError) -> str:
    details = [message for messages_ in error.fields.values() for message in messages_]
    return " ".join([str(error.detail), *details])


def statement_for_page(request, statement_id):
    """The statement in the reader's scope, else 404 (pages of both sides)."""
    try:
        return selectors.statement_get_for(actor=request.user, statement_id=statement_id)
    except DomainError:
        raise Http404 from None


def statement_context(request, statement) -> dict:
    return {"view": selectors.statement_view(statement), "statement": statement,
            "statuses": StatementStatus}


# --- brand finance's pages -----------------------------------------------------------------------------------


@requires(FINANCE_VIEW)
def statements_page(request):
    statements = selectors.statements_visible_to(request.user)
    state = request.GET.get("status", "")
    if state == "waiting":
        statements = statements.filter(open_disputes__gt=0)
    elif state in StatementStatus.values:
        statements = statements.filter(status=state)
    period = request.GET.get("period", "")[:7]
    if period:
        statements = statements.filter(period=period)
    return render(request, "finance/statements.html", {
        "listing": listing(request, statements, sorts={"period": "ends_at", "dealer": "dealer__code"},
                           default="-period", per_page=50),
        "status": state, "period": period, "statuses": StatementStatus.choices,
        "can_edit": has_perm(request.user, FINANCE_EDIT),
        "last_ended": services.period_last_ended(cutoff=services.finance_settings().statement_cutoff_day),
    })


@requires(FINANCE_VIEW)
def statement_page(request, statement_id):
    statement = statement_for_page(request, statement_id)
    context = statement_context(request, statement)
    context["can_edit"] = has_perm(request.user, FINANCE_EDIT)
    return render(request, "finance/statement.html", context)


@requires(FINANCE_VIEW)
def statement_file(request, statement_id, fmt):
    return statement_download(statement_for_page(request, statement_id), fmt)


@requires(FINANCE_EDIT)
@require_POST
def statement_resolve(request, statement_id):
    statement = statement_for_page(request, statement_id)
    try:
        dispute = selectors.dispute_get_for(actor=request.user, statement=statement,
                                            dispute_id=request.POST.get("dispute", ""))
        services.dispute_resolve(actor=request.user, dispute=dispute, reply=request.POST.get("reply", ""),
                                 adjustment_amount=request.POST.get("adjustment_amount", "").strip() or None)
    except DomainError as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, _("Answer sent to the dealer."))
    return redirect("finance_console:statement", statement.pk)


@requires(FINANCE_EDIT)
@require_POST
def statements_generate(request):
    try:
        result = services.statements_generate(actor=request.user, period=request.POST.get("period", "").strip() or None)
    except DomainError as error:
        messages.error(request, error_message(error))
    else:
        messages.success(request, _("Period %(period)s: %(created)s statements issued, %(skipped)s already there.")
                         % {"period": result.period, "created": len(result.created), "skipped": result.skipped})
        if result.failed:
            messages.error(request, _("%(count)s accounts got no statement: their ledger does not add up (run the "
                                      "finance check).") % {"count": len(result.failed)})
    return redirect("finance_console:statements")


tabs.register("finance_console:statements", gettext_lazy("Dealer statements"), FINANCE_VIEW, order=40)
storefront_blocks.register_action("finance:statements", gettext_lazy("My statements"), FINANCE_VIEW_OWN, order=40)
