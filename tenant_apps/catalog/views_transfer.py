"""Brand console: catalog import and export (CSV / XLSX)."""

from __future__ import annotations

from django.http import Http404

from tenant_apps.accounts.permissions import CATALOG_EDIT
from tenant_apps.core.access import console_required, requires


@console_required
@requires(CATALOG_EDIT)
def catalog_import(request):  # placeholder until import lands
    raise Http404


@console_required
@requires(CATALOG_EDIT)
def catalog_export(request):  # placeholder until export lands
    raise Http404
