"""Sentry set-up. Events carry the tenant (schema) as a tag, from requests and from Celery tasks."""

from __future__ import annotations

import sentry_sdk
from django.db.models.signals import class_prepared, post_init, pre_init
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from dms.env import env_str


def init_sentry(*, dsn: str, environment: str) -> None:
    """Errors always; traces at SENTRY_TRACES_SAMPLE_RATE (default 0: none).

    Signal receivers are wrapped in spans only when traces are taken, and never those of the model signals
    (class_prepared, pre_init, post_init): the Django integration's default wraps every receiver of every signal
    sent, traced or not, and a migration sends class_prepared some 580,000 times (provisioning a tenant by
    migrations took 32 s instead of 8 in the test run with Sentry on)."""
    rate = float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0") or 0)
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=env_str("RELEASE") or None,
        integrations=[DjangoIntegration(signals_spans=rate > 0, signals_denylist=[class_prepared, pre_init, post_init]),
                      CeleryIntegration()],
        traces_sample_rate=rate,
    )


def tag_tenant(schema_name: str) -> None:
    sentry_sdk.set_tag("tenant", schema_name)
