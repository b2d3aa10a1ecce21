from celery import shared_task


@shared_task(name="finance.tasks.statements_generate_due", ignore_result=True)
def statements_generate_due() -> int:
    """Daily, in each tenant's schema (tenants.tasks.for_each_tenant): issue the dealer statements of the
    period that ended last (at the brand's cut-off day). Idempotent: a statement issued already is skipped."""
    from tenant_apps.finance.services_statements import statements_generate

    return len(statements_generate(actor=None).created)
