"""Console forms of promotions: the builder (common fields, scope pickers, and the fields of one kind,
turned into the rule JSON the services validate), coupons, transitions, and the live preview."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.accounts.prerequisites import CATEGORY, DEALER_CODE, SKU, TERRITORY, TIER, needs
from tenant_apps.catalog.models import Category, Sku
from tenant_apps.dealers.models import Dealer, Territory, Tier
from tenant_apps.promotions.models import PromotionKind, Stacking

KIND_FIELDS = {
    PromotionKind.THRESHOLD: ("steps", "repeat"),
    PromotionKind.PERCENT: ("percent",),
    PromotionKind.FIXED: ("amount", "per"),
    PromotionKind.TIERED: ("tiers_text", "basis"),
    PromotionKind.BUNDLE: ("items", "bundle_price", "amount_off"),
    PromotionKind.GIFT: ("buy_quantity", "gift_sku", "gift_quantity", "gift_repeat"),
}
# Service field errors (rule.<name>) shown on the builder's fields.
RULE_FIELD = {"rule.steps": "steps", "rule.repeat": "repeat", "rule.percent": "percent", "rule.amount": "amount",
              "rule.per": "per", "rule.tiers": "tiers_text", "rule.basis": "basis", "rule.items": "items",
              "rule.price": "bundle_price", "rule.amount_off": "amount_off", "rule.buy_quantity": "buy_quantity",
              "rule.gift_sku_id": "gift_sku", "rule.gift_unit_id": "gift_sku",
              "rule.gift_quantity": "gift_quantity"}
# All service field names the builder maps to its own fields (for core.forms.apply_domain_error).
ERROR_FIELDS = {"skus": "sku_codes", "dealers": "dealer_codes", **RULE_FIELD}
TEXTAREA = {"rows": 3}


def _pairs(text: str) -> list[tuple[str, str]]:
    """Lines of two values ("1000 50", "1000=50", "RB-250 x 2")."""
    pairs = []
    for raw in (text or "").splitlines():
        parts = [part for part in re.split(r"[\s=,:xX×]+", raw.strip()) if part]
        if not parts:
            continue
        if len(parts) != 2:
            raise forms.ValidationError(_("Write one pair per line, such as “%(example)s”.") % {"example": raw.strip()})
        pairs.append((parts[0], parts[1]))
    return pairs


def _codes(text: str) -> list[str]:
    return [code for code in re.split(r"[\s,;，；]+", text or "") if code]


class PromotionForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=64)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    description = forms.CharField(label=gettext_lazy("Description"), required=False,
                                  widget=forms.Textarea(attrs=TEXTAREA))
    starts_at = forms.DateTimeField(label=gettext_lazy("Starts"),
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                               format="%Y-%m-%dT%H:%M"))
    ends_at = forms.DateTimeField(label=gettext_lazy("Ends"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    priority = forms.IntegerField(label=gettext_lazy("Priority"), initial=0, min_value=-1000, max_value=1000,
                                  help_text=gettext_lazy("Higher applies first; equal priorities go by code."))
    stacking = forms.ChoiceField(label=gettext_lazy("Combining"), choices=Stacking.choices,
                                 initial=Stacking.STACKABLE)
    budget = forms.DecimalField(label=gettext_lazy("Budget (total discount)"), required=False,
                                min_value=Decimal("0.01"), decimal_places=2,
                                help_text=gettext_lazy("Empty: no cap."))
    coupon_required = forms.BooleanField(label=gettext_lazy("Needs a coupon code"), required=False)
    # scope
    sku_codes = needs(forms.CharField(
        label=gettext_lazy("SKUs"), required=False, widget=forms.Textarea(attrs=TEXTAREA),
        help_text=gettext_lazy("SKU codes separated by spaces or commas. Empty with no category: every SKU.")), SKU)
    categories = needs(forms.ModelMultipleChoiceField(
        label=gettext_lazy("Categories (with their subcategories)"), queryset=Category.objects.order_by("path"),
        required=False), CATEGORY)
    tiers = needs(forms.ModelMultipleChoiceField(label=gettext_lazy("Dealer tiers"), queryset=Tier.objects.all(),
                                                 required=False, widget=forms.CheckboxSelectMultiple,
                                                 help_text=gettext_lazy("None ticked: every tier.")), TIER)
    territories = needs(forms.ModelMultipleChoiceField(
        label=gettext_lazy("Regions (with their sub-regions)"), queryset=Territory.objects.order_by("path"),
        required=False), TERRITORY)
    dealer_codes = needs(forms.CharField(label=gettext_lazy("Named dealers"), required=False,
                                         widget=forms.Textarea(attrs=TEXTAREA),
                                         help_text=gettext_lazy("Dealer codes. Empty: every dealer.")), DEALER_CODE)
    # threshold (满减)
    steps = forms.CharField(label=gettext_lazy("Steps"), required=False, widget=forms.Textarea(attrs=TEXTAREA),
                            help_text=gettext_lazy("One step per line: spend, then amount off (“1000 50”)."))
    repeat = forms.BooleanField(label=gettext_lazy("Repeat"), required=False)
    percent = forms.DecimalField(label=gettext_lazy("Percentage off"), required=False, decimal_places=2)
    amount = forms.DecimalField(label=gettext_lazy("Amount off"), required=False, decimal_places=2)
    per = forms.ChoiceField(label=gettext_lazy("Per"), required=False,
                            choices=[("unit", gettext_lazy("Each unit")), ("line", gettext_lazy("Each line"))])
    tiers_text = forms.CharField(label=gettext_lazy("Quantity tiers"), required=False,
                                 widget=forms.Textarea(attrs=TEXTAREA),
                                 help_text=gettext_lazy("One per line: minimum units, then percentage (“100 3”)."))
    basis = forms.ChoiceField(label=gettext_lazy("Count units"), required=False,
                              choices=[("sku", gettext_lazy("Per SKU")),
                                       ("total", gettext_lazy("Over all the promotion's SKUs"))])
    items = forms.CharField(label=gettext_lazy("Bundle items"), required=False, widget=forms.Textarea(attrs=TEXTAREA),
                            help_text=gettext_lazy("One per line: SKU code, then units (“RB-250 2”)."))
    bundle_price = forms.DecimalField(label=gettext_lazy("Bundle price"), required=False, decimal_places=2)
    amount_off = forms.DecimalField(label=gettext_lazy("Or amount off per set"), required=False, decimal_places=2)
    buy_quantity = forms.IntegerField(label=gettext_lazy("Buy (units)"), required=False, min_value=1)
    gift_sku = forms.CharField(label=gettext_lazy("Gift SKU code"), required=False, max_length=64)
    gift_quantity = forms.IntegerField(label=gettext_lazy("Gift units"), required=False, min_value=1)
    gift_repeat = forms.BooleanField(label=gettext_lazy("For every multiple"), required=False, initial=True)

    COMMON = ("code", "name", "description", "starts_at", "ends_at", "priority", "stacking", "budget",
              "coupon_required")
    SCOPE = ("sku_codes", "categories", "tiers", "territories", "dealer_codes")

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = set(self.COMMON) | set(self.SCOPE) | set(KIND_FIELDS[kind])
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]

    def common_fields(self):
        return [self[name] for name in self.COMMON]

    def scope_fields(self):
        return [self[name] for name in self.SCOPE]

    def rule_fields(self):
        return [self[name] for name in KIND_FIELDS[self.kind]]

    def clean_sku_codes(self):
        codes = _codes(self.cleaned_data["sku_codes"])
        found = dict(Sku.objects.filter(code__in=codes).values_list("code", "pk"))
        missing = [code for code in codes if code not in found]
        if missing:
            raise forms.ValidationError(_("Unknown SKU codes: %(codes)s") % {"codes": ", ".join(missing[:10])})
        return [found[code] for code in codes]

    def clean_dealer_codes(self):
        codes = _codes(self.cleaned_data["dealer_codes"])
        found = dict(Dealer.objects.filter(code__in=codes).values_list("code", "pk"))
        missing = [code for code in codes if code not in found]
        if missing:
            raise forms.ValidationError(_("Unknown dealer codes: %(codes)s") % {"codes": ", ".join(missing[:10])})
        return [found[code] for code in codes]

    def clean_steps(self):
        return [{"threshold": spend, "off": off} for spend, off in _pairs(self.cleaned_data["steps"])]

    def clean_tiers_text(self):
        return [{"min_quantity": minimum, "percent": percent}
                for minimum, percent in _pairs(self.cleaned_data["tiers_text"])]

    def clean_items(self):
        pairs = _pairs(self.cleaned_data["items"])
        found = dict(Sku.objects.filter(code__in=[code for code, _q in pairs]).values_list("code", "pk"))
        missing = [code for code, _q in pairs if code not in found]
        if missing:
            raise forms.ValidationError(_("Unknown SKU codes: %(codes)s") % {"codes": ", ".join(missing[:10])})
        return [{"sku_id": found[code], "quantity": quantity} for code, quantity in pairs]

    def clean_gift_sku(self):
        code = (self.cleaned_data["gift_sku"] or "").strip()
        if not code:
            return None
        sku = Sku.objects.filter(code=code).first()
        if sku is None:
            raise forms.ValidationError(_("No SKU with this code."))
        return sku.pk

    def rule(self) -> dict:
        data = self.cleaned_data
        text = {"percent": "percent", "amount": "amount", "bundle_price": "price", "amount_off": "amount_off"}
        if self.kind == PromotionKind.THRESHOLD:
            return {"steps": data["steps"], "repeat": data["repeat"]}
        if self.kind == PromotionKind.PERCENT:
            return {"percent": _text(data["percent"])}
        if self.kind == PromotionKind.FIXED:
            return {"amount": _text(data["amount"]), "per": data["per"] or "unit"}
        if self.kind == PromotionKind.TIERED:
            return {"tiers": data["tiers_text"], "basis": data["basis"] or "sku"}
        if self.kind == PromotionKind.BUNDLE:
            rule = {"items": data["items"]}
            for field in ("bundle_price", "amount_off"):
                if data.get(field) is not None:
                    rule[text[field]] = _text(data[field])
            return rule
        return {"buy_quantity": data["buy_quantity"], "gift_sku_id": data["gift_sku"],
                "gift_quantity": data["gift_quantity"], "repeat": data["gift_repeat"]}

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"code": data["code"], "name": data["name"], "description": data["description"], "kind": self.kind,
                "rule": self.rule(), "starts_at": data["starts_at"], "ends_at": data["ends_at"],
                "priority": data["priority"] if data["priority"] is not None else 0, "stacking": data["stacking"],
                "budget": data["budget"], "coupon_required": data["coupon_required"], "skus": data["sku_codes"],
                "categories": list(data["categories"]), "tiers": list(data["tiers"]),
                "territories": list(data["territories"]), "dealers": data["dealer_codes"]}


def _text(value) -> str | None:
    return None if value is None else str(value)


def initial_for(promotion) -> dict:
    """The builder's initial values from a promotion (to edit it)."""
    rule = promotion.rule or {}
    sku_codes = " ".join(Sku.objects.filter(pk__in=promotion.sku_id_list).order_by("code")
                         .values_list("code", flat=True)) if promotion.kind != PromotionKind.BUNDLE else ""
    initial = {
        "code": promotion.code, "name": promotion.name, "description": promotion.description,
        "starts_at": promotion.starts_at, "ends_at": promotion.ends_at, "priority": promotion.priority,
        "stacking": promotion.stacking, "budget": promotion.budget, "coupon_required": promotion.coupon_required,
        "sku_codes": sku_codes, "categories": list(promotion.categories.all()), "tiers": list(promotion.tiers.all()),
        "territories": list(promotion.territories.all()),
        "dealer_codes": " ".join(Dealer.objects.filter(pk__in=promotion.dealer_id_list).order_by("code")
                                 .values_list("code", flat=True)),
    }
    kind = promotion.kind
    if kind == PromotionKind.THRESHOLD:
        initial["steps"] = "\n".join(f"{s['threshold']} {s['off']}" for s in rule.get("steps", []))
        initial["repeat"] = rule.get("repeat", False)
    elif kind == PromotionKind.PERCENT:
        initial["percent"] = rule.get("percent")
    elif kind == PromotionKind.FIXED:
        initial.update(amount=rule.get("amount"), per=rule.get("per"))
    elif kind == PromotionKind.TIERED:
        initial["tiers_text"] = "\n".join(f"{t['min_quantity']} {t['percent']}" for t in rule.get("tiers", []))
        initial["basis"] = rule.get("basis")
    elif kind == PromotionKind.BUNDLE:
        codes = dict(Sku.objects.filter(pk__in=[i["sku_id"] for i in rule.get("items", [])]).values_list("pk", "code"))
        initial["items"] = "\n".join(f"{codes.get(i['sku_id'], i['sku_id'])} {i['quantity']}"
                                     for i in rule.get("items", []))
        initial.update(bundle_price=rule.get("price"), amount_off=rule.get("amount_off"))
    elif kind == PromotionKind.GIFT:
        gift = Sku.objects.filter(pk=rule.get("gift_sku_id")).values_list("code", flat=True).first()
        initial.update(buy_quantity=rule.get("buy_quantity"), gift_sku=gift, gift_quantity=rule.get("gift_quantity"),
                       gift_repeat=rule.get("repeat", True))
    return initial


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500, required=False)


class CouponForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=32)
    per_dealer_limit = forms.IntegerField(label=gettext_lazy("Uses per dealer"), required=False, min_value=1)
    total_limit = forms.IntegerField(label=gettext_lazy("Uses in total"), required=False, min_value=1)


class CouponGenerateForm(forms.Form):
    count = forms.IntegerField(label=gettext_lazy("How many"), min_value=1, max_value=5000)
    prefix = forms.CharField(label=gettext_lazy("Prefix"), max_length=12, required=False)
    per_dealer_limit = forms.IntegerField(label=gettext_lazy("Uses per dealer"), required=False, min_value=1,
                                          initial=1)
    total_limit = forms.IntegerField(label=gettext_lazy("Uses of each code"), required=False, min_value=1, initial=1)


class PreviewForm(forms.Form):
    dealer = needs(forms.CharField(label=gettext_lazy("Dealer code"), max_length=64), DEALER_CODE)
    cart = needs(forms.CharField(label=gettext_lazy("Cart"), widget=forms.Textarea(attrs={"rows": 5}),
                                 help_text=gettext_lazy("One line per SKU: code, then quantity in its base unit "
                                                        "(“RB-250 48”).")), SKU)
    coupons = forms.CharField(label=gettext_lazy("Coupon codes"), required=False, max_length=200)

    def clean_cart(self):
        pairs = _pairs(self.cleaned_data["cart"])
        if not pairs:
            raise forms.ValidationError(_("Add at least one line."))
        if len(pairs) > 500:
            raise forms.ValidationError(_("At most 500 lines."))
        lines = []
        for code, quantity in pairs:
            try:
                number = int(Decimal(quantity))
            except (InvalidOperation, ValueError):
                number = 0
            if number < 1:
                raise forms.ValidationError(_("“%(code)s”: the quantity must be a whole number of at least 1.")
                                            % {"code": code})
            lines.append((code, number))
        return lines
