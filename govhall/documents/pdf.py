"""PDF toolkit for every notice, receipt and voucher: ReportLab with an embedded Chinese font.

Usage::

    doc = PdfDocument(center_name="青松县政务服务中心", number="青松市监受〔2026〕12号",
                      date=today, qr_url="https://…", qr_caption="扫码查看")
    doc.title("受理通知书")
    doc.paragraph("……")
    doc.key_values([("申请人", "张*"), ("事项", "食品经营许可")])
    doc.table([["序号", "材料"], ["1", "申请书"]], col_widths=[15, 155])
    doc.signature_block(issuer="青松县市场监督管理局", date=today)
    pdf_bytes = doc.render()

The font is embedded (TrueType subset) so the PDF shows Chinese on any machine. Where no
Chinese TrueType font is installed, ReportLab's built-in STSong-Light CID font is used,
which is *not* embedded: a warning is logged and a visible note is printed on the page.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

import segno
from django.conf import settings
from PIL import Image
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

logger = logging.getLogger(__name__)

FONT_NAME = "GovhallCJK"
FALLBACK_FONT = "STSong-Light"
# Checked in order after settings.PDF_FONT_PATH. ReportLab reads TrueType outlines only
# (.ttf/.ttc), not the CFF-based .otf of Noto CJK.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf",
)

# Binary (Flate only) streams: ASCII85 on top makes every PDF a quarter larger and costs an
# encoding pass over the font subset, the page and the images; no reader needs it.
rl_config.useA85 = 0

_font_lock = threading.Lock()
_font: FontInfo | None = None


@dataclass(frozen=True)
class FontInfo:
    name: str
    path: str  # empty for the built-in CID font
    embedded: bool


def _try_register(path: str) -> bool:
    if not path or not os.path.exists(path):
        return False
    try:
        # TTC collections hold several faces; face 0 is the regular one (WenQuanYi Zen Hei).
        kwargs = {"subfontIndex": 0} if path.lower().endswith(".ttc") else {}
        pdfmetrics.registerFont(TTFont(FONT_NAME, path, **kwargs))
        return True
    except Exception:  # a broken or unsupported font file: try the next one
        logger.warning("PDF font %s could not be loaded", path, exc_info=True)
        return False


def installed_font_path() -> str:
    """The Chinese TrueType font a PDF would embed ("" when none is installed).

    Only looks for the file (no parsing): cheap enough for a system check at start and for
    the test suite's skip of the tests that need the font."""
    configured = getattr(settings, "PDF_FONT_PATH", "") or ""
    for path in (configured, *FONT_CANDIDATES):
        if path and os.path.exists(path):
            return path
    return ""


def font() -> FontInfo:
    """Register the Chinese font once per process and say which one is in use."""
    global _font
    with _font_lock:
        if _font is not None:
            return _font
        configured = getattr(settings, "PDF_FONT_PATH", "") or ""
        for path in (configured, *FONT_CANDIDATES):
            if _try_register(path):
                _font = FontInfo(FONT_NAME, path, True)
                return _font
        logger.warning(
            "No Chinese TrueType font found (set PDF_FONT_PATH or install fonts-wqy-zenhei); "
            "using the non-embedded %s, which renders blank where no Chinese font is installed",
            FALLBACK_FONT,
        )
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
        _font = FontInfo(FALLBACK_FONT, "", False)
        return _font


def reset_font_for_tests() -> None:
    global _font
    with _font_lock:
        _font = None


# A fixed data mask: every mask gives a valid code that any reader decodes, and choosing the
# "best" one (segno scores all eight) cost about 6 ms of each notice's ~10 ms QR code.
QR_MASK = 2
QR_BORDER = 2
QR_SCALE = 4
# Table cell side padding (ReportLab's default), counted when deciding whether text fits.
CELL_PAD = 6


def _qr_matrix(data: str) -> tuple[bytearray, ...]:
    return segno.make_qr(data, error="m", mask=QR_MASK).matrix


def qr_png(data: str, *, scale: int = QR_SCALE) -> bytes:
    out = io.BytesIO()
    segno.make_qr(data, error="m", mask=QR_MASK).save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


@functools.lru_cache(maxsize=256)
def qr_image(data: str) -> ImageReader:
    """The QR code of `data` as an image ready for the canvas: a grayscale bitmap built
    straight from segno's module matrix (no PNG written and decoded again), cached per
    process, so a link drawn on many documents (an item's page) is encoded once."""
    matrix = _qr_matrix(data)
    size = len(matrix) + 2 * QR_BORDER
    light = b"\xff" * size
    rows = [light] * QR_BORDER
    pad = b"\xff" * QR_BORDER
    for row in matrix:
        rows.append(pad + bytes(0 if dark else 255 for dark in row) + pad)
    rows += [light] * QR_BORDER
    image = Image.frombytes("L", (size, size), b"".join(rows))
    reader = ImageReader(image.resize((size * QR_SCALE, size * QR_SCALE), Image.Resampling.NEAREST))
    reader.getRGBData()  # filled once here, so threads sharing the cached reader only read it
    return reader


