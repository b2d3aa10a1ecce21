"""Ordering API (tenant hosts, /api/v1/): the dealer's cart with its quote, quick order and upload, order
templates, and orders (submit with Idempotency-Key, list and detail in the actor's scope, cancel, reorder).

Thin: each action declares its capability (HasCapability), objects are looked up through the actor's scope
(outside it: 404), writes go through the ordering services, and every error has the one shape
{"code", "detail", "fields"} (a stock shortage adds "shortages"). The submit endpoint is benchmarked: it runs
order_submit and two reads (lines, backorders), whatever the number of lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from tenant_apps.accounts.permissions import CART_EDIT, ORDERS_MANAGE, ORDERS_VIEW, ORDERS_VIEW_OWN, has_perm
from tenant_apps.catalog.models import Sku
from tenant_apps.core.errors import ValidationFailed
from tenant_apps.core.parsers import ObjectJSONParser
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.ordering import lifecycle, placement, quick, selectors, services
from tenant_apps.ordering.api.serializers import (
    AddedOutput,
    CartLineAddInput,
    CartLineSetInput,
    CartOutput,
    CouponsInput,
    OrderDetailOutput,
    OrderOutput,
    OrderReasonInput,
    ProblemOutput,
    QuickInput,
    SubmitExtraInput,
    SubmitInput,
    TemplateDetailOutput,
    TemplateInput,
    TemplateOutput,
    UploadInput,
)
from tenant_apps.ordering.models import Order, OrderStatus
from tenant_apps.ordering.submission import OrderInvalid, SubmitLine, order_revise, order_submit

ORDER_READ = (ORDERS_VIEW, ORDERS_VIEW_OWN)


# --- serializers ----------------------------------------------------------------------------------------


_NO_EXTRA = {"note": "", "coupon_codes": None, "consent_reduce": False, "expected_total": None}


# --- helpers --------------------------------------------------------------------------------------------


class OrderingViewSet(viewsets.GenericViewSet):
    permission_classes = [HasCapability]
    metadata_class = None
    lookup_value_regex = "[0-9]+"
    required_capabilities: dict[str, str | tuple[str, ...]] = {}

    def validated(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def dealer(self):
        user = self.request.user
        if not user.dealer_id:
            raise PermissionDenied
        return user.dealer


def _cart_body(dealer) -> dict:
    priced = services.cart_quote(dealer=dealer)
    quote = priced.quote
    by_index = {line.priced.index: line for line in quote.lines}
    lines = []
    for index, line in enumerate(priced.lines):
        quoted = by_index.get(index)
        lines.append({"id": line.pk, "sku_id": line.sku_id, "sku": line.sku, "unit_id": line.unit_id,
                      "unit": line.unit, "quantity": line.quantity, "updated_at": line.updated_at,
                      "unit_price": quoted.priced.unit_price if quoted else None,
                      "gross": quoted.priced.gross if quoted else None, "net": quoted.net if quoted else None,
                      "price_rule": quoted.priced.price_rule if quoted else "",
                      "added_by": line.added_by.get_full_name() if line.added_by else None})
    return CartOutput({"lines": lines, "coupon_codes": priced.cart.coupon_codes, "quote": quote}).data


def _added_body(added: quick.Added) -> dict:
    return AddedOutput({"lines": added.lines, "created": added.created, "updated": added.updated,
                        "skipped": added.skipped}).data


# Bound once: a serializer's fields are built and bound on first use, and its to_representation keeps no state
# of its own, so one instance serves every answer (building them per request cost more than the order's reads).
_ORDER_DETAIL = OrderDetailOutput()


def order_body(order: Order, *, events: bool = False) -> dict:
    """An order with its lines (one query), backorders (one query) and, if asked, its timeline (one)."""
    lines = list(order.lines.select_related("sku", "unit").order_by("line_no"))
    backorders = list(Order.objects.filter(backorder_of=order).values_list("number", flat=True))
    return _order_representation(order, lines, backorders, events=list(order.events.order_by("at", "id"))
                                 if events else None)


def _order_representation(order: Order, lines: list, backorders: list[str], *, events=None) -> dict:
    for line in lines:
        line.is_gift = line.gift_promotion_id is not None
    order.line_list = lines
    order.line_count = len(lines)
    order.backorder_numbers = backorders
    order.legal_actions = lifecycle.legal_actions(order)
    order.event_list = events or []
    body = _ORDER_DETAIL.to_representation(order)
    if events is None:
        body.pop("events", None)
    return body


def submitted_body(result) -> dict:
    """A new order's answer, OrderDetailOutput's shape, from what submission wrote: no query (but one for the names
    of gifts that were not ordered lines), and no serializer (per line and field, DRF's machinery cost more than
    the order's reads). tests/ordering/test_placement.py checks it equals the serializer's answer for the order read
    back."""
    order = result.order
    names = {sku_id: (meta.code, meta.name) for sku_id, meta in result.skus.items()}
    units = {unit_id: name for meta in result.skus.values() for unit_id, name in meta.unit_names.items()}
    if result.quote is not None:  # written in one statement: the lines are the quote's, reserved in full
        lines = [(line_no, sku_id, unit_id, quantity, factor, unit_price, gross, discount, net, rule, gift is not None,
                  quantity * factor, 0)
                 for (line_no, sku_id, unit_id, quantity, factor, unit_price, gross, discount, net, _source, rule,
                      _list, gift) in placement.quote_lines(result.quote)]
    else:
        lines = [(line.line_no, line.sku_id, line.unit_id, line.quantity, line.factor, line.unit_price, line.gross,
                  line.discount, line.net, line.price_rule, line.gift_promotion_id is not None, line.reserved_base,
                  line.shipped_base) for line in result.lines]
    missing = {line[1] for line in lines if line[1] not in names}
    if missing:
        for sku in Sku.objects.filter(pk__in=missing).select_related("base_unit"):
            names[sku.pk] = (sku.code, sku.name)
            units[sku.base_unit_id] = sku.base_unit.name
    dealer, placed_by = order.dealer, order.placed_by
    return {
        "id": order.pk, "number": order.number, "status": order.status, "status_label": order.get_status_display(),
        "dealer": {"id": dealer.pk, "code": dealer.code, "name": dealer.name},
        "placed_by": placed_by.get_full_name() if placed_by is not None else None, "on_behalf": order.on_behalf,
        "currency": order.currency, "subtotal": _decimal(order.subtotal, 2),
        "discount_total": _decimal(order.discount_total, 2), "total": _decimal(order.total, 2),
        "line_count": len(lines), "backorder_of": order.backorder_of_id, "created_at": _moment(order.created_at),
        "submitted_at": _moment(order.submitted_at), "outside_territory": order.outside_territory,
        "shipping_address": order.shipping_address, "note": order.note,
        "coupon_codes": list(order.coupon_codes), "breakdown": order.breakdown, "revision": order.revision,
        "lines": [{
            "line_no": line_no, "sku": sku_id, "sku_code": names[sku_id][0], "sku_name": names[sku_id][1],
            "unit": unit_id, "unit_name": units.get(unit_id, ""), "quantity": quantity, "factor": factor,
            "unit_price": _decimal(unit_price, 4), "gross": _decimal(gross, 2), "discount": _decimal(discount, 2),
            "net": _decimal(net, 2), "price_rule": rule, "gift": gift, "reserved_base": reserved,
            "shipped_base": shipped,
        } for (line_no, sku_id, unit_id, quantity, factor, unit_price, gross, discount, net, rule, gift, reserved,
               shipped) in lines],
        "backorders": [result.backorder.number] if result.backorder else [],
        "legal_actions": lifecycle.legal_actions(order),
    }


def submit_response(request, *, dealer, lines: list[SubmitLine] | None, extra: dict, submit) -> Response:
    """Submit `lines` (None: the cart) for `dealer` with `submit` (ordering.submission.order_submit, or
    on_behalf.order_submit_for for the brand's staff) and answer as POST orders/ does: 201 with the new order, or
    200 with the first order on a replay of its Idempotency-Key. `extra` is SubmitExtraInput's validated data."""
    result = submit(actor=request.user, dealer=dealer, lines=lines, address_id=extra.get("address"),
                    note=extra.get("note", ""), idempotency_key=request.headers.get("Idempotency-Key", ""),
                    coupon_codes=extra.get("coupon_codes"), consent_reduce=extra["consent_reduce"],
                    expected_total=extra.get("expected_total"))
    order = result.order
    order.dealer = dealer
    if result.replayed:
        return Response(order_body(order), status=status.HTTP_200_OK)
    order.placed_by = request.user
    return Response(submitted_body(result), status=status.HTTP_201_CREATED)


_PLACES = {2: Decimal("0.01"), 4: Decimal("0.0001")}


def _decimal(value, places: int) -> str:
    """As DRF's DecimalField(decimal_places=places) renders it."""
    return f"{Decimal(value).quantize(_PLACES[places]):f}"


def _moment(value) -> str | None:
    """As DRF's DateTimeField renders it (ISO 8601 in the current time zone; UTC as Z)."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _submit_lines(raw) -> list[SubmitLine] | None:
    """The request's lines, with errors named "lines.N.field" like the submission's own."""
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise OrderInvalid(_("The order could not be submitted."), fields={"lines": [_("Give a list of lines.")]})
    lines, errors = [], {}
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            errors[f"lines.{number}"] = [_("Give sku, quantity and optionally unit.")]
            continue
        sku, unit, quantity = item.get("sku"), item.get("unit"), item.get("quantity")
        if isinstance(sku, bool) or not isinstance(sku, int):
            errors[f"lines.{number}.sku"] = [_("Give the SKU's id.")]
        if unit is not None and (isinstance(unit, bool) or not isinstance(unit, int)):
            errors[f"lines.{number}.unit"] = [_("Give the unit's id, or leave it out for the base unit.")]
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            errors[f"lines.{number}.quantity"] = [_("Enter a whole number.")]
        if not any(key.startswith(f"lines.{number}.") for key in errors):
            lines.append(SubmitLine(sku_id=sku, unit_id=unit, quantity=quantity))
    if errors:
        raise OrderInvalid(_("Some lines cannot be ordered."), fields=errors)
    return lines


# --- cart -----------------------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(summary="The dealer's shared cart with its quote", responses=CartOutput),
    clear=extend_schema(summary="Empty the cart (and its coupons)", responses=CartOutput),
    line_add=extend_schema(summary="Add a quantity of a SKU (in a unit) to the cart", request=CartLineAddInput,
                           responses={200: CartOutput, 400: ProblemOutput, 404: ProblemOutput}),
    line_set=extend_schema(summary="Set a cart line's quantity (0 removes it)", request=CartLineSetInput,
                           responses={200: CartOutput, 400: ProblemOutput, 404: ProblemOutput}),
    line_remove=extend_schema(summary="Remove a cart line", responses={200: CartOutput, 404: ProblemOutput}),
    coupons=extend_schema(summary="Set the cart's coupon codes", request=CouponsInput, responses=CartOutput),
    quick=extend_schema(summary="Quick order: pasted lines or a list of codes into the cart, all or nothing",
                        request=QuickInput, responses={200: AddedOutput, 400: ProblemOutput}),
    upload=extend_schema(summary="Upload a CSV/XLSX order into the cart, all or nothing (errors per row)",
                         request={"multipart/form-data": UploadInput},
                         responses={200: AddedOutput, 400: ProblemOutput, 413: ProblemOutput}),
)
class CartViewSet(OrderingViewSet):
    serializer_class = CartOutput
    parser_classes = [ObjectJSONParser, MultiPartParser]
    required_capabilities = {action: CART_EDIT for action in (
        "retrieve", "clear", "line_add", "line_set", "line_remove", "coupons", "quick", "upload")}

    def retrieve(self, request):
        return Response(_cart_body(self.dealer()))

    @action(detail=False, methods=["delete"])  # routed by hand below; marks it for the schema
    def clear(self, request):
        dealer = self.dealer()
        services.cart_clear(actor=request.user, dealer=dealer)
        return Response(_cart_body(dealer))

    @action(detail=False, methods=["post"])  # routed by hand below; marks it for the schema
    def line_add(self, request):
        dealer = self.dealer()
        data = self.validated(CartLineAddInput)
        services.cart_line_set(actor=request.user, dealer=dealer, sku_id=data["sku"], unit_id=data["unit"],
                               quantity=data["quantity"], add=True)
        return Response(_cart_body(dealer))

    @action(detail=True, methods=["put"])  # routed by hand below; marks it for the schema
    def line_set(self, request, line_id: int):
        dealer = self.dealer()
        line = services.CartLine.objects.filter(cart__dealer=dealer, pk=line_id).first()
        if line is None:
            raise services.NotFound(_("This line is no longer in the cart."), code="cart_line_not_found")
        data = self.validated(CartLineSetInput)
        services.cart_line_set(actor=request.user, dealer=dealer, sku_id=line.sku_id, unit_id=line.unit_id,
                               quantity=data["quantity"])
        return Response(_cart_body(dealer))

    @action(detail=True, methods=["delete"])  # routed by hand below; marks it for the schema
    def line_remove(self, request, line_id: int):
        dealer = self.dealer()
        services.cart_line_remove(actor=request.user, dealer=dealer, line_id=line_id)
        return Response(_cart_body(dealer))

    @action(detail=False, methods=["put"])  # routed by hand below; marks it for the schema
    def coupons(self, request):
        dealer = self.dealer()
        services.cart_coupons_set(actor=request.user, dealer=dealer, codes=self.validated(CouponsInput)["coupon_codes"])
        return Response(_cart_body(dealer))

    @action(detail=False, methods=["post"])  # routed by hand below; marks it for the schema
    def quick(self, request):
        dealer = self.dealer()
        data = self.validated(QuickInput)
        if data.get("lines"):
            entries = [quick.Entry(ref=number, code=line["sku"].strip(), quantity=str(line["quantity"]),
                                   unit=line["unit"].strip()) for number, line in enumerate(data["lines"], start=1)]
            added = quick.cart_quick_add(actor=request.user, dealer=dealer, entries=entries)
        else:
            added = quick.cart_quick_add(actor=request.user, dealer=dealer, text=data.get("text", ""))
        return Response(_added_body(added))

    @action(detail=False, methods=["post"])  # routed by hand below; marks it for the schema
    def upload(self, request):
        dealer = self.dealer()
        file = request.FILES.get("file")
        if file is None:
            raise ValidationFailed(_("Choose a file."), fields={"file": [_("Upload a CSV or XLSX file.")]})
        return Response(_added_body(quick.cart_upload(actor=request.user, dealer=dealer, file=file,
                                                      filename=file.name)))


# --- order templates ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="The dealer's order templates (saved carts)", responses=TemplateOutput(many=True)),
    create=extend_schema(summary="Save the cart as a template", request=TemplateInput,
                         responses={201: TemplateDetailOutput, 400: ProblemOutput}),
    retrieve=extend_schema(summary="A template with its lines", responses=TemplateDetailOutput),
    destroy=extend_schema(summary="Delete a template", responses={204: None}),
    load=extend_schema(summary="Put a template's lines in the cart (unavailable ones are left out and named)",
                       request=None, responses={200: AddedOutput, 400: ProblemOutput}),
)
class OrderTemplateViewSet(OrderingViewSet):
    serializer_class = TemplateOutput
    required_capabilities = {action: CART_EDIT for action in ("list", "create", "retrieve", "destroy", "load")}

    def _template(self):
        return quick.template_get_for(dealer=self.dealer(), template_id=self.kwargs["pk"])

    def _detail(self, template, code=status.HTTP_200_OK) -> Response:
        template = selectors.templates_of(template.dealer).prefetch_related("lines__sku", "lines__unit").get(
            pk=template.pk)
        return Response(TemplateDetailOutput(template).data, status=code)

    def list(self, request):
        page = self.paginate_queryset(selectors.templates_of(self.dealer()))
        return self.get_paginated_response(TemplateOutput(page, many=True).data)

    def create(self, request):
        data = self.validated(TemplateInput)
        template = quick.template_save(actor=request.user, dealer=self.dealer(), **data)
        return self._detail(template, status.HTTP_201_CREATED)

    def retrieve(self, request, pk):
        return self._detail(self._template())

    def destroy(self, request, pk):
        quick.template_delete(actor=request.user, dealer=self.dealer(), template=self._template())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])  # routed by hand below; marks it for the schema
    def load(self, request, pk):
        return Response(_added_body(quick.template_load(actor=request.user, dealer=self.dealer(),
                                                        template=self._template())))


# --- orders ---------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Orders: a dealer's own, or those of the dealers in a brand user's scope",
                       parameters=[OpenApiParameter("status", str, enum=OrderStatus.values),
                                   OpenApiParameter("dealer", int), OpenApiParameter("from", OpenApiTypes.DATE),
                                   OpenApiParameter("to", OpenApiTypes.DATE), OpenApiParameter("q", str),
                                   OpenApiParameter("outside_territory", bool, description=(
                                       "true: only the orders flagged as shipped outside their dealer's sales "
                                       "territories (防窜货); false: only the others"))],
                       responses=OrderOutput(many=True)),
    create=extend_schema(
        summary="Submit an order (default: the cart)",
        description="Send an `Idempotency-Key` header: a repeat with the same key answers 200 with the first "
                    "order, the same body; the same key with another request is a 422 (`idempotency_key_reused`). "
                    "A cart submitted twice (a double click, no key) makes one order: the second submit is a 409 "
                    "(`cart_already_submitted`) naming it. A stock shortage is a 409 whose body lists `shortages`; "
                    "under the reduce policy (code `stock_short_reduce_possible`) resend with `consent_reduce: true`.",
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
        request=SubmitInput,
        responses={201: OrderDetailOutput, 200: OpenApiResponse(OrderDetailOutput, description="A replay"),
                   400: ProblemOutput, 409: ProblemOutput, 422: ProblemOutput}),
    retrieve=extend_schema(summary="An order with its lines, breakdown and timeline", responses=OrderDetailOutput),
    cancel=extend_schema(summary="Cancel (dealers: until allocated to the warehouse; brand: while legal); "
                                 "stock is given back",
                         request=OrderReasonInput, responses={200: OrderDetailOutput, 409: ProblemOutput}),
    revise=extend_schema(summary="Change an order's lines before the warehouse has it: re-priced, re-reserved, and "
                                 "through approval again (a new revision); 409 once allocated",
                         request=inline_serializer("OrderReviseInput", {
                             "lines": serializers.ListField(child=serializers.DictField()),
                             "expected_total": serializers.DecimalField(max_digits=16, decimal_places=2,
                                                                        required=False),
                             "consent_reduce": serializers.BooleanField(required=False),
                             "note": serializers.CharField(required=False)}),
                         responses={200: OrderDetailOutput, 400: ProblemOutput, 404: ProblemOutput,
                                    409: ProblemOutput}),
    reorder=extend_schema(summary="Put a past order's lines in the cart at today's prices", request=None,
                          responses={200: AddedOutput, 400: ProblemOutput}),
)
class OrderViewSet(OrderingViewSet):
    serializer_class = OrderOutput
    required_capabilities = {"list": ORDER_READ, "retrieve": ORDER_READ, "create": CART_EDIT,
                             "cancel": (ORDERS_MANAGE, CART_EDIT), "revise": (ORDERS_MANAGE, CART_EDIT),
                             "reorder": CART_EDIT}

    def _order(self) -> Order:
        return selectors.order_get_for(actor=self.request.user, order_id=self.kwargs["pk"])

    def list(self, request):
        params = request.query_params
        orders = selectors.order_list(actor=request.user, status=params.get("status", ""),
                                      dealer_id=params.get("dealer", "").strip()[:12] or None,
                                      date_from=_date(params.get("from")), date_to=_date(params.get("to")),
                                      q=params.get("q", "")[:100],
                                      outside_territory=_flag(params.get("outside_territory"))
                                      ).order_by("-created_at", "-id")
        page = self.paginate_queryset(orders)
        return self.get_paginated_response(OrderOutput(page, many=True).data)

    def create(self, request):
        dealer = self.dealer()
        data = request.data if isinstance(request.data, dict) else {}
        lines = _submit_lines(data.get("lines"))
        # Only lines (most submissions): what SubmitExtraInput gives for an empty body, without building it.
        extra = self.validated(SubmitExtraInput) if data.keys() - {"lines"} else dict(_NO_EXTRA)
        return submit_response(request, dealer=dealer, lines=lines, extra=extra, submit=order_submit)

    def retrieve(self, request, pk):
        return Response(order_body(self._order(), events=True))

    @action(detail=True, methods=["post"])  # routed by hand below; marks it for the schema
    def cancel(self, request, pk):
        order = self._order()
        reason = self.validated(OrderReasonInput)["reason"]
        if request.user.is_dealer_staff:
            if not has_perm(request.user, CART_EDIT):
                raise PermissionDenied
            order = quick.order_cancel_by_dealer(actor=request.user, order=order, reason=reason)
        else:
            if not has_perm(request.user, ORDERS_MANAGE):
                raise PermissionDenied
            order = lifecycle.order_cancel(actor=request.user, order=order, reason=reason)
        return Response(order_body(selectors.order_get_for(actor=request.user, order_id=order.pk), events=True))

    @action(detail=True, methods=["post"])  # routed by hand below; marks it for the schema
    def revise(self, request, pk):
        order = self._order()
        if not has_perm(request.user, CART_EDIT if request.user.is_dealer_staff else ORDERS_MANAGE):
            raise PermissionDenied
        data = request.data if isinstance(request.data, dict) else {}
        lines = _submit_lines(data.get("lines"))
        if not lines:
            raise OrderInvalid(_("The order could not be changed."), fields={"lines": [_("Give the new lines.")]})
        extra = self.validated(SubmitExtraInput)
        order_revise(actor=request.user, order=order, lines=lines, expected_total=extra.get("expected_total"),
                     consent_reduce=extra["consent_reduce"], note=extra.get("note") or None)
        return Response(order_body(selectors.order_get_for(actor=request.user, order_id=order.pk), events=True))

    @action(detail=True, methods=["post"])  # routed by hand below; marks it for the schema
    def reorder(self, request, pk):
        return Response(_added_body(quick.order_reorder(actor=request.user, dealer=self.dealer(),
                                                        order=self._order())))


def _flag(value) -> bool | None:
    """A yes/no query parameter: true/1 or false/0 (any case); anything else, or none, filters nothing."""
    return {"true": True, "1": True, "false": False, "0": False}.get(str(value or "").strip().lower())


def _date(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
