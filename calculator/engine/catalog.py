"""The Catalog protocol: what the engine asks of the drug catalog and the saved billing
profiles (the database side fulfils it in `selectors.catalog`), and `EmptyCatalog` for tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from calculator.domain import billing
from calculator.domain.billing import (
    BillingPolicy,
    CodeDates,
)
from calculator.domain.safety import (
    DoseLimits,
    limits_from_catalog,
)


@dataclass(frozen=True)
class Product:
    """What the catalog knows of a product, as text the engine parses like user input."""

    ndc: str
    name: str
    concentration: str
    ndc_unit: str = "ML"
    hcpcs: str = ""
    hcpcs_unit: str = ""
    package_volume: str = ""
    typical_daily_dose_low: str = ""
    typical_daily_dose_high: str = ""
    max_daily_dose: str = ""
    product_id: int | None = None
    preservative_free: bool = False
    labeler: str = ""
    single_dose: bool = False
    # Dispensing defaults (SPEC 10): beyond-use days an order may lower, storage, DEA schedule.
    beyond_use_days: int | None = None
    storage: str = ""
    dea_schedule: str = ""

    def limits(self) -> DoseLimits:
        return limits_from_catalog(
            self.name,
            self.typical_daily_dose_low,
            self.typical_daily_dose_high,
            self.max_daily_dose,
        )


class Catalog(Protocol):
    def product(self, ndc11: str) -> Product | None: ...

    def products_among(self, ndc11s: tuple[str, ...]) -> list[Product]: ...

    def hcpcs_unit(self, code: str) -> str | None: ...

    def code_dates(self, codes: frozenset[str]) -> dict[str, CodeDates]:
        """Return the known validity dates of these codes (a code not known is left out)."""
        ...

    def policy(self, name: str) -> BillingPolicy | None: ...

    def lookalike(self, fragment: str) -> Product | None: ...


class EmptyCatalog:
    """A catalog that knows nothing but the shipped profiles (for tests and the bench)."""

    def product(self, ndc11: str) -> Product | None:
        return None

    def products_among(self, ndc11s: tuple[str, ...]) -> list[Product]:
        return []

    def hcpcs_unit(self, code: str) -> str | None:
        return None

    def code_dates(self, codes: frozenset[str]) -> dict[str, CodeDates]:
        return {}

    def policy(self, name: str) -> BillingPolicy | None:
        return billing.SHIPPED_POLICIES.get(name)

    def lookalike(self, fragment: str) -> Product | None:
        return None
