from __future__ import annotations

from collections.abc import Mapping

from django import forms

from tenant_apps.core.errors import DomainError


def apply_domain_error(form: forms.Form, error: DomainError, *, field_names: Mapping[str, str] | None = None) -> None:
    """Put a service's field errors on the form. Each error's name goes through `field_names` (if given,
    else it is used as is); when that is not a field of the form, its last dotted part is tried
    ("rule.percent" -> "percent"). Messages of unknown fields go on top (non-field), and when no field
    message was placed at all, the error's detail goes on top."""
    placed = False
    for name, messages in error.fields.items():
        field = field_names.get(name, name) if field_names is not None else name
        if field not in form.fields:
            field = field.rsplit(".", 1)[-1]
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
            placed = True
    if not placed:
        form.add_error(None, str(error.detail))
