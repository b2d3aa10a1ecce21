"""Bulk import and export of dealers (CSV and XLSX): every row validated, errors reported per row,
all or nothing.

Import: the file is read whole, every row is checked against the network, the plan limit and the
rest of the file (a parent may be defined earlier or later in the same file), and either every
row is applied in one transaction or nothing is, with every error named by row and column. The
validation rules are those of `services.dealer_create`; the writes are bulk inserts (node ids
reserved in one query, ltree paths computed here), one audit entry for the whole import.

Export: the dealers the actor may see, in exactly the import's columns, so that an export can be
imported again into another network with the same regions, tiers, territories and users.

Reading and writing the files (encodings, header, spreadsheet safety) is shared with the other
imports: `tenant_apps.core.tables`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing_saas.limits import PlanLimitReached
from billing_saas.models import Resource
from billing_saas.usage import usage_limit_check
from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import DEALERS_BANK_VIEW, has_perm
from tenant_apps.audit.services import Collection, audit_entries_save, audit_entry, audit_record
from tenant_apps.core.tables import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    FileUnreadable,
    ImportResult,
    RowError,
    TableRow,
    read_table,
    report_errors,
    rows_from_records,
    rows_from_table,
    split_codes,
    table_bytes,
)
from tenant_apps.dealers import selectors, services
from tenant_apps.dealers.errors import DealerInvalid
from tenant_apps.dealers.models import (
    Dealer,
    DealerAddress,
    DealerContact,
    DealerStatus,
    Node,
    Supplier,
    Territory,
    Tier,
)

COLUMNS: list[str] = [
    "code", "legal_name", "name", "parent_code", "tier", "territories", "status", "tax_number",
    "bank_name", "bank_account", "supplier_code", "sales_rep_email", "regional_manager_email",
    "contact_name", "contact_phone", "contact_email",
    "billing_territory", "billing_line", "billing_recipient", "billing_phone",
]
# Columns the header must have; the others may be left out (empty).
REQUIRED_COLUMNS = ("code", "legal_name", "parent_code")
BILLING_COLUMNS = ("billing_territory", "billing_line", "billing_recipient", "billing_phone")
MAX_ROWS = 50_000
BATCH_SIZE = 1_000
HEADQUARTERS_CODE = "HQ"

__all__ = ["COLUMNS", "CSV_CONTENT_TYPE", "XLSX_CONTENT_TYPE", "ImportResult", "RowError", "dealers_export",
           "dealers_import", "dealers_import_rows", "dealers_upsert"]


def _max_lengths() -> dict[str, int]:
    """Column -> the model field's max_length, so that no value fails in the database instead."""
    fields = {
        "legal_name": Dealer._meta.get_field("legal_name"),
        "name": Dealer._meta.get_field("name"),
        "tax_number": Dealer._meta.get_field("tax_number"),
        "bank_name": Dealer._meta.get_field("bank_name"),
        "contact_name": DealerContact._meta.get_field("name"),
        "contact_phone": DealerContact._meta.get_field("phone"),
        "contact_email": DealerContact._meta.get_field("email"),
        "billing_line": DealerAddress._meta.get_field("line"),
        "billing_recipient": DealerAddress._meta.get_field("recipient"),
        "billing_phone": DealerAddress._meta.get_field("phone"),
    }
    return {column: model_field.max_length for column, model_field in fields.items()}


# --- import -------------------------------------------------------------------------------------


def dealers_import(*, actor, file, filename: str) -> ImportResult:
    """Validate every row of a CSV or XLSX file; apply all rows in one transaction, or none.

    `file` is an uploaded file (anything with `read()`) or bytes. Errors never raise: they come
    back in `ImportResult.errors`, by spreadsheet row (the header is row 1; row 0 is the file as a
    whole, e.g. the plan limit) and column.
    """
    try:
        rows = _rows_from_file(file=file, filename=filename)
    except FileUnreadable as unreadable:
        return ImportResult(applied=False, rows=0, errors=unreadable.errors)
    return dealers_import_rows(actor=actor, rows=rows, source=filename)


