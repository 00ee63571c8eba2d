"""The appointment confirmation as a PDF (ReportLab, embedded Chinese font, segno QR code).

Kept in this one module so it can move onto the documents app once that exists.
"""

from __future__ import annotations

import io
import logging
import os
from typing import Any

import segno
from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from govhall.appointments.selectors import public_id_number, public_phone
from govhall.core.masking import mask_name

logger = logging.getLogger(__name__)
DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
FONT_NAME = "GovhallCJK"
_font: str | None = None


def chinese_font() -> str:
    """Register the embedded Chinese TTF once; fall back to the built-in (not embedded)
    STSong-Light with a logged warning, because a PDF with blank text is worse than none."""
    global _font
    if _font:
        return _font
    path = getattr(settings, "PDF_FONT_PATH", "") or DEFAULT_FONT
    if os.path.exists(path):
        pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
        _font = FONT_NAME
    else:
        logger.warning("Chinese font %s not found; using STSong-Light (not embedded)", path)
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        _font = "STSong-Light"
    return _font


def qr_png(data: str, scale: int = 4) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=scale, border=2)
    buffer.seek(0)
    return buffer


def qr_svg(data: str, scale: int = 4) -> str:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=False)
    return buffer.getvalue().decode()


def confirmation_pdf(appointment: Any, materials: list[dict[str, Any]], link: str) -> bytes:
    font = chinese_font()
    title = ParagraphStyle("t", fontName=font, fontSize=18, leading=24, alignment=1)
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=16)
    small = ParagraphStyle("s", fontName=font, fontSize=9, leading=13, textColor=colors.grey)
    start = timezone.localtime(appointment.slot_start)
    end = timezone.localtime(appointment.slot_end)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"预约确认单 {appointment.code}",
        author=appointment.center.name,
    )
    story: list[Any] = [
        Paragraph(appointment.center.name, title),
        Paragraph("预约确认单（一次性告知）", title),
        Spacer(1, 6 * mm),
    ]
    rows = [
        ["预约码", appointment.code],
        ["办理事项", appointment.item.name],
        ["预约时间", f"{start:%Y年%m月%d日} {start:%H:%M}–{end:%H:%M}"],
        ["办理地点", appointment.place()],
        ["预约人", mask_name(appointment.name)],
        ["证件号码", public_id_number(appointment.id_number)],
        ["联系电话", public_phone(appointment.phone)],
        ["预约渠道", appointment.get_channel_display()],
        ["状态", appointment.get_status_display()],
    ]
    info = Table(
        [[Paragraph(k, body), Paragraph(v, body)] for k, v in rows],
        colWidths=[28 * mm, 100 * mm],
    )
    info.setStyle(_grid())
    qr = Image(qr_png(link), width=40 * mm, height=40 * mm)
    story.append(
        Table(
            [[info, qr]], colWidths=[130 * mm, 44 * mm], style=[("VALIGN", (0, 0), (-1, -1), "TOP")]
        )
    )
    story.append(Spacer(1, 5 * mm))
    story.append(Paragraph("请携带以下材料（以办事指南为准）：", body))
    header = [Paragraph(h, body) for h in ("序号", "材料名称", "必要", "形式", "份数", "备注")]
    lines = [header]
    for n, m in enumerate(materials, 1):
        note = m["notes"] + ("（需原件）" if m["original_required"] else "")
        lines.append(
            [
                Paragraph(str(n), body),
                Paragraph(m["name"], body),
                Paragraph("必要" if m["required"] else "非必要", body),
                Paragraph(m["form"], body),
                Paragraph(str(m["copies"]), body),
                Paragraph(note or "—", body),
            ]
        )
    if len(lines) == 1:
        lines.append([Paragraph("—", body), Paragraph("本事项无需提交材料", body), "", "", "", ""])
    table = Table(
        lines, colWidths=[12 * mm, 62 * mm, 16 * mm, 22 * mm, 12 * mm, 50 * mm], repeatRows=1
    )
    table.setStyle(_grid(header=True))
    story.append(table)
    story.append(Spacer(1, 5 * mm))
    for text in notice_lines(appointment):
        story.append(Paragraph(text, small))
    story.append(Paragraph(f"查询/取消：{link}", small))
    doc.build(story)
    return buffer.getvalue()


def notice_lines(appointment: Any) -> list[str]:
    from govhall.appointments.selectors import no_show_policy

    rule = appointment.rule
    limit, window_days, _ = no_show_policy()
    until = "预约时段结束前"
    if rule.checkin_grace_minutes:
        until = f"预约时段结束后{rule.checkin_grace_minutes}分钟内"
    return [
        f"请于预约时段开始前{rule.checkin_before_minutes}分钟起、{until}，"
        "凭预约码或身份证号在自助取号机或导服台签到取号，签到后优先叫号。",
        "超过预约时段未到场的，视为主动放弃预约服务；"
        f"{window_days}天内{limit}次未到场的，将暂停网上预约。",
        f"如需取消，请在时段开始{rule.cancel_cutoff_minutes}分钟前凭预约码和"
        "发送到预约手机号的短信验证码取消。",
    ]


def _grid(header: bool = False) -> TableStyle:
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")))
    return TableStyle(style)
