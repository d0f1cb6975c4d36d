"""The stored verdict of each verified order's claim: held (with the reasons the review queue
shows) or ready, and the stamp it was computed against. Reports, the order list's held filter
and the review queue read it in SQL; `services.claim_verdicts` keeps it fresh (the reasoning is
in docs/architecture.md, "Stored claim verdicts")."""

from __future__ import annotations

from django.db import models

from calculator.models.orders import Order

KIND_SEPARATOR = ","
# The catalog models a verdict reads (HCPCS codes' dates, products' NDC status, payers): a
# write to one of them bumps the CLAIMS stamp (models/versions.py) and so makes every stored
# verdict stale; a write to another catalog model (prices, profiles, the billing provider) does
# not. docs/architecture.md, "Stored claim verdicts", says why each is or is not an input.
CLAIM_INPUT_MODELS = ("drugproduct", "hcpcscode", "payer")


class ClaimVerdict(models.Model):
    """One verified order's verdict; none (or another stamp) means not known yet."""

    order = models.OneToOneField(
        Order, primary_key=True, on_delete=models.CASCADE, related_name="verdict"
    )
    # The catalog stamp and the checks' own version it was computed against (services).
    stamp = models.CharField(max_length=64)
    held = models.BooleanField()
    reasons = models.JSONField(default=list, help_text="Why the claim is held, as shown.")
    # The kinds of the reasons (scrubber.REASON_KINDS keys) between separators, ",ndc,price,":
    # held claims are counted and filtered by kind with a portable LIKE.
    kinds = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "claim verdict"

    def __str__(self) -> str:
        return f"{self.order_id}: {'held' if self.held else 'ready'}"

    @staticmethod
    def kinds_text(kinds: list[str]) -> str:
        """Return the kinds column for these kinds (in the order given, each once)."""
        unique = list(dict.fromkeys(kinds))
        return f"{KIND_SEPARATOR}{KIND_SEPARATOR.join(unique)}{KIND_SEPARATOR}" if unique else ""

    @staticmethod
    def has_kind(kind: str) -> models.Q:
        """Return the filter of the verdicts with a reason of this kind."""
        return models.Q(kinds__contains=f"{KIND_SEPARATOR}{kind}{KIND_SEPARATOR}")
