"""The console's audit log: who changed what, when, before and after, newest first, in the reader's scope."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from dms.ui import listing
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import AUDIT_VIEW, Scope, scope_of
from tenant_apps.audit.forms import AuditFilterForm
from tenant_apps.audit.labels import action_label, subject_label
from tenant_apps.audit.selectors import AuditFilters, audit_entry_list

PER_PAGE = 50
HIDDEN = ("action", "target_type", "dealer")
# The records an entry links to (pages every reader of the log may open, for rows that are never deleted).
LINKS = {"ordering.order": "orders_console:detail", "dealers.dealer": "dealers:detail"}


def _changes(before: dict, after: dict) -> list[dict]:
    """before -> after per field, in the order the entry lists them."""
    keys = list(dict.fromkeys([*before, *after]))
    return [{"field": key, "before": before.get(key, ""), "after": after.get(key, ""), "had": key in before}
            for key in keys]


@requires(AUDIT_VIEW)
def entry_list(request):
    form = AuditFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    filters = form.filters() if form.is_bound and valid else AuditFilters()
    entries = audit_entry_list(actor=request.user, filters=filters)
    if not valid:
        entries = entries.none()
    page = listing(request, entries, sorts={"when": "created_at"}, default="-when", per_page=PER_PAGE)
    rows = []
    for entry in page.page:
        link = LINKS.get(entry.target_type)
        rows.append({
            "entry": entry, "subject": subject_label(entry.action), "verb": action_label(entry.action),
            "changes": _changes(entry.before or {}, entry.after or {}),
            "link": reverse(link, args=[entry.target_id]) if link and entry.target_id.isdigit() else "",
        })
    return render(request, "audit/list.html", {
        "listing": page, "rows": rows, "form": form, "scoped": scope_of(request.user) != Scope.ALL,
        "filter_errors": {} if valid else form.errors,
        "has_filters": any(value for key, value in request.GET.items() if key not in ("page", "sort")),
        # filters given by links (an order's or a dealer's history), kept when the form is sent again
        "hidden": [(name, request.GET[name][:64]) for name in HIDDEN if request.GET.get(name)],
    }, status=200 if valid else 400)
