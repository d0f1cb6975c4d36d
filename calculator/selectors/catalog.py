"""Read queries on the catalog: the engine's view of the database (products, HCPCS descriptor
units, billing profiles, as the `engine.Catalog` protocol) and product search."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from decimal import Decimal
from types import MappingProxyType
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Case, IntegerField, Model, Q, Value, When

from calculator.domain import ndc
from calculator.domain.billing import BillingPolicy, CodeDates
from calculator.domain.text import storable
from calculator.engine import Product
from calculator.models import BillingProfile, DrugProduct, HcpcsCode, PriceListEntry, versions
from calculator.models.versions import VersionedMemo


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
        labeler=product.labeler,
        single_dose=product.single_dose,
        beyond_use_days=product.beyond_use_days,
        storage=product.storage,
        dea_schedule=product.dea_schedule,
    )


class DatabaseCatalog:
    """The `engine.Catalog` backed by the models; inactive products and profiles are not found.

    Made once per calculation: it reads the catalog stamp once (the request's, see
    `models.versions`), and each answer comes from the worker's memo for that stamp, or from the
    database the first time it is asked (then kept). The answers are immutable (frozen
    `Product`s and `BillingPolicy`s, tuples), so requests can share them."""

    def __init__(self) -> None:
        self._memo = _CATALOG_MEMO.for_stamp(versions.current().catalog)

    def _remember(self, key: tuple[Any, ...], load: Callable[[], Any]) -> Any:
        try:
            return self._memo[key]
        except KeyError:
            found = self._memo[key] = load()
            return found

    def product(self, ndc11: str) -> Product | None:
        return self._remember(("product", ndc11), lambda: _product(ndc11))

    def products_among(self, ndc11s: tuple[str, ...]) -> list[Product]:
        return list(self._remember(("among", ndc11s), lambda: _products_among(ndc11s)))

    def hcpcs_unit(self, code: str) -> str | None:
        return self._remember(("hcpcs_unit", code), lambda: _hcpcs_unit(code))

    def code_dates(self, codes: frozenset[str]) -> dict[str, CodeDates]:
        return dict(self._remember(("code_dates", codes), lambda: _code_dates(codes)))

    def lookalike(self, fragment: str) -> Product | None:
        """Return an active product of the look-alike partner (morphine <-> hydromorphone)."""
        return self._remember(("lookalike", fragment), lambda: _lookalike(fragment))

    def policy(self, name: str) -> BillingPolicy | None:
        return self._remember(("policy", name), lambda: _policy(name))

    def prices(self, profile_id: int) -> dict[tuple[str, str], Decimal]:
        """Return a profile's price list keyed by (code, NDC or "")."""
        return dict(self._remember(("prices", profile_id), lambda: _prices(profile_id)))


_CATALOG_MEMO = VersionedMemo()
ModelT = TypeVar("ModelT", bound=Model)


def active_product(pk: object) -> DrugProduct | None:
    """Return the active product with this primary key (None for none, or for a key that is not
    a whole number), with its HCPCS code, through the catalog memo: a fresh instance each call,
    so a caller may change it without touching the memo."""
    key = str(pk).strip()
    if not (key.isascii() and key.isdigit() and len(key) <= 18):
        return None
    memo = _CATALOG_MEMO.for_stamp(versions.current().catalog)
    if ("product_row", key) not in memo:
        found = DrugProduct.objects.select_related("hcpcs").filter(pk=key, active=True).first()
        memo[("product_row", key)] = _row(found), _row(found.hcpcs if found else None)
    product_row, code_row = memo[("product_row", key)]
    product = _instance(DrugProduct, product_row)
    if product is not None:
        product.hcpcs = _instance(HcpcsCode, code_row)
    return product


def active_profile(name: str) -> BillingProfile | None:
    """Return the active billing profile of this exact name (None for none), through the catalog
    memo: a fresh instance each call."""
    if not storable(name):  # no stored name holds NUL or a lone surrogate (PostgreSQL refuses)
        return None
    memo = _CATALOG_MEMO.for_stamp(versions.current().catalog)
    if ("profile_row", name) not in memo:
        found = BillingProfile.objects.filter(name=name, active=True).first()
        memo[("profile_row", name)] = _row(found)
    return _instance(BillingProfile, memo[("profile_row", name)])


def _row(instance: Model | None) -> tuple[Any, ...] | None:
    """Return a model instance's field values (immutable, to keep in a memo), or None."""
    if instance is None:
        return None
    return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)


def _instance(model: type[ModelT], row: tuple[Any, ...] | None) -> ModelT | None:
    """Return a fresh instance of `model` from a `_row`, as if just loaded from the database."""
    if row is None:
        return None
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(DEFAULT_DB_ALIAS, names, row)


