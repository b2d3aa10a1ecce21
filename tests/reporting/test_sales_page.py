"""The console's sales analysis (/console/reports/sales/) and the rows behind a figure (/console/reports/sales/rows/):
figures, share and year on year equal sums of the order lines computed here; a regional manager sees their
region only; every drill link leads to the next level and the rows page adds up to the figure clicked; bad
parameters are a 400 with field errors; query counts do not grow with rows or dealers."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tenant_apps.core.money import format_money
from tenant_apps.ordering.models import Order, OrderLine
from tenant_apps.reporting.services import rollups_refresh
from tests.conftest import host_client
from tests.factories.accounts import UserFactory
from tests.factories.dealers import DealerFactory, RegionFactory, address, headquarters
from tests.factories.ordering import OrderFactory

HOST = "acme.localhost"
PERIOD = "date_from=2026-01-01&date_to=2026-06-30"
PERCENT = Decimal("0.1")


# --- the world ----------------------------------------------------------------------------------------------

def _dealer(store, *, parent, code: str):
    dealer = DealerFactory(parent=parent, code=code, legal_name=f"经销商 {code}", tier=store.tier,
                           territories=[store.shanghai], status="active")
    address(dealer=dealer, territory=store.shanghai)
    dealer.buyer = UserFactory(email=f"buyer-{code.lower()}@acme.test", role="dealer_buyer", dealer=dealer)
    return dealer


def _order(store, dealer, lines, day: date):
    """An order submitted through the services, then dated `day` (noon, local time): no service backdates an
    order, and the rollups date sales by the order's creation."""
    order = OrderFactory(actor=getattr(dealer, "buyer", store.buyer), dealer=dealer, lines=lines)
    Order.objects.filter(pk=order.pk).update(
        created_at=timezone.make_aware(datetime.combine(day, time(12))))
    return order


@pytest.fixture
def world(store):
    """HQ > 华东 (E-1, E-2) and 华南 (S-1), plus the store's SH-1 under HQ. Orders in 2026 and in 2025."""
    hq = headquarters()
    east = RegionFactory(parent=hq, code="EAST", name="华东")
    south = RegionFactory(parent=hq, code="SOUTH", name="华南")
    e1, e2 = _dealer(store, parent=east, code="E-1"), _dealer(store, parent=east, code="E-2")
    s1 = _dealer(store, parent=south, code="S-1")
    sku, water = store.sku, store.water
    _order(store, e1, [(sku, 3), (water, 2)], date(2026, 3, 10))  # 15 + 12
    _order(store, e1, [(sku, 4)], date(2026, 4, 20))  # 20
    _order(store, e2, [(water, 5)], date(2026, 3, 11))  # 30
    _order(store, s1, [(sku, 10)], date(2026, 5, 1))  # 50
    _order(store, store.dealer, [(sku, 1)], date(2026, 6, 30))  # 5
    _order(store, e1, [(sku, 2)], date(2025, 3, 12))  # 10, last year
    _order(store, s1, [(water, 10)], date(2025, 5, 2))  # 60, last year
    _order(store, e2, [(sku, 20)], date(2025, 12, 31))  # outside both periods
    rollups_refresh(full=True)
    store.east, store.south, store.e1, store.e2, store.s1 = east, south, e1, e2, s1
    store.owner = UserFactory(email="owner-sales@acme.test", role="owner")
    store.manager = UserFactory(email="manager-east@acme.test", role="regional_manager", scope_node=east)
    return store


def _net(*, dealers=None, year: int = 2026, sku=None) -> Decimal:
    """Net sales computed from the order lines themselves."""
    lines = OrderLine.objects.filter(order__created_at__year=year).exclude(
        order__created_at__date=date(2025, 12, 31))
    if dealers is not None:
        lines = lines.filter(order__dealer__in=dealers)
    if sku is not None:
        lines = lines.filter(sku=sku)
    return sum((line.net for line in lines), Decimal(0))


def _browser(tenant, in_tenant, user, language: str = "en"):
    with in_tenant(tenant):
        client = host_client(HOST, language=language)
        client.force_login(user)
    return client


# --- reading the page -----------------------------------------------------------------------------------------

