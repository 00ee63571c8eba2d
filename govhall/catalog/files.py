"""Staff photos a center publishes on purpose (6.2.1 b), served under MEDIA_URL in
production too. Blank application forms and samples (6.5.3 b) are published through
`views.material_file` (/materials/<id>/<field>/: allow-listed types, always a download).

Only a file that a public record names is served: the photo of a staff member shown in
the directory. Anything else under MEDIA_ROOT — generated notices that name a person, whatever a
citizen uploads — is never served from this path (404); those go only through the
documents app's signed, expiring links."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from govhall.org.selectors import staff_public

MAX_AGE = 3600  # a replaced photo or form shows within the hour


def is_published(path: str) -> bool:
    if path.startswith("staff/"):
        return staff_public().filter(photo=path).exists()
    return False


@require_safe
def published_file(request: HttpRequest, path: str) -> FileResponse:
    if not is_published(path) or not default_storage.exists(path):
        raise Http404("文件不存在。")
    response = FileResponse(default_storage.open(path, "rb"))
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response
