"""Custom domains of a brand: add, verify by a DNS TXT record, make primary, remove.

A custom domain starts pending and serves nothing until the brand proves it controls it: a TXT record
`<CUSTOM_DOMAIN_TXT_PREFIX>.<domain>` with the value `dms-verify=<token>`. Each tenant has exactly one
primary domain; its other active domains redirect there (tenants.middleware).

A pending claim proves nothing, so it blocks no one: several workspaces may claim the same host, and the first
to publish its record and verify gets the domain; the other claims are marked taken at that moment, which their
domains page says (the loser is told). A claim can be verified for CUSTOM_DOMAIN_CLAIM_DAYS; after that it is
expired (not verifiable, not counted in the limit) and adding the host again replaces it with a new token. Only
an active domain of another workspace keeps a host from being added.
"""

from __future__ import annotations

import logging
import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from billing_saas.limits import feature_check
from billing_saas.models import Feature
from tenants import dns as domain_dns
from tenants.errors import DomainNotFound, DomainVerificationFailed, IllegalTransition, TenantInvalid
from tenants.history import actor_label as _actor_label
from tenants.history import tenant_history_record
from tenants.models import Domain, Tenant, TenantStatus
from tenants.selectors import routing_forget

logger = logging.getLogger(__name__)

MAX_CUSTOM_DOMAINS = 5
LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")



def txt_record_name(domain: Domain) -> str:
    return f"{settings.CUSTOM_DOMAIN_TXT_PREFIX}.{domain.domain}"


def txt_record_value(domain: Domain) -> str:
    return f"dms-verify={domain.verification_token}"


# --- reads ----------------------------------------------------------------------------------------


def domains_for(*, tenant: Tenant) -> list[Domain]:
    return list(Domain.objects.filter(tenant=tenant).order_by("-is_primary", "kind", "domain"))


def domain_get_for(*, tenant: Tenant, domain_id: int) -> Domain:
    """The tenant's domain with this id; another tenant's id is not found, like a missing one."""
    domain = Domain.objects.filter(tenant=tenant, pk=domain_id).first()
    if domain is None:
        raise DomainNotFound(_("No such domain."))
    return domain


def domain_serves_tls(host: str) -> bool:
    """May a certificate be issued for this host (Caddy's on-demand TLS "ask")? One query."""
    return (
        Domain.objects.filter(domain=host, status=Domain.Status.ACTIVE)
        .exclude(tenant__status=TenantStatus.DELETED)
        .exists()
    )


# --- writes ---------------------------------------------------------------------------------------


def normalise_hostname(value: str) -> str:
    """Lower-case ASCII (punycode for internationalised names) without a trailing dot; '' if invalid."""
    value = (value or "").strip().rstrip(".")
    try:
        value = value.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return ""
    labels = value.split(".")
    if len(value) > 253 or len(labels) < 2 or not all(LABEL.match(label) for label in labels):
        return ""
    if labels[-1].isdigit():
        return ""  # an IP address, not a name
    return value


def domain_field_errors(*, tenant: Tenant, domain: str) -> list[str]:
    """Why this (normalised) domain cannot be added to the tenant; empty when it can."""
    platform = settings.PLATFORM_HOST
    if not domain:
        return [_("Enter a domain name such as order.example.com.")]
    if domain == platform or domain.endswith(f".{platform}"):
        return [
            _("Addresses under %(platform)s come with your workspace; enter a domain of your own.")
            % {"platform": platform}
        ]
    claims = list(Domain.objects.filter(domain=domain))
    if any(claim.tenant_id == tenant.pk and _claim_stands(claim) for claim in claims):
        return [_("You have added this domain already.")]
    if any(claim.status == Domain.Status.ACTIVE for claim in claims):
        return [_("This domain is already in use.")]
    counted = [d for d in Domain.objects.filter(tenant=tenant, kind=Domain.Kind.CUSTOM) if _claim_stands(d)]
    if len(counted) >= MAX_CUSTOM_DOMAINS:
        return [_("You can add at most %(count)d custom domains.") % {"count": MAX_CUSTOM_DOMAINS}]
    return []


def _claim_stands(domain: Domain) -> bool:
    """Active, or pending and not expired (a taken or expired claim is only shown, and replaced when re-added)."""
    if domain.status == Domain.Status.ACTIVE:
        return True
    return domain.status == Domain.Status.PENDING and not domain.claim_expired()


