"""The patient record's rules, defined once: the pharmacy patient number, the birth date, the
diagnosis codes, and the next service period of a renewed order."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import date, timedelta

from calculator.domain.text import storable

# The pharmacy's patient number (an account number), never a name: what an order's patient
# reference has always been.
PATIENT_NUMBER_LENGTH = 20
PATIENT_NUMBER_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-/#]{0,19}")
# An 837P claim carries at most 12 diagnosis codes (HI segment).
MAX_DIAGNOSIS_CODES = 12
ICD10_CM = re.compile(r"[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?")
SEX_CHOICES = (("F", "F"), ("M", "M"), ("U", "U - unknown"))
NAME_TEXT_LIMIT = 60


def clean_patient_number(value: object) -> str:
    """Return the patient number (letters, digits, . - / #; at most 20), or raise ValueError."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("enter the pharmacy's patient number")
    text = value.strip()
    if len(text) > PATIENT_NUMBER_LENGTH or not storable(text):
        raise ValueError(
            f"a patient number is at most {PATIENT_NUMBER_LENGTH} letters, digits or . - / #"
        )
    if not PATIENT_NUMBER_PATTERN.fullmatch(text):
        raise ValueError(
            "use the patient number (letters, digits, . - / #; no spaces), not a full name"
        )
    return text


def birth_date_problem(birth_date: date | None, *, today: date) -> str:
    """Return why a birth date cannot be right ("" when it can)."""
    if birth_date is None:
        return ""
    if birth_date > today:
        return f"the birth date {birth_date} is in the future"
    if birth_date.year < today.year - 130:
        return f"the birth date {birth_date} is more than 130 years ago"
    return ""


def parse_diagnosis_codes(text: str) -> list[str]:
    """Return ICD-10-CM codes from text separated by commas or spaces ("G89.3, C50.911"), as
    an 837P carries them (no dot), or raise ValueError naming the code that is not one."""
    codes = [code.upper() for code in re.split(r"[\s,;]+", text.strip()) if code]
    if len(codes) > MAX_DIAGNOSIS_CODES:
        raise ValueError(f"at most {MAX_DIAGNOSIS_CODES} diagnosis codes on a claim")
    for code in codes:
        if not ICD10_CM.fullmatch(code):
            raise ValueError(f'"{code[:20]}" is not an ICD-10-CM code such as G89.3')
    unique = list(dict.fromkeys(code.replace(".", "") for code in codes))
    return unique


def dotted_diagnosis(code: str) -> str:
    """Return an ICD-10-CM code as people read it, with its dot after the category's three
    characters (G894 -> G89.4, C50911 -> C50.911, R52 -> R52); the claim carries it undotted."""
    code = code.replace(".", "").strip().upper()
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def dotted_diagnoses(text: str) -> str:
    """Return a saved list of codes ("G894, C50911") as people read it ("G89.4, C50.911")."""
    return ", ".join(dotted_diagnosis(code) for code in split_diagnosis_codes(text))


class InvalidDiagnosis(ValueError):
    """A list of diagnosis codes a claim cannot carry; `index` is the code at fault (0-based),
    None when the list itself is (more than 12 codes)."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


def split_diagnosis_codes(text: str) -> list[str]:
    """Return the codes in text separated by commas, semicolons or spaces, as typed."""
    return [code for code in re.split(r"[\s,;]+", text.strip()) if code]


def clean_diagnosis_list(codes: Sequence[str]) -> list[str]:
    """Return a claim's diagnosis codes (the principal first) as an 837P carries them (upper
    case, no dot), or raise InvalidDiagnosis for a code that is not ICD-10-CM, a code given
    twice, or more than MAX_DIAGNOSIS_CODES codes. Nothing is dropped silently."""
    if len(codes) > MAX_DIAGNOSIS_CODES:
        raise InvalidDiagnosis(
            f"at most {MAX_DIAGNOSIS_CODES} diagnosis codes on a claim, not {len(codes)}"
        )
    cleaned: list[str] = []
    for index, code in enumerate(codes):
        typed = code.strip().upper()
        if not ICD10_CM.fullmatch(typed):
            raise InvalidDiagnosis(f'"{typed[:20]}" is not an ICD-10-CM code such as G89.3', index)
        text = typed.replace(".", "")
        if text in cleaned:
            raise InvalidDiagnosis(f"{typed} is already diagnosis {cleaned.index(text) + 1}", index)
        cleaned.append(text)
    return cleaned


def next_period(start: date, end: date) -> tuple[date, date]:
    """Return the period that follows start..end: the next calendar month when the period is
    one whole month (January -> February, 28 days in 2026), else the same number of days."""
    whole_month = start.day == 1 and end == _month_end(start)
    following = end + timedelta(days=1)
    if whole_month:
        return following, _month_end(following)
    return following, following + (end - start)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])