def _product(ndc11: str) -> Product | None:
    found = DrugProduct.objects.select_related("hcpcs").filter(ndc=ndc11, active=True).first()
    return product_info(found) if found else None


def _products_among(ndc11s: tuple[str, ...]) -> tuple[Product, ...]:
    found = DrugProduct.objects.select_related("hcpcs").filter(ndc__in=ndc11s, active=True)
    return tuple(product_info(product) for product in found)


def _hcpcs_unit(code: str) -> str | None:
    found = HcpcsCode.objects.filter(code=code).first()
    return found.billing_unit or None if found else None


def _code_dates(codes: frozenset[str]) -> MappingProxyType[str, CodeDates]:
    return MappingProxyType(
        {
            code.code: code.dates()
            for code in HcpcsCode.objects.filter(code__in=codes).only(
                "code", "effective", "terminated", "replacement"
            )
        }
    )


def _lookalike(fragment: str) -> Product | None:
    found = DrugProduct.objects.select_related("hcpcs").filter(
        name__icontains=fragment, active=True
    )
    if fragment == "morphine":
        found = found.exclude(name__icontains="hydromorphone")
    product = found.exclude(typical_daily_dose_high="").order_by("preservative_free", "pk")
    first = product.first()
    return product_info(first) if first else None


def _policy(name: str) -> BillingPolicy | None:
    if not storable(name):  # no stored name holds NUL or a lone surrogate (PostgreSQL refuses)
        return None
    found = BillingProfile.objects.filter(name__iexact=name, active=True).first()
    return found.to_policy() if found else None


def _prices(profile_id: int) -> MappingProxyType[tuple[str, str], Decimal]:
    entries = PriceListEntry.objects.filter(profile_id=profile_id)
    return MappingProxyType({(entry.code, entry.ndc): entry.unit_price for entry in entries})


class SearchTermError(ValueError):
    """A search term that is refused (control characters, too long); `str()` says why."""


MAX_TERM_LENGTH = 100  # characters; a name, labeler or NDC is far shorter
MAX_TERM_WORDS = 6
MIN_TERM_LENGTH = 2  # what the combobox waits for; the API answers shorter terms too


def search_terms(term: str) -> tuple[str, list[str]]:
    """Return the term trimmed and its words, or raise SearchTermError: over MAX_TERM_LENGTH
    characters, or holding control characters, lone surrogates or other unassigned or private
    code points (NUL, escapes). LIKE wildcards (% _) stay plain characters: Django escapes
    them in icontains."""
    if len(term) > MAX_TERM_LENGTH:
        raise SearchTermError(f"a search term is at most {MAX_TERM_LENGTH} characters")
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in term):
        raise SearchTermError("a search term cannot hold control characters")
    trimmed = " ".join(term.split())
    return trimmed, trimmed.split(" ")[:MAX_TERM_WORDS] if trimmed else []


_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn"})


def ndc_readings(term: str) -> tuple[str, ...]:
    """Return the 11-digit NDCs a term names exactly, in any label or claim form
    ("00074-1133-03", "0074-1133-03", "00074113303", "0074113303"), or () for other text."""
    try:
        return (ndc.normalize_ndc(term),)
    except ndc.AmbiguousNdc as ambiguous:
        return ambiguous.candidates
    except ndc.NdcError:
        return ()


def product_search(term: str, *, limit: int) -> list[DrugProduct]:
    """Return at most `limit` active products matching `term`, best first; all active products
    (by name) when `term` is blank. Raises SearchTermError for a refused term.

    Every word of the term must be in the name, the labeler, the labelled strength, or (digits
    and hyphens) the NDC: "morph 25" finds morphine sulfate 25 mg/mL, "0074-1133" its NDC.
    Ranked: an exact NDC in any of its forms, then names starting with the term, then names
    starting with its first word, then the rest; ties by name, then NDC. One query.
    """
    trimmed, words = search_terms(term)
    products = DrugProduct.objects.filter(active=True).select_related("hcpcs")
    if not words:
        return list(products.order_by("name", "ndc")[:limit])
    exact = ndc_readings(trimmed)
    match = Q()
    for word in words:
        word_match = (
            Q(name__icontains=word) | Q(labeler__icontains=word) | Q(concentration__icontains=word)
        )
        digits = word.replace("-", "")
        if digits.isdigit() and digits.isascii():
            word_match |= Q(ndc__contains=digits)
        match &= word_match
    if exact:
        match |= Q(ndc__in=exact)
    exact_first = [When(ndc__in=exact, then=Value(0))] if exact else []
    rank = Case(
        *exact_first,
        When(name__istartswith=trimmed, then=Value(1)),
        When(name__istartswith=words[0], then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    found = products.filter(match).annotate(rank=rank).order_by("rank", "name", "ndc")
    return list(found[:limit])
