"""REST API of recommendations, mounted at /api/v1/."""

from django.urls import path

from tenant_apps.recommendations.api import views

urlpatterns = [
    path("recommendations/", views.RecommendationViewSet.as_view({"get": "list"}), name="recommendations"),
    path("recommendations/settings/",
         views.RecommendationSettingsViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
         name="recommendation-settings"),
]
