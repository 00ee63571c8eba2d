"""The whole life of a case (issue 20, "Must show"): intake → accept → paper batch signed →
approval with one suspension and one extension → result handover → received by output →
pickup notice → pickup with signature → closed, across the 2026 Spring Festival (holiday
15–23 February, 调休 working Saturdays 14 and 28 February). Every date is hand-computed in
the comments; then the refusal paths and their way back."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine

from govhall.cases.models import Case, CaseEvent, CaseProblem, CaseRelease, HandoverBatch, Status
from govhall.cases.services import approval, case_decide, handover, output
from govhall.core.errors import InvalidTransition
from govhall.documents.models import Document
from govhall.notifications.models import OutboxMessage

from .conftest import at, intake, pdf_text
from .flow_fixtures import *  # noqa: F403
from .flow_fixtures import reload, signature_png

pytestmark = pytest.mark.django_db

D = dt.date


def flat_pdf(data: bytes) -> str:
    return "".join(pdf_text(data).split())


def test_whole_life_across_spring_festival(center, department, item, clerk, approver, output_clerk):
    # Tue 10 Feb 09:00: received at the window, every material on paper.
    with time_machine.travel(at(2026, 2, 10, 9), tick=False):
        case = intake(center, item, clerk, now=at(2026, 2, 10, 9)).case
    assert case.status == Status.RECEIVED

    # Wed 11 Feb: accepted. Promised limit 10 working days after 11 Feb: 12, 13, 14 (调休
    # Saturday), [15–23 holiday], 24, 25, 26, 27, 28 (调休 Saturday), 2 Mar, 3 Mar → 3 Mar.
    case, _ = case_decide(case=case, decision="accept", actor=approver, now=at(2026, 2, 11, 10))
    assert case.promised_due == D(2026, 3, 3)

    # Paper still with the window: approval cannot start.
    with pytest.raises(InvalidTransition):
        approval.case_suspend(
            case=case, kind="inspection", expected_days=3, actor=approver, now=at(2026, 2, 11, 11)
        )

    # 16:00 afternoon batch; the department signs it → approving; result handover due one
    # working day before 3 Mar → Mon 2 Mar (Sat 28 Feb is a 调休 working day, but 2 Mar is
    # the last working day before 3 Mar).
    batch = handover.handover_batch_create(
        department=department, slot="afternoon", actor=clerk, now=at(2026, 2, 11, 16)
    )
    assert [line.case_id for line in batch.lines.all()] == [case.pk]
    assert "纸质材料交接单" in flat_pdf(batch.document.file.read())
    handover.handover_batch_sign(batch=batch, actor=approver, now=at(2026, 2, 11, 16, 30))
    case = reload(case)
    assert case.status == Status.APPROVING
    assert case.handover_due == D(2026, 3, 2)
    assert HandoverBatch.objects.get(pk=batch.pk).status == "signed"

    # Fri 13 Feb: 检验 for an expected 3 working days; notice + SMS.
    case, suspension = approval.case_suspend(
        case=case, kind="inspection", expected_days=3, actor=approver, now=at(2026, 2, 13, 10)
    )
    assert case.status == Status.SUSPENDED
    assert "预计需要3个工作日" in flat_pdf(suspension.notice.file.read())
    assert OutboxMessage.objects.filter(template="case_suspended", to=case.phone).count() == 1

    # Wed 25 Feb: resumed. Working days from 13 Feb up to (not incl.) 25 Feb: 13, 14 (调休),
    # 24 → 3. Promised 3 Mar + 3 working days → 4, 5, 6 → Fri 6 Mar; handover Thu 5 Mar.
    case = approval.case_resume(case=case, actor=approver, now=at(2026, 2, 25, 9))
    assert case.status == Status.APPROVING
    assert case.suspended_days == 3
    assert (case.promised_due, case.handover_due) == (D(2026, 3, 6), D(2026, 3, 5))

    # Thu 26 Feb: extended by 5 working days with the head's approval: 9–13 Mar → Fri 13
    # Mar; handover Thu 12 Mar. SMS with the reason.
    case, extension = approval.case_extend(
        case=case,
        days=5,
        reason="需现场核查经营场所",
        head_name="王局长",
        actor=approver,
        now=at(2026, 2, 26, 15),
    )
    assert case.status == Status.EXTENDED
    assert (case.promised_due, case.handover_due) == (D(2026, 3, 13), D(2026, 3, 12))
    assert (extension.promised_before, extension.head_name) == (D(2026, 3, 6), "王局长")
    sms = OutboxMessage.objects.get(template="case_extended")
    assert "需现场核查经营场所" in sms.body and "2026年03月13日" in sms.body

    # Tue 10 Mar: approved; Wed 11 Mar: result and 交接凭证 to the output window.
    case, result = approval.case_approval_decide(
        case=case,
        outcome="approved",
        result_type="licence",
        result_no="JY12301020000001",
        actor=approver,
        now=at(2026, 3, 10, 10),
    )
    assert (case.status, result.decided_on) == (Status.APPROVED, D(2026, 3, 10))
    case = output.case_result_handover(case=case, actor=approver, now=at(2026, 3, 11, 10))
    assert case.status == Status.RESULT_HANDED
    voucher = reload(case).result.voucher
    assert "JY12301020000001" in flat_pdf(voucher.file.read())

    # Thu 12 Mar: signed for; pickup notice due one working day later → Fri 13 Mar.
    case = output.case_result_receive(
        case=case, ok=True, actor=output_clerk, now=at(2026, 3, 12, 9)
    )
    assert (case.output_received_on, case.pickup_notice_due) == (D(2026, 3, 12), D(2026, 3, 13))
    case = output.case_pickup_notify(case=case, actor=output_clerk, now=at(2026, 3, 12, 10))
    assert case.status == Status.PICKUP_NOTIFIED
    assert OutboxMessage.objects.filter(template="pickup_ready", to=case.phone).count() == 1

    # Fri 13 Mar: picked up against a signature → closed; 领取签收单 shows the signature.
    png = signature_png()
    case, release = output.case_pickup(
        case=case, signature_png=png, id_checked=True, actor=output_clerk, now=at(2026, 3, 13, 9)
    )
    assert case.status == Status.CLOSED
    assert release.signature_sha256 == hashlib.sha256(png).hexdigest()
    assert release.signature.sha256 == release.signature_sha256
    receipt = release.receipt.file.read()
    assert release.signature_sha256 in flat_pdf(receipt)
    assert b"/Subtype /Image" in receipt or b"/Subtype/Image" in receipt

    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == [
        "received",
        "accepted",
        "approval_started",
        "suspended",
        "resumed",
        "extended",
        "approved",
        "result_handed",
        "result_received",
        "pickup_notified",
        "picked_up",
    ]
    kinds = set(Document.objects.filter(related_id=str(case.pk)).values_list("kind", flat=True))
    assert {
        "special_procedure_notice",
        "extension_notice",
        "handover_voucher",
        "pickup_receipt",
    } <= kinds


def _approving(center, department, item, clerk, approver, n=1):
    case = intake(center, item, clerk, n, now=at(2026, 3, 2, 9)).case
    case, _ = case_decide(case=case, decision="accept", actor=approver, now=at(2026, 3, 2, 10))
    return case


def test_batch_discrepancy_goes_back_to_the_window_and_into_the_next_batch(
    center, department, item, clerk, approver
):
    first = _approving(center, department, item, clerk, approver, 1)
    second = _approving(center, department, item, clerk, approver, 2)
    batch = handover.handover_batch_create(
        department=department, slot="morning", actor=clerk, now=at(2026, 3, 3, 11)
    )
    handover.handover_batch_sign(
        batch=batch,
        discrepancies={first.pk: "经营场所平面图少1份"},
        actor=approver,
        now=at(2026, 3, 3, 11, 30),
    )
    first, second = reload(first), reload(second)
    assert (first.status, first.paper_handed_over_at) == (Status.ACCEPTED, None)
    assert second.status == Status.APPROVING
    problem = CaseProblem.objects.get(case=first)
    assert (problem.source, problem.text) == ("batch", "经营场所平面图少1份")
    # Not in the afternoon batch while the problem is open …
    assert (
        handover.handover_batch_create(
            department=department, slot="afternoon", now=at(2026, 3, 3, 16)
        )
        is None
    )
    # … and in the next one once the window resolved it.
    handover.case_problem_resolve(
        problem=problem, resolution="已补齐1份", actor=clerk, now=at(2026, 3, 4, 9)
    )
    batch2 = handover.handover_batch_create(
        department=department, slot="morning", now=at(2026, 3, 4, 11)
    )
    assert [line.case_id for line in batch2.lines.all()] == [first.pk]
    handover.handover_batch_sign(batch=batch2, actor=approver, now=at(2026, 3, 4, 11, 5))
    assert reload(first).status == Status.APPROVING


def test_output_refuses_result_and_department_hands_it_again(
    center, department, item, clerk, approver, output_clerk
):
    case = _approving(center, department, item, clerk, approver)
    Case.objects.filter(pk=case.pk).update(paper_handed_over_at=at(2026, 3, 2, 11))
    case, _ = approval.case_approval_decide(
        case=reload(case),
        outcome="approved",
        result_no="JY-0002",
        actor=approver,
        now=at(2026, 3, 5, 10),
    )
    case = output.case_result_handover(case=case, actor=approver, now=at(2026, 3, 5, 11))
    case = output.case_result_receive(
        case=case,
        ok=False,
        problem="许可证上的经营地址与申请不一致",
        actor=output_clerk,
        now=at(2026, 3, 5, 14),
    )
    assert case.status == Status.APPROVED
    assert CaseProblem.objects.get(case=case, source="result").text.startswith("许可证上")
    case = output.case_result_handover(case=case, actor=approver, now=at(2026, 3, 6, 9))
    case = output.case_result_receive(
        case=case, ok=True, actor=output_clerk, now=at(2026, 3, 6, 10)
    )
    assert case.status == Status.OUTPUT_RECEIVED
    assert Document.objects.filter(kind="handover_voucher").count() == 2  # voucher re-issued
    assert CaseRelease.objects.count() == 0
