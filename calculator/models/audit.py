"""Who reached the data and how: API tokens (only their hash is kept) and the access log of
views, prints and exports."""

from __future__ import annotations

from django.db import models

from calculator.models.orders import Order


class ApiToken(models.Model):
    """A user's API token, stored only as its SHA-256 hash (`manage.py api_token USER`)."""

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="api_token")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="The token's first characters, to tell it.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.prefix}...)"


class AccessLog(models.Model):
    """Who viewed, printed or exported which orders, and when (no patient data in it)."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        PRINT = "print", "Opened the printable summary"
        PDF = "pdf", "Downloaded PDF"
        CSV = "csv", "Downloaded CSV"
        XLSX = "xlsx", "Downloaded spreadsheet (.xlsx)"
        X12 = "837p", "Exported 837P"
        API = "api", "Read through the API"

    user = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=8, choices=Action.choices)
    at = models.DateTimeField(auto_now_add=True)
    # The order numbers, as one list: a summary of 500 orders is still a single INSERT.
    order_ids = models.JSONField(default=list)
    path = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def orders(self) -> models.QuerySet[Order]:
        return Order.objects.filter(pk__in=self.order_ids)

    @classmethod
    def log(cls, *, user, action: str, orders, path: str = "") -> AccessLog:
        """Record that `user` viewed, printed or exported these orders (one row, one query)."""
        return cls.objects.create(
            user=user, action=action, path=path[:200], order_ids=[order.pk for order in orders]
        )

    @classmethod
    def record(cls, request, action: str, orders) -> AccessLog:
        """Record that the request's user viewed, printed or exported these orders."""
        return cls.log(user=request.user, action=action, orders=orders, path=request.path)
