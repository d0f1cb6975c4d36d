"""Tests of calculator/management/commands/: `manage.py calculate` and `manage.py import_ndc`."""
