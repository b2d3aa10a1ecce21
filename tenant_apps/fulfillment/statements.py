"""The shipments section of a dealer's monthly statement (finance.statement_sections): what left the brand's
warehouses for the dealer in the period, for its records. No money: the charges are the ledger's."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_noop

from tenant_apps.finance.statement_sections import Section
from tenant_apps.fulfillment.models import Shipment


def shipments_section(*, dealer, currency: str, starts_at, ends_at) -> Section | None:
    shipments = (Shipment.objects.filter(order__dealer=dealer, order__currency=currency, shipped_at__gte=starts_at,
                                         shipped_at__lt=ends_at)
                 .select_related("order", "warehouse", "carrier").order_by("shipped_at", "id"))
    rows = [[timezone.localtime(s.shipped_at).date().isoformat(), s.number, s.order.number, s.warehouse.name,
             " ".join(part for part in (s.carrier.name if s.carrier_id else "", s.tracking_number) if part)]
            for s in shipments]
    if not rows:
        return None
    return Section(key="shipments", title=gettext_noop("Shipments"),
                   columns=[gettext_noop("Shipped"), gettext_noop("Shipment"), gettext_noop("Order"),
                            gettext_noop("Warehouse"), gettext_noop("Carrier and tracking")], rows=rows)
