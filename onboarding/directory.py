"""Which workspaces an email belongs to (public schema), for "Find my workspace". No other imports
of our apps here: accounts' user_created signal calls this from inside every tenant schema."""

from onboarding.models import WorkspaceMembership


def membership_record(*, email: str, schema_name: str) -> None:
    """Remember that `email` has an account in `schema_name`."""
    if schema_name == "public":
        return
    # one INSERT ... ON CONFLICT DO NOTHING (the pair is unique): no lookup first and no savepoint, which matters
    # on the sign-up path (tenants.services.tenant_provision)
    WorkspaceMembership.objects.bulk_create([WorkspaceMembership(email=email.lower(), schema_name=schema_name)],
                                            ignore_conflicts=True)


def membership_on_user_created(sender, *, email: str, schema_name: str, **kwargs) -> None:
    """Receiver of accounts.signals.user_created (connected in OnboardingConfig.ready)."""
    membership_record(email=email, schema_name=schema_name)


def membership_schemas(*, email: str) -> list[str]:
    return list(WorkspaceMembership.objects.filter(email=email.lower()).values_list("schema_name", flat=True))
