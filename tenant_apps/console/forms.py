from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.audit.labels import APP_LABELS, SUBJECT_LABELS
from tenant_apps.console.selectors import AuditFilters
from tenant_apps.core.dates import window_errors
from tenant_apps.core.uploads import LOGO_MAX_BYTES, UploadField
from tenants.models import Tenant


class BrandingForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=200, required=False,
                                   help_text=_("Shown to your dealers instead of the company name."))
    primary_colour = forms.RegexField(label=_("Primary colour"), regex=r"^#[0-9A-Fa-f]{6}$",
                                      widget=forms.TextInput(attrs={"type": "color"}),
                                      error_messages={"invalid": _("Use a colour such as #1F6FEB.")})
    default_locale = forms.ChoiceField(label=_("Default language"),
                                       choices=Tenant._meta.get_field("default_locale").choices)
    logo = UploadField(kind="image", max_bytes=LOGO_MAX_BYTES, label=_("Logo"), required=False,
                       help_text=_("PNG or JPEG, at most 1 MB."))


# The audit page's filters, read from the address (?app=ordering&from=2026-01-01...).
DOTTED = r"^[a-z_]+(\.[a-z_]+){0,2}\.?$"


class AuditFilterForm(forms.Form):
    app = forms.ChoiceField(label=_("Area"), required=False)
    subject = forms.ChoiceField(label=_("About"), required=False)
    action = forms.RegexField(label=_("Action"), regex=DOTTED, max_length=64, required=False,
                              error_messages={"invalid": _("Give an action code such as ordering.order.")})
    actor = forms.CharField(label=_("Who"), max_length=254, required=False)
    target_type = forms.RegexField(
        label=_("Record type"), regex=DOTTED, max_length=64, required=False,
        error_messages={"invalid": _("Give a record type such as ordering.order.")})
    target_id = forms.CharField(label=_("Record"), max_length=64, required=False)
    dealer = forms.IntegerField(label=_("Dealer"), min_value=1, max_value=2**63 - 1, required=False)
    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["app"].choices = [("", _("Any area")),
                                      *sorted(APP_LABELS.items(), key=lambda c: str(c[1]))]
        self.fields["subject"].choices = [("", _("Anything")),
                                          *sorted(SUBJECT_LABELS.items(), key=lambda c: (str(c[1]), c[0]))]

    def clean(self):
        data = super().clean()
        outside = window_errors(date_from=data.get("date_from"), date_to=data.get("date_to"))
        for field, messages in outside.items():
            self.add_error(field, messages)
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end is before the start."))
        return data

    def filters(self) -> AuditFilters:
        """The valid filters (call after `is_valid()`)."""
        data = self.cleaned_data
        subject = data.get("subject")
        return AuditFilters(app=data.get("app") or "", subject=f"{subject}." if subject else "",
                            action=data.get("action") or "",
                            actor=(data.get("actor") or "").strip(),
                            target_type=data.get("target_type") or "",
                            target_id=(data.get("target_id") or "").strip(), dealer_id=data.get("dealer"),
                            date_from=data.get("date_from"), date_to=data.get("date_to"))


# --- the supplier console (S2B2B) ----------------------------------------------------------------------------


class SupplierPriceListForm(forms.Form):
    """A supplier's own price list for its sub-dealers: for all of them (base), a tier, or one sub-dealer."""

    code = forms.CharField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Applies to"), choices=[("base", _("All my sub-dealers")),
                                                             ("tier", _("A tier")), ("dealer", _("One sub-dealer"))])
    tier = forms.ModelChoiceField(label=_("Tier"), queryset=None, required=False)
    dealer = forms.ModelChoiceField(label=_("Sub-dealer"), queryset=None, required=False)

    def __init__(self, *args, node_id: int, **kwargs):
        from tenant_apps.dealers.models import Tier
        from tenant_apps.dealers.selectors import supplier_dealers

        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = Tier.objects.order_by("rank", "code")
        self.fields["dealer"].queryset = supplier_dealers(node_id=node_id)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind != "tier":
            data["tier"] = None
        if kind != "dealer":
            data["dealer"] = None
        return data


class SupplierPriceForm(forms.Form):
    sku_code = forms.CharField(label=_("SKU code"), max_length=64)
    min_quantity = forms.IntegerField(label=_("From quantity"), min_value=1, initial=1)
    price = forms.DecimalField(label=_("Price per base unit"), min_value=0, max_digits=14, decimal_places=4)


class SupplierWarehouseForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=32,
        help_text=_("Letters, digits, dots, dashes or underscores; unique in the brand's workspace."))
    name = forms.CharField(label=_("Name"), max_length=100)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not re.fullmatch(r"[A-Za-z0-9._-]+", code):
            raise forms.ValidationError(_("Use letters, digits, dots, dashes or underscores only."))
        return code


class SupplierSafetyStockForm(forms.Form):
    sku_code = forms.CharField(label=_("SKU code"), max_length=64)
    quantity = forms.IntegerField(label=_("Safety stock (base units; 0 removes it)"), min_value=0,
                                  max_value=2_147_483_647)


class SupplierReceiptForm(forms.Form):
    sku_code = forms.CharField(label=_("SKU code"), max_length=64)
    quantity = forms.IntegerField(label=_("Quantity (base units)"), min_value=1, max_value=10_000_000)
    reference = forms.CharField(label=_("Reference"), max_length=64, required=False)


def supplier_promotion_form(*args, kind: str, node_id: int, **kwargs):
    """The brand's promotion builder as a supplier uses it for its sub-dealers: no regions (its sub-dealers are
    its own), no coupons, and named dealers only among its sub-dealers."""
    from tenant_apps.promotions.forms import PromotionForm

    class SupplierPromotionForm(PromotionForm):
        COMMON = tuple(name for name in PromotionForm.COMMON if name != "coupon_required")
        SCOPE = ("sku_codes", "categories", "tiers", "dealer_codes")

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name in ("coupon_required", "territories"):
                self.fields.pop(name, None)
            self.fields["dealer_codes"].help_text = _("Codes of your sub-dealers. Empty: all of them.")

        def clean_dealer_codes(self):
            from tenant_apps.dealers.selectors import supplier_dealers

            codes = [code for code in (self.cleaned_data["dealer_codes"] or "").replace(",", " ").split() if code]
            found = dict(supplier_dealers(node_id=node_id).filter(code__in=codes).values_list("code", "pk"))
            missing = [code for code in codes if code not in found]
            if missing:
                raise forms.ValidationError(_("Not your sub-dealers: %(codes)s") % {"codes": ", ".join(missing[:10])})
            return [found[code] for code in codes]

        def service_kwargs(self) -> dict:
            self.cleaned_data.update(coupon_required=False, territories=[])
            return super().service_kwargs()

    return SupplierPromotionForm(*args, kind=kind, **kwargs)
