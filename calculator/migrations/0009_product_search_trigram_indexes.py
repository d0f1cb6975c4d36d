"""Trigram indexes for product search on PostgreSQL (pg_trgm, a trusted extension since 13).

Django's icontains is `UPPER(col::text) LIKE UPPER(%s)` on PostgreSQL, so the GIN indexes are
on UPPER(name) and UPPER(labeler). SQLite has no trigram index: there this migration does nothing
(and the model state is untouched, so `makemigrations --check` stays clean on both).
"""

from django.db import migrations

INDEXES = {
    "calculator_drugproduct_name_trgm": "name",
    "calculator_drugproduct_labeler_trgm": "labeler",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for index, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON calculator_drugproduct "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [("calculator", "0008_hcpcs_import_and_profile_sources")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
