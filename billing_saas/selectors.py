from __future__ import annotations

from billing_saas.models import Plan


def plans_for_signup() -> list[Plan]:
    return list(Plan.objects.all())
