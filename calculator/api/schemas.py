"""The request and response schemas of the API (they document it in /api/v1/openapi.json).

The request schemas are deliberately permissive where the engine reads strictly (a rate is any
text), so the engine's own field messages come back."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import (
    BaseModel,
    ConfigDict,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema

from calculator.domain import billing
from calculator.domain.dispensing import MAX_BEYOND_USE_DAYS
from calculator.domain.dosing import (
    MAX_DRUGS_PER_ORDER,
    MAX_RATE_CHANGES,
    Route,
    Therapy,
)

# --- Request schemas ---------------------------------------------------------------------------


class Strict(BaseModel):
    """A request object: unknown fields refused. A plain pydantic model, not ninja's Schema,
    which reads each object through its attribute getter and, with `extra="forbid"`, validates
    it twice: over ten times the cost of validating a calculate's body (docs/api.md)."""

    model_config = ConfigDict(extra="forbid")


# The engine reads these strictly and names the field in its message, with an example, so the
# schema lets any text (or number) through; the choices and required fields it documents are
# enforced by the engine. `SkipJsonSchema[None]` keeps null out of the documented types where
# the engine refuses it, while leaving the engine to say so.
Text = StrictStr | SkipJsonSchema[None]


def choices(*values: str) -> dict[str, Any]:
    return {"enum": list(values)}


class RateChangeIn(Strict):
    """From this date on, this rate (and, when given, a new bolus)."""

    model_config = ConfigDict(
        extra="forbid",
        serialize_by_alias=True,
        json_schema_extra={"required": ["from", "rate"]},
    )

    from_: Text = Field(
        None,
        alias="from",
        description="YYYY-MM-DD, inside the period, after its first day; changes in date order",
        examples=["2026-01-11"],
    )
    rate: Text = Field(None, examples=["7 mg/hr"])
    bolus: StrictStr | None = Field(None, examples=["1 mg"])
    boluses_per_day: StrictInt | StrictStr | None = Field(None, examples=[4])


class DrugIn(Strict):
    """One drug; a catalog product (by NDC) fills in what is left out."""

    model_config = ConfigDict(json_schema_extra={"required": ["ndc", "rate"]})

    name: StrictStr | None = Field(None, examples=["Morphine sulfate"])
    ndc: Text = Field(
        None, description="10 digits hyphenated, or 11 digits", examples=["00074-1133-03"]
    )
    rate: Text = Field(
        None,
        description="Dose rate: an amount per time, or per kg per time",
        examples=["5 mg/hr"],
    )
    concentration: StrictStr | None = Field(
        None, description="Default: the product's labelled one", examples=["25 mg/mL"]
    )
    hcpcs: StrictStr | None = Field(None, examples=["J2270"])
    hcpcs_unit: StrictStr | None = Field(
        None, description="The code's descriptor unit", examples=["10 mg"]
    )
    ndc_unit: Text = Field(
        None,
        description="Default: the product's",
        examples=["ML"],
        json_schema_extra=choices(*billing.NDC_UNITS),
    )
    package_volume: StrictStr | None = Field(None, examples=["30 mL"])
    bolus: StrictStr | None = Field(None, description="PCA bolus dose", examples=["1 mg"])
    boluses_per_day: StrictInt | StrictStr | None = Field(None, examples=[4])
    lockout: StrictStr | None = Field(
        None,
        description="PCA lockout: the shortest time between two boluses (at most 24 hr)",
        examples=["10 min"],
    )
    weight: StrictStr | None = Field(None, examples=["70 kg"])
    compounded: StrictBool = Field(
        False, description="The concentration differs from the label on purpose"
    )
    route: Text = Field(
        None,
        description="Optional. Epidural or intrathecal use of a preservative-free morphine "
        "product bills J2274 instead of J2270",
        json_schema_extra=choices(*Route),
    )
    rate_changes: list[RateChangeIn] | None = Field(
        None,
        description="Dose changes inside the period (needs start and end dates)",
        json_schema_extra={"maxItems": MAX_RATE_CHANGES},
    )
    # The dispensing part (optional): what the pharmacist fills and sends.
    reservoir_volume: StrictStr | None = Field(
        None, description="The cassette or bag each reservoir is filled in", examples=["100 mL"]
    )
    priming_volume: StrictStr | None = Field(
        None, description="Used per reservoir to prime the tubing (default 0 mL)", examples=["5 mL"]
    )
    beyond_use_days: StrictInt | StrictStr | None = Field(
        None,
        description=f"Whole days, 1 to {MAX_BEYOND_USE_DAYS}, as the pharmacist assigns them "
        "(the app never invents a beyond-use date)",
        examples=[14],
    )
    stock_ndc: StrictStr | None = Field(
        None,
        description="The catalog product a compounded reservoir is made from",
        examples=["00641-6040-25"],
    )
    single_dose: StrictBool | SkipJsonSchema[None] = Field(
        None,
        description="Medicare DME: the product comes in single-dose containers (JZ/JW); "
        "default: the catalog product's",
    )
    discarded: StrictStr | None = Field(
        None,
        description="Medicare DME: the drug discarded from single-dose containers, billed on "
        "a JW line",
        examples=["280 mg"],
    )


