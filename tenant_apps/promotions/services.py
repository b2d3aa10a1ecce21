"""Write use cases of promotions: build, publish/unpublish (audited), coupons, and recording what an
order used (budget and coupon limits consumed by conditional updates, never read-then-write)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import DecimalField, F, Q, Sum, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.audit.services import audit_record
from tenant_apps.catalog.models import Category, Sku, SkuUnit
from tenant_apps.core import prepared
from tenant_apps.core.dates import window_errors
from tenant_apps.core.money import tenant_currency
from tenant_apps.core.ownership import supplier_row_guard
from tenant_apps.dealers.models import Dealer, Territory, Tier
from tenant_apps.events.services import event_record
from tenant_apps.pricing.floors import records_floor_violations
from tenant_apps.pricing.models import FloorSource, FloorViolation
from tenant_apps.pricing.quote_types import Quote
from tenant_apps.promotions.engine import coupon_normalize
from tenant_apps.promotions.errors import (
    CouponUsedUp,
    IllegalPromotionTransition,
    PromotionBelowFloor,
    PromotionBudgetExhausted,
    PromotionInvalid,
)
from tenant_apps.promotions.floors import error_field, promotion_floor_breaches
from tenant_apps.promotions.models import (
    Coupon,
    CouponDealerUse,
    CouponRedemption,
    Promotion,
    PromotionKind,
    PromotionStatus,
    PromotionUsage,
    Stacking,
)
from tenant_apps.promotions.rules import rule_clean

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
COUPON_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,31}$")
# Codes people type: no 0/O or 1/I/L.
COUPON_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

TRANSITIONS = {
    (PromotionStatus.DRAFT, PromotionStatus.PUBLISHED),
    (PromotionStatus.UNPUBLISHED, PromotionStatus.PUBLISHED),
    (PromotionStatus.PUBLISHED, PromotionStatus.UNPUBLISHED),
}
SCOPES = {"skus": Sku, "categories": Category, "tiers": Tier, "territories": Territory, "dealers": Dealer}
FIELDS = ("code", "name", "description", "kind", "rule", "starts_at", "ends_at", "budget", "priority", "stacking",
          "coupon_required", "currency")


def _ids(values: Iterable) -> list[int]:
    return sorted({int(getattr(value, "pk", value)) for value in values or ()})


def snapshot(promotion: Promotion) -> dict:
    data = {name: getattr(promotion, name) for name in FIELDS}
    for name in ("starts_at", "ends_at"):
        data[name] = data[name].isoformat() if data[name] else None
    data["budget"] = None if promotion.budget is None else str(promotion.budget)
    data["status"] = promotion.status
    if promotion.pk:
        for name in SCOPES:
            data[name] = sorted(getattr(promotion, name).values_list("pk", flat=True))
    return data


def _validate(data: dict, scopes: dict[str, list[int]], *, exclude_pk=None) -> tuple[dict, dict]:
    """(clean rule, field errors) of a whole promotion; reads what it must (SKUs of bundles and gifts)."""
    errors: dict[str, list] = {}

    def add(name, message):
        errors.setdefault(name, []).append(str(message))

    if not CODE.match(data.get("code") or ""):
        add("code", _("Use letters, digits, '-', '_' or '.', up to 64 characters."))
    elif Promotion.objects.filter(code=data["code"]).exclude(pk=exclude_pk).exists():
        add("code", _("Another promotion has this code."))
    if not (data.get("name") or "").strip():
        add("name", _("Give the promotion a name."))
    if data.get("kind") not in PromotionKind.values:
        add("kind", _("Choose a kind of promotion."))
    if data.get("stacking") not in Stacking.values:
        add("stacking", _("Choose how it combines with other promotions."))
    for name, message in window_errors(starts_at=data.get("starts_at"), ends_at=data.get("ends_at")).items():
        add(name, message[0])
    if not isinstance(data.get("starts_at"), datetime):
        add("starts_at", _("Enter when it starts."))
    elif data.get("ends_at") is not None and (not isinstance(data["ends_at"], datetime)
                                              or data["ends_at"] <= data["starts_at"]):
        add("ends_at", _("The end must be after the start."))
    budget = data.get("budget")
    if budget is not None and (not isinstance(budget, Decimal) or budget <= 0 or budget.as_tuple().exponent < -2):
        add("budget", _("Enter a budget above zero with at most 2 decimals, or leave it empty."))
    priority = data.get("priority")
    if isinstance(priority, bool) or not isinstance(priority, int) or not -1000 <= priority <= 1000:
        add("priority", _("Enter a whole number between -1000 and 1000."))
    if not re.fullmatch(r"[A-Z]{3}", data.get("currency") or ""):
        add("currency", _("Enter a three-letter currency code."))
    rule, rule_errors = rule_clean(data.get("kind"), data.get("rule"))
    errors.update(rule_errors)
    for name, ids in scopes.items():
        if ids and SCOPES[name].objects.filter(pk__in=ids).count() != len(ids):
            add(name, _("Some of these no longer exist."))
    if not rule_errors and data.get("kind") == PromotionKind.BUNDLE:
        item_ids = [item["sku_id"] for item in rule["items"]]
        if Sku.objects.filter(pk__in=item_ids).count() != len(item_ids):
            add("rule.items", _("Some of these SKUs do not exist."))
    if not rule_errors and data.get("kind") == PromotionKind.GIFT:
        gift = Sku.objects.filter(pk=rule["gift_sku_id"]).first()
        if gift is None:
            add("rule.gift_sku_id", _("No such SKU."))
        elif rule["gift_unit_id"] is None:
            rule["gift_unit_id"] = gift.base_unit_id
        elif rule["gift_unit_id"] != gift.base_unit_id and not SkuUnit.objects.filter(
                sku=gift, unit_id=rule["gift_unit_id"]).exists():
            add("rule.gift_unit_id", _("This SKU is not sold in that unit."))
    return rule, errors


def _scopes_set(promotion: Promotion, scopes: dict[str, list[int]]) -> None:
    for name, ids in scopes.items():
        getattr(promotion, name).set(ids)
        setattr(promotion, SCOPE_ARRAYS[name], sorted(set(ids)))
    promotion.save(update_fields=[SCOPE_ARRAYS[name] for name in scopes])


SCOPE_ARRAYS = {"skus": "scope_sku_ids", "categories": "scope_category_ids", "tiers": "scope_tier_ids",
                "territories": "scope_territory_ids", "dealers": "scope_dealer_ids"}


def _scopes_of(kind: str, rule: dict, scopes: dict) -> dict[str, list[int]]:
    clean = {name: _ids(scopes.get(name)) for name in SCOPES}
    if kind == PromotionKind.BUNDLE and rule.get("items"):
        # A bundle's product scope is its items.
        clean["skus"], clean["categories"] = sorted(item["sku_id"] for item in rule["items"]), []
    return clean


MAX_FLOOR_MESSAGES = 20


def _floor_check(*, actor, owner_id: int | None, data: dict, rule: dict, scopes: dict, promotion_id=None) -> None:
    """乱价: a supplier's promotion may not make any SKU's unit cheaper to its sub-dealers than the SKU's minimum
    resale price (promotions.floors says how, per kind); PromotionBelowFloor (400 on the rule's discount field,
    one message per SKU unit naming the floor) carrying the attempts to keep. Headquarters' own: not checked."""
    if owner_id is None:
        return
    kind, currency = data["kind"], data["currency"]
    on = max(timezone.localdate(), timezone.localdate(data["starts_at"]))
    product = _scopes_of(kind, rule, scopes)
    breaches = promotion_floor_breaches(owner_id=owner_id, kind=kind, rule=rule, currency=currency,
                                        skus=product["skus"], categories=product["categories"], on=on)
    if not breaches:
        return
    messages = [_("%(sku)s would be resold at %(price)s per %(unit)s, below its minimum resale price of "
                  "%(floor)s.") % {"sku": breach.sku_code, "price": f"{breach.price:.2f}", "unit": breach.unit_name,
                                   "floor": f"{breach.floor:.2f}"} for breach in breaches[:MAX_FLOOR_MESSAGES]]
    if len(breaches) > MAX_FLOOR_MESSAGES:
        messages.append(_("And %(count)s more SKU units below their floor.")
                        % {"count": len(breaches) - MAX_FLOOR_MESSAGES})
    who = actor if getattr(actor, "pk", None) else None
    violations = [FloorViolation(supplier_id=owner_id, actor=who, sku_id=breach.sku_id, unit_id=breach.unit_id,
                                 attempted_price=breach.price.quantize(Decimal("0.0001")), floor=breach.floor,
                                 currency=currency, source=FloorSource.PROMOTION, source_id=promotion_id,
                                 source_ref=f"{data['code']} {data['name']}"[:300]) for breach in breaches]
    raise PromotionBelowFloor(_("The promotion would resell below the minimum resale price."),
                              fields={error_field(kind, rule): messages}, violations=violations)


