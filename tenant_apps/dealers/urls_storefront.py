"""A dealer's own pages on the storefront, at /account/."""

from django.urls import path

from tenant_apps.dealers import views_storefront as views

app_name = "storefront"

urlpatterns = [
    path("", views.account, name="account"),
    path("company/", views.company, name="company"),
    path("addresses/", views.addresses, name="addresses"),
    path("files/qualifications/<int:qualification_id>/", views.qualification_file, name="qualification-file"),
]
