"""Signed, expiring evaluation links bound to one matter: /e/<token>/.

The token is short enough for an SMS: "<kind letter><id>.<expiry, base 36>:<signature>".
An altered token fails the signature (404); an expired one is refused with a clear page
(410). The expiry is inside the signed value, so it cannot be stretched.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse

from govhall.core.errors import DomainError, NotFound
from govhall.evaluations.matters import BY_CODE, KINDS

SALT = "govhall.evaluations.link"
DEFAULT_DAYS = 15


class LinkExpired(DomainError):
    status = 410
    code = "link_expired"


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, algorithm="sha256")


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def make_token(kind: str, matter_id: str | int, *, now: dt.datetime, days: int) -> str:
    expires = int((now + dt.timedelta(days=days)).timestamp())
    return _signer().sign(f"{KINDS[kind].code}{matter_id}.{_b36(expires)}")


def read_token(token: str, *, now: dt.datetime) -> tuple[str, str]:
    """(kind, id) of a valid link. Altered or unknown → NotFound; expired → LinkExpired."""
    try:
        value = _signer().unsign(token or "")
        head, expires = value.rsplit(".", 1)
        kind, matter_id = BY_CODE[head[0]], head[1:]
        expires_at = int(expires, 36)
    except (signing.BadSignature, KeyError, ValueError, IndexError) as exc:
        raise NotFound("评价链接无效。", code="bad_link", field="token") from exc
    if now.timestamp() > expires_at:
        raise LinkExpired(
            "评价链接已过期。如需评价或反映问题，请扫描窗口的评价二维码或拨打投诉监督电话。",
            field="token",
        )
    return kind, matter_id


def rating_url(kind: str, matter_id: str | int, *, now: dt.datetime, days: int) -> str:
    token = make_token(kind, matter_id, now=now, days=days)
    return settings.SITE_URL + reverse("evaluations:rate", args=[token])


PRINTED_DAYS = 400  # a code printed on a case document: valid well past the case's end


def printed_rating_url(kind: str, matter_id: str | int, day: dt.date) -> str:
    """The rating link printed as a QR code on a document of the matter (9.4 b), registered
    with govhall.documents.rating_links: valid PRINTED_DAYS from the end of the printing day
    (a receipt is printed long before the case finishes and can be rated)."""
    start = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return rating_url(kind, matter_id, now=start, days=PRINTED_DAYS) + "?c=qr"
