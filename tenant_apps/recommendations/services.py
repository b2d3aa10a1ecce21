"""Writes of recommendations: the brand's switches (audited), and the periodic computation that replaces the
stored pair scores and popularity from the order history (tasks.recommendations_compute, per tenant)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.audit.services import audit_record
from tenant_apps.recommendations import engine, history
from tenant_apps.recommendations.errors import RecommendationsInvalid
from tenant_apps.recommendations.models import Block, Computation, PairScore, Popularity, RecommendationSettings

PAIR_WEEKS = 52  # pairs are learnt from the last year of orders
POPULAR_WEEKS = 12  # "recent weeks" of popularity


def _switches(settings: RecommendationSettings) -> dict[str, bool]:
    return {block: getattr(settings, block) for block in Block.values}


@transaction.atomic
def recommendation_settings_update(*, actor, **switches) -> RecommendationSettings:
    """Turn blocks on or off (keyword per block: together, similar, lapsed, new, promotions; omitted ones keep
    their value). A block turned off is no longer shown (nor computed)."""
    unknown = sorted(set(switches) - set(Block.values))
    errors = {name: [_("Unknown block.")] for name in unknown}
    errors |= {name: [_("Choose on or off.")] for name, value in switches.items()
               if name in Block.values and not isinstance(value, bool)}
    if errors:
        raise RecommendationsInvalid(_("The recommendation settings could not be saved."), fields=errors)
    settings = (RecommendationSettings.objects.select_for_update().order_by("pk").first()
                or RecommendationSettings())
    before = _switches(settings)
    for name, value in switches.items():
        setattr(settings, name, value)
    settings.save()
    audit_record(actor=actor, action="recommendations.settings.updated", target=settings, before=before,
                 after=_switches(settings))
    return settings


@transaction.atomic
def recommendations_compute(*, as_of: date | None = None) -> dict:
    """Replace the stored pair scores and popularity with those of the orders submitted before `as_of` (default:
    today + 1, i.e. everything so far): pairs over the last PAIR_WEEKS weeks, popularity per region x tier over
    the last POPULAR_WEEKS. A block switched off is not computed (its rows are emptied). Returns a summary."""
    as_of = as_of or timezone.localdate() + timedelta(days=1)
    settings = RecommendationSettings.objects.order_by("pk").first() or RecommendationSettings()
    baskets = history.baskets_load(start=as_of - timedelta(weeks=PAIR_WEEKS), end=as_of)
    PairScore.objects.all().delete()
    Popularity.objects.all().delete()
    pairs = []
    if settings.together:
        pairs = [PairScore(sku_id=pair.sku_id, other_id=pair.other_id, together=pair.together,
                           with_sku=pair.with_sku, confidence=pair.confidence, lift=pair.lift)
                 for found in engine.pairs_compute(baskets).values() for pair in found]
        PairScore.objects.bulk_create(pairs, batch_size=2000)
    popular = []
    if settings.similar:
        groups = history.dealer_groups()
        found = engine.popularity_compute(baskets, groups, since=as_of - timedelta(weeks=POPULAR_WEEKS))
        popular = [Popularity(region_id=row.group[0], tier_id=row.group[1], sku_id=row.sku_id, dealers=row.dealers,
                              group_dealers=row.group_dealers, orders=row.orders, weeks=POPULAR_WEEKS)
                   for rows in found.values() for row in rows]
        Popularity.objects.bulk_create(popular, batch_size=2000)
    Computation.objects.create(as_of=as_of, orders=len(baskets), pairs=len(pairs), popular=len(popular))
    Computation.objects.filter(pk__in=Computation.objects.order_by("-computed_at", "-id").values("pk")[10:]).delete()
    return {"as_of": as_of.isoformat(), "orders": len(baskets), "pairs": len(pairs), "popular": len(popular)}