class PumpIn(Strict):
    """The external infusion pump of a Medicare DME order."""

    model_config = ConfigDict(json_schema_extra={"required": ["code", "rental_month"]})

    code: Text = Field(None, json_schema_extra=choices(*billing.PUMP_CODES))
    rental_month: StrictInt | StrictStr | SkipJsonSchema[None] = Field(
        None, description="The rental month this order bills (1 = KH)", examples=[1]
    )


class PolicyIn(Strict):
    """Settings that override the named profile for this request (default: the profile's)."""

    per_diem_coding: Text = Field(None, json_schema_extra=choices(*billing.PerDiemCoding))
    drug_coding: Text = Field(None, json_schema_extra=choices(*billing.DrugCoding))
    unlisted_unit_basis: Text = Field(None, json_schema_extra=choices("ML", "NDC"))
    rounding: Text = Field(None, json_schema_extra=choices(*billing.Rounding))
    rounding_scope: Text = Field(None, json_schema_extra=choices(*billing.RoundingScope))
    month_lines: StrictBool | SkipJsonSchema[None] = Field(
        None, description="One per-diem and drug line per calendar month"
    )
    place_of_service: Text = Field(None, description="Two digits", examples=["12"])
    kind: Text = Field(None, json_schema_extra=choices(*billing.PolicyKind))
    capped_rental: StrictBool | SkipJsonSchema[None] = Field(
        None, description="Medicare DME: KH/KI/KJ after RR on the pump line"
    )
    a4221_weeks: Text = Field(None, json_schema_extra=choices(*billing.WeekCounting))
    jz_from: StrictStr | None = Field(None, description="YYYY-MM-DD; null: never")
    jw_from: StrictStr | None = Field(None, description="YYYY-MM-DD; null: never")
    max_months_per_line: StrictInt | SkipJsonSchema[None] = Field(
        None, json_schema_extra=choices(*map(str, billing.MONTHS_PER_LINE_CHOICES))
    )
    ndc_quantity_basis: Text = Field(
        None,
        description="The NDC quantity as administered (default) or as dispensed",
        json_schema_extra=choices(*billing.NdcQuantityBasis),
    )


class NursingVisitIn(Strict):
    model_config = ConfigDict(json_schema_extra={"required": ["duration"]})

    date: StrictStr | None = Field(None, examples=["2026-01-02"])
    duration: Text = Field(None, examples=["3.5 h"])


