"""Chinese names of the machine words the admin shows: audit actions
(govhall.<app>.<entity>.<verb>) and queue event actions. Display only; the stored values
stay the stable English codes."""

from __future__ import annotations

ENTITIES = {
    "ticket": "排队号",
    "window": "窗口",
    "idle": "空窗",
    "appointment": "预约",
    "guide": "办事指南",
    "item": "事项",
    "api_token": "接口令牌",
    "calendar": "工作日历",
    "document": "文书",
    "call_task": "电话通知任务",
    "message": "短信",
    "opt_out": "短信退订",
    "role": "岗位角色",
    "user": "用户",
}

VERBS = {
    # queue tickets (also TicketEvent.action)
    "issue": "取号",
    "issued": "取号",
    "call": "叫号",
    "called": "叫号",
    "recall": "重呼",
    "start": "开始办理",
    "finish": "服务结束",
    "no_show": "过号",
    "transfer": "转办",
    "transferred_in": "转入",
    "requeue": "暂离回队",
    "cancel": "取消",
    "expire": "过期作废",
    "items_set": "登记所办事项",
    # windows
    "opened": "签到开窗",
    "resumed": "恢复服务",
    "paused": "暂停",
    "closed": "签退",
    # appointments
    "booked": "预约",
    "checked_in": "签到",
    "reminded": "提醒",
    "rescheduled": "改约",
    "cancelled": "取消",
    "cancelled_by_center": "中心取消",
    # catalog, documents, kernel, org, notifications
    "draft_created": "新建草稿",
    "published": "发布",
    "updated": "修改",
    "created": "创建",
    "revoked": "吊销",
    "seeded": "预置",
    "year_entered": "录入年度",
    "year_edited": "修改年度",
    "year_deleted": "删除年度",
    "outcome": "登记结果",
    "phone_viewed": "查看电话号码",
    "resent": "重发",
    "added": "添加",
    "removed": "移除",
    "assigned": "分配",
    "password_changed": "修改密码",
    "unlocked": "解除锁定",
}


def audit_action_label(action: str) -> str:
    """govhall.queueing.ticket.called → 排队叫号 · 排队号叫号; unknown words stay as they are."""
    from django.apps import apps

    parts = action.split(".")
    if len(parts) != 4 or parts[0] != "govhall":
        return action
    _, app_label, entity, verb = parts
    try:
        app_name = str(apps.get_app_config(app_label).verbose_name)
    except LookupError:
        app_name = app_label
    return f"{app_name} · {ENTITIES.get(entity, entity)}{VERBS.get(verb, verb)}"


def event_action_label(action: str) -> str:
    return VERBS.get(action, action)
