from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govhall.core.errors import DomainError
from govhall.documents.http import pdf_response
from govhall.documents.services import document_from_token


def download(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent by SMS: serves the PDF inline, or a Chinese page saying why not."""
    try:
        document = document_from_token(token)
    except DomainError as exc:
        return render(
            request, "documents/link_error.html", {"message": exc.message}, status=exc.status
        )
    return pdf_response(document)
