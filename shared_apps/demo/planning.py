"""Demo: what issue 26 learns from the year of history (shared_apps.demo.history), so that `make run` shows it.

- Forecasts: trained once on the history (forecasting.services.forecasts_train), as the weekly task would; the
  console's /console/forecasts/ shows their back-tested accuracy beside the baselines, the expected demand per SKU
  and warehouse and the production / transfer plan.
- Recommendations: the pair scores and popularity computed once (recommendations.services.recommendations_compute),
  as the daily task would; the storefront's home, product and cart pages show the blocks.
- Replenishment: the demo dealer (dealer@<slug>.test) sends its sell-out of one SKU (four weeks of daily sales with
  the stock it has left) and the brand sets a safety stock on another; its /replenishment/ page then has lines of
  each kind (rhythm, sell-out, safety stock) beside the rhythm lines the history gives.

Idempotent: a workspace with a training run is left as it is.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tenant_apps.accounts.models import User
from tenant_apps.forecasting.models import TrainingRun
from tenant_apps.forecasting.services import forecasts_train
from tenant_apps.recommendations.services import recommendations_compute
from tenant_apps.replenishment import services as replenishment
from tenant_apps.replenishment.selectors import suggestions_for

SELL_OUT_DAYS = 28


def seed_planning(*, brand_slug: str) -> list[str]:
    if TrainingRun.objects.exists():
        return []
    forecasts_train()  # ~10 s a demo brand (1,200 series)
    recommendations_compute()
    owner = User.objects.filter(email=f"dealer@{brand_slug}.test", role="dealer_owner").select_related("dealer").first()
    if owner is None or owner.dealer is None:
        return []
    dealer = owner.dealer
    lines = suggestions_for(dealer=dealer).lines
    if len(lines) >= 2:
        selling, safety = lines[0].sku, lines[1].sku
        today = timezone.localdate()
        daily = max(1, lines[0].quantity // 20)
        records = [{"date": (today - timedelta(days=days)).isoformat(), "sku": selling.code,
                    "quantity": daily + days % 3, "on_hand": daily * 3 if days == 1 else None}
                   for days in range(SELL_OUT_DAYS, 0, -1)]
        replenishment.sell_out_records_add(actor=owner, dealer=dealer, records=[
            {key: value for key, value in record.items() if value is not None} for record in records])
        replenishment.safety_stock_set(actor=None, dealer=dealer, sku_id=safety.pk,
                                       quantity=max(lines[1].quantity, 1) // 2 or 1)
    return [f"  replenishment suggestions: dealer@{brand_slug}.test -> /replenishment/; demand forecasts: "
            f"/console/forecasts/ (and the plan: /console/forecasts/plan/)"]
