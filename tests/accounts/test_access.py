"""People and access: invitations, login throttling, password reset and change."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from tenant_apps.accounts import invitations
from tenant_apps.accounts.errors import InvitationInvalid, InvitationUnusable
from tenant_apps.accounts.models import Invitation, User
from tenant_apps.accounts.services import user_create
from tenant_apps.dealers import services as dealer_services
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD

LINK = re.compile(r"http://acme\.localhost(/accounts/invite/[\w-]+/)")


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shop(tenant_a, in_tenant):
    """Acme's HQ -> East -> dealer SH-001, and the owner; in tenant A's schema."""
    with in_tenant(tenant_a):
        hq = dealer_services.headquarters_ensure(name="Acme HQ")
        east = dealer_services.region_create(actor=None, parent=hq, name="华东", code="EAST")
        south = dealer_services.region_create(actor=None, parent=hq, name="华南", code="SOUTH")
        dealer = dealer_services.dealer_create(actor=None, parent=east, code="SH-001", legal_name="上海经销商")
        other = dealer_services.dealer_create(actor=None, parent=south, code="GD-001", legal_name="广州经销商")
        owner = User.objects.get(email="owner@acme.test")
        yield {"hq": hq, "east": east, "dealer": dealer, "other": other, "owner": owner}


def _invite(shop, **kwargs):
    args = {"actor": shop["owner"], "email": "buyer@sh.test", "role": "dealer_buyer", "dealer": shop["dealer"]}
    return dealer_services.invitation_create(**{**args, **kwargs})


def test_an_invited_dealer_buyer_accepts_and_lands_on_the_ordering_home(
    shop, tenant_a, in_tenant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, raw = _invite(shop)
    assert mail.outbox[0].to == ["buyer@sh.test"]
    path = LINK.search(mail.outbox[0].body).group(1)
    assert path == f"/accounts/invite/{raw}/"
    client = host_client("acme.localhost")
    page = client.get(path)
    assert page.status_code == 200 and "buyer@sh.test" in page.content.decode()
    accepted = client.post(path, {"full_name": "李四", "password": DEFAULT_PASSWORD})
    assert accepted.status_code == 302 and accepted["Location"] == "/"
    home = client.get("/")
    # the ordering home, not a blank page
    assert home.status_code == 200 and 'id="home-actions"' in home.content.decode()
    with in_tenant(tenant_a):  # requests leave the connection on the public schema
        user = User.objects.get(email="buyer@sh.test")
    assert (user.role, user.dealer_id, user.full_name) == ("dealer_buyer", shop["dealer"].pk, "李四")
    assert "上海经销商" in client.get("/account/company/").content.decode()
    assert client.get("/api/v1/me/").json()["email"] == "buyer@sh.test"
    # single use
    again = host_client("acme.localhost").get(path)
    assert again.status_code == 410
    with in_tenant(tenant_a):
        assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None


def test_pending_invitations_name_the_role_in_words(shop):
    _invite(shop)
    owner = host_client("acme.localhost", "zh-hans")
    assert owner.post("/accounts/login/",
                      {"username": shop["owner"].email, "password": DEFAULT_PASSWORD}).status_code == 302
    people = owner.get("/accounts/people/").content.decode()
    assert "buyer@sh.test" in people and '<div class="small muted">经销商采购 · 上海经销商 · ' in people
    assert ">dealer_buyer" not in people  # the code stays in the role select's option values only


def test_a_dealers_page_invites_its_owner_in_one_step(shop, tenant_a, in_tenant):
    """From a dealer's page the brand invites that dealer's owner: the form opens with the dealer and the role
    chosen, and sending it goes back to the dealer's page."""
    owner = host_client("acme.localhost", "zh-hans")
    owner.force_login(shop["owner"])
    dealer = shop["dealer"]
    page = owner.get(f"/console/network/dealers/{dealer.pk}/").content.decode()
    link = re.search(r'href="(/accounts/people/\?role=dealer_owner&amp;dealer=(\d+)&amp;next=[^"#]+)', page)
    assert link and int(link.group(2)) == dealer.pk and "邀请用户" in page
    url = link.group(1).replace("&amp;", "&")
    form = owner.get(url).content.decode()
    assert f'<option value="{dealer.pk}" selected>' in form
    assert '<option value="dealer_owner" selected>' in form
    sent = owner.post(url, {"email": "boss@sh.test", "role": "dealer_owner", "dealer": dealer.pk})
    assert sent.status_code == 302 and sent["Location"] == f"/console/network/dealers/{dealer.pk}/"
    with in_tenant(tenant_a):
        invitation = Invitation.objects.get(email="boss@sh.test")
    assert (invitation.role, invitation.dealer_id) == ("dealer_owner", dealer.pk)


