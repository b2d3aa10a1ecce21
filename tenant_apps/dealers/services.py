"""Write use cases of the dealer network. Keyword-only, atomic, audited, scoped by the caller's
lookups (dealers.selectors.dealer_get_for); they raise domain errors with field errors."""

from __future__ import annotations

import logging
import re
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from billing_saas.limits import feature_check
from billing_saas.models import Feature, Resource
from billing_saas.usage import storage_check, usage_limit_check
from tenant_apps.accounts import invitations
from tenant_apps.accounts.permissions import DEALER_ROLES
from tenant_apps.audit.services import audit_record
from tenant_apps.core import uploads
from tenant_apps.core.dates import window_errors
from tenant_apps.dealers import selectors
from tenant_apps.dealers.errors import (
    DealerInvalid,
    IllegalDealerTransition,
    NetworkConflict,
    OutsideTerritory,
    SupplierConflict,
)
from tenant_apps.dealers.models import (
    Dealer,
    DealerAddress,
    DealerContact,
    DealerStatus,
    NetworkSettings,
    Node,
    Qualification,
    QualificationReminder,
    QualificationType,
    Supplier,
    Territory,
    Tier,
)
from tenant_apps.dealers.people import people_management_check
from tenant_apps.events.services import event_record

logger = logging.getLogger(__name__)

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
TAX_NUMBER = re.compile(r"^[0-9A-Z]{15,20}$")  # 统一社会信用代码 is 18; older numbers 15-20

STATUS_TRANSITIONS = {
    (DealerStatus.PROSPECT, DealerStatus.ACTIVE),
    (DealerStatus.ACTIVE, DealerStatus.SUSPENDED),
    (DealerStatus.SUSPENDED, DealerStatus.ACTIVE),
    (DealerStatus.PROSPECT, DealerStatus.TERMINATED),
    (DealerStatus.ACTIVE, DealerStatus.TERMINATED),
    (DealerStatus.SUSPENDED, DealerStatus.TERMINATED),
}


