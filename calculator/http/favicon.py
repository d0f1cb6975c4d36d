"""/favicon.ico, which browsers ask for on pages that name no icon (the admin's): the app's
icon, so no page leaves a 404 in the browser console."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Send the browser to the static icon (a permanent redirect: it asks once)."""
    return redirect(static("favicon.svg"), permanent=True)
