"""9.4 b: the case documents (收件凭证, 领取签收单 …) print a second QR code, captioned
“扫码评价”, that leads to that case's rating page; the page then takes one rating."""

import pytest
from django.test import Client
from django.urls import reverse

from govhall.core.testing import at, pdf_qr_texts, pdf_text
from govhall.documents.models import Document, DocumentKind
from govhall.evaluations import tokens
from govhall.evaluations.models import Rating
from govhall.evaluations.tests.conftest import WORKDAY, finished_case

pytestmark = pytest.mark.django_db
SITE = "https://zwfw.example.gov.cn"


def _rating_token(texts: list[str]) -> str:
    (link,) = [t for t in texts if t.startswith(f"{SITE}/e/")]
    assert link.endswith("/?c=qr")
    return link.removeprefix(f"{SITE}/e/").removesuffix("/?c=qr")


def test_case_documents_carry_the_rating_code_of_their_case(h, settings, time_machine):
    settings.SITE_URL = SITE
    time_machine.move_to(WORKDAY)
    case = finished_case(h)
    other = finished_case(h, 2)
    docs = Document.objects.filter(related_id=str(case.pk))
    kinds = {d.kind: d for d in docs}
    assert {DocumentKind.RECEIPT, DocumentKind.PICKUP_RECEIPT} <= set(kinds)
    for kind in (DocumentKind.RECEIPT, DocumentKind.PICKUP_RECEIPT):
        data = kinds[kind].read_bytes()
        assert "扫码评价" in pdf_text(data) and "扫码查询办件进度" in pdf_text(data)
        texts = pdf_qr_texts(data)
        assert len(texts) == 2  # the progress code and the rating code
        token = _rating_token(texts)
        # Bound to this case, valid long after the printing day (the case may take months).
        assert tokens.read_token(token, now=WORKDAY) == ("case", str(case.pk))
        assert tokens.read_token(token, now=at(2026, 12, 31, 12, 0)) == ("case", str(case.pk))
    other_receipt = Document.objects.get(related_id=str(other.pk), kind=DocumentKind.RECEIPT)
    assert tokens.read_token(
        _rating_token(pdf_qr_texts(other_receipt.read_bytes())), now=WORKDAY
    ) == ("case", str(other.pk))

    # The code leads to the case's phone page, which takes one rating, by the QR channel.
    token = _rating_token(pdf_qr_texts(kinds[DocumentKind.PICKUP_RECEIPT].read_bytes()))
    phone = Client()
    page = phone.get(f"/e/{token}/?c=qr")
    assert page.status_code == 200 and case.number in page.content.decode()
    r = phone.post(f"/e/{token}/", {"level": "5", "channel": "qr", "comment": "很快"})
    assert r.status_code == 200, r.content.decode()
    rating = Rating.objects.get()
    assert (rating.matter_kind, rating.matter_id, rating.channel) == ("case", str(case.pk), "qr")
    again = phone.post(f"/e/{token}/", {"level": "1", "channel": "qr"})
    assert again.status_code == 409 and Rating.objects.count() == 1


def test_without_a_registered_maker_no_rating_code_is_printed(h, settings, monkeypatch):
    from govhall.documents import rating_links

    monkeypatch.setattr(rating_links, "_makers", [])
    settings.SITE_URL = SITE
    case = finished_case(h)
    data = Document.objects.get(related_id=str(case.pk), kind=DocumentKind.RECEIPT).read_bytes()
    assert len(pdf_qr_texts(data)) == 1 and "扫码评价" not in pdf_text(data)


def test_ticket_slip_carries_the_rating_code_of_its_ticket(h, settings, time_machine):
    from govhall.core.templatetags.govhall import qr_svg_markup
    from govhall.evaluations.tests.conftest import finish_ticket
    from govhall.queueing import services as queue_services

    settings.SITE_URL = SITE
    time_machine.move_to(WORKDAY)
    ticket = finish_ticket(h)
    # Scanned while still waiting: the page says to come back after the service.
    waiting = queue_services.ticket_issue(
        center=h.center, category=h.cats["A"], phone="", channel="kiosk", now=WORKDAY
    )
    link = tokens.printed_rating_url("ticket", waiting.pk, waiting.day).removeprefix(SITE)
    early = Client().get(link).content.decode()
    assert "尚未办结" in early and 'id="rate-form"' not in early
    page = (
        Client()
        .get(reverse("queueing:slip", args=[ticket.pk]) + f"?t={ticket.token}")
        .content.decode()
    )
    url = tokens.printed_rating_url("ticket", ticket.pk, ticket.day)
    assert tokens.read_token(
        url.removeprefix(f"{SITE}/e/").removesuffix("/?c=qr"), now=WORKDAY
    ) == ("ticket", str(ticket.pk))
    # segno draws the same code for the same link: the slip shows this ticket's code.
    assert "扫码评价" in page and qr_svg_markup(url) in page
    other = tokens.printed_rating_url("ticket", ticket.pk + 1, ticket.day)
    assert qr_svg_markup(other) not in page
