"""The finance section of the brand console (/console/finance/): who may open each page (FINANCE_VIEW to read,
FINANCE_EDIT to write), scope (an unknown dealer is a 404), the forms writing through finance.services with field
errors and nothing written on bad input, the second person on adjustments, constant query counts, zh-Hans."""

from decimal import Decimal

import pytest

from tenant_apps.accounts.models import User
from tenant_apps.finance import services, tabs
from tenant_apps.finance.models import Adjustment, DealerSettlement, FinanceSettings, LedgerEntry
from tests.factories import UserFactory
from tests.factories.dealers import DealerFactory
from tests.finance.pages import Browser, signed_in

PAGES = [
    ("/console/finance/", "Adjustments waiting for approval"),
    ("/console/finance/accounts/", "Dealer accounts"),
    ("/console/finance/accounts/{one}/", "Record a top-up"),
    ("/console/finance/adjustments/", "Waiting for approval"),
    ("/console/finance/settings/", "Share of an order that rebates may pay (%)"),
]


def _url(template: str, books) -> str:
    return template.format(one=books.one.pk, two=books.two.pk)


@pytest.fixture
def owner(books):
    return User.objects.get(email="owner@acme.test")


@pytest.mark.parametrize(("url", "text"), PAGES)
def test_each_page_renders_for_brand_finance_and_the_owner(books, owner, url, text):
    for user in (books.finance, owner):
        response = signed_in(user).get(_url(url, books))
        assert response.status_code == 200, (user.email, url)
        assert text in response.content.decode()


@pytest.mark.parametrize(("url", "text"), PAGES)
def test_each_page_is_403_to_the_warehouse_and_to_a_dealer(books, url, text):
    warehouse = UserFactory(email="wh@acme.test", role="warehouse")
    for user in (warehouse, books.clerk):
        assert signed_in(user).get(_url(url, books)).status_code == 403, (user.email, url)


@pytest.mark.parametrize("url", [*(url for url, _text in PAGES), "/console/finance/adjustments/1/approve/"])
def test_each_page_sends_anonymous_visitors_to_sign_in(books, url):
    response = Browser().get(_url(url, books))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_an_unknown_dealer_or_adjustment_is_404(books):
    finance = signed_in(books.finance)
    assert finance.get("/console/finance/accounts/999999/").status_code == 404
    assert finance.post("/console/finance/accounts/999999/", {"action": "top_up", "top_up-amount": "5",
                                                               "top_up-currency": "CNY"}).status_code == 404
    assert finance.post("/console/finance/adjustments/999999/approve/").status_code == 404
    assert not LedgerEntry.objects.exists()


def test_writes_are_refused_to_readers_without_finance_edit(books):
    """A dealer's staff (no FINANCE_VIEW) is refused before anything; nothing is written."""
    clerk = signed_in(books.clerk)
    assert clerk.post(f"/console/finance/accounts/{books.one.pk}/", {
        "action": "top_up", "top_up-amount": "5", "top_up-currency": "CNY"}).status_code == 403
    assert clerk.post("/console/finance/settings/", {"settlement_mode": "credit"}).status_code == 403
    assert not LedgerEntry.objects.exists() and not FinanceSettings.objects.exists()


def test_the_console_nav_and_the_dealer_page_link_to_finance_for_finance_readers_only(books):
    warehouse = UserFactory(email="wh@acme.test", role="warehouse")
    page = signed_in(books.finance).get(f"/console/network/dealers/{books.one.pk}/").content.decode()
    assert 'href="/console/finance/"' in page
    assert f'href="/console/finance/accounts/{books.one.pk}/" id="finance-account"' in page
    page = signed_in(warehouse).get(f"/console/network/dealers/{books.one.pk}/").content.decode()
    assert "/console/finance/" not in page


