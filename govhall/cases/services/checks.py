"""Input of an intake and its checks (7.2.2, 6.1.2): the applicant's identity, the
materials against the guide version, and what is missing or defective, with the A.2.3
phrase of the one-time list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from govhall.cases.models import ApplicantKind, MaterialForm
from govhall.catalog.models import Material
from govhall.core.errors import InvalidInput
from govhall.core.validators import ID_TYPES, validate_id_document, validate_mobile, validate_uscc
from govhall.documents.services import sniff_content_type


@dataclass
class ApplicantIn:
    kind: str
    name: str
    id_type: str
    id_number: str
    phone: str
    address: str = ""
    legal_representative: str = ""


@dataclass
class AgentIn:
    name: str
    id_type: str
    id_number: str
    authorization: str


@dataclass
class MaterialIn:
    material_id: int
    provided: bool = True
    form: str = MaterialForm.PAPER
    original_checked: bool = False
    copies: int = 1
    defects: str = ""
    licence_ref: str = ""
    file_name: str = ""
    file_data: bytes | None = None


@dataclass
class MailIn:
    carrier: str
    tracking_no: str
    signed_in_at: dt.datetime
    contents: str


def raise_if_errors(errors: list[dict[str, str]]) -> None:
    if errors:
        raise InvalidInput(errors[0]["message"], errors=errors)


def check_field(errors: list, name: str, func, *args) -> Any:
    try:
        return func(*args)
    except ValidationError as exc:
        errors.append({"field": name, "message": exc.messages[0]})
        return None


def validate_applicant(applicant: ApplicantIn, errors: list, prefix: str = "applicant") -> None:
    """GB 11643 for resident ID cards (and the other ID types), GB 32100 for organisations,
    a mainland mobile number."""
    if applicant.kind not in ApplicantKind.values:
        errors.append({"field": f"{prefix}.kind", "message": "申请人类型不正确。"})
    if not (applicant.name or "").strip():
        errors.append({"field": f"{prefix}.name", "message": "请填写申请人名称。"})
    if applicant.kind == ApplicantKind.ORGANIZATION:
        applicant.id_type = "uscc"
        number = check_field(errors, f"{prefix}.id_number", validate_uscc, applicant.id_number)
    elif applicant.id_type == "uscc" or applicant.id_type not in ID_TYPES:
        errors.append({"field": f"{prefix}.id_type", "message": "证件类型不正确。"})
        number = None
    else:
        number = check_field(
            errors,
            f"{prefix}.id_number",
            validate_id_document,
            applicant.id_type,
            applicant.id_number,
        )
    applicant.id_number = number or applicant.id_number
    phone = check_field(errors, f"{prefix}.phone", validate_mobile, applicant.phone)
    applicant.phone = phone or applicant.phone


def validate_materials(
    guide_materials: dict[int, Material], lines: list[MaterialIn], errors: list
) -> None:
    seen: set[int] = set()
    limit = settings.UPLOAD_MAX_BYTES
    for n, line in enumerate(lines):
        name = f"materials.{n}"
        if line.material_id not in guide_materials:
            errors.append(
                {"field": f"{name}.material_id", "message": "该材料不属于本事项的办事指南。"}
            )
        elif line.material_id in seen:
            errors.append({"field": f"{name}.material_id", "message": "同一材料重复填写。"})
        seen.add(line.material_id)
        if line.form not in MaterialForm.values:
            errors.append({"field": f"{name}.form", "message": "材料形式不正确。"})
        if line.copies < 0 or line.copies > 99:
            errors.append({"field": f"{name}.copies", "message": "份数应为0–99。"})
        if line.file_data is not None:
            if len(line.file_data) > limit:
                errors.append(
                    {
                        "field": f"{name}.file",
                        "message": f"文件过大，单个文件不得超过 {limit // 1024 // 1024} MB。",
                    }
                )
            elif sniff_content_type(line.file_data) is None:
                errors.append(
                    {"field": f"{name}.file", "message": "文件类型不支持，只接受 PDF、JPG、PNG。"}
                )


def missing_materials(guide_materials: dict[int, Material], lines: list[MaterialIn]) -> list[dict]:
    """Every required material not provided, and every provided one not in legal form,
    with the reason (6.1.2: told once and completely)."""
    by_id = {line.material_id: line for line in lines}
    missing = []
    for material in guide_materials.values():
        line = by_id.get(material.pk)
        reasons = []
        if line is None or not line.provided:
            if material.required:
                reasons.append("未提供")
        else:
            if line.defects.strip():
                reasons.append(line.defects.strip())
            if line.form == MaterialForm.PAPER and line.copies < material.copies:
                reasons.append(f"份数不足（需{material.copies}份，提供{line.copies}份）")
            paper = line.form == MaterialForm.PAPER
            if material.original_required and paper and not line.original_checked:
                reasons.append("需提供原件核验")
            if line.form == MaterialForm.ELECTRONIC and not line.file_data:
                reasons.append("未上传电子文件")
            if line.form == MaterialForm.LICENCE and not line.licence_ref.strip():
                reasons.append("未注明电子证照编号")
        if reasons:
            missing.append(
                {"material_id": material.pk, "name": material.name, "reason": "；".join(reasons)}
            )
    return missing


def basis_short(basis: str) -> str:
    first = (basis or "").strip().splitlines()[0] if (basis or "").strip() else ""
    return first[:80] or "相关法律法规"


def a23_phrase(basis: str, missing: list[dict]) -> str:
    """Appendix A.2.3, filled from the case."""
    names = "、".join(m["name"] for m in missing)
    return (
        f"您好，您提供的资料已初步核验，按照{basis_short(basis)}规定，还缺少{names}，"
        f"暂时不能办理，给您出具一次性告知单，请您将缺少的材料补齐后再来办理，辛苦您再来一趟。"
    )


def parse_local(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment
