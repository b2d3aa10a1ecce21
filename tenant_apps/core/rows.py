"""Model instances from rows of hand-written SQL, for the few reads on every request (routing, token sign-in)
whose ORM compilation cost more than the query: `Columns(model, exclude=...)` names the columns to select and
turns a slice of a row into an instance, through the converters the ORM itself would apply (JSON, decryption).
Columns left out are deferred: reading one on the instance loads it, as `.defer()` would."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model


class Columns:
    def __init__(self, model: type[Model], *, alias: str, exclude: Sequence[str] = ()):
        self.model = model
        self.fields = tuple(f for f in model._meta.concrete_fields if f.name not in exclude)
        self.attnames = tuple(f.attname for f in self.fields)
        quote = connection.ops.quote_name
        self.sql = ", ".join(f"{alias}.{quote(f.column)}" for f in self.fields)
        self._converters: list | None = None

    def __len__(self) -> int:
        return len(self.fields)

    def converters(self) -> list:
        if self._converters is None:
            found = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.model._meta.db_table)
                chain = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
                if chain:
                    found.append((index, column, chain))
            self._converters = found
        return self._converters

    def instance(self, values: Sequence) -> Model:
        values = list(values)
        for index, column, chain in self.converters():
            for convert in chain:
                values[index] = convert(values[index], column, connection)
        return self.model.from_db(connection.alias, self.attnames, values)
