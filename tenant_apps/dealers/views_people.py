"""My company > People (/account/people/): a dealer's owner invites their own buyers and finance staff, sets what
each may do (order, see prices, pay, approve internally above an amount) and deactivates or reactivates them.
Read-only, with the brand's message, when the brand keeps this to itself (dealers.people)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tenant_apps.accounts import invitations
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.permissions import COMPANY_USERS, dealer_rights
from tenant_apps.accounts.selectors import invitations_visible_to
from tenant_apps.core.errors import DomainError, NotFound
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.dealers import people, selectors, services
from tenant_apps.dealers.forms import CompanyInviteForm, PersonRightsForm
from tenant_apps.dealers.views_storefront import _own_dealer, account_tabs


def _rights_form(person, data=None) -> PersonRightsForm:
    return PersonRightsForm(data, prefix=f"p{person.pk}", initial={
        **dealer_rights(person), "approval_limit": person.approval_limit})


@requires(COMPANY_USERS)
@require_http_methods(["GET", "POST"])
def company_people(request):
    dealer = _own_dealer(request)
    managed = people.people_managed_by_dealers()
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
    persons = list(selectors.company_people(actor=request.user))
    return render(request, "dealers/storefront/people.html", {
        "dealer": dealer, "tabs": account_tabs(request, "people"), "managed": managed, "form": form,
        "rows": [{"user": person, "rights": dealer_rights(person),
                  "editable": managed and person.pk != request.user.pk and person.role in people.MANAGED_ROLES,
                  "form": _rights_form(person)} for person in persons],
        "invitations": list(selectors.company_invitations(actor=request.user)),
    })


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
        else:
            messages.success(request, _("Rights of %(name)s saved.") % {"name": person.get_full_name()})
    else:
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
    return redirect("storefront:people")


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
    else:
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
    else:
        invitations.invitation_revoke(actor=request.user, invitation_id=invitation_id)
        messages.success(request, _("Invitation withdrawn."))
    return redirect("storefront:people")
