"""Pinyin of the catalog's Chinese names, for dealers who type 'kuangquanshui' or 'kqs' for 矿泉水.

Each run of Chinese characters gives one word of full pinyin ('nongfushanquan') and one word of initials
('nfsq'), tone marks dropped, 'ü' typed as 'v' (as phone keyboards do: 绿茶 -> 'lvcha'). A character with
several readings takes pypinyin's most common one (长城 -> 'changcheng'), which is what people type.

Full pinyin goes into `Sku.search_text` (the trigram index finds 'kuangquanshui' inside
'nongfushanquankuangquanshui'). Initials go into `Sku.initials` as every suffix of each initials word,
each word after a space (' nfsqkqs fsqkqs sqkqs qkqs kqs'), so that any run of initials ('kqs', 'hn'; two
letters or more) is the start of a word there: `initials LIKE '% kqs%'` gives pg_trgm the padded trigrams
'  k', ' kq', 'kqs' and uses the index even for two letters, where a plain substring has no trigram at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
MAX_INITIALS = 24  # longest run of initials kept (suffixes grow with the square of it)


def _runs(texts: Iterable[str]) -> list[str]:
    seen, runs = set(), []
    for text in texts:
        for run in HAN_RUN.findall(text or ""):
            if run not in seen:
                seen.add(run)
                runs.append(run)
    return runs


@lru_cache(maxsize=4096)  # a product's names repeat over its SKUs and over a bulk import
def _spelled(run: str) -> tuple[str, str]:
    """(full pinyin, initials) of a run of Chinese characters."""
    return ("".join(lazy_pinyin(run)).lower(),
            "".join(lazy_pinyin(run, style=Style.FIRST_LETTER)).lower()[:MAX_INITIALS])


def full_pinyin(texts: Iterable[str]) -> list[str]:
    """One word of toneless pinyin per distinct run of Chinese characters in `texts`, in order."""
    return [_spelled(run)[0] for run in _runs(texts)]


def initials_text(texts: Iterable[str]) -> str:
    """Every suffix of the initials of each distinct run of Chinese characters in `texts`, each word
    preceded by a space (the first run's own initials first: an earlier match is a better one)."""
    words: list[str] = []
    seen = set()
    for run in _runs(texts):
        letters = _spelled(run)[1]
        for start in range(max(len(letters) - 1, 1)):  # suffixes of two letters or more
            suffix = letters[start:]
            if suffix not in seen:
                seen.add(suffix)
                words.append(suffix)
    return "".join(f" {word}" for word in words)


PINYIN_QUERY = re.compile(r"^[a-z]+$")


def looks_like_pinyin(word: str) -> bool:
    """Could `word` (lower-cased) be pinyin or its initials? Latin letters only."""
    return bool(PINYIN_QUERY.match(word))
