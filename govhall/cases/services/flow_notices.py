"""Cases II documents as PDFs (rendered by govhall.documents.pdf): 材料交接单, 特别程序告知书,
延期办理告知书, 不予许可决定书, 交接凭证, 领取签收单 (with the applicant's signature) and the
邮寄送达凭证. Each returns `render(number) -> bytes` for documents.document_create."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Image

from govhall.cases.models import Case
from govhall.cases.services.notices import LITIGATION_MONTHS, RECONSIDERATION_DAYS, _case_rows, _doc
from govhall.core.masking import mask_address, mask_id_number
from govhall.documents.pdf import format_date

Render = Callable[[str], bytes]


def _with_provisional(day: dt.date | None, provisional: bool) -> str:
    if day is None:
        return "—"
    return format_date(day) + ("（暂定）" if provisional else "")


def material_handover(
    *,
    center_name: str,
    department_name: str,
    slot: str,
    day: dt.date,
    lines: Sequence[tuple[Case, list[dict[str, Any]]]],
    handler: str,
    progress: str,
) -> Render:
    """材料交接单 (7.3): every case of the batch, its paper materials and their counts."""

    def render(number: str) -> bytes:
        doc = _doc(center_name, number, day, progress, "材料交接单")
        doc.title("纸质材料交接单")
        total = sum(int(m["copies"]) for _, ms in lines for m in ms)
        doc.key_values(
            [
                ("接收部门", department_name),
                ("批次", f"{format_date(day)} {slot}"),
                ("办件数", str(len(lines))),
                ("材料份数合计", str(total)),
                ("移交人", handler),
            ]
        )
        rows = [["序号", "办件编号", "事项", "材料（份数）", "核对意见"]]
        for n, (case, materials) in enumerate(lines, start=1):
            names = "；".join(f"{m['name']}×{m['copies']}" for m in materials)
            rows.append([str(n), case.number, case.item.name, names, "□无误 □有差异"])
        doc.table(rows, col_widths=[10, 42, 34, 56, 28])
        doc.paragraph("接收部门核对无误后签收；有差异的请逐件注明，退回综合窗口处理。", small=True)
        doc.paragraph("移交人（签字）：____________    接收人（签字）：____________")
        doc.signature_block(issuer=center_name, date=day, handler=handler)
        return doc.render()

    return render


def suspension_notice(
    case: Case, *, step: str, expected_days: int, reason: str, handler: str, day: dt.date
) -> Render:
    """特别程序告知书 (行政许可法 §45): the step and its expected duration, not counted."""

    def render(number: str) -> bytes:
        doc = _doc(case.center.name, number, day, _progress(case), "特别程序告知书", case=case)
        doc.title("特别程序告知书")
        doc.paragraph(
            f"{case.masked_name}：您申请的“{case.item.name}”（办件编号 {case.number}），"
            f"依法需要进行{step}{('（' + reason + '）') if reason else ''}，预计需要"
            f"{expected_days}个工作日。依照《中华人民共和国行政许可法》第四十五条，"
            f"{step}所需时间不计算在办理期限内，承诺办结日将按实际所需工作日顺延，"
            f"结束后另行告知。",
            indent=True,
        )
        doc.key_values([*_case_rows(case), ("开始日期", format_date(day)), ("经办人", handler)])
        doc.signature_block(issuer=case.department.name, date=day, handler=handler)
        return doc.render()

    return render


def extension_notice(
    case: Case, *, days: int, reason: str, head: str, before: dt.date, handler: str, day
) -> Render:
    """延期办理告知书 (行政许可法 §42): reason, the head's approval, the new due date."""

    def render(number: str) -> bytes:
        doc = _doc(case.center.name, number, day, _progress(case), "延期办理告知书", case=case)
        doc.title("延期办理告知书")
        doc.paragraph(
            f"{case.masked_name}：您申请的“{case.item.name}”（办件编号 {case.number}），"
            f"因{reason}，不能在承诺期限内作出决定，经本机关负责人批准，延长{days}个工作日。",
            indent=True,
        )
        doc.key_values(
            [
                *_case_rows(case),
                ("原承诺办结日", format_date(before)),
                (
                    "延长后办结日",
                    _with_provisional(case.promised_due, case.promised_due_provisional),
                ),
                ("批准负责人", head),
                ("经办人", handler),
            ]
        )
        doc.signature_block(issuer=case.department.name, date=day, handler=handler)
        return doc.render()

    return render