def next_node_ids(count: int) -> list[int]:
    """Reserve node ids from the sequence, so that paths are known before the insert."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('dealers_node', 'id')) FROM generate_series(1, %s)", [count]
        )
        return [row[0] for row in cursor.fetchall()]


def _last4(value: str) -> str:
    digits = re.sub(r"\s", "", value or "")
    return digits[-4:]


# --- the tree -----------------------------------------------------------------------------------


@transaction.atomic
def headquarters_ensure(*, name: str) -> Node:
    """The root of the network (made once per tenant)."""
    existing = Node.objects.filter(kind=Node.Kind.HEADQUARTERS).first()
    if existing:
        return existing
    [node_id] = next_node_ids(1)
    return Node.objects.create(id=node_id, kind=Node.Kind.HEADQUARTERS, name=name, code="HQ", path=str(node_id))


def _child_node(*, parent: Node, kind: str, name: str, code: str) -> Node:
    [node_id] = next_node_ids(1)
    return Node.objects.create(id=node_id, kind=kind, name=name, code=code, parent=parent,
                               path=f"{parent.path}.{node_id}")


@transaction.atomic
def region_create(*, actor, parent: Node, name: str, code: str) -> Node:
    errors = {}
    if not name.strip():
        errors["name"] = [_("Enter a name.")]
    if not CODE.match(code or ""):
        errors["code"] = [_("Use letters, digits, dot, dash or underscore (at most 64).")]
    elif Node.objects.filter(code=code).exists():
        errors["code"] = [_("This code is already used.")]
    if parent.kind == Node.Kind.DEALER:
        errors["parent"] = [_("A region cannot sit below a dealer.")]
    if errors:
        raise DealerInvalid(_("The region could not be created."), fields=errors)
    node = _child_node(parent=parent, kind=Node.Kind.REGION, name=name.strip(), code=code)
    audit_record(actor=actor, action="dealers.node.created", target=node, after={"path": node.path, "name": node.name})
    return node


@transaction.atomic
def node_move(*, actor, node: Node, new_parent: Node) -> Node:
    """Move a region or dealer (with everything below it) under another node, in one UPDATE."""
    node = Node.objects.select_for_update().get(pk=node.pk)
    new_parent = Node.objects.select_for_update().get(pk=new_parent.pk)
    if node.kind == Node.Kind.HEADQUARTERS:
        raise NetworkConflict(_("Headquarters cannot be moved."))
    if new_parent.path == node.path or new_parent.path.startswith(node.path + "."):
        raise NetworkConflict(_("A node cannot move below itself."))
    if node.kind == Node.Kind.REGION and new_parent.kind == Node.Kind.DEALER:
        raise NetworkConflict(_("A region cannot sit below a dealer."))
    if node.parent_id == new_parent.pk:
        return node
    old_path = node.path
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE dealers_node SET path = %s::ltree || subpath(path, nlevel(%s::ltree) - 1) WHERE path <@ %s::ltree",
            [new_parent.path, old_path, old_path],
        )
    Node.objects.filter(pk=node.pk).update(parent=new_parent)
    node.refresh_from_db()
    audit_record(actor=actor, action="dealers.node.moved", target=node, before={"path": old_path},
                 after={"path": node.path})
    return node


# --- dealers ------------------------------------------------------------------------------------


def _dealer_errors(*, code: str, legal_name: str, name: str, tax_number: str, exclude_pk=None) -> dict:
    errors: dict[str, list[str]] = {}
    if not CODE.match(code or ""):
        errors["code"] = [_("Use letters, digits, dot, dash or underscore (at most 64).")]
    elif Dealer.objects.filter(code=code).exclude(pk=exclude_pk).exists() or (
        exclude_pk is None and Node.objects.filter(code=code).exists()
    ):
        errors["code"] = [_("This code is already used.")]
    if not (legal_name or "").strip():
        errors["legal_name"] = [_("Enter the legal name.")]
    if not (name or "").strip():
        errors["name"] = [_("Enter a short name.")]
    if tax_number and not TAX_NUMBER.match(tax_number):
        errors["tax_number"] = [_("Use the 18-character unified social credit code (15-20 letters and digits).")]
    return errors


@transaction.atomic
def dealer_create(
    *,
    actor,
    parent: Node,
    code: str,
    legal_name: str,
    name: str = "",
    tier: Tier | None = None,
    territories=(),
    status: str = DealerStatus.PROSPECT,
    tax_number: str = "",
    bank_name: str = "",
    bank_account: str = "",
    supplier: Node | None = None,
    sales_rep=None,
    regional_manager=None,
) -> Dealer:
    code, name = (code or "").strip(), (name or legal_name or "").strip()
    errors = _dealer_errors(code=code, legal_name=legal_name, name=name, tax_number=tax_number)
    if status not in DealerStatus.values:
        errors["status"] = [_("Unknown status.")]
    errors.update(_supplier_errors(supplier=supplier, above=parent.path, inclusive=True))
    if errors:
        raise DealerInvalid(_("The dealer could not be created."), fields=errors)
    usage_limit_check(resource=Resource.DEALERS)
    node = _child_node(parent=parent, kind=Node.Kind.DEALER, name=name, code=code)
    dealer = Dealer.objects.create(
        node=node, code=code, legal_name=legal_name.strip(), name=name, tier=tier, status=status,
        tax_number=tax_number, bank_name=bank_name, bank_account=bank_account, bank_account_last4=_last4(bank_account),
        supplier=supplier or selectors.headquarters(), sales_rep=sales_rep, regional_manager=regional_manager,
    )
    if territories:
        dealer.territories.set(territories)
    audit_record(actor=actor, action="dealers.dealer.created", target=dealer,
                 after={"code": code, "status": status, "path": node.path})
    return dealer


def _supplier_errors(*, supplier: Node | None, above: str, inclusive: bool) -> dict:
    """A dealer buys from headquarters or from an active supplier above it in the tree (`above`: the path of its
    node, or of its parent when it is being created, `inclusive`)."""
    if supplier is None or supplier.kind == Node.Kind.HEADQUARTERS:
        return {}
    path = str(supplier.path)
    is_above = str(above) == path if inclusive else False
    is_above = is_above or str(above).startswith(path + ".")
    if not Supplier.objects.filter(node_id=supplier.pk, active=True).exists():
        return {"supplier": [_("%(name)s is not a supplier: headquarters makes a dealer a supplier first.")
                             % {"name": supplier.name}]}
    if not is_above:
        return {"supplier": [_("%(name)s is not above this dealer in the network; a dealer buys from headquarters "
                               "or from a supplier above it.") % {"name": supplier.name}]}
    return {}


EDITABLE = ("legal_name", "name", "tier", "tax_number", "bank_name", "bank_account", "supplier", "sales_rep",
            "regional_manager")


@transaction.atomic
def dealer_update(*, actor, dealer: Dealer, territories=None, **changes) -> Dealer:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise DealerInvalid(_("These fields cannot be changed here."),
                            fields={f: [_("Not editable.")] for f in unknown})
    dealer = Dealer.objects.select_for_update().get(pk=dealer.pk)
    merged = {f: changes.get(f, getattr(dealer, f)) for f in ("legal_name", "name", "tax_number")}
    errors = _dealer_errors(code=dealer.code, exclude_pk=dealer.pk, **merged)
    if changes.get("supplier") is not None and changes["supplier"].pk != dealer.supplier_id:
        errors.update(_supplier_errors(supplier=changes["supplier"], above=dealer.node.path, inclusive=False))
    if errors:
        raise DealerInvalid(_("The dealer could not be saved."), fields=errors)
    before = {f: str(getattr(dealer, f) or "") for f in changes if f != "bank_account"}
    for field, value in changes.items():
        setattr(dealer, field, value)
    if "bank_account" in changes:
        dealer.bank_account_last4 = _last4(changes["bank_account"])
    dealer.save()
    if "name" in changes:
        Node.objects.filter(pk=dealer.node_id).update(name=dealer.name)
    if territories is not None:
        dealer.territories.set(territories)
    after = {f: str(getattr(dealer, f) or "") for f in changes if f != "bank_account"}
    if "bank_account" in changes:
        after["bank_account"] = dealer.bank_account_masked
    audit_record(actor=actor, action="dealers.dealer.updated", target=dealer, before=before, after=after)
    return dealer


@transaction.atomic
def dealer_status_change(*, actor, dealer: Dealer, to: str, reason: str = "") -> Dealer:
    dealer = Dealer.objects.select_for_update().get(pk=dealer.pk)
    if (dealer.status, to) not in STATUS_TRANSITIONS:
        raise IllegalDealerTransition(
            _("A dealer cannot go from %(from)s to %(to)s.")
            % {"from": DealerStatus(dealer.status).label,
               "to": DealerStatus(to).label if to in DealerStatus.values else to}
        )
    before = dealer.status
    dealer.status = to
    dealer.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="dealers.dealer.status_changed", target=dealer, before={"status": before},
                 after={"status": to}, reason=reason)
    return dealer


# --- addresses and contacts ---------------------------------------------------------------------


@transaction.atomic
def address_add(*, actor, dealer: Dealer, kind: str, recipient: str, phone: str, territory: Territory, line: str,
                postal_code: str = "", label: str = "", is_default: bool = False) -> DealerAddress:
    """Add an address; a shipping address outside the dealer's territories is refused or flagged,
    as the brand's channel policy says (防窜货)."""
    errors = {}
    if kind not in DealerAddress.Kind.values:
        errors["kind"] = [_("Unknown address kind.")]
    for field, value in (("recipient", recipient), ("phone", phone), ("line", line)):
        if not (value or "").strip():
            errors[field] = [_("This field is required.")]
    if kind == DealerAddress.Kind.BILLING and dealer.addresses.filter(kind=kind).exists():
        errors["kind"] = [_("A dealer has one billing address; edit it instead.")]
    if errors:
        raise DealerInvalid(_("The address could not be saved."), fields=errors)
    outside = kind == DealerAddress.Kind.SHIPPING and not selectors.territory_covers(dealer=dealer, territory=territory)
    if outside and selectors.network_settings().channel_conflict_policy == NetworkSettings.ConflictPolicy.REFUSE:
        raise OutsideTerritory(
            _("%(area)s is outside this dealer's sales territories.") % {"area": territory.name},
            fields={"territory": [_("Outside the dealer's sales territories.")]},
        )
    if is_default and kind == DealerAddress.Kind.SHIPPING:
        dealer.addresses.filter(kind=kind, is_default=True).update(is_default=False)
    elif kind == DealerAddress.Kind.SHIPPING and not dealer.addresses.filter(kind=kind).exists():
        is_default = True
    address = DealerAddress.objects.create(
        dealer=dealer, kind=kind, recipient=recipient.strip(), phone=phone.strip(), territory=territory,
        line=line.strip(), postal_code=postal_code, label=label, is_default=is_default, outside_territory=outside,
    )
    audit_record(actor=actor, action="dealers.address.added", target=address,
                 after={"dealer": dealer.code, "territory": territory.code, "outside_territory": outside})
    return address


