"""Subdomain suggestions from a company name, Chinese included (pinyin)."""

from __future__ import annotations

import re

from pypinyin import lazy_pinyin

from tenants.models import Tenant
from tenants.services import RESERVED_SLUGS

MAX_LENGTH = 40


def slug_from_name(name: str) -> str:
    """'Acme 饮料集团' -> 'acme-yinliaojituan'; '红牛' -> 'hongniu'; 'Globex Tiles' -> 'globex-tiles'."""
    words: list[str] = []
    current = ""
    in_cjk = False
    for char in name or "":
        if char.isascii() and char.isalnum():
            if in_cjk and current:
                words.append(current)
                current = ""
            current += char.lower()
            in_cjk = False
        elif not char.isascii() and char.isalpha():
            syllable = "".join(lazy_pinyin(char, errors="ignore"))
            if not syllable.isascii() or not syllable:
                continue
            if not in_cjk and current:
                words.append(current)
                current = ""
            current += syllable
            in_cjk = True
        else:
            if current:
                words.append(current)
            current = ""
            in_cjk = False
    if current:
        words.append(current)
    slug = "-".join(words)[:MAX_LENGTH].strip("-")
    return re.sub(r"[^a-z0-9-]", "", slug)


def suggest(name: str) -> str:
    """A free subdomain for this name ('' when the name gives nothing usable)."""
    base = slug_from_name(name)
    if len(base) < 3:
        return ""
    candidate = base
    taken = set(Tenant.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    counter = 2
    while candidate in taken or candidate in RESERVED_SLUGS:
        suffix = f"-{counter}"
        candidate = base[: MAX_LENGTH - len(suffix)] + suffix
        counter += 1
    return candidate
