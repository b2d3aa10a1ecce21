"""The external channels: email through Django's mail (settings.EMAIL_BACKEND; django-anymail for providers), SMS
through an adapter chosen by settings.NOTIFICATIONS_SMS["provider"] (aliyun)."""
