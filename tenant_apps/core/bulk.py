"""Writes for hot paths: the rows of several models in one INSERT statement, and ids taken ahead.

An order's submission writes the order, its lines, their reservations, purchase records, timeline events,
approval steps and audit entries. Through the ORM that is a statement (and a round trip, and a compilation)
per model; `insert_together` sends them as one statement of data-modifying CTEs. The values come from the
model fields' own `pre_save` / `get_db_prep_save` (defaults, auto_now_add, JSON, encryption), as `bulk_create`
does; the columns are every concrete field (the primary key too when the rows carry one). Foreign keys between
the groups hold because every row that is referred to carries its id already (`ids_take`) and PostgreSQL
checks Django's foreign keys at commit (they are DEFERRABLE INITIALLY DEFERRED).

Each column travels as ONE parameter, an array literal (`core.prepared.pg_array`), into a prepared statement
whose text depends only on the models: parsed and planned once per connection.

No signals are sent and no `save()` runs: only for models whose writes have no side effects of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models import Model

from tenant_apps.core import prepared
from tenant_apps.core.prepared import pg_array

# Fields whose Python value psycopg2 adapts as it is (ints, ids, strings, booleans, decimals, dates, datetimes):
# their get_db_prep_save is the identity on PostgreSQL, and calling it for every value of every row was most
# of the cost of a submission's write. A subclass counts only if it prepares values as its base does (an
# encrypted text field does not: it goes through get_db_prep_save like JSON and everything else).
_AS_IS = (models.IntegerField, models.CharField, models.TextField, models.BooleanField, models.DecimalField,
          models.DateTimeField, models.DateField, models.ForeignKey)
_PREPARES = ("get_prep_value", "get_db_prep_value", "get_db_prep_save")


def _as_is(field) -> bool:
    base = next((kind for kind in _AS_IS if isinstance(field, kind)), None)
    return base is not None and not isinstance(field, ArrayField) and all(
        getattr(type(field), method) is getattr(base, method) for method in _PREPARES)


@cache
def _shape(model: type[Model], with_pk: bool) -> tuple[tuple, str, str, tuple[str, ...]]:
    """(fields as (field, attname, stamped, as_is), quoted column list, the SELECT list that reads the columns from
    `unnest(...) AS u(c0, c1, ...)`, and the type each column's parameter is cast to: an array column (ArrayField)
    travels as text, each row's array a literal, and is cast back in the SELECT list)."""
    fields = tuple(f for f in model._meta.concrete_fields if with_pk or not f.primary_key)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    plan = tuple((f, f.attname, bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)),
                  _as_is(f)) for f in fields)
    select = ", ".join(f"u.c{index}::{f.db_type(connection)}" if isinstance(f, ArrayField) else f"u.c{index}"
                       for index, f in enumerate(fields))
    casts = tuple("text[]" if isinstance(f, ArrayField) else f"{f.db_type(connection)}[]" for f in fields)
    return plan, columns, select, casts


def _value(row: Model, field, attname: str, stamped: bool, as_is: bool):
    value = field.pre_save(row, True) if stamped else getattr(row, attname)
    return value if as_is else field.get_db_prep_save(value, connection)


def column_values(model: type[Model], rows: Sequence[Model]) -> list[list]:
    """Each column's values for `rows`, as the fields prepare them for the database (in `_shape` order)."""
    plan = _shape(model, rows[0].pk is not None)[0]
    return [list(column) for column in zip(*[[_value(row, *step) for step in plan] for row in rows], strict=True)]


def _source(name: str, model: type[Model], rows: Sequence[Model], params: dict, *, gated: bool) -> str:
    """The INSERT of one group: the same text for any number of rows, one parameter per column. `gated`: only when
    the statement's `gate` CTE (one row, column ok) says so."""
    plan, columns, select, types = _shape(model, rows[0].pk is not None)
    casts = []
    for index, (step, column, db_type) in enumerate(zip(plan, column_values(model, rows), types, strict=True)):
        if isinstance(step[0], ArrayField):
            column = [None if value is None else pg_array(value) for value in column]
        params[f"{name}c{index}"] = pg_array(column)
        casts.append(f"%({name}c{index})s::{db_type}")
    names = ", ".join(f"c{index}" for index in range(len(plan)))
    table = connection.ops.quote_name(model._meta.db_table)
    gate = " WHERE (SELECT ok FROM gate)" if gated else ""
    return (f"INSERT INTO {table} ({columns}) SELECT {select} "  # noqa: S608 - names from the model
            f"FROM unnest({', '.join(casts)}) AS u({names}){gate}")


def grouped(rows: Sequence[Model]) -> list[list[Model]]:
    """Rows of mixed models grouped by model, each group in the rows' order (so ids, and a timeline ordered by id,
    follow the order the rows were made in)."""
    groups: dict[type[Model], list[Model]] = {}
    for row in rows:
        groups.setdefault(type(row), []).append(row)
    return list(groups.values())


def insert_ctes(groups: Sequence[Sequence[Model]], params: dict, *, gated: bool = False,
                prefix: str = "i") -> tuple[list[str], str]:
    """The data-modifying CTEs (`<prefix>0 AS (INSERT ...)`, ...) that insert each non-empty group, for a statement
    of the caller's, with their parameters added to `params`; and a name for the statement's shape (its text
    depends only on the models, not on the number of rows)."""
    parts, names = [], []
    for number, group in enumerate(group for group in groups if group):
        source = _source(f"{prefix}{number}", type(group[0]), group, params, gated=gated)
        parts.append(f"{prefix}{number} AS ({source})")
        names.append(f"{type(group[0])._meta.label_lower}{'+pk' if group[0].pk is not None else ''}")
    return parts, ",".join(names)


def insert_together(*groups: Sequence[Model]) -> None:
    """Insert each group (rows of one model; empty groups are skipped) in a single statement."""
    params: dict = {}
    parts, shape = insert_ctes(groups, params)
    if not parts:
        return
    with connection.cursor() as cursor:
        prepared.execute(cursor, f"bulk:{shape}", "WITH " + ", ".join(parts) + " SELECT 1", params)


def ids_take(**counts: tuple[type[Model], int]) -> dict[str, list[int]]:
    """Ids from the models' sequences, taken ahead so that rows can refer to each other before they are
    written: `ids_take(order=(Order, 1), lines=(OrderLine, 20))` -> {"order": [..], "lines": [..]}. One query."""
    names = [name for name, (_model, count) in counts.items() if count > 0]
    if not names:
        return {name: [] for name in counts}
    selects, params = [], []
    for name in names:
        model, count = counts[name]
        selects.append("ARRAY(SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s))")
        params.extend([model._meta.db_table, model._meta.pk.column, count])
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        row = cursor.fetchone()
    taken = dict(zip(names, row, strict=True))
    return {name: taken.get(name, []) for name in counts}


def insert_grouped(rows: Sequence[Model]) -> None:
    """Insert rows of mixed models in one statement (`grouped`)."""
    insert_together(*grouped(rows))
