"""Masking of personal data. Masked is the default everywhere (templates and API)."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """110105199001010023 → 110105********0023; short numbers keep first and last two."""
    if not value:
        return ""
    if len(value) >= 15:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    if len(value) > 4:
        return value[:2] + "*" * (len(value) - 4) + value[-2:]
    return "*" * len(value)


def mask_phone(value: str | None) -> str:
    """13812345678 → 138****5678."""
    if not value:
        return ""
    if len(value) >= 11:
        return value[:3] + "****" + value[-4:]
    if len(value) > 4:
        return "*" * (len(value) - 4) + value[-4:]
    return "*" * len(value)


_NAME_SEPARATORS = "·•・.．"


def mask_name(value: str | None) -> str:
    """张三 → 张*; 欧阳娜娜 → 欧**娜; 买买提·艾力 → 买**·*力 (the separator dot stays, so
    the name still reads as a transliterated name)."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    middle = "".join(c if c in _NAME_SEPARATORS else "*" for c in value[1:-1])
    return value[0] + middle + value[-1]


def mask_address(value: str | None, keep: int = 6) -> str:
    """Keep the first characters (province/city/county), hide the rest."""
    if not value:
        return ""
    if len(value) <= keep:
        return value
    return value[:keep] + "****"
