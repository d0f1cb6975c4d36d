# The stored verdict of each verified order's claim (services.claim_verdicts). The table starts
# empty: every verified order's verdict is then stale and is computed, in bulk, the first time a
# report, the held filter or the review queue reads it (no data migration: the checks need the
# app's code, which a historical model does not have).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("calculator", "0015_order_diagnosis_codes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClaimVerdict",
            fields=[
                (
                    "order",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="verdict",
                        serialize=False,
                        to="calculator.order",
                    ),
                ),
                ("stamp", models.CharField(max_length=64)),
                ("held", models.BooleanField()),
                (
                    "reasons",
                    models.JSONField(default=list, help_text="Why the claim is held, as shown."),
                ),
                ("kinds", models.CharField(blank=True, max_length=200)),
            ],
            options={
                "verbose_name": "claim verdict",
            },
        ),
    ]
