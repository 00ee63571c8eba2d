"""Test helpers shared by every app's tests (not used by production code)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> dt.datetime:
    """A moment in the center's time zone: at(2026, 2, 13, 10, 30)."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


def plain_http_settings(settings: Any, *, media_root: Any = None) -> None:
    """DEBUG is off under pytest: no HTTPS redirect for the test client, and templates must
    render without a collectstatic manifest."""
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if media_root is not None:
        settings.MEDIA_ROOT = media_root


def reload_live_server_middleware(live_server: Any) -> None:
    """The session-wide live server built its middleware with the settings of its time
    (SecurityMiddleware reads SECURE_SSL_REDIRECT once); rebuild it after changing them."""
    handler = live_server.thread.httpd.get_app()
    while hasattr(handler, "application"):  # static/media wrappers around the WSGIHandler
        handler = handler.application
    handler.load_middleware()


def qr_texts(image: Any) -> list[str]:
    """The texts of every QR code in an image (a PIL image, or PNG/JPEG bytes).

    Decoded by zxing-cpp, a decoder independent of the segno that drew the code, so a test
    checks what a phone scanning the code would read."""
    import io

    import zxingcpp
    from PIL import Image

    if isinstance(image, bytes | bytearray):
        image = Image.open(io.BytesIO(image))
    image = image.convert("L")
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def pdf_text(data: bytes) -> str:
    """The text a reader copies out of a PDF, all pages (pypdf: a Python dependency, so the
    check runs on a machine without poppler's pdftotext)."""
    import io

    import pypdf

    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def pdf_qr_texts(data: bytes) -> list[str]:
    """The texts of the QR codes drawn as images in a PDF, page by page."""
    import io

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    return [text for page in reader.pages for img in page.images for text in qr_texts(img.image)]


def missing_year() -> int:
    """A year the calendar table lacks: the first one after the chinese-calendar package's
    last (the table is seeded from the package). Tests about provisional deadlines use it
    instead of a fixed year, so a package release that adds a year breaks none of them."""
    from govhall.core.services import calendar_package_years

    return calendar_package_years()[-1] + 1


def weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    """The first day on or after `day` with the given weekday (0 = Monday)."""
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)
