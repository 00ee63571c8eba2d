"""Queue API (API.md "Queue"): thin — schema in, service call, schema out."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from ninja import Router, Schema, Status

from govhall.catalog.models import ServiceItem
from govhall.core import ratelimit
from govhall.core.errors import InvalidInput, NotFound
from govhall.core.masking import mask_phone
from govhall.org.models import Center, Window
from govhall.org.selectors import scope_for
from govhall.queueing import selectors, services
from govhall.queueing.api_board import router as board_router
from govhall.queueing.models import Ticket, TicketCategory
from govhall.queueing.selectors import ticket_status_url as status_url

router = Router(tags=["排队叫号"])
# The display board: its state and live stream (api_board.py).
router.add_router("", board_router)

PriorityLiteral = Literal["elderly", "disabled", "pregnant", "military", "none"]


class TicketIn(Schema):
    center: str
    category: str | None = None
    item_code: str | None = None
    priority_group: PriorityLiteral | None = None
    phone: str | None = None
    appointment_code: str | None = None
    channel: Literal["kiosk", "mobile", "api"] = "api"


class TicketCreated(Schema):
    id: int
    number: str
    category: str
    category_name: str
    zone: str
    priority: bool
    position: int
    ahead: int
    estimated_wait_minutes: int
    status: str
    status_url: str


class PauseIn(Schema):
    reason: str


class TransferIn(Schema):
    window: str | None = None
    category: str | None = None
    reason: str = ""


def _center(code: str, field: str = "center") -> Center:
    center = selectors.cached_row(
        ("center", code), lambda: Center.objects.filter(code=code, is_active=True).first()
    )
    if center is None:
        raise InvalidInput("中心编码不存在。", field=field)
    return center


def _category_by_id(category_id: int) -> TicketCategory:
    return selectors.cached_row(
        ("category-id", category_id),
        lambda: TicketCategory.objects.select_related("zone").get(pk=category_id),
    )


def _issue_category(center: Center, letter: str) -> TicketCategory | None:
    return selectors.cached_row(
        ("category", center.pk, letter),
        lambda: (
            TicketCategory.objects.select_related("zone")
            .filter(center=center, letter=letter)
            .first()
        ),
    )


def ticket_staff_out(ticket: Ticket) -> dict[str, Any]:
    category = _category_by_id(ticket.category_id)
    # The request's time zone looked up once, not once per time (the lookup goes through a
    # context-local: it was the costliest part of this answer).
    tz = timezone.get_current_timezone()
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "category": category.letter,
        "category_name": category.name,
        "status": ticket.status,
        "priority": ticket.is_priority,
        "priority_group": ticket.priority_group,
        "is_appointment": ticket.is_appointment,
        "window": ticket.window.number if ticket.window_id else None,
        "recall_count": ticket.recall_count,
        "phone": mask_phone(ticket.phone),
        "issued_at": ticket.issued_at.astimezone(tz).isoformat(),
        "original_issued_at": ticket.original_issued_at.astimezone(tz).isoformat(),
        "called_at": ticket.called_at.astimezone(tz).isoformat() if ticket.called_at else None,
    }


@router.post("/tickets", auth=None, response={201: TicketCreated}, summary="取号（公开）")
def ticket_create(request: HttpRequest, payload: TicketIn):
    ratelimit.check(request, "ticket", center=payload.center)
    center = _center(payload.center)
    category = None
    item = None
    if payload.category:
        category = _issue_category(center, payload.category.upper())
        if category is None:
            raise InvalidInput("业务类别不存在。", field="category")
    if payload.item_code:
        item = ServiceItem.objects.filter(code=payload.item_code, is_active=True).first()
        if item is None:
            raise InvalidInput("事项编码不存在。", field="item_code")
    if category is None and item is None:
        raise InvalidInput("请提供业务类别 category 或事项编码 item_code。", field="category")
    now = timezone.now()
    ticket = services.ticket_issue(
        center=center,
        category=category,
        item=item,
        priority_group=payload.priority_group,
        phone=payload.phone,
        appointment_code=payload.appointment_code,
        channel=payload.channel,
        actor=request.user if request.user.is_authenticated else None,
        now=now,
    )
    ahead = ticket.issued_ahead
    # Built to TicketCreated and sent as is: every kiosk issue goes through here, and
    # validating our own dict again cost 7 % of the request (the schema still documents
    # the answer; test_issue_answer_matches_its_schema holds the two together).
    return JsonResponse(
        {
            "id": ticket.pk,
            "number": ticket.number,
            "category": ticket.category.letter,
            "category_name": ticket.category.name,
            "zone": str(ticket.category.zone) if ticket.category.zone else "",
            "priority": ticket.is_priority,
            "position": ahead + 1,
            "ahead": ahead,
            "estimated_wait_minutes": selectors.ticket_estimate(ticket, now, ahead),
            "status": ticket.status,
            "status_url": status_url(ticket),
        },
        status=201,
    )


def _public_ticket(ticket_id: int, token: str) -> Ticket:
    ticket = selectors.public_ticket(ticket_id, token)
    if ticket is None:
        raise NotFound("号码不存在或查询码不正确。")
    return ticket


@router.get(
    "/tickets/{ticket_id}",
    auth=None,
    url_name="queue_ticket_status",
    summary="号码状态（公开，需查询码 t）",
)
def ticket_status(request: HttpRequest, ticket_id: int, t: str = ""):
    ratelimit.check(request, "lookup")
    ticket = _public_ticket(ticket_id, t)
    return selectors.ticket_public(ticket, timezone.now())


@router.get("/windows", summary="窗口及状态（工作人员）")
def windows_list(request: HttpRequest, center: str):
    obj = _center(center)
    scope = scope_for(request.user)
    if not scope.sees_center(obj.pk):
        raise NotFound("中心不存在。")
    rows = selectors.windows_state(obj)
    if not scope.sees(obj.pk):  # an approver: their departments' windows only
        mine = set(
            scope.filter(
                Window.objects.filter(center=obj), department_field="department"
            ).values_list("pk", flat=True)
        )
        rows = [r for r in rows if r["id"] in mine]
    return {"count": len(rows), "results": rows}


def _window_by_id(window_id: int) -> Window | None:
    window = selectors.cached_row(
        ("window", window_id),
        lambda: Window.objects.select_related("center").filter(pk=window_id).first(),
    )
    # Shared by the process's requests for a few seconds: read-only (services assign it to
    # tickets, never change it).
    return window


def _window(request: HttpRequest, window_id: int) -> Window:
    window = _window_by_id(window_id)
    if window is None:
        raise NotFound("窗口不存在。")
    # Approvers see only their departments' windows (DESIGN.md 7).
    if not scope_for(request.user).sees(window.center_id, window.department_id):
        raise NotFound("窗口不存在。")
    return window


def _window_out(window: Window) -> dict[str, Any]:
    return next(r for r in selectors.windows_state(window.center) if r["id"] == window.pk)


@router.post("/windows/{window_id}/open", summary="窗口签到/恢复服务")
def window_open(request: HttpRequest, window_id: int):
    window = _window(request, window_id)
    services.window_open(window=window, actor=request.user)
    return _window_out(window)


@router.post("/windows/{window_id}/pause", summary="窗口暂停（须填原因）")
def window_pause(request: HttpRequest, window_id: int, payload: PauseIn):
    window = _window(request, window_id)
    services.window_pause(window=window, reason=payload.reason, actor=request.user)
    return _window_out(window)


@router.post("/windows/{window_id}/close", summary="窗口签退")
def window_close(request: HttpRequest, window_id: int):
    window = _window(request, window_id)
    services.window_close(window=window, actor=request.user)
    return _window_out(window)


class CallNextIn(Schema):
    # 办结并叫下一位: the window's current ticket, finished in the same transaction.
    finish: int | None = None


@router.post("/windows/{window_id}/call-next", response={200: dict, 204: None}, summary="叫下一位")
def window_call_next(request: HttpRequest, window_id: int, payload: CallNextIn | None = None):
    """叫下一位. With `{"finish": <ticket id>}`: 办结该号并叫下一位 in one transaction
    (the finished ticket is named so that a retried request cannot finish the next one)."""
    window = _window(request, window_id)
    finished = None
    if payload is not None and payload.finish is not None:
        # No lookup of the ticket first: it must be the window's (checked with the write),
        # and the window is one this person may work at.
        finished, ticket = services.window_finish_and_call_next(
            window=window, ticket_id=payload.finish, actor=request.user
        )
    else:
        ticket = services.window_call_next(window=window, actor=request.user)
    if ticket is None:
        return Status(204, None)
    out = ticket_staff_out(ticket)
    if finished is not None:
        out["finished"] = {"id": finished.pk, "number": finished.number, "status": finished.status}
    # Sent as built (the schema is a plain dict: nothing for ninja to validate), as the
    # issue answer is: every call at every window comes through here.
    return JsonResponse(out)


def _ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    # Only where it is (the services lock and re-read the ticket).
    ticket = Ticket.objects.only("id", "center_id", "window_id").filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("号码不存在。")
    if not scope_for(request.user).sees_center(ticket.center_id):
        raise NotFound("号码不存在。")
    return ticket


@router.post("/tickets/{ticket_id}/recall", summary="重呼")
def ticket_recall(request: HttpRequest, ticket_id: int):
    t = services.ticket_recall(ticket=_ticket(request, ticket_id), actor=request.user)
    return ticket_staff_out(t)


@router.post("/tickets/{ticket_id}/start", summary="开始办理")
def ticket_start(request: HttpRequest, ticket_id: int):
    t = services.ticket_start(ticket=_ticket(request, ticket_id), actor=request.user)
    return ticket_staff_out(t)


@router.post("/tickets/{ticket_id}/finish", summary="服务结束（接待完成）")
def ticket_finish(request: HttpRequest, ticket_id: int):
    t = services.ticket_finish(ticket=_ticket(request, ticket_id), actor=request.user)
    return ticket_staff_out(t)


@router.post("/tickets/{ticket_id}/no-show", summary="过号（重呼后未到）")
def ticket_no_show(request: HttpRequest, ticket_id: int):
    t = services.ticket_no_show(ticket=_ticket(request, ticket_id), actor=request.user)
    return ticket_staff_out(t)


@router.post("/tickets/{ticket_id}/transfer", summary="转办（转往业务类别或窗口）")
def ticket_transfer(request: HttpRequest, ticket_id: int, payload: TransferIn):
    ticket = _ticket(request, ticket_id)
    to_window = to_category = None
    if payload.window:
        to_window = Window.objects.filter(
            center_id=ticket.center_id, number=payload.window, is_active=True
        ).first()
        if to_window is None:
            raise InvalidInput("窗口不存在。", field="window")
    if payload.category:
        to_category = TicketCategory.objects.filter(
            center_id=ticket.center_id, letter=payload.category.upper(), is_active=True
        ).first()
        if to_category is None:
            raise InvalidInput("业务类别不存在。", field="category")
    t = services.ticket_transfer(
        ticket=ticket,
        to_category=to_category,
        to_window=to_window,
        reason=payload.reason,
        actor=request.user,
    )
    return ticket_staff_out(t)


@router.get("/queue/status", auth=None, summary="各业务类别等候人数与预计等候时间")
def queue_status(request: HttpRequest, center: str):
    obj = _center(center)
    rows = selectors.queue_status(obj, timezone.now())
    return {"center": obj.code, "count": len(rows), "results": rows}