def denial_decision(
    case: Case, *, reason: str, basis: str, body: str, court: str, handler: str, day: dt.date
) -> Render:
    """不予许可决定书 with the reasons and the remedies (行政许可法 §38)."""

    def render(number: str) -> bytes:
        doc = _doc(case.center.name, number, day, _progress(case), "不予许可决定书", case=case)
        doc.title("不予许可决定书")
        doc.paragraph(
            f"{case.masked_name}：您申请的“{case.item.name}”（办件编号 {case.number}），"
            f"本机关于{format_date(case.accepted_on)}受理。经审查，决定不予许可。",
            indent=True,
        )
        doc.heading("不予许可的理由")
        doc.paragraph(reason)
        doc.heading("法律依据")
        doc.paragraph(basis or "相关法律法规及办事指南")
        doc.heading("救济途径")
        doc.paragraph(
            f"如不服本决定，可自收到本决定书之日起{RECONSIDERATION_DAYS}日内向{body}申请"
            f"行政复议，或者自收到本决定书之日起{LITIGATION_MONTHS}个月内向{court}"
            f"提起行政诉讼。",
            indent=True,
        )
        doc.key_values([*_case_rows(case), ("经办人", handler)])
        doc.signature_block(issuer=case.department.name, date=day, handler=handler)
        return doc.render()

    return render


def handover_voucher(case: Case, result: Any, *, handler: str, day: dt.date) -> Render:
    """交接凭证 (7.5.1): what the department hands the output window, checked and signed."""

    def render(number: str) -> bytes:
        doc = _doc(case.center.name, number, day, _progress(case), "交接凭证", case=case)
        doc.title("办理结果交接凭证")
        doc.key_values(
            [
                *_case_rows(case),
                ("结果类型", result.get_result_type_display()),
                ("结果编号", result.result_no or "—"),
                ("决定日期", format_date(result.decided_on)),
                ("承诺办结日", format_date(case.promised_due)),
                ("移交截止日", format_date(case.handover_due)),
                ("送达方式", case.get_delivery_display()),
                ("移交人", handler),
            ]
        )
        doc.paragraph("综合出件窗口核对结果与本凭证所载信息无误后签收；有误的不予接收。")
        doc.paragraph("移交人（签字）：____________    出件窗口签收人（签字）：____________")
        doc.signature_block(issuer=case.department.name, date=day, handler=handler)
        return doc.render()

    return render


def pickup_receipt(
    case: Case, release: Any, *, signature_png: bytes, handler: str, day: dt.date
) -> Render:
    """领取签收单 (7.5.2) with the signature taken on screen and its SHA-256."""

    def render(number: str) -> bytes:
        doc = _doc(case.center.name, number, day, _progress(case), "领取签收单", case=case)
        doc.title("办理结果领取签收单")
        who = release.signer_name + ("（代理人）" if release.signer_is_agent else "（申请人）")
        rows = [
            *_case_rows(case),
            ("结果编号", _result_no(case)),
            ("领取人", who),
            ("证件号码", mask_id_number(release.signer_id_number)),
            ("身份核验", "已核验" if release.id_checked else "未核验"),
        ]
        if release.signer_is_agent:
            rows.append(("授权委托书", release.authorization))
        rows += [("领取日期", format_date(day)), ("发放人", handler)]
        doc.key_values(rows)
        doc.paragraph("这是您的办理结果，请您核对后签收。", small=True)
        doc.heading("领取人签名")
        image = Image(io.BytesIO(signature_png), width=80 * mm, height=30 * mm, kind="proportional")
        image.hAlign = "LEFT"
        doc.story.append(image)
        doc.paragraph(f"签名图片 SHA-256：{release.signature_sha256}", small=True)
        doc.signature_block(issuer=case.center.name, date=day, handler=handler)
        return doc.render()

    return render


def mail_voucher(case: Case, release: Any, *, handler: str, day: dt.date) -> Render:
    """邮寄送达凭证 (7.5.2, 6.7.2)."""

    def render(number: str) -> bytes:
        doc = _doc(case.center.name, number, day, _progress(case), "邮寄送达凭证", case=case)
        doc.title("邮寄送达凭证")
        fee = "免费" if not release.mail_fee else f"{release.mail_fee} 元"
        doc.key_values(
            [
                *_case_rows(case),
                ("结果编号", _result_no(case)),
                ("快递公司", release.carrier),
                ("运单号", release.tracking_no),
                ("邮寄地址", mask_address(release.address)),
                ("邮寄费用", fee),
                ("寄出日期", format_date(day)),
                ("经办人", handler),
            ]
        )
        doc.signature_block(issuer=case.center.name, date=day, handler=handler)
        return doc.render()

    return render


def _result_no(case: Case) -> str:
    result = getattr(case, "result", None)
    return (result.result_no if result is not None else "") or "—"


def _progress(case: Case) -> str:
    from govhall.cases.services._common import progress_url

    return progress_url(case.number)