def test_expired_or_revoked_invitations_cannot_be_used(shop):
    invitation, raw = _invite(shop)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(InvitationUnusable):
        invitations.invitation_accept(raw_token=raw, full_name="x", password=DEFAULT_PASSWORD)
    invitation, raw = _invite(shop, email="other@sh.test")
    invitations.invitation_revoke(actor=shop["owner"], invitation_id=invitation.pk)
    assert host_client("acme.localhost").get(f"/accounts/invite/{raw}/").status_code == 410
    assert not User.objects.filter(email__in=["buyer@sh.test", "other@sh.test"]).exists()


@pytest.mark.parametrize(("inviter_role", "kwargs", "field"), [
    ("owner", {"role": "owner"}, "role"),
    ("owner", {"role": "support"}, "role"),
    ("owner", {"role": "dealer_buyer", "dealer": None}, "dealer"),
    ("owner", {"role": "regional_manager", "dealer": None}, "scope_node"),
    ("owner", {"email": "owner@acme.test"}, "email"),
    ("owner", {"email": "not-an-email"}, "email"),
    ("regional_manager", {"role": "admin"}, "role"),
    ("regional_manager", {"dealer": "other"}, "dealer"),  # outside their region
    ("dealer_owner", {"role": "admin"}, "role"),
    ("warehouse", {}, "role"),
])
def test_who_may_invite_whom(shop, inviter_role, kwargs, field):
    inviter = shop["owner"]
    if inviter_role != "owner":
        inviter = user_create(actor=None, email=f"{inviter_role}@acme.test", password=DEFAULT_PASSWORD,
                              role=inviter_role,
                              scope_node=shop["east"] if inviter_role == "regional_manager" else None,
                              dealer=shop["dealer"] if inviter_role == "dealer_owner" else None)
    if kwargs.get("dealer") == "other":
        kwargs = {**kwargs, "dealer": shop["other"]}
    with pytest.raises(InvitationInvalid) as error:
        _invite(shop, actor=inviter, **kwargs)
    assert field in error.value.fields
    assert not Invitation.objects.exists()


def test_a_dealer_owner_invites_staff_of_their_own_company_only(shop):
    dealer_owner = user_create(actor=None, email="boss@sh.test", password=DEFAULT_PASSWORD, role="dealer_owner",
                               dealer=shop["dealer"])
    invitation, _raw = _invite(shop, actor=dealer_owner, dealer=shop["other"])  # the dealer is forced to their own
    assert invitation.dealer_id == shop["dealer"].pk


def test_invitations_respect_the_plan_user_limit(shop):
    from billing_saas.limits import PlanLimitReached
    from billing_saas.models import Plan

    for plan in Plan.objects.all():
        plan.max_users = 1
        plan.save()
    with pytest.raises(PlanLimitReached):
        _invite(shop)


def test_sign_in_is_throttled_after_repeated_failures(tenant_a):
    client = host_client("acme.localhost")
    for _attempt in range(5):
        failed = client.post("/accounts/login/", {"username": "owner@acme.test", "password": "wrong-password"})
        assert failed.status_code == 200
    # now even the right password is refused, with a clear message
    refused = client.post("/accounts/login/", {"username": "owner@acme.test", "password": DEFAULT_PASSWORD})
    assert refused.status_code == 200
    assert "Too many failed sign-ins. Wait a moment, then try again." in refused.content.decode()
    api = host_client("acme.localhost").post("/api/v1/auth/login/", {"email": "owner@acme.test",
                                                                       "password": DEFAULT_PASSWORD},
                                              content_type="application/json")
    assert api.status_code == 429
    # another brand's account of the same email is not affected (cache keys are per tenant)
    assert host_client("globex.localhost").post(
        "/accounts/login/", {"username": "owner@globex.test", "password": DEFAULT_PASSWORD}).status_code == 302


