"""Domain errors of the approval chain (see tenant_apps.core.errors)."""

from tenant_apps.core.errors import DomainError, NotFound, ValidationFailed


class ApprovalInvalid(ValidationFailed):
    code = "approval_invalid"


class WorkflowNotFound(NotFound):
    code = "workflow_not_found"


class NotYourStep(DomainError):
    """The order is in the actor's scope, but its current step waits for someone else."""

    code = "not_your_step"
    status = 403
