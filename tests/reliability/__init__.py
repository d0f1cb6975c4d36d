"""Helpers of tests/test_reliability.py: a throwaway app server under gunicorn."""
