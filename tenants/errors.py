from tenant_apps.core.errors import Conflict, DomainError, NotFound, ValidationFailed


class TenantInvalid(ValidationFailed):
    code = "tenant_invalid"


class SlugTaken(Conflict):
    code = "slug_taken"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class TenantNotFound(NotFound):
    code = "tenant_not_found"


class ProvisioningFailed(Conflict):
    code = "provisioning_failed"
    status = 503


class DomainNotFound(NotFound):
    code = "domain_not_found"


class DomainVerificationFailed(Conflict):
    """The DNS check did not find the expected TXT record; `code` says why (dns_nxdomain, ...)."""

    code = "dns_failed"


class BackupRefused(Conflict):
    """A backup archive that cannot be restored here: changed after it was written, of other migrations, of another
    workspace, or without the operator's confirmation."""

    code = "backup_refused"


class ExportNotAllowed(DomainError):
    code = "forbidden"
    status = 403
