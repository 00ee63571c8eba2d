"""The printable one-time notice (一次性告知单, 6.1.2) of an item's published guide."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from govhall.catalog.models import ServiceItem
from govhall.documents.pdf import PdfDocument


def guide_url(item: ServiceItem) -> str:
    return settings.SITE_URL + reverse("catalog:item", args=[item.code])


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def render_notice(item: ServiceItem, *, now=None) -> bytes:
    guide = item.published
    today = timezone.localdate(now or timezone.now())
    center = item.center
    doc = PdfDocument(
        center_name=center.name,
        number=f"{item.code} 第{guide.version}版",
        date=today,
        qr_url=guide_url(item),
        qr_caption="扫码查看办事指南",
        footer=f"{center.name} · 一次性告知单 · {item.name}",
        subject=f"{item.name} 一次性告知单",
    )
    doc.title(f"{item.name}\n一次性告知单")
    doc.paragraph(
        "您好！办理本事项需要的全部材料和要求一次告知如下。材料齐全、符合法定形式的，"
        "窗口当场受理；如需补正，我们将一次性书面告知需补正的全部内容。",
        indent=True,
    )
    doc.heading("一、基本信息")
    limits = (
        "即办件（当场办结）"
        if guide.is_immediate
        else (
            f"法定时限 {guide.legal_limit_days} 个工作日；"
            f"承诺时限 {guide.promised_limit_days} 个工作日"
        )
    )
    fees = (
        f"收费：{guide.fee_amount} 元。收费依据：{guide.fee_basis or '—'}"
        if guide.fee_required
        else "不收费"
    )
    doc.key_values(
        [
            ("事项名称", item.name),
            ("事项编码", item.code),
            ("实施部门", item.department.name),
            ("事项类型", item.get_kind_display()),
            ("设定依据", guide.basis),
            ("受理条件", guide.conditions),
            ("办理时限", limits),
            *(
                []
                if guide.is_immediate
                else [("受理审查时限", f"{guide.acceptance_limit_days} 个工作日")]
            ),
            ("收费标准", fees),
            ("办理结果", f"{guide.get_result_type_display()}：{guide.result_name or '—'}"),
        ]
    )
    doc.heading("二、申请材料（★为必要材料）")
    rows = [["序号", "材料名称", "必要", "形式", "份数", "原件", "备注"]]
    for n, m in enumerate(guide.materials.order_by("position", "id"), start=1):
        rows.append(
            [
                str(n),
                ("★" if m.required else "") + m.name,
                "必要" if m.required else "非必要",
                m.get_form_display(),
                str(m.copies),
                "需原件" if m.original_required else "—",
                m.notes or "",
            ]
        )
    if len(rows) == 1:
        rows.append(["—", "无需提交材料", "", "", "", "", ""])
    doc.table(rows, col_widths=[11, 48, 15, 22, 11, 15, 48])
    doc.heading("三、办理地点与方式")
    where = []
    if guide.handled_here:
        where.append(("办理地点", f"{center.name}　{guide.handling_place}"))
        if center.address:
            where.append(("中心地址", center.address))
    else:
        where.append(("办理地点", f"本事项不在本中心办理：{guide.outside_place}"))
        for label, value in (
            ("地址", guide.outside_address),
            ("办公时间", guide.outside_hours),
            ("联系电话", guide.outside_phone),
        ):
            if value:
                where.append((label, value))
        where.append(("办理路径", guide.outside_path))
    for label, text, linked in (
        ("前序环节", guide.preceding_steps, guide.preceding_items.all()),
        ("后续环节", guide.following_steps, guide.following_items.all()),
    ):
        names = "、".join(f"{i.name}（{i.code}）" for i in linked)
        value = "；".join(v for v in (text, f"相关事项：{names}" if names else "") if v)
        if value:
            where.append((label, value))
    if guide.procedure:
        where.append(("办理流程", guide.procedure))
    ways = [
        "可网上办理" + (f"（{guide.online_url}）" if guide.online_url else "")
        if guide.online_available
        else "",
        "可在自助服务区自助终端办理" if guide.self_service_available else "",
        "可预约办理" if guide.appointment_available else "",
        "结果可邮寄送达" if guide.mail_delivery_available else "",
        f"最多跑 {guide.max_visits} 次",
    ]
    where.append(("办理方式", "；".join(w for w in ways if w)))
    where.append(("办公时间", center.opening_hours or _hours(center)))
    where.append(
        (
            "咨询电话",
            guide.consultation_phone or item.department.phone or center.phone or "—",
        )
    )
    where.append(("投诉电话", guide.complaint_phone or center.complaint_phone or "—"))
    doc.key_values(where)
    doc.paragraph(
        "扫描右上角二维码可随时查看本事项最新办事指南。本告知单依据当前公开的办事指南"
        f"第{guide.version}版生成。",
        small=True,
    )
    doc.signature_block(issuer=center.name, date=today, seal_text="")
    return doc.render()


def _hours(center) -> str:
    return (
        f"法定工作日 上午 {center.morning_open:%H:%M}—{center.morning_close:%H:%M}，"
        f"下午 {center.afternoon_open:%H:%M}—{center.afternoon_close:%H:%M}"
    )
