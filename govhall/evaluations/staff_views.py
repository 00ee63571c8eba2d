"""Staff pages of evaluations: statistics with charts and exports, the rectification screens,
the suggestion box and 办不成事 entry, appeals, QR codes, survey results."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from govhall.cases.selectors import case_for
from govhall.catalog.models import ServiceItem
from govhall.core.errors import DomainError, NotFound
from govhall.core.masking import mask_phone
from govhall.documents.pdf import qr_png as draw_qr
from govhall.evaluations import charts, exports, selectors, services, tokens
from govhall.evaluations.models import Channel, Level, QuestionKind, RectStatus, Survey
from govhall.org.models import Window
from govhall.org.selectors import scope_for

QR_DAYS = 365 * 3  # printed window codes


def _center(request: HttpRequest):
    scope = scope_for(request.user)
    centers = list(scope.centers().order_by("code"))
    code = request.GET.get("center") or request.POST.get("center")
    center = next((c for c in centers if c.code == code), None) if code else None
    center = center or (centers[0] if centers else None)
    if center is None:
        raise PermissionDenied("您没有可查看的中心。")
    return center


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _period(request: HttpRequest) -> tuple[dt.date | None, dt.date | None]:
    return _date(request.GET.get("from")), _date(request.GET.get("to"))


def _ratings(request: HttpRequest, center: Any):
    start, end = _period(request)
    qs = selectors.counted(selectors.ratings_visible(request.user).filter(center=center))
    return selectors.in_period(qs, start, end)


def _rects(request: HttpRequest, center: Any):
    start, end = _period(request)
    qs = selectors.rectifications_visible(request.user).filter(center=center)
    return selectors.in_period(qs, start, end, field="opened_at")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    ratings = _ratings(request, center)
    summary = selectors.summary(ratings)
    groups = []
    for group, (_, label) in selectors.GROUPS.items():
        rows = selectors.stats_by(ratings, group)
        groups.append(
            {
                "key": group,
                "label": label,
                "rows": rows,
                "chart": charts.bar_chart(
                    [(str(r["key"]), r["satisfaction_rate"]) for r in rows],
                    title=f"按{label}：满意率",
                    maximum=100,
                    color="good",
                ),
            }
        )
    # The monthly window ranking: the month asked for (?month=YYYY-MM), else this month,
    # whatever the period above.
    first, last = selectors.month_bounds(request.GET.get("month"), timezone.localdate())
    month_ratings = selectors.counted(selectors.ratings_visible(request.user).filter(center=center))
    ranking = selectors.window_ranking(selectors.in_period(month_ratings, first, last))
    rects = _rects(request, center)
    levels = summary["levels"]
    context = {
        "center": center,
        "summary": summary,
        "levels_chart": charts.bar_chart(
            list(levels.items()), title="评价等级分布", unit="条", color="plain"
        ),
        "groups": groups,
        "ranking": ranking,
        "ranking_month": first,
        "rates": selectors.rectification_rates(rects),
        "sources": selectors.rectification_sources(rects),
        "period": _period(request),
        "query": request.GET.urlencode(),
    }
    return render(request, "evaluations/dashboard.html", context)


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    data = exports.workbook(
        _ratings(request, center), _rects(request, center), f"{center.name} 好差评统计"
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="evaluations.xlsx"'
    return response


@login_required
def export_national(request: HttpRequest) -> HttpResponse:
    center = _center(request)
    response = HttpResponse(
        exports.national_csv(_ratings(request, center)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="haochaping-national.csv"'
    return response


@login_required
def rectifications(request: HttpRequest) -> HttpResponse:
    qs = selectors.rectifications_visible(request.user)
    status = request.GET.get("status", "open")
    if status == "open":
        qs = qs.exclude(status=RectStatus.CLOSED)
    elif status in RectStatus.values:
        qs = qs.filter(status=status)
    today = timezone.localdate()
    rows = list(qs.order_by("step_due", "id")[:300])
    for r in rows:
        r.is_overdue = r.overdue(today)
    centers = list(scope_for(request.user).centers()[:2])
    context = {"rows": rows, "status": status, "statuses": RectStatus.choices}
    context["center"] = centers[0] if len(centers) == 1 else None
    return render(request, "evaluations/rectifications.html", context)


EVENT_LABELS = {"opened": "立案", "verify": "核实", "rectify": "整改"}
EVENT_LABELS.update({"callback": "回访", "close": "办结"})
STEP_FORMS = {
    RectStatus.VERIFYING: "verify",
    RectStatus.RECTIFYING: "rectify",
    RectStatus.CALLBACK: "callback",
    RectStatus.CLOSING: "close",
}


def _step_post(request: HttpRequest, rect: Any) -> Any:
    p = request.POST
    action = p.get("action")
    common = {"rect": rect, "actor": request.user}
    if action == "verify":
        return services.rectification_verify(
            founded=p.get("founded") == "yes", note=p.get("note", ""), **common
        )
    if action == "rectify":
        return services.rectification_rectify(
            measures=p.get("measures", ""), responsible=p.get("responsible", ""), **common
        )
    if action == "callback":
        return services.rectification_callback(
            result=p.get("result", ""), satisfaction=p.get("satisfaction"), **common
        )
    if action == "close":
        return services.rectification_close(note=p.get("note", ""), **common)
    raise DomainError("未知的操作。", field="action", code="invalid_input")


@login_required
def rectification(request: HttpRequest, rect_id: int) -> HttpResponse:
    try:
        rect = selectors.rectification_for(request.user, rect_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    error, status, full_phone = "", 200, False
    if request.method == "POST" and request.POST.get("action") == "reveal_phone":
        full_phone = services.rectification_contact_reveal(rect=rect, actor=request.user)
    elif request.method == "POST":
        try:
            _step_post(request, rect)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            error, status = exc.message, (409 if exc.status == 409 else 422)
        else:
            messages.success(request, "已保存。")
            return redirect("evaluations:rectification", rect_id=rect.pk)
    rect.refresh_from_db()
    source = rect.rating or rect.complaint or rect.blocked
    labels = dict(RectStatus.choices)
    events = list(rect.events.select_related("actor").order_by("at", "id"))
    for e in events:
        e.action_label = EVENT_LABELS.get(e.action, e.action)
        e.from_label = labels.get(e.from_status, "—")
        e.to_label = labels.get(e.to_status, e.to_status)
    context = {
        "rect": rect,
        "center": rect.center,
        "events": events,
        "phone": full_phone or mask_phone(source.phone),
        "full_phone": full_phone,
        "alerts": rect.alerts.order_by("at"),
        "step": STEP_FORMS.get(rect.status),
        "levels": sorted(Level.choices, reverse=True),
        "overdue": rect.overdue(timezone.localdate()),
        "error": error,
        "source": source,
    }
    return render(request, "evaluations/rectification.html", context, status=status)


@login_required
def rating(request: HttpRequest, rating_id: int) -> HttpResponse:
    try:
        item = selectors.rating_for(request.user, rating_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    error = ""
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("action") == "appeal":
                services.appeal_file(
                    rating=item, reason=p.get("reason", ""), evidence=p.get("evidence", ""),
                    actor=request.user,
                )  # fmt: skip
            else:
                appeal = selectors.appeal_for(request.user, int(p.get("appeal") or 0))
                services.appeal_decide(
                    appeal=appeal, upheld=p.get("upheld") == "yes", note=p.get("note", ""),
                    actor=request.user,
                )  # fmt: skip
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("evaluations:rating", rating_id=item.pk)
    item.refresh_from_db()
    return render(
        request,
        "evaluations/rating.html",
        {
            "rating": item,
            "center": item.center,
            "appeals": item.appeals.order_by("at"),
            "error": error,
        },
        status=422 if error else 200,
    )


def _box_post(request: HttpRequest, center: Any) -> str:
    p = request.POST
    form = p.get("form")
    real_name = p.get("real_name") == "on"
    contact = {
        "real_name": real_name,
        "name": p.get("name", "") if real_name else "",
        "phone": p.get("phone", "") if real_name else "",
    }
    window = Window.objects.filter(center=center, number=p.get("window", "").strip()).first()
    if form == "rating":
        if p.get("case_no", "").strip():
            kind, obj = "case", case_for(request.user, p["case_no"]).pk
        elif window is not None:
            kind, obj = "window", window.pk
        else:
            raise DomainError("请填写办件编号或窗口号。", field="case_no", code="invalid_input")
        services.rating_submit(
            kind=kind, matter_id=obj, channel=Channel.BOX, level=p.get("level"),
            comment=p.get("comment", ""), actor=request.user, **contact,
        )  # fmt: skip
        return "纸质评价已录入。"
    if form == "complaint":
        services.complaint_create(
            center=center, channel=Channel.BOX, content=p.get("content", ""), window=window,
            actor=request.user, **contact,
        )  # fmt: skip
        return "投诉建议已录入，已进入整改流程。"
    if form == "blocked":
        item = ServiceItem.objects.filter(center=center, code=p.get("item_code", "")).first()
        services.blocked_report_create(
            center=center, matter=p.get("matter", ""), reason=p.get("reason", ""),
            outcome=p.get("outcome", ""), item=item, actor=request.user, **contact,
        )  # fmt: skip
        return "“办不成事”反映已登记，已进入整改流程。"
    raise DomainError("未知的表单。", field="form", code="invalid_input")


@login_required
def box(request: HttpRequest) -> HttpResponse:
    """9.4 c) 意见箱 slips and g) 办不成事 reports entered by staff."""
    center = _center(request)
    error, status = "", 200
    if request.method == "POST":
        try:
            messages.success(request, _box_post(request, center))
        except DomainError as exc:
            error, status = exc.message, exc.status if exc.status in (404, 409) else 422
        else:
            return redirect(f"{request.path}?center={center.code}")
    return render(
        request,
        "evaluations/box.html",
        {"center": center, "levels": sorted(Level.choices, reverse=True), "error": error},
        status=status,
    )


@login_required
def qr_codes(request: HttpRequest) -> HttpResponse:
    """9.4 b) 评价二维码 for each window, to print and post at the window."""
    center = _center(request)
    windows = Window.objects.filter(center=center, is_active=True).order_by("number")
    return render(request, "evaluations/qr.html", {"center": center, "windows": windows})


@login_required
def qr_png(request: HttpRequest, kind: str, obj_id: int) -> HttpResponse:
    if kind != "window":
        raise Http404("未知的二维码。")
    window = Window.objects.filter(pk=obj_id).first()
    if window is None or not scope_for(request.user).sees_center(window.center_id):
        raise Http404("未找到该窗口。")
    url = tokens.rating_url("window", window.pk, now=timezone.now(), days=QR_DAYS) + "?c=qr"
    return HttpResponse(draw_qr(url, scale=6), content_type="image/png")


@login_required
def survey_results(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = scope_for(request.user).filter(Survey.objects.all()).filter(pk=survey_id).first()
    if survey is None:
        raise Http404("未找到该问卷。")
    answers = [r.answers for r in survey.responses.all()]
    results = []
    for q in survey.questions.order_by("position", "id"):
        values = [a[str(q.pk)] for a in answers if str(q.pk) in a]
        entry: dict[str, Any] = {"question": q, "count": len(values)}
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            counts = Counter(
                v for value in values for v in (value if isinstance(value, list) else [value])
            )
            rows = [(opt, counts.get(opt, 0)) for opt in q.options]
            entry["chart"] = charts.bar_chart(rows, title=q.text, unit="人")
        elif q.kind == QuestionKind.SCALE:
            counts = Counter(values)
            entry["mean"] = round(sum(values) / len(values), 2) if values else None
            rows = [(f"{n}分", counts.get(n, 0)) for n in range(5, 0, -1)]
            entry["chart"] = charts.bar_chart(rows, title=q.text, unit="人")
        else:
            entry["texts"] = values[-50:]
        results.append(entry)
    return render(
        request,
        "evaluations/survey_results.html",
        {"survey": survey, "results": results, "responses": len(answers)},
    )
