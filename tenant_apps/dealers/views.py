"""Brand console pages of the dealer network (/console/network/). Thin: each page declares its
capability, looks objects up through the actor's scope (a dealer or node outside it is a 404),
writes only through dealers.services (or dealers.transfer for files) and turns domain errors into
field errors or messages."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dms.ui import listing
from tenant_apps.accounts import invitations
from tenant_apps.accounts.access import requires
from tenant_apps.accounts.forms import InvitationForm
from tenant_apps.accounts.permissions import (
    DEALERS_BANK_VIEW,
    DEALERS_CREATE,
    DEALERS_EDIT,
    DEALERS_EXPORT,
    DEALERS_IMPORT,
    DEALERS_STATUS,
    DEALERS_VIEW,
    INVITABLE_ROLES,
    NETWORK_EDIT,
    QUALIFICATIONS_EDIT,
    SETTINGS_EDIT,
    USERS_VIEW,
    has_perm,
)
from tenant_apps.accounts.prerequisites import redirect_next
from tenant_apps.accounts.selectors import invitations_visible_to
from tenant_apps.core.errors import DomainError
from tenant_apps.core.forms import apply_domain_error
from tenant_apps.dealers import selectors, services, transfer
from tenant_apps.dealers.errors import DealerNotFound, NodeNotFound
from tenant_apps.dealers.forms import (
    AddressForm,
    ChannelPolicyForm,
    ContactForm,
    DealerFilterForm,
    DealerForm,
    ImportForm,
    MoveForm,
    PeopleSettingForm,
    QualificationForm,
    QualificationTypeForm,
    RegionForm,
    StatusForm,
    TerritoryForm,
    TierForm,
)
from tenant_apps.dealers.models import Dealer, DealerStatus, Node, QualificationType, Territory, Tier
from tenant_apps.dealers.people import people_added

LIST_SORTS = {"code": "code", "name": "name", "tier": "tier__rank", "status": "status", "created": "created_at"}
EXPORT_FORMATS = ("csv", "xlsx")
STATUS_BADGE = {DealerStatus.PROSPECT: "", DealerStatus.ACTIVE: "ok", DealerStatus.SUSPENDED: "warn",
                DealerStatus.TERMINATED: "danger"}
KIND_ORDER = {Node.Kind.HEADQUARTERS: 0, Node.Kind.REGION: 1, Node.Kind.DEALER: 2}


# --- helpers shared with the storefront pages -----------------------------------------------------


def dealer_or_404(request, dealer_id) -> Dealer:
    try:
        return selectors.dealer_get_for(actor=request.user, dealer_id=dealer_id)
    except DealerNotFound:
        raise Http404 from None


def node_or_404(request, node_id) -> Node:
    try:
        return selectors.node_get_for(actor=request.user, node_id=node_id)
    except NodeNotFound:
        raise Http404 from None


def status_badge(status: str) -> str:
    return STATUS_BADGE.get(status, "")


def qualification_rows(dealer: Dealer, today: date) -> list[dict]:
    """The dealer's qualifications with their state on `today`: valid, expiring soon, expired, not yet valid."""
    rows = []
    for qualification in dealer.qualifications.select_related("type"):
        if qualification.valid_from and qualification.valid_from > today:
            state, badge = _("Not yet valid"), "warn"
        elif qualification.valid_to and qualification.valid_to < today:
            state, badge = _("Expired"), "danger"
        elif qualification.valid_to and qualification.valid_to <= today + timedelta(
                days=qualification.type.reminder_days):
            state, badge = _("Expires soon"), "warn"
        else:
            state, badge = _("Valid"), "ok"
        rows.append({"qualification": qualification, "state": state, "badge": badge,
                     "number": f"**** {qualification.number_last4}" if qualification.number_last4 else ""})
    return rows


def _node_order(node):
    return KIND_ORDER.get(node.kind, 0), node.name.lower(), node.pk


def tree_of(items, *, key=_node_order) -> list:
    """Items with `pk` and `parent_id` as a forest: each gets `tree_children` (sorted by `key`) and
    `level`. Items whose parent is not among them (outside the actor's scope) are roots."""
    by_id = {item.pk: item for item in items}
    roots = []
    for item in items:
        item.tree_children = []
    for item in items:
        parent = by_id.get(item.parent_id)
        (parent.tree_children if parent is not None else roots).append(item)

    def visit(level_items, level):
        level_items.sort(key=key)
        for item in level_items:
            item.level = level
            visit(item.tree_children, level + 1)

    visit(roots, 0)
    return roots


