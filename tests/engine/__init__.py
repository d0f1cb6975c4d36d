"""Tests of calculator/engine/: reading a request, calculating it, and the response JSON."""
