"""Pages show a plan refusal (a limit reached, a feature not in the plan, a read-only workspace) with a link to the
plan page. The refusals' messages end with the plan page's path (UPGRADE_PATH: the API's message says where);
`plan_link` turns that path into the link, in the one place pages print messages: the form's errors
(components/form.html, components/field.html), the toasts (base.html) and the import errors.

    {% load plan_limits %}{% plan_message message %}

The link is for readers who may open the plan page (brand staff: the console's navigation is in the context); for
anyone else (a dealer) the path is left out and the sentence ends where it did. `{{ message|plan_link }}` links
always."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from billing_saas.limits import UPGRADE_PATH

register = template.Library()
_PATH_AT_END = re.compile(r"[\s:：]*" + re.escape(UPGRADE_PATH) + r"\s*$")


@register.filter
def plan_link(message, may_open=True):
    text = str(message)
    if UPGRADE_PATH not in text:
        return conditional_escape(message)
    if may_open:
        link = format_html('<a class="upgrade-link" href="{}">{}</a>', UPGRADE_PATH, _("See plans and upgrade"))
        return mark_safe(conditional_escape(text).replace(UPGRADE_PATH, link))  # noqa: S308 - escaped, then ours
    shorter = _PATH_AT_END.sub("", text).rstrip()
    if shorter and shorter[-1] not in ".。!！?？":
        shorter += "。" if "\u4e00" <= shorter[-1] <= "\u9fff" else "."
    return conditional_escape(shorter)


@register.simple_tag(takes_context=True)
def plan_message(context, message):
    return plan_link(message, bool(context.get("console_nav")))


@register.simple_tag
def upgrade_path() -> str:
    return UPGRADE_PATH
