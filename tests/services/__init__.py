"""Tests of calculator/services/: the write paths of orders and the 837P claim export."""
