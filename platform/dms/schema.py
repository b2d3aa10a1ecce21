"""The OpenAPI schema of the host asked: the brand API on a brand's host, the platform's on the platform host.

drf-spectacular's view documents ROOT_URLCONF (the brand urlconf) unless told otherwise, so the platform host's
/api/schema/ used to describe the brand API (carts, orders...) that it does not serve. Routing sets the
request's urlconf (tenants.middleware); the schema is generated from that one.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.views import SpectacularAPIView


class HostSchemaView(SpectacularAPIView):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
