"""Each brand's host has its own favicon (its logo, or its first letter on its colour), the platform host its own;
drawn once per look, cached, revalidated by ETag, and linked from every page with a version that follows the
branding."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tenants import services as tenant_services
from tenants.errors import TenantInvalid
from tenants.selectors import routing_forget
from tests.conftest import host_client


def _icon(response) -> Image.Image:
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    picture = Image.open(io.BytesIO(response.content))
    assert picture.format == "ICO" and (16, 16) in picture.info["sizes"] and (48, 48) in picture.info["sizes"]
    picture.size = (32, 32)
    return picture.convert("RGB")


def _rebrand(tenant, **fields):
    tenant_services.tenant_branding_update(actor=None, tenant=tenant, **fields)
    routing_forget()


def _linked_version(client) -> str:
    html = client.get("/accounts/login/").content.decode()
    return re.search(r'<link rel="icon" href="/favicon\.ico\?v=([\w-]+)"', html).group(1)


def test_each_brand_host_serves_its_first_letter_on_its_own_colour(tenant_a, tenant_b, client_a, client_b):
    _rebrand(tenant_a, primary_colour="#D9282F")
    _rebrand(tenant_b, primary_colour="#0E7C66")
    acme, globex = _icon(client_a.get("/favicon.ico")), _icon(client_b.get("/favicon.ico"))
    assert acme.getpixel((16, 2)) == (0xD9, 0x28, 0x2F)  # the brand's colour around the letter
    assert globex.getpixel((16, 2)) == (0x0E, 0x7C, 0x66)
    assert (255, 255, 255) in {rgb for _count, rgb in acme.getcolors()}  # the letter, in white


def test_the_icon_is_cached_a_day_revalidated_by_etag_and_costs_no_query_once_drawn(tenant_a, client_a,
                                                                                   count_queries):
    first = client_a.get("/favicon.ico")
    assert "max-age=86400" in first["Cache-Control"] and "public" in first["Cache-Control"]
    with count_queries() as queries:
        again = client_a.get("/favicon.ico")
    assert again.content == first.content and len(queries.sql) <= 1  # the host's routing, nothing else
    unchanged = client_a.get("/favicon.ico", HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304 and unchanged.content == b""


def test_pages_link_the_icon_with_a_version_that_changes_with_the_branding(tenant_a, client_a):
    before, icon = _linked_version(client_a), client_a.get("/favicon.ico")
    assert client_a.get(f"/favicon.ico?v={before}")["ETag"] == icon["ETag"]
    _rebrand(tenant_a, primary_colour="#123456")
    after = _linked_version(client_a)
    assert after != before
    assert _icon(client_a.get(f"/favicon.ico?v={after}")).getpixel((16, 2)) == (0x12, 0x34, 0x56)


def test_a_brand_with_a_logo_gets_its_logo_as_the_icon(tenant_a, client_a, media_root):
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), (0x22, 0x88, 0x22)).save(buffer, "PNG")
    _rebrand(tenant_a, logo=SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png"))
    icon = _icon(client_a.get("/favicon.ico"))
    assert icon.getpixel((16, 16)) == (0x22, 0x88, 0x22)  # the logo in the middle
    assert icon.getpixel((16, 3)) == (255, 255, 255)  # on white, above the wide logo


def test_an_svg_logo_is_refused_and_one_stored_before_falls_back_to_the_letter(tenant_a, client_a, media_root):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    with pytest.raises(TenantInvalid) as refused:
        _rebrand(tenant_a, logo=SimpleUploadedFile("logo.svg", svg, content_type="image/svg+xml"))
    assert refused.value.fields == {"logo": ["SVG and HTML files are not accepted: upload a PNG, JPEG or WebP image."]}
    _rebrand(tenant_a, primary_colour="#D9282F")
    tenant_a.logo.save("logo.svg", ContentFile(svg), save=False)  # stored before uploads were checked
    tenant_a.save(update_fields=["logo"])
    routing_forget()
    assert _icon(client_a.get("/favicon.ico")).getpixel((16, 2)) == (0xD9, 0x28, 0x2F)


def test_the_platform_host_has_its_own_icon_linked_from_its_pages(public_client, client_a):
    platform = _icon(public_client.get("/favicon.ico"))
    assert platform.getpixel((16, 2)) == (0x1F, 0x6F, 0xEB)
    assert '<link rel="icon" href="/favicon.ico?v=platform-1"' in public_client.get("/").content.decode()
    assert host_client("localhost").get("/favicon.ico").content != client_a.get("/favicon.ico").content
