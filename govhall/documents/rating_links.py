"""The rating link printed on documents (9.4 b: “评价二维码” on receipts, notices and pickup
slips). The evaluations app comes after the apps that print documents (cases, queueing), so
they cannot import it: evaluations registers its link maker here when it starts
(EvaluationsConfig.ready) and the printing apps ask `rating_link(kind, id, day=…)`. With none
registered (evaluations not installed) no rating code is printed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

# (kind, matter id, day printed) -> absolute URL of that matter's rating page, or None.
RatingLink = Callable[[str, int | str, dt.date], str | None]

_makers: list[RatingLink] = []

CAPTION = "扫码评价"


def register_rating_link(maker: RatingLink) -> None:
    if maker not in _makers:
        _makers.append(maker)


def rating_link(kind: str, matter_id: int | str | None, *, day: dt.date) -> str | None:
    """The link of the matter's rating page for a document printed on `day`; None when no
    maker is registered or the matter has no id yet."""
    if matter_id is None:
        return None
    for maker in _makers:
        url = maker(kind, matter_id, day)
        if url:
            return url
    return None
