"""Survey editing by managers (9.4 d 调查问卷): draft, questions, publish, close."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from govhall.core import workflow
from govhall.core.errors import Conflict, Forbidden, InvalidInput
from govhall.evaluations.models import QuestionKind, Survey, SurveyQuestion, SurveyStatus
from govhall.evaluations.services._common import check_text, now_or, require_staff_of
from govhall.org.models import Role
from govhall.org.selectors import scope_for

MAX_QUESTIONS = 50
MAX_OPTIONS = 20
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


def require_survey_manager(actor: Any, center_id: int) -> None:
    """Another center's survey: 404; staff of the center who are not managers: 403."""
    require_staff_of(actor, center_id)
    if not scope_for(actor).has_any_role({Role.MANAGER}, center_id):
        raise Forbidden("只有中心管理人员可以编辑问卷。")


def _options(raw: Any, field: str) -> list[str]:
    lines = raw.splitlines() if isinstance(raw, str) else list(raw or [])
    options = list(dict.fromkeys(str(o).strip() for o in lines if str(o).strip()))
    if len(options) < 2:
        raise InvalidInput("单选、多选题至少需要两个不同的选项（每行一个）。", field=field)
    if len(options) > MAX_OPTIONS or any(len(o) > 100 for o in options):
        raise InvalidInput(f"选项最多{MAX_OPTIONS}个，每个不超过100个字。", field=field)
    return options


def clean_questions(questions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each question checked; errors name the field as questions[n].<name> (n from 0)."""
    if not questions:
        raise InvalidInput("问卷至少需要一道题目。", field="questions")
    if len(questions) > MAX_QUESTIONS:
        raise InvalidInput(f"问卷最多{MAX_QUESTIONS}道题目。", field="questions")
    clean = []
    for n, q in enumerate(questions):
        kind = q.get("kind")
        if kind not in QuestionKind.values:
            raise InvalidInput(f"第{n + 1}题：请选择题型。", field=f"questions[{n}].kind")
        text = check_text(
            q.get("text"), f"questions[{n}].text", f"第{n + 1}题的题目", limit=200, required=True
        )
        options = (
            _options(q.get("options"), f"questions[{n}].options") if kind in CHOICE_KINDS else []
        )
        clean.append(
            {"kind": kind, "text": text, "options": options, "required": bool(q.get("required"))}
        )
    return clean


@transaction.atomic
def survey_save(
    *,
    center: Any,
    title: str,
    intro: str = "",
    questions: Sequence[Mapping[str, Any]],
    survey: Survey | None = None,
    actor: Any,
    now: dt.datetime | None = None,
) -> Survey:
    """9.4 d): “调查问卷” — a manager drafts or edits a questionnaire (单选、多选、量表、文字).
    Its questions are replaced as a whole while it has no answers; once answered, or
    closed, the questions stay as answered (409)."""
    now = now_or(now)
    if survey is not None:
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        center = survey.center
    require_survey_manager(actor, center.pk)
    title = check_text(title, "title", "问卷标题", limit=100, required=True)
    intro = check_text(intro, "intro", "问卷说明", limit=1000, required=False)
    clean = clean_questions(questions)
    if survey is None:
        survey = Survey.objects.create(
            center=center, title=title, intro=intro, status=SurveyStatus.DRAFT, created_at=now
        )
        verb = "created"
    else:
        if survey.status == SurveyStatus.CLOSED:
            raise Conflict("问卷已结束，不能再修改；如需再次调查请新建问卷。", code="survey_closed")
        if survey.responses.exists():
            raise Conflict("问卷已有答卷，题目不能再修改。", code="survey_answered")
        Survey.objects.filter(pk=survey.pk).update(title=title, intro=intro)
        survey.questions.all().delete()
        verb = "edited"
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(survey=survey, position=n + 1, **q) for n, q in enumerate(clean)
    )
    workflow.record_audit(survey, verb=verb, actor=actor, now=now, data={"questions": len(clean)})
    survey.refresh_from_db()
    return survey


VERBS = {"published": "发布", "closed": "结束"}


def _move(survey: Survey, target: str, *, action: str, actor: Any, now: dt.datetime) -> Survey:
    require_survey_manager(actor, survey.center_id)
    return workflow.transition(
        survey,
        target,
        action=action,
        actor=actor,
        now=now,
        refused=lambda s: f"问卷当前为“{s.get_status_display()}”，不能{VERBS[action]}。",
    )


@transaction.atomic
def survey_publish(*, survey: Survey, actor: Any, now: dt.datetime | None = None) -> Survey:
    """Publish (or reopen): the public link and its QR code take answers."""
    now = now_or(now)
    if not survey.questions.exists():
        raise InvalidInput("问卷至少需要一道题目才能发布。", field="questions")
    return _move(survey, SurveyStatus.OPEN, action="published", actor=actor, now=now)


@transaction.atomic
def survey_close(*, survey: Survey, actor: Any, now: dt.datetime | None = None) -> Survey:
    """Close: the public link says the survey has ended; the answers stay for the results."""
    return _move(survey, SurveyStatus.CLOSED, action="closed", actor=actor, now=now_or(now))
