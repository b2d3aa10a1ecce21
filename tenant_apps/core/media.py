"""Serving a tenant's uploaded files in development."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import Http404

from tenant_apps.core.uploads import media_response


def tenant_media(request, path: str):
    """Serve this tenant's uploaded files (development; production serves media from storage).

    Branding (the logo) is public; other files only to signed-in users of this tenant; qualification
    documents, bank transfer slips and exports never here (they go through scoped download views). Another brand's
    files: 404.
    """
    schema = request.tenant.schema_name
    media = Path(settings.MEDIA_ROOT).resolve()
    target = (media / path).resolve()
    public = media / "branding" / schema
    private = media / schema
    if public in target.parents:
        pass
    elif private in target.parents and request.user.is_authenticated and not str(target).startswith(
        (str(private / "qualifications"), str(private / "bank_slips"), str(private / "exports"))
    ):
        pass
    else:
        raise Http404
    if not target.is_file():
        raise Http404
    # The type comes from our whitelist by the stored name (not guessed): files stored before uploads were
    # checked, under the client's extension, come out as attachments of application/octet-stream.
    return media_response(target.open("rb"), name=target.name)
