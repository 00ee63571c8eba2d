"""Demo 帮办 records and 代办 in every state at the demo center HL-239901 (idempotent:
skipped when the center already has 代办), made through the services with the clock set
back, so `make run` shows a living assistance console and register."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from PIL import Image, ImageDraw

from govhall.assistance import services
from govhall.assistance.models import ProxyCase
from govhall.cases.services import MaterialIn
from govhall.cases.services import output as case_output
from govhall.catalog.models import ServiceItem
from govhall.core import workdays
from govhall.core.validators import id_card_check_char
from govhall.org.demo import demo_center
from govhall.org.models import User

PEOPLE = ["刘玉珍", "陈德福", "杨秀英", "黄志明", "何淑芬", "罗建华"]
# The demo proxy's own ID number (printed masked on the 委托书).
PROXY_FIRST17 = "23070219860315012"


def _signature(seed: int) -> bytes:
    image = Image.new("RGBA", (600, 220), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [(30 + k * 60, 150 - ((k + seed) % 3) * 45) for k in range(10)]
    draw.line(points, "black", 5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _id(n: int) -> str:
    first17 = f"2307021958{(n % 12) + 1:02d}{(n % 27) + 1:02d}{n:03d}"
    return first17 + id_card_check_char(first17)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())


def _complete(item: ServiceItem) -> list[MaterialIn]:
    return [
        MaterialIn(material_id=m.pk, copies=m.copies, original_checked=True)
        for m in item.published.materials.order_by("position", "id")
    ]


def load(stdout) -> None:
    center = demo_center()
    if ProxyCase.objects.filter(center=center).exists():
        stdout.write("帮办代办演示数据已存在，跳过。")
        return
    proxy = User.objects.filter(username="proxy1").first()
    items = list(
        ServiceItem.objects.filter(center=center, is_active=True, published__isnull=False)
        .select_related("department", "published")
        .order_by("department__code", "code")
    )
    if proxy is None or not items:
        stdout.write("帮办代办演示数据：缺少演示账号或事项，跳过。")
        return
    today = timezone.localdate()
    back = {n: workdays.add_workdays(today, -n) for n in (0, 1, 2, 3, 5)}
    for n, (actions, minutes, outcome, forms) in enumerate(
        [
            (["explained", "materials"], 15, "ready", []),
            (["forms"], 25, "submitted", ["个体工商户登记申请书", "经营场所使用承诺书"]),
            (["coordinated"], 40, "resolved", []),
            (["explained"], 8, "to_proxy", []),
        ]
    ):
        services.help_record_create(
            center=center,
            person_name=PEOPLE[n],
            item=items[n % len(items)],
            actions=actions,
            forms_filled=forms,
            minutes=minutes,
            outcome=outcome,
            actor=proxy,
            now=_at(back[n % 3], 9 + n),
        )
    regular = [i for i in items if not i.published.is_immediate]
    immediate = [i for i in items if i.published.is_immediate]

    def apply(k: int, item: ServiceItem, day: dt.date) -> ProxyCase:
        return services.proxy_apply(
            center=center,
            item=item,
            applicant_name=PEOPLE[k % len(PEOPLE)],
            id_type="resident_id",
            id_number=_id(k),
            phone=f"1394512{k:04d}",
            materials=[
                services.MaterialLine(m.name, m.copies or 1, m.original_required)
                for m in item.published.materials.order_by("position", "id")
            ],
            actor=proxy,
            now=_at(day, 9),
        )

    def sign(p: ProxyCase, day: dt.date, seed: int) -> ProxyCase:
        return services.proxy_sign(
            proxy_case=p,
            applicant_signature=_signature(seed),
            proxy_signature=_signature(seed + 1),
            proxy_id_number=PROXY_FIRST17 + id_card_check_char(PROXY_FIRST17),
            actor=proxy,
            now=_at(day, 10),
        )

    made = 0
    item = (regular or items)[0]
    apply(1, item, back[0])  # applied, the 委托书 still to sign
    sign(apply(2, item, back[1]), back[1], 2)  # authorised
    chasing = services.proxy_take_in(
        proxy_case=sign(apply(3, item, back[3]), back[3], 3), materials=_complete(item),
        actor=proxy, now=_at(back[3], 11),
    ).proxy_case  # fmt: skip
    services.proxy_note_add(
        proxy_case=chasing, kind="chase", department=item.department, method="phone",
        content="催办受理审查进度", answer="材料已在审查，两个工作日内出具决定",
        actor=proxy, now=_at(back[1], 15),
    )  # fmt: skip
    stopped = sign(apply(4, item, back[5]), back[5], 4)
    services.proxy_terminate(
        proxy_case=stopped, kind="withdrawn", reason="申请人决定暂缓办理，已说明可随时重新委托",
        returned=[m["name"] for m in stopped.materials], signature_png=_signature(9),
        actor=proxy, now=_at(back[3], 16),
    )  # fmt: skip
    made += 4
    approver = User.objects.filter(
        username=f"approver-{immediate[0].department.code.lower()}" if immediate else ""
    ).first()
    output_clerk = User.objects.filter(username="output1").first()
    if immediate and approver is not None and output_clerk is not None:
        done = services.proxy_take_in(
            proxy_case=sign(apply(5, immediate[0], back[2]), back[2], 5),
            materials=_complete(immediate[0]), actor=proxy, now=_at(back[2], 11),
        ).proxy_case  # fmt: skip
        case = case_output.case_result_handover(
            case=done.case, actor=approver, now=_at(back[2], 14)
        )
        case_output.case_result_receive(
            case=case, ok=True, actor=output_clerk, now=_at(back[2], 15)
        )
        done = services.proxy_deliver(
            proxy_case=done, method="hand", signature_png=_signature(7), id_checked=True,
            actor=proxy, now=_at(back[1], 10),
        )  # fmt: skip
        services.proxy_file(proxy_case=done, actor=proxy, now=_at(back[1], 11))
        made += 1
    stdout.write(f"帮办代办演示数据：帮办 4 条，代办 {made} 件（{center.name}）。")
