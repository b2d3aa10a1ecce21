"""Product pictures for the demo, drawn with Pillow at seed time: a bottle, a can, a carton or a tile on a light
background, with a label in the brand's colour that carries the product's short name, so that the storefront's
grid looks like a shelf of the brand's own products (no third-party artwork, nothing downloaded).

    product_picture(shape="bottle", liquid="#9FD3F0", brand="#D9282F", label="天然矿泉水", mark="艾可山泉")

Text needs a font with the label's characters (`dms.fonts`): without a CJK font a Chinese label is left blank
(the shape and colours still read as a product).
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

from dms.fonts import font_for

SIZE = 480
SCALE = 2  # drawn at twice the size and reduced: smooth edges without an anti-aliasing library
BACKGROUND = (246, 247, 249)
SHAPES = ("bottle", "can", "carton", "tile")


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], share: float) -> tuple[int, int, int]:
    """`share` of b mixed into a."""
    return tuple(round(x + (y - x) * share) for x, y in zip(a, b, strict=True))


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int, largest: int):
    """The largest font, up to `largest` px, in which `text` fits `width`; None if no font can draw it."""
    size = largest
    while size >= 10:
        font = font_for(text, size)
        if font is None:
            return None
        if draw.textlength(text, font=font) <= width:
            return font
        size -= 2
    return font_for(text, 10)


def _text(draw, box, text: str, fill, largest: int) -> None:
    """`text` centred in `box` (x0, y0, x1, y1), as large as fits."""
    if not text:
        return
    x0, y0, x1, y1 = box
    font = _fit(draw, text, x1 - x0, min(largest, y1 - y0))
    if font is None:
        return
    draw.text(((x0 + x1) / 2, (y0 + y1) / 2), text, font=font, fill=fill, anchor="mm")


def _label(draw, box, brand, label: str, mark: str) -> None:
    """The brand-coloured label: the line's mark small on top, the product's short name below."""
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=brand)
    height = y1 - y0
    pad = (x1 - x0) // 12
    white = (255, 255, 255)
    if mark:
        _text(draw, (x0 + pad, y0 + height * 0.08, x1 - pad, y0 + height * 0.36), mark, _mix(brand, white, 0.75),
              int(height * 0.22))
        _text(draw, (x0 + pad, y0 + height * 0.40, x1 - pad, y1 - height * 0.10), label, white, int(height * 0.34))
    else:
        _text(draw, (x0 + pad, y0 + height * 0.15, x1 - pad, y1 - height * 0.15), label, white, int(height * 0.4))


def _bottle(draw, s: int, liquid, brand, label: str, mark: str) -> None:
    body = (int(s * 0.34), int(s * 0.30), int(s * 0.66), int(s * 0.92))
    shoulder = (int(s * 0.34), int(s * 0.20), int(s * 0.66), int(s * 0.42))
    neck = (int(s * 0.44), int(s * 0.11), int(s * 0.56), int(s * 0.24))
    cap = (int(s * 0.425), int(s * 0.06), int(s * 0.575), int(s * 0.13))
    glass = _mix(liquid, (255, 255, 255), 0.35)
    draw.rounded_rectangle(neck, radius=s // 60, fill=glass)
    draw.ellipse(shoulder, fill=glass)
    draw.rounded_rectangle(body, radius=s // 18, fill=glass)
    draw.rounded_rectangle((body[0], int(s * 0.40), body[2], body[3]), radius=s // 18, fill=liquid)
    draw.rounded_rectangle(cap, radius=s // 80, fill=_mix(brand, (0, 0, 0), 0.25))
    for y in (int(s * 0.075), int(s * 0.095), int(s * 0.115)):  # the cap's ridges
        draw.line((cap[0], y, cap[2], y), fill=_mix(brand, (0, 0, 0), 0.45), width=max(1, s // 300))
    draw.rounded_rectangle((body[0] + s // 40, int(s * 0.32), body[0] + s // 22, int(s * 0.88)), radius=s // 80,
                           fill=_mix(glass, (255, 255, 255), 0.6))  # a highlight
    _label(draw, (body[0], int(s * 0.52), body[2], int(s * 0.74)), brand, label, mark)


def _can(draw, s: int, liquid, brand, label: str, mark: str) -> None:
    x0, x1 = int(s * 0.31), int(s * 0.69)
    top, bottom = int(s * 0.14), int(s * 0.90)
    rim = (200, 204, 210)
    body = _mix(liquid, brand, 0.15)
    draw.rectangle((x0, top + s // 30, x1, bottom - s // 30), fill=body)
    draw.ellipse((x0, bottom - s // 15, x1, bottom), fill=_mix(rim, (0, 0, 0), 0.15))
    draw.rectangle((x0, bottom - s // 12, x1, bottom - s // 30), fill=rim)
    draw.rectangle((x0, top + s // 30, x1, top + s // 12), fill=rim)
    draw.ellipse((x0, top, x1, top + s // 15), fill=(222, 225, 230))
    draw.ellipse((x0 + s // 30, top + s // 90, x1 - s // 30, top + s // 17), fill=rim)
    draw.rectangle((x0 + s // 30, top + s // 10, x0 + s // 18, bottom - s // 10),
                   fill=_mix(body, (255, 255, 255), 0.45))  # a highlight
    _label(draw, (x0, int(s * 0.36), x1, int(s * 0.68)), brand, label, mark)


def _carton(draw, s: int, liquid, brand, label: str, mark: str) -> None:
    front = (int(s * 0.30), int(s * 0.26), int(s * 0.62), int(s * 0.92))
    side = [(front[2], front[1]), (int(s * 0.72), int(s * 0.20)), (int(s * 0.72), int(s * 0.86)), (front[2], front[3])]
    roof = [(front[0], front[1]), (int(s * 0.40), int(s * 0.20)), (int(s * 0.72), int(s * 0.20)), (front[2], front[1])]
    white = (255, 255, 255)
    draw.polygon(side, fill=_mix(liquid, (0, 0, 0), 0.25))
    draw.polygon(roof, fill=_mix(liquid, white, 0.55))
    draw.rectangle(front, fill=liquid)
    draw.rectangle((front[0], int(s * 0.12), int(s * 0.62), int(s * 0.20)), fill=_mix(liquid, white, 0.7))  # the seal
    draw.polygon([(front[0], int(s * 0.20)), (front[2], int(s * 0.20)), (front[2], front[1]), (front[0], front[1])],
                 fill=_mix(liquid, white, 0.4))
    draw.line((int(s * 0.66), int(s * 0.05), int(s * 0.60), int(s * 0.21)), fill=(236, 236, 236), width=s // 70)
    _label(draw, (front[0], int(s * 0.46), front[2], int(s * 0.72)), brand, label, mark)


def _tile(draw, s: int, liquid, brand, label: str, mark: str, pattern: str, rng: random.Random) -> None:
    x0, y0, x1, y1 = int(s * 0.16), int(s * 0.08), int(s * 0.84), int(s * 0.76)
    draw.rectangle((x0 + s // 60, y0 + s // 60, x1 + s // 60, y1 + s // 60), fill=(214, 216, 220))  # shadow
    draw.rectangle((x0, y0, x1, y1), fill=liquid)
    darker, lighter = _mix(liquid, (0, 0, 0), 0.22), _mix(liquid, (255, 255, 255), 0.35)
    width = x1 - x0
    if pattern == "marble":
        for _ in range(7):
            x, y = x0 + rng.random() * width, y0
            points = [(x, y)]
            while y < y1:
                y += width / 6
                x = min(max(x + rng.uniform(-width / 16, width / 16), x0), x1)
                points.append((x, min(y, y1)))
            draw.line(points, fill=darker if rng.random() < 0.6 else lighter, width=max(1, s // rng.choice((300, 160))),
                      joint="curve")
    elif pattern == "wood":
        planks = 4
        for index in range(planks):
            py0 = y0 + index * (y1 - y0) / planks
            shade = _mix(liquid, (0, 0, 0), rng.uniform(0, 0.12))
            draw.rectangle((x0, py0, x1, py0 + (y1 - y0) / planks), fill=shade)
            for _ in range(6):
                gy = py0 + rng.uniform(0.1, 0.9) * (y1 - y0) / planks
                draw.line((x0, gy, x1, gy + rng.uniform(-4, 4)), fill=_mix(shade, (0, 0, 0), 0.18),
                          width=max(1, s // 400))
            draw.line((x0, py0, x1, py0), fill=_mix(liquid, (0, 0, 0), 0.35), width=max(1, s // 250))
    elif pattern == "wall":
        rows, cols = 6, 2
        for row in range(rows):
            offset = (width / cols / 2) * (row % 2)
            ry = y0 + row * (y1 - y0) / rows
            draw.line((x0, ry, x1, ry), fill=(250, 250, 250), width=s // 120)
            for col in range(cols + 1):
                cx = x0 + offset + col * width / cols
                if x0 < cx < x1:
                    draw.line((cx, ry, cx, ry + (y1 - y0) / rows), fill=(250, 250, 250), width=s // 120)
    elif pattern == "rustic":
        for _ in range(900):
            px, py = rng.uniform(x0, x1), rng.uniform(y0, y1)
            radius = rng.uniform(1, s / 120)
            draw.ellipse((px - radius, py - radius, px + radius, py + radius),
                         fill=darker if rng.random() < 0.5 else lighter)
    else:  # polished: a plain face with a gloss
        draw.polygon([(x0, y0), (x0 + width * 0.45, y0), (x0, y0 + width * 0.45)], fill=lighter)
    draw.rectangle((x0, y0, x1, y1), outline=_mix(liquid, (0, 0, 0), 0.3), width=max(1, s // 240))
    _label(draw, (x0, int(s * 0.80), x1, int(s * 0.96)), brand, label, mark)


def product_picture(*, shape: str, liquid: str, brand: str, label: str, mark: str = "", pattern: str = "",
                    seed: str = "") -> bytes:
    """A PNG of `shape` (bottle, can, carton or tile) coloured `liquid` (the contents, or the tile's face), with
    a `brand`-coloured label reading `mark` (the product line) over `label` (the product)."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}")
    s = SIZE * SCALE
    picture = Image.new("RGB", (s, s), BACKGROUND)
    draw = ImageDraw.Draw(picture)
    draw.ellipse((int(s * 0.22), int(s * 0.89), int(s * 0.78), int(s * 0.95)), fill=(228, 230, 234))  # floor shadow
    if shape == "tile":
        _tile(draw, s, _rgb(liquid), _rgb(brand), label, mark, pattern, random.Random(seed or label))
    else:
        {"bottle": _bottle, "can": _can, "carton": _carton}[shape](draw, s, _rgb(liquid), _rgb(brand), label, mark)
    picture = picture.reduce(SCALE)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()
