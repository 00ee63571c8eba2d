"""Demo cases for Cases II (called from demo.py): per demo department with an approver, one
case in every approval and output state — approving, suspended, extended, approved,
denied, handed to output, signed for, pickup notified, mailed, closed with a signature —
plus a fee order and a case past its result handover date (red on the dashboard).
Idempotent: skipped when the center already has a handover batch."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone

from govhall.cases import services
from govhall.cases.models import Case, HandoverBatch, Status
from govhall.cases.services import approval, fees, handover, output
from govhall.core import workdays
from govhall.org.models import User

FLOW_STATES = (
    Status.APPROVING,
    Status.SUSPENDED,
    Status.EXTENDED,
    Status.APPROVED,
    Status.DENIED,
    Status.RESULT_HANDED,
    Status.OUTPUT_RECEIVED,
    Status.PICKUP_NOTIFIED,
    Status.MAILED,
    Status.CLOSED,
)


def demo_signature() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (400, 150), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(30, 110), (90, 40), (150, 105), (230, 35), (310, 115), (370, 55)], "black", 5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())


def load(stdout, center, items, clerk, person, complete) -> None:
    if HandoverBatch.objects.filter(center=center).exists():
        return
    output_clerk = User.objects.filter(username="output1").first() or clerk
    today = timezone.localdate()
    back = {n: workdays.add_workdays(today, -n) for n in range(0, 8)}
    made = 0
    for n, item in enumerate(items[:3]):
        approver = User.objects.filter(username=f"approver-{item.department.code.lower()}").first()
        if approver is None:
            continue
        cases: list[Case] = []
        for k in range(10):
            mail = k == 8
            case = services.case_intake(
                center=center,
                item=item,
                channel="window",
                applicant=person(200 + n * 20 + k),
                materials=complete(item),
                window=clerk.home_window,
                delivery="mail" if mail else "pickup",
                delivery_address="青松县城关镇人民路18号3单元502室" if mail else "",
                actor=clerk,
                now=_at(back[7], 9, k),
            ).case
            case, _ = services.case_decide(
                case=case, decision="accept", actor=approver, now=_at(back[7], 10, k)
            )
            cases.append(case)
        batch = handover.handover_batch_create(
            department=item.department, slot="morning", actor=clerk, now=_at(back[6], 11)
        )
        if batch is not None:
            handover.handover_batch_sign(batch=batch, actor=approver, now=_at(back[6], 11, 30))
        # cases[0] stays approving (red when its handover date has passed).
        approval.case_suspend(
            case=cases[1],
            kind="expert_review",
            expected_days=5,
            reason="组织专家现场评审",
            actor=approver,
            now=_at(back[5], 10),
        )
        approval.case_extend(
            case=cases[2],
            days=5,
            reason="需补充现场核查",
            head_name="局长 刘建华",
            actor=approver,
            now=_at(back[5], 11),
        )
        approval.case_approval_decide(
            case=cases[4],
            outcome="denied",
            reason="经营场所不符合食品安全要求",
            actor=approver,
            now=_at(back[4], 10),
        )
        for k in range(3, 10):
            if k == 4:
                continue
            approval.case_approval_decide(
                case=cases[k],
                outcome="approved",
                result_type="licence",
                result_no=f"JY{230702 + n}{k:08d}",
                actor=approver,
                now=_at(back[4], 11, k),
            )
        for k in range(5, 10):
            output.case_result_handover(case=cases[k], actor=approver, now=_at(back[3], 10, k))
        for k in range(6, 10):
            output.case_result_receive(
                case=cases[k], ok=True, actor=output_clerk, now=_at(back[2], 9, k)
            )
        for k in (7, 9):
            output.case_pickup_notify(case=cases[k], actor=output_clerk, now=_at(back[2], 10, k))
        for k in (8, 9):
            fee = getattr(Case.objects.get(pk=cases[k].pk), "fee", None)
            if fee is not None:
                fees.fee_pay_cash(
                    order=fee, receipt_no=f"HL{n}{k:04d}", actor=output_clerk, now=_at(back[1], 9)
                )
        output.case_mail(
            case=cases[8],
            carrier="中国邮政EMS",
            tracking_no=f"EMS10{n}2026{today:%m%d}",
            actor=output_clerk,
            now=_at(back[1], 10),
        )
        output.case_pickup(
            case=Case.objects.get(pk=cases[9].pk),
            signature_png=demo_signature(),
            id_checked=True,
            actor=output_clerk,
            now=_at(back[1], 15),
        )
        made += len(cases)
    stdout.write(f"办件（审批与出件）演示数据：新建 {made} 件。")