class CalculateIn(Strict):
    """An order as the engine reads it (the same JSON as `manage.py calculate --input`)."""

    model_config = ConfigDict(json_schema_extra={"required": ["drugs"]})

    profile: StrictStr | None = Field(
        None, description="Billing profile name (default STANDARD)", examples=["HMSA"]
    )
    policy: PolicyIn | None = None
    therapy: Text = Field(
        None,
        description="Default: continuous at 24 hours a day, else intermittent",
        json_schema_extra=choices(*Therapy),
    )
    hours_per_day: StrictStr | StrictInt | StrictFloat | SkipJsonSchema[None] = Field(
        None, description="More than 0, at most 24 (default 24)", examples=["24"]
    )
    start: StrictStr | None = Field(None, description="YYYY-MM-DD", examples=["2026-01-01"])
    end: StrictStr | None = Field(
        None, description="YYYY-MM-DD, inclusive", examples=["2026-01-31"]
    )
    days: StrictInt | StrictStr | StrictFloat | None = Field(
        None, description="Days of service, when no start and end are given", examples=[31]
    )
    drugs: list[DrugIn] | SkipJsonSchema[None] = Field(
        None,
        description=f"One to {MAX_DRUGS_PER_ORDER} drugs",
        json_schema_extra={"minItems": 1, "maxItems": MAX_DRUGS_PER_ORDER},
    )
    nursing_visits: list[StrictStr | NursingVisitIn] | None = Field(
        None, description='Visit lengths, e.g. "3.5 h" or "2026-01-02 2 h"'
    )
    coverage_modifier: Text = Field(
        None,
        description="Medicare DME: the coverage modifier after KD",
        json_schema_extra=choices(*billing.CoverageModifier),
    )
    pump: PumpIn | None = None
    delivery_date: StrictStr | None = Field(
        None, description="Medicare DME: the first span date (default: start)"
    )
    secondary_profile: StrictStr | None = Field(
        None,
        description="A per-diem profile whose lines are computed for the secondary claim "
        "(Medicare DME orders)",
        examples=["HMSA"],
    )
    # Read only when saving; a calculation accepts them so an order can be previewed as it is.
    patient_reference: StrictStr | None = Field(
        None,
        description="The patient's number, never a full name (a number not on file yet adds "
        "a patient record)",
        examples=["ACC-1"],
    )
    acknowledged: list[StrictStr] | None = Field(
        None, description="Ids of the warnings that need acknowledging"
    )


class PatientIn(Strict):
    """The patient (the subscriber) as the claim names them; checked as the claim-details page
    checks them."""

    last_name: StrictStr | None = Field(None, max_length=60, examples=["Kealoha"])
    first_name: StrictStr | None = Field(None, max_length=35, examples=["Leilani"])
    birth_date: StrictStr | None = Field(None, description="YYYY-MM-DD", examples=["1958-04-12"])
    sex: StrictStr | None = Field(None, description="F, M or U (unknown)", examples=["F"])
    address: StrictStr | None = Field(None, max_length=55, examples=["45-123 Kamehameha Hwy"])
    city: StrictStr | None = Field(None, max_length=30, examples=["Kaneohe"])
    state: StrictStr | None = Field(None, description="Two letters", examples=["HI"])
    zip: StrictStr | None = Field(None, description="5 digits or ZIP+4", examples=["96744"])


class DiagnosisIn(Strict):
    code: StrictStr = Field(description="ICD-10-CM, with or without the dot", examples=["G89.3"])
    pointer: StrictInt | None = Field(
        None,
        description=(
            "The code's number on the claim, from 1 to the number of codes sent: 1 is the "
            "principal diagnosis (HI ABK), the others follow in pointer order (HI ABF). Every "
            "service line points at diagnoses 1 to 4 (SV107). Default: its place in the list"
        ),
        examples=[1],
    )


class AuthorizationIn(Strict):
    number: StrictStr | None = Field(None, max_length=30, examples=["AUTH-2026-0042"])
    code: StrictStr | None = Field(
        None, description="The code authorized (blank: the per-diem code)", examples=["S9325"]
    )
    units: StrictInt | None = Field(None, description="Units authorized", examples=[31])
    start: StrictStr | None = Field(None, description="YYYY-MM-DD", examples=["2026-01-01"])
    end: StrictStr | None = Field(None, description="YYYY-MM-DD", examples=["2026-01-31"])


