"""Views of every host that come from the tenant's branding."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from tenants.favicon import favicon_bytes


@require_safe
def favicon(request):
    """/favicon.ico: the brand's icon on its hosts, the platform's on the platform host. Public, cached a day."""
    data, version = favicon_bytes(getattr(request, "tenant", None))
    etag = f'"{version}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(data, content_type="image/x-icon")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=60 * 60 * 24)
    return response
