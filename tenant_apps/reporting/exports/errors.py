from tenant_apps.core.errors import DomainError, NotFound, ValidationFailed


class ExportInvalid(ValidationFailed):
    """Filters, a kind or a format the export cannot take: 400 with field errors, no job made."""

    code = "export_invalid"


class ExportNotFound(NotFound):
    """No such export of this user (someone else's is the same): 404."""

    code = "export_not_found"


class ExportForbidden(DomainError):
    """This user may not export this kind of data: 403."""

    code = "export_forbidden"
    status = 403
