"""Billing's tasks: thin wrappers over services; idempotent; run on the public schema (billing's tables live
there)."""

from celery import shared_task


@shared_task(name="billing_saas.tasks.dunning_run", ignore_result=True)
def dunning_run() -> dict[str, int]:
    """Hourly: move the subscriptions whose time has come (trial over, period run out, grace periods)."""
    from billing_saas.services import dunning_run as run

    return run()


@shared_task(name="billing_saas.tasks.fapiao_issue", ignore_result=True)
def fapiao_issue(request_id: int) -> str:
    """Issue one invoice request (sent after the request is saved). Idempotent: an issued or failed request is
    left as it is."""
    from billing_saas.models import InvoiceRequest
    from billing_saas.services_fapiao import invoice_request_issue

    request = InvoiceRequest.objects.filter(pk=request_id).first()
    if request is None:
        return "missing"
    return invoice_request_issue(request=request).status


@shared_task(name="billing_saas.tasks.fapiao_retry", ignore_result=True)
def fapiao_retry() -> dict:
    """Periodic: try again every invoice request the provider could not issue yet."""
    from billing_saas.services_fapiao import invoice_requests_retry

    return invoice_requests_retry()


@shared_task(name="billing_saas.tasks.stripe_event_process", ignore_result=True)
def stripe_event_process(event_pk: int) -> str:
    """Process one stored Stripe event against Stripe's current state (once: a processed event is skipped)."""
    from billing_saas.stripe_webhooks import stripe_event_process as process

    return process(event_pk=event_pk)


@shared_task(name="billing_saas.tasks.usage_measure", ignore_result=True)
def usage_measure() -> None:
    """Every six hours, in each tenant's schema (tenants.tasks.for_each_tenant): its usage, for the operator."""
    from billing_saas.usage import usage_measure as measure

    measure()
