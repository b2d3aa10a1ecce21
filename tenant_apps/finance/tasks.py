"""finance's tasks: thin and idempotent, in the schema they were sent from (tenants.tasks.for_each_tenant for the
periodic ones)."""

from celery import shared_task


@shared_task(name="finance.tasks.rebate_runs_due", ignore_result=True)
def rebate_runs_due() -> int:
    """Daily, in each tenant: compute the rebate run of every rule whose period has just closed (once)."""
    from tenant_apps.finance.services_rebates import rebate_runs_due as due

    return due()


@shared_task(name="finance.tasks.invoice_issue", ignore_result=True)
def invoice_issue(invoice_id: int) -> str:
    """Ask the provider to issue one invoice request (sent when it becomes `issuing`)."""
    from tenant_apps.finance.services_invoices import invoice_issue_run

    invoice = invoice_issue_run(invoice_id=invoice_id)
    return invoice.status if invoice is not None else "missing"


@shared_task(name="finance.tasks.invoices_retry", ignore_result=True)
def invoices_retry() -> int:
    """Every ten minutes, in each tenant: invoice requests the provider could not take, tried again."""
    from tenant_apps.finance.services_invoices import invoices_retry as retry

    return retry()


@shared_task(name="finance.tasks.receivable_reminders", ignore_result=True)
def receivable_reminders() -> int:
    """Daily, in each tenant's schema: remind dealers of receivables coming due and overdue (once per item and
    step)."""
    from tenant_apps.finance.services_receivables import receivable_reminders_send

    return receivable_reminders_send()


@shared_task(name="finance.tasks.statements_generate_due", ignore_result=True)
def statements_generate_due() -> int:
    """Daily, in each tenant's schema (tenants.tasks.for_each_tenant): issue the dealer statements of the
    period that ended last (at the brand's cut-off day). Idempotent: a statement issued already is skipped."""
    from tenant_apps.finance.services_statements import statements_generate

    return len(statements_generate(actor=None).created)