def dealers_upsert(*, actor, records: list, source: str) -> ImportResult:
    """A JSON batch of dealers (the integration API): each item an object of the import's columns. New codes
    are created and existing dealers updated (`dealers_import_rows` with `update_existing`), over the whole
    network (the caller is the brand's own system, not a person with a data scope)."""
    try:
        rows = rows_from_records(records, columns=COLUMNS, row_class=_Row)
    except FileUnreadable as unreadable:
        return ImportResult(applied=False, rows=len(records), errors=unreadable.errors)
    return dealers_import_rows(actor=actor, rows=rows, source=source, update_existing=True, whole_network=True)


def dealers_import_rows(*, actor, rows: list[_Row], source: str, update_existing: bool = False,
                        whole_network: bool = False) -> ImportResult:
    """Validate the rows (a file's or a JSON batch's); apply all of them in one transaction, or none.

    `update_existing`: a row whose code is an existing dealer's updates it (the file import refuses it, "This
    code is already used"). An update changes the fields its row gives (a JSON item: its keys; a file: every
    column), never the dealer's place in the network (a different parent is an error: moving is done in the
    console, it takes everything below along) and its status only by a legal transition. `whole_network`: the
    rows may refer to any node (otherwise only to the ones the actor sees). `source` names the rows in the
    audit entries."""
    checked = _validate(actor=actor, rows=rows, update_existing=update_existing, whole_network=whole_network)
    if checked.errors:
        return ImportResult(applied=False, rows=len(rows), errors=report_errors(checked.errors, COLUMNS))
    new_rows = [row for row in rows if row.values["code"] not in checked.current]
    try:
        with transaction.atomic():
            created_ids = _apply(actor=actor, rows=new_rows, checked=checked, source=source) if new_rows else {}
            updated = _apply_updates(actor=actor, rows=[row for row in rows if row.values["code"] in checked.current],
                                     checked=checked, source=source, created_ids=created_ids)
    except IntegrityError:
        # Someone took one of these codes between the validation and the insert.
        return ImportResult(applied=False, rows=len(rows), errors=[RowError(
            row=0, field="code",
            message=_("The network changed during the import (a code was taken meanwhile). Nothing was "
                      "imported; import the file again to see which rows are affected."),
        )])
    return ImportResult(applied=True, rows=len(rows), created=len(new_rows), updated=updated,
                        unchanged=len(rows) - len(new_rows) - updated)


@dataclass
class _Row(TableRow):
    given_name: bool = True  # False: the short name defaults to the legal name


def _rows_from_file(*, file, filename: str) -> list[_Row]:
    rows, _named = rows_from_table(
        read_table(file=file, filename=filename, max_rows=MAX_ROWS), columns=COLUMNS, required=REQUIRED_COLUMNS,
        row_class=_Row, no_rows=_("The file has a header but no dealer rows."),
    )
    return rows


@dataclass
class _Checked:
    """The result of validation: errors, or everything needed to insert without more reads."""

    errors: list[RowError] = field(default_factory=list)
    existing_nodes: dict[str, tuple[int, str]] = field(default_factory=dict)  # code -> (id, path)
    headquarters: tuple[int, str] | None = None
    tiers: dict[str, int] = field(default_factory=dict)
    territories: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)  # lower-cased email -> id
    current: dict[str, Dealer] = field(default_factory=dict)  # code -> the existing dealer a row updates
    now: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> its current values, as columns
    contacts: dict[int, DealerContact] = field(default_factory=dict)  # dealer id -> its primary contact
    billing: dict[int, DealerAddress] = field(default_factory=dict)  # dealer id -> its billing address


