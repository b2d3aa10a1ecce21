from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from onboarding import services
from onboarding.api import SignupThrottle
from onboarding.errors import SignupInvalid
from onboarding.forms import FindWorkspaceForm, SignupForm, WorkspaceAddressForm
from onboarding.slugs import suggest
from tenant_apps.core.clients import page_throttled
from tenants.errors import TenantNotFound
from tenants.models import TenantStatus
from tenants.selectors import tenant_get_by_slug
from tenants.services import slug_errors, tenant_url


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.method == "POST":
        if refused := page_throttled(request, SignupThrottle):
            return refused
        form = SignupForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.signup_submit(
                    company_name=data["company_name"], slug=data["slug"], owner_name=data["owner_name"],
                    email=data["email"], password=data["password"], locale=data["locale"],
                    currency=data["currency"], plan_code=data["plan"],
                )
            except SignupInvalid as error:
                for field, messages in error.fields.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                return redirect(result.handoff_url)
    else:
        # the pricing page's "start free trial" of a plan in a currency arrives with both chosen
        chosen = {name: request.GET[name] for name in ("plan", "currency") if request.GET.get(name)}
        form = SignupForm(initial={"locale": get_language() if get_language() in ("zh-hans", "en") else "zh-hans",
                                   **chosen})
    return render(request, "onboarding/signup.html", {"form": form, "platform_host": settings.PLATFORM_DOMAIN})


@require_GET
def slug_check(request):
    """htmx: the subdomain field, checked live; suggested from the company name until the user types one."""
    typed = request.GET.get("typed") == "1"
    slug = (request.GET.get("slug") or "").strip().lower()
    if not typed and request.GET.get("company_name") is not None:
        slug = suggest(request.GET.get("company_name", "")) or slug
    problems = slug_errors(slug) if slug else []
    return render(request, "onboarding/_slug_field.html", {
        "slug": slug, "problems": problems, "typed": typed, "platform_host": settings.PLATFORM_DOMAIN,
    })


@require_http_methods(["GET", "POST"])
def find_workspace(request):
    """Sign in, for people who come back to the platform's site: the address of their workspace takes them to its
    sign-in page (?workspace=acme); or the list of their workspaces is mailed to them."""
    address = WorkspaceAddressForm(request.GET if "workspace" in request.GET else None)
    status = 200
    if address.is_bound:
        if address.is_valid():
            try:
                tenant = tenant_get_by_slug(address.cleaned_data["workspace"])
            except TenantNotFound:
                tenant = None
            if tenant is not None and tenant.status != TenantStatus.DELETED:
                return redirect(tenant_url(tenant.slug, "/accounts/login/"))
            address.add_error("workspace", _("No workspace has this address. Check it, or have your list mailed "
                                             "to you below."))
        status = 400
    sent = False
    if request.method == "POST":
        form = FindWorkspaceForm(request.POST)
        if form.is_valid():
            services.workspace_find(email=form.cleaned_data["email"])
            sent = True
    else:
        form = FindWorkspaceForm()
    return render(request, "onboarding/find.html", {
        "form": form, "sent": sent, "address": address, "platform_host": settings.PLATFORM_DOMAIN}, status=status)
