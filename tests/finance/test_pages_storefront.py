"""The dealer's finance pages on the storefront (/account/finance/): its own accounts only (dealer staff with
FINANCE_VIEW_OWN), terms in words, the latest lines and the whole ledger at a constant query count, blocks and
action links only from what other areas registered, the account menu's link, zh-Hans."""

from decimal import Decimal

import pytest

from tenant_apps.accounts.services import user_create
from tenant_apps.finance import services, storefront_blocks
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.finance.pages import Browser, signed_in


def _credit(books):
    services.dealer_settlement_set(actor=books.finance, dealer=books.one, mode="mixed", credit_limit="5000",
                                   terms_days=45)
    services.top_up_record(actor=books.finance, dealer=books.one, amount="1000", reference="BANK-1")
    services.credit_hold(actor=None, dealer=books.one, amount="1300", currency="CNY", reference="SO-1")


def test_the_dealers_finance_staff_read_their_own_account(books):
    _credit(books)
    services.top_up_record(actor=books.finance, dealer=books.two, amount="777", reference="OTHER-DEALER")
    page = signed_in(books.clerk).get("/account/finance/")
    assert page.status_code == 200
    (figures,) = page.context["figures"]
    assert (figures.balance, figures.credit_limit, figures.credit_used, figures.available, figures.rebate) == (
        Decimal("0.00"), Decimal("5000.00"), Decimal("300.00"), Decimal("4700.00"), Decimal("0.00"))
    text = page.content.decode()
    assert "Mixed (balance first, then credit)" in text
    assert "credit line of CN¥5,000.00, due 45 days after it is charged" in text
    assert "BANK-1" in text and "SO-1" in text and "Order charge" in text
    assert "OTHER-DEALER" not in text and "777" not in text
    assert [entry.reference for entry in page.context["entries"]] == ["SO-1", "BANK-1"]


def test_the_dealer_owner_reads_it_too_and_an_empty_account_shows_zero(books):
    owner = UserFactory(email="boss@one.test", role="dealer_owner", dealer=books.one)
    page = signed_in(owner).get("/account/finance/")
    assert page.status_code == 200
    (figures,) = page.context["figures"]
    assert (figures.currency, figures.balance, figures.available) == ("CNY", Decimal("0.00"), Decimal("0.00"))
    assert "No movements yet" in page.content.decode()


@pytest.mark.parametrize("url", ["/account/finance/", "/account/finance/ledger/"])
def test_brand_staff_and_a_buyer_are_refused_and_a_user_without_a_dealer_finds_nothing(books, url):
    buyer = UserFactory(email="buyer@one.test", role="dealer_buyer", dealer=books.one)
    warehouse = UserFactory(email="wh@acme.test", role="warehouse")
    for user in (books.finance, warehouse, buyer):
        assert signed_in(user).get(url).status_code == 403, user.email
    lost = user_create(actor=None, email="lost@acme.test", password=DEFAULT_PASSWORD, role="dealer_finance")
    assert signed_in(lost).get(url).status_code == 404
    response = Browser().get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_a_dealer_cannot_reach_another_dealers_account(books):
    """The storefront has no dealer in its URLs (always the reader's own); the console's account page is closed to
    dealer staff."""
    services.top_up_record(actor=books.finance, dealer=books.two, amount="777", reference="OTHER-DEALER")
    clerk = signed_in(books.clerk)
    assert clerk.get(f"/console/finance/accounts/{books.two.pk}/").status_code == 403
    assert clerk.get(f"/account/finance/?dealer={books.two.pk}").context["dealer"].pk == books.one.pk
    assert "OTHER-DEALER" not in clerk.get(f"/account/finance/ledger/?dealer={books.two.pk}").content.decode()


def test_the_home_shows_the_latest_20_lines_and_links_the_whole_ledger(books):
    for number in range(23):
        services.top_up_record(actor=books.finance, dealer=books.one, amount="1", reference=f"B-{number:02}")
    page = signed_in(books.clerk).get("/account/finance/")
    assert len(page.context["entries"]) == 20 and page.context["more"]
    assert page.context["entries"][0].reference == "B-22"
    assert 'href="/account/finance/ledger/"' in page.content.decode()


