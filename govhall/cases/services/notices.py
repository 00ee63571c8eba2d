"""The case documents as PDFs (rendered by govhall.documents.pdf): 收件凭证, 一次性告知单,
受理通知书, 不予受理通知书, 补正通知书 and the receipt of supplied corrections.

Each render function returns `render(number) -> bytes` for documents.document_create, so the
allocated number is printed on the page. Every document shows the center (header), the
department, the date, the handler and a QR code to the public progress page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.utils import timezone

from govhall.cases.models import Case, CaseMaterial
from govhall.cases.services._common import handler_name, progress_url
from govhall.core.masking import mask_id_number, mask_name
from govhall.documents.pdf import PdfDocument, format_date
from govhall.documents.rating_links import CAPTION as RATING_CAPTION
from govhall.documents.rating_links import rating_link

Render = Callable[[str], bytes]

RECONSIDERATION_DAYS = 60
LITIGATION_MONTHS = 6


def _doc(
    center_name: str,
    number: str,
    day: dt.date,
    qr_url: str,
    subject: str,
    *,
    case: Case | None = None,
) -> PdfDocument:
    """The case's documents: the progress QR code and, for a case, a second code leading to
    its rating page (9.4 b, when evaluations registered its link maker)."""
    return PdfDocument(
        center_name=center_name,
        number=number,
        date=day,
        qr_url=qr_url,
        qr_caption="扫码查询办件进度",
        rating_url=rating_link("case", case.pk, day=day) if case is not None else None,
        rating_caption=RATING_CAPTION,
        subject=subject,
        footer="办件进度查询：扫描右上角二维码，输入办件编号和手机号后四位",
    )


def _case_rows(case: Case) -> list[tuple[str, str]]:
    return [
        ("办件编号", case.number),
        ("申请事项", case.item.name),
        ("申请人", case.masked_name),
        ("审批部门", case.department.name),
    ]


def _material_rows(lines: Iterable[CaseMaterial]) -> list[list[str]]:
    rows = [["序号", "材料名称", "形式", "份数", "原件核验"]]
    for n, line in enumerate((x for x in lines if x.provided), start=1):
        form = line.get_form_display() or "—"
        if line.licence_ref:
            form = f"{form}（{line.licence_ref}）"
        rows.append(
            [str(n), line.name, form, str(line.copies), "已核验" if line.original_checked else "—"]
        )
    return rows


def receipt(
    case: Case, lines: Sequence[CaseMaterial], *, handler: str, progress: str, title: str
) -> Render:
    """收件凭证 (7.2.2), also used for the receipt of supplied corrections."""

    def render(number: str) -> bytes:
        day = case.review_start
        doc = _doc(case.center.name, number, day, progress, title, case=case)
        doc.title(title)
        rows = [
            *_case_rows(case),
            ("申请渠道", case.get_channel_display()),
            ("收件窗口", str(case.window) if case.window_id else "—"),
            ("收件人员", handler),
            ("收件日期", format_date(day)),
            (
                "受理审查截止",
                format_date(case.acceptance_due)
                + ("（暂定：该年度工作日历尚未公布）" if case.acceptance_due_provisional else ""),
            ),
        ]
        doc.key_values(rows)
        doc.heading("已接收材料")
        doc.table(_material_rows(lines), col_widths=[12, 78, 34, 16, 30])
        doc.paragraph(
            f"审批部门将在受理审查截止日前作出受理、不予受理或补正决定并以短信通知您；"
            f"逾期未告知的，自收到申请材料之日起即为受理。请凭办件编号 {case.number} "
            f"和手机号后四位查询进度。",
            small=True,
        )
        doc.signature_block(issuer=case.center.name, date=day, handler=handler)
        return doc.render()

    return render


def receipt_again(document: Any) -> bytes:
    """The intake's 收件凭证 drawn again from its case (documents' renderer registry), when
    the render after the intake's commit did not happen."""
    case = Case.objects.select_related("center", "item", "department", "window").get(
        pk=document.related_id
    )
    lines = list(case.materials.filter(submission=0).order_by("id"))
    render = receipt(
        case,
        lines,
        handler=handler_name(document.created_by),
        progress=progress_url(case.number),
        title="收件凭证",
    )
    return render(document.number)