def _current(*, checked: _Checked, rows: list[_Row], visible_dealers) -> None:
    """The existing dealers the rows update, their values as the import's columns (in `checked.now`), and
    the columns a row leaves out filled in with them: the validation then checks whole dealers. Four
    queries whatever the number of rows."""
    codes = {row.values["code"] for row in rows} - {""}
    dealers = visible_dealers.filter(code__in=codes).select_related(
        "node__parent", "tier", "supplier", "sales_rep", "regional_manager").order_by("pk")
    if connection.in_atomic_block:  # the API's batch: locked (in id order) until it is written
        dealers = dealers.select_for_update(of=("self",))
    checked.current = {dealer.code: dealer for dealer in dealers}
    if not checked.current:
        return
    ids = [dealer.pk for dealer in checked.current.values()]
    territories: dict[int, list[str]] = {}
    for dealer_id, code in (Dealer.territories.through.objects.filter(dealer_id__in=ids)
                            .order_by("territory__code").values_list("dealer_id", "territory__code")):
        territories.setdefault(dealer_id, []).append(code)
    for contact in DealerContact.objects.filter(dealer_id__in=ids, is_primary=True).order_by("-id"):
        checked.contacts[contact.dealer_id] = contact  # the oldest primary contact, as the export
    checked.billing = {address.dealer_id: address for address in DealerAddress.objects.filter(
        dealer_id__in=ids, kind=DealerAddress.Kind.BILLING).select_related("territory")}
    for code, dealer in checked.current.items():
        contact, billing = checked.contacts.get(dealer.pk), checked.billing.get(dealer.pk)
        checked.now[code] = {
            "code": code, "legal_name": dealer.legal_name, "name": dealer.name,
            "parent_code": dealer.node.parent.code if dealer.node.parent_id else "",
            "tier": dealer.tier.code if dealer.tier_id else "", "territories": ";".join(territories.get(dealer.pk, ())),
            "status": dealer.status, "tax_number": dealer.tax_number, "bank_name": dealer.bank_name,
            "bank_account": dealer.bank_account or "",
            "supplier_code": dealer.supplier.code if dealer.supplier.kind != Node.Kind.HEADQUARTERS else "",
            "sales_rep_email": dealer.sales_rep.email.lower() if dealer.sales_rep_id else "",
            "regional_manager_email": dealer.regional_manager.email.lower() if dealer.regional_manager_id else "",
            "contact_name": contact.name if contact else "", "contact_phone": contact.phone if contact else "",
            "contact_email": contact.email if contact else "",
            "billing_territory": billing.territory.code if billing else "",
            "billing_line": billing.line if billing else "", "billing_recipient": billing.recipient if billing else "",
            "billing_phone": billing.phone if billing else "",
        }
    for row in rows:
        now = checked.now.get(row.values["code"])
        if now is not None and row.named is not None:
            row.values.update({column: now[column] for column in COLUMNS if column not in row.named})


