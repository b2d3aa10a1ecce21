"""Bank transfer pages. Storefront (/account/finance/transfers/): how to pay by transfer (the brand's account and
the dealer's payment code), record a transfer with a slip photo, my transfers and their state. Console
(/console/finance/bank/): import a statement, its lines with the suggested match and its confidence, confirm /
match by hand / not ours / reverse, the transfers waiting, the mappings and the receiving account. Thin over
finance.bank.services; everything outside the reader's scope is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import FINANCE_EDIT, FINANCE_PAY, FINANCE_VIEW, FINANCE_VIEW_OWN, has_perm
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.core.tables import ImportResult
from tenant_apps.core.uploads import media_response
from tenant_apps.dealers.selectors import dealers_visible_to
from tenant_apps.finance import storefront_blocks, tabs
from tenant_apps.finance.bank import selectors, services
from tenant_apps.finance.bank.forms import (
    BankSettingsForm,
    ManualMatchForm,
    MappingForm,
    NoteForm,
    ReasonForm,
    RemittanceForm,
    StatementForm,
)
from tenant_apps.finance.bank.matching import payment_code
from tenant_apps.finance.errors import StatementUnreadable
from tenant_apps.finance.models import LineStatus

LINES_PER_PAGE = 50
DEALER_CHOICES = 2000  # dealer codes offered while typing in "match by hand" (any code in scope is accepted)

# --- storefront ----------------------------------------------------------------------------------------------


def _own_dealer(request):
    if not request.user.dealer_id:
        raise Http404
    dealer = dealers_visible_to(request.user).filter(pk=request.user.dealer_id).first()
    if dealer is None:
        raise Http404
    return dealer


@requires(FINANCE_PAY)
@require_http_methods(["GET", "POST"])
def transfers(request):
    dealer = _own_dealer(request)
    form = RemittanceForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.remittance_record(actor=request.user, dealer=dealer, **form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Transfer recorded. We match it when it shows on our bank statement."))
                return redirect("finance:transfers")
        else:
            status = 400
    remittances = selectors.remittances_visible_to(request.user).filter(dealer=dealer).order_by("-created_at")
    return render(request, "finance/bank/transfers.html", {
        "form": form, "dealer": dealer, "payment_code": payment_code(dealer), "bank": services.bank_settings(),
        "remittances": remittances[:100],
    }, status=status)


@login_required
@require_GET
def transfer_slip(request, remittance_id: int):
    """A transfer's slip, to its dealer's finance staff and the brand's finance people in scope (404 otherwise)."""
    if not (has_perm(request.user, FINANCE_VIEW) or has_perm(request.user, FINANCE_VIEW_OWN)):
        raise Http404
    remittance = selectors.remittances_visible_to(request.user).filter(pk=remittance_id).exclude(slip="").first()
    if remittance is None:
        raise Http404
    return media_response(remittance.slip.open("rb"), name=remittance.slip.name)


# --- console -------------------------------------------------------------------------------------------------


def _back(request, fallback: str = "finance_console:bank"):
    target = request.POST.get("next", "")
    if target.startswith("/console/finance/bank/") and "//" not in target:
        return redirect(target)
    return redirect(fallback)


@requires(FINANCE_EDIT)
@require_http_methods(["GET", "POST"])
def bank_home(request):
    services.bank_mappings_ensure()
    mappings = selectors.mappings()
    form = StatementForm(request.POST or None, request.FILES or None, mappings=mappings)
    result, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                statement, run = services.statement_import(actor=request.user, file=upload, filename=upload.name,
                                                           mapping=form.cleaned_data["mapping"])
            except StatementUnreadable as unreadable:
                result = ImportResult(applied=False, rows=0, errors=unreadable.errors)
                status = 400
            except DomainError as error:
                apply_domain_error(form, error)
                status = error.status
            else:
                messages.success(request, _(
                    "%(lines)s new lines imported (%(duplicates)s imported before, %(debits)s outgoing skipped); "
                    "%(high)s high, %(medium)s medium and %(low)s low-confidence suggestions, %(confirmed)s "
                    "confirmed automatically.") % {
                        "lines": statement.lines_created, "duplicates": statement.duplicates,
                        "debits": statement.debits, "high": run.high, "medium": run.medium, "low": run.low,
                        "confirmed": run.confirmed})
                return redirect("finance_console:bank-statement", statement.pk)
        else:
            status = 400
    state = request.GET.get("status", LineStatus.OPEN)
    return render(request, "finance/bank/console.html", {
        "form": form, "result": result, "statements": selectors.statements()[:10],
        **_lines_context(request, selectors.lines(status=state if state in LineStatus.values else None), state),
        "pending": selectors.remittances_pending()[:100],
    }, status=status)


def _lines_context(request, lines, state) -> dict:
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    dealers = dealers_visible_to(request.user).order_by("code").values_list("code", "name", "legal_name")
    return {"page": page, "lines": page.object_list, "state": state, "states": LineStatus.choices,
            "next": request.get_full_path(), "dealer_choices": dealers[:DEALER_CHOICES]}


@requires(FINANCE_EDIT)
@require_GET
def bank_statement(request, statement_id: int):
    try:
        statement = selectors.statement_get(statement_id=statement_id)
    except DomainError:
        raise Http404 from None
    state = request.GET.get("status", "")
    lines = selectors.lines(statement=statement, status=state if state in LineStatus.values else None)
    return render(request, "finance/bank/statement.html", {"statement": statement,
                                                           **_lines_context(request, lines, state)})


