"""Read queries on the catalog: the engine's view of the database (products, HCPCS descriptor
units, billing profiles, as the `engine.Catalog` protocol) and product search."""

from __future__ import annotations

from django.db.models import Q

from calculator.domain.billing import BillingPolicy, CodeDates
from calculator.engine import Product
from calculator.models import BillingProfile, DrugProduct, HcpcsCode


def product_info(product: DrugProduct) -> Product:
    """Return what the engine needs of a catalog product, as text it parses like user input."""
    code = product.hcpcs
    return Product(
        ndc=product.ndc,
        name=product.name,
        concentration=product.concentration,
        ndc_unit=product.ndc_unit,
        hcpcs=code.code if code else "",
        hcpcs_unit=code.billing_unit if code else "",
        package_volume=product.package_volume,
        typical_daily_dose_low=product.typical_daily_dose_low,
        typical_daily_dose_high=product.typical_daily_dose_high,
        max_daily_dose=product.max_daily_dose,
        product_id=product.pk,
        preservative_free=product.preservative_free,
    )


class DatabaseCatalog:
    """The `engine.Catalog` backed by the models; inactive products and profiles are not found."""

    def product(self, ndc11: str) -> Product | None:
        found = DrugProduct.objects.select_related("hcpcs").filter(ndc=ndc11, active=True).first()
        return product_info(found) if found else None

    def products_among(self, ndc11s: tuple[str, ...]) -> list[Product]:
        found = DrugProduct.objects.select_related("hcpcs").filter(ndc__in=ndc11s, active=True)
        return [product_info(product) for product in found]

    def hcpcs_unit(self, code: str) -> str | None:
        found = HcpcsCode.objects.filter(code=code).first()
        return found.billing_unit or None if found else None

    def code_dates(self, codes: frozenset[str]) -> dict[str, CodeDates]:
        return {
            code.code: code.dates()
            for code in HcpcsCode.objects.filter(code__in=codes).only(
                "code", "effective", "terminated", "replacement"
            )
        }

    def lookalike(self, fragment: str) -> Product | None:
        """Return an active product of the look-alike partner (morphine <-> hydromorphone)."""
        found = DrugProduct.objects.select_related("hcpcs").filter(
            name__icontains=fragment, active=True
        )
        if fragment == "morphine":
            found = found.exclude(name__icontains="hydromorphone")
        product = found.exclude(typical_daily_dose_high="").order_by("preservative_free", "pk")
        first = product.first()
        return product_info(first) if first else None

    def policy(self, name: str) -> BillingPolicy | None:
        found = BillingProfile.objects.filter(name__iexact=name, active=True).first()
        return found.to_policy() if found else None


def product_search(term: str, *, limit: int) -> list[DrugProduct]:
    """Return at most `limit` active products whose name holds `term`, or whose NDC holds its
    digits ("0074-1133" finds 00074-1133-03); all active products when `term` is blank."""
    products = DrugProduct.objects.filter(active=True).select_related("hcpcs")
    term = term.strip()
    if term:
        match = Q(name__icontains=term)
        digits = term.replace("-", "")
        if digits.isdigit():
            match |= Q(ndc__contains=digits)
        products = products.filter(match)
    return list(products[:limit])
