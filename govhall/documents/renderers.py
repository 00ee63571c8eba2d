"""Who can draw a document again from its related object, per kind.

A document issued with `document_reserve` gets its number and row in the caller's
transaction and its PDF right after that transaction commits (the render holds no lock).
When that render never happened (the process died between commit and render), the document
is drawn again from its related object: on the first read (`Document.read_bytes`, the
signed link) or by the `documents.render_pending` job. Documents names no domain app, so
each app that reserves documents registers its renderer here when it starts
(AppConfig.ready), as evaluations does for rating links (`rating_links.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from govhall.documents.models import Document

# document (number, related_type/related_id, created_by…) -> the PDF bytes.
Renderer = Callable[["Document"], bytes]

_renderers: dict[str, Renderer] = {}


def register_renderer(kind: str, renderer: Renderer) -> None:
    _renderers[str(kind)] = renderer


def renderer_for(kind: str) -> Renderer | None:
    return _renderers.get(str(kind))
