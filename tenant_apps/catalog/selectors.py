"""Reads of the catalog: SKU search and listing, with the dealer's visibility applied.

Search uses pg_trgm on `Sku.search_text` (one GIN index), not PostgreSQL full text search: the built-in
parsers do not segment Chinese, and a segmenter (zhparser, pg_jieba) is an extension plus a dictionary to
maintain. Trigrams match Chinese substrings, English words in any case, partial SKU codes and barcodes.
"""

from __future__ import annotations

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import BooleanField, Exists, F, FloatField, Func, OuterRef, Q, QuerySet, Value

from tenant_apps.catalog.models import Category, Product, ProductStatus, Sku, SkuUnit

ORDERS = ("relevance", "name", "code")
# Below this word similarity a query is not a typo of anything ("redbul" ~ "red bull" is 0.43).
TYPO_SIMILARITY = 0.3
EXACT_LIMIT = 50
TYPO_LIMIT = 200


class _WordSimilar(Func):
    """`needle <% search_text`: pg_trgm's word-similarity operator, which the GIN trigram index serves.
    (django.contrib.postgres registers a lookup for it only when that app is installed; it is not.)"""

    arg_joiner = " <%% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _close_word_ids(skus: QuerySet[Sku], needle: str) -> list[int]:
    """Ids of the SKUs with a word close to `needle` (word similarity >= TYPO_SIMILARITY), best first,
    through the trigram index: `<%` with the threshold lowered for this one statement (set locally in a
    transaction, then put back, so that an enclosing transaction does not keep it)."""
    close = skus.filter(_WordSimilar(Value(needle), F("search_text"))).annotate(
        _similarity=TrigramWordSimilarity(Value(needle), "search_text")
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('pg_trgm.word_similarity_threshold'), "
            "set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(TYPO_SIMILARITY)]
        )
        [previous, _now] = cursor.fetchone()
        ids = list(close.order_by("-_similarity", "pk").values_list("pk", flat=True)[:TYPO_LIMIT])
        # On an error the rollback (of the transaction or savepoint) restores the setting by itself.
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [previous])
    return ids


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
               status: str | None = ProductStatus.ON_SALE, order: str = "relevance", dealer=None) -> QuerySet[Sku]:
    """SKUs matching `q` (an exact code or barcode wins alone; else a substring of the search text; else,
    for 3+ characters and no substring match, words with a trigram word similarity >= 0.3: typos), in `category`
    or below it, whose attributes contain `attributes`, visible to `dealer` when given.

    Ordered by relevance (exact code/barcode, then word similarity, then name), by name or by code.
    Costs one query for the page, plus with `q` one for exact codes and barcodes and, for 3+ characters
    with a letter and without an exact hit, one to decide on the typo fallback: the same for a page of
    5 or of 500."""
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}")
    skus = Sku.objects.select_related("product", "product__category", "product__series", "base_unit")
    if status:
        skus = skus.filter(product__status=status)
        if status == ProductStatus.ON_SALE:
            skus = skus.filter(status=ProductStatus.ON_SALE)
    if category is not None:
        skus = skus.filter(product__category__path__descendant_of=category.path)
    if attributes:
        skus = skus.filter(attributes__contains=attributes)
    if dealer is not None:
        skus = _visible_to(skus, dealer)

    q = " ".join((q or "").split())
    if not q:
        return skus.order_by("name" if order == "relevance" else order, "code")
    # An exact code or barcode stands alone (btree indexes; one short query).
    exact = Q(code__in={q, q.upper()}) | Q(barcode=q) | Q(pk__in=SkuUnit.objects.filter(barcode=q).values("sku_id"))
    exact_ids = list(skus.filter(exact).values_list("pk", flat=True)[:EXACT_LIMIT])
    if exact_ids:
        return skus.filter(pk__in=exact_ids).order_by("code" if order == "relevance" else order, "code")
    # Else the substring (the GIN trigram index serves a needle of 3+ characters; 1-2 characters have no
    # trigram and scan, still correct). `q <% search_text` is left out on purpose: when the planner picks a
    # sequential scan it computes word_similarity for every row (0.5 s at 50,000 SKUs).
    needle = q.lower()
    found = skus.filter(search_text__contains=needle)
    # No substring anywhere: a typo, or words in another order. Codes and barcodes (no letters) are not
    # guessed at: a scanned barcode either exists or does not.
    typo_possible = len(needle) >= 3 and any(character.isalpha() for character in needle)
    if typo_possible and not found.exists():
        found = skus.filter(pk__in=_close_word_ids(skus, needle))
    if order != "relevance":
        return found.order_by(order, "code")
    return found.annotate(
        relevance=TrigramWordSimilarity(Value(needle), "search_text", output_field=FloatField()),
    ).order_by("-relevance", "name", "code")


def category_subtree(*, category: Category) -> QuerySet[Category]:
    return Category.objects.filter(path__descendant_of=category.path).order_by("path")


def catalog_for(user, **search) -> QuerySet[Sku]:
    """What `user` may find: brand staff the whole catalog, dealer staff what is visible to their
    dealer, and dealer staff without a dealer nothing."""
    if user.is_dealer_staff:
        if user.dealer_id is None:
            return Sku.objects.none()
        return sku_search(dealer=user.dealer, **search)
    return sku_search(**search)
