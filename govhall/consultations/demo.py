"""Demo consultations, wayfinding and the handled-elsewhere details for the demo center
HL-239901 (idempotent: each part is skipped when already there)."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from govhall.catalog.models import ServiceItem
from govhall.catalog.services import guide_draft_create, guide_publish, guide_update
from govhall.consultations import services
from govhall.consultations.models import CenterSettings, Consultation, Place
from govhall.consultations.phrases import seed_phrases
from govhall.core import workdays
from govhall.org.demo import demo_center
from govhall.org.models import Department, User, Zone

# kind, name, floor, zone code, windows, directions
PLACES = [
    ("consultation", "咨询台/导服台", "1F", "A", "12", "进入大厅正门即到，工作人员为您指引"),
    ("window", "无差别综合窗口", "1F", "A", "1-6", "进门左手，A区等候区正前方"),
    ("window", "出件、帮代办、反映窗口", "1F", "A", "10、11、13", "A区等候区东侧"),
    ("window", "特殊群体绿色通道", "1F", "A", "14", "正门右侧第一个窗口，老年人、残疾人、孕妇优先"),
    ("window", "不动产、户政窗口", "1F", "B", "7-8", "进门右手，B区等候区"),
    ("window", "税务窗口", "2F", "C", "9", "乘电梯至二楼，出电梯左转"),
    ("waiting", "A区等候区", "1F", "A", "", "进门左手，座位区设叫号屏"),
    ("self_service", "自助服务区", "1F", "SELF", "", "大厅正门东侧，24小时开放"),
    ("restroom", "卫生间（含无障碍卫生间）", "1F", "", "", "大厅西侧走廊尽头"),
    ("restroom", "卫生间", "2F", "", "", "二楼电梯口右侧"),
    ("accessible", "无障碍入口", "1F", "", "", "大厅正门右侧坡道，设呼叫按钮"),
    ("first_aid", "急救药箱、AED", "1F", "", "", "咨询台内，需要时请告知工作人员"),
    ("other", "母婴室/休息区", "1F", "FUNC", "", "大厅西北角"),
]

ELSEWHERE = {
    "MZJ-001": dict(
        outside_address="青松县文化路18号民政服务大楼一楼",
        outside_hours="工作日 8:30—11:30，13:30—16:30（法定节假日除外）",
        outside_phone="0450-51239000",
        following=["GAJ-001"],
    ),
    "ZJJ-003": dict(
        outside_address="青松县中央大街56号",
        outside_hours="工作日 8:30—16:30",
        outside_phone="0450-51238800",
        preceding=["BDC-002"],
    ),
}


def _plan_png(center_name: str) -> bytes:
    """A schematic floor plan (boxes and labels) drawn with the document font."""
    from PIL import Image, ImageDraw, ImageFont

    from govhall.documents.pdf import installed_font_path

    image = Image.new("RGB", (900, 520), "white")
    draw = ImageDraw.Draw(image)
    path = installed_font_path()
    small = ImageFont.truetype(path, 15) if path else ImageFont.load_default()
    draw.rectangle([10, 10, 890, 510], outline="#334e68", width=4)
    boxes = [
        ((30, 30, 420, 200), "#e3f2fd", "1—6号无差别综合窗口"),
        ((440, 30, 640, 200), "#e8f5e9", "7—8号 不动产/户政"),
        ((660, 30, 870, 200), "#fff3e0", "10出件 11帮代办 13反映"),
        ((30, 230, 420, 400), "#f5f5f5", "A区等候区"),
        ((440, 230, 640, 400), "#f5f5f5", "B区等候区"),
        ((660, 230, 870, 330), "#ede7f6", "自助服务区"),
        ((660, 350, 870, 400), "#fce4ec", "卫生间（西侧走廊）"),
        ((330, 430, 570, 500), "#fffde7", "12 咨询台 · 正门"),
        ((30, 430, 210, 500), "#e0f7fa", "无障碍入口（坡道）"),
        ((660, 430, 870, 500), "#ffebee", "14 绿色通道"),
    ]
    for box, fill, label in boxes:
        draw.rectangle(box, fill=fill, outline="#52606d", width=2)
        draw.text((box[0] + 8, box[1] + 10), label, fill="#102a43", font=small)
    draw.text(
        (30, 405), f"{center_name} 一层平面示意图（二层：9号税务窗口）", fill="#52606d", font=small
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _wayfinding(center, stdout) -> None:
    settings_row, _ = CenterSettings.objects.get_or_create(center=center)
    if not settings_row.floor_plan:
        settings_row.floor_plan.save(f"{center.code}.png", ContentFile(_plan_png(center.name)))
        settings_row.floor_plan_note = "一层平面示意图；二层为税务窗口与C区等候区。"
        settings_row.save()
    if Place.objects.filter(center=center).exists():
        return
    zones = {z.code: z for z in Zone.objects.filter(center=center)}
    for n, (kind, name, floor, zone, windows, directions) in enumerate(PLACES):
        Place.objects.create(
            center=center,
            kind=kind,
            name=name,
            floor=floor,
            zone=zones.get(zone),
            windows=windows,
            directions=directions,
            position=n,
        )
    stdout.write(f"导视：{len(PLACES)} 个位置和平面示意图。")


def _elsewhere(center, stdout) -> None:
    for code, extra in ELSEWHERE.items():
        item = (
            ServiceItem.objects.filter(code=code, center=center).select_related("published").first()
        )
        if item is None or item.published is None or item.published.outside_address:
            continue
        with transaction.atomic():
            draft = guide_draft_create(item=item)
            fields = {k: v for k, v in extra.items() if k.startswith("outside_")}
            guide_update(guide=draft, **fields)
            for attr, key in (("preceding_items", "preceding"), ("following_items", "following")):
                linked = ServiceItem.objects.filter(code__in=extra.get(key, []), center=center)
                getattr(draft, attr).set(linked)
            guide_publish(guide=draft)
        stdout.write(f"不在本中心办理事项“{item.name}”：地址、时间、电话及前后环节。")


def _consultations(center, stdout) -> None:
    if Consultation.objects.filter(center=center).exists():
        return
    consult = User.objects.filter(username="consult1").first()
    clerk = User.objects.filter(username="clerk1").first()
    if consult is None or clerk is None:
        stdout.write("咨询演示数据：缺少演示账号，跳过。")
        return
    tz = timezone.get_default_timezone()
    today = timezone.localtime(timezone.now(), tz).date()
    back = workdays.add_workdays(today, -6)

    def at(day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, 20), tzinfo=tz)

    items = {i.code: i for i in ServiceItem.objects.filter(center=center)}
    services.consultation_record(
        center=center,
        channel="desk",
        question="办理个体工商户营业执照需要带什么？",
        item=items.get("SCJG-001"),
        answered_now=True,
        answer="带身份证原件即可，现场填写申请书，当场办结。",
        actor=consult,
        now=at(today, 9),
    )
    late = services.consultation_record(
        center=center,
        channel="phone",
        question="退休人员异地就医备案能否电话办理？",
        name="刘淑芬",
        phone="13845670011",
        actor=consult,
        now=at(back, 10),
    )
    services.consultation_transfer(
        consultation=late,
        to_department=Department.objects.get(center=center, code="YBJ").pk,
        note="请医保局确认电话备案政策",
        actor=consult,
        now=at(back, 11),
    )
    services.consultations_flag_overdue(now=timezone.now())
    pending = services.consultation_record(
        center=center,
        channel="phone",
        question="二手房过户契税怎么计算？",
        item=items.get("BDC-002"),
        name="王建军",
        phone="13845670012",
        actor=clerk,
        now=at(today, 10),
    )
    services.consultation_transfer(
        consultation=pending,
        to_department=Department.objects.get(center=center, code="SWJ").pk,
        note="税费计算请税务窗口答复",
        actor=clerk,
        now=at(today, 10),
    )
    replied = services.consultation_record(
        center=center,
        channel="letter",
        question="来信询问：公积金租房提取每年可提取几次？",
        item=items.get("ZJJ-003"),
        name="赵丽",
        phone="13845670013",
        actor=consult,
        now=at(back, 14),
    )
    services.consultation_reply(
        consultation=replied,
        answer="租房提取每年可办理一次，具体请到公积金管理部办理。",
        channel="sms",
        actor=consult,
        now=at(workdays.add_workdays(back, 1), 9),
    )
    services.online_consultation_submit(
        center=center,
        question="周六能不能来办理身份证？",
        name="陈先生",
        phone="13845670014",
        now=at(today, 8),
    )
    services.consultation_record(
        center=center,
        channel="desk",
        kind="rescue",
        question="一位老人在等候区感到头晕。",
        action_taken="扶至休息区，测量血压，联系家属；拨打120后老人好转未送医。",
        passed_to="家属（电话已告知）",
        answered_now=True,
        answer="已协助处理",
        actor=consult,
        now=at(today, 11),
    )
    stdout.write("咨询演示数据：当场答复、台账、转办、逾期、短信答复、网上咨询、求助记录。")


def load(stdout) -> None:
    center = demo_center()
    seed_phrases()
    _wayfinding(center, stdout)
    _elsewhere(center, stdout)
    _consultations(center, stdout)
