"""Ordering: the dealer's server-side cart (shared by the dealer's buyers); orders come with their lifecycle."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenant_apps.core.money import currency_check


class Cart(models.Model):
    """One cart per dealer, shared by its buyers: each line says who added it and who changed it last."""

    dealer = models.OneToOneField("dealers.Dealer", on_delete=models.CASCADE, related_name="cart")
    coupon_codes = models.JSONField(_("coupon codes"), default=list, blank=True)
    # The order that last consumed the cart (submission empties it), until a line is added again: a second submit
    # of the same cart (a double click, two tabs) is told which order it became instead of placing another.
    submitted_order = models.ForeignKey("Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cart of dealer {self.dealer_id}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("catalog.Unit", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "sku", "unit"], name="one_cart_line_per_sku_unit"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="cart_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x sku {self.sku_id} (unit {self.unit_id})"


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    # placed on the dealer's behalf by the brand's staff, waiting for the dealer to confirm it (a brand setting)
    AWAITING_DEALER = "awaiting_dealer", _("Awaiting dealer's confirmation")
    IN_APPROVAL = "in_approval", _("In approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ALLOCATED = "allocated", _("Allocated")
    PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


S = OrderStatus
# Orders still holding stock reservations, which cancelling releases.
# An order awaiting the dealer's confirmation holds its stock (and its charge) until the dealer confirms or declines.
RESERVING = (S.SUBMITTED, S.AWAITING_DEALER, S.IN_APPROVAL, S.APPROVED, S.ALLOCATED)


class Order(models.Model):
    """A dealer's order: lines with a frozen price breakdown, reservations, and a lifecycle whose legal
    transitions are tenant_apps.ordering.lifecycle.ORDER_MOVES. Its state changes only there, under the
    order's row lock (lifecycle.order_lock), with the side effects (stock through the inventory service, the
    timeline), so two people acting at once are serialised and the second sees the first's state."""

    number = models.CharField(_("order number"), max_length=32, unique=True)
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="orders",
                               db_index=False)  # (dealer, -created_at) serves it
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Placed for the dealer by the brand's staff (placed_by: a sales rep, regional manager or admin; 代客下单)
    on_behalf = models.BooleanField(_("placed on the dealer's behalf"), default=False, db_default=False)
    # Who the order is placed with (S2B2B): NULL is headquarters; else the dealer's supplier node, an active
    # supplier when the order was submitted (ordering.submission). It sells, prices, reserves and approves.
    seller = models.ForeignKey("dealers.Node", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               db_index=False, verbose_name=_("seller"))
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices,
                              default=OrderStatus.DRAFT)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    discount_total = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    # The quote at submission, frozen: promotions applied with their allocations and explanations, notes.
    breakdown = models.JSONField(default=dict, blank=True)
    coupon_codes = models.JSONField(default=list, blank=True)
    shipping_address = models.JSONField(_("shipping address"), default=dict, blank=True)
    # Shipped outside the dealer's sales territories, let through because the brand flags rather than refuses
    # (防窜货, decided at submission and at each revision: ordering.channel).
    outside_territory = models.BooleanField(_("outside territory"), default=False, db_default=False)
    note = models.TextField(_("note"), blank=True)
    idempotency_key = models.CharField(max_length=80, blank=True)
    # A hash of what was asked with the key (ordering.submission.request_fingerprint): the same key sent with
    # another request is refused (422), not answered with this order.
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, default="")
    backorder_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="backorders")
    revision = models.PositiveIntegerField(default=1)  # editing an approved order starts a new revision
    # Pass-up (S2B2B, ordering/pass_up.py): this order is a supplier's own order to headquarters for lines of the
    # sub-dealer's order `passed_up_from` (placed with that supplier); its lines name theirs (OrderLine.passed_from).
    # "purchase": headquarters ships to the supplier, which receives the goods into its stock; "drop_ship":
    # headquarters ships straight to the sub-dealer, and the shipment counts for both orders (Shipment.drop_ship_for).
    passed_up_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="passed_up_orders", db_index=False)
    pass_up_mode = models.CharField(_("pass-up mode"), max_length=10, blank=True, default="", db_default="",
                                    choices=[("purchase", _("Purchase order")), ("drop_ship", _("Drop-ship"))])
    # The brand's ERP's own number for the order, written once when the ERP acknowledges it (integrations)
    erp_order_number = models.CharField(_("ERP order number"), max_length=64, blank=True, default="")
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # completed, rejected or cancelled
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [currency_check("order_currency_code"),
                       models.UniqueConstraint(fields=["dealer", "idempotency_key"],
                                               condition=~models.Q(idempotency_key=""), name="one_order_per_key")]
        # (created_at): the orders of this month, counted on each submission when the plan limits them
        indexes = [models.Index(fields=["status", "submitted_at"]), models.Index(fields=["dealer", "-created_at"]),
                   models.Index(fields=["created_at"]),
                   # the brand's list of flagged orders (few among many)
                   models.Index(fields=["seller", "-created_at"], condition=models.Q(seller__isnull=False),
                                name="order_seller"),
                   models.Index(fields=["-created_at"], condition=models.Q(outside_territory=True),
                                name="order_outside_territory"),
                   models.Index(fields=["passed_up_from"], condition=models.Q(passed_up_from__isnull=False),
                                name="order_passed_up_from")]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    """A line as priced at submission. Quantities in the ordered unit; stock moves in base units."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines",
                              db_index=False)  # (order, line_no) serves it
    line_no = models.PositiveIntegerField()
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("catalog.Unit", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    factor = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=14, decimal_places=4)
    gross = models.DecimalField(max_digits=16, decimal_places=2)
    discount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    net = models.DecimalField(max_digits=16, decimal_places=2)
    price_source = models.CharField(max_length=16, blank=True)
    price_rule = models.CharField(max_length=200, blank=True)
    price_list_id = models.IntegerField(null=True, blank=True)
    gift_promotion_id = models.IntegerField(null=True, blank=True)  # a free gift line (买赠)
    reserved_base = models.PositiveIntegerField(default=0)
    shipped_base = models.PositiveIntegerField(default=0)
    returned_base = models.PositiveIntegerField(default=0)
    # A sub-dealer's line: base units passed up to headquarters (ordering/pass_up.py) and not yet come back, by
    # headquarters' drop-ship (then shipped_base) or received into the supplier's stock (then reserved).
    passed_base = models.PositiveIntegerField(default=0, db_default=0)
    # A pass-up order's line: the sub-dealer's line it serves.
    passed_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                    db_index=False)

    class Meta:
        ordering = ["order_id", "line_no"]
        constraints = [models.UniqueConstraint(fields=["order", "line_no"], name="one_line_no_per_order")]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.line_no}"

    @property
    def base_quantity(self) -> int:
        return self.quantity * self.factor


class OrderReservation(models.Model):
    """Where an order line's stock is reserved: released on cancel, shipped from on shipment."""

    # Nothing here is checked row by row at commit (an order writes ~20 reservations): the line is written in the
    # same statement or transaction as its reservations; the warehouse and SKU are those of the stock row the
    # reservation was just taken from (locked, its own references checked; stock rows are never deleted); the
    # order is the line's, copied beside it for reads by order and warehouse. One writer keeps them in step
    # (submission, fulfilment's re-reservation), and the ORM still cascades and protects on delete.
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="reservations", db_constraint=False,
                              db_index=False)  # (order, warehouse) serves it
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="reservations", db_constraint=False)
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="+",
                                  db_constraint=False)
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+", db_constraint=False,
                            db_index=False)
    quantity = models.PositiveIntegerField()  # base units still reserved

    class Meta:
        indexes = [models.Index(fields=["order", "warehouse"])]

    def __str__(self) -> str:
        return f"{self.quantity} of sku {self.sku_id} at warehouse {self.warehouse_id}"


