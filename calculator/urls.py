"""The page URLs (namespace `calculator`): orders, the claim summary and 837P files."""

from django.urls import path

from calculator.web.views import claim_files, claim_summary, orders

app_name = "calculator"

urlpatterns = [
    path("", orders.home, name="home"),
    path("orders/", orders.order_list, name="order-list"),
    path("orders/new/", orders.order_new, name="order-new"),
    path("orders/new/preview/", orders.order_preview, name="order-preview"),
    path("orders/new/concentration/", orders.product_concentration, name="product-concentration"),
    path("orders/new/products/", orders.product_options, name="product-options"),
    path("orders/<int:pk>/", orders.order_detail, name="order-detail"),
    path("orders/<int:pk>/verify/", orders.order_verify, name="order-verify"),
    path("orders/<int:pk>/bill/", orders.order_bill, name="order-bill"),
    path("orders/<int:pk>/void/", orders.order_void, name="order-void"),
    path("orders/<int:pk>/claim/", orders.order_claim_details, name="order-claim-details"),
    path("orders/<int:pk>/reprice/", orders.order_reprice, name="order-reprice"),
    # Dispensing prints: the compounding worksheet and the labels, each a page and a PDF.
    path(
        "orders/<int:pk>/worksheet/",
        orders.order_dispensing_print,
        {"kind": "worksheet"},
        name="order-worksheet",
    ),
    path(
        "orders/<int:pk>/worksheet.pdf",
        orders.order_dispensing_pdf,
        {"kind": "worksheet"},
        name="order-worksheet-pdf",
    ),
    path(
        "orders/<int:pk>/labels/",
        orders.order_dispensing_print,
        {"kind": "labels"},
        name="order-labels",
    ),
    path(
        "orders/<int:pk>/labels.pdf",
        orders.order_dispensing_pdf,
        {"kind": "labels"},
        name="order-labels-pdf",
    ),
    path("claims/summary/", claim_summary.claim_summary, name="claim-summary"),
    path("claims/summary.pdf", claim_summary.claim_summary_pdf, name="claim-summary-pdf"),
    path("claims/summary.csv", claim_summary.claim_summary_csv, name="claim-summary-csv"),
    path("claims/837p/", claim_files.claim_exports_page, name="claim-exports"),
    path("claims/837p/<int:pk>/", claim_files.claim_export_download, name="claim-export-download"),
]
