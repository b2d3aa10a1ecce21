from django.urls import path

from tenant_apps.ordering import views_console as views

app_name = "orders_console"

urlpatterns = [
    path("", views.board, name="board"),
    path("settings/", views.settings_page, name="settings"),
    path("for/", views.dealer_pick, name="for"),
    path("for/<int:dealer_id>/", views.order_pad, name="for-dealer"),
    path("views/", views.view_save, name="view-save"),
    path("views/<int:view_id>/delete/", views.view_delete, name="view-delete"),
    path("<int:order_id>/", views.detail, name="detail"),
    path("<int:order_id>/cancel/", views.cancel, name="cancel"),
    path("<int:order_id>/start-approval/", views.start_approval, name="start-approval"),
]
