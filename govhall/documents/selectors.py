"""Reads of issued documents."""

from __future__ import annotations

from django.db import models

from govhall.documents.models import Document
from govhall.documents.services import _related_key


def documents_for(related: models.Model | tuple[str, str | int]) -> models.QuerySet[Document]:
    """Documents issued for one object (a case, an appointment…), newest first."""
    related_type, related_id = _related_key(related)
    return Document.objects.filter(related_type=related_type, related_id=related_id)
