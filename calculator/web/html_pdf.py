"""A printed page's HTML as a PDF, with WeasyPrint (the dispensing worksheet and labels).

The page and the PDF come from one template, so they never disagree. Stylesheets and images are
read from disk through the staticfiles finders; the PDF never makes a network request.
"""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation


def _static_file(name: str) -> Path | None:
    """Return the file on disk behind a static name (source folders first, then STATIC_ROOT)."""
    try:
        found = finders.find(name)
    except SuspiciousFileOperation:
        return None
    if found:
        return Path(found)
    # With the manifest storage, {% static %} names the hashed copy, which only the collected
    # STATIC_ROOT holds.
    try:
        collected = Path(staticfiles_storage.path(name))
    except (NotImplementedError, SuspiciousFileOperation):
        return None
    return collected if collected.is_file() else None


@functools.cache
def _static_fetcher_class() -> type:
    # Imported on first use: WeasyPrint loads pango and friends, which pages never need.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        """Serve /static/ URLs from disk through the staticfiles finders; refuse everything else."""

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            static_path = urlsplit(settings.STATIC_URL).path
            path = unquote(urlsplit(url).path)
            if not static_path or not path.startswith(static_path):
                raise ValueError(f"a printed page's PDF loads only static files, not {url}")
            found = _static_file(path[len(static_path) :])
            if found is None:
                raise ValueError(f"no static file at {url}")
            content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, body=found.read_bytes(), headers={"Content-Type": content_type}
            )

    return StaticFilesFetcher


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    """Return a page's HTML as PDF bytes, its stylesheets read from disk (never fetched)."""
    from weasyprint import HTML

    fetcher = _static_fetcher_class()()
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
