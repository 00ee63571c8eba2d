"""Cases II paths beside the whole life: mailing (SMS with the tracking number, masked
address, delivered later), the pickup notice as a phone-call task without a mobile and by
the job, an agent's pickup, the batch job at the cut-offs, 即办件 handed over at once, and
every Cases II move of Case.TRANSITIONS refused with 409 and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.cases.models import Case, CaseEvent, HandoverBatch, HandoverSchedule, Status
from govhall.cases.services import approval, case_decide, handover, output
from govhall.catalog.testing import make_item
from govhall.core.audit import AuditEntry
from govhall.core.errors import InvalidInput, InvalidTransition
from govhall.documents.models import Document
from govhall.notifications.models import OutboxMessage, PhoneCallTask

from .conftest import at, intake, pdf_text, person_id
from .flow_fixtures import *  # noqa: F403
from .flow_fixtures import reload, signature_png

pytestmark = pytest.mark.django_db


def at_output(center, item, clerk, approver, output_clerk, n=1, **extra):
    case = intake(center, item, clerk, n, now=at(2026, 3, 2, 9), **extra).case
    case, _ = case_decide(case=case, decision="accept", actor=approver, now=at(2026, 3, 2, 10))
    Case.objects.filter(pk=case.pk).update(paper_handed_over_at=at(2026, 3, 2, 11))
    case, _ = approval.case_approval_decide(
        case=reload(case),
        outcome="approved",
        result_no=f"R{n}",
        actor=approver,
        now=at(2026, 3, 3, 9),
    )
    case = output.case_result_handover(case=case, actor=approver, now=at(2026, 3, 3, 10))
    return output.case_result_receive(
        case=case, ok=True, actor=output_clerk, now=at(2026, 3, 3, 11)
    )


def test_mail_with_tracking_sms_then_delivered(center, item, clerk, approver, output_clerk):
    case = at_output(
        center,
        item,
        clerk,
        approver,
        output_clerk,
        delivery="mail",
        delivery_address="青松县城关镇人民路18号3单元502室",
    )
    with pytest.raises(InvalidTransition, match="邮寄"):
        output.case_pickup_notify(case=case, actor=output_clerk, now=at(2026, 3, 3, 12))
    with pytest.raises(InvalidInput):
        output.case_mail(
            case=case, carrier="EMS", tracking_no=" ", actor=output_clerk, now=at(2026, 3, 4, 9)
        )
    case, release = output.case_mail(
        case=case,
        carrier="中国邮政EMS",
        tracking_no="EA123456789CN",
        actor=output_clerk,
        now=at(2026, 3, 4, 9),
    )
    assert case.status == Status.MAILED and release.sent_on == dt.date(2026, 3, 4)
    assert release.mail_fee == 0  # free mailing unless the center sets a fee
    sms = OutboxMessage.objects.get(template="case_mailed")
    assert "EA123456789CN" in sms.body and "中国邮政EMS" in sms.body
    text = "".join(pdf_text(release.receipt.file.read()).split())
    assert "EA123456789CN" in text and "502室" not in text  # address masked on the voucher
    with pytest.raises(InvalidInput):
        output.case_mail_delivered(
            case=case, delivered_on=dt.date(2026, 3, 9), actor=output_clerk, now=at(2026, 3, 6, 9)
        )
    case = output.case_mail_delivered(
        case=case, delivered_on=dt.date(2026, 3, 6), actor=output_clerk, now=at(2026, 3, 6, 9)
    )
    assert case.status == Status.CLOSED and reload(case).release.delivered_on == dt.date(2026, 3, 6)


def test_no_mobile_gives_a_call_task_and_the_job_sends_notices(
    center, item, clerk, approver, output_clerk
):
    landline = at_output(center, item, clerk, approver, output_clerk, 1)
    # A case whose only number is a landline (e.g. an older mail-in application).
    Case.objects.filter(pk=landline.pk).update(phone="0451-86661234")
    mobile = at_output(center, item, clerk, approver, output_clerk, 2)
    assert output.cases_pickup_notices(at(2026, 3, 3, 15)) == 2
    assert output.cases_pickup_notices(at(2026, 3, 3, 16)) == 0
    assert reload(landline).status == reload(mobile).status == Status.PICKUP_NOTIFIED
    task = PhoneCallTask.objects.get()
    assert task.phone == "0451-86661234" and "领取" in task.script
    assert OutboxMessage.objects.filter(template="pickup_ready", to=mobile.phone).count() == 1


def test_agent_pickup_needs_authorisation_and_valid_id(center, item, clerk, approver, output_clerk):
    case = at_output(center, item, clerk, approver, output_clerk)
    with pytest.raises(InvalidInput) as bad:
        output.case_pickup(
            case=case,
            signature_png=signature_png(),
            id_checked=True,
            agent=True,
            signer_name="李四",
            signer_id_number="123",
            authorization="委托书原件",
            actor=output_clerk,
            now=at(2026, 3, 4, 9),
        )
    assert bad.value.errors[0]["field"] == "signer_id_number"
    case, release = output.case_pickup(
        case=case,
        signature_png=signature_png(),
        id_checked=True,
        agent=True,
        signer_name="李四",
        signer_id_number=person_id(42),
        authorization="已查验授权委托书原件",
        actor=output_clerk,
        now=at(2026, 3, 4, 9),
    )
    assert (case.status, release.signer_is_agent, release.signer_name) == ("closed", True, "李四")
    assert "（代理人）" in "".join(pdf_text(release.receipt.file.read()).split())


def test_batch_job_at_the_cutoffs_once(center, department, item, clerk):
    HandoverSchedule.objects.create(
        department=department, morning_cutoff=dt.time(10, 30), afternoon_cutoff=dt.time(15, 0)
    )
    intake(center, item, clerk, 1, now=at(2026, 3, 2, 9))
    assert handover.handover_batches_due(at(2026, 3, 2, 10, 29)) == 0
    assert handover.handover_batches_due(at(2026, 3, 2, 10, 30)) == 1
    assert handover.handover_batches_due(at(2026, 3, 2, 10, 35)) == 0
    intake(center, item, clerk, 2, now=at(2026, 3, 2, 11))
    assert handover.handover_batches_due(at(2026, 3, 2, 15, 0)) == 1
    assert handover.handover_batches_due(at(2026, 3, 7, 15, 0)) == 0  # Saturday
    assert list(HandoverBatch.objects.order_by("id").values_list("slot", flat=True)) == [
        "morning",
        "afternoon",
    ]
    # Each batch's 材料交接单 is filed as its own document kind, numbered in its own series.
    sheets = [b.document for b in HandoverBatch.objects.order_by("id")]
    assert [d.kind for d in sheets] == ["material_handover", "material_handover"]
    assert [d.get_kind_display() for d in sheets] == ["材料交接单", "材料交接单"]
    assert [d.number.split("〔")[1] for d in sheets] == ["2026〕1号", "2026〕2号"]
    assert all("材交" in d.number for d in sheets)


def test_immediate_case_is_handed_over_at_once(center, department, clerk, approver, output_clerk):
    quick = make_item(
        center,
        department,
        "SCJG-NOW",
        "营业执照遗失补领",
        is_immediate=True,
        materials=[{"name": "申请书", "position": 1}],
    )
    case = intake(center, quick, clerk, now=at(2026, 3, 2, 9)).case
    assert case.status == Status.APPROVED
    assert (
        handover.handover_batch_create(
            department=department, slot="morning", now=at(2026, 3, 2, 11)
        )
        is None
    )
    case = output.case_result_handover(case=case, actor=approver, now=at(2026, 3, 2, 9, 30))
    assert (case.status, case.handover_due) == (Status.RESULT_HANDED, dt.date(2026, 3, 2))


def snapshot():
    return (
        list(Case.objects.values_list("status", "status_changed_at")),
        CaseEvent.objects.count(),
        Document.objects.count(),
        OutboxMessage.objects.count(),
        AuditEntry.objects.count(),
    )


FLOW_TARGETS = {
    Status.APPROVING: lambda c, a, o, now: approval.case_approval_start(case=c, actor=a, now=now),
    Status.SUSPENDED: lambda c, a, o, now: approval.case_suspend(
        case=c, kind="testing", expected_days=2, actor=a, now=now
    ),
    Status.EXTENDED: lambda c, a, o, now: approval.case_extend(
        case=c, days=2, reason="核查", head_name="王局长", actor=a, now=now
    ),
    Status.DENIED: lambda c, a, o, now: approval.case_approval_decide(
        case=c, outcome="denied", reason="不符合条件", actor=a, now=now
    ),
    Status.RESULT_HANDED: lambda c, a, o, now: output.case_result_handover(
        case=c, actor=a, now=now
    ),
    Status.OUTPUT_RECEIVED: lambda c, a, o, now: output.case_result_receive(
        case=c, ok=True, actor=o, now=now
    ),
    Status.PICKUP_NOTIFIED: lambda c, a, o, now: output.case_pickup_notify(
        case=c, actor=o, now=now
    ),
    Status.CLOSED: lambda c, a, o, now: output.case_pickup(
        case=c, signature_png=signature_png(), id_checked=True, actor=o, now=now
    ),
}
SOURCES = [s for s in Status.values if s not in (Status.SUSPENDED,)]
PAIRS = [(s, t) for s in SOURCES for t in FLOW_TARGETS]


@pytest.mark.parametrize(("source", "target"), PAIRS, ids=[f"{s}->{t}" for s, t in PAIRS])
def test_flow_transition(source, target, center, item, clerk, approver, output_clerk):
    case = intake(center, item, clerk, now=at(2026, 3, 2, 9)).case
    Case.objects.filter(pk=case.pk).update(
        status=source,
        paper_handed_over_at=at(2026, 3, 2, 10),
        accepted_on=dt.date(2026, 3, 2),
        promised_due=dt.date(2026, 3, 16),
        handover_due=dt.date(2026, 3, 13),
    )
    case = reload(case)
    now = at(2026, 3, 4, 10)
    allowed = target in Case.TRANSITIONS[source] or (
        # accepted cases start approval inside suspend/extend/decide
        source in (Status.ACCEPTED, Status.DEEMED_ACCEPTED)
        and target in (Status.SUSPENDED, Status.EXTENDED, Status.DENIED)
    )
    if target == Status.CLOSED:
        # pickup (mailed → closed is the delivery confirmation, another service); also at
        # the window before the notice went out
        allowed = source in (Status.PICKUP_NOTIFIED, Status.OUTPUT_RECEIVED)
    if allowed:
        FLOW_TARGETS[target](case, approver, output_clerk, now)
        assert reload(case).status == target
    else:
        before = snapshot()
        with pytest.raises(InvalidTransition) as raised:
            FLOW_TARGETS[target](case, approver, output_clerk, now)
        assert raised.value.status == 409 and raised.value.code == "invalid_transition"
        assert snapshot() == before
