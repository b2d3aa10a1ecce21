from django.contrib.auth import logout
from django.utils import timezone


class SupportAccessMiddleware:
    """Platform support's sign-in on a tenant host ends the moment its access window does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        tenant = getattr(request, "tenant", None)
        if tenant is not None and user is not None and user.is_authenticated and user.is_support:
            if tenant.support_until is None or tenant.support_until <= timezone.now():
                logout(request)
        return self.get_response(request)