def _validate(*, actor, rows: list[_Row], update_existing: bool = False, whole_network: bool = False) -> _Checked:
    checked = _Checked()
    errors = checked.errors

    def error(row: _Row, column: str, message: str) -> None:
        errors.append(RowError(row=row.number, field=column, message=message))

    everything = whole_network or actor is None  # None: the system
    if update_existing:
        _current(checked=checked, rows=rows,
                 visible_dealers=Dealer.objects.all() if everything else selectors.dealers_visible_to(actor))

    for row in rows:  # the same defaults as services.dealer_create
        values = row.values
        row.given_name = bool(values["name"])
        values["name"] = values["name"] or values["legal_name"]
        values["status"] = (values["status"] or DealerStatus.PROSPECT).lower()
        values["sales_rep_email"] = values["sales_rep_email"].lower()
        values["regional_manager_email"] = values["regional_manager_email"].lower()

    # Everything the file refers to, read in a constant number of queries.
    codes_in_file = {row.values["code"] for row in rows}
    node_refs = {row.values[c] for row in rows for c in ("parent_code", "supplier_code")} - {""}
    node_rows = Node.objects.filter(code__in=codes_in_file | node_refs).values_list("code", "id", "path")
    all_nodes = {code: (pk, path) for code, pk, path in node_rows}
    visible = Node.objects.all() if everything else selectors.nodes_visible_to(actor)
    visible_ids = set(visible.filter(code__in=node_refs).values_list("id", flat=True))
    checked.existing_nodes = {code: node for code, node in all_nodes.items() if node[0] in visible_ids}
    taken = set(Dealer.objects.filter(code__in=codes_in_file).values_list("code", flat=True)) | (
        codes_in_file & set(all_nodes)
    )
    hq = Node.objects.filter(kind=Node.Kind.HEADQUARTERS).values_list("id", "path").first()
    checked.headquarters = hq
    if hq is None:
        errors.append(RowError(row=0, field="parent_code", message=_(
            "The network has no headquarters yet; set it up before importing dealers.")))
    tier_codes = {row.values["tier"] for row in rows} - {""}
    checked.tiers = dict(Tier.objects.filter(code__in=tier_codes).values_list("code", "id"))
    territory_codes = {code for row in rows for code in split_codes(row.values["territories"])}
    territory_codes |= {row.values["billing_territory"] for row in rows} - {""}
    checked.territories = dict(Territory.objects.filter(code__in=territory_codes).values_list("code", "id"))
    emails = {row.values[c] for row in rows for c in ("sales_rep_email", "regional_manager_email")} - {""}
    checked.users = {email.lower(): pk
                     for email, pk in User.objects.filter(email__in=emails).values_list("email", "id")}

    lengths = _max_lengths()
    first_row_of: dict[str, int] = {}
    for row in rows:
        values = row.values
        code = values["code"]
        if not code:
            error(row, "code", _("Enter the code."))
        elif not services.CODE.match(code):
            error(row, "code", _("Use letters, digits, dot, dash or underscore (at most 64)."))
        elif code in first_row_of:
            error(row, "code", _("This code is also on row %(row)s.") % {"row": first_row_of[code]})
        elif code in taken and code not in checked.current:
            error(row, "code", _("This code is already used."))
        first_row_of.setdefault(code, row.number)
        now = checked.now.get(code) if first_row_of[code] == row.number else None
        if now is not None and values["parent_code"] != now["parent_code"]:
            error(row, "parent_code", _("This dealer sits under “%(code)s”; move it in the console (a move takes "
                                        "everything below it along).") % {"code": now["parent_code"]})
        if now is not None and values["status"] != now["status"] and values["status"] in DealerStatus.values and (
                now["status"], values["status"]) not in services.STATUS_TRANSITIONS:
            error(row, "status", _("A dealer cannot go from %(from)s to %(to)s.") % {
                "from": DealerStatus(now["status"]).label, "to": DealerStatus(values["status"]).label})
        if not values["legal_name"]:
            error(row, "legal_name", _("Enter the legal name."))
        if not values["name"]:
            error(row, "name", _("Enter a short name."))
        for column, limit in lengths.items():
            if column == "name" and not row.given_name and len(values["legal_name"]) > limit:
                error(row, "name", _("Enter a short name of at most %(max)s characters (the legal name is "
                                     "too long to stand in for it).") % {"max": limit})
            elif len(values[column]) > limit:
                error(row, column, _("Use at most %(max)s characters (this has %(length)s).")
                      % {"max": limit, "length": len(values[column])})
        if not values["parent_code"]:
            error(row, "parent_code", _("Enter the code of the parent: HQ, a region or a dealer."))
        for column in ("parent_code", "supplier_code"):
            ref = values[column]
            if ref and ref not in codes_in_file and ref not in checked.existing_nodes:
                error(row, column, _("No region or dealer has the code “%(code)s”, neither in the network nor "
                                     "in this file.") % {"code": ref})
        if values["tier"] and values["tier"] not in checked.tiers:
            error(row, "tier", _("No tier has the code “%(code)s”.") % {"code": values["tier"]})
        unknown = [c for c in split_codes(values["territories"]) if c not in checked.territories]
        if unknown:
            error(row, "territories", _("No territory has the code %(codes)s.")
                  % {"codes": ", ".join(f"“{c}”" for c in unknown)})
        if values["status"] not in DealerStatus.values:
            error(row, "status", _("Unknown status “%(status)s”; use one of %(choices)s.")
                  % {"status": values["status"], "choices": ", ".join(DealerStatus.values)})
        if values["tax_number"] and not services.TAX_NUMBER.match(values["tax_number"]):
            error(row, "tax_number",
                  _("Use the 18-character unified social credit code (15-20 letters and digits)."))
        for column in ("sales_rep_email", "regional_manager_email"):
            if values[column] and values[column] not in checked.users:
                error(row, column, _("No user of this workspace has the email %(email)s.")
                      % {"email": values[column]})
        if (values["contact_phone"] or values["contact_email"]) and not values["contact_name"]:
            error(row, "contact_name", _("Enter the contact's name (a contact phone or email is given)."))
        if values["contact_email"]:
            try:
                validate_email(values["contact_email"])
            except ValidationError:
                error(row, "contact_email", _("Enter a valid email address."))
        if any(values[c] for c in BILLING_COLUMNS):
            for column in BILLING_COLUMNS:
                if not values[column]:
                    error(row, column, _("Fill in all four billing columns, or none of them."))
            billing_territory = values["billing_territory"]
            if billing_territory and billing_territory not in checked.territories:
                error(row, "billing_territory", _("No territory has the code “%(code)s”.")
                      % {"code": billing_territory})

    _supplier_check(rows=rows, checked=checked, all_nodes=all_nodes, error=error)
    for cycle in _parent_cycles(rows):
        described = " → ".join([*cycle, cycle[0]])
        for code in cycle:
            errors.append(RowError(row=first_row_of[code], field="parent_code", message=_(
                "The parent codes go round in a circle: %(cycle)s.") % {"cycle": described}))

    try:
        usage_limit_check(resource=Resource.DEALERS,
                          adding=sum(1 for row in rows if row.values["code"] not in checked.current))
    except PlanLimitReached as reached:
        errors.append(RowError(row=0, field="plan", message=str(reached.detail)))
    return checked


