"""Reads of the catalog: SKU search and listing, with the dealer's visibility applied.

Search uses pg_trgm on `Sku.search_text` (one GIN index), not PostgreSQL full text search: the built-in
parsers do not segment Chinese, and a segmenter (zhparser, pg_jieba) is an extension plus a dictionary to
maintain. Trigrams match Chinese substrings, English words in any case, partial SKU codes and barcodes;
two-character Chinese words (most brand and flavour words: '红牛', '无糖'), which have no trigram, use a
second GIN index on the text's Chinese character pairs (catalog_bigrams, migration 0003). Pinyin: the text
ends with the names' full pinyin ('hongniu'), and `Sku.initials` (its own trigram index) holds their
initials so that 'hn' and 'kqs' find 红牛 and 矿泉水 (catalog.pinyin).

Relevance is computed only from cheap functions of the matching rows (where the query first occurs in
the search text, which starts with the product's names), never from a trigram similarity over every match:
a broad word such as '无糖' matches a fifth of a 50,000-SKU catalog, and `word_similarity` over those rows
cost 100+ ms a page. Typos are matched against the catalog's vocabulary (`SearchTerm`, a few thousand words
and word pairs) instead of against every SKU.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import StrIndex

from tenant_apps.catalog.models import Category, Product, ProductStatus, SearchTerm, Series, Sku, SkuUnit
from tenant_apps.catalog.pinyin import looks_like_pinyin
from tenant_apps.dealers.models import tree_order


def skus_count() -> int:
    """The SKUs a plan counts: every SKU of the catalog, whatever its status (billing's meter of "skus")."""
    return Sku.objects.count()


ORDERS = ("relevance", "name", "code")
# Below this trigram similarity a word is not a typo of a vocabulary term ("redbul" ~ "red bull" is 0.33);
# pg_trgm's default `%` threshold, so the term index answers without changing a setting.
TYPO_SIMILARITY = 0.3
TYPO_TERMS = 5
TYPO_KEEP = 0.8  # keep the terms at least this close, relative to the closest one
EXACT_LIMIT = 50
NOT_FOUND_RANK = 1_000_000


def _exact_ids(skus: QuerySet[Sku], q: str) -> list[int]:
    """SKUs whose code (any case) or barcode, or a packaging unit's barcode, is exactly `q`: three
    index lookups in one statement (a UNION; an OR across the tables would scan)."""
    by_code = Sku.objects.filter(code__in={q, q.upper()}).values_list("pk")
    by_barcode = Sku.objects.filter(barcode=q).values_list("pk")
    by_unit = SkuUnit.objects.filter(barcode=q).values_list("sku_id")
    matches = by_code.union(by_barcode, by_unit)
    return list(skus.filter(pk__in=matches).values_list("pk", flat=True)[:EXACT_LIMIT])


class _Similar(Func):
    """`a % b`: pg_trgm's similarity operator (at its default threshold, 0.3), which the term index serves.
    (django.contrib.postgres registers a lookup for it only when that app is installed; it is not.)"""

    arg_joiner = " %% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


# A word of exactly two Chinese characters: too short for the trigram index, served by the pair index
# (migration catalog 0003: a GIN index on catalog_bigrams(search_text)).
CJK_PAIR = re.compile(r"^[\u4e00-\u9fff]{2}$")


class _HasBigram(Func):
    """`catalog_bigrams(search_text) @> ARRAY[pair]`: the expression the pair index is built on."""

    template = "(public.catalog_bigrams(\"catalog_sku\".\"search_text\") @> %(expressions)s::text[])"
    output_field = BooleanField()


def _close_terms(needle: str) -> list[str]:
    """The vocabulary terms closest to `needle` by trigram similarity (>= TYPO_SIMILARITY), best first, and
    only those nearly as close as the best ("nongfu sprng": "nongfu spring", not every "... nongfu" pair):
    each extra term is one more pattern every candidate row is matched against."""
    scored = list(
        SearchTerm.objects.filter(_Similar(F("term"), Value(needle)))
        .annotate(similarity=TrigramSimilarity("term", needle))
        .order_by("-similarity", "term")
        .values_list("term", "similarity")[:TYPO_TERMS]
    )
    if not scored:
        return []
    best = scored[0][1]
    return [term for term, similarity in scored if similarity >= best * TYPO_KEEP]


def _visible_to(skus: QuerySet[Sku], dealer) -> QuerySet[Sku]:
    """Products with no tier limit or the dealer's tier, and no territory limit or a territory that
    overlaps one of the dealer's (one is inside the other, by ltree path). Subqueries: no query of its own."""
    from tenant_apps.dealers.models import Territory

    tiers = Product.visible_tiers.through.objects.filter(product_id=OuterRef("product_id"))
    tier_ok = ~Exists(tiers)
    if dealer.tier_id:
        tier_ok |= Exists(tiers.filter(tier_id=dealer.tier_id))
    territories = Product.visible_territories.through.objects.filter(product_id=OuterRef("product_id"))
    dealer_territories = Territory.objects.filter(dealers=dealer).filter(
        Q(path__descendant_of=OuterRef("territory__path")) | Q(path__ancestor_of=OuterRef("territory__path"))
    )
    territory_ok = ~Exists(territories) | Exists(territories.filter(Exists(dealer_territories)))
    return skus.filter(tier_ok, territory_ok)


def sku_search(*, q: str = "", category: Category | None = None, attributes: dict | None = None,
               status: str | None = ProductStatus.ON_SALE, order: str = "relevance", dealer=None,
               series: Series | None = None) -> QuerySet[Sku]:
    """SKUs matching `q` (an exact code or barcode wins alone; else every word of it as a substring, in any
    order; else, for 3+ characters with a letter, the SKUs holding the vocabulary terms closest to it:
    typos), in `category` or below it, of `series`, whose attributes contain `attributes`, visible to `dealer` if given.

    Ordered by relevance (exact code/barcode; else where the query first occurs in the search text, whose
    start is the product's names; for typos, the closest term first; then name), by name or by code.
    Costs one query for the page, plus with `q` one for exact codes and barcodes, one to decide on the typo
    fallback and, for a typo, one for the close terms: the same for a page of 5 or of 500."""
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}")
    skus = Sku.objects.select_related("product", "product__category", "product__series", "base_unit")
    if status:
        skus = skus.filter(product__status=status)
        if status == ProductStatus.ON_SALE:
            skus = skus.filter(status=ProductStatus.ON_SALE)
    if category is not None:
        skus = skus.filter(product__category__path__descendant_of=category.path)
    if series is not None:
        skus = skus.filter(product__series=series)
    if attributes:
        skus = skus.filter(attributes__contains=attributes)
    if dealer is not None:
        skus = _visible_to(skus, dealer)

    q = " ".join((q or "").split())
    if not q:
        return skus.order_by("name" if order == "relevance" else order, "code")
    exact_ids = _exact_ids(skus, q)
    if exact_ids:
        return skus.filter(pk__in=exact_ids).order_by("code" if order == "relevance" else order, "code")
    # Else every word as a substring, in any order (the GIN trigram index serves words of 3+ characters;
    # 1-2 characters have no trigram and scan, still correct).
    needle = q.lower()
    words = needle.split(" ")
    # A word of Latin letters may also be pinyin initials ('kqs' for 矿泉水): a word start in `initials`
    # (every suffix of the names' initials is a word there; see catalog.pinyin). Full pinyin is in the text.
    found = skus.filter(*(Q(search_text__contains=word) | Q(initials__contains=f" {word}")
                          if len(word) >= 2 and looks_like_pinyin(word) else Q(search_text__contains=word)
                          for word in words),
                        *(_HasBigram(Value([word])) for word in words if CJK_PAIR.match(word)))
    # The whole query where it occurs, else its first word: earlier means in the product's own names.
    phrase_at = StrIndex("search_text", Value(needle))
    rank = Case(When(~Q(search_text__contains=needle), then=StrIndex("search_text", Value(words[0])) + NOT_FOUND_RANK),
                default=phrase_at, output_field=IntegerField()) if len(words) > 1 else phrase_at
    if len(words) == 1 and len(needle) >= 2 and looks_like_pinyin(needle):
        # Initials first (few coincidences), those of the product's own name (the first word) before the
        # rest; a match in the text after them, which may be found by initials alone (position 0).
        rank = Case(When(initials__contains=f" {needle}",
                         then=StrIndex("initials", Value(f" {needle}")) - NOT_FOUND_RANK),
                    default=phrase_at, output_field=IntegerField())
    # No match anywhere: a typo, or words run together. Codes and barcodes (no letters) are not guessed
    # at: a scanned barcode either exists or does not.
    typo_possible = len(needle) >= 3 and any(character.isalpha() for character in needle)
    if typo_possible and not found.exists():
        terms = _close_terms(needle)
        found = skus.filter(Q(pk__in=[]) if not terms else
                            Q.create([("search_text__contains", term) for term in terms], connector=Q.OR))
        rank = Case(*(When(search_text__contains=term, then=Value(number)) for number, term in enumerate(terms)),
                    default=Value(len(terms)), output_field=IntegerField())
    if order != "relevance":
        return found.order_by(order, "code")
    return found.annotate(relevance=rank).order_by("relevance", "name", "code")


def category_subtree(*, category: Category) -> QuerySet[Category]:
    # as a tree: by the path's ids as numbers ("5.9" before "5.10"; ltree compares labels as text)
    return Category.objects.filter(path__descendant_of=category.path).order_by(tree_order())


def catalog_for(user, **search) -> QuerySet[Sku]:
    """What `user` may find: brand staff the whole catalog, dealer staff what is visible to their
    dealer, and dealer staff without a dealer nothing."""
    if user.is_dealer_staff:
        if user.dealer_id is None:
            return Sku.objects.none()
        return sku_search(dealer=user.dealer, **search)
    return sku_search(**search)


def storefront_series() -> list[Series]:
    """The series that have a product on sale, by name: the storefront's series filter. One query."""
    on_sale = Product.objects.filter(series=OuterRef("pk"), status=ProductStatus.ON_SALE)
    return list(Series.objects.filter(Exists(on_sale)).order_by("name"))
