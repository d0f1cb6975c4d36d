"""The pure core: units, doses, billing lines, NDCs, the 837P file, catalog files. Plain Python
and pint; no Django, and nothing outside domain/ (tests/test_architecture.py enforces it)."""