@transaction.atomic
def address_remove(*, actor, address: DealerAddress) -> None:
    audit_record(actor=actor, action="dealers.address.removed", target=address,
                 before={"dealer": address.dealer.code, "line": address.line})
    address.delete()


@transaction.atomic
def contact_add(*, actor, dealer: Dealer, name: str, title: str = "", phone: str = "", email: str = "",
                is_primary: bool = False) -> DealerContact:
    if not (name or "").strip():
        raise DealerInvalid(_("The contact could not be saved."), fields={"name": [_("Enter a name.")]})
    if is_primary:
        dealer.contacts.update(is_primary=False)
    contact = DealerContact.objects.create(dealer=dealer, name=name.strip(), title=title, phone=phone, email=email,
                                           is_primary=is_primary)
    audit_record(actor=actor, action="dealers.contact.added", target=contact, after={"dealer": dealer.code,
                                                                                    "name": contact.name})
    return contact


# --- qualifications -----------------------------------------------------------------------------


@transaction.atomic
def qualification_add(*, actor, dealer: Dealer, type: QualificationType, number: str = "", file=None,
                      valid_from: date | None = None, valid_to: date | None = None) -> Qualification:
    outside = window_errors(valid_from=valid_from, valid_to=valid_to)
    if outside:
        raise DealerInvalid(_("The qualification could not be saved."), fields=outside)
    if valid_from and valid_to and valid_to < valid_from:
        raise DealerInvalid(_("The qualification could not be saved."),
                            fields={"valid_to": [_("Must be after the start date.")]})
    qualification = Qualification(dealer=dealer, type=type, number=number, number_last4=_last4(number),
                                  valid_from=valid_from, valid_to=valid_to)
    if file is not None:
        try:
            file = uploads.document_checked(file)  # free when the form or serializer checked it already
        except uploads.UploadRefused as refused:
            raise DealerInvalid(_("The qualification could not be saved."),
                                fields={"file": [refused.message]}) from None
        storage_check(adding_bytes=file.size)
        qualification.file.save(file.name, file, save=False)
    qualification.save()
    audit_record(actor=actor, action="dealers.qualification.added", target=qualification,
                 after={"dealer": dealer.code, "type": type.code, "valid_to": str(valid_to or "")})
    return qualification