def format_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _p(text: str) -> str:
    """Escape user text for a ReportLab Paragraph and keep its line breaks."""
    return escape(str(text)).replace("\n", "<br/>")


class _QrFlowable(Flowable):
    def __init__(self, data: str, size: float, caption: str = "") -> None:
        super().__init__()
        self.data, self.size, self.caption = data, size, caption
        self.width, self.height = size, size + (5 * mm if caption else 0)

    def draw(self) -> None:
        img = qr_image(self.data)
        top = 5 * mm if self.caption else 0
        self.canv.drawImage(img, 0, top, self.size, self.size)
        if self.caption:
            self.canv.setFont(font().name, 7)
            self.canv.drawCentredString(self.size / 2, 1 * mm, self.caption)


class PdfDocument:
    """One A4 document: header (center name, number, date, QR), then flowing content."""

    def __init__(
        self,
        *,
        center_name: str,
        number: str = "",
        date: dt.date | None = None,
        qr_url: str | None = None,
        qr_caption: str = "扫码查看",
        footer: str = "",
        subject: str = "",
        rating_url: str | None = None,
        rating_caption: str = "扫码评价",
    ) -> None:
        self.center_name = center_name
        self.number = number
        self.date = date
        self.qr_url = qr_url
        self.qr_caption = qr_caption
        # A second header code, left of the first: the matter's rating page (9.4 b).
        self.rating_url = rating_url
        self.rating_caption = rating_caption
        self.footer = footer
        self.subject = subject
        self.font = font()
        self.story: list = []
        base = dict(fontName=self.font.name, leading=16, fontSize=10.5, wordWrap="CJK")
        self.styles = {
            "body": ParagraphStyle("body", **base),
            "small": ParagraphStyle("small", **{**base, "fontSize": 8.5, "leading": 12}),
            "title": ParagraphStyle(
                "title", **{**base, "fontSize": 18, "leading": 26, "alignment": TA_CENTER}
            ),
            "heading": ParagraphStyle(
                "heading",
                **{**base, "fontSize": 12, "leading": 18, "spaceBefore": 6, "spaceAfter": 2},
            ),
            "cell": ParagraphStyle("cell", **{**base, "fontSize": 9.5, "leading": 13}),
            "right": ParagraphStyle("right", **{**base, "alignment": TA_RIGHT}),
        }
        if not self.font.embedded:
            self.note(
                "注意：本机未安装中文 TrueType 字体，本文件使用未嵌入的 STSong-Light 字体，"
                "在无中文字体的设备上可能无法显示。请安装 fonts-wqy-zenhei 或设置 PDF_FONT_PATH。"
            )

    # --- content helpers -------------------------------------------------------------
    def title(self, text: str) -> None:
        self.story += [Paragraph(_p(text), self.styles["title"]), Spacer(1, 4 * mm)]

    def heading(self, text: str) -> None:
        self.story.append(Paragraph(_p(text), self.styles["heading"]))

    def paragraph(self, text: str, *, small: bool = False, indent: bool = False) -> None:
        style = self.styles["small" if small else "body"]
        if indent:
            style = ParagraphStyle(f"{style.name}-i", parent=style, firstLineIndent=21)
        self.story.append(Paragraph(_p(text), style))

    def note(self, text: str) -> None:
        self.story.append(
            Table(
                [[Paragraph(_p(text), self.styles["small"])]],
                colWidths=[170 * mm],
                style=TableStyle(
                    [
                        ("BOX", (0, 0), (-1, -1), 0.6, colors.HexColor("#e65100")),
                        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fff8e1")),
                    ]
                ),
            )
        )
        self.story.append(Spacer(1, 2 * mm))

    def spacer(self, height_mm: float = 3) -> None:
        self.story.append(Spacer(1, height_mm * mm))

    def key_values(self, rows: Sequence[tuple[str, str]], *, key_width_mm: float = 32) -> None:
        widths = [key_width_mm * mm, (170 - key_width_mm) * mm]
        data = [[self._cell(k, widths[0]), self._cell(v or "—", widths[1])] for k, v in rows]
        self._table(data, widths, header=False)

    def table(
        self,
        rows: Sequence[Sequence[str]],
        *,
        col_widths: Sequence[float] | None = None,
        header: bool = True,
    ) -> None:
        """rows[0] is the header row when header=True; widths in millimetres (sum ≈ 170)."""
        widths = [w * mm for w in col_widths] if col_widths else None
        if widths is None:
            data = [[Paragraph(_p(c), self.styles["cell"]) for c in row] for row in rows]
        else:
            data = [[self._cell(c, w) for c, w in zip(row, widths, strict=False)] for row in rows]
        self._table(data, widths, header=header)

    def _cell(self, text: str, width: float) -> str | Paragraph:
        """Text that fits on one line stays a plain string, drawn as is (the table's cell font
        below); only longer text pays for a Paragraph's markup parsing and line breaking,
        which were half of a receipt's layout time."""
        text = str(text)
        style = self.styles["cell"]
        if "\n" not in text and (
            pdfmetrics.stringWidth(text, style.fontName, style.fontSize) <= width - 2 * CELL_PAD
        ):
            return text
        return Paragraph(_p(text), style)

    def _table(self, data: list, widths: list | None, *, header: bool) -> None:
        style = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#7b8794")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
            # Plain-string cells: the Paragraph cell style's font, size and line height.
            ("FONTNAME", (0, 0), (-1, -1), self.styles["cell"].fontName),
            ("FONTSIZE", (0, 0), (-1, -1), self.styles["cell"].fontSize),
            ("LEADING", (0, 0), (-1, -1), self.styles["cell"].leading),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")))
        else:
            style.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f5f7fa")))
        self.story.append(
            Table(data, colWidths=widths, style=TableStyle(style), repeatRows=1 if header else 0)
        )
        self.story.append(Spacer(1, 3 * mm))

    def qr(self, data: str, *, size_mm: float = 28, caption: str = "") -> None:
        self.story.append(_QrFlowable(data, size_mm * mm, caption))

    def signature_block(
        self,
        *,
        issuer: str,
        date: dt.date | None = None,
        handler: str = "",
        seal_text: str = "（盖章）",
        applicant_sign: bool = False,
    ) -> None:
        """Issuer, seal placeholder and date on the right; optional applicant signature line."""
        lines = []
        if applicant_sign:
            lines.append(Paragraph("申请人（签字）：________________", self.styles["body"]))
            lines.append(Spacer(1, 4 * mm))
        if handler:
            lines.append(Paragraph(_p(f"经办人：{handler}"), self.styles["right"]))
        lines.append(Paragraph(_p(f"{issuer}{seal_text}"), self.styles["right"]))
        when = date or self.date
        if when:
            lines.append(Paragraph(_p(format_date(when)), self.styles["right"]))
        self.story.append(KeepTogether([Spacer(1, 8 * mm), *lines]))

    # --- rendering -----------------------------------------------------------------------
    def _on_page(self, canvas, doc) -> None:
        width, height = A4
        canvas.saveState()
        canvas.setFont(self.font.name, 11)
        canvas.setFillColor(colors.HexColor("#b71c1c"))
        canvas.drawString(20 * mm, height - 15 * mm, self.center_name)
        canvas.setStrokeColor(colors.HexColor("#b71c1c"))
        canvas.setLineWidth(1.2)
        canvas.line(20 * mm, height - 18 * mm, width - 20 * mm, height - 18 * mm)
        canvas.setFillColor(colors.black)
        canvas.setFont(self.font.name, 9)
        codes = [(u, c) for u, c in ((self.qr_url, self.qr_caption),
                                      (self.rating_url, self.rating_caption)) if u]  # fmt: skip
        right = width - 20 * mm - 22 * mm * len(codes)
        if self.number:
            canvas.drawRightString(right, height - 11 * mm, f"编号：{self.number}")
        if self.date:
            canvas.drawRightString(right, height - 15.5 * mm, f"日期：{format_date(self.date)}")
        for n, (url, caption) in enumerate(codes):
            left = width - 40 * mm - n * 22 * mm
            canvas.drawImage(qr_image(url), left, height - 29 * mm, 20 * mm, 20 * mm)
            canvas.setFont(self.font.name, 6.5)
            canvas.drawCentredString(left + 10 * mm, height - 31 * mm, caption)
        canvas.setFont(self.font.name, 8)
        canvas.setFillColor(colors.HexColor("#616e7c"))
        footer = f"{self.footer}    第 {doc.page} 页" if self.footer else f"第 {doc.page} 页"
        canvas.drawCentredString(width / 2, 10 * mm, footer)
        canvas.restoreState()

    def render(self) -> bytes:
        out = io.BytesIO()
        template = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=20 * mm,
            rightMargin=20 * mm,
            topMargin=34 * mm,
            bottomMargin=18 * mm,
            title=self.subject or self.number or self.center_name,
            author=self.center_name,
            subject=self.subject,
            creator="govhall",
        )
        template.build(self.story, onFirstPage=self._on_page, onLaterPages=self._on_page)
        return out.getvalue()
