"""Announcements (公告) from the brand to its dealers, who has read them, and the browsers that take web push."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    ALL = "all", _("All dealers")
    REGION = "region", _("Dealers in regions")
    TIER = "tier", _("Dealers of tiers")
    DEALERS = "dealers", _("Chosen dealers")


class AnnouncementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Announcement(models.Model):
    """A notice to dealers. The body is plain text, escaped on output (paragraphs and links kept). Audience:
    everyone, the dealers under some network nodes (their subtrees), of some tiers, or a list of dealers."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=20000)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices, default=Audience.ALL)
    regions = models.ManyToManyField("dealers.Node", blank=True, related_name="+", verbose_name=_("regions"))
    tiers = models.ManyToManyField("dealers.Tier", blank=True, related_name="+", verbose_name=_("dealer tiers"))
    dealers = models.ManyToManyField("dealers.Dealer", blank=True, related_name="+", verbose_name=_("dealers"))
    status = models.CharField(_("status"), max_length=16, choices=AnnouncementStatus.choices,
                              default=AnnouncementStatus.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   db_constraint=False, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self) -> str:
        return self.title


class AnnouncementRead(models.Model):
    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_constraint=False,
                             related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["announcement", "user"], name="one_read_per_user")]

    def __str__(self) -> str:
        return f"{self.announcement_id}/{self.user_id}"


class PushSubscription(models.Model):
    """A browser's web push subscription (its push service endpoint and keys) for one user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_constraint=False,
                             related_name="+")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    last_success = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.endpoint[:60]}"
