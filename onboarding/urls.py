from django.urls import path

from onboarding import api, views

app_name = "onboarding"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/slug/", views.slug_check, name="slug-check"),
    path("find/", views.find_workspace, name="find"),
    path("api/v1/signup/", api.signup, name="api-signup"),
    path("api/v1/signup/check-slug/", api.slug_check, name="api-slug-check"),
]