@records_floor_violations
@transaction.atomic
def promotion_create(*, actor, code: str, name: str, kind: str, rule: dict, starts_at: datetime,
                     ends_at: datetime | None = None, description: str = "", budget: Decimal | None = None,
                     priority: int = 0, stacking: str = Stacking.STACKABLE, coupon_required: bool = False,
                     currency: str | None = None, skus=(), categories=(), tiers=(), territories=(),
                     dealers=(), owner=None) -> Promotion:
    """A draft promotion; publish it with `promotion_publish`. Its amounts (thresholds, amounts off, budget) are
    in `currency`, the brand's when None; it applies to quotes in that currency only. `owner`: a supplier's node
    (S2B2B: it applies only to orders placed with that supplier), None for headquarters'."""
    currency = tenant_currency() if currency is None else currency
    data = {"code": (code or "").strip(), "name": (name or "").strip(), "description": description or "",
            "kind": kind, "rule": rule, "starts_at": starts_at, "ends_at": ends_at, "budget": budget,
            "priority": priority, "stacking": stacking, "coupon_required": bool(coupon_required),
            "currency": currency}
    scopes = {"skus": _ids(skus), "categories": _ids(categories), "tiers": _ids(tiers),
              "territories": _ids(territories), "dealers": _ids(dealers)}
    clean_rule, errors = _validate(data, scopes)
    if errors:
        raise PromotionInvalid(_("The promotion could not be saved."), fields=errors)
    data["rule"] = clean_rule
    _floor_check(actor=actor, owner_id=getattr(owner, "pk", None), data=data, rule=clean_rule, scopes=scopes)
    try:
        with transaction.atomic():
            promotion = Promotion.objects.create(**data, owner=owner)
    except IntegrityError as error:
        raise PromotionInvalid(_("The promotion could not be saved."),
                               fields={"code": [_("Another promotion has this code.")]}) from error
    _scopes_set(promotion, _scopes_of(kind, clean_rule, scopes))
    audit_record(actor=actor, action="promotions.promotion.created", target=promotion, after=snapshot(promotion))
    return promotion


