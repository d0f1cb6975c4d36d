"""The HTTP edges of the app: middleware (login by default, security headers, a clean 503 when
the database is away), the health check, and the error pages. `API_PREFIX` is where the JSON
API lives; every part that treats the API differently (JSON errors, no login redirect) reads it."""

API_PREFIX = "/api/"