def _count_dealers(node) -> int:
    node.dealer_count = (1 if node.dealer_pk else 0) + sum(_count_dealers(child) for child in node.tree_children)
    return node.dealer_count


def _network_position(node: Node, by_id: dict) -> str:
    """The names above a dealer's node that the actor can see, without headquarters."""
    names = []
    for part in node.path.split(".")[:-1]:
        above = by_id.get(int(part))
        if above is not None and above.kind != Node.Kind.HEADQUARTERS:
            names.append(above.name)
    return " / ".join(names)


def _can(user) -> dict:
    return {
        "create": has_perm(user, DEALERS_CREATE), "edit": has_perm(user, DEALERS_EDIT),
        "status": has_perm(user, DEALERS_STATUS), "network": has_perm(user, NETWORK_EDIT),
        "import": has_perm(user, DEALERS_IMPORT), "export": has_perm(user, DEALERS_EXPORT),
        "qualifications": has_perm(user, QUALIFICATIONS_EDIT), "bank": has_perm(user, DEALERS_BANK_VIEW),
    }


def _form_page(request, form, *, title: str, submit: str, back: str, intro: str = "", multipart: bool = False,
               dealer: Dealer | None = None):
    return render(request, "dealers/form_page.html", {
        "form": form, "title": title, "submit": submit, "back": back, "intro": intro, "multipart": multipart,
        "dealer": dealer,
    })


# --- the list and the tree ----------------------------------------------------------------------


@requires(DEALERS_VIEW)
@require_GET
def dealer_list(request):
    user = request.user
    nodes = list(selectors.nodes_visible_to(user).annotate(dealer_pk=F("dealer__id")))
    tree = tree_of(nodes)
    for root in tree:
        _count_dealers(root)
    by_id = {node.pk: node for node in nodes}
    tiers = list(Tier.objects.all())
    form = DealerFilterForm(request.GET, tiers=tiers)
    form.is_valid()
    filters = form.cleaned_data
    under = node_or_404(request, filters["under"]) if filters.get("under") else None
    dealers = selectors.dealer_list(actor=user, q=(filters.get("q") or "").strip(), status=filters.get("status") or "",
                                    tier=filters.get("tier") or "", under=under)
    page = listing(request, dealers, sorts=LIST_SORTS, default="code")
    rows = [{"dealer": dealer, "badge": status_badge(dealer.status),
             "position": _network_position(dealer.node, by_id)} for dealer in page.page]
    without_under = request.GET.copy()
    without_under.pop("under", None)
    without_under.pop("page", None)
    return render(request, "dealers/list.html", {
        "form": form, "listing": page, "rows": rows, "tree": tree, "under": under,
        "filtered": bool(filters.get("q") or filters.get("status") or filters.get("tier") or under),
        "all_url": f"?{without_under.urlencode()}", "can": _can(user),
    })


# --- one dealer ---------------------------------------------------------------------------------


TRANSITION_LABELS = {DealerStatus.ACTIVE: gettext_lazy("Activate"), DealerStatus.SUSPENDED: gettext_lazy("Suspend"),
                     DealerStatus.TERMINATED: gettext_lazy("Terminate")}


def _transitions(dealer: Dealer) -> list[dict]:
    order = list(DealerStatus)
    targets = sorted((to for start, to in services.STATUS_TRANSITIONS if start == dealer.status), key=order.index)
    return [{
        "to": DealerStatus(to), "danger": to == DealerStatus.TERMINATED,
        "label": _("Reactivate") if (dealer.status, to) == (DealerStatus.SUSPENDED, DealerStatus.ACTIVE)
        else str(TRANSITION_LABELS[to]),
        "form": StatusForm(initial={"to": to}, auto_id=f"id_{to}_%s"),
    } for to in targets]


