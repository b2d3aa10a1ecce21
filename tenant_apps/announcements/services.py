"""Write use cases of announcements: create, edit, publish (with its outbox event), withdraw, mark read; and the
browsers' web push subscriptions. Every one audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.announcements.errors import (
    AnnouncementInvalid,
    IllegalAnnouncementTransition,
    PushSubscriptionInvalid,
)
from tenant_apps.announcements.models import (
    Announcement,
    AnnouncementRead,
    AnnouncementStatus,
    Audience,
    PushSubscription,
)
from tenant_apps.audit.services import audit_record
from tenant_apps.events.services import event_record

TITLE_MAX = 200
BODY_MAX = 20000


def _validate(*, title, body, audience, regions, tiers, dealers, expires_at) -> dict:
    errors = {}
    title = (title or "").strip()
    body = (body or "").strip()
    if not title:
        errors["title"] = [_("Enter a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("At most %(n)s characters.") % {"n": TITLE_MAX}]
    if not body:
        errors["body"] = [_("Enter the text.")]
    elif len(body) > BODY_MAX:
        errors["body"] = [_("At most %(n)s characters.") % {"n": BODY_MAX}]
    if audience not in Audience.values:
        errors["audience"] = [_("Choose who the announcement is for.")]
    elif audience == Audience.REGION and not regions:
        errors["regions"] = [_("Choose at least one region.")]
    elif audience == Audience.TIER and not tiers:
        errors["tiers"] = [_("Choose at least one tier.")]
    elif audience == Audience.DEALERS and not dealers:
        errors["dealers"] = [_("Choose at least one dealer.")]
    if errors:
        raise AnnouncementInvalid(_("Check the announcement."), fields=errors)
    return {"title": title, "body": body, "audience": audience, "expires_at": expires_at}


def _set_audience(announcement: Announcement, *, regions, tiers, dealers) -> None:
    audience = announcement.audience
    announcement.regions.set(list(regions) if audience == Audience.REGION else [])
    announcement.tiers.set(list(tiers) if audience == Audience.TIER else [])
    announcement.dealers.set(list(dealers) if audience == Audience.DEALERS else [])


def _snapshot(announcement: Announcement) -> dict:
    return {"title": announcement.title, "audience": announcement.audience, "status": announcement.status,
            "expires_at": announcement.expires_at.isoformat() if announcement.expires_at else None,
            "regions": sorted(announcement.regions.values_list("pk", flat=True)),
            "tiers": sorted(announcement.tiers.values_list("pk", flat=True)),
            "dealers": sorted(announcement.dealers.values_list("pk", flat=True))}


@transaction.atomic
def announcement_create(*, actor, title: str, body: str, audience: str = Audience.ALL, regions=(), tiers=(),
                        dealers=(), expires_at=None) -> Announcement:
    fields = _validate(title=title, body=body, audience=audience, regions=regions, tiers=tiers, dealers=dealers,
                       expires_at=expires_at)
    announcement = Announcement.objects.create(
        **fields, created_by=actor if getattr(actor, "is_authenticated", False) else None)
    _set_audience(announcement, regions=regions, tiers=tiers, dealers=dealers)
    audit_record(actor=actor, action="announcements.announcement.created", target=announcement,
                 after=_snapshot(announcement))
    return announcement


@transaction.atomic
def announcement_update(*, actor, announcement: Announcement, title: str, body: str, audience: str, regions=(),
                        tiers=(), dealers=(), expires_at=None) -> Announcement:
    """Edit a draft or a published announcement (a withdrawn one stays as it was)."""
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if announcement.status == AnnouncementStatus.WITHDRAWN:
        raise IllegalAnnouncementTransition(_("A withdrawn announcement cannot be edited."))
    fields = _validate(title=title, body=body, audience=audience, regions=regions, tiers=tiers, dealers=dealers,
                       expires_at=expires_at)
    before = _snapshot(announcement)
    for name, value in fields.items():
        setattr(announcement, name, value)
    announcement.save()
    _set_audience(announcement, regions=regions, tiers=tiers, dealers=dealers)
    audit_record(actor=actor, action="announcements.announcement.updated", target=announcement, before=before,
                 after=_snapshot(announcement))
    return announcement


@transaction.atomic
def announcement_publish(*, actor, announcement: Announcement) -> Announcement:
    """Draft -> published, now; writes the `announcement.published` event with the dealers it reaches, so that
    notification channels can tell them."""
    from tenant_apps.announcements.selectors import audience_dealers

    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if announcement.status != AnnouncementStatus.DRAFT:
        raise IllegalAnnouncementTransition(_("Only a draft can be published."))
    now = timezone.now()
    if announcement.expires_at is not None and announcement.expires_at <= now:
        raise AnnouncementInvalid(_("This announcement has already expired; change its expiry first."),
                                  fields={"expires_at": [_("The expiry is in the past.")]})
    announcement.status = AnnouncementStatus.PUBLISHED
    announcement.published_at = now
    announcement.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action="announcements.announcement.published", target=announcement,
                 before={"status": AnnouncementStatus.DRAFT}, after={"status": announcement.status})
    event_record(kind="announcement.published", subject_id=announcement.pk, subject_ref=announcement.title[:64],
                 actor=actor, payload={
                     "title": announcement.title, "url": f"/announcements/{announcement.pk}/",
                     "audience": announcement.audience,
                     "dealer_ids": sorted(audience_dealers(announcement).values_list("pk", flat=True))})
    return announcement


@transaction.atomic
def announcement_withdraw(*, actor, announcement: Announcement, reason: str = "") -> Announcement:
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if announcement.status != AnnouncementStatus.PUBLISHED:
        raise IllegalAnnouncementTransition(_("Only a published announcement can be withdrawn."))
    announcement.status = AnnouncementStatus.WITHDRAWN
    announcement.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="announcements.announcement.withdrawn", target=announcement,
                 before={"status": AnnouncementStatus.PUBLISHED}, after={"status": announcement.status},
                 reason=(reason or "").strip()[:500])
    return announcement


@transaction.atomic
def announcement_read_mark(*, actor, announcement: Announcement) -> AnnouncementRead:
    """The actor has read the announcement: recorded once (the first time), later reads change nothing."""
    read, created = AnnouncementRead.objects.get_or_create(announcement=announcement, user_id=actor.pk,
                                                           defaults={"read_at": timezone.now()})
    if created:
        audit_record(actor=actor, action="announcements.announcement.read", target=announcement,
                     dealer_id=getattr(actor, "dealer_id", None))
    return read


@transaction.atomic
def push_subscription_save(*, actor, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Keep (or move to this user) the browser's subscription. The endpoint must be an https URL."""
    endpoint = (endpoint or "").strip() if isinstance(endpoint, str) else ""
    p256dh = p256dh.strip() if isinstance(p256dh, str) else ""
    auth = auth.strip() if isinstance(auth, str) else ""
    errors = {}
    if not endpoint.startswith("https://") or len(endpoint) > 1000:
        errors["endpoint"] = [_("Enter the push service's https address.")]
    if not p256dh or len(p256dh) > 200:
        errors["p256dh"] = [_("Enter the browser's key.")]
    if not auth or len(auth) > 100:
        errors["auth"] = [_("Enter the browser's key.")]
    if errors:
        raise PushSubscriptionInvalid(_("Check the subscription."), fields=errors)
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user_id": actor.pk, "p256dh": p256dh, "auth": auth, "failures": 0})
    audit_record(actor=actor, action="announcements.push_subscription.saved", target=subscription,
                 dealer_id=getattr(actor, "dealer_id", None))
    return subscription


@transaction.atomic
def push_subscription_remove(*, actor, endpoint: str) -> int:
    """Forget the actor's subscription of this endpoint; how many were removed (0 or 1)."""
    if not isinstance(endpoint, str):
        return 0
    subscriptions = list(PushSubscription.objects.filter(user_id=actor.pk, endpoint=endpoint.strip()))
    for subscription in subscriptions:
        audit_record(actor=actor, action="announcements.push_subscription.removed", target=subscription,
                     dealer_id=getattr(actor, "dealer_id", None))
        subscription.delete()
    return len(subscriptions)
