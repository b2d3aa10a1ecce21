"""Promotions and coupons (a promotion is a draft until published)."""

from __future__ import annotations

from datetime import UTC, datetime

import factory

from tenant_apps.promotions import services
from tenant_apps.promotions.models import Coupon, Promotion
from tests.factories.base import ServiceFactory

START = datetime(2026, 1, 1, tzinfo=UTC)


class PromotionFactory(ServiceFactory):
    """A 5 % off draft from 2026-01-01; `PromotionFactory(published=True)` publishes it."""

    class Meta:
        model = Promotion

    _service = staticmethod(services.promotion_create)
    code = factory.Sequence(lambda n: f"PROMO{n}")
    name = factory.LazyAttribute(lambda o: o.code)
    kind = "percent"
    rule = factory.LazyFunction(lambda: {"percent": "5"})
    starts_at = START

    @classmethod
    def _create(cls, model_class, *args, published: bool = False, **kwargs):
        promotion = super()._create(model_class, *args, **kwargs)
        if published:
            promotion = services.promotion_publish(actor=kwargs.get("actor"), promotion=promotion)
        return promotion


class CouponFactory(ServiceFactory):
    class Meta:
        model = Coupon

    _service = staticmethod(services.coupon_create)
    code = factory.Sequence(lambda n: f"COUPON{n}")