def test_the_section_tabs_come_from_the_registry_and_only_those_that_exist(books):
    tabs.register("finance_console:not-here-yet", "Later", order=50)
    try:
        page = signed_in(books.finance).get("/console/finance/accounts/")
    finally:
        tabs._TABS.pop("finance_console:not-here-yet")
    names = [tab["url_name"] for tab in page.context["finance_tabs"]]
    assert names[:3] == ["finance_console:home", "finance_console:accounts", "finance_console:adjustments"]
    assert names[-1] == "finance_console:settings" and "finance_console:not-here-yet" not in names
    assert [tab["url_name"] for tab in page.context["finance_tabs"] if tab["active"]] == ["finance_console:accounts"]


# --- figures -------------------------------------------------------------------------------------------------


def _credit(books, dealer, *, limit="5000", used="300"):
    services.dealer_settlement_set(actor=books.finance, dealer=dealer, mode="credit", credit_limit=limit)
    services.credit_hold(actor=None, dealer=dealer, amount=used, currency="CNY", reference=f"SO-{dealer.pk}")


def test_the_home_sums_the_accounts_and_lists_what_waits(books):
    services.top_up_record(actor=books.finance, dealer=books.one, amount="1500.50")
    _credit(books, books.two)
    services.finance_settings_update(actor=books.finance, adjustment_threshold="100")
    waiting = services.adjustment_request(actor=books.controller, dealer=books.one, amount="250", reason="对账差异")
    page = signed_in(books.finance).get("/console/finance/")
    assert page.context["summary"] == [{"currency": "CNY", "accounts": 2, "balance": Decimal("1500.50"),
                                        "credit_used": Decimal("300.00"), "rebate": Decimal("0.00")}]
    assert [a.pk for a in page.context["waiting"]] == [waiting.pk]
    assert "对账差异" in page.content.decode()


def _codes(response) -> list[str]:
    return [row["dealer"].code for row in response.context["rows"]]


def test_the_accounts_list_searches_filters_sorts_and_shows_each_account(books):
    services.finance_settings_update(actor=books.finance, settlement_mode="prepay")  # the brand's default
    services.top_up_record(actor=books.finance, dealer=books.one, amount="1500.50")
    _credit(books, books.two)
    finance = signed_in(books.finance)
    page = finance.get("/console/finance/accounts/")
    assert _codes(page) == ["fin-1", "fin-2"]
    one, two = page.context["rows"]
    assert (one["mode"], one["figures"].balance, one["figures"].available) == ("Prepay", Decimal("1500.50"),
                                                                              Decimal("1500.50"))
    assert (two["mode"], two["figures"].credit_limit, two["figures"].credit_used, two["figures"].available) == (
        "Credit", Decimal("5000.00"), Decimal("300.00"), Decimal("4700.00"))
    assert _codes(finance.get("/console/finance/accounts/?sort=-used")) == ["fin-2", "fin-1"]
    assert _codes(finance.get("/console/finance/accounts/?sort=-balance")) == ["fin-1", "fin-2"]
    assert _codes(finance.get("/console/finance/accounts/?mode=credit")) == ["fin-2"]
    assert _codes(finance.get("/console/finance/accounts/?mode=prepay")) == ["fin-1"]
    assert _codes(finance.get("/console/finance/accounts/?q=fin-2")) == ["fin-2"]
    assert _codes(finance.get("/console/finance/accounts/?q=一号")) == ["fin-1"]
    assert _codes(finance.get("/console/finance/accounts/?mode=barter&sort=nonsense")) == ["fin-1", "fin-2"]


def test_the_accounts_list_costs_the_same_queries_for_a_page_of_2_and_of_25(books, count_queries):
    finance = signed_in(books.finance)
    finance.get("/console/finance/accounts/")  # warm up: session, caches
    with count_queries() as two:
        page = finance.get("/console/finance/accounts/")
    assert len(page.context["rows"]) == 2
    for number in range(28):
        dealer = DealerFactory(code=f"many-{number:02}")
        services.top_up_record(actor=None, dealer=dealer, amount="10")
        if number % 2:
            services.dealer_settlement_set(actor=None, dealer=dealer, mode="mixed", credit_limit="100")
    with count_queries() as many:
        page = finance.get("/console/finance/accounts/")
    assert len(page.context["rows"]) == 25 and page.context["listing"].page.paginator.count == 30
    assert len(many.sql) == len(two.sql)


