"""The Cases II screens on the staff workbench (registered from apps.py)."""

from __future__ import annotations

from govhall.org.workbench import Screen, register_screen


def register() -> None:
    for key, title, url_name, roles, description, order in [
        (
            "cases.approval",
            "审批办理",
            "cases:approval",
            {"approver", "manager"},
            "已受理办件按承诺办结日排序；特别程序、延期、审批决定、移交结果",
            22,
        ),
        (
            "cases.batches",
            "纸质材料交接",
            "cases:batches",
            {"clerk", "approver", "manager"},
            "上午、下午两批材料交接单；部门签收，差异退回窗口",
            23,
        ),
        (
            "cases.output",
            "综合出件窗口",
            "cases:output",
            {"output_clerk", "clerk", "manager"},
            "签收结果、领取通知、当面签名领取、邮寄送达、缴费",
            24,
        ),
        (
            "cases.monitor",
            "办件时限监控",
            "cases:monitor",
            {"manager", "approver", "inspector"},
            "在办办件红黄绿灯、临近与超期清单、按时办结率",
            25,
        ),
    ]:
        register_screen(
            Screen(
                key=key,
                title=title,
                url_name=url_name,
                roles=roles,
                description=description,
                order=order,
            )
        )
