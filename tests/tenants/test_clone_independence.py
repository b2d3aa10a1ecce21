"""A tenant cloned from the template stands on its own: nothing in its schema points into the template's
(an index expression or a trigger bound to the template's function would break, or be skipped by the
planner, in every clone)."""

from django.db import connection


def test_a_cloned_schema_depends_on_nothing_in_the_template(tenant_a):
    assert tenant_a.schema_name != "tenant_template"
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.relname, p.proname FROM pg_depend d
            JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
            JOIN pg_namespace cn ON cn.oid = c.relnamespace
            JOIN pg_proc p ON d.refclassid = 'pg_proc'::regclass AND p.oid = d.refobjid
            JOIN pg_namespace pn ON pn.oid = p.pronamespace
            WHERE cn.nspname = %s AND pn.nspname = 'tenant_template'""", [tenant_a.schema_name])
        assert cursor.fetchall() == []
        cursor.execute("""
            SELECT t.tgname FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
            JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_namespace pn ON pn.oid = p.pronamespace
            WHERE cn.nspname = %s AND pn.nspname = 'tenant_template'""", [tenant_a.schema_name])
        assert cursor.fetchall() == []


def test_the_pair_condition_of_search_uses_the_pair_index_in_a_cloned_tenant(tenant_a, in_tenant):
    """The expression search filters on is the one the clone's index was built on (else: a function call
    per row, 100+ ms on 50,000 SKUs)."""
    from django.db.models import Value

    from tenant_apps.catalog.models import Sku
    from tenant_apps.catalog.selectors import _HasBigram

    with in_tenant(tenant_a), connection.cursor() as cursor:
        sql, params = Sku.objects.filter(_HasBigram(Value(["无糖"]))).order_by().values("id").query.sql_with_params()
        # Whatever the table holds: no sequential or plain index scan, so only an index on the condition serves.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "catalog_sku_search_bigrams" in plan, plan
