"""The favicon of a brand's host (its logo, or the brand name's first letter on its colour) and of the platform's
own host, as a multi-size .ico drawn with Pillow.

Cheap: drawn once per look (name, colour, logo) and kept in the cache under a key that holds the tenant's schema
and that look's version, so a branding change gives a new key (and a new `?v=` in the pages' <link>), never a stale
icon; browsers keep it a day.
"""

from __future__ import annotations

import hashlib
import io
import logging

from django.core.cache import cache
from PIL import Image, ImageDraw, UnidentifiedImageError

from dms.fonts import font_for

logger = logging.getLogger(__name__)

PLATFORM_MARK = ("订", "D")  # the platform's own icon: 订 (ordering) where a CJK font exists, else D
PLATFORM_COLOUR = "#1F6FEB"
SIZES = [(16, 16), (32, 32), (48, 48), (64, 64)]
CANVAS = 256


def favicon_version(tenant) -> str:
    """A short fingerprint of what the icon is drawn from; changes whenever the branding does."""
    if tenant is None:
        return "platform-1"
    look = f"{tenant.brand_name}|{tenant.primary_colour}|{tenant.logo.name if tenant.logo else ''}"
    return hashlib.sha256(look.encode()).hexdigest()[:10]


def _initial(name: str, fallback: str) -> str:
    """The first letter or character of the name (upper-cased); `fallback` when no font here can draw it."""
    letter = next((char for char in name if char.isalnum()), fallback[:1] or "?").upper()
    return letter if font_for(letter, 16) is not None else (fallback[:1] or "?").upper()


def _letter_icon(letter: str, colour: str) -> Image.Image:
    picture = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    draw.rounded_rectangle((0, 0, CANVAS - 1, CANVAS - 1), radius=CANVAS // 5, fill=colour)
    font = font_for(letter, int(CANVAS * 0.66))
    if font is not None:
        draw.text((CANVAS / 2, CANVAS / 2), letter, font=font, fill="white", anchor="mm")
    return picture


def _logo_icon(tenant) -> Image.Image | None:
    """The logo fitted into a white rounded square; None when the logo is not a picture Pillow reads (an SVG)."""
    try:
        with tenant.logo.open("rb") as file, Image.open(file) as logo:
            logo = logo.convert("RGBA")
            logo.thumbnail((int(CANVAS * 0.86), int(CANVAS * 0.86)))
    except (OSError, UnidentifiedImageError, ValueError):
        logger.info("tenants.favicon.logo_unreadable", extra={"tenant": tenant.schema_name})
        return None
    picture = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 0))
    ImageDraw.Draw(picture).rounded_rectangle((0, 0, CANVAS - 1, CANVAS - 1), radius=CANVAS // 5, fill="white")
    picture.alpha_composite(logo, ((CANVAS - logo.width) // 2, (CANVAS - logo.height) // 2))
    return picture


def _draw(tenant) -> bytes:
    if tenant is None:
        picture = _letter_icon(_initial(PLATFORM_MARK[0], PLATFORM_MARK[1]), PLATFORM_COLOUR)
    else:
        picture = (_logo_icon(tenant) if tenant.logo else None) or _letter_icon(
            _initial(tenant.brand_name, tenant.slug), tenant.primary_colour)
    buffer = io.BytesIO()
    picture.save(buffer, "ICO", sizes=SIZES)
    return buffer.getvalue()


def favicon_bytes(tenant) -> tuple[bytes, str]:
    """The icon of this tenant (None: the platform) as .ico bytes, and its version (for the ETag)."""
    version = favicon_version(tenant)
    key = f"favicon:{tenant.schema_name if tenant else 'public'}:{version}"
    data = cache.get(key)
    if data is None:
        data = _draw(tenant)
        cache.set(key, data, 60 * 60 * 24 * 30)
    return data, version
