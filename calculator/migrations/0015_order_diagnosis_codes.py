# An order keeps several diagnosis codes (the principal first, at most 12): the one-code field
# is renamed, so every saved code stays the order's principal diagnosis.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("calculator", "0014_reports"),
    ]

    operations = [
        migrations.RenameField(
            model_name="order", old_name="diagnosis_code", new_name="diagnosis_codes"
        ),
        migrations.RenameField(
            model_name="historicalorder", old_name="diagnosis_code", new_name="diagnosis_codes"
        ),
        migrations.AlterField(
            model_name="order",
            name="diagnosis_codes",
            field=models.CharField(
                blank=True,
                help_text="The principal first, separated by commas (at most 12), e.g. G893, C50911.",
                max_length=120,
                verbose_name="diagnoses (ICD-10-CM)",
            ),
        ),
        migrations.AlterField(
            model_name="historicalorder",
            name="diagnosis_codes",
            field=models.CharField(
                blank=True,
                help_text="The principal first, separated by commas (at most 12), e.g. G893, C50911.",
                max_length=120,
                verbose_name="diagnoses (ICD-10-CM)",
            ),
        ),
    ]
