"""Pages of Cases II: the department's approval console, a case's approval and output page
(with the signature pad), the output window console, paper handover batches, the
managers' time-limit dashboard, and the public results page (/results/). Thin: forms in,
services, templates out; scope through selectors (others' cases are 404)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from govhall.cases import selectors, selectors_flow
from govhall.cases.models import Case, CaseProblem, CaseResult, CaseSuspension, FeeOrder, Status
from govhall.cases.services import approval, fees, handover, output
from govhall.consultations.selectors import phrase
from govhall.core.errors import DomainError, InvalidInput, NotFound
from govhall.documents.http import pdf_response
from govhall.org.models import Center
from govhall.org.selectors import scope_for


def _case(request: HttpRequest, case_no: str) -> Case:
    try:
        return selectors.case_for(request.user, case_no)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def approval_console(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    queue = selectors_flow.with_levels(selectors_flow.approval_queue(request.user), today)
    return render(
        request,
        "cases/approval_console.html",
        {"cases": list(queue[:300]), "today": today, "labels": selectors_flow.LEVEL_LABELS},
    )


@login_required
def output_console(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()
    error = ""
    if query:
        found = selectors_flow.output_find(request.user, query)
        if found is not None:
            return redirect("cases:flow", case_no=found.number)
        error = "未找到该办件，请核对办件编号、受理通知书二维码或身份证号码。"
    return render(
        request,
        "cases/output_console.html",
        {
            "cases": list(selectors_flow.output_queue(request.user)[:300]),
            "q": query,
            "error": error,
        },
    )


def _b64_png(value: str) -> bytes | None:
    if not value:
        return None
    data = value.split(",", 1)[1] if value.startswith("data:") else value
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("签名图片无效。", field="signature_png_base64") from exc


def _act(request: HttpRequest, case: Case) -> Any:
    p, user = request.POST, request.user
    action = p.get("action", "")
    if action == "start":
        return approval.case_approval_start(case=case, actor=user)
    if action == "suspend":
        return approval.case_suspend(
            case=case,
            kind=p.get("kind", ""),
            expected_days=_int(p.get("expected_days"), "expected_days"),
            reason=p.get("reason", "").strip(),
            actor=user,
        )
    if action == "resume":
        return approval.case_resume(case=case, actor=user)
    if action == "extend":
        return approval.case_extend(
            case=case,
            days=_int(p.get("days"), "days"),
            reason=p.get("reason", ""),
            head_name=p.get("head_name", ""),
            actor=user,
        )
    if action == "decide":
        return approval.case_approval_decide(
            case=case,
            outcome=p.get("outcome", ""),
            result_type=p.get("result_type", "licence"),
            result_no=p.get("result_no", ""),
            review_steps=[s for s in p.get("review_steps", "").splitlines() if s.strip()],
            reason=p.get("reason", ""),
            actor=user,
        )
    if action == "handover":
        return output.case_result_handover(case=case, actor=user)
    if action in ("receive", "refuse"):
        return output.case_result_receive(
            case=case, ok=action == "receive", problem=p.get("problem", ""), actor=user
        )
    if action == "notify":
        return output.case_pickup_notify(case=case, actor=user)
    if action == "pickup":
        return output.case_pickup(
            case=case,
            signature_png=_b64_png(p.get("signature_png_base64", "")),
            id_checked=p.get("id_checked") == "on",
            agent=p.get("agent") == "on",
            signer_name=p.get("signer_name", ""),
            signer_id_number=p.get("signer_id_number", ""),
            authorization=p.get("authorization", ""),
            actor=user,
        )
    if action == "mail":
        return output.case_mail(
            case=case,
            carrier=p.get("carrier", ""),
            tracking_no=p.get("tracking_no", ""),
            address=p.get("address", ""),
            actor=user,
        )
    if action == "delivered":
        return output.case_mail_delivered(case=case, delivered_on=timezone.localdate(), actor=user)
    if action in ("cash", "waive", "refund"):
        order = FeeOrder.objects.filter(case=case).first()
        if order is None:
            raise NotFound("该办件没有缴费订单。")
        if action == "cash":
            return fees.fee_pay_cash(order=order, receipt_no=p.get("receipt_no", ""), actor=user)
        if action == "waive":
            return fees.fee_waive(order=order, reason=p.get("reason", ""), actor=user)
        return fees.fee_refund(order=order, reason=p.get("reason", ""), actor=user)
    if action == "resolve":
        problem = CaseProblem.objects.filter(
            case=case, pk=_int(p.get("problem"), "problem")
        ).first()
        if problem is None:
            raise NotFound("未找到该问题。")
        return handover.case_problem_resolve(
            problem=problem, resolution=p.get("resolution", ""), actor=user
        )
    raise InvalidInput("未知操作。", field="action")


def _int(value: Any, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("请填写整数。", field=field) from exc


@login_required
def flow_case(request: HttpRequest, case_no: str) -> HttpResponse:
    case = _case(request, case_no)
    error = ""
    if request.method == "POST":
        try:
            _act(request, case)
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("cases:flow", case_no=case.number)
        case = _case(request, case_no)
    scope = scope_for(request.user)
    today = timezone.localdate()
    due = selectors_flow.with_levels(Case.objects.filter(pk=case.pk), today).get()
    result = CaseResult.objects.filter(case=case).first()
    return render(
        request,
        "cases/flow_case.html",
        {
            "case": case,
            "error": error,
            "due": due,
            "labels": selectors_flow.LEVEL_LABELS,
            "result": result,
            # A.2.6, from the center's phrase library (managers edit it), filled with the item.
            "pickup_phrase": phrase("pickup", {"item": case.item.name}),
            "fee": FeeOrder.objects.filter(case=case).first(),
            "problems": list(CaseProblem.objects.filter(case=case)),
            "documents": list(selectors.case_documents(case)),
            "department": scope.is_admin or case.department_id in scope.department_ids,
            "output": scope.is_admin
            or scope.has_any_role({"output_clerk", "clerk", "manager"}, case.center_id),
            "suspension_kinds": CaseSuspension.Kind.choices,
            "result_types": CaseResult.ResultType.choices,
            "extension_limit": approval.extension_limit(case),
            "Status": Status,
        },
        status=422 if error else 200,
    )


@login_required
def batches(request: HttpRequest) -> HttpResponse:
    error = ""
    scope = scope_for(request.user)
    departments = selectors_flow.departments_visible(request.user)
    if request.method == "POST":
        department = departments.filter(pk=_safe_int(request.POST.get("department"))).first()
        try:
            if department is None:
                raise InvalidInput("请选择部门。", field="department")
            batch = handover.handover_batch_create(
                department=department, slot=request.POST.get("slot", ""), actor=request.user
            )
            if batch is None:
                raise InvalidInput("该部门没有待交接的纸质材料。", field="department")
            return redirect("cases:batch", batch_id=batch.pk)
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "cases/batches.html",
        {
            "batches": list(selectors_flow.batches_visible(request.user)[:100]),
            "departments": departments,
            "error": error,
            "can_create": scope.is_admin or bool(scope.wide_center_ids),
        },
        status=422 if error else 200,
    )


def _safe_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
def batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    try:
        item = selectors_flow.batch_for(request.user, batch_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    lines = list(item.lines.select_related("case", "case__item").order_by("id"))
    error = ""
    if request.method == "POST":
        problems = {
            line.case_id: request.POST.get(f"problem_{line.case_id}", "").strip()
            for line in lines
            if request.POST.get(f"diff_{line.case_id}") == "on"
        }
        try:
            handover.handover_batch_sign(batch=item, discrepancies=problems, actor=request.user)
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("cases:batch", batch_id=item.pk)
    scope = scope_for(request.user)
    return render(
        request,
        "cases/batch.html",
        {
            "batch": item,
            "lines": lines,
            "error": error,
            "receiver": scope.is_admin or item.department_id in scope.department_ids,
        },
        status=422 if error else 200,
    )


@login_required
def monitor(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    level = request.GET.get("level", "")
    level = level if level in ("yellow", "red", "paused") else ""
    return render(
        request,
        "cases/monitor.html",
        {
            "today": today,
            "counts": selectors_flow.dashboard_counts(request.user, today),
            "cases": list(selectors_flow.dashboard_list(request.user, today, level=level)),
            "rates": selectors_flow.on_time_rates(request.user, today),
            "level": level,
            "labels": selectors_flow.LEVEL_LABELS,
            "yellow_days": selectors_flow.yellow_days(),
        },
    )


def results_public(request: HttpRequest) -> HttpResponse:
    """6.2.1 办理结果公开 (public, 390 px friendly)."""
    centers = Center.objects.filter(is_active=True).order_by("code")
    code = (request.GET.get("center") or "").strip()
    center = centers.filter(code=code).first() if code else centers.first()
    rows = selectors_flow.published_results(center.pk) if center else []
    return render(
        request,
        "cases/results.html",
        {"center": center, "centers": centers, "rows": rows, "today": dt.date.today()},
    )


@login_required
def batch_pdf(request: HttpRequest, batch_id: int) -> HttpResponse:
    try:
        item = selectors_flow.batch_for(request.user, batch_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if item.document is None:
        raise Http404("无交接单。")
    return pdf_response(item.document)
