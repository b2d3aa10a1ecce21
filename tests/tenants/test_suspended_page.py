"""A suspended workspace: a page in the reader's language (the brand's by default) that says why and whom to
contact (the platform's support, not the brand), where the owner may sign in to see the plan; JSON under /api/."""

from tenant_apps.accounts.services import user_create
from tenants import services
from tenants.models import Tenant
from tests.conftest import host_client
from tests.factories import DEFAULT_PASSWORD


def _suspend(tenant, reason="Unpaid invoice 2026-11"):
    return services.tenant_suspend(actor="ops@platform.test", tenant=tenant, reason=reason)


def test_the_page_says_why_and_whom_to_contact_in_chinese(tenant_a):
    _suspend(tenant_a, reason="账单逾期未付")
    response = host_client("acme.localhost", "zh-hans").get("/console/")
    page = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="zh-hans">' in page and 'data-code="tenant_suspended"' in page
    assert "Acme Beverage Group 的工作台已暂停使用" in page
    assert "平台运营方已于" in page and "原因：" in page and "账单逾期未付" in page
    assert "如需恢复，请由工作台所有者联系平台客服：" in page
    assert '<a href="mailto:support@localhost">support@localhost</a>' in page
    assert "数据不会被删除" in page
    assert 'href="/accounts/login/?next=/"' in page and "您是所有者？登录查看套餐与账单" in page


def test_the_page_in_english_names_the_operator_not_the_brand(tenant_a):
    _suspend(tenant_a)
    page = host_client("acme.localhost", "en").get("/").content.decode()
    assert "The Acme Beverage Group workspace is suspended" in page
    assert "The platform operator suspended this workspace on" in page and "Unpaid invoice 2026-11" in page
    assert "the workspace owner contacts the platform's support:" in page
    assert "contact Acme" not in page


def test_without_a_browser_language_the_page_is_in_the_brand_s_language(tenant_a):
    tenant_a = services.tenant_branding_update(actor=None, tenant=tenant_a, default_locale="en")
    _suspend(tenant_a)
    page = host_client("acme.localhost", "").get("/").content.decode()
    assert '<html lang="en">' in page and "workspace is suspended" in page


def test_the_owner_signs_in_and_sees_the_plan_others_do_not(tenant_a, in_tenant):
    Tenant.objects.filter(pk=tenant_a.pk).update(plan_id=_growth_plan_id())
    with in_tenant(tenant_a):
        user_create(actor=None, email="admin@acme.test", password=DEFAULT_PASSWORD, role="admin")
    _suspend(tenant_a)
    owner = host_client("acme.localhost")
    assert owner.get("/accounts/login/").status_code == 200
    signed_in = owner.post("/accounts/login/?next=/", {"username": "owner@acme.test", "password": DEFAULT_PASSWORD})
    assert signed_in.status_code == 302
    page = owner.get("/").content.decode()
    assert 'id="billing"' in page and "Growth" in page and "¥6,999.00" in page and "acme.localhost" in page
    assert 'action="/accounts/logout/"' in page and 'id="owner-sign-in"' not in page
    assert owner.get("/console/orders/").status_code == 403  # signed in, still closed

    admin = host_client("acme.localhost")
    assert admin.post("/accounts/login/",
                      {"username": "admin@acme.test", "password": DEFAULT_PASSWORD}).status_code == 302
    page = admin.get("/").content.decode()
    assert 'id="billing"' not in page and "Growth" not in page and 'data-code="tenant_suspended"' in page


def test_the_api_answers_403_json_and_a_restored_workspace_opens_again(tenant_a, client_a):
    _suspend(tenant_a)
    api = client_a.get("/api/v1/me/")
    assert (api.status_code, api.json()["code"]) == (403, "tenant_suspended")
    services.tenant_restore(actor="ops@platform.test", tenant=tenant_a, reason="paid")
    assert client_a.get("/").status_code == 200


def _growth_plan_id() -> int:
    from billing_saas.models import Plan

    return Plan.objects.get(code="growth").pk
