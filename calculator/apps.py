"""The app's configuration: the roles are kept in step after every migrate, and every catalog
or permission write bumps its version stamp (models/versions.py)."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CalculatorConfig(AppConfig):
    name = "calculator"
    verbose_name = "Infusion calculator"

    def ready(self) -> None:
        from calculator.models import versions
        from calculator.models.verdicts import CLAIM_INPUT_MODELS
        from calculator.roles import CATALOG_MODELS, ensure_roles

        post_migrate.connect(ensure_roles, sender=self)
        versions.connect_signals(
            tuple(self.get_model(name) for name in CATALOG_MODELS),
            claim_inputs=tuple(self.get_model(name) for name in CLAIM_INPUT_MODELS),
        )
