"""The zh-Hans catalogue is complete: every string shown to users is marked and translated
(scripts/check_translations.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from scripts.check_translations import check


def test_every_user_visible_string_is_marked_and_has_a_zh_hans_translation():
    report = check()

    if not report.ok:
        pytest.fail("\n" + str(report), pytrace=False)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


PO = """
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

msgid "Orders"
msgstr "订单"

msgid "Ship"
msgstr ""

msgid "Webhook"
msgstr "Webhook"

msgid "SKU"
msgstr "SKU"

msgid "%(n)s orders"
msgstr "%(count)s 个订单"

#, fuzzy
msgid "Receive"
msgstr "收货"

msgctxt "button"
msgid "Approve"
msgstr "审核通过"

msgid "One line"
msgid_plural "%(n)s lines"
msgstr[0] "%(n)s 行"
"""


def test_the_check_finds_planted_unmarked_strings_and_missing_translations(tmp_path):
    _write(tmp_path / "locale.po", PO)
    _write(
        tmp_path / "shop" / "templates" / "shop" / "page.html",
        """
        {% load i18n %}
        <h1>{% translate "Orders" %}</h1>
        <p>Planted unmarked text</p>
        <input type="search" placeholder="Search orders">
        <button title="{% translate 'Orders' %}">{% translate "Ship" %}</button>
        {% blocktranslate count n=lines %}One line{% plural %}{{ n }} lines{% endblocktranslate %}
        <a>{% translate "Approve" context "button" %}</a> <span>{% translate "Approve" %}</span>
        <th>{% translate "Webhook" %}</th><th>{% translate "SKU" %}</th>{% blocktranslate %}{{ n }} orders{% endblocktranslate %}
        {{ value|default:"None yet" }}
        <p>收货地址</p>
        {% comment %}Notes for developers{% endcomment %} <code>SKU</code> <script>var a = "code";</script>
        """,  # noqa: E501 (the planted template: the findings below name its line numbers)
    )
    _write(
        tmp_path / "shop" / "views.py",
        """
        from django.contrib import messages
        from django.utils.translation import gettext as _, pgettext

        from shop.errors import Refused


        def view(request):
            messages.success(request, "Planted toast")
            messages.info(request, _("Orders"))
            raise Refused(f"Planted domain error {request.user}")


        LABEL = pgettext("button", "Receive")
        """,
    )
    _write(
        tmp_path / "shop" / "errors.py",
        """
        from tenant_apps.core.errors import DomainError


        class Refused(DomainError):
            pass
        """,
    )
    _write(
        tmp_path / "shop" / "models.py",
        """
        from django.db import models
        from django.utils.translation import gettext_lazy as _


        class State(models.TextChoices):
            OPEN = "open", "Planted choice label"
            DONE = "done", _("Orders")


        class Order(models.Model):
            note = models.TextField(help_text="Planted help text", verbose_name=_("Orders"))
        """,
    )
    _write(tmp_path / "shop" / "tests" / "test_x.py", 'messages.success(request, "Tests are not checked")\n')

    report = check(root=tmp_path, po_path=tmp_path / "locale.po", apps=("shop",))

    assert [(f.path, f.line, f.text) for f in report.missing] == [
        ("shop/templates/shop/page.html", 5, "Ship"),  # empty msgstr
        ("shop/templates/shop/page.html", 7, "Approve"),  # translated only with another context
        (
            "shop/templates/shop/page.html",
            8,
            "Webhook",
        ),  # an English word copied is no translation (SKU may be)
        ("shop/templates/shop/page.html", 8, "%(n)s orders"),  # the translation names another placeholder
        ("shop/views.py", 13, "button|Receive"),  # no such context; the context-free entry is fuzzy anyway
    ]
    assert [(f.path, f.line, f.text) for f in report.unmarked_templates] == [
        ("shop/templates/shop/page.html", 3, "Planted unmarked text"),
        ("shop/templates/shop/page.html", 4, "Search orders"),
        ("shop/templates/shop/page.html", 9, "None yet"),
        ("shop/templates/shop/page.html", 10, "收货地址"),
    ]
    assert [(f.path, f.line, f.text) for f in report.unmarked_python] == [
        ("shop/models.py", 6, "Planted choice label"),
        ("shop/models.py", 11, "Planted help text"),
        ("shop/views.py", 8, "Planted toast"),
        ("shop/views.py", 10, "Planted domain error {…}"),
    ]
    assert not report.ok
    assert "shop/templates/shop/page.html:3: 'Planted unmarked text'" in str(report)


def test_a_chinese_msgid_is_reported_because_english_pages_would_show_it(tmp_path):
    _write(tmp_path / "locale.po", PO + '\nmsgid "满减"\nmsgstr "满减"\n')
    _write(
        tmp_path / "shop" / "forms.py",
        """
        from django.utils.translation import gettext_lazy as _

        KIND = _("满减")
        """,
    )

    report = check(root=tmp_path, po_path=tmp_path / "locale.po", apps=("shop",))

    assert [(f.line, f.text) for f in report.missing] == [(3, "msgid must be English: 满减")]
