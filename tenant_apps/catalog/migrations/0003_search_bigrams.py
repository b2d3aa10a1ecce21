"""An index of the Chinese character pairs in each SKU's search text, for the two-character words that
pg_trgm cannot index ('无糖', '欧普': a LIKE needs three characters to use the trigram index). The function is
in `public`, shared by every tenant schema, so that the index expression is the same in a schema cloned from
the template (a clone would otherwise index with the template's function, which queries never match)."""

from django.db import migrations

BIGRAMS = r"""
CREATE OR REPLACE FUNCTION public.catalog_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 1000 AS $$  -- costly per row: prefer the index
    SELECT coalesce(array_agg(DISTINCT pair), '{}') FROM (
        SELECT substr(t, i, 2) AS pair FROM generate_series(1, char_length(t) - 1) AS i) pairs
    WHERE pair ~ '^[一-鿿]{2}$'
$$;
CREATE INDEX catalog_sku_search_bigrams ON catalog_sku USING gin (public.catalog_bigrams(search_text));
ANALYZE catalog_sku;  -- statistics of the new expression, or the planner guesses its matches 40x too few
"""

BIGRAMS_REVERSE = r"""
DROP INDEX IF EXISTS catalog_sku_search_bigrams;
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search_terms")]

    operations = [migrations.RunSQL(BIGRAMS, BIGRAMS_REVERSE)]
