"""The matcher: statement lines against the open items, set-based.

Open items are loaded once (`open_items`: four queries whatever the number of lines): the dealers' pending
remittances, the orders they still owe (finance.selectors.owed_by_reference, as the pay page reads it), each
dealer's payment code (`payment_code`: "D" + its code) and the names it pays from (legal name, short name, payer
names of its remittances and of lines matched to it before). They are indexed by reference and by amount, and
`suggest` runs in memory, rules in order:

1. high: the remark names an open order's number, or a dealer's payment code (a pending remittance of that dealer
   with the same amount is attached too);
2. medium: the amount equals a pending remittance or an open order's amount AND the payer's name is one of that
   dealer's names (normalised: NFKC, no spaces or punctuation, without 有限公司 / Co., Ltd. endings);
3. low: the amount alone equals exactly one open item (a suggestion, never confirmed without a person).

Rules 2 and 3 take an item once per run (two lines of the same amount never get the same remittance), high first
over all lines, then medium, then low, so a better match is never taken by a weaker one."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from tenant_apps.dealers.models import Dealer
from tenant_apps.finance.models import BankMatch, Confidence, LedgerEntry, Remittance, RemittanceStatus
from tenant_apps.finance.selectors import owed_by_reference

PAYMENT_CODE_PREFIX = "D"
_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "分公司", "公司", "coltd", "ltd", "limited", "inc", "co")
_NOT_NAME = re.compile(r"[\s()（）【】\[\].,，。·、'\"/\\_-]+")
_TOKEN = re.compile(r"[0-9A-Z][0-9A-Z\-_/.]*")


def payment_code(dealer) -> str:
    """The reference a dealer writes in a transfer's remark: "D" + its code (stable, shown on its pages)."""
    return f"{PAYMENT_CODE_PREFIX}{dealer.code}"


def code_key(text: str) -> str:
    """A code or order number as compared: NFKC, upper case, letters and digits only."""
    return re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", text or "").upper())


def name_key(text: str) -> str:
    """A company or person name as compared: NFKC, case-folded, no spaces or punctuation, no legal-form end."""
    name = _NOT_NAME.sub("", unicodedata.normalize("NFKC", text or "").casefold())
    changed = True
    while changed and name:
        changed = False
        for suffix in _SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                name, changed = name[: -len(suffix)], True
    return name


def remark_keys(remark: str) -> list[str]:
    """The codes a remark may hold ("货款 SO-2026-0001 DSH002" -> SO20260001, DSH002), in order."""
    return [key for token in _TOKEN.findall(unicodedata.normalize("NFKC", remark or "").upper())
            if (key := code_key(token))]


@dataclass
class Item:
    kind: str  # "remittance" or "order"
    dealer_id: int
    amount: Decimal
    currency: str
    reference: str = ""  # the order number
    remittance_id: int | None = None
    taken: bool = False


@dataclass
class OpenItems:
    orders: dict[str, Item] = field(default_factory=dict)  # code_key(order number) -> item
    codes: dict[str, int] = field(default_factory=dict)  # code_key(payment code) -> dealer id
    by_amount: dict[tuple[str, Decimal], list[Item]] = field(default_factory=lambda: defaultdict(list))
    names: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))  # dealer id -> name keys
    remittances: dict[tuple[int, str, Decimal], list[Item]] = field(default_factory=lambda: defaultdict(list))


def open_items() -> OpenItems:
    """Everything the matcher compares with, in four queries."""
    items = OpenItems()
    for dealer_id, code, legal_name, name in Dealer.objects.values_list("id", "code", "legal_name", "name"):
        items.codes[code_key(f"{PAYMENT_CODE_PREFIX}{code}")] = dealer_id
        items.names[dealer_id].update(key for key in (name_key(legal_name), name_key(name)) if key)
    for remittance_id, dealer_id, amount, currency, payer, status in Remittance.objects.exclude(
            status=RemittanceStatus.REJECTED).values_list("id", "dealer_id", "amount", "currency", "payer_name",
                                                          "status").order_by("created_at", "id"):
        if key := name_key(payer):
            items.names[dealer_id].add(key)
        if status == RemittanceStatus.PENDING:
            item = Item("remittance", dealer_id, amount, currency, remittance_id=remittance_id)
            items.by_amount[(currency, amount)].append(item)
            items.remittances[(dealer_id, currency, amount)].append(item)
    for dealer_id, payer in BankMatch.objects.filter(reversal__isnull=True).values_list(
            "dealer_id", "line__payer_name").distinct():
        if key := name_key(payer):
            items.names[dealer_id].add(key)
    # headquarters' orders only: a sub-dealer pays its supplier, not the brand's bank account
    owed = owed_by_reference(LedgerEntry.objects.filter(creditor__isnull=True)).filter(owed__gt=0).order_by("reference")
    for row in owed:
        item = Item("order", row["dealer_id"], row["owed"], row["currency"], reference=row["reference"])
        if key := code_key(row["reference"]):
            items.orders[key] = item
        items.by_amount[(row["currency"], row["owed"])].append(item)
    return items


@dataclass
class Suggestion:
    confidence: str = Confidence.NONE
    dealer_id: int | None = None
    reference: str = ""
    remittance_id: int | None = None
    rule: str = ""


def _take_remittance(items: OpenItems, dealer_id: int, line) -> int | None:
    for item in items.remittances.get((dealer_id, line.currency, line.amount), ()):
        if not item.taken:
            item.taken = True
            return item.remittance_id
    return None


def suggest(lines: list, items: OpenItems) -> dict[int, Suggestion]:
    """line id -> its suggestion (lines: objects with id, amount, currency, payer_name, remark)."""
    found: dict[int, Suggestion] = {}
    rest = []
    for line in lines:  # 1. high: an order number or a payment code in the remark
        suggestion = None
        for key in remark_keys(line.remark):
            order = items.orders.get(key)
            if order is not None and order.currency == line.currency:
                suggestion = Suggestion(Confidence.HIGH, order.dealer_id, order.reference, rule="order_number")
                break
            if key in items.codes:
                suggestion = Suggestion(Confidence.HIGH, items.codes[key], rule="payment_code")
                break
        if suggestion is None:
            rest.append(line)
        else:
            suggestion.remittance_id = _take_remittance(items, suggestion.dealer_id, line)
            found[line.id] = suggestion
    weak = []
    for line in rest:  # 2. medium: the amount and the payer's name
        payer = name_key(line.payer_name)
        candidates = [item for item in items.by_amount.get((line.currency, line.amount), ())
                      if not item.taken and payer and payer in items.names.get(item.dealer_id, ())]
        if candidates:
            found[line.id] = _from_item(candidates, Confidence.MEDIUM, "amount_and_payer")
        else:
            weak.append(line)
    for line in weak:  # 3. low: the amount alone, one item only
        candidates = [item for item in items.by_amount.get((line.currency, line.amount), ()) if not item.taken]
        found[line.id] = (_from_item(candidates, Confidence.LOW, "amount_only") if len(candidates) == 1
                          else Suggestion())
    return found


def _from_item(candidates: list[Item], confidence: str, rule: str) -> Suggestion:
    """The first candidate (a remittance before an order: the dealer told us of it), taken."""
    item = next((c for c in candidates if c.kind == "remittance"), candidates[0])
    item.taken = True
    return Suggestion(confidence, item.dealer_id, item.reference, item.remittance_id, rule)
