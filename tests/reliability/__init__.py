"""The reliability tests (test_reliability.py) and their helpers: a throwaway app server under
gunicorn."""