# --- brand settings: tiers, territories, qualification types, channel policy --------------------


def tier_create(*, actor, code: str, name: str, rank: int = 0) -> Tier:
    try:
        with transaction.atomic():
            tier = Tier.objects.create(code=code, name=name, rank=rank)
            audit_record(actor=actor, action="dealers.tier.created", target=tier,
                         after={"code": code, "name": name, "rank": rank})
            return tier
    except IntegrityError:
        raise DealerInvalid(_("The tier could not be created."),
                            fields={"code": [_("This code is already used.")]}) from None


def territory_create(*, actor, code: str, name: str, parent: Territory | None = None) -> Territory:
    label = re.sub(r"[^A-Za-z0-9_]", "_", code)
    path = f"{parent.path}.{label}" if parent else label
    with transaction.atomic():
        if Territory.objects.filter(Q(code=code) | Q(path=path)).exists():
            raise DealerInvalid(_("The territory could not be created."),
                                fields={"code": [_("This code is already used.")]})
        territory = Territory.objects.create(code=code, name=name, parent=parent, path=path)
        audit_record(actor=actor, action="dealers.territory.created", target=territory,
                     after={"code": code, "name": name, "path": path})
        return territory


def qualification_type_create(*, actor, code: str, name: str, required: bool = False,
                              reminder_days: int = 30) -> QualificationType:
    try:
        with transaction.atomic():
            kind = QualificationType.objects.create(code=code, name=name, required=required,
                                                    reminder_days=reminder_days)
            audit_record(actor=actor, action="dealers.qualification_type.created", target=kind,
                         after={"code": code, "name": name, "required": required,
                                "reminder_days": reminder_days})
            return kind
    except IntegrityError:
        raise DealerInvalid(_("The qualification type could not be created."),
                            fields={"code": [_("This code is already used.")]}) from None


