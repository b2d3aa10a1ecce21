from __future__ import annotations

from billing_saas.models import Plan


def plan_default() -> Plan | None:
    return Plan.objects.filter(is_default=True).first()


def plans_for_signup() -> list[Plan]:
    return list(Plan.objects.all())
