from django.urls import path

from tenant_apps.promotions import views

app_name = "promotions_console"

urlpatterns = [
    path("", views.promotion_list, name="list"),
    path("new/", views.promotion_new, name="new"),
    path("<int:promotion_id>/", views.promotion_detail, name="detail"),
    path("<int:promotion_id>/edit/", views.promotion_edit, name="edit"),
    path("<int:promotion_id>/publish/", views.promotion_transition, {"to": "publish"}, name="publish"),
    path("<int:promotion_id>/unpublish/", views.promotion_transition, {"to": "unpublish"}, name="unpublish"),
    path("<int:promotion_id>/coupons/", views.coupon_add, name="coupons"),
]
