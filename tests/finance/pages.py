"""Helpers of the finance page tests: a browser on acme's host, signed in as a user."""

from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from tests.factories import DEFAULT_PASSWORD

HOST = "acme.localhost"


class Browser(Client):
    """A browser on acme's host that chose a language (the cookie beats the user's own). The tenant routing ends
    every request on the public schema; this puts the test's connection back where it was."""

    def __init__(self, language: str = "en", **kwargs):
        super().__init__(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE=language, **kwargs)
        self.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language

    def request(self, **request):
        schema = connection.schema_name
        try:
            return super().request(**request)
        finally:
            connection.set_schema(schema)


def signed_in(user, language: str = "en") -> Browser:
    client = Browser(language)
    response = client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, f"{user.email} could not sign in"
    client.user = user
    return client