def test_the_ledger_pages_at_a_constant_query_count(books, count_queries):
    clerk = signed_in(books.clerk)
    services.top_up_record(actor=books.finance, dealer=books.one, amount="1")
    clerk.get("/account/finance/ledger/")
    with count_queries() as one:
        page = clerk.get("/account/finance/ledger/")
    assert len(page.context["listing"].page.object_list) == 1
    for number in range(30):
        services.top_up_record(actor=books.finance, dealer=books.one, amount="1", reference=f"B-{number:02}")
    with count_queries() as many:
        page = clerk.get("/account/finance/ledger/")
    assert len(page.context["listing"].page.object_list) == 25
    assert len(many.sql) == len(one.sql)
    second = clerk.get("/account/finance/ledger/?page=2")
    assert [entry.reference for entry in second.context["listing"].page.object_list][-1] == ""


def test_the_home_costs_the_same_queries_with_1_and_20_lines(books, count_queries):
    clerk = signed_in(books.clerk)
    services.top_up_record(actor=books.finance, dealer=books.one, amount="1")
    clerk.get("/account/finance/")
    with count_queries() as one:
        clerk.get("/account/finance/")
    for _number in range(25):
        services.top_up_record(actor=books.finance, dealer=books.one, amount="1")
    with count_queries() as many:
        clerk.get("/account/finance/")
    assert len(many.sql) == len(one.sql)


@pytest.fixture
def registered():
    """Only the blocks and actions a test registers (not the finance areas' own), dropped after it."""
    blocks, actions = dict(storefront_blocks.blocks._blocks), dict(storefront_blocks.actions._actions)
    storefront_blocks.blocks._blocks, storefront_blocks.actions._actions = {}, {}
    yield storefront_blocks
    storefront_blocks.blocks._blocks, storefront_blocks.actions._actions = blocks, actions


def test_blocks_and_actions_show_only_as_registered_and_when_they_exist(books, registered):
    registered.register_block("due", "components/empty.html",
                              lambda request, dealer: {"title": f"DUE-FOR-{dealer.code}"}, order=10)
    registered.register_block("nothing", "components/empty.html", lambda request, dealer: None)
    registered.register_action("finance:ledger", "Top up now")
    registered.register_action("finance:not-here-yet", "Pay now")
    registered.register_action("finance:home", "Owner only", "company.users")
    page = signed_in(books.clerk).get("/account/finance/")
    assert [block["key"] for block in page.context["blocks"]["figures"]] == ["due"]
    assert [action["label"] for action in page.context["actions"]] == ["Top up now"]
    text = page.content.decode()
    assert "DUE-FOR-fin-1" in text and "Top up now" in text and "Pay now" not in text and "Owner only" not in text


def test_without_registrations_there_are_no_action_links(books, registered):
    registered.actions._actions.clear()
    registered.blocks._blocks.clear()
    page = signed_in(books.clerk).get("/account/finance/")
    assert page.context["actions"] == [] and page.context["blocks"] == {"figures": [], "after_ledger": []}
    assert 'id="finance-actions"' not in page.content.decode()


def test_the_account_menu_and_the_header_link_the_finance_account_for_finance_readers(books):
    buyer = UserFactory(email="buyer@one.test", role="dealer_buyer", dealer=books.one)
    page = signed_in(books.clerk).get("/account/company/").content.decode()
    assert 'href="/account/finance/"' in page and 'id="nav-finance"' in page
    page = signed_in(buyer).get("/account/company/").content.decode()
    assert "/account/finance/" not in page


def test_the_page_reads_in_chinese(books):
    _credit(books)
    page = signed_in(books.clerk, "zh-hans").get("/account/finance/").content.decode()
    for label in ("资金账户", "预付余额", "信用额度", "可用于下单", "返利池", "最近收支", "混合"):
        assert label in page, label
