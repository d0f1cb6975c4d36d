"""The health check (calculator/http/health.py) a load balancer polls, signed in or not."""

from __future__ import annotations

from django.db import connection
from django.urls import reverse


def test_health_answers_ok_with_the_database_vendor_without_signing_in(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": connection.vendor}
    assert "no-cache" in response["Cache-Control"]


def test_health_answers_only_get(client, db):
    assert client.post(reverse("healthz")).status_code == 405
