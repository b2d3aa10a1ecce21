"""Users. The table exists in every schema: in `public` it holds the SaaS operator's staff, in a
tenant's schema that brand's staff and its dealers' staff. A login is therefore worthless on
another host: the row does not exist in that schema."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenant_apps.accounts.permissions import DEALER_ROLES, Role
from tenant_apps.core.fields import EncryptedTextField


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        # Used by Django's own tooling (createsuperuser); product code calls accounts.services.
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email"), max_length=254, unique=True)  # stored lower-cased
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False, help_text=_("May use the admin site."))
    # What the user may do and see: tenant_apps/accounts/permissions.py. Empty in the public schema.
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True, db_index=True)
    # Dealer staff belong to a dealer; regional managers manage a subtree of the network. Plain
    # columns in the public schema (no dealers there), so no database constraint; the ORM protects.
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, null=True, blank=True,
                               db_constraint=False, related_name="users", verbose_name=_("dealer"))
    scope_node = models.ForeignKey("dealers.Node", on_delete=models.PROTECT, null=True, blank=True,
                                   db_constraint=False, related_name="+", verbose_name=_("network scope"))
    totp_secret = EncryptedTextField(_("authenticator secret"), blank=True)
    totp_enabled = models.BooleanField(_("two-step sign-in"), default=False)
    preferred_language = models.CharField(_("language"), max_length=10, blank=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # A dealer's person: the rights their dealer owner set (permissions.DEALER_RIGHTS; None: the role's default)
    # and the amount above which their orders wait for the company's own approval (None: no limit).
    may_order = models.BooleanField(_("may submit orders"), null=True, blank=True)
    may_see_prices = models.BooleanField(_("may see prices"), null=True, blank=True)
    may_pay = models.BooleanField(_("may pay"), null=True, blank=True)
    may_approve = models.BooleanField(_("may approve orders internally"), null=True, blank=True)
    approval_limit = models.DecimalField(_("internal approval above"), max_digits=16, decimal_places=2, null=True,
                                         blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def is_support(self) -> bool:
        return self.role == Role.SUPPORT

    @property
    def is_dealer_staff(self) -> bool:
        return self.role in DEALER_ROLES

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name or self.email


class Invitation(models.Model):
    """An email invitation to join the workspace with a role (and a dealer for dealer staff, a
    network scope for regional managers). Only the SHA-256 of the link's token is stored."""

    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=32)
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.CASCADE, null=True, blank=True,
                               db_constraint=False, related_name="invitations")
    scope_node = models.ForeignKey("dealers.Node", on_delete=models.CASCADE, null=True, blank=True,
                                   db_constraint=False, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"

    @property
    def role_label(self) -> str:
        """The role's name in the reader's language (the field stores the code, e.g. dealer_buyer)."""
        return str(Role(self.role).label) if self.role in Role.values else self.role
