"""Appendix A of DB 23/T 1485—2023: the phrase a clerk says at each moment of a visit.

Ending a visit at the window (服务结束 / 接待完成) is not the end of the matter: for most
items the window only takes in the application and the department decides later. A.2.5
("您的业务已办理完毕") is therefore shown only when the matter really is finished at the
window: every item recorded on the ticket is a 即办件 (its published guide says
`is_immediate`). Otherwise the clerk says that the application is taken in and when the
result comes, then A.1.6's goodbye.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govhall.queueing.models import Ticket

GOODBYE = "感谢您对我们工作的支持，欢迎您再来。"

PHRASES = {
    "idle": ("A.2.1", "服务对象来到综合窗口时说：“您好，请坐，请问您办理什么事项？”"),
    "call": ("A.2.1", "您好，请坐，请问您办理什么事项？请您出具相关材料（或证件），马上为您办好。"),
    "start": (
        "A.2.2/A.2.4",
        "对不起，请您出示相关资料（证件）。"
        "请您核对下您的个人信息，如果确认无误后请在这里签字（或盖章）。",
    ),
    "incomplete": (
        "A.2.3",
        "您好，您提供的资料已初步核验，还缺少部分材料，暂时不能办理，"
        "给您出具一次性告知单，请您将缺少的材料补齐后再来办理，辛苦您再来一趟。",
    ),
    # The matter is finished at the window (即办件 only).
    "finish_done": (
        "A.2.5/A.1.6",
        "您的业务已办理完毕，请您对我的服务作出评价。（评价后）感谢您的评价。请您带好随身物品。"
        + GOODBYE,
    ),
    # The visit ends, the matter goes on (承诺件, or no item recorded).
    "finish": (
        "A.1.6",
        "（接待完成，事项尚未办结，请勿说“已办理完毕”）您的申请已收取，"
        "办理结果将按承诺时限通知您。请您带好随身物品。" + GOODBYE,
    ),
    "transfer": ("A.1.4", "对不起，请您随我到相应窗口办理，您的排队顺序不变。"),
    "complaint": (
        "A.2.7",
        "非常抱歉给您带来不便，请您谅解。对于您提出的问题，我们将尽快处理给您答复。",
    ),
}
GUIDE_PHRASE = ("A.1.1", "您好，请问您办理什么业务？您好，请问有什么事我可以帮您？")


def matter_finished(ticket: Ticket) -> bool:
    """True when every item handled on the ticket is a 即办件 (and there is at least one)."""
    items = list(ticket.items.select_related("published"))
    return bool(items) and all(i.published is not None and i.published.is_immediate for i in items)


def closing_phrase(ticket: Ticket) -> str:
    """The PHRASES key for the end of this ticket's visit."""
    return "finish_done" if matter_finished(ticket) else "finish"


# The phrase library (App. A, editable by managers) lives in a later app, which registers its
# lookup here at start-up (queueing does not import it): lookup(key, context) -> (clause,
# text) or None. PHRASES above stay the fallback when no library is installed or it lacks
# the key's moment.
_library: Callable[[str, dict[str, str]], tuple[str, str] | None] | None = None


def register_library(lookup: Callable[[str, dict[str, str]], tuple[str, str] | None]) -> None:
    global _library
    _library = lookup


def console_context(window: Any, ticket: Ticket | None) -> dict[str, str]:
    """What the placeholders of a console phrase are filled with: the center, the window,
    the ticket's first item, its required materials and its basis."""
    context = {"center": window.center.name, "window": str(window)}
    item = ticket.items.select_related("published").first() if ticket is not None else None
    if item is not None:
        context["item"] = item.name
        if item.published is not None:
            required = item.published.materials.filter(required=True).order_by("position")
            context["materials"] = "、".join(m.name for m in required)
            context["regulation"] = item.published.basis.split("；")[0][:60]
    return context


def console_phrase(key: str, context: dict[str, str]) -> tuple[str, str]:
    found = _library(key, context) if _library is not None else None
    return found or PHRASES.get(key, PHRASES["idle"])


def console_phrases(context: dict[str, str]) -> list[tuple[str, str]]:
    return [console_phrase(k, context) for k in PHRASES if k != "idle"]


def guide_phrase(context: dict[str, str]) -> tuple[str, str]:
    """The guide desk's greeting (A.1.1), from the library when one is registered."""
    found = _library("guide", context) if _library is not None else None
    return found or GUIDE_PHRASE
