"""Template filters available in every template (registered as builtins)."""

from django import template

from govhall.core import masking

register = template.Library()


@register.filter
def mask_id(value: str | None) -> str:
    return masking.mask_id_number(value)


@register.filter
def mask_phone(value: str | None) -> str:
    return masking.mask_phone(value)


@register.filter
def mask_name(value: str | None) -> str:
    return masking.mask_name(value)


@register.filter
def mask_address(value: str | None) -> str:
    return masking.mask_address(value)


@register.simple_tag
def calendar_missing_years() -> list[int]:
    """Years (this and next) the working-day calendar lacks; shown to admins as a warning."""
    from govhall.core import workdays

    return workdays.missing_years_ahead()
