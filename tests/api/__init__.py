"""Tests of calculator/api/: the JSON API under /api/v1/ and its OpenAPI schema."""