class ClaimDetailsIn(Strict):
    """What an 837P needs beyond the order: the payer (by its electronic payer ID), the member,
    the patient, the diagnosis and an authorization. Validated exactly as the claim-details page
    validates them; in a PATCH only the fields sent change."""

    payer_id: StrictStr | None = Field(
        None, description="The payer's electronic ID (an active payer)", examples=["990040115"]
    )
    member_id: StrictStr | None = Field(None, max_length=30, examples=["XHM123456789"])
    patient: PatientIn | None = None
    diagnosis_codes: list[DiagnosisIn] | None = Field(
        None,
        description=(
            "ICD-10-CM codes with their pointers, at most 12 and none twice; sending the list "
            "replaces the order's codes (an empty list clears them)"
        ),
    )
    authorization: AuthorizationIn | None = None


class OrderIn(CalculateIn):
    """An order to save: the calculation request, whom it is for and the warnings acknowledged."""

    model_config = ConfigDict(
        json_schema_extra={"required": ["patient_reference", "start", "end", "drugs"]}
    )

    claim: ClaimDetailsIn | None = Field(
        None, description="Claim details, saved with the order (or nothing is saved)"
    )


class VerifyIn(Strict):
    confirm_own: StrictBool = Field(
        False, description="The pharmacist who entered the order confirms a re-check"
    )


class RenewIn(Strict):
    acknowledged: list[StrictStr] | None = Field(
        None, description="Ids of the new draft's warnings that need acknowledging"
    )


class VoidIn(Strict):
    reason: StrictStr | None = Field(None, examples=["entered twice"])


INPUT_FIELDS = {
    name
    for schema in (
        DrugIn,
        RateChangeIn,
        PumpIn,
        PolicyIn,
        NursingVisitIn,
        OrderIn,
        VerifyIn,
        VoidIn,
        RenewIn,
        PatientIn,
        DiagnosisIn,
        AuthorizationIn,
        ClaimDetailsIn,
    )
    for name in schema.model_fields
} | {"from", "to", "status", "page", "q"}


# --- Response schemas --------------------------------------------------------------------------


class QuantityOut(Schema):
    value: str = Field(examples=["4.8"])
    unit: str = Field(examples=["mL"])


class WarningOut(Schema):
    id: str
    field: str
    kind: str
    message: str
    needs_ack: bool


class LineOut(Schema):
    kind: Literal["per_diem", "drug", "nursing", "pump", "supply"]
    code: str
    modifiers: list[str]
    units: int
    ndc: str | None = None
    ndc_unit: str | None = None
    ndc_quantity: str | None = None
    supplemental: str | None = Field(None, examples=["N400074113303 ML148.8"])
    from_: date | None = Field(None, alias="from")
    to: date | None = None
    place_of_service: str
    description: str
    work: str


class ReservoirOut(Schema):
    number: int
    from_: date | int = Field(
        alias="from", description="Its first day: a date, or the day number when undated"
    )
    to: date | int
    days: int
    fill_volume: QuantityOut
    fill_date: date | int
    beyond_use_date: date | int | None = Field(description="Null without beyond-use days")


class StockOut(Schema):
    ndc: str
    name: str
    concentration: str
    package_volume: str


class WorksheetLineOut(Schema):
    reservoir: int
    fill_volume: QuantityOut
    stock_volume: QuantityOut
    diluent_volume: QuantityOut
    containers: int
    waste_volume: QuantityOut
    waste_amount: QuantityOut


class WorksheetOut(Schema):
    stock: StockOut
    concentration: str
    lines: list[WorksheetLineOut]
    stock_volume: QuantityOut
    diluent_volume: QuantityOut
    containers: int
    waste_volume: QuantityOut
    waste_amount: QuantityOut


class RateOut(Schema):
    from_: date = Field(alias="from", description="The first day of the run at this rate")
    rate: QuantityOut
    bolus_volume: QuantityOut | None


