"""SaaS billing in the public schema: plans (prices, limits, features), one subscription per tenant with its own
state machine and history, Stripe events received once, prepaid periods (Alipay / WeChat Pay), invoice (发票)
requests, and the usage metered per tenant."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenant_apps.core.fields import EncryptedTextField
from tenant_apps.core.money import currency_check

# The names of the plans shipped by migration, in the reader's language; a plan the operator adds shows its own.
PLAN_NAMES = {"starter": _("Starter"), "growth": _("Growth"), "enterprise": _("Enterprise")}


class Feature(models.TextChoices):
    CUSTOM_DOMAIN = "custom_domain", _("Custom domain")
    API_ACCESS = "api_access", _("API access and webhooks")
    MULTI_TIER = "multi_tier", _("Multi-tier distribution")
    ADVANCED_REPORTS = "advanced_reports", _("Advanced reports")


class Resource(models.TextChoices):
    """What a plan limits: each is `Plan.max_<value>`; empty means unlimited."""

    DEALERS = "dealers", _("dealers")
    USERS = "users", _("users")
    SKUS = "skus", _("SKUs")
    ORDERS_MONTH = "orders_month", _("orders this month")
    STORAGE_MB = "storage_mb", _("MB of file storage")


class Interval(models.TextChoices):
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Yearly")


class Plan(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default for sign-ups"), default=False)
    is_public = models.BooleanField(_("offered"), default=True,
                                    help_text=_("Shown on the pricing page and offered to brands."))
    trial_days = models.PositiveIntegerField(_("trial days"), default=30)
    max_dealers = models.PositiveIntegerField(_("dealers"), null=True, blank=True, help_text=_("empty: unlimited"))
    max_users = models.PositiveIntegerField(_("users"), null=True, blank=True, help_text=_("empty: unlimited"))
    max_skus = models.PositiveIntegerField(_("SKUs"), null=True, blank=True, help_text=_("empty: unlimited"))
    max_orders_month = models.PositiveIntegerField(_("orders per month"), null=True, blank=True,
                                                   help_text=_("empty: unlimited"))
    max_storage_mb = models.PositiveIntegerField(_("file storage (MB)"), null=True, blank=True,
                                                 help_text=_("empty: unlimited"))
    features = models.JSONField(_("features"), default=list, blank=True)  # Feature values
    # How many daily backups of a workspace are kept (tenants.services_backup: the newest of each day, this many days)
    backup_keep_daily = models.PositiveSmallIntegerField(_("daily backups kept"), default=7, db_default=7)
    sort_order = models.PositiveSmallIntegerField(default=0)
    stripe_product_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True), name="one_default_plan")
        ]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        """The plan's name as shown to people: translated for the shipped plans."""
        return str(PLAN_NAMES.get(self.code, self.name))

    def limit(self, resource: str) -> int | None:
        return getattr(self, f"max_{resource}")

    def has(self, feature: str) -> bool:
        return feature in (self.features or [])

    def price(self, currency: str, interval: str) -> PlanPrice | None:
        """The plan's price in `currency` per `interval` (prefetched `prices` when there are)."""
        for price in self.prices.all():
            if price.currency == currency and price.interval == interval:
                return price
        return None


class PlanPrice(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(_("currency"), max_length=3)
    interval = models.CharField(_("billed"), max_length=8, choices=Interval.choices)
    amount = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    stripe_price_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["plan__sort_order", "currency", "interval"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "currency", "interval"], name="one_price_per_plan_currency"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="plan_price_not_negative"),
            currency_check("plan_price_currency_check"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} {self.amount} {self.currency}/{self.interval}"

    @property
    def monthly_amount(self):
        """What the price comes to per month (a yearly price over twelve): MRR counts this."""
        return self.amount if self.interval == Interval.MONTH else (self.amount / 12).quantize(self.amount)


class SubscriptionState(models.TextChoices):
    TRIALING = "trialing", _("Trial")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Payment overdue")
    READ_ONLY = "read_only", _("Read-only")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


class Renewal(models.TextChoices):
    """How the next period is paid: a card renews by itself; Alipay and WeChat Pay pay periods ahead."""

    NONE = "", _("Not set up")
    CARD = "card", _("Card, renews automatically")
    PREPAID = "prepaid", _("Prepaid periods")


