"""Pages of cases: the window console's intake, the department's review console, a case's
page, and the public progress page (/progress/). Thin: forms in, services, templates out."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from govhall.cases import selectors, services
from govhall.cases.api_public import public_rate_limit
from govhall.cases.models import Channel, IntakeRefusal, MaterialForm, Status
from govhall.cases.services.checks import parse_local
from govhall.core.errors import DomainError, NotFound
from govhall.documents.http import pdf_response
from govhall.documents.services import document_link
from govhall.org.selectors import scope_for
from govhall.queueing.selectors import window_current_ticket

INTAKE_ROLES = {"clerk", "proxy", "manager"}


def _intake_center(request: HttpRequest):
    scope = scope_for(request.user)
    centers = [
        c for c in scope.centers().order_by("code") if scope.has_any_role(INTAKE_ROLES, c.pk)
    ]
    code = request.GET.get("center") or request.POST.get("center")
    center = next((c for c in centers if c.code == code), None) if code else None
    center = center or (centers[0] if centers else None)
    if center is None:
        raise PermissionDenied("您没有综合窗口收件权限。")
    return center


def _lines(request: HttpRequest, item) -> list[services.MaterialIn]:
    lines = []
    for m in item.published.materials.order_by("position", "id"):
        key = f"m{m.pk}"
        upload = request.FILES.get(f"{key}_file")
        try:
            copies = int(request.POST.get(f"{key}_copies") or 0)
        except ValueError:
            copies = -1
        lines.append(
            services.MaterialIn(
                material_id=m.pk,
                provided=request.POST.get(f"{key}_provided") == "on",
                form=request.POST.get(f"{key}_form") or MaterialForm.PAPER,
                original_checked=request.POST.get(f"{key}_original") == "on",
                copies=copies,
                defects=request.POST.get(f"{key}_defects", "").strip(),
                licence_ref=request.POST.get(f"{key}_licence", "").strip(),
                file_name=upload.name if upload else "",
                file_data=upload.read() if upload else None,
            )
        )
    return lines


def _intake_post(request: HttpRequest, center, item, window, ticket) -> Any:
    p = request.POST
    applicant = services.ApplicantIn(
        kind=p.get("applicant_kind", "person"),
        name=p.get("applicant_name", "").strip(),
        id_type=p.get("id_type", "resident_id"),
        id_number=p.get("id_number", ""),
        phone=p.get("phone", ""),
        address=p.get("address", ""),
        legal_representative=p.get("legal_representative", ""),
    )
    agent = None
    if p.get("agent_name", "").strip():
        agent = services.AgentIn(
            name=p["agent_name"].strip(),
            id_type=p.get("agent_id_type", "resident_id"),
            id_number=p.get("agent_id_number", ""),
            authorization=p.get("agent_authorization", ""),
        )
    common = dict(
        center=center,
        item=item,
        applicant=applicant,
        materials=_lines(request, item),
        delivery=p.get("delivery", "pickup"),
        delivery_address=p.get("delivery_address", ""),
        actor=request.user,
    )
    if p.get("channel") == Channel.MAIL:
        try:
            signed_in = parse_local(p.get("mail_signed_in_at", ""))
        except ValueError:
            raise DomainError(
                "请填写签收时间。", field="mail.signed_in_at", code="invalid_input"
            ) from None
        mail = services.MailIn(
            carrier=p.get("mail_carrier", ""),
            tracking_no=p.get("mail_tracking_no", ""),
            signed_in_at=signed_in,
            contents=p.get("mail_contents", ""),
        )
        return services.case_mail_sign_in(mail=mail, **common)
    return services.case_intake(
        channel=p.get("channel") or Channel.WINDOW,
        agent=agent,
        window=window,
        ticket=ticket,
        **common,
    )


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """7.2.2 at the window console: from the ticket being served, or direct."""
    center = _intake_center(request)
    window = request.user.home_window if request.user.home_window_id else None
    window = window if window is not None and window.center_id == center.pk else None
    ticket = window_current_ticket(window) if window is not None else None
    items = list(selectors.intake_items(center))
    ticket_items = []
    if ticket is not None:
        codes = {i.code for i in ticket.items.all()} or {
            i.code for i in ticket.category.items.all()
        }
        ticket_items = [i for i in items if i.code in codes]
    code = request.GET.get("item") or request.POST.get("item")
    if not code and len(ticket_items) == 1:
        code = ticket_items[0].code
    item = selectors.item_for_intake(center, code) if code else None
    errors: list[dict[str, str]] = []
    message = ""
    if request.method == "POST" and item is not None:
        try:
            result = _intake_post(request, center, item, window, ticket)
        except DomainError as exc:
            errors, message = exc.errors, exc.message
        else:
            if result.case is None:
                return redirect("cases:refusal", refusal_id=result.refusal.pk)
            return redirect("cases:detail", case_no=result.case.number)
    return render(
        request,
        "cases/intake.html",
        {
            "center": center,
            "window": window,
            "ticket": ticket,
            "items": items,
            "ticket_items": ticket_items,
            "item": item,
            "materials": item.published.materials.order_by("position", "id") if item else [],
            "forms": MaterialForm.choices,
            "errors": errors,
            "error_fields": {e["field"] for e in errors},
            "message": message,
            "post": request.POST,
        },
        status=422 if errors else 200,
    )


@login_required
def refusal(request: HttpRequest, refusal_id: int) -> HttpResponse:
    found = IntakeRefusal.objects.select_related("item", "center", "document").filter(pk=refusal_id)
    record = scope_for(request.user).filter(found).first()
    if record is None:
        raise Http404("未找到该记录。")
    return render(
        request,
        "cases/refusal.html",
        {"center": record.center, "refusal": record, "link": document_link(record.document)},
    )


@login_required
def review(request: HttpRequest) -> HttpResponse:
    """The department's pending cases, nearest acceptance due first, overdue in red."""
    today = timezone.localdate()
    pending = list(selectors.review_queue(request.user)[:200])
    for case in pending:
        case.overdue = case.review_overdue(today)
        case.due_today = case.acceptance_due == today
    return render(
        request,
        "cases/review.html",
        {
            "pending": pending,
            "waiting": list(selectors.awaiting_corrections(request.user)[:200]),
            "today": today,
            "center": pending[0].center if pending else None,
        },
    )


