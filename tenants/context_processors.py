from django.conf import settings
from django.utils.translation import gettext as _

from tenants.favicon import favicon_version


def tenant(request):
    """The current brand (None on the platform host) for branding in templates."""
    current = getattr(request, "tenant", None)
    return {
        "tenant": current,
        "brand_name": current.brand_name if current else _("Dealer ordering platform"),
        "brand_colour": current.primary_colour if current else "#1F6FEB",
        # the brand's currency, for amounts on pages that have no object of their own to name it (`|money`)
        "tenant_currency": current.default_currency if current else None,
        "platform_domain": settings.PLATFORM_DOMAIN,
        "favicon_version": favicon_version(current),
        # pages shared by both kinds of host (sign-in) extend the layout of the host they are on
        "base_layout": "layouts/storefront.html" if current else "layouts/public.html",
    }