def _supplier_check(*, rows: list[_Row], checked: _Checked, all_nodes: dict, error) -> None:
    """dealer_create's and dealer_update's rule (services._supplier_errors) for every row: `supplier_code` is blank
    or headquarters, or an **active supplier above the dealer** (a new dealer: its parent or above, walking up the
    file's own rows to the network; an existing one: strictly above it, checked only when the row changes it).
    A dealer new in the file is never a supplier yet (headquarters designates suppliers). One query."""
    hq_id = checked.headquarters[0] if checked.headquarters else None
    refs = {all_nodes[code][0] for code in {row.values["supplier_code"] for row in rows} if code in all_nodes}
    active = set(Supplier.objects.filter(node_id__in=refs, active=True).values_list("node_id", flat=True)) \
        if refs else set()
    parent_of = {row.values["code"]: row.values["parent_code"] for row in rows if row.values["code"]}
    for row in rows:
        values = row.values
        ref, now = values["supplier_code"], checked.now.get(values["code"])
        if not ref or (ref not in checked.existing_nodes and ref not in parent_of):  # none, or unknown: said above
            continue
        if now is not None and now["supplier_code"] == ref:  # unchanged: as dealer_update
            continue
        node = checked.existing_nodes.get(ref)
        if node is not None and node[0] == hq_id:
            continue
        if node is None or node[0] not in active:
            error(row, "supplier_code", _("%(name)s is not a supplier: headquarters makes a dealer a supplier "
                                          "first.") % {"name": f"“{ref}”"})
            continue
        supplier_path = str(node[1])
        if now is not None:
            anchor, inclusive = str(all_nodes[values["code"]][1]), False
        else:
            code, seen = values["parent_code"], set()
            while code not in checked.existing_nodes and code in parent_of and code not in seen:
                seen.add(code)
                code = parent_of[code]
            if code not in checked.existing_nodes:  # no place in the network (an error of its own)
                continue
            anchor, inclusive = str(checked.existing_nodes[code][1]), True
        if not ((inclusive and anchor == supplier_path) or anchor.startswith(f"{supplier_path}.")):
            error(row, "supplier_code", _("%(name)s is not above this dealer in the network; a dealer buys from "
                                          "headquarters or from a supplier above it.") % {"name": f"“{ref}”"})


def _parent_cycles(rows: list[_Row]) -> list[list[str]]:
    """Cycles of parent codes among the file's own rows (each listed once, in file order)."""
    parent_of: dict[str, str] = {}
    for row in rows:
        if row.values["code"]:
            parent_of.setdefault(row.values["code"], row.values["parent_code"])
    state: dict[str, int] = {}  # 1: on the current walk, 2: done
    cycles = []
    for start in parent_of:
        walk: list[str] = []
        code = start
        while code in parent_of and code not in state:
            state[code] = 1
            walk.append(code)
            code = parent_of[code]
        if state.get(code) == 1:  # came back onto this walk
            cycles.append(walk[walk.index(code):])
        for visited in walk:
            state[visited] = 2
    return cycles


