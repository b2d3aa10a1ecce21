"""Custom domains: add, verify through DNS (a loopback DNS server), route, make primary, remove, TLS ask."""

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format

from tenants import domains
from tenants import services as tenant_services
from tenants.errors import DomainNotFound, DomainVerificationFailed, IllegalTransition, TenantInvalid
from tenants.models import Domain
from tests.conftest import OWNERS, host_client
from tests.dnsserver import DNSServer
from tests.factories import DEFAULT_PASSWORD, UserFactory

CUSTOM = "order.acme-brand.test"
RECORD = "_dms-verify.order.acme-brand.test"
INVALID = "Enter a domain name such as order.example.com."
PLATFORM = "Addresses under localhost come with your workspace; enter a domain of your own."


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def dns_server(settings):
    """A loopback authoritative DNS server; the verification resolver asks only it."""
    server = DNSServer().start()
    settings.DNS_NAMESERVERS = ["127.0.0.1"]
    settings.DNS_PORT = server.port
    settings.DNS_TIMEOUT = 2.0
    yield server
    server.stop()


def signed_in(host: str, email: str):
    client = host_client(host)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def owner_a(tenant_a):
    return signed_in("acme.localhost", OWNERS["acme"])


@pytest.fixture
def owner_b(tenant_b):
    return signed_in("globex.localhost", OWNERS["globex"])


def publish(dns_server, domain: Domain) -> None:
    dns_server.txt[f"_dms-verify.{domain.domain}"] = [f"dms-verify={domain.verification_token}"]


def add_verified(tenant, dns_server, name: str = CUSTOM) -> Domain:
    domain = domains.domain_add(actor="test", tenant=tenant, domain=name)
    publish(dns_server, domain)
    return domains.domain_verify(actor="test", tenant=tenant, domain_id=domain.pk)


def sql_of(queries: CaptureQueriesContext) -> list[str]:
    """The queries run, without django-tenants' `SET search_path` bookkeeping."""
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET search_path")]


def primaries(tenant) -> list[str]:
    return list(tenant.domains.filter(is_primary=True).values_list("domain", flat=True))


def snapshot(tenant) -> list[tuple]:
    return list(
        Domain.objects.filter(tenant=tenant)
        .order_by("pk")
        .values_list("domain", "status", "is_primary", "verified_at", "last_checked_at", "last_check_error")
    )


# --- adding -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "stored"),
    [(CUSTOM, CUSTOM), ("  Order.ACME-brand.TEST. ", CUSTOM), ("订货.品牌.cn", "xn--xc3ay3a.xn--jvr800e.cn")],
)
def test_add_creates_a_pending_custom_domain(tenant_a, value, stored):
    added = domains.domain_add(actor="test", tenant=tenant_a, domain=value)

    row = Domain.objects.get(pk=added.pk)
    assert (row.domain, row.tenant_id, row.kind, row.status, row.is_primary) == (
        stored,
        tenant_a.pk,
        "custom",
        "pending",
        False,
    )
    assert re.fullmatch(r"[0-9a-f]{32}", row.verification_token)
    assert (row.verified_at, row.last_checked_at, row.last_check_error) == (None, None, "")
    assert primaries(tenant_a) == ["acme.localhost"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", INVALID),
        ("not a domain", INVALID),
        ("order", INVALID),
        ("-order.acme-brand.test", INVALID),
        ("order-.acme-brand.test", INVALID),
        ("order_1.acme-brand.test", INVALID),
        ("order..acme-brand.test", INVALID),
        ("*.acme-brand.test", INVALID),
        ("10.0.0.1", INVALID),
        ("a" * 64 + ".test", INVALID),
        ("acme2.localhost", PLATFORM),
        ("GLOBEX.localhost", PLATFORM),
        ("shop.globex-brand.test", "This domain is already in use."),
        ("order.acme-brand.test", "You have added this domain already."),
    ],
)
def test_add_refuses_with_a_field_error_and_writes_nothing(tenant_a, tenant_b, dns_server, value, message):
    domains.domain_add(actor="test", tenant=tenant_a, domain=CUSTOM)
    add_verified(tenant_b, dns_server, "shop.globex-brand.test")  # another workspace's verified domain
    before = Domain.objects.count()

    with pytest.raises(TenantInvalid) as refused:
        domains.domain_add(actor="test", tenant=tenant_a, domain=value)

    assert refused.value.code == "tenant_invalid"
    assert refused.value.fields == {"domain": [message]}
    assert Domain.objects.count() == before


