"""Stored results of the weekly demand forecast: numbers only (nothing fitted is kept). Each training run replaces
every row in one transaction (forecasting.services.forecasts_train).

A series is the weekly demand of one SKU in one region (the top region node above the dealer; NULL: dealers
under no region) or at one warehouse (the headquarters warehouse that serves the dealer first)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    REGION = "region", _("Region")
    WAREHOUSE = "warehouse", _("Warehouse")


class Method(models.TextChoices):
    MODEL = "model", _("Model")
    NAIVE = "naive", _("Same as last week")
    MOVING_AVERAGE = "moving_average", _("Moving average of 4 weeks")


class Accuracy(models.Model):
    """One series' back-test (rolling origin) and the method chosen from it."""

    scope = models.CharField(max_length=16, choices=Scope.choices)
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("dealers.Node", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                               db_index=False)
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="+", db_index=False)
    method = models.CharField(max_length=16, choices=Method.choices)
    # holt_winters, holt_damped, ses, holt_season / ses_season (with the category's pooled season:
    # engine.seasonal_index), "" (none fitted)
    model_kind = models.CharField(max_length=16, blank=True)
    model_wape = models.FloatField(null=True)
    model_mape = models.FloatField(null=True)
    naive_wape = models.FloatField(null=True)
    naive_mape = models.FloatField(null=True)
    moving_average_wape = models.FloatField(null=True)
    moving_average_mape = models.FloatField(null=True)
    # what the back-test's scores are weighed by when pooled over series: its actuals' total, its weeks with demand
    backtest_demand = models.FloatField(default=0)
    backtest_demand_weeks = models.PositiveIntegerField(default=0)
    history_weeks = models.PositiveIntegerField()
    origins = models.PositiveSmallIntegerField()
    trained_at = models.DateTimeField()

    class Meta:
        ordering = ["scope", "sku_id", "region_id", "warehouse_id"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "sku", "region", "warehouse"], nulls_distinct=False,
                                    name="one_accuracy_per_series"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.sku_id}/{self.region_id or self.warehouse_id}: {self.method}"

    @property
    def chosen_wape(self) -> float | None:
        return getattr(self, f"{self.method}_wape")

    @property
    def chosen_mape(self) -> float | None:
        return getattr(self, f"{self.method}_mape")

    @property
    def reason(self) -> str:
        """Why this series uses its method, in one sentence, from the back-test's figures."""
        baseline = Method.NAIVE if (self.naive_wape or 0) <= (self.moving_average_wape or 0) else Method.MOVING_AVERAGE
        baseline_wape = getattr(self, f"{baseline}_wape")
        if self.origins == 0:
            return str(_("Same as last week kept: too little history to back-test a model."))
        if baseline_wape is None:
            return str(_("Same as last week kept: nothing was ordered in the weeks of the back-test."))
        if self.method == Method.MODEL:
            return str(_("Model beat “%(baseline)s” by %(points).1f pp of WAPE in the back-test.")
                       % {"baseline": Method(baseline).label,
                          "points": 100 * (baseline_wape - self.model_wape)})
        return str(_("%(baseline)s kept: the model did not beat it in the back-test (WAPE %(model).1f%% against "
                     "%(kept).1f%%).") % {"baseline": Method(self.method).label,
                                          "model": 100 * (self.model_wape or 0),
                                          "kept": 100 * (self.chosen_wape or 0)})


class Forecast(models.Model):
    """The chosen method's expected demand (base units) of one series in one week (its Monday)."""

    scope = models.CharField(max_length=16, choices=Scope.choices)
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+", db_index=False)
    region = models.ForeignKey("dealers.Node", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                               db_index=False)
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="+", db_index=False)
    week = models.DateField()
    quantity = models.FloatField()

    class Meta:
        ordering = ["scope", "sku_id", "week"]
        indexes = [models.Index(fields=["scope", "sku", "week"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.sku_id} {self.week}: {self.quantity:.1f}"


class TrainingRun(models.Model):
    """The last training's summary (one row, replaced by each run)."""

    as_of = models.DateField()
    horizon_weeks = models.PositiveSmallIntegerField()
    series = models.PositiveIntegerField()
    seconds = models.FloatField()
    summary = models.JSONField(default=dict)
    trained_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"forecasts as of {self.as_of}"
