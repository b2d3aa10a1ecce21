"""URLs of a brand's host (the tenant's schema): storefront, console, API."""

from django.urls import path

from dms.urls_common import urlpatterns as common
from tenant_apps.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    *common,
]
