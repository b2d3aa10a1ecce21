from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from onboarding import services
from onboarding.errors import SignupInvalid
from onboarding.forms import FindWorkspaceForm, SignupForm
from onboarding.slugs import suggest
from tenants.services import slug_errors


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.method == "POST":
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
        form = SignupForm(initial={"locale": get_language() if get_language() in ("zh-hans", "en") else "zh-hans"})
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
    sent = False
    if request.method == "POST":
        form = FindWorkspaceForm(request.POST)
        if form.is_valid():
            services.workspace_find(email=form.cleaned_data["email"])
            sent = True
    else:
        form = FindWorkspaceForm()
    return render(request, "onboarding/find.html", {"form": form, "sent": sent})
