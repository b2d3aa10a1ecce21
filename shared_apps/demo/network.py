"""Demo dealer network of a brand: HQ -> 3 regions -> 6 provincial agents -> 48 city dealers (54 dealers),
territories, tiers, qualification types, and people in each role. Built through the services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tenant_apps.accounts import services as account_services
from tenant_apps.accounts.models import User
from tenant_apps.dealers import services
from tenant_apps.dealers.models import Node, Territory

REGIONS = [
    ("EAST", "华东大区|East China", [
        ("310000", "上海|Shanghai", ["310101 黄浦|Huangpu", "310104 徐汇|Xuhui", "310115 浦东|Pudong",
                                   "310112 闵行|Minhang"]),
        ("320000", "江苏|Jiangsu", ["320100 南京|Nanjing", "320500 苏州|Suzhou", "320200 无锡|Wuxi",
                                  "320400 常州|Changzhou"])]),
    ("SOUTH", "华南大区|South China", [
        ("440000", "广东|Guangdong", ["440100 广州|Guangzhou", "440300 深圳|Shenzhen", "440600 佛山|Foshan",
                                    "441900 东莞|Dongguan"]),
        ("350000", "福建|Fujian", ["350100 福州|Fuzhou", "350200 厦门|Xiamen", "350500 泉州|Quanzhou",
                                 "350600 漳州|Zhangzhou"])]),
    ("NORTH", "华北大区|North China", [
        ("110000", "北京|Beijing", ["110105 朝阳|Chaoyang", "110108 海淀|Haidian", "110106 丰台|Fengtai",
                                  "110102 西城|Xicheng"]),
        ("370000", "山东|Shandong", ["370100 济南|Jinan", "370200 青岛|Qingdao", "370600 烟台|Yantai",
                                   "370700 潍坊|Weifang"])]),
]
# What the network is called, in the brand's language (zh-Hans for Acme, English for Globex); place names above
# are "中文|English".
WORDS = {
    "zh": {
        "hq": "%(brand)s总部", "tiers": ("A 级（金牌）", "B 级（银牌）", "C 级"), "licence": "营业执照",
        "permit": ("FOOD", "食品经营许可证"), "country": "中国", "east": "华东",
        "people": {"admin": "系统管理员", "finance": "财务 赵敏", "rep": "销售 刘洋", "warehouse": "仓库 孙磊",
                   "manager": "区域经理 陈静", "dealer": "上海总代 老板"},
        "agent_legal": "%(place)s%(brand)s总代理有限公司", "agent": "%(place)s总代理", "bank": "中国工商银行",
        "contact": "%(place)s联系人", "sides": ("东城", "西城"),
        "dealer_legal": "%(city)s%(side)s%(brand)s%(suffix)s", "dealer": "%(city)s%(side)s",
        "suffixes": ("商贸有限公司", "贸易有限公司", "经销部"), "recipient": "%(city)s仓库",
        "line": "%(city)s工业园 %(number)s 号",
    },
    "en": {
        "hq": "%(brand)s HQ", "tiers": ("Tier A (Gold)", "Tier B (Silver)", "Tier C"), "licence": "Business licence",
        "permit": ("INSURANCE", "Product liability insurance"), "country": "China", "east": "East",
        "people": {"admin": "Alex Morgan", "finance": "Fiona Zhao", "rep": "Ryan Liu", "warehouse": "Sunny Sun",
                   "manager": "Jessica Chen", "dealer": "Henry Wang"},
        "agent_legal": "%(place)s %(brand)s Distribution Co., Ltd.", "agent": "%(place)s Distributor",
        "bank": "Industrial and Commercial Bank of China", "contact": "%(place)s office manager",
        "sides": ("East", "West"), "dealer_legal": "%(city)s %(side)s %(brand)s %(suffix)s",
        "dealer": "%(city)s %(side)s", "suffixes": ("Trading Co., Ltd.", "Supply Co., Ltd.", "Showroom"),
        "recipient": "%(city)s warehouse", "line": "%(number)s Industrial Park Road, %(city)s",
    },
}


def _name(both: str, language: str) -> str:
    chinese, english = both.split("|")
    return chinese if language == "zh" else english


def _user(email: str, password: str, **fields) -> User:
    existing = User.objects.filter(email=email).first()
    return existing or account_services.user_create(actor=None, email=email, password=password, **fields)


def _territory(code: str, name: str, parent: Territory | None = None) -> Territory:
    """China's divisions come with the workspace (tenants.workspace); made here only if missing."""
    return (Territory.objects.filter(code=code).first()
            or services.territory_create(actor=None, code=code, name=name, parent=parent))