def test_the_account_ledger_costs_the_same_queries_for_1_and_25_lines(books, count_queries):
    finance = signed_in(books.finance)
    services.top_up_record(actor=books.finance, dealer=books.one, amount="1")
    url = f"/console/finance/accounts/{books.one.pk}/"
    finance.get(url)
    with count_queries() as one:
        page = finance.get(url)
    assert len(page.context["listing"].page.object_list) == 1
    for number in range(30):
        services.top_up_record(actor=books.controller, dealer=books.one, amount="1", reference=f"B-{number}")
    with count_queries() as many:
        page = finance.get(url)
    assert len(page.context["listing"].page.object_list) == 25
    assert len(many.sql) == len(one.sql)


# --- forms ---------------------------------------------------------------------------------------------------


def _post(client, books, data):
    return client.post(f"/console/finance/accounts/{books.one.pk}/", data)


def test_a_top_up_is_recorded_and_shows_in_the_ledger(books):
    finance = signed_in(books.finance)
    done = _post(finance, books, {"action": "top_up", "top_up-amount": "1500.50", "top_up-currency": "CNY",
                                  "top_up-reference": "BANK-7", "top_up-reason": "工行转账"})
    assert (done.status_code, done["Location"]) == (302, f"/console/finance/accounts/{books.one.pk}/")
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount, entry.reference, entry.actor_id) == ("top_up", Decimal("1500.50"), "BANK-7",
                                                                          books.finance.pk)
    page = finance.get(done["Location"]).content.decode()
    assert "Top-up of CN¥1,500.50 recorded." in page
    assert "BANK-7" in page and "工行转账" in page and "Top-up" in page and books.finance.email in page


@pytest.mark.parametrize(("data", "field"), [
    ({"action": "top_up", "top_up-amount": "-1", "top_up-currency": "CNY"}, "amount"),
    ({"action": "top_up", "top_up-amount": "1e9999", "top_up-currency": "CNY"}, "amount"),
    ({"action": "top_up", "top_up-amount": "abc", "top_up-currency": "CNY"}, "amount"),
    ({"action": "top_up", "top_up-amount": "1.234", "top_up-currency": "CNY"}, "amount"),
    ({"action": "top_up", "top_up-amount": "1", "top_up-currency": "XYZ"}, "currency"),
    ({"action": "adjustment", "adjustment-amount": "0", "adjustment-currency": "CNY",
      "adjustment-reason": "x"}, "amount"),
    ({"action": "adjustment", "adjustment-amount": "NaN", "adjustment-currency": "CNY",
      "adjustment-reason": "x"}, "amount"),
    ({"action": "adjustment", "adjustment-amount": "5", "adjustment-currency": "CNY",
      "adjustment-reason": "  "}, "reason"),
    ({"action": "settlement", "settlement-mode": "credit", "settlement-credit_limit": "-1"}, "credit_limit"),
    ({"action": "settlement", "settlement-mode": "credit", "settlement-credit_limit": "1e9999"}, "credit_limit"),
    ({"action": "settlement", "settlement-mode": "credit", "settlement-credit_limit": "lots"}, "credit_limit"),
    ({"action": "settlement", "settlement-mode": "credit", "settlement-credit_limit": "10",
      "settlement-terms_days": "abc"}, "terms_days"),
    ({"action": "settlement", "settlement-mode": "credit", "settlement-terms_days": "400"}, "terms_days"),
    ({"action": "settlement", "settlement-mode": "barter"}, "mode"),
])
def test_bad_input_is_a_400_with_the_field_error_and_writes_nothing(books, data, field):
    refused = _post(signed_in(books.finance), books, data)
    assert refused.status_code == 400
    form = refused.context["forms"][data["action"]]
    assert set(form.errors) == {field}, form.errors
    assert not LedgerEntry.objects.exists() and not Adjustment.objects.exists()
    assert not DealerSettlement.objects.exists()


def test_an_unknown_form_is_a_400(books):
    assert _post(signed_in(books.finance), books, {"action": "magic"}).status_code == 400


