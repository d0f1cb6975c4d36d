from django.urls import path

from calculator import views

app_name = "calculator"

urlpatterns = [
    path("", views.home, name="home"),
    path("orders/", views.order_list, name="order-list"),
    path("orders/new/", views.order_new, name="order-new"),
    path("orders/new/preview/", views.order_preview, name="order-preview"),
    path("orders/new/concentration/", views.product_concentration, name="product-concentration"),
    path("orders/<int:pk>/", views.order_detail, name="order-detail"),
    path("orders/<int:pk>/verify/", views.order_verify, name="order-verify"),
    path("orders/<int:pk>/bill/", views.order_bill, name="order-bill"),
    path("orders/<int:pk>/void/", views.order_void, name="order-void"),
]
