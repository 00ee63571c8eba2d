"""Template filters available in every template (registered as builtins)."""

import segno
from django import template
from django.utils.safestring import mark_safe

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


def qr_svg_markup(data: str, *, scale: int = 4) -> str:
    """Inline SVG of a QR code (segno draws paths only, so the data cannot inject markup)."""
    return segno.make(data, error="m").svg_inline(scale=scale, border=2)


@register.filter
def qr_svg(value: str | None) -> str:
    """{{ url|qr_svg }}: a QR code a citizen's phone can scan, e.g. to a status page."""
    if not value:
        return ""
    return mark_safe(qr_svg_markup(str(value)))
