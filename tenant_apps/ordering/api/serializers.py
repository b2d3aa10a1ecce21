"""The API's serializers: the shapes of what comes in and what goes out (views.py stays thin)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from tenant_apps.ordering.models import OrderStatus


class AppliedPromotionOutput(serializers.Serializer):
    id = serializers.IntegerField(source="promotion_id")
    name = serializers.CharField()
    kind = serializers.CharField()
    discount = serializers.DecimalField(max_digits=16, decimal_places=2)
    coupon_code = serializers.CharField()
    explanation = serializers.CharField()


class GiftOutput(serializers.Serializer):
    promotion = serializers.IntegerField(source="promotion_id")
    sku = serializers.IntegerField(source="sku_id")
    unit = serializers.IntegerField(source="unit_id")
    quantity = serializers.IntegerField()


class QuoteOutput(serializers.Serializer):
    currency = serializers.CharField()
    at = serializers.DateTimeField()
    subtotal = serializers.DecimalField(max_digits=16, decimal_places=2)
    discount_total = serializers.DecimalField(max_digits=16, decimal_places=2)
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    promotions = AppliedPromotionOutput(many=True)
    gifts = GiftOutput(many=True)
    notes = serializers.ListField(child=serializers.CharField())
    unpriced_lines = serializers.SerializerMethodField(help_text=gettext_lazy("Line numbers (1-based) without a price"))

    def get_unpriced_lines(self, quote) -> list[int]:
        return [index + 1 for index in quote.unpriced]


class CartLineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.IntegerField(source="sku_id")
    sku_code = serializers.CharField(source="sku.code")
    sku_name = serializers.CharField(source="sku.name")
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    gross = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    net = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    price_rule = serializers.CharField()
    added_by = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField()


class CartOutput(serializers.Serializer):
    lines = CartLineOutput(many=True)
    coupon_codes = serializers.ListField(child=serializers.CharField())
    quote = QuoteOutput()


class CartLineAddInput(serializers.Serializer):
    sku = serializers.IntegerField(min_value=1)
    unit = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    quantity = serializers.IntegerField(help_text=gettext_lazy("In the unit; added to what the cart holds"))


class CartLineSetInput(serializers.Serializer):
    quantity = serializers.IntegerField(help_text=gettext_lazy("In the line's unit; 0 removes the line"))


class CouponsInput(serializers.Serializer):
    coupon_codes = serializers.ListField(child=serializers.CharField(max_length=40, allow_blank=True),
                                         max_length=20)


class QuickLineInput(serializers.Serializer):
    sku = serializers.CharField(max_length=64, help_text=gettext_lazy("SKU code or barcode"))
    quantity = serializers.IntegerField()
    unit = serializers.CharField(max_length=32, required=False, allow_blank=True, default="",
                                 help_text=gettext_lazy("Unit code or name; empty: the base unit"))


class QuickInput(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=200_000,
                                 help_text=gettext_lazy('One product per line: "RB-250 x 48", "RB-250,2,CASE"'))
    lines = QuickLineInput(many=True, required=False)


class UploadInput(serializers.Serializer):
    file = serializers.FileField(help_text=gettext_lazy("CSV or XLSX with the columns sku, quantity, unit"))


class AddedOutput(serializers.Serializer):
    lines = serializers.IntegerField(help_text=gettext_lazy("Cart lines made or increased"))
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    skipped = serializers.ListField(child=serializers.CharField(),
                                    help_text=gettext_lazy("What could not be added, in words"))


class TemplateLineOutput(serializers.Serializer):
    sku = serializers.IntegerField(source="sku_id")
    sku_code = serializers.CharField(source="sku.code")
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    quantity = serializers.IntegerField()


class TemplateOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    line_count = serializers.IntegerField()
    created_by = serializers.CharField(source="created_by.get_full_name", allow_null=True, default=None)
    updated_at = serializers.DateTimeField()


class TemplateDetailOutput(TemplateOutput):
    lines = TemplateLineOutput(many=True, source="lines.all")


class TemplateInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text=gettext_lazy("The cart's lines are saved under this name"))
    replace = serializers.BooleanField(required=False, default=False)


class DealerBrief(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class OrderOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    dealer = DealerBrief()
    placed_by = serializers.CharField(source="placed_by.get_full_name", allow_null=True, default=None)
    on_behalf = serializers.BooleanField(help_text=gettext_lazy(
        "Placed for the dealer by the brand's staff (placed_by names them)"))
    currency = serializers.CharField()
    subtotal = serializers.DecimalField(max_digits=16, decimal_places=2)
    discount_total = serializers.DecimalField(max_digits=16, decimal_places=2)
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    line_count = serializers.IntegerField()
    backorder_of = serializers.IntegerField(source="backorder_of_id", allow_null=True)
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    outside_territory = serializers.BooleanField(help_text=gettext_lazy(
        "Shipped outside the dealer's sales territories, let through (flagged) by the brand's channel policy"))


class OrderLineOutput(serializers.Serializer):
    line_no = serializers.IntegerField()
    sku = serializers.IntegerField(source="sku_id")
    sku_code = serializers.CharField(source="sku.code")
    sku_name = serializers.CharField(source="sku.name")
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    quantity = serializers.IntegerField()
    factor = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=4)
    gross = serializers.DecimalField(max_digits=16, decimal_places=2)
    discount = serializers.DecimalField(max_digits=16, decimal_places=2)
    net = serializers.DecimalField(max_digits=16, decimal_places=2)
    price_rule = serializers.CharField()
    gift = serializers.BooleanField(source="is_gift")
    reserved_base = serializers.IntegerField()
    shipped_base = serializers.IntegerField()


class EventOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    who = serializers.CharField(source="actor_label")
    kind = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    message = serializers.CharField()


class OrderDetailOutput(OrderOutput):
    shipping_address = serializers.JSONField()
    note = serializers.CharField()
    coupon_codes = serializers.ListField(child=serializers.CharField())
    breakdown = serializers.JSONField(help_text=gettext_lazy("The quote frozen at submission: promotions, notes"))
    revision = serializers.IntegerField()
    lines = OrderLineOutput(many=True, source="line_list")
    backorders = serializers.ListField(child=serializers.CharField(), source="backorder_numbers",
                                       help_text=gettext_lazy("Numbers of the orders holding this one's shortfall"))
    legal_actions = serializers.ListField(child=serializers.CharField())
    events = EventOutput(many=True, source="event_list", required=False)


class SubmitLineInput(serializers.Serializer):
    sku = serializers.IntegerField()
    unit = serializers.IntegerField(required=False, allow_null=True)
    quantity = serializers.IntegerField()


class SubmitInput(serializers.Serializer):
    lines = SubmitLineInput(many=True, required=False,
                            help_text=gettext_lazy("Default: the dealer's cart (then emptied)"))
    address = serializers.IntegerField(required=False, allow_null=True,
                                       help_text=gettext_lazy("Default: the default address"))
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    coupon_codes = serializers.ListField(child=serializers.CharField(), required=False,
                                         help_text=gettext_lazy("Default: the cart's coupons"))
    consent_reduce = serializers.BooleanField(required=False, default=False,
                                              help_text=gettext_lazy("Under the reduce policy: order what is in stock"))


class SubmitExtraInput(serializers.Serializer):
    """The submit body without its lines (those are checked one by one, errors named lines.N.field)."""

    address = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    coupon_codes = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=5,
                                         allow_null=True, default=None)
    consent_reduce = serializers.BooleanField(required=False, default=False)
    expected_total = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True, default=None,
        help_text=gettext_lazy(
            "The total the buyer was shown; a different re-quote answers 409 price_changed, nothing written."))


class OrderReasonInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ProblemOutput(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
    shortages = serializers.ListField(child=serializers.DictField(), required=False)
