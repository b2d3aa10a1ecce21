from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tenant_apps.audit.labels import action_label, subject_label
from tenant_apps.audit.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    subject_label = serializers.SerializerMethodField()
    action_label = serializers.SerializerMethodField()
    dealer_name = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = AuditEntry
        fields = ["id", "created_at", "action", "action_label", "subject_label", "actor_id", "actor_label",
                  "target_type", "target_id", "dealer_id", "dealer_name", "before", "after", "reason"]

    def get_subject_label(self, entry: AuditEntry) -> str:
        return subject_label(entry.action)

    def get_action_label(self, entry: AuditEntry) -> str:
        return action_label(entry.action)


# --- suppliers (S2B2B) ---------------------------------------------------------------------------------------


class SupplierSerializer(serializers.Serializer):
    node = serializers.IntegerField(source="node_id", read_only=True)
    dealer = serializers.IntegerField(source="node.dealer.pk", read_only=True)
    code = serializers.CharField(source="node.code", read_only=True)
    name = serializers.CharField(source="node.name", read_only=True)
    active = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class SupplierDesignateSerializer(serializers.Serializer):
    dealer = serializers.IntegerField(min_value=1, max_value=2 ** 62, help_text=_("The dealer to make a supplier."))


class SupplierOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    dealer = serializers.IntegerField(source="dealer_id", read_only=True)
    dealer_name = serializers.CharField(source="dealer.display_name", read_only=True)
    status = serializers.CharField(read_only=True)
    currency = serializers.CharField(read_only=True)
    total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class SupplierDealerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)
    status = serializers.CharField(read_only=True)
    tier = serializers.CharField(source="tier.code", read_only=True, allow_null=True, default=None)


class SupplierPriceListSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    dealer = serializers.IntegerField(source="dealer_id", read_only=True, allow_null=True)
    tier = serializers.IntegerField(source="tier_id", read_only=True, allow_null=True)
    status = serializers.CharField(read_only=True)
    currency = serializers.CharField(read_only=True)
    entry_count = serializers.IntegerField(read_only=True)


class SupplierPriceSerializer(serializers.Serializer):
    sku = serializers.IntegerField(min_value=1, max_value=2 ** 62)
    price = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0)
    min_quantity = serializers.IntegerField(min_value=1, max_value=10 ** 9, default=1)


class SupplierWarehouseCreateSerializer(serializers.Serializer):
    code = serializers.RegexField(r"^[A-Za-z0-9._-]+$", max_length=32)
    name = serializers.CharField(max_length=100)


class SupplierReceiptSerializer(serializers.Serializer):
    sku = serializers.IntegerField(min_value=1, max_value=2 ** 62)
    quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class SupplierSafetyStockSerializer(serializers.Serializer):
    """A supplier's safety stock of a SKU, in base units (0 removes it)."""

    sku = serializers.IntegerField(min_value=1, max_value=2 ** 62)
    quantity = serializers.IntegerField(min_value=0, max_value=2_147_483_647)
    code = serializers.CharField(read_only=True)


class DemandDealerSerializer(serializers.Serializer):
    dealer = serializers.IntegerField(source="dealer_id")
    code = serializers.CharField()
    name = serializers.CharField()
    orders = serializers.IntegerField()
    to_ship = serializers.IntegerField()


class DemandRowSerializer(serializers.Serializer):
    """One SKU of the roll-up, in base units: open demand (of it reserved) on the open orders placed with the
    supplier, its stock, on order from headquarters, safety stock, what is needed and the suggestion (rounded to the
    SKU's minimum and step), the unit it goes into the cart in, headquarters' price of one base unit and of one unit of
    the suggested line (null: none)."""

    sku = serializers.IntegerField(source="sku.pk")
    code = serializers.CharField(source="sku.code")
    name = serializers.CharField(source="sku.name")
    base_unit = serializers.CharField(source="sku.base_unit.name")
    open_demand = serializers.IntegerField()
    reserved = serializers.IntegerField()
    orders = serializers.IntegerField()
    on_hand = serializers.IntegerField()
    available = serializers.IntegerField()
    on_order = serializers.IntegerField()
    safety_stock = serializers.IntegerField(source="safety")
    needed = serializers.IntegerField()
    suggested = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id")
    unit_quantity = serializers.IntegerField()
    hq_price = serializers.DecimalField(source="price.unit_price", max_digits=14, decimal_places=4, allow_null=True,
                                       default=None)
    hq_line_price = serializers.DecimalField(source="line_price.unit_price", max_digits=14, decimal_places=4,
                                            allow_null=True, default=None)  # of one `unit` of the suggested line
    reasons = serializers.ListField(child=serializers.CharField())
    dealers = DemandDealerSerializer(many=True)


class DemandSerializer(serializers.Serializer):
    orders = serializers.IntegerField()
    dealers = serializers.IntegerField()
    rows = DemandRowSerializer(many=True)


class DemandToCartSerializer(serializers.Serializer):
    lines = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    skipped = serializers.ListField(child=serializers.CharField())


class SupplierWarehouseSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)


class SupplierPassUpSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=["purchase", "drop_ship"], help_text=_(
        "purchase: headquarters ships to you, you receive the goods into your stock; drop_ship: headquarters ships "
        "straight to the sub-dealer."))
    lines = serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=10 ** 9), required=False,
                                  help_text=_("Base units per line id of the order; default: what your stock does "
                                              "not cover."))


class SupplierPassUpReceiveSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1, max_value=2 ** 62, help_text=_("The purchase passed up."))
    warehouse = serializers.IntegerField(min_value=1, max_value=2 ** 62, help_text=_("One of your warehouses."))