def seed_network(*, slug: str, password: str, brand_word: str, language: str = "zh", brand_name: str = "") -> list[str]:
    """Idempotent: does nothing once the demo's regions exist (the headquarters come with the workspace).
    Returns sign-in lines for the demo. `brand_word` names the trade in dealers' names (饮料, Tile), `brand_name`
    the headquarters; `language` is "zh" or "en"."""
    w = WORDS[language]
    accounts = [
        f"  regional manager ({w['east']})  rm.east@{slug}.test / {password}",
        f"  sales rep                rep@{slug}.test / {password}",
        f"  dealer owner (SH-A01)    dealer@{slug}.test / {password}",
    ]
    if Node.objects.filter(kind=Node.Kind.REGION, code=REGIONS[0][0]).exists():
        return accounts
    people = w["people"]
    hq = services.headquarters_ensure(name=w["hq"] % {"brand": brand_name or brand_word})
    tiers = {code: services.tier_create(actor=None, code=code, name=name, rank=rank)
             for (code, rank), name in zip((("A", 1), ("B", 2), ("C", 3)), w["tiers"], strict=True)}
    licence = services.qualification_type_create(actor=None, code="BIZ", name=w["licence"], required=True,
                                                 reminder_days=30)
    services.qualification_type_create(actor=None, code=w["permit"][0], name=w["permit"][1], required=False,
                                       reminder_days=45)
    country = _territory("CN", w["country"])
    admin = _user(f"admin@{slug}.test", password, full_name=people["admin"], role="admin")
    _user(f"finance@{slug}.test", password, full_name=people["finance"], role="finance")
    rep = _user(f"rep@{slug}.test", password, full_name=people["rep"], role="sales_rep")
    _user(f"warehouse@{slug}.test", password, full_name=people["warehouse"], role="warehouse")
    today = timezone.localdate()
    number = 0
    for r_index, (code, name, provinces) in enumerate(REGIONS):
        region = services.region_create(actor=admin, parent=hq, name=_name(name, language), code=code)
        manager = None
        if code == "EAST":
            manager = _user(f"rm.east@{slug}.test", password, full_name=people["manager"], role="regional_manager",
                            scope_node=region)
        for p_index, (p_code, p_name, cities) in enumerate(provinces):
            p_name = _name(p_name, language)
            province = _territory(p_code, p_name, country)
            agent = services.dealer_create(
                actor=admin, parent=region, code=f"{code[:2]}-A{p_index + 1:02d}" if code != "EAST" else
                ("SH-A01" if p_index == 0 else "JS-A01"),
                legal_name=w["agent_legal"] % {"place": p_name, "brand": brand_word},
                name=w["agent"] % {"place": p_name}, tier=tiers["A"],
                territories=[province], status="active", tax_number=f"91{p_code}MA{r_index}{p_index}X0000{p_index}Q",
                bank_name=w["bank"], bank_account=f"6222 0210 {p_code[:4]} {1000 + p_index}",
                regional_manager=manager, sales_rep=rep if p_index == 0 else None,
            )
            services.qualification_add(actor=admin, dealer=agent, type=licence, number=f"91{p_code}00000{p_index}",
                                       valid_to=today + timedelta(days=20 if p_index == 0 else 400))
            services.contact_add(actor=admin, dealer=agent, name=w["contact"] % {"place": p_name}, phone="13800138000",
                                 is_primary=True)
            for city in cities:
                city_code, city_name = city.split(" ", 1)
                city_name = _name(city_name, language)
                area = _territory(city_code, city_name, province)
                for d_index in range(2):
                    number += 1
                    names = {"city": city_name, "side": w["sides"][d_index], "brand": brand_word,
                             "suffix": w["suffixes"][number % 3], "number": number}
                    dealer = services.dealer_create(
                        actor=admin, parent=agent.node,
                        code=f"D{city_code}-{d_index + 1}",
                        legal_name=w["dealer_legal"] % names, name=w["dealer"] % names,
                        tier=tiers["B" if d_index == 0 else "C"],
                        territories=[area], status="active" if number % 7 else "prospect",
                        regional_manager=manager,
                    )
                    services.address_add(actor=admin, dealer=dealer, kind="shipping", recipient=w["recipient"] % names,
                                         phone="13900139000", territory=area, line=w["line"] % names)
                    if number % 5:
                        services.qualification_add(actor=admin, dealer=dealer, type=licence,
                                                   number=f"9131{number:06d}", valid_to=today + timedelta(days=365))
    dealer_owner_of = Node.objects.get(code="SH-A01").dealer
    _user(f"dealer@{slug}.test", password, full_name=people["dealer"], role="dealer_owner", dealer=dealer_owner_of)
    return accounts