class Subscription(models.Model):
    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.CASCADE, related_name="subscription")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    interval = models.CharField(_("billed"), max_length=8, choices=Interval.choices, default=Interval.MONTH)
    currency = models.CharField(_("currency"), max_length=3)
    state = models.CharField(_("state"), max_length=16, choices=SubscriptionState.choices,
                             default=SubscriptionState.TRIALING)
    renewal = models.CharField(_("renewal"), max_length=8, choices=Renewal.choices, default=Renewal.NONE,
                               blank=True)
    trial_ends_at = models.DateTimeField(_("trial ends"), null=True, blank=True)
    current_period_start = models.DateTimeField(_("period start"), null=True, blank=True)
    # paid through: the end of the period paid for (a card's current period, or the last prepaid one)
    current_period_end = models.DateTimeField(_("paid through"), null=True, blank=True)
    cancel_at_period_end = models.BooleanField(_("cancels at period end"), default=False)
    scheduled_plan = models.ForeignKey(Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                       verbose_name=_("plan from next period"))
    scheduled_interval = models.CharField(max_length=8, choices=Interval.choices, blank=True)
    # when the state last changed: the dunning schedule counts its grace periods from here
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)
    stripe_customer_id = models.CharField(max_length=64, blank=True)
    stripe_subscription_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["state", "state_changed_at"], name="subscription_state_since")]
        constraints = [
            models.UniqueConstraint(fields=["stripe_subscription_id"], condition=~models.Q(stripe_subscription_id=""),
                                    name="one_row_per_stripe_subscription"),
            models.UniqueConstraint(fields=["stripe_customer_id"], condition=~models.Q(stripe_customer_id=""),
                                    name="one_row_per_stripe_customer"),
            currency_check("subscription_currency_check"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.plan_id} {self.state}"

    @property
    def price(self) -> PlanPrice | None:
        return self.plan.price(self.currency, self.interval)


class SubscriptionChange(models.Model):
    """A subscription's history, seen by the operator: every change of state, plan or period, who and why."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(_("action"), max_length=64)  # billing.subscription.<action>
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    actor = models.CharField(_("who"), max_length=254)  # an email, or "system", "stripe", "signup"
    reason = models.TextField(_("reason"), blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_state or '-'} -> {self.to_state or '-'}"


class StripeEvent(models.Model):
    """Each Stripe event once: the webhook stores its id (unique) and a task processes it."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class PrepaidPayment(models.Model):
    """A one-off payment (Alipay, WeChat Pay) for whole periods ahead: it moves the paid-through date."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        SUCCEEDED = "succeeded", _("Paid")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="prepaid_payments")
    method = models.CharField(_("paid with"), max_length=16)  # alipay, wechat_pay
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    interval = models.CharField(max_length=8, choices=Interval.choices)
    periods = models.PositiveSmallIntegerField(_("periods"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    stripe_session_id = models.CharField(max_length=255, blank=True)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True)
    paid_through = models.DateTimeField(_("paid through"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(periods__gte=1, periods__lte=36), name="prepaid_periods_range"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="prepaid_amount_positive"),
            models.UniqueConstraint(fields=["stripe_session_id"], condition=~models.Q(stripe_session_id=""),
                                    name="one_prepaid_per_session"),
            currency_check("prepaid_currency_check"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.amount} {self.currency} x{self.periods}"


class InvoiceRequest(models.Model):
    """A Chinese invoice (发票) asked for a paid subscription invoice, with the buyer's tax details; issued by the
    invoicing adapter (billing_saas.fapiao)."""

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary VAT invoice")
        SPECIAL = "special", _("Special VAT invoice")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ISSUED = "issued", _("Issued")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="invoice_requests")
    payment_ref = models.CharField(_("payment"), max_length=255)  # the Stripe invoice or payment it is for
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ORDINARY)
    title = models.CharField(_("invoice title"), max_length=200)
    tax_id = models.CharField(_("taxpayer ID"), max_length=20)
    address_phone = models.CharField(_("address and phone"), max_length=300, blank=True)
    bank_account = EncryptedTextField(_("bank and account"), blank=True)
    email = models.EmailField(_("send to"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    number = models.CharField(_("invoice number"), max_length=64, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "payment_ref"], condition=~models.Q(status="failed"),
                                    name="one_invoice_request_per_payment"),
            currency_check("invoice_request_currency_check"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.amount} {self.currency}"


class Usage(models.Model):
    """What a tenant uses, measured in its schema by a periodic task (the operator's view across the fleet; the
    brand's own page and the limit checks count live)."""

    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.CASCADE, related_name="usage")
    dealers = models.PositiveIntegerField(default=0)
    users = models.PositiveIntegerField(default=0)
    skus = models.PositiveIntegerField(default=0)
    orders_month = models.PositiveIntegerField(default=0)
    storage_mb = models.PositiveIntegerField(default=0)
    measured_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"usage of {self.tenant_id}"
