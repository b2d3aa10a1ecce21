"""tenants.template_copy: a copy of the template is the template under another name (every table, index, constraint,
trigger and sequence, every row, each sequence at the template's position), made from a DDL script dumped once per
template version."""

import re

import pytest
from django.db import connection

from tenants import schemas, template_copy
from tenants.models import TemplateScript

pytestmark = pytest.mark.django_db


OBJECTS = [
    # columns: type, nullability, default, identity
    "SELECT 'column', c.relname || '.' || a.attname, format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull "
    "|| ' ' || COALESCE(pg_get_expr(d.adbin, d.adrelid), '') || ' ' || a.attidentity::text FROM pg_attribute a "
    "JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON (d.adrelid, d.adnum) = (a.attrelid, a.attnum) "
    "WHERE c.relnamespace = %(schema)s::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0 "
    "AND NOT a.attisdropped",
    "SELECT 'index', i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
    "JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = %(schema)s::regnamespace",
    "SELECT 'constraint', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid) || ' ' "
    "|| condeferrable || condeferred FROM pg_constraint WHERE connamespace = %(schema)s::regnamespace",
    "SELECT 'trigger', t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
    "WHERE c.relnamespace = %(schema)s::regnamespace AND NOT t.tgisinternal",
    "SELECT 'relation', relname, relkind::text FROM pg_class WHERE relnamespace = %(schema)s::regnamespace",
]


def _normalised(row: tuple[str, str, str]) -> tuple[str, str, str]:
    """A CHECK's (or a partial index's condition's) text as PostgreSQL prints it depends on how it was written (a
    migration's `kind IN (...)` prints as `ARRAY[('a'::character varying)::text, ...]`, the same read back from
    pg_dump as `(ARRAY['a'::character varying, ...])::text[]`): compared without casts, brackets and spaces."""
    kind, name, definition = row
    if (kind == "constraint" and definition.startswith("CHECK")) or (kind == "index" and " WHERE " in definition):
        definition = re.sub(r"[()\s]", "", re.sub(r"::[a-z ]+(\[\])?", "", definition))
    return kind, name, definition


def _ddl(schema_name: str) -> list[tuple[str, str, str]]:
    """The schema's objects as the catalogue defines them, its name left out: comparable across schemas (read in
    this test's transaction, where the copy is)."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL search_path = public")  # names come qualified with their schema
        for query in OBJECTS:
            cursor.execute(query, {"schema": schema_name})
            found += [_normalised(tuple(str(value).replace(f"{schema_name}.", "<schema>.") for value in row))
                      for row in cursor.fetchall()]
    connection.search_path_forget()
    return sorted(found)


def _rows_and_sequences(schema_name: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, relkind FROM pg_class WHERE relnamespace = %s::regnamespace "
                       "AND relkind IN ('r', 'S') ORDER BY relname", [schema_name])
        found = {}
        for name, kind in cursor.fetchall():
            if kind == "S":
                cursor.execute(f'SELECT last_value FROM "{schema_name}"."{name}"')  # noqa: S608 - catalog names
            else:
                cursor.execute(f'SELECT count(*) FROM "{schema_name}"."{name}"')  # noqa: S608 - catalog names
            found[f"{kind}:{name}"] = cursor.fetchone()[0]
    return found


def test_a_copy_is_the_template_under_another_name():
    template = schemas.template_name()
    schemas.clone_template("copy_check")
    objects = _ddl(template)
    assert _ddl("copy_check") == objects
    kinds = {kind for kind, _name, _definition in objects}
    assert kinds == {"column", "index", "constraint", "trigger", "relation"}
    assert len(objects) > 1500  # the whole template, not a sample
    counts = _rows_and_sequences(template)
    assert _rows_and_sequences("copy_check") == counts
    assert counts["r:django_content_type"] > 50 and counts["r:django_migrations"] > 50  # rows, not empty tables


def test_the_script_is_made_once_per_template_version_and_older_ones_go():
    TemplateScript.objects.all().delete()
    TemplateScript.objects.create(version="an-older-template", ddl="SELECT 1")
    schemas.clone_template("copy_one")
    schemas.clone_template("copy_two")
    [kept] = TemplateScript.objects.all()
    assert kept.version == schemas.schema_version(schemas.template_name())
    assert template_copy.PLACEHOLDER in kept.ddl and schemas.template_name() not in kept.ddl
