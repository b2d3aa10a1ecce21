"""Sentry set-up. Events carry the tenant (schema) as a tag, from requests and from Celery tasks."""

from __future__ import annotations

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from dms.env import env_str


def init_sentry(*, dsn: str, environment: str) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=env_str("RELEASE") or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        traces_sample_rate=float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
    )


def tag_tenant(schema_name: str) -> None:
    sentry_sdk.set_tag("tenant", schema_name)
