"""Demo cases for the demo center HL-239901: every state across the demo departments, taken
in and decided through the services with the clock set back (idempotent: skipped when the
center already has cases)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from govhall.cases import demo_flow, services
from govhall.cases.models import Case, RemedyBodies
from govhall.catalog.models import ServiceItem
from govhall.core import workdays
from govhall.core.validators import id_card_check_char
from govhall.org.demo import demo_center
from govhall.org.models import User

NAMES = ["赵建国", "钱秀兰", "孙志强", "李桂芳", "周明", "吴海燕", "郑国庆", "王淑珍", "冯立军"]


def _person(n: int) -> services.ApplicantIn:
    first17 = f"2307021985{(n % 12) + 1:02d}{(n % 27) + 1:02d}{n:03d}"
    return services.ApplicantIn(
        kind="person",
        name=NAMES[n % len(NAMES)],
        id_type="resident_id",
        id_number=first17 + id_card_check_char(first17),
        phone=f"1384567{n:04d}",
    )


def _complete(item: ServiceItem) -> list[services.MaterialIn]:
    return [
        services.MaterialIn(material_id=m.pk, copies=m.copies, original_checked=True)
        for m in item.published.materials.order_by("position", "id")
    ]


def _moment(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())


def load(stdout) -> None:
    center = demo_center()
    if Case.objects.filter(center=center).exists():
        stdout.write("办件演示数据已存在，跳过。")
        return
    clerk = User.objects.filter(username="clerk1").first()
    items = list(
        ServiceItem.objects.filter(
            center=center, is_active=True, published__isnull=False, published__is_immediate=False
        )
        .select_related("department", "published")
        .order_by("department__code", "code")
    )
    if clerk is None or not items:
        stdout.write("办件演示数据：缺少演示账号或事项，跳过。")
        return
    for item in {i.department_id: i for i in items}.values():
        RemedyBodies.objects.get_or_create(
            department=item.department,
            defaults={"reconsideration_body": "青松县人民政府", "court": "青松县人民法院"},
        )
    today = timezone.localdate()
    back = {n: workdays.add_workdays(today, -n) for n in (1, 2, 3, 8, 12, 20)}
    per_department: dict[int, ServiceItem] = {}
    for item in items:
        per_department.setdefault(item.department_id, item)
    made = 0
    for n, item in enumerate(per_department.values()):
        approver = User.objects.filter(username=f"approver-{item.department.code.lower()}").first()
        if approver is None:
            continue
        base = n * 10

        def take(k: int, day: dt.date, item=item, base=base) -> Case:
            return services.case_intake(
                center=center,
                item=item,
                channel="window",
                applicant=_person(base + k),
                materials=_complete(item),
                window=clerk.home_window,
                actor=clerk,
                now=_moment(day, 10),
            ).case

        take(0, today)  # received, due later
        take(1, back[3])  # received, due soon
        accepted = take(2, back[2])
        services.case_decide(
            case=accepted, decision="accept", actor=approver, now=_moment(back[1], 9)
        )
        rejected = take(3, back[3])
        services.case_decide(
            case=rejected,
            decision="reject",
            reason="申请人不具备申请资格",
            actor=approver,
            now=_moment(back[2], 15),
        )
        first = item.published.materials.order_by("position", "id").first()
        waiting = take(4, back[2])
        services.case_decide(
            case=waiting,
            decision="correct",
            items=[{"material_id": first.pk, "reason": "需申请人本人签字"}],
            actor=approver,
            now=_moment(back[1], 11),
        )
        overdue = take(5, back[20])
        services.case_decide(
            case=overdue,
            decision="correct",
            items=[{"material_id": first.pk, "reason": "复印件不清晰"}],
            actor=approver,
            now=_moment(back[20], 16),
        )
        if n % 2 == 0:
            services.case_return(
                case=overdue,
                materials_returned="申请材料一套",
                signed_by=_person(base + 5).name,
                actor=approver,
                now=_moment(back[1], 10),
            )
        withdrawn = take(6, back[1])
        services.case_withdraw(
            case=withdrawn, reason="申请人要求撤回", actor=clerk, now=_moment(back[1], 14)
        )
        take(7, back[12])  # left without a decision: deemed accepted by the sweep below
        made += 8
    immediate = (
        ServiceItem.objects.filter(center=center, is_active=True, published__is_immediate=True)
        .select_related("published")
        .order_by("code")
        .first()
    )
    if immediate is not None:  # 即办件: accepted and approved at the window
        services.case_intake(
            center=center,
            item=immediate,
            channel="window",
            applicant=_person(99),
            materials=_complete(immediate),
            window=clerk.home_window,
            actor=clerk,
            now=_moment(back[1], 15),
        )
        made += 1
    services.cases_deem_accepted(now=timezone.now())
    stdout.write(f"办件演示数据：新建 {made} 件（{center.name}）。")
    demo_flow.load(stdout, center, list(per_department.values()), clerk, _person, _complete)
