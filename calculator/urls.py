from django.urls import path

from calculator import summary_views, views, x12_views

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
    path("orders/<int:pk>/claim/", views.order_claim_details, name="order-claim-details"),
    path("orders/<int:pk>/reprice/", views.order_reprice, name="order-reprice"),
    path("claims/summary/", summary_views.claim_summary, name="claim-summary"),
    path("claims/summary.pdf", summary_views.claim_summary_pdf, name="claim-summary-pdf"),
    path("claims/summary.csv", summary_views.claim_summary_csv, name="claim-summary-csv"),
    path("claims/837p/", x12_views.claim_exports_page, name="claim-exports"),
    path("claims/837p/<int:pk>/", x12_views.claim_export_download, name="claim-export-download"),
]
