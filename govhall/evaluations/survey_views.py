"""The managers' survey editor (9.4 d 调查问卷): list, create and edit a questionnaire with a
Django form and formset (单选 / 多选 / 量表 / 文字), publish and close it, its public link
and QR code. Writes go through services.surveys; another center's survey is 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from govhall.core.errors import DomainError
from govhall.documents.pdf import qr_png as draw_qr
from govhall.evaluations import services
from govhall.evaluations.models import QuestionKind, Survey
from govhall.org.models import Role
from govhall.org.selectors import scope_for

MANAGERS = {Role.MANAGER}


class SurveyForm(forms.Form):
    title = forms.CharField(label="问卷标题", max_length=100)
    intro = forms.CharField(
        label="说明（显示在问卷开头）", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label="题型", choices=QuestionKind.choices)
    text = forms.CharField(label="题目", max_length=200)
    options = forms.CharField(
        label="选项（单选、多选题填写，每行一个）", required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    required = forms.BooleanField(label="必答", required=False, initial=True)


QuestionFormSet = forms.formset_factory(
    QuestionForm, extra=1, can_delete=True, can_order=True, max_num=50, validate_max=True
)


def public_url(survey: Survey) -> str:
    return settings.SITE_URL + reverse("evaluations:survey", args=[survey.token])


def _managed_centers(request: HttpRequest) -> list:
    scope = scope_for(request.user)
    ids = scope.centers_with_role(MANAGERS)
    return [c for c in scope.centers().order_by("code") if scope.is_admin or c.pk in ids]


def _survey(request: HttpRequest, survey_id: int) -> Survey:
    """A survey of a center the user manages; else 404 (also for another center's)."""
    survey = Survey.objects.filter(pk=survey_id).select_related("center").first()
    managed = {c.pk for c in _managed_centers(request)}
    if survey is None or survey.center_id not in managed:
        raise Http404("未找到该问卷。")
    return survey


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    centers = _managed_centers(request)
    if not centers:
        raise PermissionDenied("只有中心管理人员可以管理问卷。")
    code = request.GET.get("center")
    center = next((c for c in centers if c.code == code), centers[0])
    surveys = (
        Survey.objects.filter(center=center)
        .annotate(answers=Count("responses", distinct=True))
        .annotate(question_count=Count("questions", distinct=True))
    )
    rows = [{"survey": s, "url": public_url(s)} for s in surveys]
    return render(
        request,
        "evaluations/surveys.html",
        {"center": center, "centers": centers, "rows": rows},
    )


def _questions(formset: Any) -> list[dict[str, Any]]:
    return [f.cleaned_data for f in formset.ordered_forms]


def _initial(survey: Survey) -> list[dict[str, Any]]:
    return [
        {
            "kind": q.kind,
            "text": q.text,
            "options": "\n".join(q.options),
            "required": q.required,
            "ORDER": q.position,
        }
        for q in survey.questions.order_by("position", "id")
    ]


@login_required
def survey_edit(request: HttpRequest, survey_id: int | None = None) -> HttpResponse:
    """Create (no id) or edit a survey: the title form and the question formset."""
    survey = _survey(request, survey_id) if survey_id else None
    centers = _managed_centers(request)
    if survey is None and not centers:
        raise PermissionDenied("只有中心管理人员可以新建问卷。")
    code = request.GET.get("center") or request.POST.get("center")
    center = survey.center if survey else next((c for c in centers if c.code == code), centers[0])
    error, field, status = "", "", 200
    if request.method == "POST":
        form = SurveyForm(request.POST)
        formset = QuestionFormSet(request.POST, prefix="q")
        if form.is_valid() and formset.is_valid():
            try:
                survey = services.survey_save(
                    center=center,
                    survey=survey,
                    title=form.cleaned_data["title"],
                    intro=form.cleaned_data["intro"],
                    questions=_questions(formset),
                    actor=request.user,
                )
            except DomainError as exc:
                error, status = exc.message, exc.status if exc.status in (403, 409) else 422
                field = exc.errors[0]["field"] if exc.errors else ""
            else:
                messages.success(request, "问卷已保存。")
                return redirect("evaluations:survey_edit", survey_id=survey.pk)
        else:
            error, status = "请检查标红的内容。", 422
    elif survey is not None:
        form = SurveyForm(initial={"title": survey.title, "intro": survey.intro})
        formset = QuestionFormSet(initial=_initial(survey), prefix="q")
    else:
        formset = QuestionFormSet(prefix="q")
        form = SurveyForm()
    context = {
        "center": center,
        "survey": survey,
        "form": form,
        "formset": formset,
        "error": error,
        "error_field": field,
        "url": public_url(survey) if survey else "",
        "locked": bool(survey) and (survey.status == "closed" or survey.responses.exists()),
        "questions": list(survey.questions.order_by("position", "id")) if survey else [],
    }
    return render(request, "evaluations/survey_edit.html", context, status=status)


@login_required
@require_POST
def survey_action(request: HttpRequest, survey_id: int, action: str) -> HttpResponse:
    survey = _survey(request, survey_id)
    handler = {"publish": services.survey_publish, "close": services.survey_close}.get(action)
    if handler is None:
        raise Http404("未知的操作。")
    try:
        survey = handler(survey=survey, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"问卷{survey.get_status_display()}。")
    return redirect("evaluations:survey_edit", survey_id=survey.pk)


@login_required
def survey_qr(request: HttpRequest, survey_id: int) -> HttpResponse:
    """The QR code of the survey's public link, to print or post."""
    survey = _survey(request, survey_id)
    return HttpResponse(draw_qr(public_url(survey), scale=6), content_type="image/png")
