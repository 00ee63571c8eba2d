"""System checks of the portal: 6.2.1 e asks the center to publish its consultation and
complaint channels; the home page publishes only what the center entered."""

from __future__ import annotations

from django.core import checks
from django.db import DatabaseError

MISSING_CHANNELS = (
    "未填写咨询电话、投诉监督电话或监督投诉渠道：门户首页不公布任何咨询投诉渠道（6.2.1 e）。"
)


def lacks_channels(center) -> bool:
    """True when a center entered no consultation or complaint channel at all."""
    return not (
        center.phone.strip()
        or center.complaint_phone.strip()
        or center.supervision_channels.strip()
    )


@checks.register(checks.Tags.database)
def channels_entered(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn about active centers with no channel to publish (runs with `migrate` and
    `check --database default`)."""
    if not databases or "default" not in databases:
        return []
    from govhall.org.selectors import centers_public

    try:
        centers = [c for c in centers_public() if lacks_channels(c)]
    except DatabaseError:
        return []  # tables not migrated yet
    return [
        checks.Warning(
            f"{center.name}（{center.code}）{MISSING_CHANNELS}",
            hint="在管理后台“政务服务中心”的“公开信息”“投诉与监督”中填写。",
            obj=center,
            id="govhall.W030",
        )
        for center in centers
    ]