class OrderEvent(models.Model):
    """The order's timeline: every transition, approval step, shipment and note, with who and when."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events",
                              db_index=False)  # (order, at) serves it
    at = models.DateTimeField(auto_now_add=True)
    # Who, as the audit log keeps it (an id beside the label, no constraint): see inventory.StockMovement.actor.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, related_name="+",
                              db_constraint=False, db_index=False)
    actor_label = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=32)  # "transition", "approval", "shipment", "tracking", "note"
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"])]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.from_status}->{self.to_status}"


class InternalApproval(models.Model):
    """A dealer's own approval of an order one of its buyers placed above their internal limit
    (accounts.User.approval_limit): written with the order at submission, which then waits (submitted) before the
    brand's approval chain; the dealer's owner (or a person with the approve right) approves it into the chain or
    declines it (the order is rejected). ordering/internal_approval.py."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for your company's approval")
        APPROVED = "approved", _("Approved by your company")
        DECLINED = "declined", _("Declined by your company")

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="internal_approval")
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+", db_index=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    limit = models.DecimalField(max_digits=16, decimal_places=2)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["dealer", "status"])]

    def __str__(self) -> str:
        return f"internal approval of order {self.order_id}: {self.status}"


class ShortagePolicy(models.TextChoices):
    REFUSE = "refuse", _("Refuse the order")
    BACKORDER = "backorder", _("Split the shortfall into a backorder")
    REDUCE = "reduce", _("Reduce to what is in stock, with the dealer's consent")


class OrderingSettings(models.Model):
    """The brand's ordering rules (one row per tenant)."""

    shortage_policy = models.CharField(_("when stock is short"), max_length=16, choices=ShortagePolicy.choices,
                                       default=ShortagePolicy.REFUSE)
    auto_complete_days = models.PositiveIntegerField(_("complete delivered orders after (days)"), default=7)
    # An order placed on a dealer's behalf waits (holding its stock) for the dealer to confirm it before approval.
    confirm_on_behalf = models.BooleanField(_("dealer must confirm orders placed on its behalf"), default=False,
                                            db_default=False)
    # ... and is cancelled (as a decline: stock and charge given back) when the dealer has not answered after this
    # many days; 0 = it waits until someone answers (ordering.on_behalf.orders_on_behalf_expire).
    confirm_on_behalf_days = models.PositiveIntegerField(_("cancel unconfirmed on-behalf orders after (days)"),
                                                         default=7, db_default=7)

    class Meta:
        verbose_name_plural = _("ordering settings")

    def __str__(self) -> str:
        return f"ordering settings ({self.shortage_policy})"


class OrderTemplate(models.Model):
    """A saved cart (订货模板): a named list of lines a dealer loads into its cart again and again."""

    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.CASCADE, related_name="order_templates")
    name = models.CharField(_("name"), max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["dealer", "name"], name="one_template_name_per_dealer")]

    def __str__(self) -> str:
        return self.name


class OrderTemplateLine(models.Model):
    template = models.ForeignKey(OrderTemplate, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("catalog.Unit", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["template_id", "position"]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gte=1), name="template_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} x sku {self.sku_id} (unit {self.unit_id})"


class SavedOrderView(models.Model):
    """A named set of the console order list's filters (a tab above the list): its owner's, or shared with
    everyone of the brand's staff. `params` are the list's query parameters, validated when saved; each reader's
    data scope still applies when it is opened."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    params = models.JSONField(default=dict, blank=True)
    shared = models.BooleanField(_("shared with the team"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="one_saved_order_view_name_per_owner")]

    def __str__(self) -> str:
        return self.name
