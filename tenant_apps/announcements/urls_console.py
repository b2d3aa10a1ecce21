from django.urls import path

from tenant_apps.announcements import views_console as views

app_name = "announcements_console"

urlpatterns = [
    path("", views.announcement_list, name="list"),
    path("new/", views.announcement_new, name="new"),
    path("<int:announcement_id>/", views.announcement_detail, name="detail"),
    path("<int:announcement_id>/edit/", views.announcement_edit, name="edit"),
    path("<int:announcement_id>/publish/", views.announcement_transition, {"to": "publish"}, name="publish"),
    path("<int:announcement_id>/withdraw/", views.announcement_transition, {"to": "withdraw"}, name="withdraw"),
]