class _Table(HTMLParser):
    """The rows of the analysis table (tr[data-key]): per row, the data-* of its cells and each cell's link."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, list[dict]] = {}
        self.sums: dict[str, Decimal] = {}
        self.lines = 0
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-key" in attrs:
            self._row = self.rows.setdefault(attrs["data-key"], [])
        elif tag == "tr" and "data-line" in attrs:
            self.lines += 1
        elif tag in ("td", "th") and self._row is not None:
            self._cell = dict(attrs)
            self._row.append(self._cell)
        elif tag == "a" and self._cell is not None and "href" not in self._cell:
            self._cell["href"] = attrs["href"]
            self._cell["drill"] = attrs.get("data-drill")
        elif tag == "dd" and "data-measure" in attrs:
            self.sums[attrs["data-measure"]] = Decimal(attrs["data-value"])

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._cell = None
        elif tag == "tr":
            self._row = None


def _read(response) -> _Table:
    parser = _Table()
    parser.feed(response.content.decode())
    return parser


def _figure(row: list[dict], measure: str) -> Decimal:
    return next(Decimal(cell["data-value"]) for cell in row if cell.get("data-measure") == measure)


def _cell(row: list[dict], attribute: str) -> dict:
    return next(cell for cell in row if attribute in cell)


def _get(client, url: str):
    """GET a link of the page (its query string as the browser sends it)."""
    return client.get(url.replace("&amp;", "&"))


def _share(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(PERCENT)


# --- tests --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_figures_share_and_year_on_year_by_dealer_equal_the_order_lines(world, tenant_a, in_tenant, language):
    with in_tenant(tenant_a):
        expected = {dealer.pk: _net(dealers=[dealer]) for dealer in (world.e1, world.e2, world.s1, world.dealer)}
        before = {dealer.pk: _net(dealers=[dealer], year=2025) for dealer in (world.e1, world.e2, world.s1,
                                                                              world.dealer)}
        total, total_before = _net(), _net(year=2025)
        quantity = sum(line.quantity * line.factor for line in OrderLine.objects.filter(
            order__created_at__year=2026))
    client = _browser(tenant_a, in_tenant, world.owner, language)
    response = client.get(f"/console/reports/sales/?{PERIOD}&dims=dealer&measures=net,quantity,lines")
    assert response.status_code == 200
    table = _read(response)
    assert set(table.rows) == {str(pk) for pk in expected} | {"total"}
    for pk, net in expected.items():
        row = table.rows[str(pk)]
        assert _figure(row, "net") == net
        assert Decimal(_cell(row, "data-share")["data-share"]) == _share(net, total)
        assert Decimal(_cell(row, "data-last-year")["data-last-year"]) == before[pk]
        change = _cell(row, "data-change")["data-change"]
        assert change == (str(((net - before[pk]) * 100 / before[pk]).quantize(PERCENT)) if before[pk] else "None")
    assert (total, total_before) == (Decimal("132.00"), Decimal("70.00"))
    assert _figure(table.rows["total"], "net") == total
    assert _figure(table.rows["total"], "quantity") == quantity == 25
    assert _figure(table.rows["total"], "lines") == 6
    assert Decimal(_cell(table.rows["total"], "data-change")["data-change"]) == Decimal("88.6")  # 132 / 70 - 1
    text = response.content.decode()
    with translation.override(language):
        assert format_money(total, "CNY") in text
    assert ("销售分析" if language == "zh-hans" else "Sales analysis") in text
    assert ("数据截至" if language == "zh-hans" else "Figures as of") in text


def test_a_time_grain_compares_each_month_with_the_same_month_a_year_before(world, tenant_a, in_tenant):
    client = _browser(tenant_a, in_tenant, world.owner)
    table = _read(client.get(f"/console/reports/sales/?{PERIOD}&dims=month"))
    assert {key: _figure(row, "net") for key, row in table.rows.items()} == {
        "2026-03-01": Decimal("57"), "2026-04-01": Decimal("20"), "2026-05-01": Decimal("50"),
        "2026-06-01": Decimal("5"), "total": Decimal("132")}
    march, may = table.rows["2026-03-01"], table.rows["2026-05-01"]
    assert Decimal(_cell(march, "data-last-year")["data-last-year"]) == Decimal("10")
    assert Decimal(_cell(march, "data-change")["data-change"]) == Decimal("470.0")
    assert Decimal(_cell(may, "data-last-year")["data-last-year"]) == Decimal("60")
    assert Decimal(_cell(may, "data-change")["data-change"]) == Decimal("-16.7")
    assert _cell(table.rows["2026-04-01"], "data-change")["data-change"] == "None"  # nothing in April 2025


def test_a_regional_manager_sees_the_sum_of_their_region_and_nothing_of_another(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        east = _net(dealers=[world.e1, world.e2])
    client = _browser(tenant_a, in_tenant, world.manager)
    table = _read(client.get(f"/console/reports/sales/?{PERIOD}&dims=dealer"))
    assert set(table.rows) == {str(world.e1.pk), str(world.e2.pk), "total"}
    assert _figure(table.rows["total"], "net") == east == Decimal("77")
    by_region = _read(client.get(f"/console/reports/sales/?{PERIOD}&dims=region"))
    assert _figure(by_region.rows["total"], "net") == east
    assert set(by_region.rows) == {str(world.e1.node_id), str(world.e2.node_id), "total"}
    everything = _read(client.get(f"/console/reports/sales/?{PERIOD}&dims="))
    assert _figure(everything.rows["total"], "net") == east
    rows = _read(client.get(f"/console/reports/sales/rows/?{PERIOD}"))
    assert rows.sums["net"] == east and rows.lines == 4
    for url in (f"/console/reports/sales/?{PERIOD}&region={world.south.pk}",
                f"/console/reports/sales/?{PERIOD}&dealer={world.s1.pk}",
                f"/console/reports/sales/rows/?{PERIOD}&dealer={world.s1.pk}"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "in your part of the network" in response.content.decode()


def test_drilling_from_region_to_dealer_to_month_to_day_to_the_rows(world, tenant_a, in_tenant):
    client = _browser(tenant_a, in_tenant, world.owner)
    regions = _read(client.get(f"/console/reports/sales/?{PERIOD}&dims=region"))
    # Headquarters' children: the two regions and the store's dealer, which sits right under HQ.
    assert {key: _figure(row, "net") for key, row in regions.rows.items()} == {
        str(world.east.pk): Decimal("77"), str(world.south.pk): Decimal("50"),
        str(world.dealer.node_id): Decimal("5"), "total": Decimal("132")}
    east_label = regions.rows[str(world.east.pk)][0]
    assert east_label["drill"] == "label"
    assert parse_qs(urlsplit(east_label["href"]).query)["region"] == [str(world.east.pk)]
    # The region: its children show, adding up to the figure clicked.
    east = _read(_get(client, east_label["href"]))
    assert {key: _figure(row, "net") for key, row in east.rows.items()} == {
        str(world.e1.node_id): Decimal("47"), str(world.e2.node_id): Decimal("30"), "total": Decimal("77")}
    # A dealer's node has no children: the dealer, by month and SKU.
    e1_link = east.rows[str(world.e1.node_id)][0]["href"]
    query = parse_qs(urlsplit(e1_link.replace("&amp;", "&")).query)
    assert query["dealer"] == [str(world.e1.pk)] and query["dims"] == ["month,sku"]
    e1 = _read(_get(client, e1_link))
    march_sku = f"2026-03-01|{world.sku.pk}"
    assert {key: _figure(row, "net") for key, row in e1.rows.items()} == {
        march_sku: Decimal("15"), f"2026-03-01|{world.water.pk}": Decimal("12"),
        f"2026-04-01|{world.sku.pk}": Decimal("20"), "total": Decimal("47")}
    # The month: its days, for that dealer and SKU when the figure is clicked.
    figure = next(cell for cell in e1.rows[march_sku] if cell.get("data-measure") == "net")
    assert figure["drill"] == "figure"
    days = _read(_get(client, figure["href"]))
    assert parse_qs(urlsplit(figure["href"].replace("&amp;", "&")).query)["sku"] == [str(world.sku.pk)]
    assert {key: _figure(row, "net") for key, row in days.rows.items()} == {
        "2026-03-10": Decimal("15"), "total": Decimal("15")}
    # The day is the bottom: the rows, adding up to the figure.
    bottom = next(cell for cell in days.rows["2026-03-10"] if cell.get("data-measure") == "net")
    assert bottom["href"].startswith("/console/reports/sales/rows/?")
    rows = _read(_get(client, bottom["href"]))
    assert rows.sums["net"] == Decimal("15") and rows.lines == 1
    # Every row's rows link adds up to its figure.
    for key, row in east.rows.items():
        if key == "total":
            link = _cell(row, "data-measure")["href"]
        else:
            link = next(cell for cell in row if cell.get("drill") == "rows")["href"]
        assert _read(_get(client, link)).sums["net"] == _figure(row, "net"), key


def test_a_time_bucket_drills_to_a_finer_grain_and_a_category_to_its_subtree(world, tenant_a, in_tenant):
    client = _browser(tenant_a, in_tenant, world.owner)
    years = _read(client.get("/console/reports/sales/?date_from=2025-01-01&date_to=2026-12-06&dims=year"))
    assert {key: _figure(row, "net") for key, row in years.rows.items()} == {
        "2025-01-01": Decimal("170"), "2026-01-01": Decimal("132"), "total": Decimal("302")}
    query = parse_qs(urlsplit(years.rows["2026-01-01"][0]["href"].replace("&amp;", "&")).query)
    assert (query["date_from"], query["date_to"], query["dims"]) == (["2026-01-01"], ["2026-12-06"], ["month"])
    categories = _read(client.get(f"/console/reports/sales/?{PERIOD}&dims=category"))
    category = world.sku.product.category_id
    link = categories.rows[str(category)][0]["href"]
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert (query["category"], query["dims"]) == ([str(category)], ["product"])  # no subcategories
    products = _read(_get(client, link))
    assert _figure(products.rows[str(world.sku.product_id)], "net") == _figure(categories.rows[str(category)], "net")


def test_the_rows_page_lists_every_line_on_pages_with_the_sum_on_top(world, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        for _n in range(55):
            _order(world, world.s1, [(world.water, 1)], date(2026, 2, 1))
        rollups_refresh(full=True)
        total = _net()
    client = _browser(tenant_a, in_tenant, world.owner)
    first = client.get(f"/console/reports/sales/rows/?{PERIOD}")
    page = _read(first)
    assert page.sums["net"] == total == Decimal("462") and page.lines == 50
    assert page.sums["net"] == _figure(_read(client.get(f"/console/reports/sales/?{PERIOD}")).rows["total"], "net")
    second = _read(client.get(f"/console/reports/sales/rows/?{PERIOD}&page=2"))
    assert second.lines == 61 - 50 and second.sums["net"] == total
    with in_tenant(tenant_a):
        newest = Order.objects.get(dealer=world.dealer)  # 30 June, the first line listed
    assert f'<a href="/console/orders/{newest.pk}/">{newest.number}</a>' in first.content.decode()


@pytest.mark.parametrize(("query", "field_error"), [
    ("dims=foo", "Unknown: foo."),
    ("dealer=abc", "Enter whole numbers separated by commas."),
    ("dealer=999999", "No such dealer in your part of the network."),
    ("date_from=2026-05-01&date_to=2026-04-01", "The end comes before the start."),
    ("dims=month,week", "Choose one time grain."),
])
def test_bad_parameters_are_a_400_with_the_field_error(world, tenant_a, in_tenant, query, field_error):
    client = _browser(tenant_a, in_tenant, world.owner)
    for page in ("/console/reports/sales/", "/console/reports/sales/rows/"):
        response = client.get(f"{page}?{query}")
        assert response.status_code == 400, page
        assert field_error in response.content.decode(), page


def test_only_report_readers_open_the_pages(world, tenant_a, in_tenant):
    for page in ("/console/reports/sales/", "/console/reports/sales/rows/"):
        assert _browser(tenant_a, in_tenant, world.buyer).get(page).status_code == 403
        anonymous = host_client(HOST).get(page)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
        assert _browser(tenant_a, in_tenant, world.manager).get(page).status_code == 200


def test_the_export_buttons_post_the_spec(world, tenant_a, in_tenant):
    client = _browser(tenant_a, in_tenant, world.owner)
    text = client.get(f"/console/reports/sales/?{PERIOD}&dims=dealer").content.decode()
    assert 'action="/console/reports/exports/report/"' in text
    assert 'name="spec" value="date_from=2026-01-01&amp;date_to=2026-06-30&amp;dims=dealer&amp;measures=net' in text


def test_the_export_button_makes_an_xlsx_with_the_pages_totals(world, tenant_a, in_tenant,
                                                                django_capture_on_commit_callbacks):
    import io

    from openpyxl import load_workbook

    client = _browser(tenant_a, in_tenant, world.manager)  # a regional manager: their region only
    spec = f"{PERIOD}&dims=dealer&measures=net"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/console/reports/exports/report/", {"spec": spec, "format": "xlsx"})
    assert response.status_code == 302
    job_page = client.get(response["Location"])
    assert job_page.status_code == 200
    download = client.get(response["Location"] + "download/")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][0] == "Total"
    with in_tenant(tenant_a):
        assert Decimal(str(rows[-1][1])) == _net(dealers=[world.e1, world.e2])
    assert {row[0] for row in rows[1:-1]} == {"经销商 E-1", "经销商 E-2"}
    refused = client.post("/console/reports/exports/report/", {"spec": f"{spec}&dealer={world.s1.pk}",
                                                                "format": "xlsx"})
    assert refused.status_code == 400  # a dealer outside the region


def _queries(client, url: str) -> int:
    """The queries of a request, after one request that fills the host's cached tenant lookup."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_rows_page_costs_the_same_queries_for_3_or_30_lines(world, tenant_a, in_tenant):
    client = _browser(tenant_a, in_tenant, world.owner)
    url = f"/console/reports/sales/rows/?date_from=2026-03-01&date_to=2026-03-31&dealer={world.e2.pk}"
    with in_tenant(tenant_a):
        for _n in range(2):
            _order(world, world.e2, [(world.sku, 1)], date(2026, 3, 5))
    few = _queries(client, url)
    assert _read(client.get(url)).lines == 3
    with in_tenant(tenant_a):
        for _n in range(27):
            _order(world, world.e2, [(world.sku, 1)], date(2026, 3, 5))
    assert _read(client.get(url)).lines == 30
    assert _queries(client, url) == few