def test_password_reset_by_email_on_the_brand_host(tenant_a):
    client = host_client("acme.localhost")
    sent = client.post("/accounts/password/reset/", {"email": "owner@acme.test"})
    assert sent.status_code == 302
    link = re.search(r"http://acme\.localhost(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "brand-new-Passw0rd", "new_password2": "brand-new-Passw0rd"})
    assert done.status_code == 302
    assert host_client("acme.localhost").post(
        "/accounts/login/", {"username": "owner@acme.test", "password": "brand-new-Passw0rd"}).status_code == 302


def test_password_change_api(tenant_a):
    client = host_client("acme.localhost")
    client.post("/accounts/login/", {"username": "owner@acme.test", "password": DEFAULT_PASSWORD})
    changed = client.post("/api/v1/auth/password/change/", {"old_password": DEFAULT_PASSWORD,
                                                             "new_password1": "another-Passw0rd-9",
                                                             "new_password2": "another-Passw0rd-9"},
                          content_type="application/json")
    assert changed.status_code == 200, changed.content


def test_invitation_api_create_and_accept(shop, tenant_a, in_tenant):
    client = host_client("acme.localhost")
    client.post("/accounts/login/", {"username": "owner@acme.test", "password": DEFAULT_PASSWORD})
    created = client.post("/api/v1/invitations/", {"email": "fin@sh.test", "role": "dealer_finance",
                                                   "dealer": shop["dealer"].pk}, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "pending"
    refused = client.post("/api/v1/invitations/", {"email": "x@sh.test", "role": "owner"},
                          content_type="application/json")
    assert refused.status_code == 400 and "role" in refused.json()["fields"]
    with in_tenant(tenant_a):  # requests leave the connection on the public schema
        _invitation, raw = _invite(shop, email="api@sh.test")
    accepted = host_client("acme.localhost").post("/api/v1/invitations/accept/", {
        "token": raw, "full_name": "API Buyer", "password": DEFAULT_PASSWORD}, content_type="application/json")
    assert accepted.status_code == 201 and accepted.json()["role"] == "dealer_buyer"
    bad = host_client("acme.localhost").post("/api/v1/invitations/accept/", {
        "token": raw, "full_name": "x", "password": DEFAULT_PASSWORD}, content_type="application/json")
    assert bad.status_code == 409 and bad.json()["code"] == "invitation_unusable"


def test_two_step_sign_in_for_brand_staff(tenant_a, in_tenant):
    import pyotp

    client = host_client("acme.localhost")
    client.cookies["django_language"] = "en"  # the owner's own language is zh-Hans; read English here
    client.post("/accounts/login/", {"username": "owner@acme.test", "password": DEFAULT_PASSWORD})
    client.post("/accounts/security/", {"action": "begin"})
    with in_tenant(tenant_a):
        secret = User.objects.get(email="owner@acme.test").totp_secret
    wrong = client.post("/accounts/security/", {"action": "confirm", "code": "000000"})
    assert "That code is not right." in wrong.content.decode()
    client.post("/accounts/security/", {"action": "confirm", "code": pyotp.TOTP(secret).now()})
    with in_tenant(tenant_a):
        assert User.objects.get(email="owner@acme.test").totp_enabled is True

    page = host_client("acme.localhost")
    asked = page.post("/accounts/login/", {"username": "owner@acme.test", "password": DEFAULT_PASSWORD})
    assert asked.status_code == 200 and 'name="otp"' in asked.content.decode()
    signed_in = page.post("/accounts/login/", {"username": "owner@acme.test", "password": DEFAULT_PASSWORD,
                                               "otp": pyotp.TOTP(secret).now()})
    assert signed_in.status_code == 302

    api = host_client("acme.localhost")
    body = {"email": "owner@acme.test", "password": DEFAULT_PASSWORD}
    missing = api.post("/api/v1/auth/login/", body, content_type="application/json")
    assert missing.status_code == 400 and "otp" in missing.json()["fields"]
    ok = api.post("/api/v1/auth/login/", {**body, "otp": pyotp.TOTP(secret).now()}, content_type="application/json")
    assert ok.status_code == 200 and "key" in ok.json()


def test_two_step_sign_in_is_not_for_dealer_staff(shop):
    from tenant_apps.accounts.errors import UserInvalid
    from tenant_apps.accounts.totp import totp_begin

    buyer = user_create(actor=None, email="b@sh.test", password=DEFAULT_PASSWORD, role="dealer_buyer",
                        dealer=shop["dealer"])
    with pytest.raises(UserInvalid):
        totp_begin(actor=buyer)
