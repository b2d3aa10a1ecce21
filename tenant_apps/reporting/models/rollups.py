"""The sales rollups: prepared aggregates of the order lines (and of returned goods), which every report reads
instead of the order tables. docs/dev/reporting.md explains the design; in short:

- A sale is an order line of an order that is not a draft, rejected or cancelled, dated by the day the order was
  first submitted (`Order.created_at`, in the brand's time zone: revisions keep it). A return is a received
  return line, dated by the day it was received, valued at its order line's net price.
- Three grains: day x dealer x SKU (`SalesDay`), month x dealer x SKU (`SalesMonth`, the sum of its days), and
  day x dealer (`DealerDay`, with the order count, which does not add up across SKUs).
- Two coarser month grains, the sums of `SalesMonth`, for speed (docs/dev/reporting.md, "Performance"):
  month x dealer x product (`ProductMonth`: a tenth to a half of the rows of month x dealer x SKU, and enough for
  every report by category, series or product) and month x SKU over all dealers (`SkuMonth`: what a report of the
  whole network with no dealer dimension reads, a few thousand rows a year). Both are keyed by product or SKU, never
  by category or series: a product moved to another category or series reports there at once, as with dealers.
- Money is in minor units of the currency (bigint: sums over a million rows stay fast and exact); currency is a key.
- No foreign keys: the rows are derived, rebuilt by reporting.services (a dealer or SKU is never deleted while it
  has orders: those keys are PROTECTed at the source).
"""

from __future__ import annotations

from django.db import models


class _Measures(models.Model):
    lines = models.IntegerField(default=0)
    quantity = models.BigIntegerField(default=0)  # base units ordered
    gross = models.BigIntegerField(default=0)  # minor units (cents)
    discount = models.BigIntegerField(default=0)
    net = models.BigIntegerField(default=0)
    returned_quantity = models.BigIntegerField(default=0)  # base units received back
    returned_net = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class SalesDay(_Measures):
    pk = models.CompositePrimaryKey("day", "dealer_id", "sku_id", "currency")
    day = models.DateField()
    dealer_id = models.IntegerField()
    sku_id = models.IntegerField()
    currency = models.CharField(max_length=3)

    class Meta:
        indexes = [models.Index(fields=["dealer_id", "day"], name="reporting_salesday_dealer")]

    def __str__(self) -> str:
        return f"{self.day} dealer {self.dealer_id} sku {self.sku_id}"


class SalesMonth(_Measures):
    pk = models.CompositePrimaryKey("month", "dealer_id", "sku_id", "currency")
    month = models.DateField()  # the first of the month
    dealer_id = models.IntegerField()
    sku_id = models.IntegerField()
    currency = models.CharField(max_length=3)

    class Meta:
        indexes = [models.Index(fields=["dealer_id", "month"], name="reporting_salesmonth_dealer")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} dealer {self.dealer_id} sku {self.sku_id}"


class DealerDay(_Measures):
    pk = models.CompositePrimaryKey("day", "dealer_id", "currency")
    day = models.DateField()
    dealer_id = models.IntegerField()
    currency = models.CharField(max_length=3)
    orders = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["dealer_id", "day"], name="reporting_dealerday_dealer")]

    def __str__(self) -> str:
        return f"{self.day} dealer {self.dealer_id}"


class ProductMonth(_Measures):
    """Month x dealer x product: `SalesMonth` summed over each product's SKUs (a SKU never changes product)."""

    pk = models.CompositePrimaryKey("month", "dealer_id", "product_id", "currency")
    month = models.DateField()  # the first of the month
    dealer_id = models.IntegerField()
    product_id = models.IntegerField()
    currency = models.CharField(max_length=3)

    class Meta:
        indexes = [models.Index(fields=["dealer_id", "month"], name="reporting_productmonth_dealer")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} dealer {self.dealer_id} product {self.product_id}"


class SkuMonth(_Measures):
    """Month x SKU, every dealer together: `SalesMonth` summed over dealers."""

    pk = models.CompositePrimaryKey("month", "sku_id", "currency")
    month = models.DateField()  # the first of the month
    sku_id = models.IntegerField()
    currency = models.CharField(max_length=3)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} sku {self.sku_id}"


class RollupState(models.Model):
    """One row: how far the rollups are brought up to date (reporting.services.rollups_refresh)."""

    watermark = models.DateTimeField(null=True)  # changes made before this moment (less the margin) are in
    refreshed_at = models.DateTimeField(null=True)
    rebuilt_at = models.DateTimeField(null=True)
    last_days = models.IntegerField(default=0)  # days recomputed by the last refresh
    last_ms = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"rollups up to {self.watermark}"