def _apply(*, actor, rows: list[_Row], checked: _Checked, source: str = "") -> dict[str, int]:
    """Insert everything in bulk (the caller holds the transaction); no reads but the id reservation.
    Returns the new nodes' ids by code."""
    ids = services.next_node_ids(len(rows))
    id_of = {row.values["code"]: node_id for row, node_id in zip(rows, ids, strict=True)}
    parent_of = {row.values["code"]: row.values["parent_code"] for row in rows}
    paths: dict[str, str] = {}
    for code in id_of:  # parents first, walking up as far as the first known path
        chain = []
        while code not in paths and code in id_of:
            chain.append(code)
            code = parent_of[code]
        known = paths[code] if code in paths else checked.existing_nodes[code][1]
        for child in reversed(chain):
            known = paths[child] = f"{known}.{id_of[child]}"

    def node_id(code: str) -> int:
        return id_of[code] if code in id_of else checked.existing_nodes[code][0]

    ordered = sorted(rows, key=lambda row: (paths[row.values["code"]].count("."), row.number))
    Node.objects.bulk_create(
        [
            Node(id=id_of[row.values["code"]], kind=Node.Kind.DEALER, name=row.values["name"], code=row.values["code"],
                 parent_id=node_id(row.values["parent_code"]), path=paths[row.values["code"]])
            for row in ordered
        ],
        batch_size=BATCH_SIZE,
    )
    users = checked.users
    dealers = Dealer.objects.bulk_create(
        [
            Dealer(
                node_id=id_of[values["code"]], code=values["code"], legal_name=values["legal_name"],
                name=values["name"], tier_id=checked.tiers.get(values["tier"]), status=values["status"],
                tax_number=values["tax_number"], bank_name=values["bank_name"],
                bank_account=values["bank_account"],  # encrypted by the field on insert
                bank_account_last4=services._last4(values["bank_account"]),
                supplier_id=node_id(values["supplier_code"]) if values["supplier_code"] else checked.headquarters[0],
                sales_rep_id=users.get(values["sales_rep_email"]),
                regional_manager_id=users.get(values["regional_manager_email"]),
            )
            for values in (row.values for row in ordered)
        ],
        batch_size=BATCH_SIZE,
    )
    through = Dealer.territories.through
    territory_links, contacts, addresses = [], [], []
    for dealer, row in zip(dealers, ordered, strict=True):
        values = row.values
        territory_links += [through(dealer_id=dealer.pk, territory_id=checked.territories[code])
                            for code in split_codes(values["territories"])]
        if values["contact_name"]:
            contacts.append(DealerContact(dealer_id=dealer.pk, name=values["contact_name"],
                                          phone=values["contact_phone"], email=values["contact_email"],
                                          is_primary=True))
        if values["billing_line"]:
            addresses.append(DealerAddress(
                dealer_id=dealer.pk, kind=DealerAddress.Kind.BILLING, recipient=values["billing_recipient"],
                phone=values["billing_phone"], territory_id=checked.territories[values["billing_territory"]],
                line=values["billing_line"],
            ))
    through.objects.bulk_create(territory_links, batch_size=BATCH_SIZE)
    DealerContact.objects.bulk_create(contacts, batch_size=BATCH_SIZE)
    DealerAddress.objects.bulk_create(addresses, batch_size=BATCH_SIZE)
    headquarters = Node(id=checked.headquarters[0])
    audit_record(actor=actor, action="dealers.dealer.imported", target=headquarters,
                 after={"rows": len(rows), "codes_sample": [row.values["code"] for row in rows[:20]],
                        "file": source[:200]})
    return id_of


# The columns an update writes onto the dealer itself, and the model fields that hold them.
_DEALER_FIELDS = {"legal_name": "legal_name", "name": "name", "tier": "tier_id", "status": "status",
                  "tax_number": "tax_number", "bank_name": "bank_name", "bank_account": "bank_account",
                  "supplier_code": "supplier_id", "sales_rep_email": "sales_rep_id",
                  "regional_manager_email": "regional_manager_id"}
_CONTACT_COLUMNS = ("contact_name", "contact_phone", "contact_email")