def test_add_stops_at_five_custom_domains(tenant_a):
    for n in range(5):
        domains.domain_add(actor="test", tenant=tenant_a, domain=f"shop{n}.acme-brand.test")

    with pytest.raises(TenantInvalid) as refused:
        domains.domain_add(actor="test", tenant=tenant_a, domain="shop5.acme-brand.test")

    assert refused.value.fields == {"domain": ["You can add at most 5 custom domains."]}
    assert tenant_a.domains.filter(kind="custom").count() == 5


# --- verification -----------------------------------------------------------------------------------


def test_verify_activates_the_domain_through_dns(tenant_a, dns_server):
    added = domains.domain_add(actor="test", tenant=tenant_a, domain=CUSTOM)
    dns_server.txt[RECORD] = ["v=spf1 -all", f"dms-verify={added.verification_token}"]

    domains.domain_verify(actor="test", tenant=tenant_a, domain_id=added.pk)

    row = Domain.objects.get(pk=added.pk)
    assert row.status == "active"
    assert row.verified_at is not None
    assert row.last_checked_at == row.verified_at
    assert row.last_check_error == ""
    assert row.is_primary is False
    assert dns_server.queries == [(RECORD, "TXT")]


NXDOMAIN = (
    "No DNS record named _dms-verify.order.acme-brand.test exists yet. Create the TXT record, or wait a few "
    "minutes for the change to reach the internet, then check again."
)
NO_TXT = "_dms-verify.order.acme-brand.test exists but has no TXT record. Add the TXT record."
MISMATCH = (
    "The TXT record at _dms-verify.order.acme-brand.test does not hold the expected value. "
    "Copy the value shown here exactly."
)


@pytest.mark.parametrize(
    ("records", "code", "message"),
    [
        ({}, "dns_nxdomain", NXDOMAIN),
        ({RECORD: []}, "dns_no_txt", NO_TXT),
        ({RECORD: ["dms-verify=not-the-token", "v=spf1 -all"]}, "dns_txt_mismatch", MISMATCH),
    ],
)
def test_verify_failure_keeps_the_domain_pending_and_records_why(
    tenant_a, dns_server, records, code, message
):
    added = domains.domain_add(actor="test", tenant=tenant_a, domain=CUSTOM)
    dns_server.txt.update(records)

    with pytest.raises(DomainVerificationFailed) as failed:
        domains.domain_verify(actor="test", tenant=tenant_a, domain_id=added.pk)

    assert (failed.value.code, failed.value.detail, failed.value.status) == (code, message, 409)
    row = Domain.objects.get(pk=added.pk)
    assert (row.status, row.verified_at, row.last_check_error) == ("pending", None, message)
    assert row.last_checked_at is not None
    assert host_client(CUSTOM).get("/").status_code == 404


def test_verify_timeout_is_explained(tenant_a, dns_server, settings):
    added = domains.domain_add(actor="test", tenant=tenant_a, domain=CUSTOM)
    dns_server.silent = True
    settings.DNS_TIMEOUT = 0.3

    with pytest.raises(DomainVerificationFailed) as failed:
        domains.domain_verify(actor="test", tenant=tenant_a, domain_id=added.pk)

    message = ("The DNS servers did not answer in time for _dms-verify.order.acme-brand.test. "
               "Please try again in a minute.")
    assert (failed.value.code, failed.value.detail) == ("dns_timeout", message)
    assert Domain.objects.get(pk=added.pk).last_check_error == message


