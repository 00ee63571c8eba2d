"""Charts drawn here as inline SVG (no CDN, no script): bars for rates and counts."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLORS = {"good": "#2e7d32", "bad": "#c62828", "plain": "#1565c0"}


def bar_chart(
    rows: list[tuple[str, float | None]],
    *,
    title: str,
    unit: str = "%",
    maximum: float | None = None,
    color: str = "plain",
) -> SafeString:
    """Horizontal bars, one row per (label, value); the SVG scales to its container."""
    width, label_w, row_h, top = 400, 112, 28, 32
    height = top + row_h * max(1, len(rows)) + 10
    top_value = maximum or max([v or 0 for _, v in rows] + [1])
    fill = COLORS.get(color, color)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="0" y="18" font-size="16" font-weight="bold">{escape(title)}</text>',
    ]
    if not rows:
        parts.append(f'<text x="0" y="{top + 16}" font-size="14" fill="#666">暂无数据</text>')
    for n, (label, value) in enumerate(rows):
        y = top + n * row_h
        bar = 0 if value is None else (width - label_w - 62) * value / top_value
        text = "—" if value is None else f"{value:g}{unit}"
        short = label if len(label) <= 7 else label[:6] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 19}" font-size="14" text-anchor="end">'
            f"<title>{escape(label)}</title>{escape(short)}</text>"
            f'<rect x="{label_w}" y="{y + 6}" width="{bar:.1f}" height="{row_h - 10}" '
            f'fill="{fill}" rx="2"></rect>'
            f'<text x="{label_w + bar + 6:.1f}" y="{y + 19}" font-size="14">{text}</text>'
        )
    parts.append("</svg>")
    # Every text above is escaped.
    return mark_safe("".join(parts))