def _apply_updates(*, actor, rows: list[_Row], checked: _Checked, source: str, created_ids: dict[str, int]) -> int:
    """Write the changes of the rows that update existing dealers, in bulk (the caller holds the transaction):
    a constant number of statements, one audit entry per dealer changed (and one per status changed), all in
    one insert. Returns the number of dealers changed."""
    if not rows:
        return 0
    now_at = timezone.now()
    users, tiers, territories = checked.users, checked.tiers, checked.territories
    nodes = {code: node_id for code, (node_id, _path) in checked.existing_nodes.items()} | created_ids
    changed_dealers, renamed_nodes, territory_swaps, contacts_new, contacts_kept = [], [], [], [], []
    addresses_new, addresses_kept, entries = [], [], []
    dealer_fields: set[str] = set()
    for row in rows:
        values, dealer = row.values, checked.current[row.values["code"]]
        now = checked.now[dealer.code]
        columns = [column for column in _DEALER_FIELDS if values[column] != now[column]]
        new_territories = set(split_codes(values["territories"]))
        if new_territories != set(split_codes(now["territories"])):
            columns.append("territories")
            territory_swaps.append((dealer.pk, sorted(territories[code] for code in new_territories)))
        contact_given = values["contact_name"] and any(values[c] != now[c] for c in _CONTACT_COLUMNS)
        if contact_given:
            columns.append("contact")
            contact = checked.contacts.get(dealer.pk)
            if contact is None:
                contacts_new.append(DealerContact(dealer_id=dealer.pk, name=values["contact_name"],
                                                  phone=values["contact_phone"], email=values["contact_email"],
                                                  is_primary=True))
            else:
                contact.name, contact.phone, contact.email = (values[c] for c in _CONTACT_COLUMNS)
                contacts_kept.append(contact)
        if values["billing_line"] and any(values[c] != now[c] for c in BILLING_COLUMNS):
            columns.append("billing")
            address = checked.billing.get(dealer.pk) or DealerAddress(dealer_id=dealer.pk,
                                                                       kind=DealerAddress.Kind.BILLING)
            address.recipient, address.phone, address.line = (values["billing_recipient"], values["billing_phone"],
                                                              values["billing_line"])
            address.territory_id = territories[values["billing_territory"]]
            (addresses_kept if address.pk else addresses_new).append(address)
        if not columns:
            continue
        for column in columns:
            if column in _DEALER_FIELDS:
                dealer_fields.add(_DEALER_FIELDS[column])
        dealer.legal_name, dealer.name, dealer.status = values["legal_name"], values["name"], values["status"]
        dealer.tax_number, dealer.bank_name = values["tax_number"], values["bank_name"]
        dealer.bank_account, dealer.bank_account_last4 = values["bank_account"], services._last4(values["bank_account"])
        dealer.tier_id = tiers.get(values["tier"])
        dealer.supplier_id = nodes[values["supplier_code"]] if values["supplier_code"] else checked.headquarters[0]
        dealer.sales_rep_id = users.get(values["sales_rep_email"])
        dealer.regional_manager_id = users.get(values["regional_manager_email"])
        dealer.updated_at = now_at
        changed_dealers.append(dealer)
        if "name" in columns:
            renamed_nodes.append(Node(pk=dealer.node_id, name=dealer.name))
        masked = {"bank_account"}
        before = {c: ("***" if c in masked and now[c] else now[c]) for c in columns if c in now}
        after = {c: (dealer.bank_account_masked if c in masked else values[c]) for c in columns if c in values}
        for group, names in (("contact", _CONTACT_COLUMNS), ("billing", BILLING_COLUMNS)):
            if group in columns:
                before[group] = {c: now[c] for c in names}
                after[group] = {c: values[c] for c in names}
        after["file"] = source[:200]
        entries.append(audit_entry(actor=actor, action="dealers.dealer.updated", target=dealer, before=before,
                                   after=after))
        if "status" in columns:
            entries.append(audit_entry(actor=actor, action="dealers.dealer.status_changed", target=dealer,
                                       before={"status": now["status"]}, after={"status": values["status"]},
                                       reason=source[:200]))
    if changed_dealers and dealer_fields:
        if "bank_account" in dealer_fields:
            dealer_fields.add("bank_account_last4")
        Dealer.objects.bulk_update(changed_dealers, sorted(dealer_fields | {"updated_at"}), batch_size=BATCH_SIZE)
    Node.objects.bulk_update(renamed_nodes, ["name"], batch_size=BATCH_SIZE)
    if territory_swaps:
        through = Dealer.territories.through
        through.objects.filter(dealer_id__in=[dealer_id for dealer_id, _t in territory_swaps]).delete()
        through.objects.bulk_create([through(dealer_id=dealer_id, territory_id=territory_id)
                                     for dealer_id, ids in territory_swaps for territory_id in ids],
                                    batch_size=BATCH_SIZE)
    DealerContact.objects.bulk_update(contacts_kept, ["name", "phone", "email"], batch_size=BATCH_SIZE)
    DealerContact.objects.bulk_create(contacts_new, batch_size=BATCH_SIZE)
    DealerAddress.objects.bulk_update(addresses_kept, ["recipient", "phone", "line", "territory"],
                                      batch_size=BATCH_SIZE)
    DealerAddress.objects.bulk_create(addresses_new, batch_size=BATCH_SIZE)
    audit_entries_save(entries)
    return len(changed_dealers)


