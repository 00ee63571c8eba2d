"""The staff workbench screens of 帮办与代办 (registered from AssistanceConfig.ready())."""

from __future__ import annotations


def register() -> None:
    from govhall.org.workbench import Screen, register_screen

    register_screen(
        Screen(
            key="assistance.console",
            title="帮办代办工作台",
            url_name="assistance:console",
            roles={"proxy", "manager"},
            description="登记帮办；代办申请、委托书签字、收件、督办、送达、终止",
            order=40,
        )
    )
    register_screen(
        Screen(
            key="assistance.register",
            title="代办登记簿",
            url_name="assistance:register",
            roles={"proxy", "manager", "inspector"},
            description="代办登记（按状态、事项、代办员、日期筛选）、归档文书、帮办代办统计",
            order=41,
        )
    )