class _GuideItem:
    """The case's own guide version in the shape _lines reads (item.published)."""

    def __init__(self, guide) -> None:
        self.published = guide


def _decide(request: HttpRequest, case) -> Any:
    p = request.POST
    action = p.get("action")
    user = request.user
    if action == "decide":
        items = [
            {"material_id": int(v), "reason": p.get(f"reason_{v}", "")}
            for v in p.getlist("missing")
            if v.isdigit()
        ]
        return services.case_decide(
            case=case,
            decision=p.get("decision", ""),
            reason=p.get("reason", ""),
            basis=p.get("basis", ""),
            items=items,
            actor=user,
        )
    if action == "corrections":
        lines = [x for x in _lines(request, _GuideItem(case.guide)) if x.provided]
        return services.case_corrections_supply(case=case, materials=lines, actor=user)
    if action == "withdraw":
        return services.case_withdraw(case=case, reason=p.get("reason", ""), actor=user)
    if action == "return":
        return services.case_return(
            case=case,
            materials_returned=p.get("materials_returned", ""),
            signed_by=p.get("signed_by", ""),
            actor=user,
        )
    raise DomainError("未知操作。", field="action", code="invalid_input")


@login_required
def detail(request: HttpRequest, case_no: str) -> HttpResponse:
    try:
        case = selectors.case_for(request.user, case_no)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    error = ""
    if request.method == "POST":
        try:
            _decide(request, case)
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("cases:detail", case_no=case.number)
        case = selectors.case_for(request.user, case_no)
    scope = scope_for(request.user)
    today = timezone.localdate()
    approver = scope.is_admin or case.department_id in scope.department_ids
    return render(
        request,
        "cases/detail.html",
        {
            "center": case.center,
            "case": case,
            "error": error,
            "materials": selectors.case_materials(case),
            "guide_materials": case.guide.materials.order_by("position", "id"),
            "events": _labelled(selectors.case_events(case)),
            "documents": list(selectors.case_documents(case)),
            "approver": approver,
            "clerk": case.center_id in scope.wide_center_ids or scope.is_admin,
            "overdue": case.review_overdue(today),
            "correction_overdue": case.correction_overdue(today),
            "forms": MaterialForm.choices,
            "Status": Status,
        },
        status=422 if error else 200,
    )


def _labelled(events) -> list:
    labels = dict(Status.choices)
    rows = list(events)
    for e in rows:
        e.from_label = labels.get(e.from_status, "")
        e.to_label = labels.get(e.to_status, e.to_status)
    return rows


@login_required
def document_pdf(request: HttpRequest, case_no: str, doc_id: int) -> HttpResponse:
    try:
        case = selectors.case_for(request.user, case_no)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    document = selectors.case_documents(case).filter(pk=doc_id).first()
    if document is None:
        raise Http404("未找到该文书。")
    return pdf_response(document)


def progress(request: HttpRequest) -> HttpResponse:
    """The applicant's progress page (reached from the receipt's QR code)."""
    case_no = (request.GET.get("case_no") or "").strip()
    last4 = (request.GET.get("phone_last4") or "").strip()
    data = None
    error = ""
    status = 200
    if case_no and last4:
        try:
            public_rate_limit(request)
            data = selectors.public_progress(selectors.public_case(case_no, last4), timezone.now())
        except DomainError as exc:
            error, status = exc.message, (exc.status if exc.status == 429 else 200)
    return render(
        request,
        "cases/progress.html",
        {
            "case_no": case_no,
            "phone_last4": last4,
            "data": data,
            "error": error,
        },
        status=status,
    )
