"""Billing's pages on the platform host: Stripe's webhook endpoint."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing_saas.stripe_webhooks import stripe_event_receive
from tenant_apps.core.errors import DomainError


@csrf_exempt  # Stripe cannot send a CSRF token: the signature of the raw body is the check
@require_POST
def stripe_webhook(request):
    """Answer fast: verify, store the event's id once, queue its processing. 400 for a bad signature (nothing
    stored); 200 for a replay (nothing done again)."""
    try:
        _event, created = stripe_event_receive(payload=request.body,
                                               signature=request.headers.get("Stripe-Signature"))
    except DomainError as error:
        return JsonResponse(error.as_dict(), status=error.status)
    return HttpResponse("ok" if created else "already received", content_type="text/plain")
