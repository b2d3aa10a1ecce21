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
    ("EAST", "华东大区", [("310000", "上海", ["310101 黄浦", "310104 徐汇", "310115 浦东", "310112 闵行"]),
                      ("320000", "江苏", ["320100 南京", "320500 苏州", "320200 无锡", "320400 常州"])]),
    ("SOUTH", "华南大区", [("440000", "广东", ["440100 广州", "440300 深圳", "440600 佛山", "441900 东莞"]),
                       ("350000", "福建", ["350100 福州", "350200 厦门", "350500 泉州", "350600 漳州"])]),
    ("NORTH", "华北大区", [("110000", "北京", ["110105 朝阳", "110108 海淀", "110106 丰台", "110102 西城"]),
                       ("370000", "山东", ["370100 济南", "370200 青岛", "370600 烟台", "370700 潍坊"])]),
]
SUFFIXES = ["商贸有限公司", "贸易有限公司", "经销部"]


def _user(email: str, password: str, **fields) -> User:
    existing = User.objects.filter(email=email).first()
    return existing or account_services.user_create(actor=None, email=email, password=password, **fields)


def _territory(code: str, name: str, parent: Territory | None = None) -> Territory:
    """China's divisions come with the workspace (tenants.workspace); made here only if missing."""
    return (Territory.objects.filter(code=code).first()
            or services.territory_create(actor=None, code=code, name=name, parent=parent))


def seed_network(*, slug: str, password: str, brand_word: str) -> list[str]:
    """Idempotent: does nothing once the demo's regions exist (the headquarters come with the workspace).
    Returns sign-in lines for the demo."""
    accounts = [
        f"  regional manager (华东)  rm.east@{slug}.test / {password}",
        f"  sales rep                rep@{slug}.test / {password}",
        f"  dealer owner (SH-A01)    dealer@{slug}.test / {password}",
    ]
    if Node.objects.filter(kind=Node.Kind.REGION, code=REGIONS[0][0]).exists():
        return accounts
    hq = services.headquarters_ensure(name=f"{brand_word}总部")
    tiers = {code: services.tier_create(actor=None, code=code, name=name, rank=rank)
             for code, name, rank in (("A", "A 级（金牌）", 1), ("B", "B 级（银牌）", 2), ("C", "C 级", 3))}
    licence = services.qualification_type_create(actor=None, code="BIZ", name="营业执照", required=True,
                                                 reminder_days=30)
    services.qualification_type_create(actor=None, code="FOOD", name="食品经营许可证", required=False,
                                       reminder_days=45)
    country = _territory("CN", "中国")
    admin = _user(f"admin@{slug}.test", password, full_name="系统管理员", role="admin")
    _user(f"finance@{slug}.test", password, full_name="财务 赵敏", role="finance")
    rep = _user(f"rep@{slug}.test", password, full_name="销售 刘洋", role="sales_rep")
    _user(f"warehouse@{slug}.test", password, full_name="仓库 孙磊", role="warehouse")
    today = timezone.localdate()
    number = 0
    for r_index, (code, name, provinces) in enumerate(REGIONS):
        region = services.region_create(actor=admin, parent=hq, name=name, code=code)
        manager = None
        if code == "EAST":
            manager = _user(f"rm.east@{slug}.test", password, full_name="区域经理 陈静", role="regional_manager",
                            scope_node=region)
        for p_index, (p_code, p_name, cities) in enumerate(provinces):
            province = _territory(p_code, p_name, country)
            agent = services.dealer_create(
                actor=admin, parent=region, code=f"{code[:2]}-A{p_index + 1:02d}" if code != "EAST" else
                ("SH-A01" if p_index == 0 else "JS-A01"),
                legal_name=f"{p_name}{brand_word}总代理有限公司", name=f"{p_name}总代理", tier=tiers["A"],
                territories=[province], status="active", tax_number=f"91{p_code}MA{r_index}{p_index}X0000{p_index}Q",
                bank_name="中国工商银行", bank_account=f"6222 0210 {p_code[:4]} {1000 + p_index}",
                regional_manager=manager, sales_rep=rep if p_index == 0 else None,
            )
            services.qualification_add(actor=admin, dealer=agent, type=licence, number=f"91{p_code}00000{p_index}",
                                       valid_to=today + timedelta(days=20 if p_index == 0 else 400))
            services.contact_add(actor=admin, dealer=agent, name=f"{p_name}联系人", phone="13800138000",
                                 is_primary=True)
            for city in cities:
                city_code, city_name = city.split()
                area = _territory(city_code, city_name, province)
                for d_index in range(2):
                    number += 1
                    dealer = services.dealer_create(
                        actor=admin, parent=agent.node,
                        code=f"D{city_code}-{d_index + 1}",
                        legal_name=f"{city_name}{'东西'[d_index]}城{brand_word}{SUFFIXES[number % 3]}",
                        name=f"{city_name}{'东西'[d_index]}城", tier=tiers["B" if d_index == 0 else "C"],
                        territories=[area], status="active" if number % 7 else "prospect",
                        regional_manager=manager,
                    )
                    services.address_add(actor=admin, dealer=dealer, kind="shipping", recipient=f"{city_name}仓库",
                                         phone="13900139000", territory=area, line=f"{city_name}工业园 {number} 号")
                    if number % 5:
                        services.qualification_add(actor=admin, dealer=dealer, type=licence,
                                                   number=f"9131{number:06d}", valid_to=today + timedelta(days=365))
    dealer_owner_of = Node.objects.get(code="SH-A01").dealer
    _user(f"dealer@{slug}.test", password, full_name="上海总代 老板", role="dealer_owner", dealer=dealer_owner_of)
    return accounts
