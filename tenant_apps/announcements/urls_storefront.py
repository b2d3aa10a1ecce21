from django.urls import path

from tenant_apps.announcements import views_storefront as views

app_name = "announcements"

urlpatterns = [
    path("", views.announcement_list, name="list"),
    path("<int:announcement_id>/", views.announcement_detail, name="detail"),
]

# Served at the root of a brand's host (urls_tenant mounts them under the namespace "pwa").
root_patterns = [
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("pwa/icon-<int:size>.png", views.icon, name="icon"),
    path("offline/", views.offline, name="offline"),
    path("push/subscription/", views.push_subscription, name="push-subscription"),
]
