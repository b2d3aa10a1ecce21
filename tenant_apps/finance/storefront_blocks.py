"""What other finance areas add to the dealer's finance page (/account/finance/) without that page knowing them:
blocks (a template include with its own context) and action links. Each area registers from its own views module,
so a block or a link appears only in a tree where that area exists:

    from tenant_apps.finance import storefront_blocks

    storefront_blocks.register_block("due", "finance/storefront/_due.html", due_context, slot="figures", order=10)
    storefront_blocks.register_action("finance:pay", _("Pay"), FINANCE_PAY, order=10)

A block's context function takes (request, dealer) and returns its template's context as a dict, or None when the
block has nothing to show (the template is rendered with it, the request and `dealer`, in the block's slot); it
runs only for readers with the block's capability, and should cost a constant number of queries. An action whose
URL name does not reverse, or whose capability the reader lacks, is not shown.

`console_account_blocks` is the same kind of registry for the console's page of one dealer's account
(/console/finance/accounts/<dealer_id>/)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from tenant_apps.accounts.permissions import FINANCE_PAY, FINANCE_VIEW, FINANCE_VIEW_OWN, has_perm

SLOTS = ("figures", "after_ledger")  # under the account's figures (due soon, overdue); below the ledger


@dataclass(frozen=True)
class Block:
    key: str
    template: str
    context: Callable
    capability: str
    slot: str
    order: int


@dataclass(frozen=True)
class Action:
    url_name: str
    label: str
    capability: str
    order: int


class BlockRegistry:
    def __init__(self, default_capability: str):
        self.default_capability = default_capability
        self._blocks: dict[str, Block] = {}

    def register(self, key: str, template: str, context: Callable, *, capability: str | None = None,
                 slot: str = "figures", order: int = 100) -> None:
        if slot not in SLOTS:
            raise ValueError(f"unknown slot {slot!r}: one of {SLOTS}")
        self._blocks[key] = Block(key=key, template=template, context=context, slot=slot, order=order,
                                  capability=capability or self.default_capability)

    def render_list(self, request, dealer) -> dict[str, list[dict]]:
        """{slot: [{"key", "html"}, ...]} of the blocks the reader may see that have something to show, in order,
        each rendered with its own context (its template sees the dict's keys, `request` and `dealer`)."""
        slots: dict[str, list[dict]] = {slot: [] for slot in SLOTS}
        for block in sorted(self._blocks.values(), key=lambda block: (block.order, block.key)):
            if not has_perm(request.user, block.capability):
                continue
            context = block.context(request, dealer)
            if context is not None:
                html = render_to_string(block.template, {**context, "dealer": dealer}, request=request)
                slots[block.slot].append({"key": block.key, "html": html})
        return slots


class ActionRegistry:
    def __init__(self, default_capability: str):
        self.default_capability = default_capability
        self._actions: dict[str, Action] = {}

    def register(self, url_name: str, label, capability: str | None = None, *, order: int = 100) -> None:
        self._actions[url_name] = Action(url_name=url_name, label=label, order=order,
                                         capability=capability or self.default_capability)

    def render_list(self, request) -> list[dict]:
        """[{"url", "label"}] of the actions the reader may take here, in order."""
        items = []
        for action in sorted(self._actions.values(), key=lambda action: (action.order, action.url_name)):
            if not has_perm(request.user, action.capability):
                continue
            try:
                items.append({"url": reverse(action.url_name), "label": action.label})
            except NoReverseMatch:
                continue
        return items


blocks = BlockRegistry(FINANCE_VIEW_OWN)
actions = ActionRegistry(FINANCE_PAY)
console_account_blocks = BlockRegistry(FINANCE_VIEW)


def register_block(key: str, template: str, context: Callable, *, capability: str | None = None,
                   slot: str = "figures", order: int = 100) -> None:
    """A block on the dealer's finance page (see the module's docstring)."""
    blocks.register(key, template, context, capability=capability, slot=slot, order=order)


def register_action(url_name: str, label, capability: str | None = None, *, order: int = 100) -> None:
    """An action link on the dealer's finance page (FINANCE_PAY unless told)."""
    actions.register(url_name, label, capability, order=order)
