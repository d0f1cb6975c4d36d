"""The dispensing part of a saved order's drug (SPEC 10): what was entered (reservoir, priming,
beyond-use days, stock product, storage) and the plan as calculated, a snapshot the order page,
the compounding worksheet and the labels read without recomputing."""

from __future__ import annotations

from django.db import models

from calculator.domain.dispensing import (
    DEA_SCHEDULES,
    SCHEDULE_II,
    STORAGE_INSTRUCTIONS,
    STORAGE_LABELS,
    Storage,
)
from calculator.models.orders import OrderDrug


class OrderDispensing(models.Model):
    """One drug's dispensing plan on a saved order (every drug has one: the pump rate at least)."""

    drug = models.OneToOneField(OrderDrug, on_delete=models.CASCADE, related_name="dispensing")
    reservoir_name = models.CharField(max_length=60, blank=True)
    reservoir_volume = models.CharField(max_length=20, blank=True)
    priming_volume = models.CharField(max_length=20, blank=True)
    beyond_use_days = models.PositiveSmallIntegerField(null=True, blank=True)
    stock_ndc = models.CharField("stock NDC", max_length=11, blank=True)
    stock_name = models.CharField(max_length=200, blank=True)
    storage = models.CharField(
        max_length=20,
        blank=True,
        choices=[(storage.value, label) for storage, label in STORAGE_LABELS.items()],
    )
    dea_schedule = models.CharField(
        "DEA schedule", max_length=4, blank=True, choices=list(DEA_SCHEDULES.items())
    )
    plan = models.JSONField(help_text="The calculated plan (the API's `dispensing`).")

    class Meta:
        verbose_name = "dispensing plan"

    def __str__(self) -> str:
        return f"Dispensing of {self.drug}"

    @property
    def reservoirs(self) -> list[dict]:
        return self.plan.get("reservoirs", [])

    @property
    def schedule_ii(self) -> bool:
        return self.dea_schedule == SCHEDULE_II

    @property
    def storage_instruction(self) -> str:
        return STORAGE_INSTRUCTIONS[Storage(self.storage)] if self.storage else ""
