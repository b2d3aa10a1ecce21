"""The brand's catalog: a category tree, series, products and their SKUs, units with conversions."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenant_apps.core.fields import LtreeField


class Category(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    path = LtreeField(_("path"), unique=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = _("categories")
        indexes = [GistIndex(fields=["path"], name="catalog_category_path_gist")]

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    """A brand line or series (e.g. 红牛 / 功能饮料系列)."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("series")

    def __str__(self) -> str:
        return self.name


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ON_SALE = "on_sale", _("On sale")
    DISCONTINUED = "discontinued", _("Discontinued")


class Product(models.Model):
    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    series = models.ForeignKey(Series, on_delete=models.SET_NULL, null=True, blank=True, related_name="products")
    description = models.TextField(_("description"), blank=True)
    specifications = models.JSONField(_("specifications"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ProductStatus.choices, default=ProductStatus.DRAFT)
    # Visibility: empty means every dealer; otherwise only dealers of these tiers / in these territories.
    visible_tiers = models.ManyToManyField("dealers.Tier", blank=True, related_name="+")
    visible_territories = models.ManyToManyField("dealers.Territory", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["status", "category"])]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit of measure (piece, box, case)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=32)

    def __str__(self) -> str:
        return self.name


class Sku(models.Model):
    """A sellable variant of a product. Stock is counted in its base unit."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus")
    code = models.CharField(_("SKU code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)  # {"size": "250ml", "pack": "24"}
    barcode = models.CharField(_("barcode"), max_length=32, blank=True, db_index=True)
    base_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    min_order_qty = models.PositiveIntegerField(_("minimum order quantity"), default=1)
    order_step = models.PositiveIntegerField(_("order step"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=ProductStatus.choices, default=ProductStatus.ON_SALE)
    # Search text: names, codes and barcode in one lower-cased string, indexed with pg_trgm.
    search_text = models.TextField(default="", editable=False)
    # Pinyin initials of the Chinese names, every suffix a word after a space (" nfsqkqs fsqkqs ... kqs"):
    # any run of initials a dealer types is a word start here, which the trigram index serves (catalog.pinyin).
    initials = models.TextField(default="", editable=False)

    class Meta:
        ordering = ["code"]
        indexes = [GinIndex(fields=["search_text"], name="catalog_sku_search_trgm", opclasses=["gin_trgm_ops"]),
                   GinIndex(fields=["initials"], name="catalog_sku_initials_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def base_unit_name(self) -> str:
        return self.base_unit.name


class SkuUnit(models.Model):
    """A packaging unit of a SKU and how many base units it holds (box of 12, case of 48)."""

    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    factor = models.PositiveIntegerField(_("base units in one"))
    barcode = models.CharField(_("barcode"), max_length=32, blank=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sku", "unit"], name="one_factor_per_sku_unit"),
                       models.CheckConstraint(condition=models.Q(factor__gte=1), name="factor_positive")]

    def __str__(self) -> str:
        return f"{self.sku_id}: {self.unit} x{self.factor}"


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to="catalog/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="catalog/thumbs/", blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.image.name


class SearchTerm(models.Model):
    """The catalog's search vocabulary: every word (without digits) of the SKUs' search text, and every
    pair of adjacent such words, kept by a database trigger on catalog_sku (so bulk writes feed it too).

    A search with no substring match is matched against these few thousand terms by trigram similarity
    ("nongfu sprng" -> "nongfu spring", "redbul" -> "red bull"), then the SKUs holding the close terms are
    found through the trigram index: typo tolerance without computing a similarity for every SKU."""

    term = models.TextField(primary_key=True)

    class Meta:
        indexes = [GinIndex(fields=["term"], name="catalog_searchterm_trgm", opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return self.term
