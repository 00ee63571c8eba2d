"""Appendix A of DB 23/T 1485—2023 (5.4 服务语言): the seed of the phrase library and the
filling of its placeholders. "XX" of the standard's text is a placeholder: {center} (the
center's name), {window} (the window, e.g. "3号窗口"), {item} (the item's name),
{materials} (what is missing or to be shown), {regulation} (the basis that requires it).

The seed is written after every migrate (idempotent: missing phrases are created, a
manager's edits in the admin are kept)."""

from __future__ import annotations

import string
from typing import Any

# (clause, moment, text) — the standard's wording with its XX made placeholders.
SEED: list[tuple[str, str, str]] = [
    ("A.1.1", "greeting", "您好，请问您办理什么业务？您好，请问有什么事我可以帮您？"),
    ("A.1.2", "greeting", "您好，请问您要咨询什么问题？"),
    ("A.1.3", "guide", "请您稍等，我帮您查询一下。让您久等了，帮您查询到{item}的办理方式。"),
    (
        "A.1.4",
        "cannot_answer",
        "对不起，您的问题有些特殊，请您稍等，我联系一下相关部门人员为您解答。",
    ),
    ("A.1.4b", "elsewhere", "对不起，请您随我到{item}的办理窗口（或按告知的地点办理）。"),
    ("A.1.5", "apology", "对不起，为了保护服务对象权益，按规定我们不方便为您查询，请您谅解。"),
    ("A.1.6", "goodbye", "感谢您对我们工作的支持，欢迎您再来。"),
    ("A.2.1", "greeting", "您好，请坐，请问您办理什么事项？请您出具{materials}，马上为您办好。"),
    ("A.2.2", "ask_materials", "对不起，请您出示{materials}。"),
    (
        "A.2.3",
        "incomplete",
        "您好，您提供的资料已初步核验，按照{regulation}规定，还缺少{materials}，暂时不能办理，"
        "给您出具一次性告知单，请您将缺少的材料补齐后再来办理，辛苦您再来一趟。",
    ),
    ("A.2.4", "confirm", "请您核对下您的个人信息，如果确认无误后请在这里签字（或盖章）。"),
    (
        "A.2.5",
        "finished",
        "您的业务已办理完毕，请您对我的服务作出评价。（评价后）感谢您的评价。请您带好随身物品。",
    ),
    (
        "A.2.6",
        "pickup",
        "请您出示受理通知书（或网上审批服务短信）。请稍等，我为您查找{item}的办理结果。"
        "这是您的办理结果，请您核对后签收。",
    ),
    (
        "A.2.7",
        "complaint",
        "非常抱歉给您带来不便，请您谅解。对于您提出的问题，我们将尽快处理给您答复。"
        "感谢您的宝贵意见和建议，我们会及时反馈并改进，感谢您对我们工作的支持。",
    ),
    (
        "A.3.1",
        "phone_greeting",
        "您好，{center}{window}，请问您有什么需要？请稍等，我记录下，您请讲。",
    ),
    (
        "A.3.2",
        "phone_transfer",
        "对不起，您的问题我需要和相关部门做一下确认，请您留下姓名和联系方式，我尽快给您回复。",
    ),
    ("A.3.3", "phone_close", "感谢您的来电，再见。（待对方挂机后再放电话）"),
    ("A.3.4", "phone_close", "（接到打错的电话）对不起，您拨打的是{center}，请您核对号码。"),
    ("A.3.5", "outgoing_call", "您好，我是{center}{window}。"),
]

PLACEHOLDERS = ("center", "window", "item", "materials", "regulation")
# What a placeholder says when the context does not know it (the clerk fills it aloud).
FALLBACK = {
    "center": "政务服务中心",
    "window": "",
    "item": "该事项",
    "materials": "相关材料（或证件）",
    "regulation": "相关",
}


def fill(text: str, context: dict[str, Any] | None = None) -> str:
    """The phrase with its placeholders filled from `context` (missing ones get a neutral
    wording, unknown `{...}` are left as written)."""
    values = {**FALLBACK, **{k: str(v) for k, v in (context or {}).items() if v}}
    out = []
    for literal, field, _spec, _conv in string.Formatter().parse(text):
        out.append(literal)
        if field is None:
            continue
        out.append(values.get(field, "{" + field + "}"))
    return "".join(out)


def seed_phrases(phrase_model: Any = None) -> int:
    """Create the missing seed phrases (by clause and moment); edited ones are kept."""
    if phrase_model is None:
        from govhall.consultations.models import Phrase as phrase_model
    existing = set(phrase_model.objects.values_list("code", "moment"))
    missing = [
        phrase_model(code=code, moment=moment, text=text, position=n)
        for n, (code, moment, text) in enumerate(SEED)
        if (code, moment) not in existing
    ]
    phrase_model.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)
