"""The built-in SMS templates. Other apps send by these codes and parameters, so the codes
and parameter names are a contract; the wording may be edited in the admin.

Seeded after every migrate (idempotent: missing codes are created, admin edits are kept).
"""

from __future__ import annotations

from dataclasses import dataclass

LEGAL, SERVICE, REMINDER, URGENT = "legal", "service", "reminder", "urgent"


@dataclass(frozen=True)
class BuiltinTemplate:
    code: str
    name: str
    kind: str
    params: tuple[str, ...]
    body: str
    call_script: str = ""


BUILTIN_TEMPLATES: dict[str, BuiltinTemplate] = {
    t.code: t
    for t in [
        BuiltinTemplate(
            "appointment_confirmed",
            "预约成功",
            SERVICE,
            ("name", "item", "date", "time", "place", "code", "link"),
            "{name}您好，您已预约{date} {time}在{place}办理“{item}”，预约码{code}。"
            "请按时携带材料到场，详情：{link}",
        ),
        BuiltinTemplate(
            "appointment_reminder",
            "预约提醒",
            REMINDER,
            ("name", "item", "date", "time", "place", "code"),
            "{name}您好，提醒您{date} {time}在{place}办理“{item}”，预约码{code}，请按时到场。",
        ),
        BuiltinTemplate(
            "appointment_rescheduled",
            "预约改期",
            SERVICE,
            ("name", "item", "reason", "new_date", "new_time", "code"),
            "{name}您好，因{reason}，您预约办理的“{item}”调整至{new_date} {new_time}，"
            "预约码{code}，给您带来不便敬请谅解。",
        ),
        BuiltinTemplate(
            "appointment_cancelled",
            "预约取消",
            SERVICE,
            ("name", "item", "reason", "code"),
            "{name}您好，因{reason}，您预约办理的“{item}”（预约码{code}）已取消，"
            "请重新预约，给您带来不便敬请谅解。",
        ),
        BuiltinTemplate(
            "case_received",
            "收件通知",
            LEGAL,
            ("name", "item", "case_no", "link"),
            "{name}您好，您申请的“{item}”已收件，办件编号{case_no}。回执及进度：{link}",
        ),
        BuiltinTemplate(
            "case_accepted",
            "受理通知",
            LEGAL,
            ("name", "item", "case_no", "link"),
            "{name}您好，您申请的“{item}”（办件编号{case_no}）已受理，受理通知书：{link}",
        ),
        BuiltinTemplate(
            "case_deemed_accepted",
            "视为受理通知",
            LEGAL,
            ("name", "item", "case_no", "received", "promised_due", "link"),
            "{name}您好，您申请的“{item}”（办件编号{case_no}）审批部门未在法定期限内作出决定，"
            "依法自收件之日{received}起视为受理，承诺办结日为{promised_due}。进度：{link}",
        ),
        BuiltinTemplate(
            "case_rejected",
            "不予受理通知",
            LEGAL,
            ("name", "item", "case_no", "link"),
            "{name}您好，您申请的“{item}”（办件编号{case_no}）不予受理，"
            "理由及救济途径见不予受理通知书：{link}",
        ),
        BuiltinTemplate(
            "case_correction",
            "补正通知",
            LEGAL,
            ("name", "item", "case_no", "link"),
            "{name}您好，您申请的“{item}”（办件编号{case_no}）需补正材料，"
            "需补正的全部内容见补正通知书：{link}",
        ),
        BuiltinTemplate(
            "pickup_ready",
            "领取通知",
            SERVICE,
            ("name", "item", "case_no", "place"),
            "{name}您好，您办理的“{item}”（办件编号{case_no}）已办结，"
            "请携带身份证件到{place}领取。",
        ),
        BuiltinTemplate(
            "case_denied",
            "不予许可通知",
            LEGAL,
            ("name", "item", "case_no", "link"),
            "{name}您好，您申请的“{item}”（办件编号{case_no}）经审查不予许可，"
            "理由及救济途径见不予许可决定书：{link}",
        ),
        BuiltinTemplate(
            "case_extended",
            "延期办理告知",
            LEGAL,
            ("name", "item", "case_no", "days", "reason", "due"),
            "{name}您好，您申请的“{item}”（办件编号{case_no}）因{reason}，经负责人批准延长"
            "{days}个工作日，办结日期延至{due}。",
        ),
        BuiltinTemplate(
            "case_suspended",
            "特别程序告知",
            LEGAL,
            ("name", "item", "case_no", "step", "days", "link"),
            "{name}您好，您申请的“{item}”（办件编号{case_no}）需进行{step}，预计{days}个"
            "工作日，所需时间不计入办理时限。告知书：{link}",
        ),
        BuiltinTemplate(
            "case_mailed",
            "结果已邮寄",
            SERVICE,
            ("name", "item", "case_no", "carrier", "tracking_no"),
            "{name}您好，您办理的“{item}”（办件编号{case_no}）办理结果已由{carrier}寄出，"
            "运单号{tracking_no}，请注意查收。",
        ),
        BuiltinTemplate(
            "case_deadline_alert",
            "办件时限预警",
            SERVICE,
            ("case_no", "item", "deadline", "level", "due"),
            "办件{case_no}（{item}）{deadline}时限{level}，截止日{due}，请及时处理。",
        ),
        BuiltinTemplate(
            "case_deadline_digest",
            "办件时限预警（汇总）",
            SERVICE,
            ("count", "red", "yellow", "examples"),
            "您负责的办件中有{count}件时限预警：已超期（红灯）{red}件，临近（黄灯）{yellow}件，"
            "如{examples}。请登录系统查看时限监控并及时处理。",
        ),
        BuiltinTemplate(
            "consultation_reply",
            "咨询答复",
            SERVICE,
            ("name", "answer_summary", "link"),
            "{name}您好，您的咨询已答复：{answer_summary}。详情：{link}",
        ),
        BuiltinTemplate(
            "consultation_reply_call",
            "咨询电话答复",
            SERVICE,
            ("name", "answer"),
            "{name}您好，关于您的咨询，答复如下：{answer}",
            call_script="{name}您好，关于您前来咨询的问题，现答复如下：{answer}。"
            "请问您还有其他问题吗？感谢您的来电，再见。",
        ),
        BuiltinTemplate(
            "consultation_guide",
            "一次性告知（咨询）",
            SERVICE,
            ("item", "place", "link"),
            "您咨询的“{item}”办理地点：{place}。所需材料、时限等一次性告知内容：{link}",
        ),
        BuiltinTemplate(
            "consultation_overdue",
            "咨询答复逾期提醒",
            SERVICE,
            ("number", "due", "level"),
            "咨询登记{number}承诺答复日{due}已过仍未答复（{level}级提醒），请及时处理。",
        ),
        BuiltinTemplate(
            "evaluation_invite",
            "评价邀请",
            REMINDER,
            ("item", "link"),
            "感谢您办理“{item}”，请对本次服务进行评价：{link}",
        ),
        BuiltinTemplate(
            "evaluation_rectification_overdue",
            "差评整改逾期提醒",
            SERVICE,
            ("number", "source", "step", "level", "due"),
            "差评整改#{number}（{source}）“{step}”环节{level}，截止日{due}，请及时处理。",
        ),
        BuiltinTemplate(
            "queue_turn_near",
            "即将叫号",
            URGENT,
            ("number", "ahead", "category"),
            "您取的{category}{number}号前面还有{ahead}人，请到等候区留意叫号。",
        ),
        BuiltinTemplate(
            "special_service_scheduled",
            "特殊群体服务安排",
            SERVICE,
            ("name", "service", "time", "staff", "phone"),
            "{name}您好，您申请的{service}已安排在{time}，服务人员{staff}，如需调整请致电{phone}。",
        ),
        BuiltinTemplate(
            "verification_code",
            "验证码",
            URGENT,
            ("code", "minutes"),
            "您的验证码为{code}，{minutes}分钟内有效，请勿告诉他人。",
        ),
    ]
}


def seed_templates(sms_template_model=None) -> int:
    """Create the built-in templates that are missing; keep edited ones. Returns created."""
    if sms_template_model is None:
        from govhall.notifications.models import SmsTemplate as sms_template_model
    existing = set(sms_template_model.objects.values_list("code", flat=True))
    missing = [
        sms_template_model(
            code=t.code,
            name=t.name,
            kind=t.kind,
            params=list(t.params),
            body=t.body,
            call_script=t.call_script,
        )
        for t in BUILTIN_TEMPLATES.values()
        if t.code not in existing
    ]
    # ignore_conflicts: two processes migrating at once must not fail on the unique code.
    sms_template_model.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)