class DispensingOut(Schema):
    """The dispensing plan of a drug: without a reservoir only the rate and bolus volume."""

    rate: QuantityOut = Field(
        description="The pump's rate in mL/hr while infusing (a titrated drug's at the start)"
    )
    bolus_volume: QuantityOut | None
    lockout: QuantityOut | None = Field(None, description="The PCA lockout in minutes")
    rates: list[RateOut] | None = Field(
        None, description="A titrated drug's rate from each run's first day; null at one rate"
    )
    days_per_reservoir: int | None
    reservoirs: list[ReservoirOut]
    dispensed_volume: QuantityOut | None
    administered_volume: QuantityOut
    waste_volume: QuantityOut | None = Field(description="Dispensed - administered (priming)")
    worksheet: WorksheetOut | None
    steps: list[str]


class DrugOut(Schema):
    name: str
    ndc: str
    daily_dose: QuantityOut
    daily_volume: QuantityOut
    total_dose: QuantityOut
    total_volume: QuantityOut
    steps: list[str]
    dispensing: DispensingOut | None = None


class CalculationOut(Schema):
    profile: str
    drugs: list[DrugOut]
    lines: list[LineOut]
    warnings: list[WarningOut]
    secondary_profile: str | None = Field(None, description="When the order names one")
    secondary_lines: list[LineOut] | None = Field(
        None, description="The secondary profile's lines, when the order names one"
    )


class OrderDrugOut(DrugOut):
    position: int
    product: int | None
    rate: str
    concentration: str
    labelled_concentration: str
    compounded: bool
    bolus: str
    boluses_per_day: int
    lockout: str
    weight: str
    hcpcs: str
    hcpcs_unit: str
    ndc_unit: str
    package_volume: str


class OrderLineOut(LineOut):
    unit_price: str | None = Field(None, description="From the profile's price list")
    charge: str | None = Field(None, description="Units x unit price; null when unpriced")


class AcknowledgementOut(Schema):
    id: str
    message: str
    by: str
    at: str


class OrderOut(Schema):
    id: int
    status: Literal["draft", "verified", "billed", "void"]
    patient_reference: str
    profile: str
    policy: dict[str, Any]
    therapy: str
    hours_per_day: str
    start: date
    end: date
    days: int
    request: dict[str, Any] = Field(description="The order exactly as entered")
    drugs: list[OrderDrugOut]
    lines: list[OrderLineOut]
    secondary_profile: str | None = None
    secondary_lines: list[OrderLineOut] | None = None
    warnings: list[WarningOut]
    acknowledgements: list[AcknowledgementOut]
    created_by: str
    created_at: datetime
    verified_by: str | None
    verified_at: datetime | None
    billed_by: str | None
    billed_at: datetime | None
    voided_by: str | None
    voided_at: datetime | None
    void_reason: str


class RenewalOut(Schema):
    """The next period's draft, and what today's catalog and profile changed since the order
    it renews (a concentration, a code, a price)."""

    renewed_from: int
    changes: list[str]
    order: OrderOut


class OrderPageOut(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    next: str | None
    previous: str | None
    results: list[OrderOut]


class ProductOut(Schema):
    id: int
    ndc: str
    ndc_hyphenated: str
    name: str
    labeler: str
    concentration: str
    package_volume: str
    package_description: str
    ndc_unit: str
    hcpcs: str | None
    hcpcs_unit: str | None
    preservative_free: bool


class ProfileOut(Schema):
    name: str
    description: str
    per_diem_coding: str
    drug_coding: str
    unlisted_unit_basis: str
    rounding: str
    rounding_scope: str
    month_lines: bool
    ndc_quantity_decimals: int
    place_of_service: str
    kind: str
    ndc_quantity_basis: str


class OrderFilters(Schema):
    from_: date | None = Field(None, alias="from", description="Orders ending on or after")
    to: date | None = Field(None, description="Orders starting on or before")
    status: Literal["draft", "verified", "billed", "void"] | None = None
    profile: str | None = Field(None, description="Billing profile name")
    page: int = Field(1, ge=1, le=1_000_000)

    @field_validator("from_", "to", "status", "profile", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value