def _act(request, work) -> None:
    try:
        work()
    except DomainError as error:
        messages.error(request, " ".join(m for ms in error.fields.values() for m in ms) or str(error.detail))


def _line(line_id):
    try:
        return selectors.line_get(line_id=line_id)
    except DomainError:
        raise Http404 from None


@requires(FINANCE_EDIT)
@require_POST
def line_confirm(request, line_id: int):
    line = _line(line_id)
    _act(request, lambda: services.bank_line_confirm(actor=request.user, line=line)
         and messages.success(request, _("Matched: the payment is posted.")))
    return _back(request)


@requires(FINANCE_EDIT)
@require_POST
def line_match(request, line_id: int):
    line = _line(line_id)
    form = ManualMatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the dealer's code."))
        return _back(request)
    dealer = dealers_visible_to(request.user).filter(code=form.cleaned_data["dealer"].strip()).first()
    if dealer is None:
        messages.error(request, _("No dealer with the code “%(code)s”.") % {"code": form.cleaned_data["dealer"]})
        return _back(request)
    _act(request, lambda: services.bank_line_match(actor=request.user, line=line, dealer=dealer,
                                                   reference=form.cleaned_data["reference"])
         and messages.success(request, _("Matched: the payment is posted.")))
    return _back(request)


@requires(FINANCE_EDIT)
@require_POST
def line_ignore(request, line_id: int):
    line = _line(line_id)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    _act(request, lambda: services.bank_line_ignore(actor=request.user, line=line, note=note))
    return _back(request)


@requires(FINANCE_EDIT)
@require_POST
def line_reopen(request, line_id: int):
    line = _line(line_id)
    _act(request, lambda: services.bank_line_reopen(actor=request.user, line=line))
    return _back(request)


@requires(FINANCE_EDIT)
@require_POST
def match_reverse(request, match_id: int):
    try:
        match = selectors.match_get_for(actor=request.user, match_id=match_id)
    except DomainError:
        raise Http404 from None
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the match is reversed."))
        return _back(request)
    _act(request, lambda: services.bank_match_reverse(actor=request.user, match=match,
                                                      reason=form.cleaned_data["reason"])
         and messages.success(request, _("Reversed: the payment is undone and the line is open again.")))
    return _back(request)


@requires(FINANCE_EDIT)
@require_POST
def remittance_reject(request, remittance_id: int):
    try:
        remittance = selectors.remittance_get_for(actor=request.user, remittance_id=remittance_id)
    except DomainError:
        raise Http404 from None
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the transfer record is rejected."))
        return _back(request)
    _act(request, lambda: services.remittance_reject(actor=request.user, remittance=remittance,
                                                     reason=form.cleaned_data["reason"]))
    return _back(request)


@requires(FINANCE_EDIT)
@require_POST
def rematch(request):
    run = services.bank_lines_match(actor=request.user)
    messages.success(request, _("%(lines)s open lines matched again: %(high)s high, %(medium)s medium, %(low)s low.")
                     % {"lines": run.lines, "high": run.high, "medium": run.medium, "low": run.low})
    return _back(request)


@requires(FINANCE_EDIT)
@require_http_methods(["GET", "POST"])
def bank_settings(request):
    row = services.bank_settings()
    form = BankSettingsForm(request.POST or None, initial={
        "account_name": row.account_name, "bank_name": row.bank_name, "account_number": row.account_number,
        "note": row.note, "auto_confirm_high": row.auto_confirm_high})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.bank_settings_update(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Saved."))
                return redirect("finance_console:bank-settings")
        else:
            status = 400
    return render(request, "finance/bank/settings.html", {"form": form}, status=status)


@requires(FINANCE_EDIT)
@require_GET
def mappings(request):
    services.bank_mappings_ensure()
    return render(request, "finance/bank/mappings.html", {"mappings": selectors.mappings()})


@requires(FINANCE_EDIT)
@require_http_methods(["GET", "POST"])
def mapping_edit(request, mapping_id: int | None = None):
    mapping = None
    if mapping_id is not None:
        try:
            mapping = selectors.mapping_get(mapping_id=mapping_id)
        except DomainError:
            raise Http404 from None
    form = MappingForm(request.POST or None, initial=MappingForm.initial_for(mapping) if mapping else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.bank_mapping_save(actor=request.user, mapping=mapping, code=data["code"], name=data["name"],
                                           columns=form.columns(), date_formats=data["date_formats"],
                                           encoding=data["encoding"], header_row=data["header_row"],
                                           credit_marks=data["credit_marks"])
            except DomainError as error:
                apply_domain_error(form, error, field_names={"columns": "col_date"})
                status = error.status
            else:
                messages.success(request, _("Saved."))
                return redirect("finance_console:bank-mappings")
        else:
            status = 400
    return render(request, "finance/bank/mapping_form.html", {"form": form, "mapping": mapping}, status=status)


tabs.register("finance_console:bank", gettext_lazy("Bank statements"), FINANCE_EDIT, order=50)
storefront_blocks.register_action("finance:transfers", gettext_lazy("Pay by bank transfer"), FINANCE_PAY, order=20)