# --- routing ----------------------------------------------------------------------------------------


def test_pending_domain_host_is_a_404(tenant_a):
    domains.domain_add(actor="test", tenant=tenant_a, domain=CUSTOM)

    with CaptureQueriesContext(connection) as queries:
        response = host_client(CUSTOM).get("/")

    assert response.status_code == 404
    assert len(sql_of(queries)) == 1
    assert 'data-code="unknown_host"' in response.content.decode()


def test_active_secondary_domain_redirects_to_the_primary_host(tenant_a, dns_server):
    add_verified(tenant_a, dns_server)

    with CaptureQueriesContext(connection) as queries:
        response = host_client(CUSTOM).get("/catalog/?q=cola&page=2")

    assert response.status_code == 301
    assert len(sql_of(queries)) == 2  # the host's domain, then the tenant's primary
    assert response["Location"] == "http://acme.localhost/catalog/?q=cola&page=2"
    # the incoming port is kept for the platform subdomain
    assert host_client(f"{CUSTOM}:8000").get("/").headers["Location"] == "http://acme.localhost:8000/"
    # other methods keep their method and body: 308
    assert host_client(CUSTOM).post("/accounts/login/", {}).status_code == 308


def test_primary_custom_domain_serves_the_brand_and_the_subdomain_redirects_to_it(tenant_a, dns_server):
    verified = add_verified(tenant_a, dns_server)

    domains.domain_make_primary(actor="test", tenant=tenant_a, domain_id=verified.pk)

    assert primaries(tenant_a) == [CUSTOM]
    page = host_client(CUSTOM).get("/")
    assert page.status_code == 200
    assert "Acme Beverage Group" in page.content.decode()
    old = host_client("acme.localhost:8000").get("/console/?tab=1")
    assert old.status_code == 301
    assert old["Location"] == "http://order.acme-brand.test/console/?tab=1"
    other = host_client("globex.localhost").get("/")
    assert other.status_code == 200
    assert "Globex Tiles" in other.content.decode()


# --- make primary, remove ---------------------------------------------------------------------------


def test_make_primary_refuses_a_pending_domain(tenant_a):
    added = domains.domain_add(actor="test", tenant=tenant_a, domain=CUSTOM)

    with pytest.raises(IllegalTransition) as refused:
        domains.domain_make_primary(actor="test", tenant=tenant_a, domain_id=added.pk)

    assert (refused.value.code, refused.value.status) == ("domain_not_active", 409)
    assert primaries(tenant_a) == ["acme.localhost"]


def test_remove_refuses_the_primary_and_the_subdomain_and_removes_a_custom_domain(tenant_a, dns_server):
    verified = add_verified(tenant_a, dns_server)
    subdomain = tenant_a.domains.get(domain="acme.localhost")
    domains.domain_make_primary(actor="test", tenant=tenant_a, domain_id=verified.pk)

    with pytest.raises(IllegalTransition) as primary:
        domains.domain_remove(actor="test", tenant=tenant_a, domain_id=verified.pk)
    with pytest.raises(IllegalTransition) as platform:
        domains.domain_remove(actor="test", tenant=tenant_a, domain_id=subdomain.pk)

    assert (primary.value.code, platform.value.code) == ("domain_is_primary", "domain_not_custom")
    assert sorted(tenant_a.domains.values_list("domain", flat=True)) == ["acme.localhost", CUSTOM]

    domains.domain_make_primary(actor="test", tenant=tenant_a, domain_id=subdomain.pk)
    removed = domains.domain_remove(actor="test", tenant=tenant_a, domain_id=verified.pk)

    assert removed.domain == CUSTOM
    assert list(tenant_a.domains.values_list("domain", "is_primary")) == [("acme.localhost", True)]
    assert host_client(CUSTOM).get("/").status_code == 404


