"""The 收件凭证 is numbered in the intake's transaction and drawn right after it commits
(documents.document_reserve): no counter lock is held while ReportLab draws. A receipt whose
render did not happen is drawn from its case on first read or by the render_pending job."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine

from govhall.documents.jobs import render_pending
from govhall.documents.models import Document, DocumentKind
from govhall.documents.services import document_link

from .conftest import at, intake, pdf_text

pytestmark = pytest.mark.django_db


def test_the_receipt_pdf_is_drawn_when_the_intake_commits(
    center, item, clerk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = intake(center, item, clerk, now=at(2026, 3, 6, 15))
        doc = Document.objects.get(pk=result.document.pk)
        assert doc.number == "青松县政务收〔2026〕1号" and doc.pending and not doc.file.name
    assert len(callbacks) == 1
    callbacks[0]()
    doc.refresh_from_db()
    data = doc.file.read()
    assert doc.size == len(data) and doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.number in pdf_text(data) and result.case.number in pdf_text(data)
    assert result.document.sha256 == doc.sha256  # the caller's instance is filled too


def test_a_receipt_never_drawn_is_drawn_by_its_link_once(center, item, clerk, client, settings):
    # No on-commit callback runs in this test's transaction: the render "crashed".
    result = intake(center, item, clerk, now=at(2026, 3, 6, 15))
    assert Document.objects.get(pk=result.document.pk).pending
    with time_machine.travel(at(2026, 3, 6, 16), tick=False):
        path = document_link(result.document).removeprefix(settings.SITE_URL)
        first = client.get(path)
        second = client.get(path)
    assert first.status_code == 200 and first.content == second.content
    doc = Document.objects.get(pk=result.document.pk)
    assert first["X-Content-SHA256"] == doc.sha256 == hashlib.sha256(first.content).hexdigest()
    text = pdf_text(first.content)
    assert doc.number in text and result.case.number in text and "王窗口" in text


def test_the_render_pending_job_draws_what_is_left(center, item, clerk):
    old = intake(center, item, clerk, 1, now=at(2026, 3, 6, 15)).document
    fresh = intake(center, item, clerk, 2, now=at(2026, 3, 6, 15, 10)).document
    done = render_pending(at(2026, 3, 6, 15, 10) + dt.timedelta(seconds=30))
    assert done == 1  # the one still in its grace minute is left to its own request
    old.refresh_from_db()
    assert not old.pending and old.verify()
    assert Document.objects.get(pk=fresh.pk).pending
    assert render_pending(at(2026, 3, 6, 16)) == 1
    assert not Document.objects.filter(kind=DocumentKind.RECEIPT, sha256="").exists()
