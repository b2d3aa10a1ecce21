"""Reads of announcements: which ones a dealer sees (audience and window), the console's list, and who of the
audience has read one."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import DEALER_ROLES
from tenant_apps.announcements.errors import AnnouncementNotFound
from tenant_apps.announcements.models import Announcement, AnnouncementRead, AnnouncementStatus, Audience
from tenant_apps.dealers.models import Dealer


def _audience_includes(dealer: Dealer) -> Q:
    """The announcements whose audience takes in `dealer`: everyone, a node at or above its own (a region's
    subtree), its tier, or named."""
    regions = Announcement.regions.through.objects.filter(announcement_id=OuterRef("pk"),
                                                          node__path__ancestor_of=dealer.node.path)
    named = Announcement.dealers.through.objects.filter(announcement_id=OuterRef("pk"), dealer_id=dealer.pk)
    condition = Q(audience=Audience.ALL) | Q(Exists(regions), audience=Audience.REGION)
    condition |= Q(Exists(named), audience=Audience.DEALERS)
    if dealer.tier_id:
        tiers = Announcement.tiers.through.objects.filter(announcement_id=OuterRef("pk"), tier_id=dealer.tier_id)
        condition |= Q(Exists(tiers), audience=Audience.TIER)
    return condition


def announcements_for_dealer(dealer: Dealer, *, user=None, at=None) -> QuerySet[Announcement]:
    """Published, not expired announcements for `dealer`, newest first; with `user`, each has `is_read`."""
    at = at or timezone.now()
    found = (Announcement.objects.filter(status=AnnouncementStatus.PUBLISHED, published_at__lte=at)
             .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at)).filter(_audience_includes(dealer))
             .order_by("-published_at", "-id"))
    if user is not None:
        found = found.annotate(is_read=Exists(AnnouncementRead.objects.filter(announcement_id=OuterRef("pk"),
                                                                              user_id=user.pk)))
    return found


def announcement_for_dealer(*, dealer: Dealer, user, announcement_id) -> Announcement:
    """One announcement the dealer sees now; AnnouncementNotFound (404) otherwise, existing or not."""
    try:
        return announcements_for_dealer(dealer, user=user).get(pk=int(announcement_id))
    except (Announcement.DoesNotExist, ValueError, TypeError):
        raise AnnouncementNotFound(_("No such announcement.")) from None


def announcements_for_console(*, status: str = "") -> QuerySet[Announcement]:
    found = Announcement.objects.annotate(read_count=Count("reads")).order_by("-created_at", "-id")
    if status in AnnouncementStatus.values:
        found = found.filter(status=status)
    return found


def announcement_get(*, announcement_id) -> Announcement:
    try:
        return Announcement.objects.get(pk=int(announcement_id))
    except (Announcement.DoesNotExist, ValueError, TypeError):
        raise AnnouncementNotFound(_("No such announcement.")) from None


def audience_dealers(announcement: Announcement) -> QuerySet[Dealer]:
    """The dealers the announcement is for."""
    dealers = Dealer.objects.all()
    if announcement.audience == Audience.REGION:
        paths = [node.path for node in announcement.regions.all()]
        if not paths:
            return Dealer.objects.none()
        condition = Q()
        for path in paths:
            condition |= Q(node__path__descendant_of=path)
        return dealers.filter(condition)
    if announcement.audience == Audience.TIER:
        return dealers.filter(tier__in=announcement.tiers.all())
    if announcement.audience == Audience.DEALERS:
        return dealers.filter(pk__in=announcement.dealers.values("pk"))
    return dealers


def announcement_readers(announcement: Announcement, *, dealers: QuerySet[Dealer]) -> tuple[list, list]:
    """The dealer users of the audience (within `dealers`, the viewer's scope): (read, with read_at), (not yet)."""
    users = (User.objects.filter(role__in=DEALER_ROLES, is_active=True,
                                 dealer__in=audience_dealers(announcement).filter(pk__in=dealers.values("pk")))
             .select_related("dealer").order_by("dealer__code", "email"))
    reads = dict(AnnouncementRead.objects.filter(announcement=announcement).values_list("user_id", "read_at"))
    read, unread = [], []
    for user in users:
        if user.pk in reads:
            user.read_at = reads[user.pk]
            read.append(user)
        else:
            unread.append(user)
    return read, unread


def audiences_of_events(events) -> dict[int, list[int]]:
    """For notifications (registered in apps.py): each `announcement.published` event -> the dealers it reaches,
    as published (the event's `dealer_ids`); none once the announcement is withdrawn. One query for any batch."""
    ids = {int(event.subject_id) for event in events if event.subject_id.isdigit()}
    live = set(Announcement.objects.filter(pk__in=ids, status=AnnouncementStatus.PUBLISHED)
               .values_list("pk", flat=True)) if ids else set()
    return {event.id: [int(pk) for pk in (event.payload or {}).get("dealer_ids", ()) if str(pk).isdigit()]
            for event in events if event.subject_id.isdigit() and int(event.subject_id) in live}
