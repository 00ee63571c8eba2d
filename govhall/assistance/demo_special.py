"""Demo data of special-group services and emergency help at the demo center HL-239901:
aids, green-channel items, emergency contacts and equipment, a drill, a few requests and
log entries (idempotent: each part is skipped when already there)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from govhall.assistance import services
from govhall.assistance.models_emergency import (
    Drill,
    EmergencyContact,
    EmergencyEquipment,
    EmergencyIncident,
)
from govhall.assistance.models_special import Aid, GreenChannelItem, SpecialRequest
from govhall.catalog.selectors import items_public
from govhall.org.demo import demo_center
from govhall.org.models import Center, User

AIDS = [
    ("wheelchair", "轮椅1号", "一楼导办台旁", True),
    ("wheelchair", "轮椅2号", "一楼无障碍入口", True),
    ("reading_glasses", "老花镜（多度数）", "各窗口台面", True),
    ("magnifier", "手持放大镜", "咨询台", True),
    ("hearing_loop", "助听感应环路", "14号特殊群体绿色通道窗口", False),
    ("sign_language", "手语视频翻译平板", "咨询台", True),
]
CONTACTS = [
    ("医疗急救", "青松县急救中心", "120", 1),
    ("火警", "消防救援", "119", 2),
    ("治安", "青松县公安局城关派出所", "110", 3),
    ("物业安保", "大厅物业值班室", "0450-51230119", 4),
]


def _staff(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _configuration(center: Center) -> list[str]:
    done = []
    if not Aid.objects.filter(center=center).exists():
        for kind, label, location, lendable in AIDS:
            Aid.objects.create(
                center=center, kind=kind, label=label, location=location, lendable=lendable
            )
        done.append(f"辅助设施 {len(AIDS)} 件")
    if not GreenChannelItem.objects.filter(center=center).exists():
        items = list(items_public(center=center)[:3])
        for item in items:
            GreenChannelItem.objects.create(
                center=center,
                item=item,
                groups=["elderly", "disabled"],
                measures="优先受理、容缺受理、可预约上门办理",
            )
        if items:
            done.append(f"绿色通道事项 {len(items)} 项")
    if not EmergencyContact.objects.filter(center=center).exists():
        for role, name, phone, order in CONTACTS:
            EmergencyContact.objects.create(
                center=center, role=role, name=name, phone=phone, order=order
            )
        done.append("应急联系电话")
    if not EmergencyEquipment.objects.filter(center=center).exists():
        today = timezone.localdate()
        EmergencyEquipment.objects.create(
            center=center,
            kind="aed",
            label="AED-1F",
            location="一楼咨询台内",
            last_checked=today - dt.timedelta(days=10),
            expires_on=today.replace(year=today.year + 1),
        )
        EmergencyEquipment.objects.create(
            center=center,
            kind="first_aid_kit",
            label="急救箱-1F",
            location="一楼咨询台内",
            last_checked=today - dt.timedelta(days=50),  # shown as overdue
            expires_on=today - dt.timedelta(days=3),  # medicines expired: shown
        )
        EmergencyEquipment.objects.create(
            center=center, kind="first_aid_kit", label="急救箱-2F", location="二楼电梯口"
        )
        done.append("应急设备 3 件")
    return done


def _records(center: Center) -> list[str]:
    guide, proxy, manager = _staff("guide1"), _staff("proxy1"), _staff("manager1")
    if guide is None or proxy is None:
        return []
    done = []
    now = timezone.now()
    if not SpecialRequest.objects.filter(center=center).exists():
        home = services.special_request_create(
            center=center,
            kind="home",
            group="elderly",
            name="王桂兰",
            phone="13845670001",
            address="青松县幸福路18号3单元501",
            description="卧床老人，办理养老保险待遇资格认证",
            actor=guide,
        )
        services.special_request_schedule(
            request=home, scheduled_at=now + dt.timedelta(days=1), staff=proxy, actor=guide
        )
        services.special_request_create(
            center=center,
            kind="accompany",
            group="disabled",
            name="刘建国",
            phone="13845670002",
            description="视力障碍，需陪同办理不动产登记",
            actor=guide,
        )
        done.append("特殊群体服务申请 2 件")
    if not EmergencyIncident.objects.filter(center=center).exists():
        services.emergency_incident_record(
            center=center,
            kind="medical",
            occurred_at=now - dt.timedelta(days=2, hours=1),
            place="一楼A区等候区",
            description="一名老年群众等候时头晕跌倒",
            helpers="赵一帆（引导）、保安",
            called="120",
            outcome="现场休息后由家属接回，120 到场检查无大碍",
            actor=guide,
        )
        services.emergency_incident_record(
            center=center,
            kind="lost_person",
            occurred_at=now - dt.timedelta(minutes=30),
            place="二楼税务窗口附近",
            description="一名儿童与家长走散",
            helpers="导办人员",
            called="大厅广播",
            actor=guide,
        )
        done.append("应急事件 2 件")
    if manager is not None and not Drill.objects.filter(center=center).exists():
        services.drill_record(
            center=center,
            held_on=timezone.localdate() - dt.timedelta(days=10),
            kind="fire",
            scenario="大厅火情疏散及 AED 使用演练",
            participants="全体窗口人员、导办人员、物业安保",
            participant_count=42,
            findings="二楼东侧疏散指示灯不亮，已报修；AED 取用用时 90 秒，达到要求",
            actor=manager,
        )
        done.append("应急演练 1 次")
    return done


def load(stdout) -> None:
    center = demo_center(accounts=True)
    done = _configuration(center) + _records(center)
    if done:
        stdout.write("特殊群体与应急：" + "，".join(done) + "。")
    else:
        stdout.write("特殊群体与应急：演示数据已存在，未做改动。")
