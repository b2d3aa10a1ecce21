"""Brand console: categories, products with their SKUs and images."""

from __future__ import annotations

from django.http import Http404

from tenant_apps.accounts.permissions import CATALOG_VIEW
from tenant_apps.core.access import console_required, requires


@console_required
@requires(CATALOG_VIEW)
def product_list(request):  # placeholder until the console pages land
    raise Http404