def test_the_dealers_own_terms_are_set_and_cleared_through_the_service(books):
    services.finance_settings_update(actor=books.finance, settlement_mode="prepay")  # the brand's default
    finance = signed_in(books.finance)
    done = _post(finance, books, {"action": "settlement", "settlement-mode": "mixed",
                                  "settlement-credit_limit": "20000", "settlement-terms_days": "45"})
    assert done.status_code == 302
    own = DealerSettlement.objects.get(dealer=books.one)
    assert (own.mode, own.credit_limit, own.terms_days) == ("mixed", Decimal("20000.00"), 45)
    page = finance.get(done["Location"])
    assert page.context["mode"] == "Mixed (balance first, then credit)"
    assert "Settlement terms saved." in page.content.decode()
    _post(finance, books, {"action": "settlement", "settlement-mode": "", "settlement-credit_limit": "",
                           "settlement-terms_days": ""})
    own.refresh_from_db()
    assert (own.mode, own.credit_limit, own.terms_days) == ("", None, None)
    assert services.settlement_for(books.one).mode == "prepay"


def test_an_adjustment_above_the_threshold_waits_and_its_requester_cannot_approve_it(books):
    services.finance_settings_update(actor=books.finance, adjustment_threshold="100")
    finance = signed_in(books.finance)
    done = _post(finance, books, {"action": "adjustment", "adjustment-amount": "-250", "adjustment-currency": "CNY",
                                  "adjustment-reason": "返利冲回"})
    assert done.status_code == 302
    adjustment = Adjustment.objects.get()
    assert adjustment.status == "pending" and not LedgerEntry.objects.exists()
    page = finance.get(done["Location"]).content.decode()
    assert "waits for another person&#x27;s approval" in page and "Needs another person" in page

    refused = finance.post(f"/console/finance/adjustments/{adjustment.pk}/approve/", follow=True)
    assert refused.status_code == 200
    assert "Another person must approve an adjustment above the threshold." in refused.content.decode()
    adjustment.refresh_from_db()
    assert adjustment.status == "pending" and not LedgerEntry.objects.exists()

    controller = signed_in(books.controller)
    waiting = controller.get("/console/finance/adjustments/")
    assert [a.pk for a in waiting.context["waiting"]] == [adjustment.pk]
    approved = controller.post(f"/console/finance/adjustments/{adjustment.pk}/approve/", {"back": "account"})
    assert approved["Location"] == f"/console/finance/accounts/{books.one.pk}/"
    adjustment.refresh_from_db()
    assert (adjustment.status, adjustment.approved_by_id) == ("applied", books.controller.pk)
    assert LedgerEntry.objects.get().amount == Decimal("-250.00")
    decided = controller.get("/console/finance/adjustments/")
    assert decided.context["waiting"] == [] and [a.pk for a in decided.context["listing"].page] == [adjustment.pk]


def test_a_small_adjustment_is_applied_at_once(books):
    done = _post(signed_in(books.finance), books, {"action": "adjustment", "adjustment-amount": "20",
                                                   "adjustment-currency": "CNY", "adjustment-reason": "rounding"})
    assert done.status_code == 302
    assert Adjustment.objects.get().status == "applied" and LedgerEntry.objects.get().amount == Decimal("20.00")


def test_the_brands_defaults_are_saved_through_the_service(books):
    finance = signed_in(books.finance)
    done = finance.post("/console/finance/settings/", {
        "settlement_mode": "credit", "credit_limit": "50000", "terms_days": "60", "overdue_block_days": "15",
        "adjustment_threshold": "2000", "rebate_share": "12.5"})
    assert done.status_code == 302
    saved = FinanceSettings.objects.get()
    assert (saved.settlement_mode, saved.credit_limit, saved.terms_days, saved.overdue_block_days,
            saved.adjustment_threshold, saved.rebate_share) == ("credit", Decimal("50000.00"), 60, 15,
                                                               Decimal("2000.00"), Decimal("12.50"))
    assert "Finance settings saved." in finance.get("/console/finance/settings/").content.decode()