def domain_add(*, actor, tenant: Tenant, domain: str) -> Domain:
    """Add a custom domain, pending until its TXT record is verified; only on a plan with custom domains."""
    feature_check(Feature.CUSTOM_DOMAIN, tenant=tenant)
    name = normalise_hostname(domain)
    with transaction.atomic():
        Tenant.objects.select_for_update().get(pk=tenant.pk)  # one addition at a time per tenant (the limit)
        errors = domain_field_errors(tenant=tenant, domain=name)
        if errors:
            raise TenantInvalid(_("The domain could not be added."), fields={"domain": errors})
        # the tenant's own taken or expired claim on this host gives way to the new one (a new token)
        Domain.objects.filter(tenant=tenant, domain=name).exclude(status=Domain.Status.ACTIVE).delete()
        try:
            added = Domain.objects.create(
                domain=name,
                tenant=tenant,
                is_primary=False,
                kind=Domain.Kind.CUSTOM,
                status=Domain.Status.PENDING,
                verification_token=secrets.token_hex(16),
            )
        except IntegrityError:
            # another tenant added the same domain between the check and the insert
            message = _("This domain is already in use.")
            raise TenantInvalid(_("The domain could not be added."), fields={"domain": [message]}) from None
        tenant_history_record(actor=actor, tenant=tenant, action="tenants.domain.added",
                              after={"domain": name})
    logger.info(
        "tenants.domain.added",
        extra={"schema": tenant.schema_name, "domain": name, "actor": _actor_label(actor)},
    )
    return added


def _verification_error(reason: str, *, record: str) -> tuple[str, str]:
    messages = {
        domain_dns.NXDOMAIN: (
            "dns_nxdomain",
            _(
                "No DNS record named %(record)s exists yet. Create the TXT record, or wait a few minutes "
                "for the change to reach the internet, then check again."
            ),
        ),
        domain_dns.NO_TXT: ("dns_no_txt", _("%(record)s exists but has no TXT record. Add the TXT record.")),
        "mismatch": (
            "dns_txt_mismatch",
            _(
                "The TXT record at %(record)s does not hold the expected value. Copy the value shown here exactly."
            ),
        ),
        domain_dns.TIMEOUT: (
            "dns_timeout",
            _("The DNS servers did not answer in time for %(record)s. Please try again in a minute."),
        ),
        domain_dns.FAILED: ("dns_failed", _("The DNS look-up of %(record)s failed. Please try again later.")),
    }
    code, message = messages[reason]
    return code, message % {"record": record}


def domain_verify(*, actor, tenant: Tenant, domain_id: int) -> Domain:
    """Look up the domain's TXT record; activate the domain if it holds the token, else record why not."""
    domain = domain_get_for(tenant=tenant, domain_id=domain_id)
    if domain.status == Domain.Status.ACTIVE:
        return domain
    _refuse_unverifiable(domain)
    record = txt_record_name(domain)
    try:  # the look-up runs outside any transaction: no lock is held while waiting for DNS
        found = txt_record_value(domain) in domain_dns.txt_lookup(record)
        failure = None if found else _verification_error("mismatch", record=record)
    except domain_dns.LookupFailed as error:
        failure = _verification_error(error.reason, record=record)
    now = timezone.now()
    with transaction.atomic():
        # every claim on this host, locked in id order: two workspaces verifying at once go one after the other
        claims = list(Domain.objects.select_for_update().filter(domain=domain.domain).order_by("pk"))
        locked = next((c for c in claims if c.pk == domain.pk and c.tenant_id == tenant.pk), None)
        if locked is None:
            raise DomainNotFound(_("No such domain."))
        if locked.status == Domain.Status.ACTIVE:
            return locked
        _refuse_unverifiable(locked, now=now)  # taken meanwhile by the workspace that verified first
        locked.last_checked_at = now
        losers = []
        if any(c.status == Domain.Status.ACTIVE for c in claims):
            # claimed while another workspace's claim was being verified: that one won
            locked.status = Domain.Status.TAKEN
            locked.save(update_fields=["status", "last_checked_at"])
        elif failure is None:
            locked.status = Domain.Status.ACTIVE
            locked.verified_at = now
            locked.last_check_error = ""
            losers = [c for c in claims if c.pk != locked.pk and c.status == Domain.Status.PENDING]
            Domain.objects.filter(pk__in=[c.pk for c in losers]).update(
                status=Domain.Status.TAKEN, last_checked_at=now, last_check_error="")
        else:
            locked.last_check_error = failure[1][:255]
        if locked.status != Domain.Status.TAKEN:
            locked.save(update_fields=["status", "verified_at", "last_checked_at", "last_check_error"])
        if locked.status == Domain.Status.ACTIVE:  # a failed look-up is no change: it is logged below
            tenant_history_record(actor=actor, tenant=tenant, action="tenants.domain.verified",
                                  after={"domain": locked.domain, "claims_taken": len(losers)})
    context = {"schema": tenant.schema_name, "domain": locked.domain, "actor": _actor_label(actor)}
    if locked.status == Domain.Status.TAKEN:
        raise IllegalTransition(domain_taken_message(locked), code="domain_taken")
    if failure is not None:
        logger.info("tenants.domain.verification_failed", extra={**context, "code": failure[0]})
        raise DomainVerificationFailed(failure[1], code=failure[0])
    logger.info("tenants.domain.verified", extra=context)
    for loser in losers:
        logger.info("tenants.domain.claim_taken",
                    extra={"tenant_id": loser.tenant_id, "domain": loser.domain, "by": tenant.schema_name})
    return locked


