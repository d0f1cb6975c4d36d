from django.shortcuts import render
from django.views.decorators.http import require_GET

from calculator.models import BillingProfile, DrugProduct


@require_GET
def home(request):
    """The front page: what the calculator does, the catalog and the billing profiles."""
    products = DrugProduct.objects.filter(active=True).select_related("hcpcs")
    profiles = BillingProfile.objects.filter(active=True)
    return render(request, "calculator/home.html", {"products": products, "profiles": profiles})