GOOD_SETTINGS = {"settlement_mode": "credit", "credit_limit": "50000", "terms_days": "60", "overdue_block_days": "15",
                 "adjustment_threshold": "2000", "rebate_share": "10"}


@pytest.mark.parametrize(("changes", "field"), [
    ({"credit_limit": "-1"}, "credit_limit"),
    ({"credit_limit": "1e9999"}, "credit_limit"),
    ({"credit_limit": "abc"}, "credit_limit"),
    ({"terms_days": "abc"}, "terms_days"),
    ({"overdue_block_days": "-3"}, "overdue_block_days"),
    ({"adjustment_threshold": "1e9999"}, "adjustment_threshold"),
    ({"rebate_share": "101"}, "rebate_share"),
    ({"rebate_share": "1e9999"}, "rebate_share"),
    ({"rebate_share": "abc"}, "rebate_share"),
    ({"settlement_mode": "barter"}, "settlement_mode"),
])
def test_bad_settings_are_a_400_with_the_field_error_and_change_nothing(books, changes, field):
    refused = signed_in(books.finance).post("/console/finance/settings/", {**GOOD_SETTINGS, **changes})
    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {field}, refused.context["form"].errors
    assert not FinanceSettings.objects.exists()


GOOD_TERMS = {"action": "terms", "terms-terms_kind": "monthly", "terms-cutoff_day": "25", "terms-due_day": "10",
              "terms-remind_before_days": "3", "terms-remind_after_days": "7", "terms-statement_cutoff_day": "20"}


def test_payment_terms_reminders_and_the_statement_day_are_set_on_the_settings_page(books):
    finance = signed_in(books.finance)
    done = finance.post("/console/finance/settings/", GOOD_TERMS)
    assert done.status_code == 302
    saved = FinanceSettings.objects.get()
    assert (saved.terms_kind, saved.cutoff_day, saved.due_day, saved.remind_before_days, saved.remind_after_days,
            saved.statement_cutoff_day) == ("monthly", 25, 10, 3, 7, 20)
    finance.post("/console/finance/settings/", {**GOOD_TERMS, "terms-statement_cutoff_day": "0"})
    assert FinanceSettings.objects.get().statement_cutoff_day is None  # 0: statements close at the month's end
    assert "Payment terms saved." in finance.get("/console/finance/settings/").content.decode()


@pytest.mark.parametrize(("changes", "field"), [
    ({"terms-terms_kind": "weekly"}, "terms_kind"),
    ({"terms-due_day": "31"}, "due_day"),
    ({"terms-statement_cutoff_day": "29"}, "statement_cutoff_day"),
    ({"terms-remind_after_days": "-1"}, "remind_after_days"),
])
def test_bad_terms_are_a_400_with_the_field_error_and_change_nothing(books, changes, field):
    refused = signed_in(books.finance).post("/console/finance/settings/", {**GOOD_TERMS, **changes})
    assert refused.status_code == 400
    assert set(refused.context["terms"].errors) == {field}, refused.context["terms"].errors
    assert not FinanceSettings.objects.exists()


def test_the_home_reads_in_chinese(books):
    page = signed_in(books.finance, "zh-hans").get("/console/finance/").content.decode()
    for label in ("财务", "预付余额", "已用信用额度", "返利池", "经销商账户", "待审批的调整"):
        assert label in page, label


def test_another_brands_accounts_never_show(books, tenant_b, in_tenant):
    with in_tenant(tenant_b):
        other = DealerFactory(code="GLOBEX-ONLY")
        services.top_up_record(actor=None, dealer=other, amount="999", reference="GLOBEX-REF")
    services.top_up_record(actor=books.finance, dealer=books.one, amount="5")
    finance = signed_in(books.finance)
    assert "GLOBEX-ONLY" not in finance.get("/console/finance/accounts/?q=GLOBEX").content.decode()
    assert finance.get("/console/finance/").context["summary"][0]["balance"] == Decimal("5.00")
    page = finance.get(f"/console/finance/accounts/{books.one.pk}/").content.decode()
    assert "GLOBEX-REF" not in page
