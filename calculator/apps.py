"""The app's configuration: the roles are kept in step after every migrate."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CalculatorConfig(AppConfig):
    name = "calculator"
    verbose_name = "Infusion calculator"

    def ready(self) -> None:
        from calculator.roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self)