# --- TLS on demand ----------------------------------------------------------------------------------


@pytest.fixture
def tls_domains(tenant_a, tenant_b, dns_server):
    add_verified(tenant_a, dns_server)
    domains.domain_add(actor="test", tenant=tenant_a, domain="pending.acme-brand.test")
    add_verified(tenant_b, dns_server, name="shop.globex-brand.test")
    tenant_services.tenant_delete(actor="test", tenant=tenant_b, reason="closed account")


@pytest.mark.parametrize(
    ("query", "status", "body"),
    [
        ("?domain=order.acme-brand.test", 200, "ok\n"),
        ("?domain=ORDER.acme-brand.test.", 200, "ok\n"),
        ("?domain=acme.localhost", 200, "ok\n"),
        ("?domain=pending.acme-brand.test", 404, "unknown domain\n"),
        ("?domain=shop.globex-brand.test", 404, "unknown domain\n"),
        ("?domain=globex.localhost", 404, "unknown domain\n"),
        ("?domain=unknown.example.test", 404, "unknown domain\n"),
        ("?domain=", 404, "unknown domain\n"),
        ("", 404, "unknown domain\n"),
    ],
)
def test_tls_ask_allows_only_active_domains_of_live_tenants(tls_domains, query, status, body):
    response = host_client("10.1.2.3").get(f"/internal/tls-ask{query}")

    assert (response.status_code, response.content.decode()) == (status, body)


# --- isolation --------------------------------------------------------------------------------------


@pytest.fixture
def domains_of_a(tenant_a, dns_server):
    """Tenant A's active custom domain and a pending one whose TXT record is published."""
    active = add_verified(tenant_a, dns_server)
    pending = domains.domain_add(actor="test", tenant=tenant_a, domain="pending.acme-brand.test")
    publish(dns_server, pending)
    return {"active": active, "pending": pending}


@pytest.mark.parametrize(
    ("action", "which"),
    [("verify", "pending"), ("make-primary", "active"), ("remove", "active"), ("remove", "pending")],
)
def test_another_tenant_cannot_act_on_a_domain_by_id(
    tenant_a, tenant_b, domains_of_a, owner_b, action, which
):
    before_a, before_b = snapshot(tenant_a), snapshot(tenant_b)

    response = owner_b.post(f"/console/domains/{domains_of_a[which].pk}/{action}/")

    assert response.status_code == 404
    assert (snapshot(tenant_a), snapshot(tenant_b)) == (before_a, before_b)


@pytest.mark.parametrize(
    "service", [domains.domain_verify, domains.domain_make_primary, domains.domain_remove]
)
def test_domain_services_do_not_find_another_tenants_domain(tenant_a, tenant_b, domains_of_a, service):
    before = snapshot(tenant_a)

    with pytest.raises(DomainNotFound) as missing:
        service(actor="test", tenant=tenant_b, domain_id=domains_of_a["pending"].pk)

    assert (missing.value.code, missing.value.status) == ("domain_not_found", 404)
    assert snapshot(tenant_a) == before


# --- the console page -------------------------------------------------------------------------------


