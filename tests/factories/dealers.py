"""The dealer network: tiers, territories, regions, dealers, and the small network many tests share."""

from __future__ import annotations

from types import SimpleNamespace

import factory

from tenant_apps.dealers import services
from tenant_apps.dealers.models import Dealer, Node, QualificationType, Territory, Tier
from tests.factories.base import ServiceFactory


class TierFactory(ServiceFactory):
    class Meta:
        model = Tier

    _service = staticmethod(services.tier_create)
    code = factory.Sequence(lambda n: f"T{n}")
    name = factory.LazyAttribute(lambda o: o.code)


class TerritoryFactory(ServiceFactory):
    class Meta:
        model = Territory

    _service = staticmethod(services.territory_create)
    code = factory.Sequence(lambda n: f"TR{n}")
    name = factory.LazyAttribute(lambda o: o.code)


class QualificationTypeFactory(ServiceFactory):
    class Meta:
        model = QualificationType

    _service = staticmethod(services.qualification_type_create)
    code = factory.Sequence(lambda n: f"Q{n}")
    name = factory.LazyAttribute(lambda o: o.code)


def headquarters(name: str = "HQ") -> Node:
    """The root of the network (made once per schema)."""
    return services.headquarters_ensure(name=name)


class RegionFactory(ServiceFactory):
    class Meta:
        model = Node

    _service = staticmethod(services.region_create)
    parent = factory.LazyFunction(headquarters)
    code = factory.Sequence(lambda n: f"R{n}")
    name = factory.LazyAttribute(lambda o: o.code)


class DealerFactory(ServiceFactory):
    """A dealer under headquarters unless `parent` (a node) is given; a prospect unless `status` is."""

    class Meta:
        model = Dealer

    _service = staticmethod(services.dealer_create)
    parent = factory.LazyFunction(headquarters)
    code = factory.Sequence(lambda n: f"D-{n:03d}")
    legal_name = factory.LazyAttribute(lambda o: f"经销商 {o.code}")


def address(*, dealer: Dealer, territory: Territory, line: str = "浦东新区 1 号", recipient: str = "王经理",
            phone: str = "13800000000", kind: str = "shipping", is_default: bool = True):
    """A shipping address of `dealer` (the default one unless told)."""
    return services.address_add(actor=None, dealer=dealer, kind=kind, recipient=recipient, phone=phone,
                                territory=territory, line=line, is_default=is_default)


def network() -> SimpleNamespace:
    """HQ -> East (region) -> Shanghai agent SH-001 -> Pudong dealer SH-002; HQ -> South -> Canton GD-001.
    Territories CN > 310000 (上海) > 310115 (浦东新区), CN > 440000 (广东) (seeded with the workspace); tier A;
    a required licence type."""
    hq = headquarters(name="Acme HQ")
    east = RegionFactory(parent=hq, name="华东", code="EAST")
    south = RegionFactory(parent=hq, name="华南", code="SOUTH")
    cn, sh, pudong_area, gd = (Territory.objects.get(code=code) for code in ("CN", "310000", "310115", "440000"))
    tier_a = TierFactory(code="A", name="金牌", rank=1)
    licence = QualificationTypeFactory(code="FOOD", name="食品经营许可证", required=True)
    agent = DealerFactory(parent=east, code="SH-001", legal_name="上海总代理有限公司", territories=[sh],
                          bank_account="6222 0212 3456 7890")
    pudong = DealerFactory(parent=agent.node, code="SH-002", legal_name="浦东经销商", territories=[pudong_area],
                           tier=tier_a)
    canton = DealerFactory(parent=south, code="GD-001", legal_name="广州经销商", territories=[gd])
    return SimpleNamespace(hq=hq, east=east, south=south, cn=cn, sh=sh, pudong_area=pudong_area, gd=gd,
                           tier_a=tier_a, licence=licence, agent=agent, pudong=pudong, canton=canton)
