"""A person's notifications: one row per recipient and event (a replayed event writes nothing twice). The text is
not stored: it is rendered from the event when shown, in the reader's language (notifications.render)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("recipient"))
    event = models.ForeignKey("events.OutboxEvent", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    shown = models.BooleanField(default=True)  # in the inbox (the person may keep an event to email/SMS only)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "event"], name="notifications_once_per_event")]
        indexes = [models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True, shown=True),
                                name="notifications_unread")]

    def __str__(self) -> str:
        return f"{self.kind} -> {self.recipient_id}"


class RolePreference(models.Model):
    """The brand's default for a role: is this event sent on this channel (overrides defaults.DEFAULTS)."""

    role = models.CharField(max_length=32)
    kind = models.CharField(max_length=64)
    channel = models.CharField(max_length=16)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["role", "kind", "channel"], name="notifications_role_pref")]

    def __str__(self) -> str:
        return f"{self.role} {self.kind} {self.channel}"


class UserPreference(models.Model):
    """A person's own choice for an event and channel (overrides the brand's default for their role)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=64)
    channel = models.CharField(max_length=16)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "channel"], name="notifications_user_pref")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.channel}"


class PersonSettings(models.Model):
    """A person's delivery settings: the mobile number for SMS, quiet hours (no SMS, WeChat message or web push
    between start and end, in the workspace's time zone: held until the end), the daily digest instead of immediate
    email, and their WeChat openid once linked."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                primary_key=True)
    mobile = models.CharField(_("mobile number"), max_length=20, blank=True)
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    digest = models.BooleanField(_("daily digest instead of each email"), default=False)
    # the person's openid in the brand's WeChat mini-program (app id kept: an openid is worth nothing to another)
    wechat_openid = models.CharField(max_length=64, blank=True, db_default="")
    wechat_app_id = models.CharField(max_length=32, blank=True, db_default="")
    wechat_linked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"settings of {self.user_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DIGEST = "digest", _("In the daily digest")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """A notification sent on an external channel (email, SMS): one row per notification and channel, sent after
    the commit by notifications.tasks.deliveries_send, retried up to MAX_ATTEMPTS."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=16)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    not_before = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="notifications_delivery_once")]
        indexes = [models.Index(fields=["not_before"], condition=models.Q(status="pending"),
                                name="notifications_delivery_due")]

    def __str__(self) -> str:
        return f"{self.channel} {self.status}"


class DigestSent(models.Model):
    """The day's digest mailed to a person: at most one per person and day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="notifications_digest_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
