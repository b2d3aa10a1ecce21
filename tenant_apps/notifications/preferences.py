"""Changing who is told on which channel: the brand's default per role (admins, settings.edit), a person's own
choice per event and channel, their delivery settings (mobile, quiet hours, daily digest) and their WeChat link.
Each records an audit entry."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.accounts.permissions import Role
from tenant_apps.audit.services import audit_record
from tenant_apps.core.errors import ValidationFailed
from tenant_apps.events.catalog import KINDS
from tenant_apps.notifications.defaults import CHANNELS
from tenant_apps.notifications.models import PersonSettings, RolePreference, UserPreference


def _check(kind: str, channel: str) -> None:
    errors = {}
    if kind not in KINDS:
        errors["kind"] = [_("Choose an event.")]
    if channel not in CHANNELS:
        errors["channel"] = [_("Choose a channel.")]
    if errors:
        raise ValidationFailed(_("Check the highlighted fields."), fields=errors)


def role_preference_set(*, actor, role: str, kind: str, channel: str, enabled: bool) -> RolePreference:
    _check(kind, channel)
    if role not in Role.values:
        raise ValidationFailed(_("Check the highlighted fields."), fields={"role": [_("Choose a role.")]})
    with transaction.atomic():
        row, _created = RolePreference.objects.update_or_create(role=role, kind=kind, channel=channel,
                                                                defaults={"enabled": bool(enabled)})
        audit_record(actor=actor, action="notifications.role_preference.updated", target=row,
                     after={"role": role, "kind": kind, "channel": channel, "enabled": bool(enabled)})
    return row


def user_preference_set(*, actor, kind: str, channel: str, enabled: bool) -> UserPreference:
    """The actor's own choice for an event on a channel."""
    _check(kind, channel)
    with transaction.atomic():
        row, _created = UserPreference.objects.update_or_create(user=actor, kind=kind, channel=channel,
                                                                defaults={"enabled": bool(enabled)})
        audit_record(actor=actor, action="notifications.preference.updated", target=row,
                     after={"kind": kind, "channel": channel, "enabled": bool(enabled)})
    return row


def person_settings_set(*, actor, mobile: str = "", quiet_start=None, quiet_end=None,
                        digest: bool = False) -> PersonSettings:
    """The actor's own delivery settings."""
    mobile = (mobile or "").strip()
    if mobile and not (mobile.lstrip("+").isdigit() and 6 <= len(mobile) <= 20):
        raise ValidationFailed(_("Check the highlighted fields."), fields={"mobile": [_("Enter a mobile number.")]})
    if (quiet_start is None) != (quiet_end is None):
        raise ValidationFailed(_("Check the highlighted fields."),
                               fields={"quiet_end": [_("Give both the start and the end of quiet hours.")]})
    with transaction.atomic():
        row, _created = PersonSettings.objects.update_or_create(user=actor, defaults={
            "mobile": mobile, "quiet_start": quiet_start, "quiet_end": quiet_end, "digest": bool(digest)})
        audit_record(actor=actor, action="notifications.settings.updated", target=row,
                     after={"quiet_start": str(quiet_start or ""), "quiet_end": str(quiet_end or ""),
                            "digest": bool(digest), "mobile": bool(mobile)})
    return row


def wechat_bind(*, actor, code: str) -> PersonSettings:
    """Link the actor's WeChat: the code of the brand's mini-program's wx.login() exchanged for their openid
    (jscode2session). A bad or used code is a field error; nothing is saved."""
    from tenant_apps.notifications.channels import wechat

    code = (code or "").strip()
    if not wechat.configured():
        raise ValidationFailed(_("WeChat messages are not set up for this workspace."))
    if not code or len(code) > 128:
        raise ValidationFailed(_("Check the highlighted fields."), fields={"code": [_("Open this page from WeChat.")]})
    try:
        openid = wechat.code_to_openid(code)
    except wechat.SendError as error:
        message = (_("WeChat did not accept the code: open this page from WeChat again.") if error.final
                   else _("WeChat did not answer. Try again."))
        raise ValidationFailed(_("Check the highlighted fields."), fields={"code": [message]}) from error
    with transaction.atomic():
        row, _created = PersonSettings.objects.update_or_create(user=actor, defaults={
            "wechat_openid": openid[:64], "wechat_app_id": wechat.config().get("app_id", "")[:32],
            "wechat_linked_at": timezone.now()})
        audit_record(actor=actor, action="notifications.wechat.linked", target=row, after={"wechat": True})
    return row


def wechat_unbind(*, actor) -> None:
    """Unlink the actor's WeChat: no more WeChat messages to them."""
    with transaction.atomic():
        count = PersonSettings.objects.filter(user=actor).exclude(wechat_openid="").update(
            wechat_openid="", wechat_app_id="", wechat_linked_at=None)
        if count:
            audit_record(actor=actor, action="notifications.wechat.unlinked", target=actor, after={"wechat": False})
