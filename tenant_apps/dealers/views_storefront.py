"""The dealer's own pages on the storefront (/account/): my account, my company, my addresses.
Mobile first; the company is always the signed-in user's own dealer (a 404 without one)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenant_apps.accounts import invitations
from tenant_apps.accounts import services as account_services
from tenant_apps.accounts.access import is_console_user, requires
from tenant_apps.accounts.forms import PasswordChangeForm
from tenant_apps.accounts.permissions import (
    ACCOUNT_EDIT,
    COMPANY_ADDRESSES,
    COMPANY_USERS,
    COMPANY_VIEW,
    FINANCE_VIEW_OWN,
    REPORTS_VIEW_OWN,
    dealer_rights,
    has_perm,
)
from tenant_apps.accounts.selectors import invitations_visible_to
from tenant_apps.core.errors import DomainError, NotFound
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.core.uploads import media_response
from tenant_apps.dealers import people, selectors, services
from tenant_apps.dealers.forms import CompanyInviteForm, PersonRightsForm, ProfileForm, ShippingAddressForm
from tenant_apps.dealers.models import DealerAddress, Qualification
from tenant_apps.dealers.views import dealer_or_404, qualification_rows, status_badge

TABS = [
    ("account", "storefront:account", ACCOUNT_EDIT, gettext_lazy("My account")),
    ("company", "storefront:company", COMPANY_VIEW, gettext_lazy("My company")),
    ("addresses", "storefront:addresses", COMPANY_ADDRESSES, gettext_lazy("Addresses")),
    ("people", "storefront:people", COMPANY_USERS, gettext_lazy("People")),
    ("finance", "finance:home", FINANCE_VIEW_OWN, gettext_lazy("Finance account")),
    ("statements", "finance:statements", FINANCE_VIEW_OWN, gettext_lazy("My statements")),
    ("purchases", "reporting_storefront:dashboard", REPORTS_VIEW_OWN, gettext_lazy("My purchases")),
]


def account_tabs(request, active: str) -> list[dict]:
    """The account pages this user has (company and finance pages only for a dealer's staff); other apps' account
    pages show the same tabs."""
    user = request.user
    return [{"url": reverse(url_name), "label": label, "active": key == active}
            for key, url_name, capability, label in TABS
            if has_perm(user, capability) and (key == "account" or user.dealer_id)]


def _own_dealer(request):
    """The signed-in user's dealer, through the scoped lookup; brand staff have none: 404."""
    if not request.user.dealer_id:
        raise Http404
    return dealer_or_404(request, request.user.dealer_id)


@requires(ACCOUNT_EDIT)
@require_http_methods(["GET", "POST"])
def account(request):
    user = request.user
    action = request.POST.get("action", "") if request.method == "POST" else ""
    profile = ProfileForm(request.POST if action == "profile" else None, prefix="profile",
                          initial={"full_name": user.full_name, "preferred_language": user.preferred_language})
    password = PasswordChangeForm(user, request.POST if action == "password" else None, prefix="password")
    if request.method == "POST":
        if action not in ("profile", "password"):
            return HttpResponseBadRequest(_("Unknown form."))
        if action == "profile" and profile.is_valid():
            account_services.user_profile_update(actor=user, user=user, **profile.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("storefront:account")
        if action == "password" and password.is_valid():
            try:
                account_services.user_password_change(actor=user, user=user,
                                                      old_password=password.cleaned_data["old_password"],
                                                      new_password=password.cleaned_data["new_password1"])
            except DomainError as error:
                apply_domain_error(password, error, field_names=PasswordChangeForm.FIELD_NAMES)
            else:
                # every other session and API token of the user has ended; this one stays signed in
                update_session_auth_hash(request, user)
                messages.success(request, _("Your password has been changed."))
                return redirect("storefront:account")
    return render(request, "dealers/storefront/account.html", {
        "profile_form": profile, "password_form": password,
        "layout": "layouts/console.html" if is_console_user(user) else "layouts/storefront.html",
        "tabs": account_tabs(request, "account"),
    })


@requires(COMPANY_VIEW)
@require_GET
def company(request):
    dealer = _own_dealer(request)
    today = timezone.localdate()
    return render(request, "dealers/storefront/company.html", {
        "dealer": dealer, "badge": status_badge(dealer.status), "tabs": account_tabs(request, "company"),
        "territories": list(dealer.territories.all()),
        "contacts": list(dealer.contacts.all()),
        "qualifications": qualification_rows(dealer, today),
        "blockers": selectors.qualification_blockers(dealer=dealer, today=today),
    })


@requires(COMPANY_ADDRESSES)
@require_http_methods(["GET", "POST"])
def addresses(request):
    dealer = _own_dealer(request)
    form = ShippingAddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            address = services.address_add(actor=request.user, dealer=dealer, kind=DealerAddress.Kind.SHIPPING,
                                           **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            if address.outside_territory:
                messages.warning(request, _("Address added. It is outside your sales territories, so your "
                                            "brand will review orders shipped there."))
            else:
                messages.success(request, _("Address added."))
            return redirect("storefront:addresses")
    return render(request, "dealers/storefront/addresses.html", {
        "dealer": dealer, "form": form, "tabs": account_tabs(request, "addresses"),
        "addresses": list(dealer.addresses.select_related("territory")),
    })


@login_required
def qualification_file(request, qualification_id: int):
    """A qualification's uploaded document, for users who may see its dealer (404 otherwise).
    Never served as plain media: licences are sensitive."""
    qualification = (
        Qualification.objects.filter(pk=qualification_id, dealer__in=selectors.dealers_visible_to(request.user))
        .exclude(file="")
        .first()
    )
    if qualification is None:
        raise Http404
    # Always a download (never rendered on the brand's origin), whatever the stored name says.
    return media_response(qualification.file.open("rb"), name=qualification.file.name, attachment=True)


# --- My company > People: the owner runs their own people (dealers.people) ---------------------------------


def _rights_form(person, data=None) -> PersonRightsForm:
    return PersonRightsForm(data, prefix=f"p{person.pk}", initial={
        **dealer_rights(person), "approval_limit": person.approval_limit})


@requires(COMPANY_USERS)
@require_http_methods(["GET", "POST"])
def company_people(request):
    dealer = _own_dealer(request)
    form = CompanyInviteForm(request.POST or None, prefix="invite")
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(actor=request.user, email=form.cleaned_data["email"],
                                       role=form.cleaned_data["role"], dealer=dealer)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("storefront:people")
    return _people_page(request, form=form, status=400 if form.errors else 200)


def _people_page(request, *, form: CompanyInviteForm | None = None, status: int = 200):
    """The People page; after a refused change, again with the refusal's status (the message says why)."""
    managed = people.people_managed_by_dealers()
    persons = list(selectors.company_people(actor=request.user))
    return render(request, "dealers/storefront/people.html", {
        "dealer": _own_dealer(request), "tabs": account_tabs(request, "people"), "managed": managed,
        "form": form or CompanyInviteForm(prefix="invite"),
        "rows": [{"user": person, "rights": dealer_rights(person),
                  "editable": managed and person.pk != request.user.pk and person.role in people.MANAGED_ROLES,
                  "form": _rights_form(person)} for person in persons],
        "invitations": list(selectors.company_invitations(actor=request.user)),
    }, status=status)


@requires(COMPANY_USERS)
@require_POST
def person_rights(request, user_id: int):
    try:
        person = selectors.person_get_for(actor=request.user, user_id=user_id)
    except NotFound:
        raise Http404 from None
    form = _rights_form(person, request.POST)
    if form.is_valid():
        try:
            people.person_rights_set(actor=request.user, user_id=person.pk, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, " ".join([error.detail, *[m for ms in error.fields.values() for m in ms]]))
            return _people_page(request, status=error.status)
        messages.success(request, _("Rights of %(name)s saved.") % {"name": person.get_full_name()})
        return redirect("storefront:people")
    messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
    return _people_page(request, status=400)


@requires(COMPANY_USERS)
@require_POST
def person_active(request, user_id: int):
    try:
        person = selectors.person_get_for(actor=request.user, user_id=user_id)
    except NotFound:
        raise Http404 from None
    active = request.POST.get("active") == "1"
    try:
        people.person_active_set(actor=request.user, user_id=person.pk, active=active)
    except DomainError as error:
        messages.error(request, error.detail)
        return _people_page(request, status=error.status)
    messages.success(request, (_("%(name)s can sign in again.") if active else
                               _("%(name)s can no longer sign in.")) % {"name": person.get_full_name()})
    return redirect("storefront:people")


@requires(COMPANY_USERS)
@require_POST
def invitation_revoke(request, invitation_id: int):
    if not invitations_visible_to(request.user).filter(pk=invitation_id, dealer_id=request.user.dealer_id).exists():
        raise Http404
    try:
        people.people_management_check()
    except DomainError as error:
        messages.error(request, error.detail)
        return _people_page(request, status=error.status)
    invitations.invitation_revoke(actor=request.user, invitation_id=invitation_id)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("storefront:people")