@records_floor_violations
@transaction.atomic
def promotion_update(*, actor, promotion: Promotion, **changes) -> Promotion:
    """Change a draft or unpublished promotion (a published one is unpublished first, so that no dealer
    is quoted by a rule that changes under them). Scopes are replaced when given."""
    _supplier_guard(actor, promotion)
    promotion = Promotion.objects.select_for_update().get(pk=promotion.pk)
    if promotion.status == PromotionStatus.PUBLISHED:
        raise IllegalPromotionTransition(_("Unpublish the promotion before changing it."))
    unknown = set(changes) - set(FIELDS) - set(SCOPES)
    if unknown:
        raise PromotionInvalid(_("The promotion could not be saved."),
                               fields={name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    before = snapshot(promotion)
    data = {name: changes.get(name, getattr(promotion, name)) for name in FIELDS}
    data["code"], data["name"] = (data["code"] or "").strip(), (data["name"] or "").strip()
    scopes = {name: _ids(changes[name]) if name in changes else before[name] for name in SCOPES}
    clean_rule, errors = _validate(data, scopes, exclude_pk=promotion.pk)
    if errors:
        raise PromotionInvalid(_("The promotion could not be saved."), fields=errors)
    data["rule"] = clean_rule
    _floor_check(actor=actor, owner_id=promotion.owner_id, data=data, rule=clean_rule, scopes=scopes,
                 promotion_id=promotion.pk)
    if data["budget"] is not None and before["budget"] is None:
        _budget_start(promotion, data["budget"])
    for name, value in data.items():
        setattr(promotion, name, value)
    try:
        with transaction.atomic():
            promotion.save()
    except IntegrityError as error:
        raise PromotionInvalid(_("The promotion could not be saved."),
                               fields={"code": [_("Another promotion has this code.")]}) from error
    _scopes_set(promotion, _scopes_of(promotion.kind, clean_rule, scopes))
    audit_record(actor=actor, action="promotions.promotion.updated", target=promotion, before=before,
                 after=snapshot(promotion))
    return promotion


def _budget_start(promotion: Promotion, budget: Decimal) -> None:
    """A cap set on a promotion that had none: its running total starts from what its ledger already holds. The
    share lock waits for orders writing usage right now and holds new ones back for this transaction, so none
    is left out of the total (uncapped promotions are not locked by the orders that use them)."""
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE promotions_promotionusage IN SHARE MODE")
    given = PromotionUsage.objects.filter(promotion=promotion).aggregate(total=Sum("discount"))["total"] or Decimal(0)
    if given > budget:
        raise PromotionInvalid(_("The promotion could not be saved."), fields={"budget": [
            _("It has given %(given)s already; the budget cannot be lower.") % {"given": given}]})
    promotion.budget_used = given


def _supplier_guard(actor, promotion: Promotion) -> None:
    """A supplier's promotion is its own people's (core.ownership): headquarters' staff get a 403."""
    supplier_row_guard(actor, promotion.owner_id, _(
        "Promotion %(code)s belongs to a supplier: only the supplier's own people change it. Headquarters can read "
        "it.") % {"code": promotion.code})


def _transition(*, actor, promotion: Promotion, to: str, reason: str, action: str) -> Promotion:
    _supplier_guard(actor, promotion)
    promotion = Promotion.objects.select_for_update().get(pk=promotion.pk)
    if (promotion.status, to) not in TRANSITIONS:
        raise IllegalPromotionTransition(
            _("A %(status)s promotion cannot be %(to)s.") % {
                "status": PromotionStatus(promotion.status).label.lower(), "to": PromotionStatus(to).label.lower()})
    before = {"status": promotion.status}
    promotion.status = to
    promotion.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action=action, target=promotion, before=before, after={"status": to},
                 reason=reason)
    return promotion


@records_floor_violations
@transaction.atomic
def promotion_publish(*, actor, promotion: Promotion, reason: str = "") -> Promotion:
    """Draft or unpublished -> published. Refused when its window has already ended, and a supplier's when a floor
    now stands above what it would resell at."""
    _supplier_guard(actor, promotion)
    if promotion.ends_at is not None and promotion.ends_at <= timezone.now():
        raise PromotionInvalid(_("This promotion has already ended; change its end first."),
                               fields={"ends_at": [_("The end is in the past.")]})
    if promotion.coupon_required and not promotion.coupons.filter(is_active=True).exists():
        raise PromotionInvalid(_("This promotion needs a coupon code; add one before publishing."),
                               fields={"coupons": [_("Add at least one coupon code.")]})
    if promotion.owner_id is not None:  # a floor may have risen since it was made
        _floor_check(actor=actor, owner_id=promotion.owner_id, data={name: getattr(promotion, name) for name in FIELDS},
                     rule=promotion.rule,
                     scopes={name: list(getattr(promotion, name).values_list("pk", flat=True))
                             for name in ("skus", "categories")}, promotion_id=promotion.pk)
    promotion = _transition(actor=actor, promotion=promotion, to=PromotionStatus.PUBLISHED, reason=reason,
                            action="promotions.promotion.published")
    event_record(kind="promotion.published", subject_id=promotion.pk, subject_ref=promotion.name[:64], actor=actor)
    return promotion


@transaction.atomic
def promotion_unpublish(*, actor, promotion: Promotion, reason: str) -> Promotion:
    """Published -> unpublished, with the reason in the audit trail."""
    _supplier_guard(actor, promotion)
    if not (reason or "").strip():
        raise PromotionInvalid(_("Say why the promotion is withdrawn."), fields={"reason": [_("Enter a reason.")]})
    return _transition(actor=actor, promotion=promotion, to=PromotionStatus.UNPUBLISHED, reason=reason.strip(),
                       action="promotions.promotion.unpublished")


def _limits_errors(per_dealer_limit, total_limit) -> dict:
    errors = {}
    for name, value in (("per_dealer_limit", per_dealer_limit), ("total_limit", total_limit)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            errors[name] = [_("Enter a whole number of at least 1, or leave it empty for no limit.")]
    return errors


@transaction.atomic
def coupon_create(*, actor, promotion: Promotion, code: str, per_dealer_limit: int | None = None,
                  total_limit: int | None = None) -> Coupon:
    _supplier_guard(actor, promotion)
    code = coupon_normalize(code or "")
    errors = _limits_errors(per_dealer_limit, total_limit)
    if not COUPON_CODE.match(code):
        errors["code"] = [_("Use 3 to 32 letters, digits, '-' or '_'.")]
    elif Coupon.objects.filter(code=code).exists():
        errors["code"] = [_("This code is already in use.")]
    if not promotion.coupon_required:
        errors.setdefault("code", []).append(_("This promotion does not take coupon codes."))
    if errors:
        raise PromotionInvalid(_("The coupon could not be saved."), fields=errors)
    try:
        with transaction.atomic():
            coupon = Coupon.objects.create(promotion=promotion, code=code, per_dealer_limit=per_dealer_limit,
                                           total_limit=total_limit)
    except IntegrityError as error:
        raise PromotionInvalid(_("The coupon could not be saved."),
                               fields={"code": [_("This code is already in use.")]}) from error
    audit_record(actor=actor, action="promotions.coupon.created", target=coupon,
                 after={"code": code, "promotion": promotion.pk, "per_dealer_limit": per_dealer_limit,
                        "total_limit": total_limit})
    return coupon


@transaction.atomic
def coupons_generate(*, actor, promotion: Promotion, count: int, prefix: str = "",
                     per_dealer_limit: int | None = 1, total_limit: int | None = 1) -> list[Coupon]:
    """`count` (1-5,000) random codes `PREFIX-XXXXXXXX` from an alphabet without look-alike characters."""
    _supplier_guard(actor, promotion)
    prefix = coupon_normalize(prefix or "")
    errors = _limits_errors(per_dealer_limit, total_limit)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 5000:
        errors["count"] = [_("Generate between 1 and 5,000 codes at a time.")]
    if prefix and not re.fullmatch(r"[A-Z0-9]{1,12}", prefix):
        errors["prefix"] = [_("Use up to 12 letters or digits.")]
    if not promotion.coupon_required:
        errors["count"] = [_("This promotion does not take coupon codes.")]
    if errors:
        raise PromotionInvalid(_("The coupons could not be generated."), fields=errors)
    codes: set[str] = set()
    while len(codes) < count:
        body = "".join(secrets.choice(COUPON_ALPHABET) for _position in range(8))
        codes.add(f"{prefix}-{body}" if prefix else body)
    taken = set(Coupon.objects.filter(code__in=codes).values_list("code", flat=True))
    coupons = Coupon.objects.bulk_create([
        Coupon(promotion=promotion, code=code, per_dealer_limit=per_dealer_limit, total_limit=total_limit)
        for code in sorted(codes - taken)])
    audit_record(actor=actor, action="promotions.coupon.generated", target=promotion,
                 after={"count": len(coupons), "prefix": prefix, "per_dealer_limit": per_dealer_limit,
                        "total_limit": total_limit})
    return coupons


# An order's promotion usage in one statement, as two lists of CTEs that other statements may embed (an order's
# submission writes it in the same statement as the order: tenant_apps.ordering.placement). PROMOTION_PLAN locks
# the capped promotions the order spends from, in id order (concurrent orders never deadlock), once the
# statement's `promo_go` CTE (one row, column ok) says to go on: `promo_capped` (id, holds: whether its budget
# still holds the discount). A promotion without a budget is neither locked nor updated: nothing about it is
# scarce, and its row would otherwise be the one every order waits for (what it gave is its usage ledger's sum).
# PROMOTION_WRITE, when the statement's `gate` says so, takes each discount from a budget that holds it
# (`promo_taken`: ids) and writes the usage rows (`promo_written`: id, promotion_id). Parameters: promo_ids,
# promo_discounts, promo_dealer, promo_ref, promo_at.
PROMOTION_PLAN = """
promo_used(promotion_id, discount) AS (SELECT * FROM unnest(%(promo_ids)s::bigint[], %(promo_discounts)s::numeric[])),
promo_capped AS MATERIALIZED (
    SELECT p.id, p.budget >= p.budget_used + u.discount AS holds
    FROM promotions_promotion p JOIN promo_used u ON u.promotion_id = p.id
    WHERE u.discount > 0 AND p.budget IS NOT NULL AND (SELECT ok FROM promo_go)
    ORDER BY p.id FOR UPDATE OF p)"""
PROMOTION_WRITE = """
promo_taken AS (
    UPDATE promotions_promotion p SET budget_used = p.budget_used + u.discount
    FROM promo_used u, promo_capped c
    WHERE p.id = u.promotion_id AND c.id = p.id AND c.holds AND p.budget >= p.budget_used + u.discount
      AND (SELECT ok FROM gate)
    RETURNING p.id),
promo_written AS (
    INSERT INTO promotions_promotionusage (promotion_id, dealer_id, order_ref, discount, created_at)
    SELECT promotion_id, %(promo_dealer)s, %(promo_ref)s, discount, %(promo_at)s FROM promo_used
    WHERE (SELECT ok FROM gate) ORDER BY promotion_id
    RETURNING id, promotion_id)"""
# Unless the order has recorded its usage already: whether it had, the capped promotions locked, those whose
# budget was taken, and the new usage rows' ids. The caller refuses (and rolls back) when a budget did not hold.
_USAGE_SQL = f"""
WITH promo_prior AS (SELECT 1 FROM promotions_promotionusage WHERE order_ref = %(promo_ref)s LIMIT 1),
     promo_go AS (SELECT NOT EXISTS (SELECT 1 FROM promo_prior) AS ok),
     {PROMOTION_PLAN},
     gate AS (SELECT ok FROM promo_go),
     {PROMOTION_WRITE}
SELECT EXISTS (SELECT 1 FROM promo_prior), ARRAY(SELECT id FROM promo_capped), ARRAY(SELECT id FROM promo_taken),
       ARRAY(SELECT id FROM promo_written ORDER BY promotion_id)
"""  # noqa: S608 - this module's constants


def usage_params(*, applied, dealer_id: int, order_ref: str, at) -> dict:
    """The parameters of PROMOTION_PLAN and PROMOTION_WRITE for the promotions a quote applied (in id order)."""
    return {"promo_ids": [p.promotion_id for p in applied], "promo_discounts": [p.discount for p in applied],
            "promo_dealer": dealer_id, "promo_ref": order_ref, "promo_at": at}


def budget_exhausted_check(applied, *, capped, taken) -> None:
    """PromotionBudgetExhausted (409) naming the first capped promotion whose budget did not hold its discount."""
    for promotion in applied:
        if promotion.promotion_id in capped and promotion.promotion_id not in taken:
            raise PromotionBudgetExhausted(
                _("The budget of %(name)s has run out; the order has to be priced again.")
                % {"name": promotion.name})


@transaction.atomic
def promotion_usage_record(*, quote: Quote, order_ref: str) -> list[PromotionUsage]:
    """Consume what `quote` used of promotion budgets and coupon limits, for the order `order_ref`; call it
    inside the order's submission transaction. Conditional updates (`... WHERE budget_used + d <= budget`,
    `... WHERE used < limit`), rows touched in id order: concurrent orders never take more than a budget
    or a limit holds. Refused with PromotionBudgetExhausted / CouponUsedUp (409), changing nothing: the
    order re-quotes. Once per order: a repeat with the same `order_ref` returns the first record."""
    applied = sorted(quote.promotions, key=lambda promotion: promotion.promotion_id)
    if not applied:
        return []
    now = timezone.now()
    with connection.cursor() as cursor:
        prepared.execute(cursor, "promotion_usage_record", _USAGE_SQL,
                         usage_params(applied=applied, dealer_id=quote.dealer_id, order_ref=order_ref, at=now))
        prior, capped, taken, written = cursor.fetchone()
    if prior:
        return list(PromotionUsage.objects.filter(order_ref=order_ref))
    budget_exhausted_check(applied, capped=capped, taken=taken)
    coupons = sorted((p for p in applied if p.coupon_code), key=lambda p: p.coupon_code)
    for promotion in coupons:
        coupon = Coupon.objects.filter(code=promotion.coupon_code, promotion_id=promotion.promotion_id).first()
        used_up = CouponUsedUp(_("Coupon %(code)s has been used up.") % {"code": promotion.coupon_code},
                               fields={"coupon_codes": [_("Coupon %(code)s has been used up.")
                                                        % {"code": promotion.coupon_code}]})
        if coupon is None:
            raise used_up
        if not Coupon.objects.filter(pk=coupon.pk, is_active=True).filter(
                Q(total_limit__isnull=True) | Q(used__lt=F("total_limit"))).update(used=F("used") + 1):
            raise used_up
        CouponDealerUse.objects.bulk_create([CouponDealerUse(coupon=coupon, dealer_id=quote.dealer_id)],
                                            ignore_conflicts=True)
        counter = CouponDealerUse.objects.filter(coupon=coupon, dealer_id=quote.dealer_id)
        if coupon.per_dealer_limit is not None:
            counter = counter.filter(used__lt=coupon.per_dealer_limit)
        if not counter.update(used=F("used") + 1):
            raise used_up
        CouponRedemption.objects.create(coupon=coupon, dealer_id=quote.dealer_id, order_ref=order_ref)
    return [PromotionUsage(id=usage_id, promotion_id=p.promotion_id, dealer_id=quote.dealer_id, order_ref=order_ref,
                           discount=p.discount, created_at=now) for usage_id, p in zip(written, applied, strict=True)]


@transaction.atomic
def promotion_usage_release(*, order_ref: str) -> int:
    """Give back what an order took of promotion budgets and coupon limits (the order was cancelled,
    rejected, or is being changed and will take them again): the usage ledger rows go, `budget_used` and
    the coupon counters go down with them, rows touched in id order as `promotion_usage_record` does."""
    usages = list(PromotionUsage.objects.select_for_update().filter(order_ref=order_ref).order_by("promotion_id"))
    for usage in usages:  # only capped promotions keep a running total
        Promotion.objects.filter(pk=usage.promotion_id, budget__isnull=False).update(
            budget_used=Greatest(F("budget_used") - usage.discount, Value(0), output_field=DecimalField()))
    redemptions = list(CouponRedemption.objects.filter(order_ref=order_ref).order_by("coupon_id"))
    for redemption in redemptions:
        Coupon.objects.filter(pk=redemption.coupon_id, used__gt=0).update(used=F("used") - 1)
        CouponDealerUse.objects.filter(coupon_id=redemption.coupon_id, dealer_id=redemption.dealer_id,
                                       used__gt=0).update(used=F("used") - 1)
    PromotionUsage.objects.filter(order_ref=order_ref).delete()
    CouponRedemption.objects.filter(order_ref=order_ref).delete()
    return len(usages)
