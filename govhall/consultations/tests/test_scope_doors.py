"""Every door of a consultation, tried by a clerk and a manager of another center, and by
an approver of a department it was not transferred to: 404 (never 403) and nothing changed.
(Kept with the app rather than in tests/test_scope_doors.py while other apps edit that
table; the same shape: one line per door.)"""

from __future__ import annotations

import pytest
from django.test import Client

from govhall.consultations.models import Consultation, ConsultationEvent
from govhall.core.models import AuditEntry
from govhall.org.testing import make_user

from .conftest import at, ledgered

pytestmark = pytest.mark.django_db

DOORS = [
    ("GET", "/api/v1/consultations/{id}", {}, True),
    ("POST", "/api/v1/consultations/{id}/reply", {"answer": "答复"}, True),
    ("POST", "/api/v1/consultations/{id}/transfer", {"to_department": "SWJ"}, True),
    ("GET", "/consultations/c/{id}/", {}, False),
    ("GET", "/consultations/c/{id}/?reveal=phone", {}, False),
    ("GET", "/consultations/c/{id}/letter/", {}, False),
    ("POST", "/consultations/c/{id}/", {"action": "reply", "answer": "答复"}, False),
    ("POST", "/consultations/c/{id}/", {"action": "transfer", "to_department": "1"}, False),
    ("POST", "/consultations/c/{id}/", {"action": "close"}, False),
]


@pytest.fixture
def strangers(other_center, center, other_department, other_approver):
    return {
        "clerk": make_user("scope-c-clerk", ("clerk", other_center)),
        "manager": make_user("scope-c-manager", ("manager", other_center)),
        "approver": other_approver,
    }


@pytest.mark.parametrize("who", ["clerk", "manager", "approver"])
@pytest.mark.parametrize(
    ("method", "url", "body", "json"), DOORS, ids=[f"{d[0]} {d[1]}" for d in DOORS]
)
def test_other_center_and_other_department_get_404(
    center, consultant, department, strangers, who, method, url, body, json
):
    c = ledgered(center, consultant, now=at(2026, 3, 2, 9))
    from govhall.consultations import services

    services.consultation_transfer(consultation=c, to_department=department.pk, actor=consultant)

    def state():
        return (
            list(Consultation.objects.values_list("id", "status", "department_id", "answer")),
            ConsultationEvent.objects.count(),
            AuditEntry.objects.filter(action__startswith="govhall.consultations").count(),
        )

    before = state()
    client = Client()
    client.force_login(strangers[who])
    path = url.format(id=c.pk)
    if method == "GET":
        response = client.get(path)
    elif json:
        response = client.post(path, body, content_type="application/json")
    else:
        response = client.post(path, body)
    assert response.status_code == 404, response.content[:300]
    if json:
        assert response["Content-Type"].startswith("application/problem+json")
    assert state() == before
