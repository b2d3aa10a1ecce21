"""Forms of the catalog's console pages. They parse and shape input only; every rule that needs the
database (unique codes, GS1 barcodes, legal status changes, image checks) is checked by
catalog.services, whose domain errors the views put back on the form (`core.forms.apply_domain_error`)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tenant_apps.accounts.prerequisites import CATEGORY, SERIES, TERRITORY, TIER, UNIT, needs
from tenant_apps.catalog.models import Category, ProductStatus, Series, Unit
from tenant_apps.dealers.forms import TerritoryMultipleChoiceField
from tenant_apps.dealers.models import Territory, Tier

INDENT = "\u2003"  # an em space per level of the category tree in a select
MAX_PAIRS = 50
BLANK_PAIR_ROWS = 3


# --- key/value rows (specifications, attributes) ------------------------------------------------


class KeyValueWidget(forms.Widget):
    """Rows of name/value inputs (`<name>_key` / `<name>_value`, repeated), with a few blank rows to add."""

    template_name = "catalog/console/_key_value_widget.html"

    def value_from_datadict(self, data, files, name):
        keys, values = data.getlist(f"{name}_key"), data.getlist(f"{name}_value")
        return list(zip(keys, values, strict=False))

    def value_omitted_from_data(self, data, files, name):
        return f"{name}_key" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if isinstance(value, dict):
            rows = [(str(k), str(v)) for k, v in value.items()]
        else:
            rows = [(str(k), str(v)) for k, v in (value or []) if str(k).strip() or str(v).strip()]
        context["widget"]["rows"] = rows + [("", "")] * BLANK_PAIR_ROWS
        return context


class KeyValueField(forms.Field):
    """Names and values as a dict (blank rows are skipped; a value needs a name; names once each)."""

    widget = KeyValueWidget

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        pairs = [((key or "").strip(), (val or "").strip()) for key, val in (value or [])]
        pairs = [(key, val) for key, val in pairs if key or val]
        if len(pairs) > MAX_PAIRS:
            raise ValidationError(_("At most %(count)s rows.") % {"count": MAX_PAIRS}, code="too_many")
        result: dict[str, str] = {}
        for key, val in pairs:
            if not key:
                raise ValidationError(_("Give each value a name."), code="no_name")
            if len(key) > 64 or len(val) > 500:
                raise ValidationError(_("Names have at most 64 characters, values at most 500."), code="long")
            if key in result:
                raise ValidationError(_("The name %(name)s appears twice.") % {"name": key}, code="twice")
            result[key] = val
        return result

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")


# --- choices ------------------------------------------------------------------------------------


class CategoryChoiceField(forms.ModelChoiceField):
    """A category, indented by its depth in the tree (give it a queryset ordered by path)."""

    def label_from_instance(self, obj: Category) -> str:
        return f"{INDENT * getattr(obj, 'level', obj.path.count('.'))}{obj.name} ({obj.code})"


class TierMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Tier) -> str:
        return f"{obj.name} ({obj.code})"


def categories_in_tree_order(categories=None) -> list[Category]:
    """Categories in tree order (each after its parent, siblings by sort order then name), each with
    `level` (0 at the top) and `child_count`: one query, or none when `categories` are given."""
    categories = list(Category.objects.all()) if categories is None else list(categories)
    by_parent: dict[int | None, list[Category]] = {}
    for category in categories:
        by_parent.setdefault(category.parent_id, []).append(category)
    known = {category.pk for category in categories}
    ordered: list[Category] = []

    def visit(parent_id, level):
        for category in sorted(by_parent.get(parent_id, []), key=lambda c: (c.sort_order, c.name, c.pk)):
            category.level = level
            category.child_count = len(by_parent.get(category.pk, []))
            ordered.append(category)
            visit(category.pk, level + 1)

    roots = [parent_id for parent_id in by_parent if parent_id is None or parent_id not in known]
    for parent_id in roots:
        visit(parent_id, 0)
    return ordered


def _category_field(*, required: bool, empty_label, label):
    return CategoryChoiceField(label=label, queryset=Category.objects.all(), required=required,
                               empty_label=empty_label)


class _CategoryChoices:
    """Fill category selects in tree order with one query (a ModelChoiceField's queryset is unordered
    by tree; its choices are replaced by the ordered list, validation still uses the queryset)."""

    category_fields: tuple[str, ...] = ("category",)

    def _order_categories(self, categories=None):
        categories = categories if categories is not None else categories_in_tree_order()
        for name in self.category_fields:
            field = self.fields[name]
            field.choices = ([("", field.empty_label)] if field.empty_label is not None else []) + [
                (category.pk, field.label_from_instance(category)) for category in categories]


# --- products -----------------------------------------------------------------------------------


class ProductFilterForm(_CategoryChoices, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100, widget=forms.TextInput(attrs={
        "type": "search", "placeholder": _("Name, code, SKU code or barcode"), "aria-label": _("Search")}))
    category = _category_field(required=False, empty_label=_("All categories"), label=_("Category"))
    series = forms.ModelChoiceField(label=_("Series"), queryset=Series.objects.all(), required=False,
                                    empty_label=_("All series"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *ProductStatus.choices])

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._order_categories(categories)
        for name in ("category", "series", "status"):
            self.fields[name].widget.attrs["aria-label"] = self.fields[name].label


class ProductForm(_CategoryChoices, forms.Form):
    code = forms.CharField(label=_("Product code"), max_length=64,
                           help_text=_("Letters, digits, dot, dash or underscore. It cannot change later."))
    name = forms.CharField(label=_("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    category = needs(_category_field(required=True, empty_label=None, label=_("Category")), CATEGORY)
    series = needs(forms.ModelChoiceField(label=_("Series"), queryset=Series.objects.all(), required=False,
                                          empty_label=_("No series")), SERIES)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    specifications = KeyValueField(label=_("Specifications"), required=False,
                                   help_text=_("One specification per row, e.g. Volume / 250 ml."))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
        self._order_categories()


class StatusForm(forms.Form):
    to = forms.ChoiceField(choices=ProductStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=255)


class VisibilityForm(forms.Form):
    tiers = needs(TierMultipleChoiceField(label=_("Only dealers of these tiers"), queryset=Tier.objects.all(),
                                          required=False, widget=forms.CheckboxSelectMultiple,
                                          help_text=_("None ticked: every tier.")), TIER)
    territories = needs(TerritoryMultipleChoiceField(
        label=_("Only dealers in these territories"), queryset=Territory.objects.order_by("path"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}), help_text=_("None chosen: every territory.")), TERRITORY)


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type=file multiple>."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ImagesForm(forms.Form):
    images = MultipleFileField(label=_("Images"), help_text=_("PNG, JPEG or WebP, at most 10 MB each. "
                                                              "Choose several files at once."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["images"].widget.attrs["accept"] = "image/png,image/jpeg,image/webp,image/gif"


class BulkImagesForm(forms.Form):
    files = MultipleFileField(
        label=_("Image files or a zip"),
        help_text=_("Name each file by product code: RB.jpg, rb-2.png (a second image). At most 200 files at "
                    "once, or in a zip; 10 MB per image."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs["accept"] = "image/png,image/jpeg,image/webp,image/gif,.zip"


# --- SKUs ---------------------------------------------------------------------------------------


class SkuForm(forms.Form):
    code = forms.CharField(label=_("SKU code"), max_length=64,
                           help_text=_("Letters, digits, dot, dash or underscore. It cannot change later."))
    name = forms.CharField(label=_("Name"), max_length=200)
    attributes = KeyValueField(label=_("Attributes"), required=False,
                               help_text=_("What tells this SKU apart, e.g. Size / 250 ml, Pack / 24."))
    barcode = forms.CharField(label=_("Barcode"), max_length=32, required=False,
                              help_text=_("EAN-8, UPC-12, EAN-13 or GTIN-14, with its check digit."))
    base_unit = needs(forms.ModelChoiceField(
        label=_("Base unit"), queryset=Unit.objects.order_by("code"),
        help_text=_("Stock and orders count in this unit. It cannot change later.")), UNIT)
    min_order_qty = forms.IntegerField(label=_("Minimum order quantity"), min_value=1, initial=1)
    order_step = forms.IntegerField(label=_("Order step"), min_value=1, initial=1)
    status = forms.ChoiceField(label=_("Status"), choices=ProductStatus.choices, initial=ProductStatus.ON_SALE)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
            del self.fields["base_unit"]
        else:
            del self.fields["status"]  # a new SKU is on sale; its product's status decides what dealers see


class SkuUnitForm(forms.Form):
    unit = needs(forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.order_by("code")), UNIT)
    factor = forms.IntegerField(label=_("Base units in one"), min_value=1)
    barcode = forms.CharField(label=_("Barcode"), max_length=32, required=False)


class UnitForm(forms.Form):
    code = forms.CharField(label=_("Unit code"), max_length=16, help_text=_("e.g. pc, box, case"))
    name = forms.CharField(label=_("Unit name"), max_length=32, help_text=_("e.g. can, case"))


# --- categories and series ----------------------------------------------------------------------


class CategoryForm(_CategoryChoices, forms.Form):
    parent = _category_field(required=False, empty_label=_("(top level)"), label=_("Parent"))
    code = forms.CharField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name (Chinese)"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    sort_order = forms.IntegerField(label=_("Sort order"), min_value=0, initial=0,
                                    help_text=_("Smaller first among its siblings."))
    category_fields = ("parent",)

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._order_categories(categories)


class CategoryEditForm(_CategoryChoices, forms.Form):
    name = forms.CharField(label=_("Name (Chinese)"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    sort_order = forms.IntegerField(label=_("Sort order"), min_value=0,
                                    help_text=_("Smaller first among its siblings."))
    parent = _category_field(required=False, empty_label=_("(top level)"), label=_("Parent"))
    category_fields = ("parent",)

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._order_categories(categories)


class SeriesForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=100)


class SeriesEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           widget=forms.TextInput(attrs={"aria-label": _("Series name")}))
