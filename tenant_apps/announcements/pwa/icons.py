"""The storefront PWA's home-screen icons (192 and 512 px PNG): the brand's logo on white, or the first letter of
its name on its colour, drawn with Pillow once per look and size and kept in the cache under the tenant's schema
and that look's fingerprint (a branding change is a new key)."""

from __future__ import annotations

import hashlib
import io

from django.core.cache import cache
from PIL import Image, ImageDraw, UnidentifiedImageError

from dms.fonts import font_for

SIZES = (192, 512)
DEFAULT_COLOUR = "#1F6FEB"


def brand_colour(tenant) -> str:
    return getattr(tenant, "primary_colour", "") or DEFAULT_COLOUR


def look_version(tenant) -> str:
    logo = tenant.logo.name if getattr(tenant, "logo", None) else ""
    look = f"{tenant.brand_name}|{brand_colour(tenant)}|{logo}"
    return hashlib.sha256(look.encode()).hexdigest()[:10]


def _letter(name: str, fallback: str) -> str:
    letter = next((char for char in name if char.isalnum()), fallback[:1] or "?").upper()
    return letter if font_for(letter, 16) is not None else (fallback[:1] or "?").upper()


def _draw(tenant, size: int) -> bytes:
    picture = None
    if getattr(tenant, "logo", None):
        try:
            with tenant.logo.open("rb") as file, Image.open(file) as logo:
                logo = logo.convert("RGBA")
                logo.thumbnail((int(size * 0.8), int(size * 0.8)))
                picture = Image.new("RGBA", (size, size), "white")
                picture.alpha_composite(logo, ((size - logo.width) // 2, (size - logo.height) // 2))
        except (OSError, UnidentifiedImageError, ValueError):
            picture = None
    if picture is None:  # a full square: the platform masks it to the device's shape
        picture = Image.new("RGBA", (size, size), brand_colour(tenant))
        letter = _letter(tenant.brand_name, getattr(tenant, "slug", "") or "?")
        font = font_for(letter, int(size * 0.6))
        if font is not None:
            ImageDraw.Draw(picture).text((size / 2, size / 2), letter, font=font, fill="white", anchor="mm")
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def icon_png(tenant, size: int) -> tuple[bytes, str]:
    """The icon's PNG bytes and its version (for the ETag)."""
    version = look_version(tenant)
    key = f"pwa-icon:{tenant.schema_name}:{version}:{size}"
    data = cache.get(key)
    if data is None:
        data = _draw(tenant, size)
        cache.set(key, data, 60 * 60 * 24 * 30)
    return data, f"{version}-{size}"
