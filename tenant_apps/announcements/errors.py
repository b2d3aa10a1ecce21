"""Domain errors of announcements (see tenant_apps.core.errors)."""

from tenant_apps.core.errors import Conflict, NotFound, ValidationFailed


class AnnouncementInvalid(ValidationFailed):
    code = "announcement_invalid"


class AnnouncementNotFound(NotFound):
    code = "announcement_not_found"


class IllegalAnnouncementTransition(Conflict):
    code = "illegal_transition"


class PushSubscriptionInvalid(ValidationFailed):
    code = "push_subscription_invalid"
