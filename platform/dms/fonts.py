"""Fonts for pictures the platform draws (favicons, the demo's product pictures): a CJK font when the machine has
one (the Makefile's `browser` step installs WenQuanYi Micro Hei; the Docker image can add fonts-noto-cjk), else
DejaVu or Pillow's built-in font for Latin text. `font_for` gives None when nothing here can draw the text."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import ImageFont

CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)
LATIN_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",)


@cache
def _path(cjk: bool) -> str | None:
    for path in CJK_FONTS if cjk else LATIN_FONTS + CJK_FONTS:
        if Path(path).is_file():
            return path
    return None


def font_for(text: str, size: int):
    """A font that can draw `text` at `size` pixels, or None (non-Latin text and no CJK font installed)."""
    path = _path(not text.isascii())
    if path is not None:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size) if text.isascii() else None
