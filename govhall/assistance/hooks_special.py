"""What the special-group area registers with apps above it (called from
AppConfig.ready()): the portal's green-channel sections and the staff workbench screens."""

from __future__ import annotations

from typing import Any

from govhall.catalog.portal_hooks import (
    PortalSection,
    register_center_section,
    register_item_section,
)
from govhall.org.workbench import Screen, register_screen

HALL = {"proxy", "guide", "clerk", "consultant", "output_clerk", "manager"}


def green_channel_center_section(center: Any) -> PortalSection | None:
    from govhall.assistance.selectors_special import green_channel_of

    lines = [
        f"{g.item.name}（{g.groups_text()}）：{g.measures}" for g in green_channel_of(center)[:50]
    ]
    if not lines:
        return None
    lines.append("老年人、残疾人等可申请陪同办理或上门服务，请致电咨询或到导办台联系。")
    return PortalSection(title="特殊群体绿色通道", lines=lines, anchor="green-channel")


def green_channel_item_section(item: Any) -> PortalSection | None:
    from govhall.assistance.selectors_special import green_channel_for_item

    found = green_channel_for_item(item)
    if found is None:
        return None
    return PortalSection(
        title="特殊群体绿色通道",
        lines=[
            f"适用人群：{found.groups_text()}",
            f"便利措施：{found.measures}",
            "可申请陪同办理或上门服务，请致电咨询或到导办台联系。",
        ],
        anchor="green-channel",
    )


def register() -> None:
    register_center_section(green_channel_center_section)
    register_item_section(green_channel_item_section)
    register_screen(
        Screen(
            key="assistance.special",
            title="特殊群体服务",
            url_name="assistance:special",
            roles=HALL,
            description="陪同办理、上门服务、辅助设施借用、绿色通道",
        )
    )
    register_screen(
        Screen(
            key="assistance.emergency",
            title="应急救助",
            url_name="assistance:emergency",
            roles=HALL,
            description="应急事件登记、应急设备检查、演练记录",
        )
    )
