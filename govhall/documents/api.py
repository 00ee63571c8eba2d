from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from govhall.documents.http import pdf_response
from govhall.documents.services import document_from_token

router = Router(tags=["文书"])


@router.get(
    "/documents/{token}",
    auth=None,
    summary="凭签名链接下载文书 PDF（过期 410，无效 404）",
)
def document_download(request: HttpRequest, token: str) -> HttpResponse:
    return pdf_response(document_from_token(token))
