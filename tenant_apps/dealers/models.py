"""The brand's dealer network: an organisation tree (ltree paths), dealers, territories, tiers,
addresses, contacts and qualifications (资质)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.db import models
from django.db.models import Func, Q, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from tenant_apps.core.fields import EncryptedTextField, LtreeField


def tree_order():
    """Order nodes as a tree: by their path's ids as numbers ("1.9" before "1.10"; ltree compares
    labels as text)."""
    return Cast(
        Func(Cast("path", models.TextField()), Value("."), function="string_to_array"),
        ArrayField(models.BigIntegerField()),
    )


class Node(models.Model):
    """A place in the network: headquarters (the root), a region, or a dealer (who may have
    sub-dealers). `path` is the ltree of node ids from the root, e.g. "1.4.17"."""

    class Kind(models.TextChoices):
        HEADQUARTERS = "headquarters", _("Headquarters")
        REGION = "region", _("Region")
        DEALER = "dealer", _("Dealer")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=64, unique=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    path = LtreeField(_("path"), unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [tree_order()]
        indexes = [models.Index(fields=["kind", "name"]), GistIndex(fields=["path"], name="dealers_node_path_gist")]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="headquarters"), name="one_headquarters"),
            models.CheckConstraint(
                condition=Q(kind="headquarters", parent__isnull=True)
                | (~Q(kind="headquarters") & Q(parent__isnull=False)),
                name="only_headquarters_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count(".")


class Tier(models.Model):
    """Brand-defined dealer levels (A/B/C, 金牌/银牌...); prices and promotions target them."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("rank"), default=0, help_text=_("1 is the highest."))

    class Meta:
        ordering = ["rank", "code"]

    def __str__(self) -> str:
        return self.name


class Territory(models.Model):
    """Sales territories as a tree of areas (country > province > city), by administrative code."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    path = LtreeField(_("path"), unique=True)

    class Meta:
        ordering = ["path"]
        verbose_name_plural = _("territories")
        indexes = [GistIndex(fields=["path"], name="dealers_territory_path_gist")]

    def __str__(self) -> str:
        return self.name


class DealerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


class Dealer(models.Model):
    node = models.OneToOneField(Node, on_delete=models.PROTECT, related_name="dealer")
    code = models.CharField(_("dealer code"), max_length=64, unique=True)
    legal_name = models.CharField(_("legal name"), max_length=200)
    name = models.CharField(_("short name"), max_length=100)
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="dealers")
    territories = models.ManyToManyField(Territory, blank=True, related_name="dealers", verbose_name=_("territories"))
    status = models.CharField(_("status"), max_length=16, choices=DealerStatus.choices, default=DealerStatus.PROSPECT)
    tax_number = models.CharField(_("tax number"), max_length=32, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = EncryptedTextField(_("bank account"), blank=True)
    bank_account_last4 = models.CharField(max_length=4, blank=True)
    # The node this dealer buys from: headquarters by default, or an agent above it (S2B2B).
    supplier = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="supplied_dealers",
                                 verbose_name=_("supplier"))
    sales_rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("sales representative"))
    regional_manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="+", verbose_name=_("regional manager"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["status", "tier"]), models.Index(fields=["legal_name"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def display_name(self) -> str:
        """The one name every page shows for this dealer: its short name (the name of its node too), its legal
        name when it has none. The legal name appears only where it is labelled as such (contracts, invoices)."""
        return self.name or self.legal_name

    @property
    def bank_account_masked(self) -> str:
        return f"**** {self.bank_account_last4}" if self.bank_account_last4 else ""


class DealerAddress(models.Model):
    class Kind(models.TextChoices):
        SHIPPING = "shipping", _("Shipping")
        BILLING = "billing", _("Billing")

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SHIPPING)
    label = models.CharField(_("label"), max_length=100, blank=True)
    recipient = models.CharField(_("recipient"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32)
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    line = models.CharField(_("address"), max_length=300)
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    # Outside the dealer's territories, kept because the brand flags rather than refuses (防窜货).
    outside_territory = models.BooleanField(_("outside territory"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dealer"], condition=Q(kind="billing"), name="one_billing_address"),
            models.UniqueConstraint(fields=["dealer"], condition=Q(kind="shipping", is_default=True),
                                    name="one_default_shipping_address"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}, {self.line}"


class DealerContact(models.Model):
    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return self.name


class QualificationType(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    required = models.BooleanField(_("required to order"), default=False)
    reminder_days = models.PositiveSmallIntegerField(_("remind days before expiry"), default=30)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Qualification(models.Model):
    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="qualifications")
    type = models.ForeignKey(QualificationType, on_delete=models.PROTECT, related_name="qualifications")
    number = EncryptedTextField(_("licence number"), blank=True)
    number_last4 = models.CharField(max_length=4, blank=True)
    file = models.FileField(_("file"), upload_to="qualifications/", blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["type__code", "-valid_to"]

    def __str__(self) -> str:
        return f"{self.type} ({self.dealer_id})"


class QualificationReminder(models.Model):
    """A reminder sent for a qualification nearing expiry; one per qualification and expiry date."""

    qualification = models.ForeignKey(Qualification, on_delete=models.CASCADE, related_name="reminders")
    valid_to = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["qualification", "valid_to"], name="one_reminder_per_expiry")]

    def __str__(self) -> str:
        return f"reminder {self.qualification_id} {self.valid_to}"


class Supplier(models.Model):
    """A dealer node HQ made a supplier (S2B2B, a plan feature): the dealers whose `supplier` is this node buy
    from it, at its price lists, from its warehouses, through its approval workflows. Inactive: its sub-dealers'
    orders go to headquarters again (rows it owns are kept)."""

    node = models.OneToOneField(Node, on_delete=models.PROTECT, related_name="as_supplier",
                                limit_choices_to={"kind": Node.Kind.DEALER})
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["node_id"]

    def __str__(self) -> str:
        return f"supplier {self.node_id}"


class NetworkSettings(models.Model):
    """The brand's channel rules (one row)."""

    class ConflictPolicy(models.TextChoices):
        REFUSE = "refuse", _("Refuse addresses outside the dealer's territories")
        FLAG = "flag", _("Accept them, flagged for review")

    channel_conflict_policy = models.CharField(_("shipping outside territory"), max_length=16,
                                               choices=ConflictPolicy.choices, default=ConflictPolicy.FLAG)
    # The console's order list for brand staff: every order of the chain, or only headquarters' own sales.
    hq_orders_only_own = models.BooleanField(_("order list shows only headquarters' own sales"), default=False,
                                             db_default=False)
    # Whether a dealer's owner invites and manages their own company's people (rights, deactivation).
    dealers_manage_people = models.BooleanField(_("dealers manage their own people"), default=True,
                                                db_default=True)

    def __str__(self) -> str:
        return "network settings"
