"""The assistance documents as PDFs, rendered by govhall.documents.pdf: 代办委托书 (both
signatures drawn on screen), 材料退还清单 (signed by the applicant), 代办登记表 (filing) and
the 帮办 list of forms filled. Each returns `render(number) -> bytes` for
documents.document_create."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence

from django.conf import settings
from reportlab.lib.units import mm
from reportlab.platypus import Image

from govhall.core.masking import mask_address, mask_id_number, mask_phone
from govhall.documents.pdf import PdfDocument, format_date

Render = Callable[[str], bytes]


def _doc(center_name: str, number: str, day: dt.date, subject: str) -> PdfDocument:
    return PdfDocument(
        center_name=center_name,
        number=number,
        date=day,
        qr_url=f"{settings.SITE_URL}/progress/",
        qr_caption="扫码查询办理进度",
        subject=subject,
    )


def _signature(doc: PdfDocument, label: str, png: bytes, sha256: str) -> None:
    doc.heading(label)
    image = Image(io.BytesIO(png), width=70 * mm, height=26 * mm, kind="proportional")
    image.hAlign = "LEFT"
    doc.story.append(image)
    doc.paragraph(f"签名图片 SHA-256：{sha256}", small=True)


def _proxy_rows(p) -> list[tuple[str, str]]:
    return [
        ("代办编号", p.number),
        ("委托人（申请人）", p.masked_name),
        ("证件号码", mask_id_number(p.id_number)),
        ("联系电话", mask_phone(p.phone)),
        ("代办事项", f"{p.item.name}（{p.item.code}）"),
    ]


def authorization(
    p,
    *,
    proxy_name: str,
    applicant_png: bytes,
    proxy_png: bytes,
    day: dt.date,
) -> Render:
    """代办委托书 (6.6.2.1: 完成委托手续后,由政务服务中心专人负责办理)."""

    def render(number: str) -> bytes:
        doc = _doc(p.center.name, number, day, "代办委托书")
        doc.title("代办委托书")
        materials = "；".join(f"{m['name']}×{m.get('copies', 1)}" for m in p.materials) or "—"
        doc.key_values(
            [
                *_proxy_rows(p),
                ("受托人", f"{p.center.name} 代办员 {proxy_name}"),
                ("代办员证件号码", mask_id_number(p.proxy_id_number)),
                ("交来材料", materials),
                (
                    "送达方式",
                    p.get_delivery_display()
                    + (f"（{mask_address(p.delivery_address)}）" if p.delivery_address else ""),
                ),
            ]
        )
        doc.paragraph(
            f"本人委托{p.center.name}免费代为办理上述事项，代办员可代为递交材料、领取文书、"
            "协调督促相关部门办理。办理中涉及的行政事业性收费、中介机构收费由本人自行缴纳，"
            "代办人员不代收、不代缴任何费用。本人可随时要求中止委托，中心将说明情况并退还材料。",
            indent=True,
        )
        _signature(doc, "委托人签名", applicant_png, p.applicant_signature_sha256)
        _signature(doc, "代办员签名", proxy_png, p.proxy_signature_sha256)
        doc.signature_block(issuer=p.center.name, date=day, handler=proxy_name)
        return doc.render()

    return render


def material_return(
    p, *, returned: Sequence[str], signature_png: bytes, handler: str, day: dt.date
) -> Render:
    """材料退还清单 (6.6.2.2 b: 说明有关情况,移交相关材料,履行相关终止程序)."""

    def render(number: str) -> bytes:
        doc = _doc(p.center.name, number, day, "代办终止及材料退还清单")
        doc.title("代办终止及材料退还清单")
        doc.key_values(
            [
                *_proxy_rows(p),
                ("终止原因", p.get_termination_display()),
                ("情况说明", p.termination_reason),
                ("办件编号", p.case.number if p.case_id else "（未收件）"),
                ("办件处理", p.case.get_status_display() if p.case_id else "—"),
            ]
        )
        rows = [["序号", "退还材料", "核对"]]
        rows += [[str(n), name, "□已收回"] for n, name in enumerate(returned, start=1)]
        doc.table(rows, col_widths=[14, 126, 30])
        doc.paragraph("以上材料已全部退还本人，代办终止的原因已向本人说明。", small=True)
        _signature(doc, "申请人签收", signature_png, p.return_signature_sha256)
        doc.signature_block(issuer=p.center.name, date=day, handler=handler)
        return doc.render()

    return render


def register_sheet(p, *, events, notes, documents, handler: str, day: dt.date) -> Render:
    """代办登记表 (6.6.2.2 d: 做好相应代办服务登记,并整理、归档相应文书)."""

    def render(number: str) -> bytes:
        doc = _doc(p.center.name, number, day, "代办登记表")
        doc.title("代办服务登记表")
        doc.key_values(
            [
                *_proxy_rows(p),
                ("代办员", str(p.proxy) if p.proxy_id else "—"),
                ("办件编号", p.case.number if p.case_id else "（未收件）"),
                ("状态", p.get_status_display()),
                ("申请时间", f"{p.applied_at:%Y-%m-%d %H:%M}"),
            ]
        )
        doc.heading("办理经过")
        rows = [["时间", "操作", "说明"]]
        rows += [[f"{e.at:%Y-%m-%d %H:%M}", e.action, e.reason] for e in events]
        doc.table(rows, col_widths=[34, 36, 100])
        if notes:
            doc.heading("协调与督办")
            rows = [["时间", "类型", "部门", "内容", "部门答复"]]
            rows += [
                [
                    f"{n.at:%Y-%m-%d}",
                    n.get_kind_display(),
                    n.department.name if n.department_id else "—",
                    n.content,
                    n.answer or "—",
                ]
                for n in notes
            ]
            doc.table(rows, col_widths=[22, 20, 34, 50, 44])
        doc.heading("归档文书")
        rows = [["文书", "编号", "SHA-256"]]
        rows += [[d.title, d.number, d.sha256] for d in documents]
        doc.table(rows, col_widths=[40, 40, 90])
        doc.signature_block(issuer=p.center.name, date=day, handler=handler)
        return doc.render()

    return render


def forms_list(record, *, center_name: str, handler: str, day: dt.date) -> Render:
    """帮办表单清单 (6.6.1: 协助填写各类表单)."""

    def render(number: str) -> bytes:
        doc = _doc(center_name, number, day, "帮办填写表单清单")
        doc.title("帮办填写表单清单")
        doc.key_values(
            [
                ("服务对象", record.masked_name),
                ("事项", record.item.name if record.item_id else "—"),
                ("帮办内容", "、".join(record.action_labels())),
                ("帮办人员", handler),
                ("日期", format_date(day)),
            ]
        )
        rows = [["序号", "表单名称", "核对"]]
        rows += [[str(n), f, "□已填写 □已核对"] for n, f in enumerate(record.forms_filled, 1)]
        doc.table(rows, col_widths=[14, 116, 40])
        doc.paragraph("以上表单由帮办人员协助填写，内容经服务对象本人确认。", small=True)
        doc.paragraph("服务对象（签字）：________________")
        return doc.render()

    return render