def test_console_domains_requires_sign_in(client_a):
    response = client_a.get("/console/domains/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/console/domains/"


def test_console_domains_is_refused_to_a_user_without_console_access(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        UserFactory(email="clerk@acme.test")
    client = signed_in("acme.localhost", "clerk@acme.test")

    assert client.get("/console/domains/").status_code == 403


def test_console_domains_lists_the_addresses_of_the_owner(owner_a):
    page = owner_a.get("/console/domains/")

    assert page.status_code == 200
    body = page.content.decode()
    assert "<strong>acme.localhost</strong>" in body
    assert '<span class="badge active">Active</span>' in body
    assert "No custom domain yet" in body
    assert 'action="/console/domains/"' in body
    assert 'name="domain"' in body


def test_console_adds_a_domain_and_shows_its_txt_record(tenant_a, owner_a):
    response = owner_a.post("/console/domains/", {"domain": "Order.Acme-Brand.test"})

    assert response.status_code == 302
    assert response["Location"] == "/console/domains/"
    added = tenant_a.domains.get(domain=CUSTOM)
    assert added.status == "pending"
    body = owner_a.get("/console/domains/").content.decode()
    assert "order.acme-brand.test added. Create the TXT record below, then verify it." in body
    assert f"<code>{RECORD}</code>" in body
    assert f"<code>dms-verify={added.verification_token}</code>" in body
    assert '<span class="badge pending">Waiting for DNS verification</span>' in body
    assert f'action="/console/domains/{added.pk}/verify/"' in body
    assert 'data-confirm="Remove order.acme-brand.test? It stops serving this workspace at once."' in body
    assert "No custom domain yet" not in body


def test_console_add_shows_the_field_error_and_adds_nothing(tenant_a, owner_a):
    response = owner_a.post("/console/domains/", {"domain": "acme2.localhost"})

    assert response.status_code == 200
    assert f'<ul class="errorlist"><li>{PLATFORM}</li></ul>' in response.content.decode()
    assert list(tenant_a.domains.values_list("domain", flat=True)) == ["acme.localhost"]


def test_console_verify_reports_failure_then_success(tenant_a, owner_a, dns_server):
    added = domains.domain_add(actor="test", tenant=tenant_a, domain=CUSTOM)

    failed = owner_a.post(f"/console/domains/{added.pk}/verify/", follow=True)

    assert failed.redirect_chain == [("/console/domains/", 302)]
    assert failed.content.decode().count(NXDOMAIN) == 2  # the toast and the row's last check
    publish(dns_server, added)
    verified = owner_a.post(f"/console/domains/{added.pk}/verify/", follow=True)
    assert "order.acme-brand.test is verified." in verified.content.decode()
    assert Domain.objects.get(pk=added.pk).status == "active"


def test_console_make_primary_moves_the_workspace_to_the_custom_domain(tenant_a, owner_a, dns_server):
    verified = add_verified(tenant_a, dns_server)

    response = owner_a.post(f"/console/domains/{verified.pk}/make-primary/")

    assert response.status_code == 302
    assert primaries(tenant_a) == [CUSTOM]
    moved = owner_a.get("/console/domains/")
    assert moved.status_code == 301
    assert moved["Location"] == "http://order.acme-brand.test/console/domains/"


# --- competing claims and expiry ----------------------------------------------------------------------


def test_a_pending_claim_does_not_keep_the_real_owner_out(tenant_a, tenant_b):
    squatter = domains.domain_add(actor="test", tenant=tenant_b, domain=CUSTOM)

    claim = domains.domain_add(actor="test", tenant=tenant_a, domain=CUSTOM)

    assert (claim.tenant_id, claim.status) == (tenant_a.pk, "pending")
    assert claim.verification_token != squatter.verification_token
    assert Domain.objects.get(pk=squatter.pk).status == "pending"


def test_the_workspace_that_proves_the_domain_gets_it_and_the_other_claim_is_taken(
    tenant_a, tenant_b, dns_server, owner_b
):
    squatter = domains.domain_add(actor="test", tenant=tenant_b, domain=CUSTOM)
    owner = domains.domain_add(actor="test", tenant=tenant_a, domain=CUSTOM)
    publish(dns_server, owner)  # only the real owner can publish its token at the domain's DNS

    domains.domain_verify(actor="test", tenant=tenant_a, domain_id=owner.pk)

    assert Domain.objects.get(pk=owner.pk).status == "active"
    assert Domain.objects.get(pk=squatter.pk).status == "taken"
    dns_server.txt[RECORD].append(f"dms-verify={squatter.verification_token}")  # even with its record now
    with pytest.raises(IllegalTransition) as refused:
        domains.domain_verify(actor="test", tenant=tenant_b, domain_id=squatter.pk)
    assert refused.value.code == "domain_taken"
    assert Domain.objects.get(pk=squatter.pk).status == "taken"
    served = host_client(CUSTOM).get("/accounts/login/")  # the winner's (secondary) domain: to its primary
    assert (served.status_code, served["Location"]) == (301, "http://acme.localhost/accounts/login/")
    page = owner_b.get("/console/domains/").content.decode()  # the loser is told on its domains page
    assert '<span class="badge taken">Verified by another workspace</span>' in page
    assert (f"Another workspace proved through DNS that it controls {CUSTOM}, so your claim was withdrawn."
            in page)
    assert f'action="/console/domains/{squatter.pk}/verify/"' not in page
    assert f'action="/console/domains/{squatter.pk}/remove/"' in page


def test_a_claim_made_while_another_was_verified_loses_without_an_error(tenant_a, tenant_b, dns_server):
    owner = domains.domain_add(actor="test", tenant=tenant_a, domain=CUSTOM)
    late = domains.domain_add(actor="test", tenant=tenant_b, domain=CUSTOM)
    publish(dns_server, owner)
    dns_server.txt[RECORD].append(f"dms-verify={late.verification_token}")
    domains.domain_verify(actor="test", tenant=tenant_a, domain_id=owner.pk)
    # the race: tenant B's claim was inserted after tenant A's check took the others (it was still pending)
    Domain.objects.filter(pk=late.pk).update(status="pending")

    with pytest.raises(IllegalTransition) as refused:
        domains.domain_verify(actor="test", tenant=tenant_b, domain_id=late.pk)

    assert refused.value.code == "domain_taken"
    assert list(Domain.objects.filter(domain=CUSTOM).order_by("pk").values_list("tenant_id", "status")) == [
        (tenant_a.pk, "active"), (tenant_b.pk, "taken")]


def test_an_expired_claim_cannot_be_verified_counts_for_nothing_and_is_replaced_when_added_again(
    tenant_a, dns_server, owner_a, settings
):
    settings.CUSTOM_DOMAIN_CLAIM_DAYS = 7
    old = domains.domain_add(actor="test", tenant=tenant_a, domain=CUSTOM)
    Domain.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=7, seconds=1))
    publish(dns_server, old)

    with pytest.raises(IllegalTransition) as refused:
        domains.domain_verify(actor="test", tenant=tenant_a, domain_id=old.pk)

    assert refused.value.code == "domain_claim_expired"
    assert Domain.objects.get(pk=old.pk).status == "pending"
    page = owner_a.get("/console/domains/").content.decode()
    assert '<span class="badge pending">Claim expired</span>' in page
    assert f"Add {CUSTOM} again to get a new TXT record." in page
    assert f'action="/console/domains/{old.pk}/verify/"' not in page
    for n in range(5):  # the expired claim is not counted in the limit of five
        domains.domain_add(actor="test", tenant=tenant_a, domain=f"shop{n}.acme-brand.test")
    Domain.objects.filter(tenant=tenant_a, domain__startswith="shop0.").delete()
    renewed = domains.domain_add(actor="test", tenant=tenant_a, domain=CUSTOM)
    assert renewed.pk != old.pk and renewed.verification_token != old.verification_token
    assert list(tenant_a.domains.filter(domain=CUSTOM).values_list("status", flat=True)) == ["pending"]


def test_a_fresh_claim_shows_when_it_expires(tenant_a, owner_a, settings):
    settings.CUSTOM_DOMAIN_CLAIM_DAYS = 7
    added = domains.domain_add(actor="test", tenant=tenant_a, domain=CUSTOM)

    page = owner_a.get("/console/domains/").content.decode()

    expires = date_format(timezone.localtime(added.created_at + timedelta(days=7)), "DATE_FORMAT")
    assert f"Verify before {expires}: the claim expires then." in page
