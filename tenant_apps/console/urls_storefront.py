from django.urls import path

from tenant_apps.console import views_storefront as views
from tenant_apps.console.supplier_pages import promotions as views_supplier
from tenant_apps.console.supplier_pages import receivables as views_supplier_finance

app_name = "catalog"

urlpatterns = [
    path("", views.catalog_home, name="home"),
    path("products/<int:product_id>/", views.product_page, name="product"),
]


# The supplier console (S2B2B), mounted at /supplier/ under the name space "supplier" by the tenant URLconf.
supplier_patterns = [
    path("", views.supplier_orders_page, name="orders"),
    path("orders/<int:order_id>/", views.supplier_order_page, name="order"),
    path("dealers/", views.supplier_dealers_page, name="dealers"),
    path("dealers/<int:dealer_id>/", views.supplier_dealer_page, name="dealer"),
    path("prices/", views.supplier_price_lists_page, name="price-lists"),
    path("prices/<int:list_id>/", views.supplier_price_list_page, name="price-list"),
    path("promotions/", views_supplier.supplier_promotions_page, name="promotions"),
    path("promotions/new/", views_supplier.supplier_promotion_new, name="promotion-new"),
    path("promotions/<int:promotion_id>/", views_supplier.supplier_promotion_page, name="promotion"),
    path("promotions/<int:promotion_id>/publish/", views_supplier.supplier_promotion_transition, {"to": "publish"},
         name="promotion-publish"),
    path("promotions/<int:promotion_id>/unpublish/", views_supplier.supplier_promotion_transition,
         {"to": "unpublish"}, name="promotion-unpublish"),
    path("stock/", views.supplier_warehouses_page, name="warehouses"),
    path("stock/<int:warehouse_id>/", views.supplier_warehouse_page, name="warehouse"),
    path("receivables/", views_supplier_finance.supplier_receivables_page, name="receivables"),
    path("receivables/<int:dealer_id>/", views_supplier_finance.supplier_receivable_page, name="receivable"),
    path("demand/", views.supplier_demand_page, name="demand"),
]