def test_the_analysis_costs_the_same_queries_for_1_or_10_dealers(store, tenant_a, in_tenant):
    with in_tenant(tenant_a):
        owner = UserFactory(email="owner-count@acme.test", role="owner")
        region = RegionFactory(parent=headquarters(), code="NORTH", name="华北")
        _order(store, store.dealer, [(store.sku, 1)], date(2026, 3, 5))
        rollups_refresh(full=True)
    client = _browser(tenant_a, in_tenant, owner)
    urls = [f"/console/reports/sales/?{PERIOD}&dims=dealer", f"/console/reports/sales/?{PERIOD}&dims=region,month"]
    assert len(_read(client.get(urls[0])).rows) == 2
    one = [_queries(client, url) for url in urls]
    with in_tenant(tenant_a):
        for n in range(9):
            dealer = _dealer(store, parent=region if n % 2 else headquarters(), code=f"N-{n}")
            _order(store, dealer, [(store.sku, 1), (store.water, 1)], date(2026, 3 + n % 4, 5))
        rollups_refresh(full=True)
    assert len(_read(client.get(urls[0])).rows) == 11
    assert [_queries(client, url) for url in urls] == one


def test_a_workspace_without_sales_shows_an_empty_report(tenant_b, in_tenant):
    with in_tenant(tenant_b):
        owner = UserFactory(email="owner-empty@globex.test", role="owner")
    client = host_client("globex.localhost", language="zh-hans")
    with in_tenant(tenant_b):
        client.force_login(owner)
    for url in ("/console/reports/sales/", "/console/reports/sales/?dims=region", "/console/reports/sales/rows/"):
        response = client.get(url)
        assert response.status_code == 200, url
    text = client.get("/console/reports/sales/?dims=dealer").content.decode()
    assert "此期间没有销售。" in text and "数据尚未计算。" in text
