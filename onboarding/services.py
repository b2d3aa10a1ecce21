"""Self-service sign-up of a brand group, and "Find my workspace"."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from billing_saas.models import Plan
from onboarding.directory import membership_schemas
from onboarding.errors import SignupInvalid
from tenant_apps.accounts.tasks import mail_send
from tenants.services import tenant_url

logger = logging.getLogger(__name__)

CURRENCIES = ("CNY", "HKD", "USD", "EUR", "JPY", "SGD")
# provisioning's field names -> the sign-up form's
SIGNUP_FIELDS = {"name": "company_name", "owner_email": "email", "owner_password": "password"}


@dataclass(frozen=True)
class SignupResult:
    tenant: object
    handoff_url: str
    provision_ms: float


def signup_submit(
    *,
    company_name: str,
    slug: str,
    owner_name: str,
    email: str,
    password: str,
    locale: str,
    currency: str,
    plan_code: str = "",
) -> SignupResult:
    """Provision the workspace, create its owner, and return a one-time sign-in link to its host.

    Every field is checked before anything is written; a failure at any later step leaves no schema
    and no rows (tenants.services.tenant_provision is all or nothing).
    """
    from tenants import services as tenant_services
    from tenants.handoff import handoff_issue

    plan = Plan.objects.filter(code=plan_code).first() if plan_code else Plan.objects.filter(is_default=True).first()
    slug = (slug or "").strip().lower()
    owner = tenant_services.Owner(email=email, password=password, full_name=(owner_name or "").strip())
    errors = {
        SIGNUP_FIELDS.get(field, field): messages
        for field, messages in tenant_services.provision_field_errors(
            name=company_name or "", slug=slug, locale=locale, currency=currency, owner=owner
        ).items()
    }
    if plan_code and plan is None:
        errors["plan"] = [_("Choose one of the plans.")]
    if currency not in CURRENCIES:
        errors["currency"] = [_("Choose one of the currencies.")]
    if not (owner_name or "").strip():
        errors["owner_name"] = [_("Enter your name.")]
    if errors:
        raise SignupInvalid(_("Please correct the fields below."), fields=errors)
    # Everything is valid: hash the password now, outside the provisioning transaction.
    owner = tenant_services.Owner(email=email, full_name=owner.full_name, password_hash=make_password(password))
    started = time.perf_counter()
    tenant = tenant_services.tenant_provision(
        actor="signup", name=company_name, slug=slug, owner=owner, locale=locale, currency=currency, plan=plan,
    )
    provision_ms = (time.perf_counter() - started) * 1000
    token = handoff_issue(tenant=tenant, user_email=email.strip().lower(), purpose="signup",
                          ttl=settings.HANDOFF_TTL_SECONDS)
    logger.info("onboarding.signup.completed", extra={"schema": tenant.schema_name,
                                                       "provision_ms": round(provision_ms, 1),
                                                       "method": tenant.provisioned_by})
    return SignupResult(tenant=tenant, handoff_url=tenant_url(tenant.slug, f"/accounts/handoff/{token}/"),
                        provision_ms=provision_ms)


def workspace_find(*, email: str) -> None:
    """Mail the list of workspaces of this email. Says nothing to the caller about whether any exist."""
    from tenants.models import Tenant, TenantStatus

    email = (email or "").strip().lower()
    tenants = list(Tenant.objects.filter(schema_name__in=membership_schemas(email=email))
                   .exclude(status=TenantStatus.DELETED).order_by("name"))
    if not tenants:
        logger.info("onboarding.find.none")
        return
    links = [{"name": tenant.brand_name, "url": tenant_url(tenant.slug, "/accounts/login/")} for tenant in tenants]
    with translation.override(translation.get_language()):
        body = render_to_string("onboarding/find_email.txt", {"links": links})
        # sent by a task (after the answer, with a broker): a known address takes no longer than an unknown one
        mail_send.delay(subject=str(_("Your workspaces")), body=body, to=[email])
    logger.info("onboarding.find.sent", extra={"count": len(links)})

