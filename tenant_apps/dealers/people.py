"""A dealer's own people, run by its owner (company.users): their rights within the company (order, see prices,
pay, approve internally, the amount above which their orders wait for the company's approval), deactivation and
reactivation. The brand decides whether dealers may (NetworkSettings.dealers_manage_people) and sees who was
added by whom (`people_added`). Reads and writes of one small concern, kept beside the dealer network's services.

Only the owner's own company: any other user id is a 404. The owner never changes themselves or another owner
(owners are the brand's to appoint)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from tenant_apps.accounts.models import Invitation, User
from tenant_apps.accounts.permissions import DEALER_RIGHTS, Role, dealer_rights
from tenant_apps.audit.services import audit_record
from tenant_apps.dealers import selectors
from tenant_apps.dealers.errors import DealerInvalid, PeopleManagementOff
from tenant_apps.dealers.selectors import person_get_for

RIGHT_FIELDS = tuple(f"may_{right}" for right in DEALER_RIGHTS)
MANAGED_ROLES = (Role.DEALER_BUYER, Role.DEALER_FINANCE)


def people_managed_by_dealers() -> bool:
    return selectors.network_settings().dealers_manage_people


def people_management_check() -> None:
    if not people_managed_by_dealers():
        raise PeopleManagementOff(_("Your brand manages your company's people: ask your sales representative to "
                                    "invite someone or change their rights."))


def _editable(actor, person: User) -> None:
    if person.pk == actor.pk:
        raise DealerInvalid(_("You cannot change your own rights or deactivate yourself."))
    if person.role not in MANAGED_ROLES:
        raise DealerInvalid(_("Only your brand can change a company owner's account."))


def _rights_snapshot(person: User) -> dict:
    return {**dealer_rights(person),
            "approval_limit": None if person.approval_limit is None else str(person.approval_limit)}


def approval_limit_parse(value) -> Decimal | None:
    """An amount from a form or the API: empty is no limit; DealerInvalid with a field error otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount >= Decimal("1e14"):
        raise DealerInvalid(_("The rights could not be saved."),
                            fields={"approval_limit": [_("Enter an amount of 0 or more, or leave it empty.")]})
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def person_rights_set(*, actor, user_id, order: bool, see_prices: bool, pay: bool, approve: bool,
                      approval_limit=None) -> User:
    """The owner sets what one of their people may do. Audited (before, after)."""
    people_management_check()
    person = person_get_for(actor=actor, user_id=user_id)
    _editable(actor, person)
    limit = approval_limit_parse(approval_limit)
    person = User.objects.select_for_update().get(pk=person.pk)
    before = _rights_snapshot(person)
    person.may_order, person.may_see_prices, person.may_pay, person.may_approve = (
        bool(order), bool(see_prices), bool(pay), bool(approve))
    person.approval_limit = limit
    person.save(update_fields=[*RIGHT_FIELDS, "approval_limit"])
    audit_record(actor=actor, action="accounts.user.rights_changed", target=person, before=before,
                 after=_rights_snapshot(person), dealer_id=person.dealer_id)
    return person


@transaction.atomic
def person_active_set(*, actor, user_id, active: bool) -> User:
    """The owner deactivates (no more sign-in; their API tokens end) or reactivates one of their people."""
    from rest_framework.authtoken.models import Token

    people_management_check()
    person = person_get_for(actor=actor, user_id=user_id)
    _editable(actor, person)
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.is_active == bool(active):
        return person
    person.is_active = bool(active)
    person.save(update_fields=["is_active"])
    if not person.is_active:
        Token.objects.filter(user=person).delete()
    audit_record(actor=actor, action="accounts.user.reactivated" if active else "accounts.user.deactivated",
                 target=person, before={"is_active": not active}, after={"is_active": bool(active)},
                 dealer_id=person.dealer_id)
    return person


def people_added(*, dealer) -> list[dict]:
    """The dealer's people with who added them and when (their accepted invitation), for the brand: two queries."""
    people = list(User.objects.filter(dealer=dealer).exclude(role="").order_by("date_joined", "email"))
    invited = {
        invitation.email: invitation
        for invitation in Invitation.objects.filter(dealer=dealer, accepted_at__isnull=False,
                                                    email__in=[person.email for person in people])
        .select_related("invited_by").order_by("accepted_at")
    }
    rows = []
    for person in people:
        invitation = invited.get(person.email)
        inviter = invitation.invited_by if invitation else None
        rows.append({"user": person, "rights": dealer_rights(person), "added_at": person.date_joined,
                     "added_by": inviter,
                     "added_by_dealer": bool(inviter and inviter.dealer_id == dealer.pk)})
    return rows