@transaction.atomic
def network_settings_update(*, actor, channel_conflict_policy: str) -> NetworkSettings:
    if channel_conflict_policy not in NetworkSettings.ConflictPolicy.values:
        raise DealerInvalid(_("Unknown policy."), fields={"channel_conflict_policy": [_("Unknown policy.")]})
    current = NetworkSettings.objects.select_for_update().first() or NetworkSettings()
    before = current.channel_conflict_policy if current.pk else ""
    current.channel_conflict_policy = channel_conflict_policy
    current.save()
    audit_record(actor=actor, action="dealers.settings.updated", target=current,
                 before={"channel_conflict_policy": before}, after={"channel_conflict_policy": channel_conflict_policy})
    return current


@transaction.atomic
def network_people_setting_update(*, actor, dealers_manage_people: bool) -> NetworkSettings:
    """Whether dealers' owners invite and manage their own people (dealers.people)."""
    current = NetworkSettings.objects.select_for_update().first() or NetworkSettings()
    before = current.dealers_manage_people if current.pk else None
    current.dealers_manage_people = bool(dealers_manage_people)
    current.save()
    audit_record(actor=actor, action="dealers.settings.updated", target=current,
                 before={"dealers_manage_people": before}, after={"dealers_manage_people": bool(dealers_manage_people)})
    return current


# --- reminders ----------------------------------------------------------------------------------


def qualification_reminders_send(*, today: date) -> int:
    """Remind dealers (and their sales rep) of qualifications expiring within their type's reminder
    window. Idempotent: one reminder per qualification and expiry date. Returns how many were sent."""
    from datetime import timedelta

    from django.conf import settings
    from django.core.mail import send_mail
    from django.db.models import F

    from tenant_apps.accounts.models import User
    from tenant_apps.accounts.permissions import Role

    due = (
        Qualification.objects.select_related("dealer", "dealer__sales_rep", "type")
        .filter(valid_to__gte=today, valid_to__lte=today + timedelta(days=366))
        .exclude(reminders__valid_to=F("valid_to"))
    )
    sent = 0
    for qualification in due:
        if qualification.valid_to > today + timedelta(days=qualification.type.reminder_days):
            continue
        recipients = sorted(
            set(User.objects.filter(dealer=qualification.dealer, is_active=True,
                                    role__in=[Role.DEALER_OWNER, Role.DEALER_FINANCE]).values_list("email", flat=True))
            | ({qualification.dealer.sales_rep.email} if qualification.dealer.sales_rep else set())
        )
        with transaction.atomic():
            _reminder, created = QualificationReminder.objects.get_or_create(
                qualification=qualification, valid_to=qualification.valid_to, defaults={"recipients": recipients}
            )
            if not created:
                continue
            event_record(kind="qualification.expiring", subject_id=qualification.pk,
                         subject_ref=qualification.type.name[:64], dealer_id=qualification.dealer_id,
                         payload={"valid_to": qualification.valid_to.isoformat(),
                                  "dealer": qualification.dealer.display_name})
            subject = _("%(type)s of %(dealer)s expires on %(date)s") % {
                "type": qualification.type.name, "dealer": qualification.dealer.name, "date": qualification.valid_to}
            if recipients:
                transaction.on_commit(lambda s=subject, r=recipients: send_mail(
                    s, s + "\n\n" + _("Please upload the renewed document in time to keep ordering."),
                    settings.DEFAULT_FROM_EMAIL, r))
        sent += 1
    return sent