def _refuse_unverifiable(domain: Domain, *, now=None) -> None:
    """A claim taken by another workspace, or expired, cannot be verified: say which, and what to do."""
    if domain.status == Domain.Status.TAKEN:
        raise IllegalTransition(domain_taken_message(domain), code="domain_taken")
    if domain.claim_expired(now):
        raise IllegalTransition(domain_expired_message(domain), code="domain_claim_expired")


def domain_taken_message(domain: Domain) -> str:
    return _(
        "Another workspace proved through DNS that it controls %(domain)s, so your claim was withdrawn. If the "
        "domain is yours, check who can edit its DNS records, then remove this claim and add the domain again."
    ) % {"domain": domain.domain}


def domain_expired_message(domain: Domain) -> str:
    return _(
        "This claim expired on %(date)s without being verified. Add %(domain)s again to get a new TXT record."
    ) % {"domain": domain.domain, "date": date_format(timezone.localtime(domain.claim_expires_at), "DATE_FORMAT")}


def domain_make_primary(*, actor, tenant: Tenant, domain_id: int) -> Domain:
    """Make an active domain the tenant's one primary address; the others redirect to it."""
    with transaction.atomic():
        # lock all of the tenant's domains, in id order, so that two changes run one after the other
        locked = {d.pk: d for d in Domain.objects.select_for_update().filter(tenant=tenant).order_by("pk")}
        target = locked.get(domain_id)
        if target is None:
            raise DomainNotFound(_("No such domain."))
        if target.status != Domain.Status.ACTIVE:
            raise IllegalTransition(
                _("Verify this domain before making it the primary address."), code="domain_not_active"
            )
        if target.is_primary:
            return target
        previous = next((d.domain for d in locked.values() if d.is_primary), "")
        Domain.objects.filter(tenant=tenant, is_primary=True).update(is_primary=False)
        Domain.objects.filter(pk=target.pk).update(is_primary=True)
        target.is_primary = True
        routing_forget()  # update() sends no post_save
        tenant_history_record(actor=actor, tenant=tenant, action="tenants.domain.made_primary",
                              before={"primary": previous}, after={"primary": target.domain})
    logger.info(
        "tenants.domain.made_primary",
        extra={
            "schema": tenant.schema_name,
            "domain": target.domain,
            "previous": previous,
            "actor": _actor_label(actor),
        },
    )
    return target


def domain_remove(*, actor, tenant: Tenant, domain_id: int) -> Domain:
    """Remove a custom domain; never the platform subdomain, never the primary. Returns it as it was."""
    with transaction.atomic():
        domain = Domain.objects.select_for_update().filter(tenant=tenant, pk=domain_id).first()
        if domain is None:
            raise DomainNotFound(_("No such domain."))
        if domain.kind != Domain.Kind.CUSTOM:
            raise IllegalTransition(
                _("The address that comes with your workspace cannot be removed."), code="domain_not_custom"
            )
        if domain.is_primary:
            raise IllegalTransition(
                _("Make another domain the primary address before removing this one."),
                code="domain_is_primary",
            )
        domain.delete()
        tenant_history_record(actor=actor, tenant=tenant, action="tenants.domain.removed",
                              before={"domain": domain.domain, "status": domain.status})
    logger.info(
        "tenants.domain.removed",
        extra={"schema": tenant.schema_name, "domain": domain.domain, "actor": _actor_label(actor)},
    )
    return domain
