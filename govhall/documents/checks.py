"""System checks of the documents app."""

from __future__ import annotations

from django.core import checks


@checks.register("fonts")
def chinese_font_installed(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn when PDFs would render with the non-embedded STSong-Light font: on a device
    without a Chinese font every notice, receipt and voucher prints blank."""
    import os

    from django.conf import settings

    from govhall.documents.pdf import installed_font_path

    found = installed_font_path()
    configured = getattr(settings, "PDF_FONT_PATH", "") or ""
    if configured and not os.path.exists(configured):
        return [
            checks.Warning(
                f"PDF_FONT_PATH 指向的字体文件不存在：{configured}。"
                + (f"PDF 改用 {found}。" if found else "PDF 将没有可嵌入的中文字体，打印成空白。"),
                hint="改正 PDF_FONT_PATH，或删去它以自动查找已安装的中文字体。",
                id="govhall.W021",
            )
        ]
    if found:
        return []
    return [
        checks.Warning(
            "未找到中文 TrueType 字体：所有 PDF 文书（通知书、回执、凭证）将使用未嵌入的"
            " STSong-Light 字体，在没有中文字体的电脑或打印机上会打印成空白。",
            hint="安装 fonts-wqy-zenhei（Debian/Ubuntu：apt-get install fonts-wqy-zenhei），"
            "或把 PDF_FONT_PATH 设为一个中文 .ttf/.ttc 字体文件。",
            id="govhall.W020",
        )
    ]