def invitation_create(*, actor, email: str, role: str, dealer=None, scope_node=None):
    """Invite `email` into the network: dealer staff for a dealer, a regional manager for a part of the network,
    each chosen within the actor's part of it. Returns the invitation and the raw token (accounts.invitations
    writes and records it, and mails the link after commit). A dealer's owner invites only if the brand lets
    dealers manage their own people (dealers.people)."""
    if getattr(actor, "role", "") in DEALER_ROLES:
        people_management_check()
    return invitations.invitation_create(
        actor=actor, email=email, role=role, dealer=dealer, scope_node=scope_node,
        dealer_choices=selectors.dealers_visible_to(actor), node_choices=selectors.nodes_visible_to(actor))


# --- suppliers (S2B2B) ---------------------------------------------------------------------------------------


@transaction.atomic
def supplier_designate(*, actor, dealer: Dealer) -> Supplier:
    """Make `dealer` a supplier to its sub-dealers (a plan feature: FeatureNotInPlan, 402, without it). Again
    after a stop: active again, with the rows it owned."""
    feature_check(Feature.MULTI_TIER)
    if dealer.status in (DealerStatus.TERMINATED,):
        raise DealerInvalid(_("A terminated dealer cannot be a supplier."),
                            fields={"dealer": [_("%(name)s is terminated.") % {"name": dealer.display_name}]})
    supplier, created = Supplier.objects.select_for_update().get_or_create(node_id=dealer.node_id)
    if not created and supplier.active:
        return supplier
    if not created:
        supplier.active = True
        supplier.save(update_fields=["active"])
    audit_record(actor=actor, action="dealers.supplier.designated", target=dealer, before={"supplier": False},
                 after={"supplier": True})
    return supplier


@transaction.atomic
def supplier_undesignate(*, actor, supplier: Supplier, open_orders: int) -> Supplier:
    """Stop `supplier` being one: refused (409) while dealers still buy from it or orders placed with it are open
    (`open_orders`, counted by the caller: ordering sits above dealers). The rows it owns stay."""
    supplier = Supplier.objects.select_for_update().select_related("node").get(pk=supplier.pk)
    if not supplier.active:
        return supplier
    subs = Dealer.objects.filter(supplier_id=supplier.node_id).count()
    if subs:
        raise SupplierConflict(_("Dealers still buying from %(name)s: %(count)s. Give them another supplier first.")
                               % {"count": subs, "name": supplier.node.name})
    if open_orders:
        raise SupplierConflict(_("Orders placed with %(name)s still open: %(count)s.")
                               % {"count": open_orders, "name": supplier.node.name})
    supplier.active = False
    supplier.save(update_fields=["active"])
    audit_record(actor=actor, action="dealers.supplier.undesignated", target=supplier.node.dealer,
                 before={"supplier": True}, after={"supplier": False})
    return supplier


def network_orders_view_update(*, actor, hq_orders_only_own: bool) -> NetworkSettings:
    """Whether the console's order list shows brand staff every order of the chain (default) or only
    headquarters' own sales (orders whose seller is headquarters)."""
    row = NetworkSettings.objects.order_by("id").first() or NetworkSettings.objects.create()
    before = row.hq_orders_only_own
    row.hq_orders_only_own = bool(hq_orders_only_own)
    row.save(update_fields=["hq_orders_only_own"])
    audit_record(actor=actor, action="dealers.network_settings.updated", target=row,
                 before={"hq_orders_only_own": before}, after={"hq_orders_only_own": row.hq_orders_only_own})
    return row
