"""Every page a role is shown, in both languages: it opens (no 5xx), every link on it opens for that role (no link
to a 403/404 or to the sign-in page), and every date input holds an ISO value that its form takes back unchanged.

The walk follows links (tests/crawl/crawler.py), so a new page is covered as soon as a page links to it. One run
lists every problem it met, each with the page that shows the link.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.conftest import host_client
from tests.crawl.conftest import ACCOUNTS
from tests.crawl.crawler import Crawl
from tests.factories import DEFAULT_PASSWORD

LANGUAGES = ["zh-hans", "en"]
# Which links a role is shown does not depend on the language: the second language opens fewer examples.
EXAMPLES = {"zh-hans": {"per_pattern": 3, "per_query": 1, "more_when_new": 4},
            "en": {"per_pattern": 1, "per_query": 0, "more_when_new": 1}}
ROLES = ["owner", "admin", "finance", "sales_rep", "warehouse", "regional_manager", "dealer_buyer"]
# The other roles, in the platform's default language only (the walk costs 1-6 s per role and language).
MORE_ROLES = ["analyst", "dealer_owner", "dealer_finance"]
WALKS = [(role, language) for role in ROLES for language in LANGUAGES] + [(role, "zh-hans") for role in MORE_ROLES]


def _signed_in(host: str, language: str, email: str):
    client = host_client(host, language)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, f"{email} could not sign in on {host}"
    return client


def _assert_clean(crawl: Crawl, label: str) -> None:
    print(crawl.summary(label))
    assert len(crawl.patterns) >= 3, f"{label}: the walk stopped at {crawl.start}: {crawl.problems}"
    assert not crawl.problems, f"{label}: {len(crawl.problems)} problems\n" + "\n".join(crawl.problems)


@pytest.mark.parametrize(("role", "language"), WALKS)
def test_every_page_a_brand_role_is_shown_opens_and_round_trips_its_dates(brand, db, role, language):
    client = _signed_in("acme.localhost", language, ACCOUNTS[role])
    crawl = Crawl(client=client, host="acme.localhost", urlconf=settings.ROOT_URLCONF, start="/", language=language,
                  **EXAMPLES[language]).run()
    _assert_clean(crawl, f"{role} ({language})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_the_operator_is_shown_opens_and_round_trips_its_dates(brand, db, language):
    client = _signed_in("localhost", language, "ops@platform.test")
    crawl = Crawl(client=client, host="localhost", urlconf=settings.PUBLIC_SCHEMA_URLCONF, start="/operator/",
                  language=language, **EXAMPLES[language]).run()
    _assert_clean(crawl, f"operator ({language})")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("host", "start"), [("localhost", "/"), ("acme.localhost", "/")])
def test_every_page_a_visitor_who_is_not_signed_in_is_shown_opens(brand, db, host, start, language):
    client = host_client(host, language)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    urlconf = settings.PUBLIC_SCHEMA_URLCONF if host == "localhost" else settings.ROOT_URLCONF
    crawl = Crawl(client=client, host=host, urlconf=urlconf, start=start, language=language, signed_in=False,
                  **EXAMPLES[language]).run()
    _assert_clean(crawl, f"visitor on {host} ({language})")
