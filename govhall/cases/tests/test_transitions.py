"""Every allowed move of Case.TRANSITIONS through its service, and every disallowed one
answering 409 invalid_transition with nothing written."""

from __future__ import annotations

import pytest

from govhall.cases import services
from govhall.cases.models import Case, CaseEvent, CaseMaterial, Status
from govhall.core.audit import AuditEntry
from govhall.core.errors import InvalidTransition
from govhall.documents.models import Document
from govhall.notifications.models import OutboxMessage

from .conftest import at, intake

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 4, 10)  # within the acceptance limit of a case received on 2 March
LATER = at(2026, 3, 20, 10)  # after the correction due date (11 March)
STATES = list(Status.values)
# Target → the service that moves a case there (approved only happens inside intake; the
# Cases II targets are covered by test_flow_transitions).
SERVICE_TARGETS = [
    Status.RECEIVED,
    Status.CORRECTION_REQUESTED,
    Status.ACCEPTED,
    Status.DEEMED_ACCEPTED,
    Status.REJECTED,
    Status.WITHDRAWN,
    Status.RETURNED,
]


def case_in(state, center, item, clerk) -> Case:
    case = intake(center, item, clerk, now=at(2026, 3, 2, 9)).case
    extra = {}
    if state == Status.CORRECTION_REQUESTED:
        extra = {"correction_due": at(2026, 3, 11).date()}
    Case.objects.filter(pk=case.pk).update(status=state, **extra)
    case.refresh_from_db()
    return case


def move(case, target, item, clerk, approver):
    material = item.published.materials.order_by("position").first()
    if target == Status.ACCEPTED:
        return services.case_decide(case=case, decision="accept", actor=approver, now=NOW)
    if target == Status.REJECTED:
        return services.case_decide(
            case=case, decision="reject", reason="不符合受理条件", actor=approver, now=NOW
        )
    if target == Status.CORRECTION_REQUESTED:
        return services.case_decide(
            case=case,
            decision="correct",
            items=[{"material_id": material.pk, "reason": "缺签字"}],
            actor=approver,
            now=NOW,
        )
    if target == Status.RECEIVED:
        return services.case_corrections_supply(
            case=case,
            materials=[services.MaterialIn(material_id=material.pk)],
            actor=clerk,
            now=NOW,
        )
    if target == Status.WITHDRAWN:
        return services.case_withdraw(case=case, reason="申请人申请撤回", actor=clerk, now=NOW)
    if target == Status.RETURNED:
        return services.case_return(
            case=case,
            materials_returned="申请书1份",
            signed_by="张三丰",
            actor=approver,
            now=LATER,
        )
    if target == Status.DEEMED_ACCEPTED:
        moved = services.cases_deem_accepted(now=at(2026, 3, 10, 0, 0))
        if not moved:
            raise InvalidTransition("nothing to deem")
        return moved
    raise AssertionError(target)


def snapshot():
    return (
        list(Case.objects.values_list("status", "status_changed_at")),
        CaseEvent.objects.count(),
        CaseMaterial.objects.count(),
        Document.objects.count(),
        OutboxMessage.objects.count(),
        AuditEntry.objects.count(),
    )


PAIRS = [(s, t) for s in STATES for t in SERVICE_TARGETS]


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{s}->{t}" for s, t in PAIRS])
def test_transition(source, target, center, item, clerk, approver):
    case = case_in(source, center, item, clerk)
    if target in Case.TRANSITIONS[source]:
        move(case, target, item, clerk, approver)
        case.refresh_from_db()
        assert case.status == target
        event = CaseEvent.objects.filter(case=case).order_by("-id").first()
        assert (event.from_status, event.to_status) == (source, target)
    else:
        before = snapshot()
        with pytest.raises(InvalidTransition) as raised:
            move(case, target, item, clerk, approver)
        assert raised.value.status == 409 and raised.value.code == "invalid_transition"
        assert snapshot() == before


def test_immediate_item_is_accepted_and_approved_at_the_window(center, department, clerk):
    from govhall.catalog.testing import make_item

    quick = make_item(
        center,
        department,
        "SCJG-QUICK",
        "个体户名称查询",
        is_immediate=True,
        materials=[{"name": "身份证", "position": 1}],
    )
    case = intake(center, quick, clerk, now=NOW).case
    assert case.status == Status.APPROVED
    assert list(case.events.values_list("action", flat=True)) == [
        "received",
        "accepted",
        "approved",
    ]
    assert case.accepted_on == case.promised_due == NOW.date()


def test_api_answers_409_for_a_disallowed_decision(center, item, clerk, approver, client):
    case = case_in(Status.REJECTED, center, item, clerk)
    client.force_login(approver)
    before = snapshot()
    response = client.post(
        f"/api/v1/cases/{case.number}/decision",
        {"decision": "accept"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert snapshot() == before
