"""The MEDICARE_DME profile and the DME codes as the catalog ships them and the admin keeps them
(SPEC 11): each setting SPEC marks *check* is on the profile, its help text citing its source."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from calculator.domain.billing import MEDICARE_DME, PUMP_CODES
from calculator.models import BillingProfile, DrugProduct, HcpcsCode


def test_shipped_medicare_dme_profile_is_the_engine_policy(catalog):
    assert BillingProfile.objects.get(name="MEDICARE_DME").to_policy() == MEDICARE_DME


def test_dme_hcpcs_codes_seeded_with_descriptors_and_dates(catalog):
    codes = {
        code.code: code
        for code in HcpcsCode.objects.filter(
            code__in=[*PUMP_CODES, "A4221", "A4222", "J7799", "J2274"]
        )
    }
    assert set(codes) == {"E0779", "E0780", "E0781", "A4221", "A4222", "J7799", "J2274"}
    assert codes["A4222"].description.startswith("Infusion supplies for external drug infusion")
    assert codes["E0781"].effective == date(1984, 1, 1)
    assert codes["J7799"].effective == date(2003, 1, 1)
    assert codes["J2274"].billing_unit == "10 mg"


def test_preservative_free_morphine_is_single_dose_on_j2274(catalog):
    infumorph = DrugProduct.objects.get(ndc="00641604001")
    assert (infumorph.hcpcs.code, infumorph.single_dose, infumorph.concentration) == (
        "J2274",
        True,
        "25 mg/mL",
    )


def test_medicare_check_settings_cite_their_sources_in_the_admin(admin_client, catalog):
    profile = BillingProfile.objects.get(name="MEDICARE_DME")
    page = admin_client.get(
        reverse("admin:calculator_billingprofile_change", args=[profile.pk])
    ).content.decode()
    for source in ("L33794", "Noridian", "CGS", "Span Date Billing Guide", "SPEC 10.5"):
        assert source in page
    for field in ("capped_rental", "a4221_weeks", "jz_from", "jw_from", "max_months_per_line"):
        assert f'name="{field}"' in page
