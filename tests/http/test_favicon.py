"""Browsers ask for /favicon.ico on pages that name no icon (the admin's): no 404, no login."""

from __future__ import annotations

from django.test import Client


def test_favicon_ico_sends_anonymous_visitors_to_the_static_icon(client: Client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
