"""The one response for a document link, shared by the API and the /d/<token>/ page."""

from __future__ import annotations

from django.http import HttpResponse

from govhall.documents.models import Document


def pdf_response(document: Document) -> HttpResponse:
    response = HttpResponse(document.read_bytes(), content_type="application/pdf")
    # Inline: the SMS link opens the PDF in the phone's viewer.
    response["Content-Disposition"] = f'inline; filename="{document.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-SHA256"] = document.sha256
    return response