def one_time_list(
    *,
    center_name: str,
    department_name: str,
    item_name: str,
    applicant: str,
    missing: Sequence[dict[str, str]],
    basis: str,
    phrase: str,
    handler: str,
    window: str,
    day: dt.date,
    progress: str,
) -> Render:
    """一次性告知单 (6.1.2, 7.2.2, A.2.3): every missing or defective material at once."""

    def render(number: str) -> bytes:
        doc = _doc(center_name, number, day, progress, "一次性告知单")
        doc.title("一次性告知单")
        doc.key_values(
            [
                ("申请事项", item_name),
                ("审批部门", department_name),
                ("申请人", applicant),
                ("窗口", window or "—"),
                ("告知日期", format_date(day)),
            ]
        )
        doc.paragraph(phrase, indent=True)
        doc.heading("需补齐或更正的材料（全部）")
        rows = [["序号", "材料名称", "原因"]]
        rows += [[str(n), m["name"], m["reason"]] for n, m in enumerate(missing, start=1)]
        doc.table(rows, col_widths=[12, 70, 88])
        doc.heading("法律依据")
        doc.paragraph(basis or "相关法律法规及办事指南")
        doc.signature_block(issuer=center_name, date=day, handler=handler)
        return doc.render()

    return render


def acceptance(case: Case, *, handler: str, progress: str, deemed: bool = False) -> Render:
    """受理通知书 (7.2.3)."""

    def render(number: str) -> bytes:
        day = case.accepted_on
        doc = _doc(case.center.name, number, day, progress, "受理通知书", case=case)
        doc.title("受理通知书")
        name = case.masked_name
        text = (
            f"{name}：您于{format_date(case.review_start)}提交的“{case.item.name}”申请，"
            f"经审查，符合法定受理条件，本机关决定予以受理，受理日期为{format_date(day)}。"
        )
        if deemed:
            text = (
                f"{name}：您于{format_date(case.review_start)}提交的“{case.item.name}”申请，"
                f"本机关未在受理审查期限内作出决定，依照《中华人民共和国行政许可法》第三十二条，"
                f"自收到申请材料之日（{format_date(day)}）起即为受理。"
            )
        doc.paragraph(text, indent=True)
        doc.key_values(
            [
                *_case_rows(case),
                ("受理日期", format_date(day)),
                (
                    "承诺办结日期",
                    format_date(case.promised_due)
                    + ("（暂定）" if case.promised_due_provisional else ""),
                ),
                ("经办人", handler),
            ]
        )
        doc.signature_block(issuer=case.department.name, date=day, handler=handler)
        return doc.render()

    return render


def rejection(
    case: Case,
    *,
    reason: str,
    basis: str,
    reconsideration_body: str,
    court: str,
    handler: str,
    progress: str,
    day: dt.date,
) -> Render:
    """不予受理通知书 (7.2.3) with reasons and remedies (行政许可法 §38)."""

    def render(number: str) -> bytes:
        doc = _doc(case.center.name, number, day, progress, "不予受理通知书", case=case)
        doc.title("不予受理通知书")
        doc.paragraph(
            f"{case.masked_name}：您于{format_date(timezone.localtime(case.received_at).date())}提交的"
            f"“{case.item.name}”申请（办件编号 {case.number}），经审查，本机关决定不予受理。",
            indent=True,
        )
        doc.heading("不予受理的理由")
        doc.paragraph(reason)
        doc.heading("法律依据")
        doc.paragraph(basis or "相关法律法规及办事指南")
        doc.heading("救济途径")
        doc.paragraph(
            f"如不服本决定，可自收到本通知书之日起{RECONSIDERATION_DAYS}日内向"
            f"{reconsideration_body}申请行政复议，或者自收到本通知书之日起"
            f"{LITIGATION_MONTHS}个月内向{court}提起行政诉讼。",
            indent=True,
        )
        doc.key_values([*_case_rows(case), ("经办人", handler)])
        doc.signature_block(issuer=case.department.name, date=day, handler=handler)
        return doc.render()

    return render


def correction(
    case: Case, *, items: Sequence[dict[str, Any]], handler: str, progress: str, day: dt.date
) -> Render:
    """补正通知书 (7.2.3): everything to correct, at once, with the correction due date."""

    def render(number: str) -> bytes:
        doc = _doc(case.center.name, number, day, progress, "补正通知书", case=case)
        doc.title("补正通知书")
        due = format_date(case.correction_due)
        if case.correction_due_provisional:
            due += "（暂定）"
        doc.paragraph(
            f"{case.masked_name}：您提交的“{case.item.name}”申请（办件编号 {case.number}），"
            f"经审查，申请材料不齐全或者不符合法定形式，请于{due}前一次性补正下列全部内容。"
            f"逾期未补正的，本机关将作退件处理。补正材料收到之日起重新计算受理审查期限。",
            indent=True,
        )
        rows = [["序号", "需补正的材料", "补正要求"]]
        rows += [[str(n), i["name"], i["reason"]] for n, i in enumerate(items, start=1)]
        doc.table(rows, col_widths=[12, 70, 88])
        doc.key_values([*_case_rows(case), ("补正期限", due), ("经办人", handler)])
        doc.signature_block(issuer=case.department.name, date=day, handler=handler)
        return doc.render()

    return render


def masked_applicant(kind: str, name: str, id_number: str) -> str:
    if kind == "organization":
        return name
    return f"{mask_name(name)}（{mask_id_number(id_number)}）"