@requires(DEALERS_VIEW)
@require_GET
def dealer_detail(request, dealer_id: int):
    user = request.user
    dealer = dealer_or_404(request, dealer_id)
    today = timezone.localdate()
    can = _can(user)
    return render(request, "dealers/detail.html", {
        "dealer": dealer, "badge": status_badge(dealer.status), "can": can,
        "territories": list(dealer.territories.all()),
        "addresses": list(dealer.addresses.select_related("territory")),
        "contacts": list(dealer.contacts.all()),
        "qualifications": qualification_rows(dealer, today),
        "blockers": selectors.qualification_blockers(dealer=dealer, today=today),
        "people": people_added(dealer=dealer),
        "invite_url": (f"{reverse('accounts:people')}?role=dealer_owner&dealer={dealer.pk}"
                       f"&next={reverse('dealers:detail', args=[dealer.pk])}"
                       if invitations.invitable_roles(user) else ""),
        "bank_account": dealer.bank_account if can["bank"] else dealer.bank_account_masked,
        "transitions": _transitions(dealer) if can["status"] else [],
    })


@requires(DEALERS_STATUS)
@require_POST
def dealer_status(request, dealer_id: int):
    dealer = dealer_or_404(request, dealer_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect("dealers:detail", dealer.pk)
    try:
        dealer = services.dealer_status_change(actor=request.user, dealer=dealer, to=form.cleaned_data["to"],
                                               reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("%(dealer)s is now %(status)s.") % {
            "dealer": dealer.name, "status": DealerStatus(dealer.status).label})
    return redirect("dealers:detail", dealer.pk)


@requires(DEALERS_CREATE)
@require_http_methods(["GET", "POST"])
def dealer_create(request):
    form = DealerForm(request.POST or None, actor=request.user, bank_editable=has_perm(request.user, DEALERS_BANK_VIEW),
                      initial={"parent": request.GET.get("parent")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dealer = services.dealer_create(
                actor=request.user, parent=data["parent"], code=data["code"].strip(), legal_name=data["legal_name"],
                name=data["name"], tier=data["tier"], territories=list(data["territories"]),
                tax_number=data["tax_number"], bank_name=data.get("bank_name", ""),
                bank_account=data.get("bank_account", ""), supplier=data["supplier"], sales_rep=data["sales_rep"],
                regional_manager=data["regional_manager"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Dealer %(code)s created.") % {"code": dealer.code})
            return redirect_next(request, "dealers:detail", dealer.pk)
    return _form_page(request, form, title=_("Add a dealer"), submit=_("Create dealer"), back=reverse("dealers:list"))


@requires(DEALERS_EDIT)
@require_http_methods(["GET", "POST"])
def dealer_edit(request, dealer_id: int):
    dealer = dealer_or_404(request, dealer_id)
    form = DealerForm(request.POST or None, actor=request.user, dealer=dealer,
                      bank_editable=has_perm(request.user, DEALERS_BANK_VIEW), initial=DealerForm.initial_for(dealer))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {name: data[name] for name in form.changed_data
                   if name in services.EDITABLE and name != "bank_account"}
        if data.get("bank_account"):
            changes["bank_account"] = data["bank_account"]
        if "supplier" in changes and changes["supplier"] is None:
            changes["supplier"] = selectors.headquarters()
        territories = list(data["territories"]) if "territories" in form.changed_data else None
        if not changes and territories is None:
            messages.info(request, _("Nothing to save."))
            return redirect("dealers:detail", dealer.pk)
        try:
            services.dealer_update(actor=request.user, dealer=dealer, territories=territories, **changes)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("dealers:detail", dealer.pk)
    return _form_page(request, form, title=_("Edit %(dealer)s") % {"dealer": dealer.name}, submit=_("Save"),
                      back=reverse("dealers:detail", args=[dealer.pk]), dealer=dealer)


@requires(DEALERS_EDIT)
@require_http_methods(["GET", "POST"])
def address_add(request, dealer_id: int):
    dealer = dealer_or_404(request, dealer_id)
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            address = services.address_add(actor=request.user, dealer=dealer, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            if address.outside_territory:
                messages.warning(request,
                                 _("Address added. It is outside the dealer's territories and flagged for review."))
            else:
                messages.success(request, _("Address added."))
            return redirect("dealers:detail", dealer.pk)
    return _form_page(request, form, title=_("Add an address"), submit=_("Add address"),
                      back=reverse("dealers:detail", args=[dealer.pk]), dealer=dealer)


@requires(DEALERS_EDIT)
@require_http_methods(["GET", "POST"])
def contact_add(request, dealer_id: int):
    dealer = dealer_or_404(request, dealer_id)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_add(actor=request.user, dealer=dealer, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Contact added."))
            return redirect("dealers:detail", dealer.pk)
    return _form_page(request, form, title=_("Add a contact"), submit=_("Add contact"),
                      back=reverse("dealers:detail", args=[dealer.pk]), dealer=dealer)


@requires(QUALIFICATIONS_EDIT)
@require_http_methods(["GET", "POST"])
def qualification_add(request, dealer_id: int):
    dealer = dealer_or_404(request, dealer_id)
    form = QualificationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.qualification_add(actor=request.user, dealer=dealer, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Qualification added."))
            return redirect("dealers:detail", dealer.pk)
    page = _form_page(request, form, title=_("Add a qualification"), submit=_("Add qualification"),
                      back=reverse("dealers:detail", args=[dealer.pk]), multipart=True, dealer=dealer)
    if form.is_bound and form.errors:
        page.status_code = 400  # a refused file (or date) is a 4xx, nothing stored
    return page


# --- the tree: regions and moves ----------------------------------------------------------------


@requires(NETWORK_EDIT)
@require_http_methods(["GET", "POST"])
def region_create(request):
    form = RegionForm(request.POST or None, actor=request.user, initial={"parent": request.GET.get("parent")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            region = services.region_create(actor=request.user, parent=data["parent"], name=data["name"],
                                            code=data["code"].strip())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Region %(name)s created.") % {"name": region.name})
            return redirect_next(request, f"{reverse('dealers:list')}?under={region.pk}")
    return _form_page(request, form, title=_("Add a region"), submit=_("Create region"), back=reverse("dealers:list"),
                      intro=_("Regions group dealers, for reports and for the part of the network a regional "
                              "manager sees."))


@requires(NETWORK_EDIT)
@require_http_methods(["GET", "POST"])
def node_move(request, node_id: int):
    node = node_or_404(request, node_id)
    dealer = node.dealer if node.kind == Node.Kind.DEALER else None
    back = reverse("dealers:detail", args=[dealer.pk]) if dealer else f"{reverse('dealers:list')}?under={node.pk}"
    form = MoveForm(request.POST or None, actor=request.user, node=node)
    if request.method == "POST" and form.is_valid():
        try:
            services.node_move(actor=request.user, node=node, new_parent=form.cleaned_data["new_parent"])
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s moved, with everything below it.") % {"name": node.name})
            return redirect(back)
    return _form_page(request, form, title=_("Move %(name)s") % {"name": node.name}, submit=_("Move"), back=back,
                      intro=_("Everything below it moves too."), dealer=dealer)


# --- import and export --------------------------------------------------------------------------


@requires(DEALERS_IMPORT)
@require_http_methods(["GET", "POST"])
def dealer_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result, status = None, 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = transfer.dealers_import(actor=request.user, file=upload, filename=upload.name)
        except DomainError as error:  # e.g. a file past a limit of the reader: 413 on the file field
            apply_domain_error(form, error)
            status = error.status
        else:
            if result.applied:
                messages.success(request, ngettext("%(count)s dealer imported.", "%(count)s dealers imported.",
                                                   result.created) % {"count": result.created})
                return redirect("dealers:list")
    return render(request, "dealers/import.html", {
        "form": form, "result": result, "columns": transfer.COLUMNS,
        "can_export": has_perm(request.user, DEALERS_EXPORT),
    }, status=status)


@requires(DEALERS_EXPORT)
@require_GET
def dealer_export(request):
    fmt = request.GET.get("format", "csv")
    if fmt not in EXPORT_FORMATS:
        return HttpResponseBadRequest(_("Unknown format."))
    content, content_type, filename = transfer.dealers_export(actor=request.user, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


# --- settings: tiers, territories, qualification types, channel policy ---------------------------


def _settings_forms(data, action: str, policy: str, manage_people: bool = True) -> dict:

    def bound(name):
        return data if action == name else None

    return {
        "policy": ChannelPolicyForm(bound("policy"), prefix="policy", initial={"channel_conflict_policy": policy}),
        "people": PeopleSettingForm(bound("people"), prefix="people",
                                    initial={"dealers_manage_people": manage_people}),
        "tier": TierForm(bound("tier"), prefix="tier"),
        "territory": TerritoryForm(bound("territory"), prefix="territory"),
        "qualification_type": QualificationTypeForm(bound("qualification_type"), prefix="qt"),
    }


def _settings_save(request, action: str, data: dict) -> str:
    actor = request.user
    if action == "policy":
        services.network_settings_update(actor=actor, channel_conflict_policy=data["channel_conflict_policy"])
        return _("Channel policy saved.")
    if action == "people":
        services.network_people_setting_update(actor=actor, dealers_manage_people=data["dealers_manage_people"])
        return _("Saved.")
    if action == "tier":
        tier = services.tier_create(actor=actor, code=data["code"].strip(), name=data["name"].strip(),
                                    rank=data["rank"])
        return _("Tier %(name)s added.") % {"name": tier.name}
    if action == "territory":
        territory = services.territory_create(actor=actor, code=data["code"], name=data["name"].strip(),
                                              parent=data["parent"])
        return _("Territory %(name)s added.") % {"name": territory.name}
    qualification_type = services.qualification_type_create(
        actor=actor, code=data["code"], name=data["name"].strip(), required=data["required"],
        reminder_days=data["reminder_days"])
    return _("Qualification type %(name)s added.") % {"name": qualification_type.name}


@requires(SETTINGS_EDIT)
@require_http_methods(["GET", "POST"])
def network_settings(request):
    action = request.POST.get("action", "") if request.method == "POST" else ""
    current = selectors.network_settings()
    forms = _settings_forms(request.POST, action, current.channel_conflict_policy, current.dealers_manage_people)
    if request.method == "POST":
        if action not in forms:
            return HttpResponseBadRequest(_("Unknown form."))
        form = forms[action]
        if form.is_valid():
            try:
                done = _settings_save(request, action, form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, done)
                return redirect_next(request, f"{reverse('dealers:settings')}#{action.replace('_', '-')}")
    return render(request, "dealers/settings.html", {
        "forms": forms, "tiers": list(Tier.objects.all()),
        "territories": tree_of(list(Territory.objects.all()), key=lambda territory: territory.code),
        "qualification_types": list(QualificationType.objects.all()),
        "policy": current,
    })


def _invite_choices(user, picked=None):
    """The dealers and parts of the network an invitation may name: the first 500 dealers by code, and the dealer
    the page was opened for (`picked`, from a dealer's page) wherever it falls."""
    dealers = list(selectors.dealers_visible_to(user).order_by("code")[:500])
    if picked is not None and all(dealer.pk != picked.pk for dealer in dealers):
        dealers.insert(0, picked)
    return {"dealers": dealers, "nodes": list(selectors.nodes_visible_to(user).exclude(kind="dealer"))}


@requires(USERS_VIEW)
@require_http_methods(["GET", "POST"])
def people(request):
    """Users of the workspace (in the actor's scope) and invitations, at /accounts/people/ (accounts:people): the
    dealer and the part of the network of an invitation are picked in the actor's part of the network."""
    role = request.GET.get("role", "")
    wanted = request.GET.get("dealer", "")
    picked = (selectors.dealers_visible_to(request.user).filter(pk=int(wanted)).first()
              if wanted.isdigit() and len(wanted) < 12 else None)
    initial = {"role": role} if role in INVITABLE_ROLES else {}
    if picked is not None:
        initial["dealer"] = picked.pk
    form = InvitationForm(request.POST or None, initial=initial or None, **_invite_choices(request.user, picked))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.invitation_create(
                actor=request.user, email=data["email"], role=data["role"],
                dealer=selectors.dealers_visible_to(request.user).filter(pk=data["dealer"]).first()
                if data["dealer"] else None,
                scope_node=selectors.nodes_visible_to(request.user).filter(pk=data["scope_node"]).first()
                if data["scope_node"] else None,
            )
        except DomainError as error:
            for field, errors in error.fields.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
            if not error.fields:
                form.add_error(None, error.detail)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": data["email"]})
            return redirect_next(request, "accounts:people")
    users = selectors.users_visible_to(request.user)
    return render(request, "dealers/people.html", {
        "form": form,
        "listing": listing(request, users, sorts={"email": "email", "name": "full_name", "role": "role"},
                           default="email"),
        "invitations": invitations_visible_to(request.user).filter(
            accepted_at__isnull=True, revoked_at__isnull=True)[:100],
        "can_invite": bool(invitations.invitable_roles(request.user)),
    })
