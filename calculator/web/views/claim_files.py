"""The billing clerk's 837P export: the review queue, the export itself and re-downloads."""

from __future__ import annotations

from collections.abc import Collection

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods

from calculator.models import ClaimExport
from calculator.selectors import scrubber
from calculator.services import claim_export, claim_verdicts

PERMISSION = "calculator.export_claims"


def _page(
    request: HttpRequest, *, status: int = 200, selected: Collection[int] = ()
) -> HttpResponse:
    provider = claim_export.billing_provider()
    queue = claim_verdicts.review_queue()
    reason = request.GET.get("reason", "")
    reason = reason if reason in scrubber.REASON_LABELS else ""
    held = [
        entry
        for entry in queue
        if entry.problems
        and (not reason or any(scrubber.reason_kind(p) == reason for p in entry.problems))
    ]
    return render(
        request,
        "calculator/claim_exports.html",
        {
            "provider": provider,
            "provider_problems": claim_export.provider_problems(provider),
            "ready": [entry.order for entry in queue if not entry.problems],
            "held": held,
            "reason": reason,
            "reason_label": scrubber.REASON_LABELS.get(reason, ""),
            "verified_count": claim_export.verified_count(),
            "queue_limit": claim_export.QUEUE_LIMIT,
            "exports": claim_export.recent_exports(),
            "selected": selected,
        },
        status=status,
    )


def _download(export: ClaimExport) -> HttpResponse:
    response = HttpResponse(export.content, content_type=claim_export.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{claim_export.filename(export)}"'
    return response


def _selected_ids(request: HttpRequest) -> set[int]:
    return {int(value) for value in request.POST.getlist("orders") if value.isdigit()}


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def claim_exports_page(request: HttpRequest) -> HttpResponse:
    """List the orders ready for an 837P and the held ones with their reasons; on POST, write
    one file for the selected ready orders and download it."""
    if request.method == "GET":
        return _page(request)
    selected = _selected_ids(request)
    try:
        result = claim_export.claim_export_create(
            created_by=request.user, order_ids=sorted(selected), path=request.path
        )
    except claim_export.ExportRefused as refused:
        messages.error(request, f"No 837P file was written: {refused}")
        return _page(request, status=400, selected=selected)
    if result.left_out:
        # Shown on the next page the clerk opens; the response itself is the file.
        named = "; ".join(
            f"{entry.order}: {', '.join(entry.problems)}" for entry in result.left_out
        )
        messages.warning(
            request,
            f"{claim_export.filename(result.export)} leaves out the held orders. {named}",
        )
    return _download(result.export)


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def claim_export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Download a stored 837P file again, exactly as it was written."""
    export = get_object_or_404(ClaimExport, pk=pk)
    claim_export.claim_export_downloaded(export=export, user=request.user, path=request.path)
    return _download(export)
