"""The brand console's receivables pages (/console/finance/receivables/).

Receivables (/console/finance/receivables/): the dashboard (totals owed, overdue, due this week, the top overdue
dealers, the ageing per region with a drill down to its dealers), the ageing as an Excel file, and a dealer's open
items with its overdue block and the form to lift it. Thin: reads through selectors_receivables in the reader's
scope (outside it: 404), writes through services_receivables."""

from __future__ import annotations

import io

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import FINANCE_EDIT, RECEIVABLES_VIEW, has_perm
from tenant_apps.audit.services import Collection, audit_record
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.core.tables import XLSX_CONTENT_TYPE
from tenant_apps.dealers.errors import DealerNotFound
from tenant_apps.dealers.models import Dealer, Node
from tenant_apps.dealers.selectors import dealer_get_for
from tenant_apps.finance import selectors_receivables as receivables
from tenant_apps.finance import services_receivables, storefront_blocks, tabs
from tenant_apps.finance.forms_receivables import BlockLiftForm
from tenant_apps.finance.services import finance_settings

TOP = 10


def _region(request):
    value = request.GET.get("region", "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise Http404
    # A region the reader's dealers are under (a sales rep may not open the region itself in the network pages,
    # yet its dealers are grouped by it here); what is shown under it stays the reader's own dealers.
    region = Node.objects.filter(pk=int(value), kind=Node.Kind.REGION).first()
    if region is None or not receivables.receivables_dealers_for(request.user, region=region).exists():
        raise Http404
    return region


def _dealer(request, dealer_id) -> Dealer:
    try:
        return dealer_get_for(actor=request.user, dealer_id=dealer_id)
    except DealerNotFound:
        raise Http404 from None


@require_GET
@requires(RECEIVABLES_VIEW)
def receivables_dashboard(request):
    region = _region(request)
    report = receivables.ageing(actor=request.user, region=region)
    return render(request, "finance/receivables/dashboard.html", {
        "report": report, "region": region, "top": report.top_overdue(TOP),
        "heads": list(receivables.bucket_labels().values()), "block_days": finance_settings().overdue_block_days})


@require_GET
@requires(RECEIVABLES_VIEW)
def receivables_export(request):
    """The ageing per dealer (and a sheet per region) as an .xlsx file: amounts as numbers, never formulas."""
    from openpyxl import Workbook

    region = _region(request)
    report = receivables.ageing(actor=request.user, region=region)
    labels = receivables.bucket_labels()
    head = [*(labels[name] for name in receivables.BUCKETS), _("Overdue"), _("Total")]
    workbook = Workbook(write_only=True)
    dealers = workbook.create_sheet(_("Dealers"))
    dealers.append([_("Dealer code"), _("Dealer"), _("Region"), *head, _("Oldest due date")])
    names = {row.region.pk: row.region.name for row in report.regions if row.region}
    for row in report.dealers:
        dealers.append([_text(row.dealer.code), _text(row.dealer.display_name), _text(names.get(row.region_id, "")),
                        *(getattr(row.buckets, name) for name in receivables.BUCKETS), row.buckets.overdue,
                        row.buckets.total, row.oldest_due])
    regions = workbook.create_sheet(_("Regions"))
    regions.append([_("Region"), _("Dealers"), *head])
    for row in report.regions:
        regions.append([_text(row.region.name if row.region else _("No region")), row.dealers,
                        *(getattr(row.buckets, name) for name in receivables.BUCKETS), row.buckets.overdue,
                        row.buckets.total])
    regions.append([_("Total"), len(report.dealers), *(getattr(report.totals, name) for name in receivables.BUCKETS),
                    report.totals.overdue, report.totals.total])
    buffer = io.BytesIO()
    workbook.save(buffer)
    filename = f"ageing-{timezone.localdate():%Y%m%d}.xlsx"
    audit_record(actor=request.user, action="finance.receivables.exported",
                 target=Collection("finance.receivables", "ageing"),
                 after={"file": filename, "rows": len(report.dealers), "region": region.pk if region else None})
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _text(value: str) -> str:
    """A cell of text, never read as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def _dealer_page(request, dealer, form=None, status=200):
    items = receivables.open_items(dealers=Dealer.objects.filter(pk=dealer.pk), with_paid=False)
    summary = receivables.credit_summary(dealer)
    return render(request, "finance/receivables/dealer.html", {
        "dealer": dealer, "items": items, "summary": summary,
        "lift": receivables.block_lift_active(dealer), "can_lift": has_perm(request.user, FINANCE_EDIT),
        "form": form or BlockLiftForm(), "block_days": finance_settings().overdue_block_days,
        "terms": services_receivables.terms_for(dealer)}, status=status)


@require_GET
@requires(RECEIVABLES_VIEW)
def dealer_receivables(request, dealer_id: int):
    return _dealer_page(request, _dealer(request, dealer_id))


@require_POST
@requires(FINANCE_EDIT)
def block_lift(request, dealer_id: int):
    dealer = _dealer(request, dealer_id)
    form = BlockLiftForm(request.POST)
    if form.is_valid():
        try:
            services_receivables.block_lift(actor=request.user, dealer=dealer, reason=form.cleaned_data["reason"],
                                            until=form.cleaned_data["until"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("The block is lifted."))
            return redirect("finance_console:receivables-dealer", dealer.pk)
    return _dealer_page(request, dealer, form=form, status=400)


@require_POST
@requires(FINANCE_EDIT)
def block_lift_end(request, dealer_id: int):
    dealer = _dealer(request, dealer_id)
    if services_receivables.block_lift_end(actor=request.user, dealer=dealer,
                                           reason=request.POST.get("reason", "")[:255]):
        messages.success(request, _("The lift is ended: overdue payments block this dealer's orders again."))
    return redirect("finance_console:receivables-dealer", dealer.pk)


def _due_context(request, dealer) -> dict:
    return {"summary": receivables.credit_summary(dealer)}


tabs.register("finance_console:receivables", gettext_lazy("Receivables"), RECEIVABLES_VIEW, order=30)
storefront_blocks.register_block("due", "finance/storefront/_due.html", _due_context, slot="figures", order=10)
