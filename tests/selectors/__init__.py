"""Tests of calculator/selectors/: read queries on the catalog, orders and the claim scrubber."""
