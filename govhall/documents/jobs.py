"""Periodic work of documents, run by `manage.py run_worker`: reserved documents whose PDF
was not drawn after their transaction committed (the process stopped in between) are drawn
by their kind's renderer. Safe with several workers: the file is attached by a conditional
UPDATE, so a document drawn twice keeps the first file."""

from __future__ import annotations

import datetime as dt
import logging

from govhall.core.jobs import Job
from govhall.documents.models import Document
from govhall.documents.services import document_render_pending

logger = logging.getLogger(__name__)

# Younger documents are normally being drawn by their own request right now.
GRACE = dt.timedelta(minutes=1)
BATCH = 50


def render_pending(now: dt.datetime) -> int:
    done = 0
    for document in Document.objects.filter(sha256="", created_at__lt=now - GRACE)[:BATCH]:
        try:
            document_render_pending(document=document)
            done += 1
        except Exception:  # one broken document must not stop the others
            logger.exception("document %s could not be drawn", document.pk)
    return done


JOBS = [Job("documents.render_pending", render_pending, 60)]
