"""Validators for the identity documents and phone numbers a hall sees.

Each returns the normalised value or raises django ValidationError with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
# GB 11643 address codes start with a province-level code.
_PROVINCE_CODES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
    "83",
    "91",
}


def _normalise(value: str | None) -> str:
    """Full-width characters typed with a Chinese IME become ASCII; then trimmed, upper."""
    return unicodedata.normalize("NFKC", value or "").strip().upper()


def id_card_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_resident_id(value: str) -> str:
    """GB 11643 citizen identity number: 18 characters, real birth date, check character."""
    number = _normalise(value)
    # [0-9], not \d: \d also matches other scripts' digits, which int() would accept.
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        raise ValidationError(
            "身份证号码应为18位，前17位为数字，最后一位为数字或X。", code="id_format"
        )
    if number[:2] not in _PROVINCE_CODES:
        raise ValidationError("身份证号码的地址码不正确。", code="id_region")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise ValidationError("身份证号码中的出生日期不存在。", code="id_birth") from exc
    if birth < dt.date(1900, 1, 1) or birth > dt.date.today():
        raise ValidationError("身份证号码中的出生日期不在合理范围内。", code="id_birth")
    if id_card_check_char(number[:17]) != number[17]:
        raise ValidationError("身份证号码校验位不正确，请核对。", code="id_checksum")
    return number


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """GB 32100 unified social credit code (统一社会信用代码)."""
    code = _normalise(value)
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        raise ValidationError(
            "统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）。", code="uscc_format"
        )
    if not re.fullmatch(r"[0-9]{6}", code[2:8]):
        raise ValidationError(
            "统一社会信用代码的登记管理机关行政区划码不正确。", code="uscc_region"
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位不正确，请核对。", code="uscc_checksum")
    return code


def validate_mobile(value: str) -> str:
    """Mainland China mobile number: 11 digits starting 13–19; +86/86 prefix removed."""
    number = re.sub(r"[\s()-]", "", _normalise(value))
    number = re.sub(r"^(\+|00)?86", "", number) if len(number) > 11 else number
    if not re.fullmatch(r"1[3-9][0-9]{9}", number):
        raise ValidationError("手机号码应为11位中国大陆手机号。", code="mobile_format")
    return number


def validate_passport(value: str) -> str:
    number = _normalise(value)
    if not re.fullmatch(r"[A-Z0-9]{5,17}", number) or not re.search(r"[0-9]", number):
        raise ValidationError("护照号码格式不正确（5–17位字母或数字）。", code="passport_format")
    return number


def validate_hk_macau_permit(value: str) -> str:
    """港澳居民来往内地通行证 (H/M + 8 or 10 digits) or 往来港澳通行证 (C + 8 chars)."""
    number = _normalise(value)
    if not re.fullmatch(r"[HM][0-9]{8}([0-9]{2})?|C[0-9A-Z][0-9]{7}", number):
        raise ValidationError("港澳通行证号码格式不正确。", code="hkmo_format")
    return number


def validate_taiwan_permit(value: str) -> str:
    """台湾居民来往大陆通行证: 8 digits (older ones 10 characters)."""
    number = _normalise(value)
    if not re.fullmatch(r"[0-9]{8}|[0-9]{10}|[A-Z][0-9]{9}", number):
        raise ValidationError("台湾居民来往大陆通行证号码格式不正确。", code="tw_format")
    return number


def validate_foreign_permanent_id(value: str) -> str:
    """外国人永久居留身份证: 15 characters (3 letters + 12 digits) or the 2023 18-digit form
    beginning with 9, which carries a GB 11643-style check character."""
    number = _normalise(value)
    if re.fullmatch(r"[A-Z]{3}[0-9]{12}", number):
        return number
    if re.fullmatch(r"9[0-9]{16}[0-9X]", number) and id_card_check_char(number[:17]) == number[17]:
        return number
    raise ValidationError("外国人永久居留身份证号码格式不正确。", code="foreign_pr_format")


ID_TYPES = {
    "resident_id": ("居民身份证", validate_resident_id),
    "uscc": ("统一社会信用代码", validate_uscc),
    "passport": ("护照", validate_passport),
    "hk_macau_permit": ("港澳居民来往内地通行证", validate_hk_macau_permit),
    "taiwan_permit": ("台湾居民来往大陆通行证", validate_taiwan_permit),
    "foreign_permanent_id": ("外国人永久居留身份证", validate_foreign_permanent_id),
}
ID_TYPE_CHOICES = [(key, label) for key, (label, _) in ID_TYPES.items()]


def validate_id_document(id_type: str, number: str) -> str:
    if id_type not in ID_TYPES:
        raise ValidationError("证件类型不正确。", code="id_type")
    return ID_TYPES[id_type][1](number)
