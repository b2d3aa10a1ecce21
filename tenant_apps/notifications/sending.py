"""Sending the external deliveries (email, SMS, and the registered channels: WeChat, web push) and the daily
digest. Runs in tasks, after the commit that wrote the rows; a failed send is retried (MAX_ATTEMPTS in all, a few
minutes apart), then the delivery is failed with its error, or at once when the channel says a retry cannot help
(SendError.final). Messages are in the recipient's own language."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tenant_apps.accounts.access import is_console_user
from tenant_apps.notifications.channels.registry import Message, SendError, channel_get
from tenant_apps.notifications.channels.sms import SmsError, sms_adapter
from tenant_apps.notifications.defaults import EMAIL, SMS
from tenant_apps.notifications.models import Delivery, DeliveryStatus, DigestSent, PersonSettings
from tenant_apps.notifications.selectors import Rendered, render

MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=5)
BATCH = 200


def _language(user) -> str:
    """The person's own language, else the brand's (Tenant.default_locale), else the platform's."""
    return (user.preferred_language or getattr(connection.tenant, "default_locale", "")
            or settings.LANGUAGE_CODE)


class _Batch:
    """What the deliveries of one batch share: the recipients' mobile numbers (one query, only for SMS), each text
    rendered once per (event, kind, language, side) however many people get it, and one mail connection (opened at
    the first email, closed with the batch; a failed send closes it, the next email opens a new one)."""

    def __init__(self, due: list[Delivery]):
        wanted = {d.notification.recipient_id for d in due if d.channel == SMS}
        self.mobiles = dict(PersonSettings.objects.filter(user_id__in=wanted).values_list("user_id", "mobile")) \
            if wanted else {}
        self.texts: dict[tuple, Rendered] = {}
        self.mail = None

    def text(self, notification, user, language: str) -> Rendered:
        key = (notification.event_id, notification.kind, language, is_console_user(user))
        if key not in self.texts:
            self.texts[key] = render(notification, reader=user, language=language)
        return self.texts[key]

    def send_mail(self, subject: str, body: str, email: str) -> None:
        if self.mail is None:
            self.mail = get_connection()
            self.mail.open()
        try:
            send_mail(subject, body, None, [email], connection=self.mail)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        mail, self.mail = self.mail, None
        if mail is not None:
            try:
                mail.close()
            except OSError:
                pass  # what was sent is sent; nothing else goes through this connection


def _send_one(delivery: Delivery, batch: _Batch) -> None:
    notification = delivery.notification
    user = notification.recipient
    language = _language(user)
    text = batch.text(notification, user, language)
    if delivery.channel == EMAIL:
        if not user.email:
            raise SmsError("no email address")
        batch.send_mail(text.title, text.body, user.email)
    elif delivery.channel == SMS:
        adapter = sms_adapter()
        if adapter is None:
            raise SmsError("SMS is not set up (settings.NOTIFICATIONS_SMS)")
        mobile = batch.mobiles.get(user.pk, "")
        if not mobile:
            raise SmsError("no mobile number")
        adapter.send(mobile=mobile, text=f"{text.title}: {text.body}"[:300], kind=notification.kind)
    else:
        channel = channel_get(delivery.channel)
        if channel is None or not channel.configured():
            raise SendError(f"{delivery.channel}: not set up", final=True)
        channel.send(Message(user=user, kind=notification.kind, title=text.title, body=text.body, url=text.url,
                             ref=notification.event.subject_ref or "", created_at=notification.created_at,
                             language=language))


def deliveries_send(*, limit: int = BATCH) -> int:
    """Send the due pending deliveries; the number sent."""
    now = timezone.now()
    sent = 0
    with transaction.atomic():
        due = list(Delivery.objects.filter(status=DeliveryStatus.PENDING, not_before__lte=now)
                   .select_related("notification__recipient", "notification__event")
                   .select_for_update(skip_locked=True, of=("self",)).order_by("id")[:limit])
        if not due:
            return 0
        batch = _Batch(due)
        try:
            for delivery in due:
                delivery.attempts += 1
                try:
                    _send_one(delivery, batch)
                except (SendError, OSError) as error:
                    delivery.error = str(error)[:500]
                    if delivery.attempts >= MAX_ATTEMPTS or getattr(error, "final", False):
                        delivery.status = DeliveryStatus.FAILED
                    else:
                        delivery.not_before = now + RETRY_AFTER * delivery.attempts
                else:
                    delivery.status, delivery.sent_at, delivery.error = DeliveryStatus.SENT, timezone.now(), ""
                    sent += 1
                delivery.save(update_fields=["attempts", "status", "error", "not_before", "sent_at"])
        finally:
            batch.close()
    return sent


def digests_send() -> int:
    """One email per person with the digest on, listing what was held for it; at most one per person and day
    (in the workspace's time zone). The number of digests mailed."""
    day = timezone.localdate()
    mailed = 0
    users = (Delivery.objects.filter(status=DeliveryStatus.DIGEST, channel=EMAIL)
             .values_list("notification__recipient_id", flat=True).distinct())
    for user_id in list(users):
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = DigestSent.objects.create(user_id=user_id, day=day)
            except IntegrityError:
                continue  # today's digest went already; what is left waits for tomorrow's
            held = list(Delivery.objects.filter(status=DeliveryStatus.DIGEST, channel=EMAIL,
                                                notification__recipient_id=user_id)
                        .select_related("notification__recipient", "notification__event")
                        .select_for_update(of=("self",)).order_by("id"))
            if not held:
                continue
            user = held[0].notification.recipient
            language = _language(user)
            lines = [render(d.notification, reader=user, language=language) for d in held]
            with translation.override(language):
                subject = _("Your notifications of %(day)s") % {"day": day.isoformat()}
            body = "\n".join(f"- {line.title}: {line.body}" for line in lines)
            send_mail(subject, body, None, [user.email])
            Delivery.objects.filter(pk__in=[d.pk for d in held]).update(
                status=DeliveryStatus.SENT, sent_at=timezone.now(), attempts=1)
            record.count = len(held)
            record.save(update_fields=["count"])
            mailed += 1
    return mailed