# --- export -------------------------------------------------------------------------------------


def dealers_export(*, actor, fmt: str) -> tuple[bytes, str, str]:
    """The dealers the actor may see, in the import's shape: (content, content_type, filename).

    Bank accounts are filled in only for actors with the `dealers.bank_view` capability (and are
    not even read otherwise). Four queries whatever the number of dealers, read as plain values
    (no model instances: an export of 10,000 dealers is a few hundred milliseconds, not seconds).
    """
    fmt = (fmt or "").lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise DealerInvalid(_("Export as csv or xlsx."), fields={"fmt": [_("Choose csv or xlsx.")]})
    show_bank = has_perm(actor, DEALERS_BANK_VIEW)
    visible = selectors.dealers_visible_to(actor)
    # column -> the lookup that fills it; the other columns come from the three reads below
    lookups = {
        "code": "code", "legal_name": "legal_name", "name": "name", "parent_code": "node__parent__code",
        "tier": "tier__code", "status": "status", "tax_number": "tax_number", "bank_name": "bank_name",
        "supplier_code": "supplier__code", "sales_rep_email": "sales_rep__email",
        "regional_manager_email": "regional_manager__email",
    }
    if show_bank:
        lookups["bank_account"] = "bank_account"  # decrypted by the field
    dealers = visible.order_by("node__path").values("pk", *lookups.values())  # parents before sub-dealers
    territories: dict[int, list[str]] = {}
    for dealer_id, code in (Dealer.territories.through.objects.filter(dealer__in=visible)
                            .order_by("territory__code").values_list("dealer_id", "territory__code")):
        territories.setdefault(dealer_id, []).append(code)
    contacts: dict[int, tuple] = {}
    for dealer_id, *contact in (DealerContact.objects.filter(dealer__in=visible, is_primary=True)
                                .order_by("-id").values_list("dealer_id", "name", "phone", "email")):
        contacts[dealer_id] = contact  # the oldest primary contact wins
    billing: dict[int, tuple] = {}
    for dealer_id, *address in (DealerAddress.objects.filter(dealer__in=visible, kind=DealerAddress.Kind.BILLING)
                                .values_list("dealer_id", "territory__code", "line", "recipient", "phone")):
        billing[dealer_id] = address

    rows = []
    for dealer in dealers:
        values = {column: dealer[lookup] or "" for column, lookup in lookups.items()}
        values["territories"] = ";".join(territories.get(dealer["pk"], ()))
        values.update(zip(("contact_name", "contact_phone", "contact_email"), contacts.get(dealer["pk"], ()),
                          strict=False))
        values.update(zip(BILLING_COLUMNS, billing.get(dealer["pk"], ()), strict=False))
        rows.append([values.get(column, "") for column in COLUMNS])
    filename = f"dealers-{timezone.localdate():%Y%m%d}.{fmt}"
    content = table_bytes(fmt=fmt, columns=COLUMNS, rows=rows, sheet="dealers")
    # who took the dealer list away, and whether it held bank accounts
    audit_record(actor=actor, action="dealers.dealer.exported", target=Collection("dealers.dealer", "export"),
                 after={"file": filename, "rows": len(rows), "bank_accounts": show_bank})
    return content, CSV_CONTENT_TYPE if fmt == "csv" else XLSX_CONTENT_TYPE, filename
